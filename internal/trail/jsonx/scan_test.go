package jsonx

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestSkipString(t *testing.T) {
	for _, s := range []string{`""`, `"a"`, `"abcdefghijklmnop"`, `"a\"b"`, `"\\"`, `"abcdefg\\\\"`, `"abcdefgh\"ijklmnopq\\\"r"`, `"\u00e9xxxxxxxxxxxxxxxxxxxxx"`} {
		for pad := range 10 {
			b := []byte(s + ",\"after\"" + string(make([]byte, pad)))
			end, err := SkipString(b, 0)
			if err != nil || end != len(s) {
				t.Errorf("%s pad %d: end %d err %v, want %d", s, pad, end, err, len(s))
			}
			var v string
			if json.Unmarshal([]byte(s), &v) != nil {
				t.Fatalf("bad case %s", s)
			}
		}
	}
	for _, s := range []string{`"abc`, `"abcdefghijkl\"`, `"\`} {
		if _, err := SkipString([]byte(s), 0); err != ErrShort {
			t.Errorf("%s: %v, want ErrShort", s, err)
		}
	}
}

// FuzzSkipValue: the end found agrees with encoding/json on valid values and never panics.
func FuzzSkipValue(f *testing.F) {
	for _, s := range []string{`{"a":"b\"c","d":[1,2,{"e":null}]}`, `"x\\"`, `[true,false]`, `123`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(bytes.TrimSpace(b)) != len(b) {
			return // SkipValue starts at a value and stops at its end
		}
		end, err := SkipValue(append(b, ' '), 0)
		if err == nil && json.Valid(b) && end != len(b) {
			t.Fatalf("%q: end %d, want %d", b, end, len(b))
		}
		var s []byte
		Unquote(b, s)
		Unescape(b, nil)
	})
}
