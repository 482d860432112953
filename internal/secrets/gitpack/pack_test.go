package gitpack

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	c := exec.Command("git", append([]string{"-C", dir}, args...)...)
	c.Env = append(os.Environ(), "GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@b", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@b", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// A file edited one line per commit, repacked: every object is handed out once, whole
// objects carry git's own content, and each delta's inserts hold the line its commit added
// and far fewer bytes than the file.
func TestWalk(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("line %03d of a file long enough to be stored as deltas by git", i))
	}
	const versions = 6
	for v := range versions {
		lines[v*40] = fmt.Sprintf("changed in version %d: MARK%d", v, v)
		if err := os.WriteFile(filepath.Join(dir, "f.txt"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		git(t, dir, "add", "f.txt")
		git(t, dir, "commit", "-q", "-m", fmt.Sprint(v))
	}
	git(t, dir, "repack", "-adf", "-q")
	idxs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.idx"))
	if len(idxs) != 1 {
		t.Fatalf("idx files: %v", idxs)
	}
	ix, err := ReadIndex(idxs[0], 20)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 * versions; ix.Len() != want { // a commit, a tree and a blob per version
		t.Fatalf("index holds %d objects, want %d", ix.Len(), want)
	}
	var (
		mu     sync.Mutex
		seen   = map[string]bool{}
		marks  = map[string]bool{}
		deltas int
		whole  = map[string][]byte{}
	)
	err = Walk(t.Context(), strings.TrimSuffix(idxs[0], ".idx")+".pack", ix, Options{Workers: 2}, func(_ int, o *Object) {
		mu.Lock()
		defer mu.Unlock()
		if o.Err != nil {
			t.Errorf("%s: %v", ix.Name(o.Index), o.Err)
			return
		}
		seen[ix.Name(o.Index)] = true
		var all []byte
		for _, in := range o.Inserts {
			all = append(all, in...)
		}
		switch o.Type {
		case Blob:
			whole[ix.Name(o.Index)] = bytes.Clone(o.Content)
			all = o.Content
		case OfsDelta, RefDelta:
			if len(all) > 0 && len(all) < 2000 {
				deltas++
			}
		}
		for v := range versions {
			if bytes.Contains(all, fmt.Appendf(nil, "MARK%d", v)) {
				marks[fmt.Sprint(v)] = true
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != ix.Len() {
		t.Errorf("handed out %d of %d objects", len(seen), ix.Len())
	}
	if len(marks) != versions {
		t.Errorf("new lines found in new bytes: %v, want all %d versions", marks, versions)
	}
	if deltas < versions-2 {
		t.Errorf("%d small deltas: the pack was not deltified as expected", deltas)
	}
	for name, content := range whole {
		if got := git(t, dir, "cat-file", "blob", name); got != strings.TrimSpace(string(content)) {
			t.Errorf("%s: content differs from git cat-file", name)
		}
	}
	if !ix.Contains(mustHex(t, git(t, dir, "rev-parse", "HEAD:f.txt"))) || ix.Contains(make([]byte, 20)) {
		t.Error("Contains")
	}
}

func mustHex(t *testing.T, s string) []byte {
	b := make([]byte, len(s)/2)
	if _, err := fmt.Sscanf(s, "%x", &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// Damaged bytes make entries fail one by one, never the walk or the process.
func TestWalkCorrupt(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	for v := range 5 {
		os.WriteFile(filepath.Join(dir, "f.txt"), []byte(strings.Repeat(fmt.Sprintf("v%d some text\n", v), 200)), 0o644)
		git(t, dir, "add", "f.txt")
		git(t, dir, "commit", "-q", "-m", fmt.Sprint(v))
	}
	git(t, dir, "repack", "-adf", "-q")
	idxs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.idx"))
	pack := strings.TrimSuffix(idxs[0], ".idx") + ".pack"
	b, _ := os.ReadFile(pack)
	for i := 12; i < len(b)-20; i += 7 {
		b[i] ^= 0xff
	}
	os.Chmod(pack, 0o644)
	if err := os.WriteFile(pack, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ix, err := ReadIndex(idxs[0], 20)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	bad := 0
	if err := Walk(t.Context(), pack, ix, Options{Workers: 2}, func(_ int, o *Object) {
		mu.Lock()
		defer mu.Unlock()
		if o.Err != nil {
			bad++
		}
	}); err != nil {
		t.Fatal(err)
	}
	if bad == 0 {
		t.Error("no entry reported damaged")
	}
	if _, err := ReadIndex(pack, 20); err == nil {
		t.Error("a pack read as an index")
	}
}
