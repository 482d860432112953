package gitpack

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/klauspost/compress/zlib"
)

// Object types, as numbered in a pack.
const (
	Commit   = 1
	Tree     = 2
	Blob     = 3
	Tag      = 4
	OfsDelta = 6
	RefDelta = 7
)

// Index is a pack's .idx (version 2): object names and their offsets in the pack.
type Index struct {
	HashLen int
	names   []byte  // HashLen bytes per object, sorted
	offsets []int64 // same order as names
}

// Len is the number of objects.
func (ix *Index) Len() int { return len(ix.offsets) }

// Name is object i's name in hex.
func (ix *Index) Name(i int) string {
	return hex.EncodeToString(ix.names[i*ix.HashLen : (i+1)*ix.HashLen])
}

// Offset is object i's offset in the pack.
func (ix *Index) Offset(i int) int64 { return ix.offsets[i] }

// Contains reports whether the pack holds the object with the given binary name.
func (ix *Index) Contains(name []byte) bool {
	n := ix.Len()
	i := sort.Search(n, func(i int) bool {
		return bytes.Compare(ix.names[i*ix.HashLen:(i+1)*ix.HashLen], name) >= 0
	})
	return i < n && bytes.Equal(ix.names[i*ix.HashLen:(i+1)*ix.HashLen], name)
}

// ReadIndex reads an index of version 2 with hashLen-byte names (20 for SHA-1, 32 for SHA-256).
func ReadIndex(path string, hashLen int) (*Index, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 8+256*4 || !bytes.Equal(b[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(b[4:]) != 2 {
		return nil, fmt.Errorf("%s: not a version 2 pack index", path)
	}
	n := int(binary.BigEndian.Uint32(b[8+255*4:]))
	namesAt := 8 + 256*4
	crcAt := namesAt + n*hashLen
	offAt := crcAt + n*4
	largeAt := offAt + n*4
	if len(b) < largeAt+2*hashLen {
		return nil, fmt.Errorf("%s: truncated pack index", path)
	}
	ix := &Index{HashLen: hashLen, names: b[namesAt:crcAt], offsets: make([]int64, n)}
	for i := range n {
		o := binary.BigEndian.Uint32(b[offAt+i*4:])
		if o&0x80000000 == 0 {
			ix.offsets[i] = int64(o)
			continue
		}
		at := largeAt + int(o&0x7fffffff)*8
		if at+8 > len(b) {
			return nil, fmt.Errorf("%s: bad large offset", path)
		}
		ix.offsets[i] = int64(binary.BigEndian.Uint64(b[at:]))
	}
	return ix, nil
}

// Object is one pack entry as Walk hands it out. Its slices are valid only during the
// callback.
type Object struct {
	Index   int    // position in the Index: Index.Name(o.Index) is its name
	Type    int    // Commit, Tree, Blob, Tag, or OfsDelta/RefDelta for deltas (of unknown final type)
	Size    int64  // inflated size of the content, or of the delta data
	Content []byte // undeltified objects: the whole content (nil when larger than MaxContent)
	Head    []byte // undeltified objects larger than MaxContent: their first HeadLen bytes
	Inserts [][]byte
	// InsertAtStart/InsertAtEnd say, per insert, whether copied bytes sit just before/after
	// it: a token can straddle those edges.
	CopyBefore, CopyAfter []bool
	Err                   error // the entry could not be read (corrupt data)
}

// Options for Walk.
type Options struct {
	Workers int
	// MaxContent: undeltified objects larger than this are handed out without Content
	// (the caller reads them some other way); bounds memory.
	MaxContent int64
	// HeadLen: of objects over MaxContent, this many first bytes are inflated (to tell
	// binary content without inflating it all).
	HeadLen int
	// SkipTypes: undeltified objects of these types are not inflated at all.
	SkipTypes map[int]bool
}

// Walk hands every object of the pack at packPath to fn, from opts.Workers goroutines,
// each over a contiguous range of the pack. fn(worker, o) must be safe for concurrent use.
func Walk(ctx context.Context, packPath string, ix *Index, opts Options, fn func(worker int, o *Object)) error {
	f, err := os.Open(packPath)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	var hdr [12]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil || !bytes.Equal(hdr[:4], []byte("PACK")) {
		return fmt.Errorf("%s: not a pack file", packPath)
	}
	n := ix.Len()
	if int(binary.BigEndian.Uint32(hdr[8:])) != n {
		return fmt.Errorf("%s: pack holds %d objects, its index %d", packPath, binary.BigEndian.Uint32(hdr[8:]), n)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return ix.offsets[order[a]] < ix.offsets[order[b]] })
	end := fi.Size() - int64(ix.HashLen) // the pack's trailing checksum
	workers := max(1, opts.Workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Go(func() {
			r := &walker{f: f, opts: opts}
			for k := lo; k < hi && ctx.Err() == nil; k++ {
				i := order[k]
				start := ix.offsets[i]
				stop := end
				if k+1 < n {
					stop = ix.offsets[order[k+1]]
				}
				o := r.read(start, stop, ix.HashLen)
				o.Index = i
				fn(w, o)
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

type walker struct {
	f     *os.File
	opts  Options
	win   []byte // a window of the pack file
	winAt int64
	zr    io.ReadCloser
	out   []byte
	obj   Object
	ins   []byte // consecutive insert opcodes (127 bytes each at most) merged
	insAt []int  // start of each merged insert in ins
}

const (
	window   = 8 << 20
	maxEntry = 1 << 30
)

// span returns the pack bytes [start, stop), reading a large window at a time.
func (r *walker) span(start, stop int64) ([]byte, error) {
	if start >= r.winAt && stop <= r.winAt+int64(len(r.win)) {
		return r.win[start-r.winAt : stop-r.winAt], nil
	}
	size := max(stop-start, window)
	if int64(cap(r.win)) < size {
		r.win = make([]byte, size)
	}
	r.win = r.win[:size]
	n, err := r.f.ReadAt(r.win, start)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	r.win, r.winAt = r.win[:n], start
	if int64(n) < stop-start {
		return nil, io.ErrUnexpectedEOF
	}
	return r.win[:stop-start], nil
}

func (r *walker) read(start, stop int64, hashLen int) *Object {
	o := &r.obj
	*o = Object{Inserts: o.Inserts[:0], CopyBefore: o.CopyBefore[:0], CopyAfter: o.CopyAfter[:0]}
	b, err := r.span(start, stop)
	if err != nil {
		o.Err = err
		return o
	}
	// Entry header: type in bits 6-4 of the first byte, size in 4 + 7*k bits.
	if len(b) == 0 {
		o.Err = errors.New("empty entry")
		return o
	}
	c := b[0]
	o.Type = int(c>>4) & 7
	size := int64(c & 15)
	shift, p := 4, 1
	for c&0x80 != 0 {
		if p >= len(b) || shift > 56 {
			o.Err = errors.New("bad entry header")
			return o
		}
		c = b[p]
		p++
		size |= int64(c&0x7f) << shift
		shift += 7
	}
	o.Size = size
	switch o.Type {
	case OfsDelta:
		for p < len(b) && b[p]&0x80 != 0 {
			p++
		}
		p++
	case RefDelta:
		p += hashLen
	case Commit, Tree, Blob, Tag:
		if r.opts.SkipTypes[o.Type] {
			return o
		}
		if r.opts.MaxContent > 0 && size > r.opts.MaxContent {
			if r.opts.HeadLen > 0 && p <= len(b) {
				o.Head, o.Err = r.inflate(b[p:], int64(r.opts.HeadLen))
			}
			return o
		}
	default:
		o.Err = fmt.Errorf("unknown object type %d", o.Type)
		return o
	}
	if p > len(b) {
		o.Err = errors.New("truncated entry")
		return o
	}
	// A damaged header can claim any size: never allocate more than deflate could produce
	// from this entry's bytes (its ratio is at most 1032:1) or maxEntry.
	if size > maxEntry || size > int64(len(b)-p)*1032+64 {
		o.Err = fmt.Errorf("entry claims %d bytes from %d compressed", size, len(b)-p)
		return o
	}
	data, err := r.inflate(b[p:], size)
	if err != nil {
		o.Err = err
		return o
	}
	if o.Type == OfsDelta || o.Type == RefDelta {
		o.Err = r.parseDelta(data)
		return o
	}
	o.Content = data
	return o
}

func (r *walker) inflate(comp []byte, size int64) ([]byte, error) {
	br := bytes.NewReader(comp)
	if r.zr == nil {
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("inflate: %w", err)
		}
		r.zr = zr
	} else if err := r.zr.(zlib.Resetter).Reset(br, nil); err != nil {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	if int64(cap(r.out)) < size {
		r.out = make([]byte, size)
	}
	out := r.out[:size]
	if _, err := io.ReadFull(r.zr, out); err != nil {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	return out, nil
}

// parseDelta collects a delta's inserts: after the source and target sizes, an opcode
// with the high bit set copies (offset and size bytes flagged by its low 7 bits); 1-127
// inserts that many literal bytes; 0 is reserved. Consecutive inserts are merged, since
// git splits long literals into 127-byte opcodes and a token may cross their edges.
func (r *walker) parseDelta(d []byte) error {
	p := 0
	for range 2 { // source size, target size
		for p < len(d) && d[p]&0x80 != 0 {
			p++
		}
		p++
	}
	o := &r.obj
	r.ins, r.insAt = r.ins[:0], r.insAt[:0]
	lastCopy, inInsert := false, false
	for p < len(d) {
		c := d[p]
		p++
		switch {
		case c&0x80 != 0:
			for bit := range 7 {
				if c&(1<<bit) != 0 {
					p++
				}
			}
			if p > len(d) {
				return errors.New("truncated delta copy")
			}
			if inInsert {
				o.CopyAfter[len(o.CopyAfter)-1] = true
			}
			lastCopy, inInsert = true, false
		case c != 0:
			if p+int(c) > len(d) {
				return errors.New("truncated delta insert")
			}
			if !inInsert {
				r.insAt = append(r.insAt, len(r.ins))
				o.CopyBefore = append(o.CopyBefore, lastCopy)
				o.CopyAfter = append(o.CopyAfter, false)
			}
			r.ins = append(r.ins, d[p:p+int(c)]...)
			lastCopy, inInsert = false, true
			p += int(c)
		default:
			return errors.New("reserved delta opcode 0")
		}
	}
	for i, at := range r.insAt {
		end := len(r.ins)
		if i+1 < len(r.insAt) {
			end = r.insAt[i+1]
		}
		o.Inserts = append(o.Inserts, r.ins[at:end])
	}
	return nil
}
