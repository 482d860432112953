package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/secrets/detect"
)

// Test keys: random, never issued by AWS.
const (
	keyA    = "AKIAUJZDEGXDNCF32EPF" // added, then deleted in the next commit
	secretA = "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"
	keyB    = "AKIAGMXGEDN73U55XTPL" // on a second branch only
	keyC    = "ASIA3DHODZDOCIS2JHTL" // first appears in a merge commit
	keyD    = "AKIAQ3EGWTSTQPXVYZ2K" // in a 50 MB file
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	c := exec.Command("git", append([]string{"-C", dir}, args...)...)
	c.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Dev One", "GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=Dev One", "GIT_COMMITTER_EMAIL=dev@example.com",
		"GIT_AUTHOR_DATE=2024-03-01T10:00:00Z", "GIT_COMMITTER_DATE=2024-03-01T10:00:00Z", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func commit(t *testing.T, dir, msg string) string {
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", msg)
	return git(t, dir, "rev-parse", "HEAD")
}

// historyRepo builds: main adds keyA+secret (c1), deletes it (c2); branch "feature" adds
// keyB (c3) and is never merged; branches "left" and "right" each change config.py and
// their merge (keyC) contains content found in neither parent.
func historyRepo(t *testing.T) (dir string, c1, c3, merge string) {
	dir = t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	write(t, filepath.Join(dir, "README.md"), "# app\n")
	commit(t, dir, "init")
	write(t, filepath.Join(dir, "deploy", "creds.env"), "AWS_ACCESS_KEY_ID="+keyA+"\nAWS_SECRET_ACCESS_KEY="+secretA+"\n")
	write(t, filepath.Join(dir, "docs.md"), "Example: AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
	c1 = commit(t, dir, "add creds")
	os.Remove(filepath.Join(dir, "deploy", "creds.env"))
	commit(t, dir, "remove creds")

	git(t, dir, "checkout", "-q", "-b", "feature")
	write(t, filepath.Join(dir, "feature.py"), "client = boto3.client('s3', aws_access_key_id='"+keyB+"')\n")
	c3 = commit(t, dir, "feature")
	git(t, dir, "checkout", "-q", "main")

	write(t, filepath.Join(dir, "config.py"), "A = 1\nB = 2\n")
	commit(t, dir, "config")
	git(t, dir, "checkout", "-q", "-b", "left")
	write(t, filepath.Join(dir, "config.py"), "A = 10\nB = 2\n")
	commit(t, dir, "left")
	git(t, dir, "checkout", "-q", "-b", "right", "main")
	write(t, filepath.Join(dir, "config.py"), "A = 1\nB = 20\n")
	commit(t, dir, "right")
	git(t, dir, "checkout", "-q", "left")
	c := exec.Command("git", "-C", dir, "merge", "-q", "--no-commit", "right")
	c.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null")
	_ = c.Run() // conflicts: resolved by hand below, as an evil merge
	write(t, filepath.Join(dir, "config.py"), "A = 10\nB = 20\nKEY = '"+keyC+"'\n")
	merge = commit(t, dir, "merge right")
	return dir, c1, c3, merge
}

func byKey(hits []Hit) map[string][]Hit {
	m := map[string][]Hit{}
	for _, h := range hits {
		if h.Rule == "aws-access-key-id" {
			m[h.KeyID] = append(m[h.KeyID], h)
		}
	}
	return m
}

func TestGitHistory(t *testing.T) {
	dir, c1, c3, merge := historyRepo(t)
	res, err := ScanGit(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys := byKey(res.Hits)
	for key, want := range map[string]struct{ commit, path string }{
		keyA: {c1, "deploy/creds.env"}, keyB: {c3, "feature.py"}, keyC: {merge, "config.py"},
	} {
		hs := keys[key]
		if len(hs) != 1 {
			t.Errorf("%s: reported %d times, want once", key, len(hs))
			continue
		}
		h := hs[0]
		if h.Loc.Commit != want.commit || h.Loc.Path != want.path || h.Loc.Author != "Dev One" || h.Loc.Date.IsZero() {
			t.Errorf("%s: at %s %s by %q on %v, want %s %s", key, h.Loc.Commit, h.Loc.Path, h.Loc.Author, h.Loc.Date, want.commit, want.path)
		}
		if h.Example {
			t.Errorf("%s: labelled an example", key)
		}
	}
	ex := keys["AKIAIOSFODNN7EXAMPLE"]
	if len(ex) != 1 || !ex[0].Example {
		t.Errorf("documentation example: %v", ex)
	}
	var sec int
	for _, h := range res.Hits {
		if h.Rule == "aws-secret-access-key" && !h.Example {
			sec++
			if h.KeyID != keyA || h.Loc.Line != 2 {
				t.Errorf("secret paired with %q at line %d", h.KeyID, h.Loc.Line)
			}
		}
	}
	if sec != 1 {
		t.Errorf("secret key reported %d times, want once", sec)
	}
	fs := Findings(res.Hits, nil)
	failing := 0
	for _, f := range fs {
		if f.Status == finding.Fail {
			failing++
		}
		if err := f.Validate(); err != nil {
			t.Error(err)
		}
	}
	if failing != 4 { // keyA, secretA, keyB, keyC
		t.Errorf("%d failing findings, want 4", failing)
	}
}

func TestGitMissingObject(t *testing.T) {
	dir, _, _, _ := historyRepo(t)
	// Remove the loose object of feature.py: a damaged repository, or a partial clone.
	blob := git(t, dir, "rev-parse", "feature:feature.py")
	if err := os.Remove(filepath.Join(dir, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	res, err := ScanGit(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stats.Missing) != 1 || !strings.HasPrefix(res.Stats.Missing[0], blob) || !strings.Contains(res.Stats.Missing[0], "feature.py") {
		t.Fatalf("missing = %v, want %s (feature.py)", res.Stats.Missing, blob)
	}
	keys := byKey(res.Hits)
	if len(keys[keyA]) != 1 || len(keys[keyC]) != 1 || len(keys[keyB]) != 0 {
		t.Errorf("the readable objects were not all scanned: %v", keys)
	}
}

func TestGitCorruptPack(t *testing.T) {
	dir, _, _, _ := historyRepo(t)
	git(t, dir, "gc", "-q")
	packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("packs: %v", packs)
	}
	b, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	// Damage the compressed data in the middle of the pack.
	for i := len(b) / 2; i < len(b)/2+64; i++ {
		b[i] ^= 0x5a
	}
	os.Chmod(packs[0], 0o644)
	if err := os.WriteFile(packs[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := ScanGit(t.Context(), dir, Options{})
	if err == nil || !IsInputError(err) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("err = %v, want an input error naming the repository", err)
	}
	if len(res.Stats.Unreadable) == 0 || res.Stats.Files == 0 {
		t.Errorf("unreadable %v, scanned %d: want some of each", res.Stats.Unreadable, res.Stats.Files)
	}
	t.Logf("%v (scanned %d)", err, res.Stats.Files)
}

func TestGitBadInput(t *testing.T) {
	_, err := ScanGit(t.Context(), filepath.Join(t.TempDir(), "nope"), Options{})
	if !IsInputError(err) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing path: %v", err)
	}
	_, err = ScanGit(t.Context(), t.TempDir(), Options{})
	if !IsInputError(err) || !strings.Contains(err.Error(), "not a git repository") {
		t.Errorf("not a repository: %v", err)
	}
}

func TestLargeAndBinaryFiles(t *testing.T) {
	dir := t.TempDir()
	// 50 MB of text with a key near the end, across the 8 MB chunk edges.
	var b bytes.Buffer
	line := strings.Repeat("x", 99) + "\n"
	for b.Len() < 50<<20 {
		b.WriteString(line)
	}
	b.WriteString("aws_access_key_id = " + keyD + "\n")
	write(t, filepath.Join(dir, "big.txt"), b.String())
	write(t, filepath.Join(dir, "bin.dat"), "\x00\x01\x02 "+keyA+" \x00")
	write(t, filepath.Join(dir, "skip.log"), keyB+"\n")
	write(t, filepath.Join(dir, ".gitignore"), "*.log\n")
	res, err := ScanPath(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys := byKey(res.Hits)
	if len(keys) != 1 || len(keys[keyD]) != 1 {
		t.Fatalf("keys %v: want only the one in big.txt", keys)
	}
	if got, want := keys[keyD][0].Loc.Line, b.Len()/100+1; got != want {
		t.Errorf("line %d, want %d", got, want)
	}
	if res.Stats.SkippedBinary != 1 {
		t.Errorf("skipped binary %d, want 1", res.Stats.SkippedBinary)
	}
	// --no-ignore reads skip.log; a small size limit skips big.txt and says so.
	res, err = ScanPath(t.Context(), dir, Options{NoIgnore: true, MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	keys = byKey(res.Hits)
	if len(keys) != 1 || len(keys[keyB]) != 1 || res.Stats.SkippedLarge != 1 {
		t.Errorf("no-ignore: keys %v, skipped large %d", keys, res.Stats.SkippedLarge)
	}
	// The same 50 MB file in git history, streamed from git cat-file.
	git(t, dir, "init", "-q")
	commit(t, dir, "big")
	res, err = ScanGit(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if keys = byKey(res.Hits); len(keys[keyD]) != 1 || res.Stats.SkippedBinary != 1 {
		t.Errorf("git: keys %v, binary %d", keys, res.Stats.SkippedBinary)
	}
}

func TestChunkEdges(t *testing.T) {
	// A key straddling every position around a chunk edge is found exactly once.
	for _, off := range []int{-30, -20, -10, -1, 0, 5, 19} {
		data := bytes.Repeat([]byte("y"), chunkSize+off)
		data = append(data, " key="+keyA+" \n"...)
		hits, n, _, err := scanStream(detect.NewEngine(nil), bytes.NewReader(data), Location{}, nil, nil)
		if err != nil || n != int64(len(data)) {
			t.Fatal(err, n)
		}
		if len(hits) != 1 || hits[0].KeyID != keyA || string(data[hits[0].Start:hits[0].End]) != keyA {
			t.Errorf("offset %d: %d hits", off, len(hits))
		}
	}
}

func TestAllowBaselineStdin(t *testing.T) {
	in := "a = '" + keyA + "'\nb = '" + keyB + "' # accountguard:allow test fixture\n"
	res, err := ScanReader(strings.NewReader(in), "(stdin)", Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs := Findings(res.Hits, nil)
	if len(fs) != 2 {
		t.Fatalf("%d findings", len(fs))
	}
	st := map[string]finding.Status{}
	for _, f := range fs {
		st[f.Attributes["key_id"]] = f.Status
	}
	if st["AKIA…2EPF"] != finding.Fail || st["AKIA…XTPL"] != finding.Muted {
		t.Errorf("statuses %v", st)
	}
	path := filepath.Join(t.TempDir(), "baseline.json")
	if err := WriteBaseline(path, fs); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte(keyA)) {
		t.Fatal("baseline holds the whole key")
	}
	bl, err := ReadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	fs2 := Findings(res.Hits, nil)
	if n := bl.Apply(fs2, path); n != 1 {
		t.Errorf("baseline muted %d, want 1", n)
	}
	if _, err := ReadBaseline(filepath.Join(t.TempDir(), "none.json")); !IsInputError(err) {
		t.Errorf("missing baseline: %v", err)
	}
}

func TestStaged(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	write(t, filepath.Join(dir, "old.env"), "AWS_ACCESS_KEY_ID="+keyA+"\n")
	commit(t, dir, "old")
	write(t, filepath.Join(dir, "old.env"), "AWS_ACCESS_KEY_ID="+keyA+"\nAWS_SECRET_ACCESS_KEY="+secretA+"\n")
	write(t, filepath.Join(dir, "new.py"), "k = '"+keyB+"'\n")
	write(t, filepath.Join(dir, "unstaged.py"), "k = '"+keyC+"'\n")
	git(t, dir, "add", "old.env", "new.py")
	res, err := ScanStaged(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, h := range res.Hits {
		got[h.Rule+" "+h.Loc.Path] = true
		if h.Rule == "aws-secret-access-key" && h.KeyID != keyA {
			t.Errorf("staged secret not paired with the key on the unchanged line")
		}
	}
	want := map[string]bool{"aws-secret-access-key old.env": true, "aws-access-key-id new.py": true}
	if len(got) != len(want) || !got["aws-secret-access-key old.env"] || !got["aws-access-key-id new.py"] {
		t.Errorf("got %v, want %v (the committed key and the unstaged file are not new)", got, want)
	}
}

func TestRenderersNeverLeak(t *testing.T) {
	dir, _, _, _ := historyRepo(t)
	res, err := ScanGit(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs := Findings(res.Hits, nil)
	var js, sarifOut, csvOut, table bytes.Buffer
	b, _ := finding.JSON(fs)
	js.Write(b)
	if err := RenderSARIF(&sarifOut, fs, "test"); err != nil {
		t.Fatal(err)
	}
	if err := RenderCSV(&csvOut, fs); err != nil {
		t.Fatal(err)
	}
	if err := RenderTable(&table, fs, "en"); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"json": js.String(), "sarif": sarifOut.String(), "csv": csvOut.String(), "table": table.String()} {
		for _, s := range []string{keyA, secretA, keyB, keyC, secretA[:20], secretA[20:]} {
			if strings.Contains(out, s) {
				t.Errorf("%s output contains a secret", name)
			}
		}
	}
	// SARIF: what GitHub code scanning requires of a 2.1.0 log.
	var doc struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID         string         `json:"id"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string                `json:"ruleId"`
				Message   struct{ Text string } `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(sarifOut.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || !strings.Contains(doc.Schema, "sarif") || len(doc.Runs) != 1 || doc.Runs[0].Tool.Driver.Name != "accountguard" {
		t.Fatalf("sarif header: %+v", doc)
	}
	rules := map[string]bool{}
	for _, r := range doc.Runs[0].Tool.Driver.Rules {
		rules[r.ID] = r.Properties["security-severity"] != nil
	}
	for _, r := range doc.Runs[0].Results {
		l := r.Locations[0].PhysicalLocation
		if !rules[r.RuleID] || r.Message.Text == "" || l.ArtifactLocation.URI == "" || l.Region.StartLine < 1 || r.PartialFingerprints["accountguard/v1"] == "" {
			t.Errorf("sarif result incomplete: %+v", r)
		}
	}
}
