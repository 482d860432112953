package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
)

// Secret holds a secret value that cannot be printed whole by accident: String, Format,
// GoString, MarshalText/JSON and LogValue all redact it to its first and last four
// characters. The value sits behind a pointer so that fmt, printing a struct that holds a
// Secret in an unexported field, shows an address and not the text.
type Secret struct{ p *secretValue }

type secretValue struct{ s string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{p: &secretValue{s: s}} }

// Reveal returns the whole value. Only verification (which must send it to AWS) and
// fingerprinting call it; never print its result.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return s.p.s
}

// IsZero reports whether s holds nothing.
func (s Secret) IsZero() bool { return s.p == nil || s.p.s == "" }

// Redacted is the first and last four characters with an ellipsis between; values of 12
// characters or fewer show nothing but their length, since 8 of 12 would be most of it.
func (s Secret) Redacted() string { return Redact(s.Reveal()) }

// Redact shortens v to its first and last four characters.
func Redact(v string) string {
	r := []rune(v)
	if len(r) <= 12 {
		return fmt.Sprintf("[%d chars]", len(r))
	}
	return string(r[:4]) + "…" + string(r[len(r)-4:])
}

// Fingerprint is a SHA-256 of the value, hex, for baselines and de-duplication: it
// identifies the secret without revealing it.
func (s Secret) Fingerprint() string {
	h := sha256.Sum256([]byte(s.Reveal()))
	return hex.EncodeToString(h[:])
}

func (s Secret) String() string   { return s.Redacted() }
func (s Secret) GoString() string { return "detect.Secret(" + s.Redacted() + ")" }

// Format makes every verb (%s %v %+v %#v %q %x …) print the redacted form.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s.Redacted())
		return
	}
	_, _ = io.WriteString(f, s.Redacted())
}

func (s Secret) MarshalText() ([]byte, error) { return []byte(s.Redacted()), nil }

// MarshalJSON is explicit so that encoders that prefer it also redact.
func (s Secret) MarshalJSON() ([]byte, error) { return fmt.Appendf(nil, "%q", s.Redacted()), nil }

func (s Secret) LogValue() slog.Value { return slog.StringValue(s.Redacted()) }

var (
	_ fmt.Stringer   = Secret{}
	_ fmt.Formatter  = Secret{}
	_ fmt.GoStringer = Secret{}
	_ slog.LogValuer = Secret{}
)
