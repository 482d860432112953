package audit

import (
	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

func init() {
	addSamples(
		sample{check: "root-mfa", name: "mfa", want: finding.Pass},
		sample{check: "root-mfa", name: "no mfa", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.Root.MFAEnabled = false }},
		sample{check: "root-mfa", name: "summary denied", want: finding.Unknown, missing: "iam:GetAccountSummary", mutate: denied("iam", "", "GetAccountSummary")},
		sample{check: "root-hardware-mfa", name: "hardware", want: finding.Pass},
		sample{check: "root-hardware-mfa", name: "virtual", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.Root.HardwareMFA = ptr(false) }},
		sample{check: "root-hardware-mfa", name: "no mfa", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.Root.MFAEnabled = false }},
		sample{check: "root-hardware-mfa", name: "virtual list denied", want: finding.Unknown, missing: "iam:ListVirtualMFADevices", mutate: denied("iam", "", "ListVirtualMFADevices")},
		sample{check: "root-hardware-mfa", name: "kind not known", want: finding.Unknown, mutate: func(s *inventory.Snapshot) { s.IAM.Root.HardwareMFA = nil }},
		sample{check: "root-access-keys", name: "none", want: finding.Pass},
		sample{check: "root-access-keys", name: "one active", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.Root.AccessKeysActive = 1 }},
		sample{check: "root-access-keys", name: "report denied", want: finding.Unknown, missing: "iam:GetCredentialReport", mutate: denied("iam", "", "GetCredentialReport")},
		sample{check: "root-recent-use", name: "200 days ago", want: finding.Pass},
		sample{check: "root-recent-use", name: "never", want: finding.Pass, mutate: func(s *inventory.Snapshot) { s.IAM.Root.PasswordLastUsed = nil }},
		sample{check: "root-recent-use", name: "password 3 days ago", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.Root.PasswordLastUsed = ago(3) }},
		sample{check: "root-recent-use", name: "key 89 days ago", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.IAM.Root.KeyLastUsed = ago(89) }},
		sample{check: "root-recent-use", name: "report denied", want: finding.Unknown, missing: "iam:GenerateCredentialReport", mutate: denied("iam", "", "GenerateCredentialReport")},
	)
}

func init() {
	addSamples(
		sample{check: "root-mfa", name: "summary and report not collected", want: finding.Unknown, mutate: func(s *inventory.Snapshot) {
			delete(s.IAM.Collected, "summary")
			delete(s.IAM.Collected, "credential_report")
		}},
		sample{check: "root-recent-use", name: "report not collected", want: finding.Unknown, mutate: func(s *inventory.Snapshot) { delete(s.IAM.Collected, "credential_report") }},
		sample{check: "iam-console-mfa", name: "users not collected", want: finding.Unknown, mutate: func(s *inventory.Snapshot) { delete(s.IAM.Collected, "users") }},
		sample{check: "password-length", name: "policy not collected", want: finding.Unknown, mutate: func(s *inventory.Snapshot) { delete(s.IAM.Collected, "password_policy") }},
	)
}
