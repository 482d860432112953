package trail

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/accountguard/accountguard/internal/trail/event"
)

// readOne reads one source with a fresh fileReader and returns each record's text in
// order, the error, and whether the file was inflated whole.
func readOne(t *testing.T, src Source) ([]string, error, bool) {
	t.Helper()
	var recs []string
	r := newFileReader(0, ReadOptions{Workers: 1}, func(_ int, e *event.Event) { recs = append(recs, string(e.Raw())) })
	err := r.read(t.Context(), src)
	return recs, err, r.win.mem
}

// A gzip file read whole and inflated whole gives exactly the records, errors and byte
// counts of a streamed read: ordinary files, several gzip members, a file past wholeMax,
// and damaged files, whose records before the damage are still read.
func TestWholeGzipMatchesStreaming(t *testing.T) {
	_, recs := referenceIDs(t)
	dir := t.TempDir()
	gzipped := func(parts ...[]byte) []byte {
		var out bytes.Buffer
		for _, p := range parts {
			zw := gzip.NewWriter(&out)
			zw.Write(p)
			zw.Close()
		}
		return out.Bytes()
	}
	doc := func(rs []map[string]any) []byte {
		b, _ := json.Marshal(map[string]any{"Records": rs})
		return b
	}
	var lines bytes.Buffer
	for _, r := range recs {
		b, _ := json.Marshal(r)
		lines.Write(b)
		lines.WriteByte('\n')
	}
	all := gzipped(doc(recs))
	files := map[string][]byte{
		"export.json.gz":    all,
		"members.jsonl.gz":  gzipped(lines.Bytes()[:lines.Len()/2], lines.Bytes()[lines.Len()/2:]),
		"truncated.json.gz": all[:len(all)*2/3],
		"corrupt.json.gz":   append(slices.Clone(all[:len(all)-8]), 1, 2, 3, 4, 5, 6, 7, 8), // bad CRC and size
		"trailing.json.gz":  append(slices.Clone(all), "junk"...),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wholeRecs, _, _ := readOne(t, File(filepath.Join(dir, "export.json.gz")))
	for name := range files {
		src := File(filepath.Join(dir, name))
		whole, werr, mem := readOne(t, src)
		old := wholeMax
		wholeMax = -1
		streamed, serr, smem := readOne(t, src)
		wholeMax = old
		if smem {
			t.Fatalf("%s: read whole with wholeMax < 0", name)
		}
		damaged := !strings.HasPrefix(name, "export") && !strings.HasPrefix(name, "members")
		if mem == damaged {
			t.Errorf("%s: inflated whole = %v", name, mem)
		}
		if !slices.Equal(whole, streamed) {
			t.Errorf("%s: %d records whole, %d streamed, or different text", name, len(whole), len(streamed))
		}
		if (werr == nil) != (serr == nil) || werr != nil && werr.Error() != serr.Error() {
			t.Errorf("%s: error whole %v, streamed %v", name, werr, serr)
		}
		if damaged && (werr == nil || len(whole) == 0 && name == "truncated.json.gz") {
			t.Errorf("%s: error %v after %d records", name, werr, len(whole))
		}
		if !damaged && len(whole) != len(recs) {
			t.Errorf("%s: %d records, want %d", name, len(whole), len(recs))
		}
	}
	// past wholeMax: streamed, whether the size is known beforehand (a file) or not
	old := wholeMax
	wholeMax = len(all) / 2
	for _, src := range []Source{File(filepath.Join(dir, "export.json.gz")), memSource{"export.json.gz", all}} {
		got, err, mem := readOne(t, src)
		if mem || err != nil || !slices.Equal(got, wholeRecs) {
			t.Errorf("%T past wholeMax: whole=%v err=%v, %d records", src, mem, err, len(got))
		}
	}
	wholeMax = old
	// the window's byte counts agree too
	for _, wm := range []int{old, -1} {
		wholeMax = wm
		_, st, errs := collect(t, []Source{File(filepath.Join(dir, "export.json.gz"))}, ReadOptions{Workers: 1})
		wholeMax = old
		if len(errs) > 0 || st.Bytes != int64(len(doc(recs))) || st.Records != int64(len(recs)) {
			t.Errorf("wholeMax %d: %+v, %v; want %d bytes", wm, st, errs, len(doc(recs)))
		}
	}
}
