package secrets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/accountguard/accountguard/internal/secrets/detect"
	"github.com/accountguard/accountguard/internal/ui"
)

// AllowMarker on the line of a match marks it as accepted (a test fixture, a revoked key).
const AllowMarker = "accountguard:allow"

// DefaultMaxSize is the largest file or blob scanned by default; larger ones are skipped
// and counted. Content is scanned in chunks, so the limit bounds time, not memory.
const DefaultMaxSize = 100 << 20

// Options tune a scan. The zero value scans with every detector, DefaultMaxSize and
// respects .gitignore.
type Options struct {
	Engine   *detect.Engine // nil: every registered detector
	NoIgnore bool           // directory scans: do not honour .gitignore
	MaxSize  int64          // 0: DefaultMaxSize; < 0: no limit
	Workers  int            // 0: one per CPU
	Progress *ui.Progress   // bytes done; may be nil
	// ReadAllBlobs makes git history scans read every blob whole through git instead of
	// reading packs' new bytes first; slower, and the reference the fast path is tested
	// against.
	ReadAllBlobs bool
}

func (o *Options) engine() *detect.Engine {
	if o.Engine == nil {
		o.Engine = detect.NewEngine(nil)
	}
	return o.Engine
}

func (o *Options) maxSize() int64 {
	if o.MaxSize == 0 {
		return DefaultMaxSize
	}
	return o.MaxSize
}

// Location says where a match was found.
type Location struct {
	Kind   string    `json:"kind"` // "file", "stdin", "staged", "git"
	Repo   string    `json:"repo,omitempty"`
	Path   string    `json:"path"`
	Line   int       `json:"line"`
	Commit string    `json:"commit,omitempty"`
	Author string    `json:"author,omitempty"`
	Email  string    `json:"email,omitempty"`
	Date   time.Time `json:"date,omitzero"`
	Blob   string    `json:"blob,omitempty"`
}

// Hit is a match and where it is.
type Hit struct {
	detect.Match
	Loc     Location
	Allowed bool // the line carries AllowMarker
}

// Stats count what a scan read and skipped.
type Stats struct {
	Files         int64    // files or blobs scanned
	Bytes         int64    // bytes scanned
	SkippedBinary int64    // files or blobs skipped as binary
	SkippedLarge  int64    // files or blobs skipped for exceeding MaxSize
	Missing       []string // git objects referenced but absent or unreadable (names)
	Unreadable    []string // git objects present but corrupt
}

func (s *Stats) add(o Stats) {
	s.Files += o.Files
	s.Bytes += o.Bytes
	s.SkippedBinary += o.SkippedBinary
	s.SkippedLarge += o.SkippedLarge
	s.Missing = append(s.Missing, o.Missing...)
	s.Unreadable = append(s.Unreadable, o.Unreadable...)
}

// Result of scanning one input.
type Result struct {
	Hits  []Hit
	Stats Stats
}

// InputError is bad input named by the user (missing path, not a repository, corrupt
// pack): the scan of that input failed or is incomplete; other inputs are unaffected.
type InputError struct {
	Input string
	Err   error
}

func (e *InputError) Error() string { return fmt.Sprintf("%s: %v", e.Input, e.Err) }
func (e *InputError) Unwrap() error { return e.Err }

// IsInputError reports whether err is (or wraps) an InputError.
func IsInputError(err error) bool {
	_, ok := errors.AsType[*InputError](err)
	return ok
}

const (
	chunkSize = 8 << 20
	// overlap is carried from one chunk into the next, so a secret (or a private key
	// block) across a chunk edge is seen whole.
	overlap = 64 << 10
	// sniffLen is how much git itself looks at to call content binary.
	sniffLen = 8000
)

// isBinary applies git's rule: a NUL byte in the first 8000 bytes.
func isBinary(head []byte) bool {
	return bytes.IndexByte(head[:min(len(head), sniffLen)], 0) >= 0
}

// scanBytes finds matches in data (one whole file or blob), with lines and allow markers.
func scanBytes(e *detect.Engine, data []byte, lineBase int, loc Location, out []Hit) []Hit {
	ms := e.Scan(data)
	line, pos := lineBase, 0
	for _, m := range ms {
		line += bytes.Count(data[pos:m.Start], []byte{'\n'})
		pos = m.Start
		ls := bytes.LastIndexByte(data[:m.Start], '\n') + 1
		le := bytes.IndexByte(data[m.End:], '\n')
		if le < 0 {
			le = len(data)
		} else {
			le += m.End
		}
		l := loc
		l.Line = line
		out = append(out, Hit{Match: m, Loc: l, Allowed: bytes.Contains(data[ls:le], []byte(AllowMarker))})
	}
	return out
}

// scanStream scans r in chunks: memory stays bounded by chunkSize whatever the content's
// size. buf is reused between calls when large enough.
func scanStream(e *detect.Engine, r io.Reader, loc Location, buf []byte, progress *ui.Progress) ([]Hit, int64, []byte, error) {
	if cap(buf) < chunkSize+overlap {
		buf = make([]byte, 0, chunkSize+overlap)
	}
	buf = buf[:0]
	var (
		hits  []Hit
		total int64
		lines = 1
		base  int64 // offset of buf[0] in the stream
	)
	for {
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		total += int64(n)
		progress.Add(int64(n))
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return hits, total, buf, err
		}
		limit := len(buf) // matches starting before limit belong to this chunk
		if !eof {
			limit = len(buf) - overlap
		}
		for _, h := range scanBytes(e, buf, lines, loc, nil) {
			if h.Start < limit {
				h.Start += int(base)
				h.End += int(base)
				hits = append(hits, h)
			}
		}
		if eof {
			return hits, total, buf, nil
		}
		lines += bytes.Count(buf[:limit], []byte{'\n'})
		base += int64(limit)
		copy(buf, buf[limit:])
		buf = buf[:overlap]
	}
}
