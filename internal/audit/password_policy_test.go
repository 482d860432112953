package audit

import (
	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

func init() {
	addSamples(
		sample{check: "password-length", name: "14", want: finding.Pass},
		sample{check: "password-length", name: "none set (NoSuchEntity is not a failure to read)", want: finding.Fail, mutate: func(s *inventory.Snapshot) {
			s.IAM.PasswordPolicy = nil
			s.Errors = append(s.Errors, inventory.CollectionError{Service: "iam", Operation: "GetAccountPasswordPolicy", Code: "NoSuchEntity", Message: "none"})
		}},
		sample{check: "password-length", name: "13", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.PasswordPolicy.MinimumLength = 13 }},
		sample{check: "password-length", name: "denied", want: finding.Unknown, missing: "iam:GetAccountPasswordPolicy", mutate: denied("iam", "", "GetAccountPasswordPolicy")},
		sample{check: "password-reuse", name: "24", want: finding.Pass},
		sample{check: "password-reuse", name: "5", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.PasswordPolicy.ReusePrevention = 5 }},
		sample{check: "password-reuse", name: "none set", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.PasswordPolicy = nil }},
		sample{check: "password-reuse", name: "denied", want: finding.Unknown, missing: "iam:GetAccountPasswordPolicy", mutate: denied("iam", "", "GetAccountPasswordPolicy")},
	)
}
