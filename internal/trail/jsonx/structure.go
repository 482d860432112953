package jsonx

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// Structure is a bitmap index of a buffer's JSON structure, as simdjson's first stage
// builds it: for each 64-byte block, which bytes are unescaped quotes, backslashes, and
// brackets outside strings. Skipping a string is then a search for the next set bit, and
// skipping a nested value a walk over its brackets alone, instead of a look at every byte.
// On amd64 the bytes are classified 64 at a time with AVX2 (classify_amd64.s: Go has no
// portable SIMD, and this loop is most of the cost); elsewhere a byte at a time in plain Go,
// which gives the same bitmaps more slowly.
//
// The index follows a buffer that is appended to and shifted (a reader's sliding window):
// Update extends it over new bytes, Shift follows the buffer's front moving by a multiple
// of 64. Positions are the buffer's.
type Structure struct {
	blocks []rawBlock
	full   int    // bytes indexed for good: a multiple of 64
	cover  int    // bytes indexed, including a partial last block (padded with zeros)
	esc    uint64 // 1 when the byte at full is escaped by a backslash before it
	inStr  uint64 // all ones when the byte at full is inside a string
}

// rawBlock is one 64-byte block's bitmaps; bit i is the block's byte i.
type rawBlock struct {
	quote uint64 // '"', not escaped
	bs    uint64 // '\\'
	open  uint64 // '{' or '[' outside strings
	close uint64 // '}' or ']' outside strings
}

// Reset forgets everything indexed: the buffer starts again at a new stream.
func (s *Structure) Reset() {
	s.full, s.cover, s.esc, s.inStr = 0, 0, 0, 0
}

// Update indexes buf[s.full:]; buf[:s.full] must be what it was when last indexed. The
// state at the start of the buffer is outside any string.
func (s *Structure) Update(buf []byte) {
	n := len(buf)
	nblocks := (n + 63) / 64
	if cap(s.blocks) < nblocks {
		nb := make([]rawBlock, nblocks, max(nblocks, 2*cap(s.blocks)))
		copy(nb, s.blocks[:s.full/64])
		s.blocks = nb
	}
	s.blocks = s.blocks[:nblocks]
	from, to := s.full/64, n/64
	s.esc, s.inStr = stage1(buf[from*64:to*64], s.blocks[from:to], s.esc, s.inStr)
	s.full = to * 64
	s.cover = s.full
	if n > s.full {
		// The partial last block is indexed from a zero-padded copy and with a copy of the
		// carried state: it is indexed again, whole, once the rest of it arrives.
		var pad [64]byte
		copy(pad[:], buf[s.full:])
		stage1(pad[:], s.blocks[to:to+1], s.esc, s.inStr)
		s.cover = n
	}
}

// Shift follows the buffer's bytes moving k (a multiple of 64) towards its front.
func (s *Structure) Shift(k int) {
	if k == 0 {
		return
	}
	if k%64 != 0 || k > s.full {
		panic("jsonx: Structure.Shift by a misaligned or unindexed amount") // a caller bug, not input
	}
	n := copy(s.blocks, s.blocks[k/64:])
	s.blocks = s.blocks[:n]
	s.full -= k
	s.cover -= k
}

const evenBits = 0x5555555555555555

// refine turns raw bitmaps into structural ones, in place: quotes escaped by an odd run of
// backslashes are dropped, and brackets inside strings. esc and inStr carry the state from
// block to block; the state after the last block is returned. (The branch-free escape
// arithmetic is simdjson's.)
func refine(blocks []rawBlock, esc, inStr uint64) (uint64, uint64) {
	for i := range blocks {
		b := &blocks[i]
		bs := b.bs &^ esc
		follows := bs<<1 | esc
		oddStarts := bs &^ evenBits &^ follows
		seq, carry := bits.Add64(oddStarts, bs, 0)
		escaped := (evenBits ^ seq<<1) & follows
		esc = carry
		q := b.quote &^ escaped
		// prefix XOR: bit i is the parity of the quotes at or below i, so a string's
		// opening quote and content are set and its closing quote is not
		in := q ^ q<<1
		in ^= in << 2
		in ^= in << 4
		in ^= in << 8
		in ^= in << 16
		in ^= in << 32
		in ^= inStr
		inStr = uint64(int64(in) >> 63)
		b.quote = q
		b.open &^= in
		b.close &^= in
	}
	return esc, inStr
}

// HasBackslash reports whether any byte in [from, to) is a backslash.
func (s *Structure) HasBackslash(from, to int) bool {
	for from < to {
		w := from >> 6
		m := s.blocks[w].bs >> (from & 63)
		if left := to - from; left < 64 {
			m &= 1<<left - 1
		}
		if m != 0 {
			return true
		}
		from = (w + 1) << 6
	}
	return false
}

// IsOpen reports whether the byte at pos is a bracket opening a value outside strings.
func (s *Structure) IsOpen(pos int) bool {
	return pos < s.cover && s.blocks[pos>>6].open>>(pos&63)&1 != 0
}

// MatchClose returns the position of the bracket closing the one opened at pos (IsOpen),
// or -1 when it is not in the indexed bytes.
func (s *Structure) MatchClose(pos int) int {
	w := pos >> 6
	if w >= len(s.blocks) {
		return -1
	}
	open := s.blocks[w].open >> (pos & 63) << (pos & 63)
	cls := s.blocks[w].close >> (pos & 63) << (pos & 63)
	depth := 0
	for {
		// No close in this block can bring depth to zero when there are fewer closes
		// than the depth, or none: count them all at once (most blocks of a nested value).
		if nc := bits.OnesCount64(cls); nc < depth || nc == 0 {
			depth += bits.OnesCount64(open) - nc
		} else {
			for all := open | cls; all != 0; all &= all - 1 {
				bit := all & -all
				if open&bit != 0 {
					depth++
				} else if depth--; depth == 0 {
					return w<<6 + bits.TrailingZeros64(bit)
				}
			}
		}
		w++
		if w >= len(s.blocks) || w<<6 >= s.cover {
			return -1
		}
		open, cls = s.blocks[w].open, s.blocks[w].close
	}
}

// stage1Generic is stage1 in plain Go, a byte at a time, for CPUs without AVX2.
func stage1Generic(src []byte, dst []rawBlock, esc, inStr uint64) (uint64, uint64) {
	for i := range dst {
		blk := src[i*64 : i*64+64]
		var r rawBlock
		for j := 0; j < 64; j++ {
			switch c := blk[j]; c {
			case '"':
				r.quote |= 1 << j
			case '\\':
				r.bs |= 1 << j
			case '{', '[':
				r.open |= 1 << j
			case '}', ']':
				r.close |= 1 << j
			}
		}
		dst[i] = r
	}
	return refine(dst, esc, inStr)
}

// Member is one key and value of an object, as offsets into the buffer: the key without
// its quotes, the value whole.
type Member struct {
	KeyStart, KeyEnd int32
	ValStart, ValEnd int32
	Plain            bool // the value is a string holding no backslash
}

// ErrInconsistent means the bitmaps disagree with the text at a position (malformed text
// before it threw the string parity off): the caller scans the bytes instead.
var ErrInconsistent = errors.New("structural index inconsistent with the text")

// quoteIter yields the buffer's unescaped quotes in order.
type quoteIter struct {
	blocks []rawBlock
	w      int
	m      uint64
}

func (it *quoteIter) seek(pos int) {
	it.w = pos >> 6
	if it.w < len(it.blocks) {
		it.m = it.blocks[it.w].quote >> (pos & 63) << (pos & 63)
	} else {
		it.m = 0
	}
}

func (it *quoteIter) next() int {
	for it.m == 0 {
		it.w++
		if it.w >= len(it.blocks) {
			return -1
		}
		it.m = it.blocks[it.w].quote
	}
	q := it.w<<6 | bits.TrailingZeros64(it.m)
	it.m &= it.m - 1
	return q
}

// Members appends the members of the object at b[i] to out and returns the index just past
// the object; b is the indexed buffer (or a prefix of it). Errors are those of a byte scan:
// ErrShort when b ends inside the object, a SyntaxError for malformed text, and
// ErrInconsistent when the bitmaps cannot be trusted here. Strings are found by popping
// quotes in order and nested values by their brackets, so the bytes between are never read.
func (s *Structure) Members(b []byte, i int, out []Member) ([]Member, int, error) {
	n := len(b)
	if i >= n {
		return out, i, ErrShort
	}
	if b[i] != '{' {
		return out, i, syntaxErr(i, "not an object")
	}
	i = SkipSpace(b, i+1)
	if i < n && b[i] == '}' {
		return out, i + 1, nil
	}
	it := quoteIter{blocks: s.blocks}
	it.seek(i)
	// A quote of the index is a quote of the text (the index was built from it), so where
	// the next quote is where a key or string must start, the byte need not be read; where
	// it is not, the text is malformed or the index out of step, and the caller's byte scan
	// says which.
	for {
		if i >= n {
			return out, i, ErrShort
		}
		if it.next() != i {
			return out, i, ErrInconsistent
		}
		kc := it.next()
		if uint(kc) >= uint(n) {
			return out, n, ErrShort
		}
		j := kc + 1
		if j >= n || b[j] != ':' {
			if j = SkipSpace(b, j); j >= n {
				return out, j, ErrShort
			}
			if b[j] != ':' {
				return out, j, syntaxErr(j, "expected colon")
			}
		}
		if j++; j < n && space[b[j]] {
			j = SkipSpace(b, j)
		}
		if j >= n {
			return out, j, ErrShort
		}
		var (
			ve    int
			plain bool
		)
		switch b[j] {
		case '"':
			if it.next() != j {
				return out, j, ErrInconsistent
			}
			vc := it.next()
			if uint(vc) >= uint(n) {
				return out, n, ErrShort
			}
			ve = vc + 1
			if w := (j + 1) >> 6; w == vc>>6 {
				plain = s.blocks[w].bs>>((j+1)&63)&(1<<(vc-j-1)-1) == 0
			} else {
				plain = !s.HasBackslash(j+1, vc)
			}
		case '{', '[':
			if !s.IsOpen(j) {
				return out, j, ErrInconsistent
			}
			c := s.MatchClose(j)
			if uint(c) >= uint(n) {
				return out, n, ErrShort
			}
			ve = c + 1
			it.seek(ve)
		default:
			// true, false and null followed by a delimiter are most literals of a record
			if ve = literalEnd(b, j); ve < 0 {
				var err error
				if ve, err = SkipValue(b, j); err != nil {
					return out, ve, err
				}
			}
			it.seek(ve)
		}
		// Filled in place: a Member literal is built on the stack in pieces and then read
		// whole, which stalls store forwarding (measured: half of this function's time).
		out = append(out, Member{})
		m := &out[len(out)-1]
		m.KeyStart, m.KeyEnd, m.ValStart, m.ValEnd, m.Plain = int32(i+1), int32(kc), int32(j), int32(ve), plain
		if i = ve; i >= n {
			return out, i, ErrShort
		}
		c := b[i]
		if c != ',' && c != '}' {
			if i = SkipSpace(b, i); i >= n {
				return out, i, ErrShort
			}
			if c = b[i]; c != ',' && c != '}' {
				return out, i, syntaxErr(i, "expected comma")
			}
		}
		if c == '}' {
			return out, i + 1, nil
		}
		if i++; i < n && space[b[i]] {
			i = SkipSpace(b, i)
		}
	}
}

// literalEnd returns the index past true, false or null at b[j] when a delimiter follows
// it, or -1 (anything else, or b ends: SkipValue then decides).
func literalEnd(b []byte, j int) int {
	if j+5 >= len(b) {
		return -1
	}
	w := binary.LittleEndian.Uint32(b[j:])
	end := j + 4
	switch w {
	case 't' | 'r'<<8 | 'u'<<16 | 'e'<<24, 'n' | 'u'<<8 | 'l'<<16 | 'l'<<24:
	case 'f' | 'a'<<8 | 'l'<<16 | 's'<<24:
		if b[end] != 'e' {
			return -1
		}
		end++
	default:
		return -1
	}
	switch b[end] {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return end
	}
	return -1
}

// Words returns a short key's first and last eight bytes as little-endian words
// (overlapping when it is shorter than 16 bytes, zero-padded at the end and at the start when
// shorter than 8): with its length, they identify a key of up to 16 bytes, so tables of
// known keys hash and compare words instead of strings.
func Words(k []byte) (first, last uint64) {
	if n := len(k); n >= 8 {
		return binary.LittleEndian.Uint64(k), binary.LittleEndian.Uint64(k[n-8:])
	}
	for i, c := range k {
		first |= uint64(c) << (8 * i)
	}
	return first, first << (8 * (8 - len(k)))
}
