package detect

import (
	"regexp"

	"github.com/accountguard/accountguard/internal/finding"
)

// Stripe secret and restricted keys. Test-mode keys move no money: reported, low confidence.
var stripeRe = regexp.MustCompile(`(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,99}`)

func findStripe(w []byte) []Match {
	var out []Match
	for _, l := range stripeRe.FindAllIndex(w, -1) {
		if !bounded(w, l[0], l[1], func(b byte) bool { return isAlnum(b) || b == '_' }) {
			continue
		}
		v := string(w[l[0]:l[1]])
		if distinct(v[8:]) < 10 {
			continue
		}
		m := Match{Start: l[0], End: l[1], Secret: NewSecret(v), Confidence: High}
		if v[3:7] == "test" {
			m.Confidence, m.Note = Low, "test-mode key"
		}
		out = append(out, m)
	}
	return out
}

func init() {
	Register(&Detector{
		ID:            "stripe",
		Title:         finding.Text{En: "Stripe secret key", Ko: "Stripe 비밀 키"},
		Severity:      finding.High,
		ExactKeywords: []string{"sk_live_", "rk_live_", "sk_test_", "rk_test_", "sk_prod_", "rk_prod_"},
		Find:          findStripe,
		TruePositives: []string{
			`STRIPE_KEY=sk_live_51HqL2bK8mN3pQ5rS7tV9wX1yZ3aB5cD7eF9gH1`,
			`stripe.api_key = "rk_live_9aB8cD7eF6gH5iJ4kL3mN2"`,
		},
		FalsePositives: []string{
			`sk_live_xxxxxxxxxxxxxxxxxxxxxxxx`,
			`task_live_counter = 3`,
		},
	})
}
