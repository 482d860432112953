package trail

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/pgzip"

	"github.com/accountguard/accountguard/internal/inflate"
	"github.com/accountguard/accountguard/internal/trail/event"
	"github.com/accountguard/accountguard/internal/trail/jsonx"
	"github.com/accountguard/accountguard/internal/ui"
)

// DefaultMaxRecord bounds one record's size. CloudTrail's own records stay far below it
// (AWS truncates large request parameters), so a bigger one is broken input, and the bound
// keeps a reader's memory flat whatever it is fed.
const DefaultMaxRecord = 16 << 20

// ReadOptions tune Read. The zero value reads everything on all cores.
type ReadOptions struct {
	Window
	Workers   int          // 0 means GOMAXPROCS
	MaxRecord int          // 0 means DefaultMaxRecord
	Progress  *ui.Progress // advanced by one per source; may be nil
}

// Handler receives each record. Calls for one worker are sequential, calls for different
// workers concurrent; the Event is valid only during the call.
type Handler func(worker int, e *event.Event)

// Stats count what Read saw.
type Stats struct {
	Sources int64 // inputs opened
	Records int64 // records offered to the handler (after the window)
	Skipped int64 // records outside the window
	Bytes   int64 // uncompressed bytes read
}

// InputError is a failure of one input; the others were still read.
type InputError struct {
	Name string
	Err  error
}

func (e *InputError) Error() string { return e.Name + ": " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Workers is the number of workers Read uses for opt.
func (o ReadOptions) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// NumWorkers is how many concurrent handler callers Read will use for o.
func (o ReadOptions) NumWorkers() int { return o.workers() }

// Read streams every record of srcs to h, reading sources concurrently. Each failing input
// yields one InputError (records read from it before the failure were delivered); the
// rest are still read. It returns early only when ctx is cancelled.
func Read(ctx context.Context, srcs []Source, opt ReadOptions, h Handler) (Stats, []error) {
	var (
		st   Stats
		mu   sync.Mutex
		errs []error
		next atomic.Int64
		wg   sync.WaitGroup
	)
	srcs = splitLarge(srcs, opt.workers())
	n := min(opt.workers(), max(1, len(srcs)))
	// Fewer inputs than cores (one large .gz export): each inflates in a goroutine of its
	// own, ahead of the framing, so both run at once.
	readAhead := len(srcs) < opt.workers()
	for w := range n {
		wg.Go(func() {
			r := newFileReader(w, opt, h)
			r.readAhead = readAhead
			for {
				i := int(next.Add(1) - 1)
				if i >= len(srcs) || ctx.Err() != nil {
					break
				}
				err := r.read(ctx, srcs[i])
				if p, ok := srcs[i].(part); !ok || p.left.Add(-1) == 0 {
					opt.Progress.Add(1) // a file read in parts counts once, when done
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, &InputError{Name: srcs[i].Name(), Err: err})
					mu.Unlock()
				}
			}
			atomic.AddInt64(&st.Sources, r.st.Sources)
			atomic.AddInt64(&st.Records, r.st.Records)
			atomic.AddInt64(&st.Skipped, r.st.Skipped)
			atomic.AddInt64(&st.Bytes, r.st.Bytes)
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	return st, errs
}

// fileReader is one worker's reusable state.
type fileReader struct {
	worker int
	opt    ReadOptions
	h      Handler
	br     *bufio.Reader
	gz     *gzip.Reader
	win    window
	ev     event.Event
	inner  []byte // LookupEvents: the decoded CloudTrailEvent string
	st     Stats
	n      int64 // records in the current source, for error messages
	// emptyOK: the source may hold no record (an API answer), so empty is not an error
	emptyOK bool
	// readAhead: inflate gzip in a goroutine of its own (pgzip), ahead of the framing
	readAhead bool
	// a gzip file read whole (zin) and inflated whole (zout): see wholeMax
	inf       inflate.Decoder
	zin, zout []byte
}

func newFileReader(worker int, opt ReadOptions, h Handler) *fileReader {
	max := opt.MaxRecord
	if max <= 0 {
		max = DefaultMaxRecord
	}
	return &fileReader{
		worker: worker, opt: opt, h: h,
		br:  bufio.NewReaderSize(nil, 64<<10),
		win: window{buf: make([]byte, min(256<<10, max)), max: max},
	}
}

func (r *fileReader) read(ctx context.Context, src Source) error {
	rc, err := src.Open(ctx)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer rc.Close()
	if p, ok := src.(part); !ok || p.first {
		r.st.Sources++
	}
	r.br.Reset(rc)
	var in io.Reader = r.br
	gzipped := false
	if magic, _ := r.br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gzipped = true
		if r.readAhead && sourceSize(src) >= readAheadMin {
			pz, err := pgzip.NewReaderN(r.br, 1<<20, 4)
			if err != nil {
				return fmt.Errorf("gzip: %w", err)
			}
			defer pz.Close()
			in = pz
		} else if whole, rest := r.slurp(rc, src); whole && r.inflateWhole() {
			in = nil // the window reads r.zout
		} else {
			// too large to hold whole, or not inflated exactly: streamed, which also says
			// what is wrong with a damaged file and still reads the records before the damage
			zsrc := r.br
			switch {
			case whole:
				r.br.Reset(bytes.NewReader(r.zin))
			case len(r.zin) > 0: // read in part, its size unknown beforehand
				zsrc = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(r.zin), rest), 64<<10)
			}
			if r.gz == nil {
				r.gz, err = gzip.NewReader(zsrc)
			} else {
				err = r.gz.Reset(zsrc)
			}
			if err != nil {
				return fmt.Errorf("gzip: %w", err)
			}
			in = r.gz
		}
	}
	if in == nil {
		r.win.resetMem(r.zout)
	} else {
		r.win.reset(in)
	}
	start := int64(0)
	if p, ok := src.(part); ok {
		start = p.offset() // byte positions in errors are the file's
		r.win.off = start
	}
	r.n = 0
	_, r.emptyOK = src.(interface{ AllowEmpty() })
	err = r.parse(ctx)
	r.st.Bytes += r.win.off + int64(r.win.end) - start
	if err != nil {
		if r.win.rerr != nil && !errors.Is(err, errTooBig) {
			return describeReadErr(r.win.rerr, gzipped)
		}
		return err
	}
	return nil
}

// readAheadMin is the compressed size from which a gzip input is inflated ahead in a
// goroutine of its own: below it, the goroutine and its 4 MiB of buffers cost more than
// they save. A variable for tests.
var readAheadMin int64 = 4 << 20

// sourceSize is src's size in bytes when it is known without reading it, or -1.
func sourceSize(src Source) int64 {
	switch s := src.(type) {
	case File:
		if st, err := os.Stat(string(s)); err == nil {
			return st.Size()
		}
	case S3Object:
		return s.Size
	}
	return -1
}

// A gzip input of at most wholeMax bytes that inflates to at most wholeOutMax is read
// whole and inflated whole by package inflate, about 1.6 times as fast as klauspost's
// streaming reader (CloudTrail writes files of well under a megabyte); larger ones are
// streamed, so memory stays bounded. Variables for tests.
var (
	wholeMax    = 4 << 20
	wholeOutMax = 32 << 20
)

// slurp reads the rest of r.br into r.zin when it holds at most wholeMax bytes (whole);
// otherwise r.zin holds what was read and rest the remainder. rc and src tell the size
// when they can, so that a larger input is not read in vain.
func (r *fileReader) slurp(rc io.Reader, src Source) (whole bool, rest io.Reader) {
	r.zin = r.zin[:0]
	size := int64(-1)
	if f, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
	} else if o, ok := src.(S3Object); ok && o.Size > 0 {
		size = o.Size
	}
	if size > int64(wholeMax) {
		return false, r.br
	}
	for {
		if len(r.zin) == cap(r.zin) {
			r.zin = slices.Grow(r.zin, max(64<<10, len(r.zin)))
		}
		n, err := r.br.Read(r.zin[len(r.zin):cap(r.zin)])
		r.zin = r.zin[:len(r.zin)+n]
		if err != nil {
			// a read error: streamed from here, where the reader meets it again
			return errors.Is(err, io.EOF), errReader{err}
		}
		if len(r.zin) > wholeMax {
			return false, r.br
		}
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// inflateWhole inflates r.zin into r.zout and reports whether it did so exactly.
func (r *fileReader) inflateWhole() bool {
	if n := len(r.zin); n >= 4 && int(binary.LittleEndian.Uint32(r.zin[n-4:])) > wholeOutMax {
		return false // its stated size (modulo 4 GiB) is too large to hold
	}
	if cap(r.zout) > 8<<20 {
		r.zout = nil // a large file earlier: do not keep its buffer for all the small ones
	}
	out, err := r.inf.Gunzip(r.zout, r.zin, wholeOutMax)
	r.zout = out
	return err == nil
}

func describeReadErr(err error, gz bool) error {
	if gz && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) ||
		errors.Is(err, pgzip.ErrChecksum) || errors.Is(err, pgzip.ErrHeader)) {
		return fmt.Errorf("truncated or corrupt gzip: %w", err)
	}
	return fmt.Errorf("read: %w", err)
}

var errTooBig = errors.New("record too large")

// parse walks the top level of a source: a {"Records":[…]} or {"Events":[…]} object, an
// array of records, or a sequence of records (JSON lines), after a byte order mark if any.
func (r *fileReader) parse(ctx context.Context) error {
	w := &r.win
	if err := r.start(); err != nil {
		return err
	}
	values := 0
	for {
		c, err := w.peekNonSpace()
		if err == io.EOF {
			switch {
			case values > 0 || r.emptyOK:
				return nil
			case w.off+int64(w.end) == 0:
				return errors.New("empty file")
			}
			return errors.New("empty file: only whitespace")
		}
		if err != nil {
			return err
		}
		values++
		switch c {
		case '[':
			w.pos++
			if err := r.items(ctx, ']'); err != nil {
				return err
			}
		case '{':
			key, err := w.firstKey()
			if err != nil {
				return err
			}
			if isWrapperKey(key) {
				if err := r.wrapper(ctx); err != nil {
					return err
				}
				continue
			}
			if err := r.item(); err != nil {
				return err
			}
		default:
			return r.syntax(w.pos, fmt.Sprintf("not CloudTrail JSON: unexpected %q", c))
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// wrapper reads {"Records": [ … ] (, other keys)* }.
func (r *fileReader) wrapper(ctx context.Context) error {
	w := &r.win
	w.pos++ // {
	for {
		c, err := w.peekNonSpace()
		if err != nil {
			return r.eofErr(err)
		}
		if c == '}' {
			w.pos++
			return nil
		}
		if c == ',' {
			w.pos++
			continue
		}
		if c != '"' {
			return r.syntax(w.pos, "expected a key")
		}
		key, err := w.firstKeyAt()
		if err != nil {
			return err
		}
		// pos is now after the colon
		c, err = w.peekNonSpace()
		if err != nil {
			return r.eofErr(err)
		}
		if (key == "Records" || key == "Events") && c == '[' {
			w.pos++
			if err := r.items(ctx, ']'); err != nil {
				return err
			}
			continue
		}
		if err := w.skipValue(); err != nil {
			return r.wrapErr(err)
		}
	}
}

// items reads array elements up to close.
func (r *fileReader) items(ctx context.Context, close byte) error {
	w := &r.win
	for {
		c, err := w.peekNonSpace()
		if err != nil {
			return r.eofErr(err)
		}
		switch c {
		case close:
			w.pos++
			return nil
		case ',':
			w.pos++
			continue
		}
		if err := r.item(); err != nil {
			return err
		}
		if r.n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
}

// item reads one record at the window's position and hands it on.
func (r *fileReader) item() error {
	w := &r.win
	for {
		end, err := r.ev.IndexWith(w.buf[:w.end], w.pos, &w.st)
		if err == nil {
			at := w.off + int64(w.pos)
			w.pos = end
			r.n++
			return r.deliver(at)
		}
		if !errors.Is(err, jsonx.ErrShort) {
			return r.wrapErr(err)
		}
		if err := w.more(); err != nil {
			return r.eofErr(err)
		}
	}
}

func (r *fileReader) deliver(at int64) error {
	ev := &r.ev
	if ev.Has(event.CloudTrailEvent) {
		if _, err := ev.Unwrap(&r.inner); err != nil {
			return fmt.Errorf("record %d (byte %d): CloudTrailEvent: %v", r.n, at, err)
		}
	}
	if !ev.IsRecord() {
		return fmt.Errorf("record %d (byte %d): not a CloudTrail record (no eventTime and eventName); expected {\"Records\":[…]}, JSON lines or LookupEvents output", r.n, at)
	}
	if !r.opt.keepTime(ev.Str(event.EventTime)) || (len(r.opt.Regions) > 0 && !r.opt.keepRegion(string(ev.Str(event.AWSRegion)))) {
		r.st.Skipped++
		return nil
	}
	r.st.Records++
	r.h(r.worker, ev)
	return nil
}

func (r *fileReader) syntax(pos int, msg string) error {
	return fmt.Errorf("byte %d: %s", r.win.off+int64(pos), msg)
}

func (r *fileReader) wrapErr(err error) error {
	if se, ok := errors.AsType[*jsonx.SyntaxError](err); ok {
		return fmt.Errorf("record %d: invalid JSON at byte %d: %s", r.n+1, r.win.off+int64(se.Off), se.Msg)
	}
	return r.eofErr(err)
}

func (r *fileReader) eofErr(err error) error {
	switch {
	case errors.Is(err, errTooBig):
		return fmt.Errorf("record %d at byte %d is larger than %d MiB: not CloudTrail; stopped reading this input", r.n+1, r.win.off+int64(r.win.pos), r.win.max>>20)
	case r.win.rerr != nil:
		return r.win.rerr
	case errors.Is(err, io.EOF) || errors.Is(err, jsonx.ErrShort):
		return fmt.Errorf("unexpected end of input after %d records (truncated file?)", r.n)
	}
	return err
}

// window is a sliding buffer over a stream: it holds the unread part of the current record
// and grows only while one record does not fit, up to max.
type window struct {
	r        io.Reader
	buf      []byte
	pos, end int
	off      int64 // stream offset of buf[0]
	max      int
	eof      bool
	rerr     error           // a read error other than EOF
	st       jsonx.Structure // of buf[:end]
	// mem: the whole input is in memory, in buf; more only moves end forward (and buf's
	// start, as a shift would). own keeps the streaming buffer meanwhile.
	mem bool
	own []byte
}

// memStep is how far more moves end over an input in memory: the structural index is
// built a piece at a time, and dropped behind the framing, so it stays the size of a step
// (16 KiB steps measured no faster).
const memStep = 64 << 10

// resetMem starts the window over data, held whole in memory.
func (w *window) resetMem(data []byte) {
	if !w.mem {
		w.own = w.buf
	}
	w.r, w.pos, w.end, w.off, w.eof, w.rerr, w.mem = nil, 0, 0, 0, false, nil, true
	w.buf = data
	w.st.Reset()
}

func (w *window) reset(r io.Reader) {
	if w.mem {
		w.buf, w.own, w.mem = w.own, nil, false
	}
	w.r, w.pos, w.end, w.off, w.eof, w.rerr = r, 0, 0, 0, false, nil
	if cap(w.buf) > 4<<20 { // a huge record earlier: do not keep its buffer
		w.buf = make([]byte, min(256<<10, w.max))
		w.st = jsonx.Structure{}
	}
	w.st.Reset()
}

// more reads further input, keeping buf[pos:end]. It returns io.EOF when the stream is done.
func (w *window) more() error {
	if w.eof {
		if w.rerr != nil {
			return w.rerr
		}
		return io.EOF
	}
	if w.mem {
		return w.moreMem()
	}
	// Shift by whole 64-byte blocks so that the structural index shifts with the bytes.
	if k := w.pos &^ 63; k > 0 {
		n := copy(w.buf, w.buf[k:w.end])
		w.off += int64(k)
		w.pos, w.end = w.pos-k, n
		w.st.Shift(k)
	}
	if w.end == len(w.buf) {
		if len(w.buf) >= w.max {
			return errTooBig
		}
		nb := make([]byte, min(2*len(w.buf), w.max))
		copy(nb, w.buf[:w.end])
		w.buf = nb
	}
	n, err := io.ReadAtLeast(w.r, w.buf[w.end:], 1)
	w.end += n
	w.st.Update(w.buf[:w.end])
	if err != nil {
		w.eof = true
		if !errors.Is(err, io.EOF) {
			w.rerr = err
		}
		if n == 0 {
			if w.rerr != nil {
				return w.rerr
			}
			return io.EOF
		}
	}
	return nil
}

// moreMem is more over an input in memory: the bytes before pos are dropped by moving
// buf's start, not by copying, and end moves forward by memStep.
func (w *window) moreMem() error {
	if w.end == len(w.buf) {
		w.eof = true
		return io.EOF
	}
	if w.end-w.pos >= w.max {
		return errTooBig
	}
	if k := w.pos &^ 63; k > 0 {
		w.buf = w.buf[k:]
		w.off += int64(k)
		w.pos, w.end = w.pos-k, w.end-k
		w.st.Shift(k)
	}
	w.end = min(len(w.buf), w.end+memStep)
	w.st.Update(w.buf[:w.end])
	return nil
}

func (w *window) peekNonSpace() (byte, error) {
	for {
		w.pos = jsonx.SkipSpace(w.buf[:w.end], w.pos)
		if w.pos < w.end {
			return w.buf[w.pos], nil
		}
		if err := w.more(); err != nil {
			return 0, err
		}
	}
}

// firstKey returns the first key of the object at pos without consuming anything, or ""
// when the object is empty or its first key is very long.
func (w *window) firstKey() (string, error) {
	for {
		b := w.buf[:w.end]
		i := jsonx.SkipSpace(b, w.pos+1)
		if i < len(b) {
			if b[i] != '"' {
				return "", nil
			}
			e, err := jsonx.SkipString(b, i)
			if err == nil {
				s, _ := jsonx.Unquote(b[i:e], nil)
				return string(s), nil
			}
			if w.end-i > 4096 {
				return "", nil
			}
		}
		if err := w.more(); err != nil {
			if errors.Is(err, io.EOF) {
				return "", fmt.Errorf("unexpected end of input in the first object")
			}
			return "", err
		}
	}
}

// firstKeyAt consumes a key at pos and the colon after it.
func (w *window) firstKeyAt() (string, error) {
	for {
		b := w.buf[:w.end]
		e, err := jsonx.SkipString(b, w.pos)
		if err == nil {
			i := jsonx.SkipSpace(b, e)
			if i < len(b) {
				if b[i] != ':' {
					return "", fmt.Errorf("byte %d: expected colon", w.off+int64(i))
				}
				s, _ := jsonx.Unquote(b[w.pos:e], nil)
				w.pos = i + 1
				return string(s), nil
			}
		}
		if err := w.more(); err != nil {
			return "", err
		}
	}
}

// skipValue consumes the value at pos, which must fit in the window.
func (w *window) skipValue() error {
	for {
		w.pos = jsonx.SkipSpace(w.buf[:w.end], w.pos)
		e, err := jsonx.SkipValue(w.buf[:w.end], w.pos)
		if err == nil {
			w.pos = e
			return nil
		}
		if !errors.Is(err, jsonx.ErrShort) {
			return err
		}
		if err := w.more(); err != nil {
			return err
		}
	}
}
