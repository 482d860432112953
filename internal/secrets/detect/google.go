package detect

import (
	"regexp"

	"github.com/accountguard/accountguard/internal/finding"
)

// Google API keys (Maps, Firebase, Cloud): "AIza" and 35 URL-safe characters.
var googleKeyRe = regexp.MustCompile(`AIza[A-Za-z0-9_\-]{35}`)

func findGoogle(w []byte) []Match {
	var out []Match
	for _, l := range googleKeyRe.FindAllIndex(w, -1) {
		if !bounded(w, l[0], l[1], func(b byte) bool { return isAlnum(b) || b == '_' || b == '-' }) {
			continue
		}
		v := string(w[l[0]:l[1]])
		if distinct(v) < 12 {
			continue
		}
		out = append(out, Match{Start: l[0], End: l[1], Secret: NewSecret(v), Confidence: Medium})
	}
	return out
}

func init() {
	Register(&Detector{
		ID:            "google-api-key",
		Title:         finding.Text{En: "Google API key", Ko: "Google API 키"},
		Severity:      finding.Medium,
		ExactKeywords: []string{"AIza"},
		Find:          findGoogle,
		TruePositives: []string{
			`"apiKey": "AIzaSyD3xQ7k9Lm2Np4Rs6Tv8Wx0Yz1Ab3Cd5Ef"`,
		},
		FalsePositives: []string{
			`AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX`,
			`AIzaSyShort`,
		},
	})
}
