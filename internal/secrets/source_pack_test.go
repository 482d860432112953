package secrets

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/accountguard/accountguard/internal/secrets/detect"
)

func hitKeys(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, fmt.Sprintf("%s %s %s %s:%d ex=%v", h.Rule, h.Secret.Fingerprint()[:12], h.Loc.Commit, h.Loc.Path, h.Loc.Line, h.Example))
	}
	slices.Sort(out)
	return out
}

// The fast path (packs' new bytes, then candidates whole) finds exactly what reading every
// blob whole finds, on a packed repository.
func TestPackPathMatchesFullRead(t *testing.T) {
	dir, _, _, _ := historyRepo(t)
	git(t, dir, "repack", "-adf", "-q")
	fast, err := ScanGit(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	full, err := ScanGit(t.Context(), dir, Options{ReadAllBlobs: true})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := hitKeys(fast.Hits), hitKeys(full.Hits); !slices.Equal(a, b) || len(a) < 5 {
		t.Errorf("pack path:\n%s\nfull read:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

// Keys rotated in place: each new version changes only the characters after "AKIA" and
// after "aws_secret_access_key = " in a large file, so the delta copies the prefixes from
// the old version and inserts only the new tails. Every version's key is still found.
func TestRotatedKeysInDeltas(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "net", "http", "server.go"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	keys := []string{"AKIAUJZDEGXDNCF32EPF", "AKIAGMXGEDN73U55XTPL", "AKIAQ3EGWTSTQPXVYZ2K", "AKIAPFT7V4SEH2KVJ72C"}
	secs := []string{"TWDtkwtDDb/xHKas1VOqg6YYZYn9ZhyiA4uoRgna", "jORS+6ilI8ihN5KXSc7Tvo+hBKqFYY+kv5ZJr3J1", "tmUdjAWtGSU8po/799NksnRH9ucAUsdMlHUvTCQC", "Zq9XvB2mN4pL6sT8wY0aC3eG5iK7oQ9uW1yA3cE5"}
	half := len(src) / 2
	for i := range keys {
		body := string(src[:half]) + "\n// aws_access_key_id = " + keys[i] + "\n// aws_secret_access_key = " + secs[i] + "\n" + string(src[half:])
		write(t, filepath.Join(dir, "server.go"), body)
		commit(t, dir, fmt.Sprintf("rotate %d", i))
	}
	git(t, dir, "repack", "-adf", "-q")
	res, err := ScanGit(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, h := range res.Hits {
		found[h.Secret.Reveal()] = true
	}
	for i := range keys {
		if !found[keys[i]] || !found[secs[i]] {
			t.Errorf("version %d: key found %v, secret found %v", i, found[keys[i]], found[secs[i]])
		}
	}
	ps, err := scanPacks(t.Context(), dir, detect.NewEngine(nil), 2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ps.bytes >= int64(len(keys)*len(src)) {
		t.Errorf("read %d new bytes for %d versions of a %d-byte file: deltas were not used", ps.bytes, len(keys), len(src))
	}
}

// A partial clone (blobs fetched on demand) lacks the blobs of other branches and of old
// commits: those are named as missing, nothing is fetched, and what is here is scanned.
func TestPartialClone(t *testing.T) {
	src, _, _, _ := historyRepo(t)
	git(t, src, "config", "uploadpack.allowFilter", "true")
	git(t, src, "checkout", "-q", "main")
	clone := filepath.Join(t.TempDir(), "clone")
	git(t, src, "clone", "-q", "--no-local", "--filter=blob:none", "file://"+src, clone)
	git(t, clone, "remote", "set-url", "origin", "file:///nonexistent") // any fetch would fail loudly
	res, err := ScanGit(t.Context(), clone, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stats.Missing) == 0 {
		t.Fatal("no missing objects reported for a blob:none clone")
	}
	var named bool
	for _, m := range res.Stats.Missing {
		named = named || strings.Contains(m, "(deploy/creds.env)")
	}
	if !named {
		t.Errorf("missing %v: want the deleted creds file's blob named with its path", res.Stats.Missing)
	}
	if res.Stats.Files == 0 {
		t.Error("the checked-out blobs were not scanned")
	}
}

// A clone made with --shared borrows every object from its source (objects/info/alternates).
func TestAlternates(t *testing.T) {
	src, _, _, _ := historyRepo(t)
	git(t, src, "repack", "-adq")
	clone := filepath.Join(t.TempDir(), "clone")
	git(t, src, "clone", "-q", "--shared", src, clone)
	git(t, clone, "fetch", "-q", "origin", "+refs/heads/*:refs/heads/*", "--update-head-ok")
	res, err := ScanGit(t.Context(), clone, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if keys := byKey(res.Hits); len(keys[keyA]) != 1 || len(keys[keyB]) != 1 || len(keys[keyC]) != 1 || len(res.Stats.Missing) != 0 {
		t.Errorf("keys %v, missing %v", keys, res.Stats.Missing)
	}
}

func TestMayStraddle(t *testing.T) {
	e := detect.NewEngine(nil)
	for _, tc := range []struct {
		ins                   string
		copyBefore, copyAfter bool
		want                  bool
	}{
		{"UJZDEGXDNCF32EPF\"\n", true, false, true},                       // the tail of a rotated key ID
		{"TWDtkwtDDb/xHKas1VOqg6YYZYn9ZhyiA4uoRgna\n", true, false, true}, // a secret after a copied name
		{"x = 1\nsecret = \"TWDtkwtDDb/xHKas1VOqg6YYZYn9ZhyiA4uoRgna\"\n", false, false, true},
		{"fmt.Println(x)\n\tAKI", false, true, true}, // a keyword the copy completes
		{"AKIA", false, false, true},                 // keyword
		{"Asia/Seoul", false, false, false},          // a key prefix is upper-case
		{"z6B1hJ0aK5qGHxPv8Y4k2wGq1Yl2n0W8T4m8rY2dPq9c3hX7fA5bV1kE3sD9gH2jL4nM6pQ8rT0uW2yZ4aC6eG8iK0mO2==\"\n", true, false, false}, // a sha512 integrity value
		{"Println(\"hello, world\")\n", true, false, false},
		{"GOTPCREL:\n", true, false, false},     // upper-case, but no digit
		{"OSFODNN7EXAMPL\"", true, false, true}, // a shorter tail with a digit
		{"IDENTIFIER_NAME = 3\n", true, false, false},
	} {
		if got := mayStraddle(e, []byte(tc.ins), tc.copyBefore, tc.copyAfter); got != tc.want {
			t.Errorf("%q (copy before %v, after %v): %v, want %v", tc.ins, tc.copyBefore, tc.copyAfter, got, tc.want)
		}
	}
}

// A pack whose header disagrees with its index: read through git, which refuses it; the
// scan says so (an input error naming the repository) instead of skipping it silently.
func TestPackHeaderMismatch(t *testing.T) {
	dir, _, _, _ := historyRepo(t)
	git(t, dir, "repack", "-adq")
	packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	b, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	b[11]++ // object count
	os.Chmod(packs[0], 0o644)
	if err := os.WriteFile(packs[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := ScanGit(t.Context(), dir, Options{})
	if !IsInputError(err) {
		t.Fatalf("err = %v (unreadable %d, missing %d), want an input error", err, len(res.Stats.Unreadable), len(res.Stats.Missing))
	}
	t.Log(err)
}
