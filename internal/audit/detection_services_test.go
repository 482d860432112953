package audit

import (
	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

func init() {
	addSamples(
		sample{check: "guardduty-all-regions", name: "every region", want: finding.Pass},
		sample{check: "guardduty-all-regions", name: "disabled region ignored", want: finding.Pass, mutate: func(s *inventory.Snapshot) { s.Services.GuardDuty["af-south-1"] = nil }},
		sample{check: "guardduty-all-regions", name: "missing in eu-west-1", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Services.GuardDuty["eu-west-1"] = nil }},
		sample{check: "guardduty-all-regions", name: "suspended", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Services.GuardDuty["us-east-1"].Status = "DISABLED" }},
		sample{check: "guardduty-all-regions", name: "denied", want: finding.Unknown, missing: "guardduty:ListDetectors", mutate: denied("guardduty", "eu-west-1", "ListDetectors")},
		sample{check: "guardduty-all-regions", name: "region not read", want: finding.Unknown, mutate: func(s *inventory.Snapshot) { delete(s.Services.GuardDuty, "eu-west-1") }},
		sample{check: "config-recording", name: "recording", want: finding.Pass},
		sample{check: "config-recording", name: "no recorder", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Services.ConfigRecorders["eu-west-1"] = []inventory.ConfigRecorder{} }},
		sample{check: "config-recording", name: "stopped", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Services.ConfigRecorders["us-east-1"][0].Recording = false }},
		sample{check: "config-recording", name: "denied", want: finding.Unknown, missing: "config:DescribeConfigurationRecorders", mutate: denied("config", "us-east-1", "DescribeConfigurationRecorders")},
		sample{check: "securityhub-enabled", name: "enabled", want: finding.Pass},
		sample{check: "securityhub-enabled", name: "not subscribed", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Services.SecurityHub["us-east-1"] = nil }},
		sample{check: "securityhub-enabled", name: "denied", want: finding.Unknown, missing: "securityhub:DescribeHub", mutate: denied("securityhub", "us-east-1", "DescribeHub")},
	)
}
