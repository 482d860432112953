package trail

import (
	"bytes"
	"errors"
	"io"
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
