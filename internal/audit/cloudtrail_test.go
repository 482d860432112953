package audit

import (
	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

func init() {
	trail := func(f func(t *inventory.Trail)) func(s *inventory.Snapshot) {
		return func(s *inventory.Snapshot) { f(&s.Services.Trails[0]) }
	}
	noTrails := func(s *inventory.Snapshot) { s.Services.Trails = []inventory.Trail{} }
	addSamples(
		sample{check: "trail-multi-region", name: "logging multi-region", want: finding.Pass},
		sample{check: "trail-multi-region", name: "no trail", want: finding.Fail, mutate: noTrails},
		sample{check: "trail-multi-region", name: "single region", want: finding.Fail, mutate: trail(func(t *inventory.Trail) { t.MultiRegion = false })},
		sample{check: "trail-multi-region", name: "stopped", want: finding.Fail, mutate: trail(func(t *inventory.Trail) { t.IsLogging = ptr(false) })},
		sample{check: "trail-multi-region", name: "write-only", want: finding.Fail, mutate: trail(func(t *inventory.Trail) { t.ManagementRead = false })},
		sample{check: "trail-multi-region", name: "describe denied", want: finding.Unknown, missing: "cloudtrail:DescribeTrails", mutate: denied("cloudtrail", "us-east-1", "DescribeTrails")},
		sample{check: "trail-multi-region", name: "status denied", want: finding.Unknown, missing: "cloudtrail:GetTrailStatus", mutate: func(s *inventory.Snapshot) {
			s.Services.Trails[0].IsLogging = nil
			denied("cloudtrail", "us-east-1", "GetTrailStatus")(s)
		}},
		sample{check: "trail-log-validation", name: "on", want: finding.Pass},
		sample{check: "trail-log-validation", name: "off", want: finding.Fail, mutate: trail(func(t *inventory.Trail) { t.LogFileValidation = false })},
		sample{check: "trail-log-validation", name: "no trail", want: finding.Fail, mutate: noTrails},
		sample{check: "trail-log-validation", name: "denied", want: finding.Unknown, missing: "cloudtrail:DescribeTrails", mutate: denied("cloudtrail", "", "DescribeTrails")},
		sample{check: "trail-kms", name: "kms", want: finding.Pass},
		sample{check: "trail-kms", name: "sse-s3", want: finding.Fail, mutate: trail(func(t *inventory.Trail) { t.KMSKeyID = "" })},
		sample{check: "trail-kms", name: "not collected", want: finding.Unknown, mutate: func(s *inventory.Snapshot) { s.Services.Trails = nil }},
		sample{check: "trail-bucket-public", name: "private", want: finding.Pass},
		sample{check: "trail-bucket-public", name: "no trail, no bucket", want: finding.Pass, mutate: noTrails},
		sample{check: "trail-bucket-public", name: "public", want: finding.Fail, mutate: trail(func(t *inventory.Trail) { t.BucketPublic = ptr(true) })},
		sample{check: "trail-bucket-public", name: "status denied", want: finding.Unknown, missing: "s3:GetBucketPolicyStatus", mutate: func(s *inventory.Snapshot) {
			s.Services.Trails[0].BucketPublic = nil
			denied("s3", "", "GetBucketPolicyStatus")(s)
		}},
	)
}
