// Package inflate decompresses whole gzip files held in memory, about 1.6 times as fast as
// klauspost/compress's streaming reader on CloudTrail files (BenchmarkGunzip and
// BenchmarkKlauspost, INFLATE_BENCH_DIR=a bench/trail.sh folder).
//
// Decompression was half of what a CloudTrail hunt cost: every record arrives gzipped,
// and the framing, rules and detectors together cost about as much as inflating it. The
// pure-Go decoders (compress/flate, klauspost/compress) decode through a 32 KiB window,
// one code at a time, then copy the window out, because they stream. CloudTrail delivers
// files of well under a megabyte, so a file can be read whole and inflated straight into
// its final buffer, libdeflate's way: one table lookup per code for almost every code
// (11-bit tables), the input read 8 bytes at a time, matches copied 8 bytes at a time.
// libdeflate itself is C, and the binary stays cgo-free, so this is written here.
//
// Correctness does not rest on this code alone: every member's CRC-32 and length are
// checked, and Gunzip returns an error for anything it does not decode exactly; callers
// then read the file with a streaming decoder, which says what is wrong with it. Fuzz
// tests compare it with compress/gzip.
package inflate

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/bits"
	"sync"
)

// Errors. Callers normally fall back to a streaming reader on any of them, for its message.
var (
	ErrHeader   = errors.New("inflate: invalid gzip header")
	ErrCorrupt  = errors.New("inflate: corrupt deflate data")
	ErrShort    = errors.New("inflate: unexpected end of data")
	ErrChecksum = errors.New("inflate: checksum or length mismatch")
	ErrTooLarge = errors.New("inflate: output larger than the limit")
)

// Table entries (both tables): bits 0-3 are the code's length in bits, or the main table's
// bits for a link to a subtable; bits 4-7 the count of extra bits that follow the code (or
// a subtable's bits); bits 8-11 flags; bits 16-31 the value: a literal byte, a length or
// distance base, or a subtable's start.
const (
	fLiteral = 1 << 8
	fEnd     = 1 << 9
	fSub     = 1 << 10
	fInvalid = 1 << 11

	litBits  = 11 // main table of the literal/length code
	distBits = 8
	preBits  = 7 // the code-length code has codes of at most 7 bits: no subtables

	// slack is how far the fast loop may write past a match's end (8-byte copies) and how
	// long a match may be: the output always has this much room before a symbol.
	slack = 258 + 16
)

var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	// the order in which code-length code lengths are sent
	preOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// symbol templates: an entry without its code length
var litSyms, distSyms, preSyms = func() (l [288]uint32, d [32]uint32, p [19]uint32) {
	for s := range 256 {
		l[s] = fLiteral | uint32(s)<<16
	}
	l[256] = fEnd
	for s := 257; s < 286; s++ {
		l[s] = uint32(lengthExtra[s-257])<<4 | uint32(lengthBase[s-257])<<16
	}
	l[286], l[287] = fInvalid, fInvalid
	for s := range 30 {
		d[s] = uint32(distExtra[s])<<4 | uint32(distBase[s])<<16
	}
	d[30], d[31] = fInvalid, fInvalid
	for s := range 19 {
		p[s] = uint32(s) << 16
	}
	return
}()

var fixed struct {
	once sync.Once
	lit  [litSize]uint32
	dist [distSize]uint32
}

func fixedTables() (*[litSize]uint32, *[distSize]uint32) {
	fixed.once.Do(func() {
		var lens [288]uint8
		for i := range lens {
			switch {
			case i < 144:
				lens[i] = 8
			case i < 256:
				lens[i] = 9
			case i < 280:
				lens[i] = 7
			default:
				lens[i] = 8
			}
		}
		if err := build(fixed.lit[:], lens[:], litBits, litSyms[:]); err != nil {
			panic(err) // the fixed code is complete
		}
		var dl [32]uint8
		for i := range dl {
			dl[i] = 5
		}
		if err := build(fixed.dist[:], dl[:], distBits, distSyms[:]); err != nil {
			panic(err)
		}
	})
	return &fixed.lit, &fixed.dist
}

// build makes the decoding table of a canonical Huffman code given its code lengths, in
// dst: a main table of 1<<tableBits entries, then subtables. As compress/flate, it accepts
// complete codes, a single code of length 1 and no code at all (the last two leave
// entries that decode as invalid).
func build(dst []uint32, lens []uint8, tableBits uint, syms []uint32) error {
	var count [16]uint32
	maxLen := uint8(0)
	for _, l := range lens {
		count[l&15]++
		maxLen = max(maxLen, l)
	}
	if maxLen > 15 {
		return ErrCorrupt
	}
	count[0] = 0
	var next [16]uint32
	code, used := uint32(0), uint32(0)
	for l := 1; l <= 15; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
		if l <= int(maxLen) {
			used = used<<1 + count[l] // all 2^maxLen bit sequences must be used, exactly
		}
	}
	single := used == 1 && maxLen == 1
	if maxLen > 0 && used != 1<<maxLen && !single {
		return ErrCorrupt
	}
	// Symbols by code length, then by value: the order of canonical codes.
	var first [17]uint16 // where each length's symbols start in sorted
	for l := 1; l <= 15; l++ {
		first[l+1] = first[l] + uint16(count[l])
	}
	var sorted [288]uint16
	at := first
	for s, l := range lens {
		if l > 0 {
			sorted[at[l]] = uint16(s)
			at[l]++
		}
	}
	// Codes of up to tableBits bits, shortest first, each stored once at its bit-reversed
	// place in a table that doubles, by copying itself, as the length grows: a code of l
	// bits then fills every entry whose low l bits are it.
	size := uint32(1) << tableBits
	tab := dst[:size]
	tab[0], tab[1] = fInvalid, fInvalid // stays so where no code reaches (incomplete codes)
	cur := uint32(2)
	for l := uint32(1); l <= min(uint32(maxLen), uint32(tableBits)); l++ {
		if l > 1 {
			copy(tab[cur:2*cur], tab[:cur])
			cur *= 2
		}
		for _, s := range sorted[first[l]:first[l+1]] {
			tab[bits.Reverse32(next[l])>>(32-l)] = syms[s] | l
			next[l]++
		}
	}
	for ; cur < size; cur *= 2 {
		copy(tab[cur:2*cur], tab[:cur])
	}
	if maxLen <= uint8(tableBits) {
		return nil
	}
	// Each main slot holding a prefix of longer codes links to a subtable sized for the
	// longest of them.
	long := sorted[first[tableBits+1]:first[16]]
	var subMax [1 << litBits]uint8
	var slots [1 << litBits]uint16
	nslots := 0
	c := next
	for _, s := range long {
		l := lens[s]
		slot := bits.Reverse32(c[l]) >> (32 - l) & (size - 1)
		c[l]++
		if subMax[slot] == 0 {
			slots[nslots] = uint16(slot)
			nslots++
		}
		subMax[slot] = max(subMax[slot], l)
	}
	end := size
	for _, slot := range slots[:nslots] {
		sb := uint32(subMax[slot]) - uint32(tableBits)
		if end+1<<sb > uint32(len(dst)) {
			return ErrCorrupt // cannot happen for a complete code: the array is large enough
		}
		tab[slot] = fSub | uint32(tableBits) | sb<<4 | end<<16
		end += 1 << sb
	}
	for _, s := range long {
		l := lens[s]
		rev := bits.Reverse32(next[l]) >> (32 - l)
		next[l]++
		link := tab[rev&(size-1)]
		start, sb := link>>16, link>>4&15
		rest := uint32(l) - uint32(tableBits)
		sub := dst[start : start+1<<sb]
		e, stride := syms[s]|rest, uint32(1)<<rest
		for i := rev >> tableBits; i < uint32(len(sub)); i += stride {
			sub[i] = e
		}
	}
	return nil
}

// Table sizes: a main table and room for the largest subtables a complete code can need
// (zlib's "enough": 2342 for literals and lengths at 11 bits, 402 for distances at 8),
// rounded up to a power of two so that a masked index needs no bounds check.
const (
	litSize  = 4096
	distSize = 512
)

// Decoder holds the tables one goroutine reuses from file to file.
type Decoder struct {
	lit  [litSize]uint32
	dist [distSize]uint32
	pre  [1 << preBits]uint32
	lens [286 + 30]uint8
}

// state is the bit reader: in is read 8 bytes at a time while at least 8 remain, then a
// byte at a time; bits past the end read as zeros and are counted in over.
type state struct {
	in   []byte
	p    int
	b    uint64
	nb   uint
	over int
}

func (s *state) refill() {
	if s.p+8 <= len(s.in) {
		s.b |= binary.LittleEndian.Uint64(s.in[s.p:]) << s.nb
		s.p += int((63 - s.nb) >> 3)
		s.nb |= 56
		return
	}
	for s.nb <= 56 {
		if s.p < len(s.in) {
			s.b |= uint64(s.in[s.p]) << s.nb
		} else {
			s.over++
		}
		s.p++
		s.nb += 8
	}
}

func (s *state) bits(n uint) uint32 {
	if s.nb < n {
		s.refill()
	}
	v := uint32(s.b & (1<<n - 1))
	s.b >>= n
	s.nb -= n
	return v
}

// overread reports whether more bits were used than the input holds.
func (s *state) overread() bool { return s.over > 0 && int(s.nb)/8 < s.over }

// Gunzip appends the decompressed content of the gzip file src (one member or more) to
// dst[:0] and returns it. limit bounds the output (ErrTooLarge past it).
func (d *Decoder) Gunzip(dst, src []byte, limit int) ([]byte, error) {
	out := dst[:0]
	p := 0
	for {
		start := len(out)
		q, err := header(src, p)
		if err != nil {
			return out, err
		}
		if p == 0 && len(src)-q >= 8 {
			// the last member's ISIZE, its size mod 2^32: for one member (CloudTrail's
			// files), the size of the buffer to make
			if hint := int(binary.LittleEndian.Uint32(src[len(src)-4:])); hint <= limit && cap(out) < hint+slack {
				out = make([]byte, 0, hint+slack)
			}
		}
		var end int
		out, end, err = d.inflate(out, src, q, limit)
		if err != nil {
			return out, err
		}
		if len(src)-end < 8 {
			return out, ErrShort
		}
		sum := binary.LittleEndian.Uint32(src[end:])
		size := binary.LittleEndian.Uint32(src[end+4:])
		if crc32.ChecksumIEEE(out[start:]) != sum || uint32(len(out)-start) != size {
			return out, ErrChecksum
		}
		p = end + 8
		if p == len(src) {
			return out, nil
		}
	}
}

// header returns the position of the deflate data of the gzip member at src[p:].
func header(src []byte, p int) (int, error) {
	if len(src)-p < 10 {
		return 0, ErrHeader
	}
	h := src[p:]
	if h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 { // reserved flags are ignored, as compress/gzip does
		return 0, ErrHeader
	}
	flg := h[3]
	q := p + 10
	if flg&4 != 0 { // FEXTRA
		if len(src)-q < 2 {
			return 0, ErrHeader
		}
		q += 2 + int(binary.LittleEndian.Uint16(src[q:]))
	}
	for _, f := range []byte{8, 16} { // FNAME, FCOMMENT: zero-terminated
		if flg&f == 0 {
			continue
		}
		for q < len(src) && src[q] != 0 {
			q++
		}
		q++
	}
	if flg&2 != 0 { // FHCRC: the low half of the header's CRC-32
		if q+2 > len(src) || uint16(crc32.ChecksumIEEE(src[p:q])) != binary.LittleEndian.Uint16(src[q:]) {
			return 0, ErrHeader
		}
		q += 2
	}
	if q > len(src) {
		return 0, ErrHeader
	}
	return q, nil
}

// inflate appends the raw deflate stream at src[p:] to out and returns the position just
// past it (after its last byte, whole).
func (d *Decoder) inflate(out []byte, src []byte, p, limit int) ([]byte, int, error) {
	s := state{in: src, p: p}
	base := len(out)
	for {
		final := s.bits(1)
		switch s.bits(2) {
		case 0:
			// stored: from the next byte boundary, LEN, NLEN, the bytes
			s.b >>= s.nb & 7
			s.nb &^= 7
			pos := s.p - int(s.nb/8)
			if s.overread() || pos < 0 || len(src)-pos < 4 {
				return out, 0, ErrShort
			}
			n := int(binary.LittleEndian.Uint16(src[pos:]))
			if uint16(n) != ^binary.LittleEndian.Uint16(src[pos+2:]) {
				return out, 0, ErrCorrupt
			}
			pos += 4
			if len(src)-pos < n {
				return out, 0, ErrShort
			}
			if len(out)+n > limit {
				return out, 0, ErrTooLarge
			}
			out = append(out, src[pos:pos+n]...)
			s = state{in: src, p: pos + n}
		case 1:
			lit, dist := fixedTables()
			var err error
			if out, err = d.codes(&s, out, base, limit, lit, dist); err != nil {
				return out, 0, err
			}
		case 2:
			if err := d.dynamic(&s); err != nil {
				return out, 0, err
			}
			var err error
			if out, err = d.codes(&s, out, base, limit, &d.lit, &d.dist); err != nil {
				return out, 0, err
			}
		default:
			return out, 0, ErrCorrupt
		}
		if s.overread() {
			return out, 0, ErrShort
		}
		if final == 1 {
			// the rest of the last byte is padding
			return out, s.p - int(s.nb/8), nil
		}
	}
}

// dynamic reads a dynamic block's code descriptions into d.lit and d.dist.

func (d *Decoder) dynamic(s *state) error {
	nlit := int(s.bits(5)) + 257
	ndist := int(s.bits(5)) + 1
	npre := int(s.bits(4)) + 4
	if nlit > 286 || ndist > 30 {
		return ErrCorrupt
	}
	var pl [19]uint8
	for i := range npre {
		pl[preOrder[i]] = uint8(s.bits(3))
	}
	if err := build(d.pre[:], pl[:], preBits, preSyms[:]); err != nil {
		return err
	}
	lens := d.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		if s.nb < 16 {
			s.refill()
		}
		e := d.pre[s.b&(1<<preBits-1)]
		if e&fInvalid != 0 {
			return ErrCorrupt
		}
		n := uint(e & 15)
		s.b >>= n
		s.nb -= n
		sym := e >> 16
		if sym < 16 {
			lens[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var v uint8
		switch sym {
		case 16:
			if i == 0 {
				return ErrCorrupt
			}
			rep, v = 3+int(s.bits(2)), lens[i-1]
		case 17:
			rep = 3 + int(s.bits(3))
		default:
			rep = 11 + int(s.bits(7))
		}
		if i+rep > len(lens) {
			return ErrCorrupt
		}
		for range rep {
			lens[i] = v
			i++
		}
	}
	if s.overread() {
		return ErrShort
	}
	if lens[256] == 0 {
		return ErrCorrupt // no end-of-block code
	}
	if err := build(d.lit[:], lens[:nlit], litBits, litSyms[:]); err != nil {
		return err
	}
	return build(d.dist[:], lens[nlit:], distBits, distSyms[:])
}

// codes decodes one block's codes up to its end-of-block code. base is where the member's
// output starts: no distance may reach before it.
//
// The next code's table entry is looked up before a match is copied, so that the lookup's
// latency hides behind the copy (libdeflate's order).
func (d *Decoder) codes(s *state, out []byte, base, limit int, lit *[litSize]uint32, dist *[distSize]uint32) ([]byte, error) {
	in := s.in
	p, b, nb := s.p, s.b, s.nb
	o := len(out)
	out = out[:cap(out)]
	var e uint32
	// lookup false: e is already the entry of the code at b. A refill only adds bits above
	// nb, so it leaves that entry valid.
	for lookup := true; ; {
		// at least 56 bits: a length and distance with their extra bits take at most 48
		if p+8 <= len(in) {
			b |= binary.LittleEndian.Uint64(in[p:]) << nb
			p += int((63 - nb) >> 3)
			nb |= 56
		} else {
			s.p, s.b, s.nb = p, b, nb
			s.refill()
			p, b, nb = s.p, s.b, s.nb
			if s.over > 16 {
				return out[:o], ErrShort
			}
		}
		if lookup {
			e = lit[b&(1<<litBits-1)]
		}
		lookup = true
		if len(out)-o < slack {
			if o+slack > limit+slack {
				return out[:o], ErrTooLarge
			}
			out = append(out[:o], make([]byte, max(o, 1<<16))...)
			out = out[:cap(out)]
		}
		if e&fSub != 0 {
			b >>= litBits
			nb -= litBits
			e = lit[(e>>16+uint32(b)&(1<<(e>>4&15)-1))&(litSize-1)]
		}
		n := uint(e & 15)
		b >>= n
		nb -= n
		if e&fLiteral != 0 {
			out[o] = byte(e >> 16)
			o++
			// A run of literals, while the bits left hold a main-table code (at most 11
			// bits; a longer one goes round the main loop) and the slack has room.
			for end := len(out) - slack; nb >= litBits && o < end; {
				e = lit[b&(1<<litBits-1)]
				if e&fLiteral == 0 {
					lookup = false
					break
				}
				n = uint(e & 15)
				b >>= n
				nb -= n
				out[o] = byte(e >> 16)
				o++
			}
			continue
		}
		if e&(fEnd|fInvalid) != 0 {
			s.p, s.b, s.nb = p, b, nb
			if e&fInvalid != 0 {
				return out[:o], ErrCorrupt
			}
			return out[:o], nil
		}
		x := uint(e >> 4 & 15)
		length := int(e>>16) + int(b&(1<<x-1))
		b >>= x
		nb -= x
		e = dist[b&(1<<distBits-1)]
		if e&fSub != 0 {
			b >>= distBits
			nb -= distBits
			e = dist[(e>>16+uint32(b)&(1<<(e>>4&15)-1))&(distSize-1)]
		}
		if e&fInvalid != 0 {
			return out[:o], ErrCorrupt
		}
		n = uint(e & 15)
		b >>= n
		nb -= n
		x = uint(e >> 4 & 15)
		off := int(e>>16) + int(b&(1<<x-1))
		b >>= x
		nb -= x
		if off > o-base {
			return out[:o], ErrCorrupt
		}
		// look up the next code now, before the copy, when the bits are there
		if nb >= litBits {
			e = lit[b&(1<<litBits-1)]
			lookup = false
		}
		from := o - off
		switch {
		case off >= 8 && (length <= 64 || off < length):
			// 8 bytes at a time: a word read never reaches bytes not yet written. The
			// first 40 unconditionally (most matches are shorter, and the slack has
			// room), so that the loop's exit is rarely mispredicted.
			dst, src := out[o:o+40], out[from:from+40]
			binary.LittleEndian.PutUint64(dst[0:], binary.LittleEndian.Uint64(src[0:]))
			binary.LittleEndian.PutUint64(dst[8:], binary.LittleEndian.Uint64(src[8:]))
			binary.LittleEndian.PutUint64(dst[16:], binary.LittleEndian.Uint64(src[16:]))
			binary.LittleEndian.PutUint64(dst[24:], binary.LittleEndian.Uint64(src[24:]))
			binary.LittleEndian.PutUint64(dst[32:], binary.LittleEndian.Uint64(src[32:]))
			for i := 40; i < length; i += 8 {
				binary.LittleEndian.PutUint64(out[o+i:], binary.LittleEndian.Uint64(out[from+i:]))
			}
		case off >= length:
			copy(out[o:o+length], out[from:from+length])
		case off == 1:
			c := out[from]
			for i := range length {
				out[o+i] = c
			}
		default:
			for i := range length {
				out[o+i] = out[from+i]
			}
		}
		o += length
	}
}
