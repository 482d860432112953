package trail

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/accountguard/accountguard/internal/trail/detect"
	"github.com/accountguard/accountguard/internal/trail/event"
	"github.com/accountguard/accountguard/internal/trail/jsonx"
	"github.com/accountguard/accountguard/internal/trail/sigma"
)

// datasetRecords returns the dataset's records, one JSON text each, for in-memory benchmarks.
func datasetRecords(b *testing.B) [][]byte {
	files, _ := filepath.Glob(filepath.Join(dataset, "*.json"))
	var out [][]byte
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		var doc struct{ Records []json.RawMessage }
		if err := json.Unmarshal(raw, &doc); err != nil {
			b.Fatal(err)
		}
		for _, r := range doc.Records {
			out = append(out, r)
		}
	}
	return out
}

// BenchmarkPerRecord splits the per-record cost (no gunzip, one goroutine): finding the
// record and its fields, the detectors' view, and the rules.
func BenchmarkPerRecord(b *testing.B) {
	recs := datasetRecords(b)
	e := NewEngine()
	var ev event.Event
	b.Run("index", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			ev.Index(recs[i%len(recs)], 0)
		}
	})
	b.Run("structure+index", func(b *testing.B) {
		// as the reader does: the bytes are indexed, then framed while still in cache
		var st jsonx.Structure
		for i := 0; b.Loop(); i++ {
			st.Reset()
			st.Update(recs[i%len(recs)])
			ev.IndexWith(recs[i%len(recs)], 0, &st)
		}
	})
	b.Run("structure", func(b *testing.B) {
		var st jsonx.Structure
		for i := 0; b.Loop(); i++ {
			st.Reset()
			st.Update(recs[i%len(recs)])
		}
	})
	b.Run("index+observe", func(b *testing.B) {
		st := detect.NewState()
		var obs detect.Obs
		for i := 0; b.Loop(); i++ {
			ev.Index(recs[i%len(recs)], 0)
			t, _ := ParseTime(ev.Str(event.EventTime))
			obs.FromEvent(&ev, t)
			st.Observe(&obs)
		}
	})
	b.Run("index+rules", func(b *testing.B) {
		m := e.Set.Matcher()
		for i := 0; b.Loop(); i++ {
			ev.Index(recs[i%len(recs)], 0)
			m.Match(&ev, func(*sigma.Rule) {})
		}
	})
}
