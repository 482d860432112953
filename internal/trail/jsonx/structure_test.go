package jsonx

import (
	"math/rand/v2"
	"testing"
)

// reference computes the bitmaps a byte at a time, the obvious way.
func reference(buf []byte) []rawBlock {
	out := make([]rawBlock, (len(buf)+63)/64)
	esc, in := false, false
	for i, c := range buf {
		b, bit := &out[i/64], uint64(1)<<(i%64)
		escaped := esc
		esc = false
		switch c {
		case '\\':
			b.bs |= bit
			esc = !escaped
		case '"':
			if !escaped {
				b.quote |= bit
				in = !in
			}
		case '{', '[':
			if !in {
				b.open |= bit
			}
		case '}', ']':
			if !in {
				b.close |= bit
			}
		}
	}
	return out
}

func randomJSONish(r *rand.Rand, n int) []byte {
	alphabet := []byte(`"\{}[]:,ab ` + "\x00\xff")
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return b
}

func TestStructureMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 2000 {
		buf := randomJSONish(r, r.IntN(700))
		want := reference(buf)
		// indexed in one go, and in random pieces with shifts, as a reader does
		var s Structure
		s.Update(buf)
		compare(t, iter, "whole", s.blocks, want, len(buf))

		var p Structure
		lo, hi := 0, 0 // p indexes buf[lo:hi]
		for hi < len(buf) {
			hi = min(len(buf), hi+1+r.IntN(150))
			p.Update(buf[lo:hi])
			if r.IntN(3) == 0 {
				k := (r.IntN(hi-lo+1) / 64) * 64
				if k > p.full {
					k = p.full
				}
				p.Shift(k)
				lo += k
			}
		}
		compare(t, iter, "pieces", p.blocks, want[lo/64:], len(buf)-lo)
	}
}

func compare(t *testing.T, iter int, how string, got, want []rawBlock, n int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("iter %d %s: %d blocks, want %d", iter, how, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("iter %d %s (%d bytes): block %d = %+v, want %+v", iter, how, n, i, got[i], want[i])
		}
	}
}

func TestStage1GenericMatchesAVX2(t *testing.T) {
	if !haveAVX2 {
		t.Skip("no AVX2 here: stage1 is stage1Generic")
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		buf := make([]byte, 64*(1+r.IntN(20)))
		for i := range buf {
			buf[i] = byte(r.IntN(256))
		}
		a := make([]rawBlock, len(buf)/64)
		b := make([]rawBlock, len(buf)/64)
		e0, s0 := uint64(r.IntN(2)), -uint64(r.IntN(2))
		e1, s1 := stage1(buf, a, e0, s0)
		e2, s2 := stage1Generic(buf, b, e0, s0)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("block %d: stage1 %+v, generic %+v", i, a[i], b[i])
			}
		}
		if e1 != e2 || s1 != s2 {
			t.Fatalf("carries: stage1 %x %x, generic %x %x", e1, s1, e2, s2)
		}
	}
}

func TestStructureWalk(t *testing.T) {
	buf := []byte(`{"a":"x\"y","b":{"c":["}",{"d":"\\"}]},"e":[]}  {"f"`)
	var s Structure
	s.Update(buf)
	if got, want := s.MatchClose(0), 45; got != want {
		t.Errorf("MatchClose(0) = %d, want %d", got, want)
	}
	if got := s.MatchClose(16); buf[got] != '}' || got != 37 {
		t.Errorf("MatchClose(16) = %d", got)
	}
	it := quoteIter{blocks: s.blocks}
	it.seek(6)
	if got := it.next(); got != 10 {
		t.Errorf("the quote after 6 is at %d, want 10 (the escaped quote skipped)", got)
	}
	if !s.HasBackslash(5, 11) || s.HasBackslash(11, 30) {
		t.Error("HasBackslash wrong")
	}
	if got := s.MatchClose(48); got != -1 {
		t.Errorf("MatchClose of an unclosed object = %d, want -1", got)
	}
}

func TestLiteralEnd(t *testing.T) {
	for in, want := range map[string]int{
		`true,x`: 4, `false}x`: 5, `null]xx`: 4, `true x`: 4, `truex,`: -1, `fals,xx`: -1, `nul,xxx`: -1,
		`true`: -1, `12,xxxx`: -1, `"true",`: -1, `falsey,`: -1,
	} {
		if got := literalEnd([]byte(in), 0); got != want {
			t.Errorf("literalEnd(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestMatchCloseMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for range 3000 {
		buf := randomJSONish(r, 1+r.IntN(600))
		var s Structure
		s.Update(buf)
		ref := reference(buf)
		bit := func(m []rawBlock, f func(rawBlock) uint64, i int) bool { return f(m[i/64])>>(i%64)&1 != 0 }
		opens := func(b rawBlock) uint64 { return b.open }
		closes := func(b rawBlock) uint64 { return b.close }
		for i := range buf {
			if !bit(ref, opens, i) {
				continue
			}
			want, depth := -1, 0
			for j := i; j < len(buf); j++ {
				if bit(ref, opens, j) {
					depth++
				} else if bit(ref, closes, j) {
					if depth--; depth == 0 {
						want = j
						break
					}
				}
			}
			if got := s.MatchClose(i); got != want {
				t.Fatalf("MatchClose(%d) = %d, want %d in %q", i, got, want, buf)
			}
		}
	}
}
