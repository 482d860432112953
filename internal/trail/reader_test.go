package trail

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/accountguard/accountguard/internal/trail/event"
)

const dataset = "testdata/invictus-aws_dataset/CloudTrail"

// collect reads srcs and returns the eventIDs seen, sorted.
func collect(t *testing.T, srcs []Source, opt ReadOptions) ([]string, Stats, []error) {
	t.Helper()
	var (
		mu  sync.Mutex
		ids []string
	)
	idPath := event.Intern("eventID")
	st, errs := Read(t.Context(), srcs, opt, func(_ int, e *event.Event) {
		id := string(e.First(idPath))
		mu.Lock()
		ids = append(ids, id)
		mu.Unlock()
	})
	slices.Sort(ids)
	return ids, st, errs
}

// referenceIDs decodes the dataset with encoding/json: the reader must agree with it.
func referenceIDs(t *testing.T) ([]string, []map[string]any) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dataset, "*.json"))
	var (
		ids  []string
		recs []map[string]any
	)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Records []map[string]any }
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range doc.Records {
			ids = append(ids, r["eventID"].(string))
			recs = append(recs, r)
		}
	}
	slices.Sort(ids)
	return ids, recs
}

func TestReadExportFolder(t *testing.T) {
	want, _ := referenceIDs(t)
	if len(want) < 2000 {
		t.Fatalf("dataset has %d records", len(want))
	}
	srcs, errs := Files([]string{dataset}, Window{})
	if len(errs) > 0 || len(srcs) != 55 {
		t.Fatalf("Files: %d sources, errors %v", len(srcs), errs)
	}
	got, st, errs := collect(t, srcs, ReadOptions{Workers: 3})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("read %d records, want %d", len(got), len(want))
	}
	if st.Records != int64(len(want)) || st.Sources != 55 {
		t.Errorf("stats %+v", st)
	}
}

// writeShapes writes the dataset's records as gzipped export, JSON lines, a LookupEvents
// response and LookupEvents JSON lines, in one folder.
func writeShapes(t *testing.T, recs []map[string]any) string {
	t.Helper()
	dir := t.TempDir()
	half := len(recs) / 2
	// gzipped export of the first half
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(map[string]any{"Records": recs[:half]}); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	os.WriteFile(filepath.Join(dir, "123456789012_CloudTrail_us-east-1_20230710T1200Z_abc.json.gz"), buf.Bytes(), 0o644)
	// JSON lines, pretty-printed records mixed in
	var jl bytes.Buffer
	q := half + (len(recs)-half)/3
	for i, r := range recs[half:q] {
		b, _ := json.Marshal(r)
		if i%5 == 0 {
			b, _ = json.MarshalIndent(r, "", "  ")
		}
		jl.Write(b)
		jl.WriteByte('\n')
	}
	os.WriteFile(filepath.Join(dir, "lines.jsonl"), jl.Bytes(), 0o644)
	// LookupEvents response (as `aws cloudtrail lookup-events` prints it)
	r2 := half + 2*(len(recs)-half)/3
	var events []map[string]any
	for _, r := range recs[q:r2] {
		b, _ := json.Marshal(r)
		events = append(events, map[string]any{"EventId": r["eventID"], "EventName": r["eventName"], "CloudTrailEvent": string(b)})
	}
	b, _ := json.MarshalIndent(map[string]any{"Events": events}, "", "    ")
	os.WriteFile(filepath.Join(dir, "lookup.json"), b, 0o644)
	// LookupEvents events as JSON lines
	var ll bytes.Buffer
	for _, r := range recs[r2:] {
		rb, _ := json.Marshal(r)
		eb, _ := json.Marshal(map[string]any{"EventId": r["eventID"], "CloudTrailEvent": string(rb)})
		ll.Write(eb)
		ll.WriteByte('\n')
	}
	os.WriteFile(filepath.Join(dir, "lookup.jsonl"), ll.Bytes(), 0o644)
	return dir
}

func TestReadAllShapes(t *testing.T) {
	want, recs := referenceIDs(t)
	dir := writeShapes(t, recs)
	srcs, errs := Files([]string{dir}, Window{})
	if len(errs) > 0 || len(srcs) != 4 {
		t.Fatalf("Files: %v %v", srcs, errs)
	}
	got, _, errs := collect(t, srcs, ReadOptions{})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("read %d records, want %d", len(got), len(want))
	}
}

func TestReadWindow(t *testing.T) {
	_, recs := referenceIDs(t)
	since := time.Date(2023, 7, 10, 12, 0, 0, 0, time.UTC)
	until := time.Date(2023, 7, 10, 12, 10, 0, 0, time.UTC)
	var want []string
	for _, r := range recs {
		et, _ := time.Parse(time.RFC3339, r["eventTime"].(string))
		if !et.Before(since) && !et.After(until) {
			want = append(want, r["eventID"].(string))
		}
	}
	slices.Sort(want)
	w := Window{Since: since, Until: until}
	srcs, _ := Files([]string{dataset}, w)
	if len(srcs) >= 55 {
		t.Errorf("no file pruned by name: %d", len(srcs))
	}
	got, _, errs := collect(t, srcs, ReadOptions{Window: w})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("window: got %d records, want %d", len(got), len(want))
	}
	// a region the data never used: every file pruned by name, nothing read
	w = Window{Regions: []string{"eu-west-3"}}
	srcs, _ = Files([]string{dataset}, w)
	if len(srcs) != 0 {
		t.Errorf("region pruning kept %d files", len(srcs))
	}
	srcs, _ = Files([]string{dataset}, Window{})
	got, _, _ = collect(t, srcs, ReadOptions{Window: w})
	if len(got) != 0 {
		t.Errorf("region filter passed %d records", len(got))
	}
}

func TestReadBadInputs(t *testing.T) {
	_, recs := referenceIDs(t)
	dir := t.TempDir()
	good, _ := json.Marshal(map[string]any{"Records": recs[:10]})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(good)
	zw.Close()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := write("good.json.gz", gz.Bytes())
	truncated := write("truncated.json.gz", gz.Bytes()[:gz.Len()/2])
	foreign := write("foreign.json", []byte(`{"name":"package.json","version":"1.0.0"}`))
	// 100 MB on one line that is one huge string: no record can be that big
	huge := write("huge.jsonl", append(append([]byte(`{"eventTime":"2023-07-10T11:00:00Z","x":"`), bytes.Repeat([]byte("A"), 100<<20)...), `"}`...))
	// 100 MB on one line that is an ordinary export: read fine, in bounded memory
	var big bytes.Buffer
	big.WriteString(`{"Records":[`)
	rb, _ := json.Marshal(recs[0])
	n := 0
	for big.Len() < 100<<20 {
		if n > 0 {
			big.WriteByte(',')
		}
		big.Write(rb)
		n++
	}
	big.WriteString("]}")
	bigLine := write("bigline.json", big.Bytes())
	big.Reset()
	notJSON := write("notes.json", []byte("hello, this is not JSON\n"))
	missing := filepath.Join(dir, "missing.json")

	srcs := []Source{File(ok), File(truncated), File(foreign), File(huge), File(bigLine), File(notJSON), File(missing)}
	got, st, errs := collect(t, srcs, ReadOptions{Workers: 2})
	byName := map[string]string{}
	for _, e := range errs {
		ie, isInput := e.(*InputError)
		if !isInput {
			t.Fatalf("error not naming its input: %v", e)
		}
		if strings.Contains(e.Error(), "\n") {
			t.Errorf("multi-line error: %q", e)
		}
		byName[ie.Name] = e.Error()
	}
	for name, want := range map[string]string{
		truncated: "truncated or corrupt gzip",
		foreign:   "not a CloudTrail record",
		huge:      "larger than 16 MiB",
		notJSON:   "not CloudTrail JSON",
		missing:   "no such file",
	} {
		if !strings.Contains(byName[name], want) {
			t.Errorf("%s: error %q, want it to say %q", filepath.Base(name), byName[name], want)
		}
	}
	if _, bad := byName[ok]; bad {
		t.Errorf("good file failed: %s", byName[ok])
	}
	if _, bad := byName[bigLine]; bad {
		t.Errorf("100 MB export line failed: %s", byName[bigLine])
	}
	// good: 10; bigline: n; truncated: whatever came before the cut, at most 10
	if c := len(got); c < 10+n || c > 20+n {
		t.Errorf("read %d records, want %d..%d", c, 10+n, 20+n)
	}
	if len(errs) != 5 {
		t.Errorf("%d errors, want 5: %v", len(errs), errs)
	}
	_ = st
}

func TestFilesFolderProblems(t *testing.T) {
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("x"), 0o644)
	link := filepath.Join(t.TempDir(), "link")
	abs, _ := filepath.Abs(dataset)
	if err := os.Symlink(abs, link); err != nil {
		t.Skip(err)
	}
	srcs, errs := Files([]string{empty, link, filepath.Join(empty, "missing")}, Window{})
	if len(srcs) != 55 {
		t.Errorf("symlinked folder: %d files, want 55", len(srcs))
	}
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), "no CloudTrail files") || !strings.Contains(errs[1].Error(), "no such file") {
		t.Errorf("errors %v", errs)
	}
}

// timeParser reads every eventTime as ParseTime does, whatever day it remembers.
func TestTimeParser(t *testing.T) {
	var p timeParser
	for _, s := range []string{
		"2023-07-10T11:42:36Z", "2023-07-10T23:59:60Z", "2023-07-10T00:00:00Z", "2023-07-10T24:00:00Z",
		"2023-07-10T1a:42:36Z", "2023-07-11T11:42:36Z", "2023-02-31T11:42:36Z", "2023-02-31T00:00:00Z",
		"2023-07-10T11:42:36.5Z", "2023-07-10T11:42:36+02:00", "2023-07-10t11:42:36Z", "2023-07-10T11:42:36z",
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00T00:00:00Z", "", "2023-07-10T11-42:36Z", "2023-07-10T11:42:3 Z",
	} {
		for range 2 {
			want, wok := ParseTime([]byte(s))
			got, ok := p.parse([]byte(s))
			if got != want || ok != wok {
				t.Errorf("%q: %v %v, ParseTime %v %v", s, got, ok, want, wok)
			}
		}
	}
}
