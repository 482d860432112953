package audit

import (
	"fmt"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

// The cloudtrail family: a multi-region trail that logs every management event, with
// integrity validation and encryption, into a bucket the public cannot read.

func init() {
	register(&Check{
		ID: "trail-multi-region", Family: "cloudtrail", Practice: PracticeTrail, Severity: finding.High,
		Title:       finding.Text{En: "A multi-region CloudTrail trail is logging read and write management events", Ko: "다중 리전 CloudTrail 추적이 읽기·쓰기 관리 이벤트를 기록 중"},
		Remediation: finding.Text{En: "Create a multi-region trail that logs all management events and start logging (accountguard audit --fix creates one).", Ko: "모든 관리 이벤트를 기록하는 다중 리전 추적을 만들고 로깅을 시작하세요 (accountguard audit --fix가 만들어 줍니다)."},
		CIS7:        "4.1", CIS3: "3.1", FSBP: []string{"CloudTrail.1", "CloudTrail.3"}, Fix: "trail",
		Run: func(x *Ctx) []Result {
			trails, r, ok := x.trails()
			if !ok {
				return []Result{r}
			}
			var why []string
			unknown := ""
			for _, t := range trails {
				problems := trailProblems(t)
				if len(problems) == 0 {
					return []Result{{Status: finding.Pass, ResourceType: "AwsCloudTrailTrail", Resource: t.ARN, Region: t.HomeRegion}}
				}
				if t.MultiRegion && (t.IsLogging == nil || !t.SelectorsKnown) {
					if rr, bad := x.missing("cloudtrail", "", "GetTrailStatus", "GetEventSelectors"); bad && unknown == "" {
						unknown = rr.Missing
						r = rr
					}
				}
				why = append(why, t.Name+": "+strings.Join(problems, ", "))
			}
			if unknown != "" || r.Status == finding.Unknown {
				return []Result{r}
			}
			if len(why) == 0 {
				return []Result{x.fail("AwsAccount", x.accountARN(), finding.Text{En: "the account has no trail", Ko: "계정에 추적이 없습니다"})}
			}
			list := strings.Join(why, "; ")
			return []Result{x.fail("AwsAccount", x.accountARN(), finding.Text{En: "no trail qualifies: " + list, Ko: "조건을 만족하는 추적이 없습니다: " + list})}
		},
	})
	register(&Check{
		ID: "trail-log-validation", Family: "cloudtrail", Practice: PracticeTrail, Severity: finding.Medium,
		Title:       finding.Text{En: "CloudTrail log file validation is enabled", Ko: "CloudTrail 로그 파일 검증이 활성화됨"},
		Remediation: finding.Text{En: "Enable log file validation on the trail (aws cloudtrail update-trail --enable-log-file-validation), so tampering with delivered logs can be detected.", Ko: "추적에서 로그 파일 검증을 켜서(aws cloudtrail update-trail --enable-log-file-validation) 전달된 로그의 변조를 탐지할 수 있게 하세요."},
		CIS7:        "4.2", CIS3: "3.2", FSBP: []string{"CloudTrail.4"},
		Run: func(x *Ctx) []Result {
			return x.eachTrail(func(t inventory.Trail) (finding.Status, string, string) {
				if t.LogFileValidation {
					return finding.Pass, "", ""
				}
				return finding.Fail, "trail " + t.Name + " does not validate its log files", "추적 " + t.Name + "이(가) 로그 파일을 검증하지 않습니다"
			})
		},
	})
	register(&Check{
		ID: "trail-kms", Family: "cloudtrail", Practice: PracticeTrail, Severity: finding.Medium,
		Title:       finding.Text{En: "CloudTrail logs are encrypted with a KMS key", Ko: "CloudTrail 로그가 KMS 키로 암호화됨"},
		Remediation: finding.Text{En: "Configure the trail to encrypt logs with a customer managed KMS key (SSE-KMS), so reading them needs kms:Decrypt too.", Ko: "추적이 고객 관리형 KMS 키(SSE-KMS)로 로그를 암호화하도록 설정해 로그를 읽으려면 kms:Decrypt 권한도 필요하게 하세요."},
		CIS7:        "4.5", CIS3: "3.5", FSBP: []string{"CloudTrail.2"},
		Run: func(x *Ctx) []Result {
			return x.eachTrail(func(t inventory.Trail) (finding.Status, string, string) {
				if t.KMSKeyID != "" {
					return finding.Pass, "", ""
				}
				return finding.Fail, "trail " + t.Name + " logs are not KMS-encrypted", "추적 " + t.Name + "의 로그가 KMS로 암호화되지 않았습니다"
			})
		},
	})
	register(&Check{
		ID: "trail-bucket-public", Family: "cloudtrail", Practice: PracticeTrail, Severity: finding.Critical,
		Title:       finding.Text{En: "CloudTrail log buckets are not public", Ko: "CloudTrail 로그 버킷이 공개되지 않음"},
		Remediation: finding.Text{En: "Turn on S3 Block Public Access for the trail's bucket and remove any public grant from its policy and ACL.", Ko: "추적 버킷에 S3 퍼블릭 액세스 차단을 켜고 버킷 정책과 ACL에서 공개 권한을 삭제하세요."},
		CIS7:        "4.4", CIS3: "", FSBP: []string{"CloudTrail.6"},
		Run: func(x *Ctx) []Result {
			if trails, _, ok := x.trails(); ok && len(trails) == 0 {
				return nil // no trail, no trail bucket: trail-multi-region reports the missing trail
			}
			return x.eachTrail(func(t inventory.Trail) (finding.Status, string, string) {
				switch {
				case t.BucketPublic == nil:
					return finding.Unknown, "", ""
				case *t.BucketPublic:
					return finding.Fail, "bucket " + t.S3Bucket + " of trail " + t.Name + " is public", "추적 " + t.Name + "의 버킷 " + t.S3Bucket + "이(가) 공개되어 있습니다"
				}
				return finding.Pass, "", ""
			})
		},
	})
}

// trailProblems says why a trail does not meet CIS 4.1 (empty: it does).
func trailProblems(t inventory.Trail) []string {
	var p []string
	if !t.MultiRegion {
		p = append(p, "single-region")
	}
	if t.IsLogging == nil || !*t.IsLogging {
		p = append(p, "not logging")
	}
	if !t.SelectorsKnown || !t.ManagementRead || !t.ManagementWrite {
		p = append(p, "does not log read and write management events")
	}
	return p
}

// trails returns the collected trails, or the unknown result.
func (x *Ctx) trails() ([]inventory.Trail, Result, bool) {
	if r, bad := x.missing("cloudtrail", "", "DescribeTrails"); bad {
		return nil, r, false
	}
	if x.Snap.Services == nil || x.Snap.Services.Trails == nil {
		return nil, x.notCollected("CloudTrail trails"), false
	}
	return x.Snap.Services.Trails, Result{}, true
}

// eachTrail judges every trail; with no trail at all the check fails (nothing is protected).
func (x *Ctx) eachTrail(judge func(t inventory.Trail) (finding.Status, string, string)) []Result {
	trails, r, ok := x.trails()
	if !ok {
		return []Result{r}
	}
	if len(trails) == 0 {
		return []Result{x.fail("AwsAccount", x.accountARN(), finding.Text{En: "the account has no trail", Ko: "계정에 추적이 없습니다"})}
	}
	var out []Result
	for _, t := range trails {
		st, en, ko := judge(t)
		r := Result{Status: st, Region: t.HomeRegion, ResourceType: "AwsCloudTrailTrail", Resource: t.ARN, Detail: finding.Text{En: en, Ko: ko}}
		if st == finding.Unknown {
			r.Detail = finding.Text{En: fmt.Sprintf("not evaluated: the status of bucket %s could not be read", t.S3Bucket), Ko: fmt.Sprintf("평가하지 못함: 버킷 %s의 상태를 읽지 못했습니다", t.S3Bucket)}
			if m, bad := x.missing("s3", "", "GetBucketPolicyStatus", "GetPublicAccessBlock"); bad {
				r.Missing = m.Missing
				r.Detail = m.Detail
			}
		}
		out = append(out, r)
	}
	return out
}
