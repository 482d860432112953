package audit

import (
	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

func init() {
	addSamples(
		sample{check: "security-contact", name: "set", want: finding.Pass},
		sample{check: "security-contact", name: "only billing set", want: finding.Fail, mutate: func(s *inventory.Snapshot) {
			s.Services.AlternateContacts = map[string]*inventory.AlternateContact{"BILLING": {Email: "b@example.com"}, "SECURITY": nil}
		}},
		sample{check: "security-contact", name: "denied", want: finding.Unknown, missing: "account:GetAlternateContact", mutate: denied("account", "", "GetAlternateContact")},
	)
}
