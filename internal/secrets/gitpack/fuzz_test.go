package gitpack

import (
	"bytes"
	"compress/zlib"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead: any bytes as a pack entry (header, delta base reference, zlib data, delta
// opcodes) yield an object or an error, never a panic or a huge allocation.
func FuzzRead(f *testing.F) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte{10, 12, 0x91, 0, 5, 3, 'a', 'b', 'c', 0x90, 4})
	zw.Close()
	f.Add(append([]byte{0x6b, 0x01}, z.Bytes()...)) // OFS_DELTA of 11 bytes
	f.Add([]byte{0x3f, 0xff, 0xff, 0xff, 0x7f})
	f.Add([]byte{0x70})
	f.Fuzz(func(t *testing.T, entry []byte) {
		p := filepath.Join(t.TempDir(), "p")
		if err := os.WriteFile(p, entry, 0o644); err != nil {
			t.Fatal(err)
		}
		fh, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		r := &walker{f: fh}
		o := r.read(0, int64(len(entry)), 20)
		for _, in := range o.Inserts {
			if len(in) > len(entry)*1032+64 {
				t.Fatalf("insert of %d bytes from a %d-byte entry", len(in), len(entry))
			}
		}
	})
}
