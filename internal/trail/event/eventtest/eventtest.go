// Package eventtest frames records for tests as the trail reader does: in one
// {"Records":[…]} document, indexed by a jsonx.Structure, into one reused Event. It is a
// package of its own because it imports testing.
package eventtest

import (
	"strings"
	"testing"

	"github.com/accountguard/accountguard/internal/trail/event"
	"github.com/accountguard/accountguard/internal/trail/jsonx"
)

// Each frames records (JSON objects) in order and calls fn with each one's Event, reused
// from record to record as the reader reuses it, and a fresh Event of the same record read
// by the byte scan, the reference to compare with. It returns the document, which the
// Events alias: a test may overwrite it to show that what it kept does not.
func Each(t testing.TB, records []string, fn func(i int, ev, fresh *event.Event)) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	starts := make([]int, len(records))
	for i, r := range records {
		if i > 0 {
			b.WriteByte(',')
		}
		starts[i] = b.Len()
		b.WriteString(r)
	}
	b.WriteString("]}")
	buf := []byte(b.String())
	var st jsonx.Structure
	st.Reset()
	st.Update(buf)
	var ev event.Event
	for i, at := range starts {
		if _, err := ev.IndexWith(buf, at, &st); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		var fresh event.Event
		if _, err := fresh.Index(buf, at); err != nil {
			t.Fatalf("record %d, byte scan: %v", i, err)
		}
		fn(i, &ev, &fresh)
	}
	return buf
}
