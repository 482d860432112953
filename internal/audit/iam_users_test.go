package audit

import (
	"time"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

func init() {
	addSamples(
		sample{check: "iam-console-mfa", name: "console user with mfa", want: finding.Pass},
		sample{check: "iam-console-mfa", name: "key-only user without mfa", want: finding.Pass, mutate: func(s *inventory.Snapshot) { s.IAM.Users[1].MFADevices = nil }},
		sample{check: "iam-console-mfa", name: "console user without mfa", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.Users[0].MFADevices = nil }},
		sample{check: "iam-console-mfa", name: "mfa list denied", want: finding.Unknown, missing: "iam:ListMFADevices", mutate: denied("iam", "", "ListMFADevices")},
		sample{check: "iam-console-mfa", name: "users denied", want: finding.Unknown, missing: "iam:ListUsers", mutate: denied("iam", "", "ListUsers")},
		sample{check: "iam-unused-credentials", name: "all used recently", want: finding.Pass},
		sample{check: "iam-unused-credentials", name: "inactive old key ignored", want: finding.Pass, mutate: func(s *inventory.Snapshot) { s.IAM.Users[1].AccessKeys[1].LastUsed = ago(300) }},
		sample{check: "iam-unused-credentials", name: "key unused 60 days", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.Users[1].AccessKeys[0].LastUsed = ago(60) }},
		sample{check: "iam-unused-credentials", name: "password never used, old profile", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.Users[0].PasswordLastUsed = nil }},
		sample{check: "iam-unused-credentials", name: "key last-used denied", want: finding.Unknown, missing: "iam:GetAccessKeyLastUsed", mutate: denied("iam", "", "GetAccessKeyLastUsed")},
		sample{check: "iam-direct-policies", name: "groups only", want: finding.Pass},
		sample{check: "iam-direct-policies", name: "quarantine policy is not the user's own", want: finding.Pass, mutate: func(s *inventory.Snapshot) {
			s.IAM.Users[1].AttachedPolicies = []inventory.AttachedPolicy{{Name: "AWSCompromisedKeyQuarantineV3", ARN: "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"}}
		}},
		sample{check: "iam-direct-policies", name: "attached to user", want: finding.Fail, mutate: func(s *inventory.Snapshot) {
			s.IAM.Users[1].AttachedPolicies = []inventory.AttachedPolicy{{Name: "AmazonS3ReadOnlyAccess", ARN: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}}
		}},
		sample{check: "iam-direct-policies", name: "inline on user", want: finding.Fail, mutate: func(s *inventory.Snapshot) {
			s.IAM.Users[0].InlinePolicies = []inventory.InlinePolicy{{Name: "x", Document: `{}`}}
		}},
		sample{check: "iam-direct-policies", name: "denied", want: finding.Unknown, missing: "iam:ListAttachedUserPolicies", mutate: denied("iam", "", "ListAttachedUserPolicies")},
		sample{check: "iam-admin-users", name: "power users only", want: finding.Pass},
		sample{check: "iam-admin-users", name: "inline allow with a deny-all is not admin", want: finding.Pass, mutate: func(s *inventory.Snapshot) {
			s.IAM.Users[0].InlinePolicies = []inventory.InlinePolicy{{Name: "deny", Document: `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`}}
		}},
		sample{check: "iam-admin-users", name: "AdministratorAccess attached", want: finding.Fail, mutate: func(s *inventory.Snapshot) {
			s.IAM.Users[1].AttachedPolicies = []inventory.AttachedPolicy{{Name: "AdministratorAccess", ARN: "arn:aws:iam::aws:policy/AdministratorAccess"}}
		}},
		sample{check: "iam-admin-users", name: "inline *:*", want: finding.Fail, mutate: func(s *inventory.Snapshot) {
			s.IAM.Users[0].InlinePolicies = []inventory.InlinePolicy{{Name: "all", Document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["*:*"],"Resource":"*"}}`}}
		}},
		sample{check: "iam-admin-users", name: "via group", want: finding.Fail, mutate: func(s *inventory.Snapshot) {
			s.IAM.Groups[0].AttachedPolicies = []inventory.AttachedPolicy{{Name: "AdministratorAccess", ARN: "arn:aws:iam::aws:policy/AdministratorAccess"}}
		}},
		sample{check: "iam-admin-users", name: "via customer managed *", want: finding.Fail, mutate: func(s *inventory.Snapshot) {
			s.IAM.Policies = []inventory.Policy{{Name: "god", ARN: "arn:aws:iam::111122223333:policy/god", Document: `{"Statement":[{"Effect":"Allow","Action":"*","Resource":["*"]}]}`}}
			s.IAM.Users[1].AttachedPolicies = []inventory.AttachedPolicy{{Name: "god", ARN: "arn:aws:iam::111122223333:policy/god"}}
		}},
		sample{check: "iam-admin-users", name: "denied", want: finding.Unknown, missing: "iam:ListUserPolicies", mutate: denied("iam", "", "ListUserPolicies")},
		sample{check: "iam-quarantine-policy", name: "none", want: finding.Pass},
		sample{check: "iam-quarantine-policy", name: "a look-alike name is not quarantine", want: finding.Pass, mutate: func(s *inventory.Snapshot) {
			s.IAM.Users[1].AttachedPolicies = []inventory.AttachedPolicy{{Name: "MyQuarantine", ARN: "arn:aws:iam::111122223333:policy/MyQuarantine"}}
		}},
		sample{check: "iam-quarantine-policy", name: "V3 attached by AWS", want: finding.Fail, mutate: func(s *inventory.Snapshot) {
			s.IAM.Users[1].AttachedPolicies = []inventory.AttachedPolicy{{Name: "AWSCompromisedKeyQuarantineV3", ARN: "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"}}
		}},
		sample{check: "iam-quarantine-policy", name: "denied", want: finding.Unknown, missing: "iam:ListAttachedUserPolicies", mutate: denied("iam", "", "ListAttachedUserPolicies")},
	)
}

func init() {
	addSamples(sample{check: "iam-unused-credentials", name: "password use only in the credential report", want: finding.Pass, mutate: func(s *inventory.Snapshot) {
		s.IAM.Users[0].PasswordLastUsed = nil
		var row inventory.CredentialReportRow
		row.User = "alice"
		row.PasswordLastUsed = inventory.ReportField[time.Time]{Value: testNow.AddDate(0, 0, -2), Status: inventory.ReportPresent}
		s.IAM.CredentialReport = []inventory.CredentialReportRow{row}
	}})
}
