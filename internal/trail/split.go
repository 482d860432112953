package trail

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// splitMin is the size from which a plain JSON-lines file is read in parts, one per worker
// at a time: sources are otherwise the unit of concurrency, and one large export (CloudTrail
// Lake, Athena, a SIEM) would keep all but one core idle. A variable for tests.
var splitMin int64 = 64 << 20

// partMin is the least size of a part (a variable for tests).
var partMin int64 = 16 << 20

// part is a byte range of a JSON-lines file that starts and ends between records.
type part struct {
	path       string
	start, end int64
	first      bool          // the file's first part: it counts the file as a source
	left       *atomic.Int32 // parts of the file not yet read, for progress
}

func (p part) Name() string { return fmt.Sprintf("%s (bytes %d-%d)", p.path, p.start, p.end) }

func (p part) Open(context.Context) (io.ReadCloser, error) {
	f, err := os.Open(p.path)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, p.start, p.end-p.start), f}, nil
}

// offset is where the part starts in its file, so that byte positions in errors are the
// file's.
func (p part) offset() int64 { return p.start }

// splitLarge replaces each large plain JSON-lines file among srcs by parts of about
// size/(4*workers) bytes (never below partMin). A file is split only where a line ending in
// '}' is followed by one starting with '{': pretty-printed JSON, a single {"Records":[…]}
// document or a gzip stream is never split.
//
// Only when there are few inputs (under four per worker): with more, reading them side by
// side keeps every core busy already, and looking at each (a stat and a read) would be
// spent on every one of thousands of small CloudTrail files.
func splitLarge(srcs []Source, workers int) []Source {
	if workers < 2 || len(srcs) >= 4*workers {
		return srcs
	}
	var out []Source
	for _, s := range srcs {
		f, ok := s.(File)
		if !ok {
			out = append(out, s)
			continue
		}
		parts := splitFile(string(f), workers)
		if len(parts) < 2 {
			out = append(out, s)
			continue
		}
		out = append(out, parts...)
	}
	return out
}

func splitFile(path string, workers int) []Source {
	fh, err := os.Open(path)
	if err != nil {
		return nil // read as one source, which reports the error
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < splitMin {
		return nil
	}
	head := make([]byte, 2)
	if _, err := fh.ReadAt(head, 0); err != nil || head[0] == 0x1f && head[1] == 0x8b {
		return nil // gzip is one stream
	}
	size := st.Size()
	step := max(size/int64(4*workers), partMin)
	left := &atomic.Int32{}
	var parts []Source
	for start := int64(0); start < size; {
		end := size
		if start+step < size {
			b, ok := boundary(fh, start+step, size)
			if !ok {
				break // no line boundary ahead: the rest is one part
			}
			end = b
		}
		parts = append(parts, part{path: path, start: start, end: end, first: start == 0, left: left})
		start = end
	}
	if len(parts) > 0 {
		if last := parts[len(parts)-1].(part); last.end != size {
			last.end = size
			parts[len(parts)-1] = last
		}
	}
	left.Store(int32(len(parts)))
	return parts
}

// boundary returns the offset just past the first "}\n{" (or "}\r\n{") at or after from: the
// start of a line that begins a record right after a line that ended one.
func boundary(f *os.File, from, size int64) (int64, bool) {
	buf := make([]byte, 64<<10)
	for at := from; at < size; {
		n, err := f.ReadAt(buf, at)
		if n == 0 {
			return 0, false
		}
		b := buf[:n]
		for i := 0; ; {
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				break
			}
			nl := i + j
			if nl+1 >= len(b) {
				break // look again from here with more bytes
			}
			if nl == 0 { // the line before is in the previous read, which looked already
				i = 1
				continue
			}
			prev := nl - 1
			if b[prev] == '\r' && prev > 0 {
				prev--
			}
			if b[prev] == '}' && b[nl+1] == '{' {
				return at + int64(nl+1), true
			}
			i = nl + 1
		}
		if err != nil { // io.EOF: no boundary before the end
			return 0, false
		}
		at += int64(max(n-8, 1)) // overlap so a boundary across two reads is seen
	}
	return 0, false
}
