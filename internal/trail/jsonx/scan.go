package jsonx

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/bits"
	"unicode/utf8"
)

// ErrShort means the buffer ended inside a value: read more input and try again.
var ErrShort = errors.New("unexpected end of JSON input")

// SyntaxError reports malformed JSON at a byte offset of the buffer it was found in.
type SyntaxError struct {
	Off int
	Msg string
}

func (e *SyntaxError) Error() string { return e.Msg }

func syntaxErr(off int, msg string) error { return &SyntaxError{Off: off, Msg: msg} }

// space marks JSON whitespace; structural marks the bytes a nested-value skip must look at.
var space, structural [256]bool

func init() {
	for _, c := range []byte(" \t\r\n") {
		space[c] = true
	}
	for _, c := range []byte(`"{}[]`) {
		structural[c] = true
	}
}

// SkipSpace returns the index of the first non-whitespace byte at or after i.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && space[b[i]] {
		i++
	}
	return i
}

// IsSpace reports whether c is JSON whitespace.
func IsSpace(c byte) bool { return space[c] }

// SkipString returns the index just past the string starting at b[i] == '"'. It looks at
// eight bytes at a time for a quote only (SWAR: the lowest flagged byte of the zero-byte
// test is exact), since strings are most of a record's bytes and escapes are rare: a quote
// found is the end unless an odd run of backslashes precedes it.
func SkipString(b []byte, i int) (int, error) {
	j := i + 1
	for {
		for j+8 <= len(b) {
			if m := hasByte(binary.LittleEndian.Uint64(b[j:]), '"'); m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				goto quote
			}
			j += 8
		}
		for j < len(b) && b[j] != '"' {
			j++
		}
		if j >= len(b) {
			return len(b), ErrShort
		}
	quote:
		// b[i] is the opening quote, so the run of backslashes stops before it.
		k := j
		for b[k-1] == '\\' {
			k--
		}
		if (j-k)&1 == 0 {
			return j + 1, nil
		}
		j++
	}
}

// SkipStringPlain is SkipString that also reports, when it can tell cheaply, that the
// string holds no backslash: its content is then the bytes between the quotes, with no
// second look for escapes. plain false only means "not known".
func SkipStringPlain(b []byte, i int) (end int, plain bool, err error) {
	j := i + 1
	var esc uint64
	for j+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[j:])
		// A flag of hasByte is set only where or above a byte equal to c, so no flag at
		// all is exact: these words hold no backslash, and the quote is the end.
		esc |= hasByte(x, '\\')
		if m := hasByte(x, '"'); m != 0 {
			if esc != 0 {
				break
			}
			return j + bits.TrailingZeros64(m)>>3 + 1, true, nil
		}
		j += 8
	}
	end, err = SkipString(b, i)
	return end, false, err
}

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// hasByte flags (high bit) the bytes of x equal to c; only the lowest flag is exact.
func hasByte(x uint64, c byte) uint64 {
	y := x ^ (lo8 * uint64(c))
	return (y - lo8) &^ y & hi8
}

// SkipValue returns the index just past the value starting at b[i] (no leading whitespace).
// A scalar running to the end of b is reported as ErrShort, since more digits may follow.
func SkipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return i, ErrShort
	}
	switch c := b[i]; c {
	case '"':
		return SkipString(b, i)
	case '{', '[':
		return skipNested(b, i)
	case '}', ']', ',', ':':
		return i, syntaxErr(i, "unexpected "+string(rune(c)))
	default:
		j := i
		for j < len(b) {
			c := b[j]
			if c == ',' || c == '}' || c == ']' || space[c] {
				break
			}
			if c == '"' || c == '{' || c == '[' || c == ':' {
				return j, syntaxErr(j, "invalid literal")
			}
			j++
		}
		if j == len(b) {
			return j, ErrShort
		}
		if j == i {
			return j, syntaxErr(j, "empty value")
		}
		return j, nil
	}
}

// skipNested skips an object or array. It balances brackets and strings but does not check
// commas and colons: records are validated by the fields they must have, not by grammar.
// Strings are scanned inline (as in SkipString) rather than by a call per string: a nested
// value is mostly short strings, and the call and its error result cost more than the scan.
func skipNested(b []byte, i int) (int, error) {
	depth := 0
	n := len(b)
	for i < n {
		c := b[i]
		if !structural[c] {
			i++
			continue
		}
		switch c {
		case '"':
			j := i + 1
		str:
			for {
				for j+8 <= n {
					if m := hasByte(binary.LittleEndian.Uint64(b[j:]), '"'); m != 0 {
						j += bits.TrailingZeros64(m) >> 3
						goto quote
					}
					j += 8
				}
				for j < n && b[j] != '"' {
					j++
				}
				if j >= n {
					return n, ErrShort
				}
			quote:
				k := j // the run of backslashes before the quote stops at the opening one
				for b[k-1] == '\\' {
					k--
				}
				if (j-k)&1 == 0 {
					break str
				}
				j++
			}
			i = j + 1
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
	return n, ErrShort
}

// Unquote returns the content of the JSON string raw (quotes included). Without escapes it
// is a sub-slice of raw; otherwise it is decoded into scratch[:0] and that is returned.
func Unquote(raw []byte, scratch []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		return body, true
	}
	return unescape(body, scratch[:0])
}

func unescape(s []byte, out []byte) ([]byte, bool) {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			j := bytes.IndexByte(s[i:], '\\')
			if j < 0 {
				return append(out, s[i:]...), true
			}
			out = append(out, s[i:i+j]...)
			i += j
			continue
		}
		if i+1 >= len(s) {
			return out, false
		}
		switch s[i+1] {
		case '"', '\\', '/':
			out = append(out, s[i+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n := decodeU(s[i:])
			if n == 0 {
				return out, false
			}
			out = utf8.AppendRune(out, r)
			i += n
			continue
		default:
			return out, false
		}
		i += 2
	}
	return out, true
}

// decodeU decodes \uXXXX (and a following low surrogate) at s[0], returning the rune and
// the bytes used, or n == 0 when malformed.
func decodeU(s []byte) (rune, int) {
	r, ok := hex4(s)
	if !ok {
		return 0, 0
	}
	if r >= 0xD800 && r < 0xDC00 {
		if r2, ok := hex4(s[6:]); ok && len(s) >= 12 && s[6] == '\\' && r2 >= 0xDC00 && r2 < 0xE000 {
			return (r-0xD800)<<10 | (r2 - 0xDC00) + 0x10000, 12
		}
		return utf8.RuneError, 6
	}
	if r >= 0xDC00 && r < 0xE000 {
		return utf8.RuneError, 6
	}
	return r, 6
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// ObjectEach calls fn with each key (raw, quotes included) and value of the object obj,
// which must be a complete object. It stops early when fn returns false.
func ObjectEach(obj []byte, fn func(key, val []byte) bool) error {
	i := SkipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return syntaxErr(i, "not an object")
	}
	i = SkipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return nil
	}
	for {
		if i >= len(obj) || obj[i] != '"' {
			return syntaxErr(i, "expected object key")
		}
		ke, err := SkipString(obj, i)
		if err != nil {
			return syntaxErr(i, "unterminated key")
		}
		key := obj[i:ke]
		i = SkipSpace(obj, ke)
		if i >= len(obj) || obj[i] != ':' {
			return syntaxErr(i, "expected colon")
		}
		i = SkipSpace(obj, i+1)
		ve, err := SkipValue(obj, i)
		if err != nil {
			return syntaxErr(i, "bad value")
		}
		if !fn(key, obj[i:ve]) {
			return nil
		}
		i = SkipSpace(obj, ve)
		if i >= len(obj) {
			return syntaxErr(i, "unterminated object")
		}
		if obj[i] == '}' {
			return nil
		}
		if obj[i] != ',' {
			return syntaxErr(i, "expected comma")
		}
		i = SkipSpace(obj, i+1)
	}
}

// ArrayEach calls fn with each element of the complete array arr; it stops when fn returns false.
func ArrayEach(arr []byte, fn func(val []byte) bool) error {
	i := SkipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return syntaxErr(i, "not an array")
	}
	i = SkipSpace(arr, i+1)
	if i < len(arr) && arr[i] == ']' {
		return nil
	}
	for {
		ve, err := SkipValue(arr, i)
		if err != nil {
			return syntaxErr(i, "bad array element")
		}
		if !fn(arr[i:ve]) {
			return nil
		}
		i = SkipSpace(arr, ve)
		if i >= len(arr) {
			return syntaxErr(i, "unterminated array")
		}
		if arr[i] == ']' {
			return nil
		}
		if arr[i] != ',' {
			return syntaxErr(i, "expected comma")
		}
		i = SkipSpace(arr, i+1)
	}
}

// KeyIs reports whether the raw key (quotes included) is name.
func KeyIs(key []byte, name string) bool {
	if len(key) == len(name)+2 && string(key[1:len(key)-1]) == name {
		return true
	}
	if bytes.IndexByte(key, '\\') < 0 {
		return false
	}
	var s string
	return json.Unmarshal(key, &s) == nil && s == name
}

// Unescape decodes the JSON escapes in any JSON text (not only a string's body) into
// out[:0]: an object's text then reads as it would be shown, with embedded documents'
// quotes plain. Text without backslashes is returned as is.
func Unescape(b []byte, out []byte) []byte {
	if bytes.IndexByte(b, '\\') < 0 {
		return b
	}
	r, _ := unescape(b, out[:0])
	return r
}
