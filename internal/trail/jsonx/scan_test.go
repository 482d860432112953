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
	for _, s := range []string{`{"a":"b\"c","d":[1,2,{"e":null}]}`, `"x\\"`, `[true,false]`, `123`, `"abcdefgh\\ijklmn"`, `"abcdefghijklmnopqrs"`, `"ab\"cdefghijklmn"`} {
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
		if len(b) > 0 && b[0] == '"' {
			in := append(b, ' ')
			e1, plain, err1 := SkipStringPlain(in, 0)
			e2, err2 := SkipString(in, 0)
			if e1 != e2 || err1 != err2 || (plain && bytes.IndexByte(in[:e1], '\\') >= 0) {
				t.Fatalf("%q: SkipStringPlain %d %v %v, SkipString %d %v", in, e1, plain, err1, e2, err2)
			}
		}
		// the fast scanners agree with the plain byte-at-a-time ones on any input
		for _, in := range [][]byte{b, append(b, ' ')} {
			e1, err1 := SkipValue(in, 0)
			e2, err2 := refSkipValue(in, 0)
			if e1 != e2 || (err1 == nil) != (err2 == nil) || (err1 == ErrShort) != (err2 == ErrShort) {
				t.Fatalf("%q: SkipValue %d %v, reference %d %v", in, e1, err1, e2, err2)
			}
		}
		var s []byte
		Unquote(b, s)
		Unescape(b, nil)
	})
}

// refSkipValue is SkipValue written one byte at a time, the reference the fast one is
// checked against.
func refSkipValue(b []byte, i int) (int, error) {
	if i < len(b) && (b[i] == '{' || b[i] == '[') {
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				j, err := refSkipString(b, i)
				if err != nil {
					return j, err
				}
				i = j
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
			i++
		}
		return len(b), ErrShort
	}
	if i < len(b) && b[i] == '"' {
		return refSkipString(b, i)
	}
	return SkipValue(b, i)
}

func refSkipString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return len(b), ErrShort
}
