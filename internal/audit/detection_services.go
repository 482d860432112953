package audit

import (
	"github.com/accountguard/accountguard/internal/finding"
)

// The detection-services family: GuardDuty, AWS Config and Security Hub in every enabled
// region (an attacker goes where nobody looks).

func init() {
	register(&Check{
		ID: "guardduty-all-regions", Family: "detection-services", Practice: PracticeAudit, Severity: finding.High,
		Title:       finding.Text{En: "GuardDuty is enabled in every enabled region", Ko: "활성화된 모든 리전에서 GuardDuty가 켜져 있음"},
		Remediation: finding.Text{En: "Enable GuardDuty in each listed region (accountguard audit --fix creates the detectors); it flags crypto-mining and credential misuse.", Ko: "표시된 각 리전에서 GuardDuty를 켜세요 (accountguard audit --fix가 탐지기를 만듭니다). 암호화폐 채굴과 자격 증명 오용을 알려 줍니다."},
		FSBP:        []string{"GuardDuty.1"}, Fix: "guardduty",
		Run: func(x *Ctx) []Result {
			return x.eachRegion("guardduty", []string{"ListDetectors", "GetDetector"}, "GuardDuty", func(region string) (bool, bool, finding.Text) {
				m := x.Snap.Services.GuardDuty
				if m == nil {
					return false, false, finding.Text{}
				}
				d, ok := m[region]
				switch {
				case !ok:
					return false, false, finding.Text{}
				case d == nil:
					return true, false, finding.Text{En: "GuardDuty has no detector in " + region, Ko: region + "에 GuardDuty 탐지기가 없습니다"}
				case d.Status != "ENABLED":
					return true, false, finding.Text{En: "GuardDuty detector " + d.ID + " in " + region + " is " + d.Status, Ko: region + "의 GuardDuty 탐지기 " + d.ID + " 상태: " + d.Status}
				}
				return true, true, finding.Text{}
			})
		},
	})
	register(&Check{
		ID: "config-recording", Family: "detection-services", Practice: PracticeAudit, Severity: finding.Medium,
		Title:       finding.Text{En: "AWS Config is recording in every enabled region", Ko: "활성화된 모든 리전에서 AWS Config가 기록 중"},
		Remediation: finding.Text{En: "Create a configuration recorder for all supported resources with a delivery channel and start it in each listed region.", Ko: "표시된 각 리전에서 모든 지원 리소스를 기록하는 구성 레코더와 전달 채널을 만들고 시작하세요."},
		CIS7:        "4.3", CIS3: "3.3", FSBP: []string{"Config.1"},
		Run: func(x *Ctx) []Result {
			return x.eachRegion("config", []string{"DescribeConfigurationRecorders", "DescribeConfigurationRecorderStatus"}, "AWS Config", func(region string) (bool, bool, finding.Text) {
				m := x.Snap.Services.ConfigRecorders
				if m == nil {
					return false, false, finding.Text{}
				}
				recs, ok := m[region]
				if !ok {
					return false, false, finding.Text{}
				}
				for _, r := range recs {
					if r.Recording && r.AllSupported {
						return true, true, finding.Text{}
					}
				}
				if len(recs) == 0 {
					return true, false, finding.Text{En: "AWS Config has no recorder in " + region, Ko: region + "에 AWS Config 레코더가 없습니다"}
				}
				return true, false, finding.Text{En: "the AWS Config recorder in " + region + " is not recording all resources", Ko: region + "의 AWS Config 레코더가 모든 리소스를 기록하지 않습니다"}
			})
		},
	})
	register(&Check{
		ID: "securityhub-enabled", Family: "detection-services", Practice: PracticeAudit, Severity: finding.Medium,
		Title:       finding.Text{En: "Security Hub is enabled in every enabled region", Ko: "활성화된 모든 리전에서 Security Hub가 켜져 있음"},
		Remediation: finding.Text{En: "Enable Security Hub with the AWS Foundational Security Best Practices standard in each listed region.", Ko: "표시된 각 리전에서 AWS 기본 보안 모범 사례 표준과 함께 Security Hub를 켜세요."},
		CIS7:        "5.16", CIS3: "4.16",
		Run: func(x *Ctx) []Result {
			return x.eachRegion("securityhub", []string{"DescribeHub"}, "Security Hub", func(region string) (bool, bool, finding.Text) {
				m := x.Snap.Services.SecurityHub
				if m == nil {
					return false, false, finding.Text{}
				}
				h, ok := m[region]
				switch {
				case !ok:
					return false, false, finding.Text{}
				case h == nil:
					return true, false, finding.Text{En: "Security Hub is not enabled in " + region, Ko: region + "에서 Security Hub가 꺼져 있습니다"}
				}
				return true, true, finding.Text{}
			})
		},
	})
}

// eachRegion judges a regional service in every enabled region. judge returns whether the
// region was collected, whether it passes, and what is wrong.
func (x *Ctx) eachRegion(service string, ops []string, what string, judge func(region string) (known, good bool, detail finding.Text)) []Result {
	if len(x.regions()) == 0 {
		return []Result{x.noRegions()}
	}
	var out []Result
	for _, region := range x.regions() {
		if r, bad := x.missing(service, region, ops...); bad {
			r.Region = region
			out = append(out, r)
			continue
		}
		if x.Snap.Services == nil {
			out = append(out, x.notCollected(what))
			return out
		}
		known, good, detail := judge(region)
		r := Result{Region: region, ResourceType: "AwsAccount", Resource: x.accountARN(), Detail: detail}
		switch {
		case !known:
			r = x.regionNotCollected(region)
			r.Detail.En = "not evaluated: " + what + " was not collected in " + region
		case good:
			r.Status = finding.Pass
		default:
			r.Status = finding.Fail
		}
		out = append(out, r)
	}
	return out
}
