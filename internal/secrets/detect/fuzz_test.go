package detect

import (
	"strings"
	"testing"
)

// FuzzScan: no input panics, every match lies inside the input, and the redacted form never
// contains the whole secret.
func FuzzScan(f *testing.F) {
	for _, d := range All() {
		for _, s := range d.TruePositives {
			f.Add([]byte(s))
		}
		for _, s := range d.FalsePositives {
			f.Add([]byte(s))
		}
	}
	e := NewEngine(nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range e.Scan(data) {
			if m.Start < 0 || m.End > len(data) || m.Start >= m.End {
				t.Fatalf("%s: span %d..%d outside input of %d bytes", m.Rule, m.Start, m.End, len(data))
			}
			if v := m.Secret.Reveal(); len(v) > 12 && strings.Contains(m.Secret.String(), v) {
				t.Fatalf("%s: redaction shows the whole secret", m.Rule)
			}
		}
	})
}
