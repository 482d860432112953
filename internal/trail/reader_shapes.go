package trail

import (
	"bytes"
	"errors"
	"io"

	"github.com/accountguard/accountguard/internal/trail/event"
)

// What the reader accepts around and instead of CloudTrail's own {"Records":[…]}: a byte
// order mark, API answers whose first key is not the list, Insights events.

// isWrapperKey says whether an object that starts with key wraps a list of records: S3
// delivery, LookupEvents output (`aws cloudtrail lookup-events` prints Events first, other
// tools may put NextToken first).
func isWrapperKey(key string) bool {
	return key == "Records" || key == "Events" || key == "NextToken"
}

var (
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
	utf16LE  = []byte{0xFF, 0xFE}
	utf16BE  = []byte{0xFE, 0xFF}
	errUTF16 = errors.New("UTF-16 text (Windows PowerShell 5 writes it for >): convert it to UTF-8")
)

// start steps over the UTF-8 byte order mark that Windows tools write at the start of a
// file, and names UTF-16 text rather than calling it not JSON.
func (r *fileReader) start() error {
	w := &r.win
	for w.end-w.pos < len(utf8BOM) {
		if err := w.more(); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
	}
	switch b := w.buf[w.pos:w.end]; {
	case bytes.HasPrefix(b, utf8BOM):
		w.pos += len(utf8BOM)
	case bytes.HasPrefix(b, utf16LE), bytes.HasPrefix(b, utf16BE):
		return errUTF16
	}
	return nil
}

// record reads the record at the window's position. item refuses an object without
// eventName or eventSource; an Insights event has neither (they are inside insightDetails),
// so a refused object is looked at again here: only refusals pay for it.
func (r *fileReader) record() error {
	w := &r.win
	start, n := w.off+int64(w.pos), r.n
	err := r.item()
	if err == nil || r.n != n+1 {
		return err // delivered, or not a whole JSON object
	}
	// item keeps the object's start in the window while it reads more, so it is all there
	if at := start - w.off; at >= 0 && at <= int64(w.pos) && r.insight(w.buf[at:w.pos]) {
		return nil
	}
	return err
}

// insight delivers rec, one whole JSON object, if it is an Insights event (directly or in
// LookupEvents' CloudTrailEvent string), and reports whether it was one.
func (r *fileReader) insight(rec []byte) bool {
	ev := &r.ev
	if end, err := ev.Index(rec, 0); err != nil || end != len(rec) {
		return false
	}
	if ev.Has(event.CloudTrailEvent) {
		if _, err := ev.Unwrap(&r.inner); err != nil {
			return false
		}
	}
	if !ev.Has(event.EventTime) || string(ev.Str(event.EventType)) != "AwsCloudTrailInsight" {
		return false
	}
	if !r.opt.keepTime(ev.Str(event.EventTime)) || (len(r.opt.Regions) > 0 && !r.opt.keepRegion(string(ev.Str(event.AWSRegion)))) {
		r.st.Skipped++
		return true
	}
	r.st.Records++
	r.h(r.worker, ev)
	return true
}
