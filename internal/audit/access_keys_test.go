package audit

import (
	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

func init() {
	addSamples(
		sample{check: "key-rotation-90d", name: "young keys", want: finding.Pass},
		sample{check: "key-rotation-90d", name: "old inactive key ignored", want: finding.Pass, mutate: func(s *inventory.Snapshot) { s.IAM.Users[1].AccessKeys[1].Created = testNow.AddDate(-2, 0, 0) }},
		sample{check: "key-rotation-90d", name: "active key 91 days old", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.Users[0].AccessKeys[0].Created = testNow.AddDate(0, 0, -91) }},
		sample{check: "key-rotation-90d", name: "denied", want: finding.Unknown, missing: "iam:ListAccessKeys", mutate: denied("iam", "", "ListAccessKeys")},
		sample{check: "key-two-active", name: "one active and one inactive", want: finding.Pass},
		sample{check: "key-two-active", name: "two active", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.Users[1].AccessKeys[1].Status = "Active" }},
		sample{check: "key-two-active", name: "denied", want: finding.Unknown, missing: "iam:ListAccessKeys", mutate: denied("iam", "", "ListAccessKeys")},
	)
}
