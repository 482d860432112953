package trail

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/accountguard/accountguard/internal/trail/event"
)

// jsonLines writes the dataset's records one per line (every third line ending in CRLF) and
// returns the file and the records' event IDs.
func jsonLines(t *testing.T, extra func(i int) string) (string, []string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dataset, "*.json"))
	var b bytes.Buffer
	var ids []string
	i := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Records []json.RawMessage }
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		for _, r := range doc.Records {
			var id struct{ EventID string }
			_ = json.Unmarshal(r, &id)
			ids = append(ids, id.EventID)
			b.Write(r)
			if i%3 == 0 {
				b.WriteByte('\r')
			}
			b.WriteByte('\n')
			if extra != nil {
				b.WriteString(extra(i))
			}
			i++
		}
	}
	path := filepath.Join(t.TempDir(), "export.jsonl")
	if err := os.WriteFile(path, bytes.TrimSuffix(b.Bytes(), []byte("\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, ids
}

func smallParts(t *testing.T) {
	oldMin, oldPart := splitMin, partMin
	splitMin, partMin = 1<<10, 64<<10
	t.Cleanup(func() { splitMin, partMin = oldMin, oldPart })
}

func readIDs(t *testing.T, path string, workers int) ([]string, Stats, []error) {
	t.Helper()
	var mu sync.Mutex
	var got []string
	st, errs := Read(t.Context(), []Source{File(path)}, ReadOptions{Workers: workers}, func(_ int, e *event.Event) {
		mu.Lock()
		got = append(got, string(e.Str(event.EventID)))
		mu.Unlock()
	})
	slices.Sort(got)
	return got, st, errs
}

// TestSplitJSONLines: a large JSON-lines file is read in parts on all workers, and gives
// exactly the records, bytes and source count of reading it whole.
func TestSplitJSONLines(t *testing.T) {
	smallParts(t)
	path, ids := jsonLines(t, nil)
	if n := len(splitFile(path, 4)); n < 4 {
		t.Fatalf("the %d-record file was split in %d parts", len(ids), n)
	}
	slices.Sort(ids)
	size, _ := os.Stat(path)
	for _, workers := range []int{1, 2, 4} {
		got, st, errs := readIDs(t, path, workers)
		if len(errs) > 0 {
			t.Fatalf("%d workers: %v", workers, errs)
		}
		if !slices.Equal(got, ids) {
			t.Fatalf("%d workers: %d records, want the %d of the file", workers, len(got), len(ids))
		}
		if st.Sources != 1 || st.Bytes != size.Size() {
			t.Errorf("%d workers: %d sources, %d bytes; want 1 and %d", workers, st.Sources, st.Bytes, size.Size())
		}
	}
}

// TestSplitBadLine: a broken line in a later part is reported with the file's name and the
// line's byte position in the file, and every other record is still read.
func TestSplitBadLine(t *testing.T) {
	smallParts(t)
	path, ids := jsonLines(t, func(i int) string {
		if i == 2000 {
			return `{"eventTime":"2023-07-10T12:00:00Z","eventName":` + "\n"
		}
		return ""
	})
	raw, _ := os.ReadFile(path)
	at := bytes.Index(raw, []byte(`{"eventTime":"2023-07-10T12:00:00Z","eventName":`+"\n"))
	got, _, errs := readIDs(t, path, 4)
	if len(errs) != 1 {
		t.Fatalf("errors: %v", errs)
	}
	msg := errs[0].Error()
	if !strings.Contains(msg, path) || !strings.Contains(msg, "byte ") {
		t.Fatalf("error does not name the file and a position: %s", msg)
	}
	// the part holding the bad line stops there; all records of the other parts are read
	if len(got) >= len(ids) || len(got) < len(ids)/2 {
		t.Errorf("%d of %d records read", len(got), len(ids))
	}
	// the position is the file's (where the parse failed: in the line after the broken one)
	var pos int
	if _, err := fmt.Sscanf(msg[strings.Index(msg, "invalid JSON at byte "):], "invalid JSON at byte %d", &pos); err != nil {
		t.Fatalf("no position in %q", msg)
	}
	if pos < at || pos > at+8<<10 {
		t.Errorf("error at byte %d; the broken line starts at %d", pos, at)
	}
}

// TestSplitOnlyJSONLines: pretty-printed JSON, one {"Records":[…]} document and gzip are
// read whole whatever their size.
func TestSplitOnlyJSONLines(t *testing.T) {
	smallParts(t)
	dir := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(dataset, "*.json"))
	var all []json.RawMessage
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		var doc struct{ Records []json.RawMessage }
		_ = json.Unmarshal(raw, &doc)
		all = append(all, doc.Records...)
	}
	pretty, _ := json.MarshalIndent(map[string]any{"Records": all}, "", "    ")
	compact, _ := json.Marshal(map[string]any{"Records": all})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.ReplaceAll(compact, []byte(`},{`), []byte("}\n{")))
	zw.Close()
	for name, body := range map[string][]byte{"pretty.json": pretty, "compact.json": compact, "lines.jsonl.gz": gz.Bytes()} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		if parts := splitFile(p, 4); len(parts) > 1 {
			t.Errorf("%s split in %d parts", name, len(parts))
		}
	}
}

// TestBoundaryAcrossReads: a "}\n{" that straddles two 64 KiB reads is found.
func TestBoundaryAcrossReads(t *testing.T) {
	for _, cut := range []int{1, 2, 3} {
		line := `{"a":"` + strings.Repeat("x", 64<<10-cut-8) + `"}`
		body := line + "\r\n" + `{"b":1}` + "\n" + `{"c":2}`
		p := filepath.Join(t.TempDir(), "b.jsonl")
		os.WriteFile(p, []byte(body), 0o644)
		f, _ := os.Open(p)
		got, ok := boundary(f, 10, int64(len(body)))
		f.Close()
		if want := int64(len(line) + 2); !ok || got != want {
			t.Errorf("cut %d: boundary at %d (%v), want %d", cut, got, ok, want)
		}
	}
}

// TestReadAheadGzip: one large .gz input (fewer inputs than cores) is inflated ahead in a
// goroutine of its own; the records are the same, and a truncated file still says so.
func TestReadAheadGzip(t *testing.T) {
	old := readAheadMin
	readAheadMin = 1 << 10
	t.Cleanup(func() { readAheadMin = old })
	path, ids := jsonLines(t, nil)
	raw, _ := os.ReadFile(path)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	dir := t.TempDir()
	whole, cut := filepath.Join(dir, "export.jsonl.gz"), filepath.Join(dir, "cut.jsonl.gz")
	os.WriteFile(whole, gz.Bytes(), 0o644)
	os.WriteFile(cut, gz.Bytes()[:gz.Len()*2/3], 0o644)
	slices.Sort(ids)
	for _, workers := range []int{1, 2} { // 1: no read-ahead; 2: read-ahead
		got, _, errs := readIDs(t, whole, workers)
		if len(errs) > 0 || !slices.Equal(got, ids) {
			t.Fatalf("%d workers: %d records (want %d), errors %v", workers, len(got), len(ids), errs)
		}
		got, _, errs = readIDs(t, cut, workers)
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "truncated or corrupt gzip") || len(got) == 0 {
			t.Errorf("%d workers, truncated: %d records, errors %v", workers, len(got), errs)
		}
	}
}
