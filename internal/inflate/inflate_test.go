package inflate

import (
	"bufio"
	"bytes"
	"compress/flate"
	stdgzip "compress/gzip"
	"errors"
	kgzip "github.com/klauspost/compress/gzip"
	"io"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// gz compresses data with compress/gzip at level.
func gz(t testing.TB, data []byte, level int, header stdgzip.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := stdgzip.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	w.Header = header
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

// reference is compress/gzip's reading of src, or its error.
func reference(src []byte) ([]byte, error) {
	r, err := stdgzip.NewReader(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// samples are inputs with the shapes deflate encoders produce: text with long repeats,
// random bytes (stored blocks), runs of one byte (distance 1), short periods (distance < 8).
func samples() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 200_000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	var text bytes.Buffer
	words := []string{`{"eventVersion":"1.08",`, `"userIdentity":{"type":"IAMUser"`, `"eventName":"RunInstances"`, "\n", `"awsRegion":"us-east-1"`, `},`}
	for text.Len() < 1_500_000 {
		text.WriteString(words[rng.IntN(len(words))])
		if rng.IntN(4) == 0 {
			text.WriteString(string(rune('a' + rng.IntN(26))))
		}
	}
	periodic := bytes.Repeat([]byte("abcdefg"), 30000)
	return map[string][]byte{
		"empty":    {},
		"one":      {'x'},
		"random":   random,
		"text":     text.Bytes(),
		"run":      bytes.Repeat([]byte{'z'}, 100_000),
		"periodic": periodic,
		"mixed":    append(append(append([]byte{}, text.Bytes()[:300_000]...), random[:50_000]...), periodic...),
	}
}

func TestGunzipMatchesCompressGzip(t *testing.T) {
	var d Decoder
	for name, data := range samples() {
		for _, level := range []int{stdgzip.NoCompression, stdgzip.BestSpeed, 5, stdgzip.BestCompression, stdgzip.HuffmanOnly} {
			src := gz(t, data, level, stdgzip.Header{Name: "a.json", Comment: "c", Extra: []byte("xy")})
			got, err := d.Gunzip(nil, src, 1<<30)
			if err != nil {
				t.Fatalf("%s level %d: %v", name, level, err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("%s level %d: output differs (%d bytes, want %d)", name, level, len(got), len(data))
			}
		}
	}
}

func TestGunzipMultiMember(t *testing.T) {
	a, b := []byte("first member "), bytes.Repeat([]byte("second "), 1000)
	src := append(gz(t, a, 6, stdgzip.Header{}), gz(t, b, 6, stdgzip.Header{})...)
	var d Decoder
	got, err := d.Gunzip(nil, src, 1<<20)
	if err != nil || string(got) != string(a)+string(b) {
		t.Fatalf("got %d bytes, %v", len(got), err)
	}
}

// Every damaged file is refused, never decoded into something else: truncation at every
// length, a flipped bit anywhere, garbage after the member.
func TestGunzipRefusesDamage(t *testing.T) {
	data := samples()["text"][:100_000]
	src := gz(t, data, 6, stdgzip.Header{})
	var d Decoder
	for n := 0; n < len(src); n += 1 + n/50 {
		if _, err := d.Gunzip(nil, src[:n], 1<<30); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(src))
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		bad := bytes.Clone(src)
		i := rng.IntN(len(bad))
		bad[i] ^= 1 << rng.IntN(8)
		got, err := d.Gunzip(nil, bad, 1<<30)
		want, rerr := reference(bad)
		if err == nil && (rerr != nil || !bytes.Equal(got, want)) {
			t.Fatalf("bit flipped at %d: decoded without error where compress/gzip says %v", i, rerr)
		}
	}
	if _, err := d.Gunzip(nil, append(bytes.Clone(src), "junk"...), 1<<30); !errors.Is(err, ErrHeader) {
		t.Fatalf("trailing garbage: %v", err)
	}
}

func TestGunzipLimit(t *testing.T) {
	src := gz(t, bytes.Repeat([]byte("a"), 1<<20), 9, stdgzip.Header{})
	var d Decoder
	if _, err := d.Gunzip(nil, src, 1<<16); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
}

// Deflate streams compress/gzip does not write: fixed-code blocks, a one-code distance
// tree, an empty distance tree. Built by hand, bit by bit.
func TestGunzipHandMadeBlocks(t *testing.T) {
	// "abc" in a fixed-code block followed by a stored empty final block
	var w bitWriter
	w.bits(0, 1) // not final
	w.bits(1, 2) // fixed
	for _, c := range []byte("abc") {
		w.rev(uint32(0x30+int(c)), 8) // literals 0-143: 8 bits from 0x30
	}
	w.rev(0, 7) // end of block: 7 zero bits
	w.bits(1, 1)
	w.bits(0, 2) // stored
	w.align()
	w.raw(0, 0, 0xff, 0xff)
	got, err := (&Decoder{}).Gunzip(nil, wrap(w.buf, []byte("abc")), 1<<20)
	if err != nil || string(got) != "abc" {
		t.Fatalf("fixed then stored: %q, %v", got, err)
	}
}

type bitWriter struct {
	buf []byte
	n   uint
}

func (w *bitWriter) bits(v uint32, n uint) {
	for i := range n {
		if w.n%8 == 0 {
			w.buf = append(w.buf, 0)
		}
		w.buf[len(w.buf)-1] |= byte(v>>i&1) << (w.n % 8)
		w.n++
	}
}

// rev writes a Huffman code, most significant bit first.
func (w *bitWriter) rev(code uint32, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		w.bits(code>>uint(i)&1, 1)
	}
}

func (w *bitWriter) align() { w.n = (w.n + 7) &^ 7 }

func (w *bitWriter) raw(b ...byte) {
	w.align()
	w.buf = append(w.buf, b...)
	w.n += 8 * uint(len(b))
}

// wrap makes a gzip member of a raw deflate stream whose content is data.
func wrap(deflate, data []byte) []byte {
	out := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}
	out = append(out, deflate...)
	var c [8]byte
	sum := crc32IEEE(data)
	c[0], c[1], c[2], c[3] = byte(sum), byte(sum>>8), byte(sum>>16), byte(sum>>24)
	n := uint32(len(data))
	c[4], c[5], c[6], c[7] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
	return append(out, c[:]...)
}

func FuzzGunzip(f *testing.F) {
	for _, data := range samples() {
		if len(data) < 5000 {
			f.Add(gz(f, data, 6, stdgzip.Header{}))
		} else {
			f.Add(gz(f, data[:5000], 6, stdgzip.Header{}))
			f.Add(gz(f, data[:3000], 1, stdgzip.Header{}))
		}
	}
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	var d Decoder
	f.Fuzz(func(t *testing.T, src []byte) {
		got, err := d.Gunzip(nil, src, 1<<24)
		want, rerr := reference(src)
		if err == nil && (rerr != nil || !bytes.Equal(got, want)) {
			t.Fatalf("decoded %d bytes without error; compress/gzip: %d bytes, %v", len(got), len(want), rerr)
		}
		if err != nil && rerr == nil && len(want) < 1<<24 && !errors.Is(err, ErrTooLarge) {
			// compress/gzip accepts it: so must this, or the fallback costs every such file
			t.Fatalf("refused (%v) what compress/gzip reads (%d bytes)", err, len(want))
		}
	})
}

// BenchmarkGunzip compares with klauspost's streaming reader on the gzip files under
// INFLATE_BENCH_DIR (a bench/trail.sh data folder); skipped without it.
func BenchmarkGunzip(b *testing.B) {
	files := benchFiles(b)
	var d Decoder
	var out []byte
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			var err error
			if out, err = d.Gunzip(out, f, 1<<30); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func benchFiles(b *testing.B) [][]byte {
	dir := os.Getenv("INFLATE_BENCH_DIR")
	if dir == "" {
		b.Skip("INFLATE_BENCH_DIR not set")
	}
	var files [][]byte
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && filepath.Ext(p) == ".gz" && len(files) < 200 {
			data, _ := os.ReadFile(p)
			files = append(files, data)
		}
		return nil
	})
	return files
}

// BenchmarkKlauspost is the peer: klauspost/compress's gzip reader over a buffered reader,
// as the trail reader streams.
func BenchmarkKlauspost(b *testing.B) {
	files := benchFiles(b)
	buf := make([]byte, 256<<10)
	br := bufio.NewReaderSize(nil, 64<<10)
	var zr *kgzip.Reader
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			br.Reset(bytes.NewReader(f))
			if zr == nil {
				zr, _ = kgzip.NewReader(br)
			} else {
				zr.Reset(br)
			}
			for {
				if _, err := zr.Read(buf); err != nil {
					break
				}
			}
		}
	}
}

// build accepts what compress/flate accepts: complete codes, one code of one bit, no code.
func TestBuildDegenerateCodes(t *testing.T) {
	var tab [distSize]uint32
	if err := build(tab[:], []uint8{0, 1, 0}, distBits, distSyms[:]); err != nil {
		t.Fatalf("one code of one bit: %v", err)
	}
	for i := range 1 << distBits {
		if want := i%2 == 1; (tab[i]&fInvalid != 0) != want {
			t.Fatalf("one code of one bit: entry %d = %#x", i, tab[i])
		}
	}
	if tab[0]>>16 != uint32(distBase[1]) || tab[0]&15 != 1 {
		t.Fatalf("one code of one bit: entry 0 = %#x", tab[0])
	}
	if err := build(tab[:], make([]uint8, 30), distBits, distSyms[:]); err != nil {
		t.Fatalf("no code: %v", err)
	}
	for i := range 1 << distBits {
		if tab[i]&fInvalid == 0 {
			t.Fatalf("no code: entry %d = %#x", i, tab[i])
		}
	}
	for name, lens := range map[string][]uint8{
		"over-subscribed":          {1, 1, 1},
		"incomplete":               {1, 2},
		"two of one bit, one more": {1, 1, 2},
	} {
		if err := build(tab[:], lens, distBits, distSyms[:]); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A complete code with codes of every length up to 15 (one each of 1 to 14 bits, two
	// of 15): each decodes to its symbol, through a subtable past the main table's bits.
	var lit [litSize]uint32
	lens := make([]uint8, 16)
	for i := range 14 {
		lens[i] = uint8(i + 1)
	}
	lens[14], lens[15] = 15, 15
	if err := build(lit[:], lens, litBits, litSyms[:]); err != nil {
		t.Fatalf("complete code up to 15 bits: %v", err)
	}
	code := uint32(0)
	for s, l := range lens {
		if s > 0 {
			code = (code + 1) << (l - lens[s-1])
		}
		rev := bits.Reverse32(code) >> (32 - l)
		e, used := lit[rev&(1<<litBits-1)], uint32(0)
		if e&fSub != 0 {
			used = litBits
			e = lit[e>>16+rev>>litBits&(1<<(e>>4&15)-1)]
		}
		if e>>16 != uint32(s) || e&fLiteral == 0 || used+e&15 != uint32(l) {
			t.Errorf("symbol %d (%d bits): entry %#x", s, l, e)
		}
	}
}

// FuzzInflateRaw fuzzes the deflate stream itself: what compress/flate decodes is wrapped
// in a gzip member with the right checksum, so a damaged stream is not simply refused at
// the checksum, and this decoder must give the same bytes. Streams compress/flate refuses
// must not make it panic or loop.
func FuzzInflateRaw(f *testing.F) {
	for _, data := range samples() {
		for _, level := range []int{flate.NoCompression, flate.BestSpeed, 6, flate.HuffmanOnly} {
			var buf bytes.Buffer
			w, _ := flate.NewWriter(&buf, level)
			w.Write(data[:min(len(data), 4000)])
			w.Close()
			f.Add(buf.Bytes())
		}
	}
	var d Decoder
	f.Fuzz(func(t *testing.T, raw []byte) {
		br := bytes.NewReader(raw) // an io.ByteReader: compress/flate reads no byte past the end
		want, err := io.ReadAll(io.LimitReader(flate.NewReader(br), 1<<22))
		if err != nil || len(want) >= 1<<22 {
			_, _ = d.Gunzip(nil, wrap(raw, nil), 1<<22)
			return
		}
		n := len(raw) - br.Len() // the member ends with the final block
		got, gerr := d.Gunzip(nil, wrap(raw[:n], want), 1<<22)
		if gerr != nil || !bytes.Equal(got, want) {
			t.Fatalf("compress/flate reads %d bytes from %d of %d; this decoder: %d bytes, %v", len(want), n, len(raw), len(got), gerr)
		}
	})
}
