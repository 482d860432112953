package detect

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
)

// AWS credentials: access key IDs, secret access keys (paired with a key ID nearby or named
// by an assignment in any common syntax), session tokens, and the documentation's example
// values, which are reported as examples and never as leaks.

var keyIDPrefixes = []string{"AKIA", "ASIA", "ABIA", "ACCA", "A3T"}

var (
	// The documented form: a four-character prefix and 16 characters of base32 (A-Z, 2-7).
	// An assignment is matched in two anchored steps at each "secret": the name, then the
	// operator and the value. Anchoring makes a non-matching "secret" cost a few bytes.
	secretNameRe  = regexp.MustCompile(`^(?i)secret[_.\-]?(?:access)?[_.\-]?key(?:[_.\-]?id)?`)
	secretValueRe = regexp.MustCompile(`^(?:\\?["'\x60\]])?\s*(?:[:=]=?|=>|,|>|\s)\s*[(\[{]?\s*(?:[@$]|\\?["'\x60])?((?:[A-Za-z0-9+]|\\?/){40})`)

	sessionAssignRe = regexp.MustCompile(`(?i)(?:aws)?[_.\-]?(?:session|security)[_.\-]?token(?:\\?["'\x60\]])?\s*(?:[:=]=?|=>|,|>|\s)\s*[(\[{]?\s*(?:[@$]|\\?["'\x60])?((?:[A-Za-z0-9+=]|\\?/){100,})`)
	sessionPrefixRe = regexp.MustCompile(`(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz|FQoGZXIvYXdz|AQoDYXdz)(?:[A-Za-z0-9+=]|\\?/){80,}`)

	// A string literal cut and continued: "AKIA" + "…", implicit concatenation, a
	// backslash line continuation, a string wrapped onto the next line.
	splitRe = regexp.MustCompile(`["']\s*(?:[+.&]|\|\|)?\s*(?:\\?\r?\n)?\s*["']|\\\r?\n\s*`)
)

// Documented example secret access keys (AWS docs, SigV4 test suite).
var exampleSecrets = []string{
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	"je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
}

func isExampleKeyID(k string) bool { return strings.HasSuffix(k, "EXAMPLE") }

func isExampleSecret(s string) bool {
	for _, e := range exampleSecrets {
		if s == e {
			return true
		}
	}
	return strings.Contains(s, "EXAMPLE")
}

func isAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// bounded reports whether data[start:end] is not part of a longer alphanumeric run.
func bounded(data []byte, start, end int, inner func(byte) bool) bool {
	return (start == 0 || !inner(data[start-1])) && (end == len(data) || !inner(data[end]))
}

// distinct counts the different bytes in s: placeholders (AKIAXXXXXXXXXXXXXXXX) have few.
func distinct(s string) int {
	var seen [256]bool
	n := 0
	for i := 0; i < len(s); i++ {
		if !seen[s[i]] {
			seen[s[i]] = true
			n++
		}
	}
	return n
}

// joined removes string splits from w and returns the joined text with, for each of its
// bytes, the offset in w. It returns nil when w has no split.
func joined(w []byte) ([]byte, []int) {
	locs := splitRe.FindAllIndex(w, -1)
	if locs == nil {
		return nil, nil
	}
	out := make([]byte, 0, len(w))
	pos := make([]int, 0, len(w))
	prev := 0
	for _, l := range locs {
		for i := prev; i < l[0]; i++ {
			out = append(out, w[i])
			pos = append(pos, i)
		}
		prev = l[1]
	}
	for i := prev; i < len(w); i++ {
		out = append(out, w[i])
		pos = append(pos, i)
	}
	return out, pos
}

// keyIDAt reports whether data[i:] starts with a key ID: a prefix and 16 base32 characters.
func keyIDAt(data []byte, i int) bool {
	if i < 0 || i+20 > len(data) || !keyIDPrefix(string(data[i:i+4])) {
		return false
	}
	for _, c := range data[i+4 : i+20] {
		if !('A' <= c && c <= 'Z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

// prefixAt reports whether data[i:] starts with a key ID prefix.
func prefixAt(data []byte, i int) bool {
	return i+4 <= len(data) && keyIDPrefix(string(data[i:i+4]))
}

// exampleAt: a documentation example key ID (some use 0, 1, 8, 9, outside base32).
func exampleAt(data []byte, i int) bool {
	if i+20 > len(data) || !bytes.Equal(data[i+13:i+20], []byte("EXAMPLE")) {
		return false
	}
	for _, c := range data[i+4 : i+13] {
		if !isUpperAlnum(c) {
			return false
		}
	}
	return true
}

// keyIDStarts returns the offsets of the key IDs in data that are not part of a longer
// alphanumeric run. A plain scan for 'A' is much faster than a regular expression here.
func keyIDStarts(data []byte) []int {
	var out []int
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], 'A')
		if j < 0 {
			break
		}
		i += j
		if keyIDAt(data, i) && bounded(data, i, i+20, isAlnum) {
			out = append(out, i)
			i += 20
			continue
		}
		i++
	}
	return out
}

func keyIDMatch(k string, start, end int) Match {
	m := Match{Start: start, End: end, Secret: NewSecret(k), KeyID: k, Confidence: High, Example: isExampleKeyID(k)}
	m.Account, _ = AccountFromKeyID(k)
	m.Note = KeyIDKind(k)
	return m
}

func findKeyIDs(w []byte) []Match {
	var out []Match
	for _, i := range keyIDStarts(w) {
		k := string(w[i : i+20])
		if distinct(k[4:]) < 6 { // AKIAXXXXXXXXXXXXXXXX, AKIAAAAAAAAAAAAAAAAA
			continue
		}
		out = append(out, keyIDMatch(k, i, i+20))
	}
	// A prefix not followed by a whole key: a documentation example outside base32, or a
	// key split across string literals.
	for i := 0; i < len(w); {
		j := bytes.IndexByte(w[i:], 'A')
		if j < 0 {
			break
		}
		i += j
		if !prefixAt(w, i) || keyIDAt(w, i) || (i > 0 && isAlnum(w[i-1])) {
			i++
			continue
		}
		switch {
		case exampleAt(w, i) && bounded(w, i, i+20, isAlnum):
			k := string(w[i : i+20])
			out = append(out, Match{Start: i, End: i + 20, Secret: NewSecret(k), KeyID: k, Confidence: High, Example: true, Note: "AWS documentation example"})
		default:
			region := w[i:min(len(w), i+200)]
			if jn, pos := joined(region); jn != nil && keyIDAt(jn, 0) && (len(jn) == 20 || !isAlnum(jn[20])) {
				k := string(jn[:20])
				if distinct(k[4:]) >= 6 {
					m := keyIDMatch(k, i, i+pos[19]+1)
					m.Note += ", split across string literals"
					out = append(out, m)
				}
			}
		}
		i++
	}
	return out
}

func isB64(b byte) bool { return isAlnum(b) || b == '+' || b == '/' }

// plausibleSecret rejects 40-character runs that are not random base64: hex digests, words,
// placeholders.
func plausibleSecret(s string) bool {
	var up, low, dig bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			up = true
		case 'a' <= c && c <= 'z':
			low = true
		case '0' <= c && c <= '9', c == '+', c == '/':
			dig = true
		}
	}
	return up && low && dig && distinct(s) >= 15
}

// nearestKeyID returns the key ID (of those starting at kids) closest to offset at, if any
// within maxDist.
func nearestKeyID(w []byte, kids []int, at, maxDist int) (string, int) {
	best, bestD := "", maxDist+1
	for _, k := range kids {
		d := max(0, at-(k+20))
		if k > at {
			d = k - at
		}
		if d < bestD {
			best, bestD = string(w[k:k+20]), d
		}
	}
	return best, bestD
}

var secretWord = []byte("secret")

// asciiLower lower-cases A-Z only, so offsets into the result are offsets into b.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = fold(c)
	}
	return out
}

func findSecretKeys(w []byte) []Match {
	var out []Match
	seen := map[int]bool{}
	kids := keyIDStarts(w)
	lower := asciiLower(w) // bytes.ToLower would change the length of invalid UTF-8
	hasAWS := bytes.Contains(lower, []byte("aws"))
	emit := func(start, end int, val string, assigned bool, split bool) {
		if seen[start] {
			return
		}
		if !isExampleSecret(val) && !plausibleSecret(val) {
			return
		}
		seen[start] = true
		m := Match{Start: start, End: end, Secret: NewSecret(val), Example: isExampleSecret(val)}
		kid, d := nearestKeyID(w, kids, start, 1024)
		switch {
		case kid != "" && d <= 300:
			m.Confidence = High
		case assigned && hasAWS, kid != "":
			m.Confidence = High
		case assigned:
			m.Confidence = Medium
		default:
			return
		}
		if kid != "" {
			m.KeyID = kid
			m.Account, _ = AccountFromKeyID(kid)
			m.Note = "paired with a key ID nearby"
		} else {
			m.Note = "named by an assignment"
		}
		if split {
			m.Note += ", split across string literals"
		}
		out = append(out, m)
	}
	// assign reports the 40-character value assigned to the name at the start of data.
	assign := func(data []byte) (s, e int, val string, ok bool) {
		n := secretNameRe.FindIndex(data)
		if n == nil {
			return 0, 0, "", false
		}
		l := secretValueRe.FindSubmatchIndex(data[n[1]:])
		if l == nil {
			return 0, 0, "", false
		}
		s, e = n[1]+l[2], n[1]+l[3]
		if e < len(data) && (isB64(data[e]) || data[e] == '=') {
			return 0, 0, "", false // a longer token, not a 40-character key
		}
		val = strings.ReplaceAll(string(data[s:e]), `\/`, "/")
		return s, e, val, len(val) == 40
	}
	// Assignments: anchored at each "secret".
	for i := 0; i < len(lower); {
		j := bytes.Index(lower[i:], secretWord)
		if j < 0 {
			break
		}
		at := i + j
		i = at + len(secretWord)
		if secretNameRe.FindIndex(w[at:min(len(w), at+32)]) == nil {
			continue
		}
		span := w[at:min(len(w), at+200)]
		if s, e, val, ok := assign(span); ok {
			emit(at+s, at+e, val, true, false)
			continue
		}
		if jn, pos := joined(span); jn != nil {
			if s, e, val, ok := assign(jn); ok && pos[e-1]+1-pos[s] != e-s {
				emit(at+pos[s], at+pos[e-1]+1, val, true, true)
			}
		}
	}
	// Near a key ID: a bare 40-character run of base64.
	if len(kids) > 0 {
		inRun := func(b byte) bool { return isB64(b) || b == '=' || b == '_' || b == '-' }
		for i := 0; i < len(w); {
			if !inRun(w[i]) {
				i++
				continue
			}
			j := i
			for j < len(w) && inRun(w[j]) {
				j++
			}
			if j-i == 40 {
				run := string(w[i:j])
				if !strings.ContainsAny(run, "=_-") {
					emit(i, j, run, false, false)
				}
			}
			i = j
		}
	}
	return out
}

func findSessionTokens(w []byte) []Match {
	var out []Match
	seen := map[int]bool{}
	add := func(s, e int) {
		if seen[s] {
			return
		}
		seen[s] = true
		val := strings.ReplaceAll(string(w[s:e]), `\/`, "/")
		if distinct(val) < 20 {
			return
		}
		out = append(out, Match{Start: s, End: e, Secret: NewSecret(val), Confidence: High, Example: strings.Contains(val, "EXAMPLE"), Note: "temporary credential"})
	}
	for _, l := range sessionAssignRe.FindAllSubmatchIndex(w, -1) {
		add(l[2], l[3])
	}
	for _, l := range sessionPrefixRe.FindAllIndex(w, -1) {
		if bounded(w, l[0], l[1], isAlnum) {
			add(l[0], l[1])
		}
	}
	return out
}

// secretKeywords are the names secretAssignRe accepts (secret, access, key joined by
// nothing, "_", "." or "-"): "secret" alone is too common in source to gate a regex.
func secretKeywords() []string {
	seps := []string{"", "_", ".", "-"}
	var kws []string
	for _, a := range seps {
		kws = append(kws, "secret"+a+"key")
		for _, b := range seps {
			kws = append(kws, "secret"+a+"access"+b+"key")
		}
	}
	return kws
}

func init() {
	Register(&Detector{
		ID:            "aws-access-key-id",
		Title:         finding.Text{En: "AWS access key ID", Ko: "AWS 액세스 키 ID"},
		Severity:      finding.High,
		ExactKeywords: keyIDPrefixes,
		Window:        64,
		Find:          findKeyIDs,
		TruePositives: []string{
			`aws_access_key_id = AKIAUJZDEGXDNCF32EPF`,
			`{"AccessKeyId":"ASIA3DHODZDOCIS2JHTL","Expiration":"2026-01-01T00:00:00Z"}`,
			`export AWS_ACCESS_KEY_ID=A3TXPFT7V4SEH2KVJ72C`,
			`key = "AKIAGMXG" + "EDN73U55XTPL"`,
			"access_key = \"AKIAGMXGEDN7\" \\\n    \"3U55XTPL\"",
		},
		FalsePositives: []string{
			`aws_access_key_id = AKIAXXXXXXXXXXXXXXXX`,
			`AKIAUJZDEGXDNCF32EPFQ`,           // 21 characters: part of a longer token
			`xAKIAUJZDEGXDNCF32EPF`,           // inside a word
			`AKIAUJZDEGXDNCF32EP1`,            // 1 is outside base32
			`aws_access_key_id=<your key id>`, // placeholder
		},
	})
	Register(&Detector{
		ID:            "aws-secret-access-key",
		Title:         finding.Text{En: "AWS secret access key", Ko: "AWS 비밀 액세스 키"},
		Severity:      finding.Critical,
		Keywords:      secretKeywords(),
		ExactKeywords: keyIDPrefixes,
		Window:        1024,
		Find:          findSecretKeys,
		TruePositives: []string{
			`aws_secret_access_key = jORS+6ilI8ihN5KXSc7Tvo+hBKqFYY+kv5ZJr3J1`,
			`AWS_SECRET_ACCESS_KEY="TWDtkwtDDb/xHKas1VOqg6YYZYn9ZhyiA4uoRgna"`,
			`{"aws_secret_access_key": "TWDtkwtDDb\/xHKas1VOqg6YYZYn9ZhyiA4uoRgna"}`,
			`"{\"SecretAccessKey\":\"tmUdjAWtGSU8po/799NksnRH9ucAUsdMlHUvTCQC\"}"`,
			"aws:\n  secret_access_key: tmUdjAWtGSU8po/799NksnRH9ucAUsdMlHUvTCQC\n",
			`provider "aws" { secret_key = "jORS+6ilI8ihN5KXSc7Tvo+hBKqFYY+kv5ZJr3J1" }`,
			`const creds = { secretAccessKey: 'jORS+6ilI8ihN5KXSc7Tvo+hBKqFYY+kv5ZJr3J1' };`,
			`<SecretAccessKey>jORS+6ilI8ihN5KXSc7Tvo+hBKqFYY+kv5ZJr3J1</SecretAccessKey>`,
			"id: AKIAUJZDEGXDNCF32EPF\nkey: TWDtkwtDDb/xHKas1VOqg6YYZYn9ZhyiA4uoRgna\n",
			"AKIAUJZDEGXDNCF32EPF,TWDtkwtDDb/xHKas1VOqg6YYZYn9ZhyiA4uoRgna",
		},
		FalsePositives: []string{
			`aws_secret_access_key = da39a3ee5e6b4b0d3255bfef95601890afd80709`, // a SHA-1
			`aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}`,
			`secret_key = "0123456789012345678901234567890123456789"`,
			`commit 6f1c2b0e4dcb7a1f9a1e5b3cf2f7d0f5d9c1b2a3`,
			`secret = "jORS+6ilI8ihN5KXSc7Tvo+hBKqFYY+kv5ZJr3J1xyz"`, // 43 characters
			"AKIAUJZDEGXDNCF32EPF\nimport/path/to/some/package/in/a/tree/x",
		},
	})
	Register(&Detector{
		ID:            "aws-session-token",
		Title:         finding.Text{En: "AWS session token", Ko: "AWS 세션 토큰"},
		Severity:      finding.High,
		Keywords:      []string{"session_token", "sessiontoken", "session-token", "security_token"},
		ExactKeywords: []string{"IQoJb3JpZ2luX2Vj", "FwoGZXIvYXdz", "FQoGZXIvYXdz", "AQoDYXdz"},
		Find:          findSessionTokens,
		TruePositives: []string{
			`aws_session_token = IQoJb3JpZ2luX2VjEHcaCXVzLWVhc3QtMSJHMEUCIQD6kTzv1Q2hN0pB8XyL3mR5sW7tY9uA1bC3dE5fG7hI9jKlMNOPqrSTuvWXyz0123456789abcdEFGHijklMNOPqrstUVwxYZ+/abcdefgh`,
			`"SessionToken": "FwoGZXIvYXdzEBYaDHhM3kQ8pL2nR5tV7wYjKp4xZ9cV2bN6mQ1sD3fG5hJ7kL9oP0rT2uW4yA6cE8gI0kM2oQ4sU6wY8aC0eG2iK4mO6qS8uW0yA2cE4gI6kM8oQ0sU2"`,
		},
		FalsePositives: []string{
			`session_token = None`,
			`AWS_SESSION_TOKEN=${AWS_SESSION_TOKEN}`,
			`csrf_session_token = "abc"`,
		},
	})
}
