package audit

import (
	"fmt"

	"github.com/accountguard/accountguard/internal/finding"
)

// The password-policy family: the account password policy's length and reuse rules.

func init() {
	register(&Check{
		ID: "password-length", Family: "password-policy", Practice: PracticeAudit, Severity: finding.Medium,
		Title:       finding.Text{En: "Password policy requires at least 14 characters", Ko: "비밀번호 정책이 14자 이상을 요구함"},
		Remediation: finding.Text{En: "Set the account password policy's minimum length to 14 or more (accountguard audit --fix sets 14 with reuse prevention 24).", Ko: "계정 비밀번호 정책의 최소 길이를 14자 이상으로 설정하세요 (accountguard audit --fix가 길이 14, 재사용 방지 24로 설정합니다)."},
		CIS7:        "2.8", CIS3: "1.8", FSBP: []string{"IAM.15"}, Fix: "password-policy",
		Run: func(x *Ctx) []Result {
			return x.passwordPolicy(func(min, _ int) (bool, finding.Text) {
				return min >= 14, finding.Text{En: fmt.Sprintf("minimum password length is %d", min), Ko: fmt.Sprintf("최소 비밀번호 길이가 %d입니다", min)}
			})
		},
	})
	register(&Check{
		ID: "password-reuse", Family: "password-policy", Practice: PracticeAudit, Severity: finding.Low,
		Title:       finding.Text{En: "Password policy prevents reuse of the last 24 passwords", Ko: "비밀번호 정책이 최근 24개 비밀번호 재사용을 막음"},
		Remediation: finding.Text{En: "Set the account password policy's password reuse prevention to 24.", Ko: "계정 비밀번호 정책의 비밀번호 재사용 방지를 24로 설정하세요."},
		CIS7:        "2.9", CIS3: "1.9", FSBP: []string{"IAM.16"}, Fix: "password-policy",
		Run: func(x *Ctx) []Result {
			return x.passwordPolicy(func(_, reuse int) (bool, finding.Text) {
				return reuse >= 24, finding.Text{En: fmt.Sprintf("password reuse prevention remembers %d passwords", reuse), Ko: fmt.Sprintf("비밀번호 재사용 방지가 %d개만 기억합니다", reuse)}
			})
		},
	})
}

func (x *Ctx) passwordPolicy(ok func(min, reuse int) (bool, finding.Text)) []Result {
	if r, bad := x.missing("iam", "", "GetAccountPasswordPolicy"); bad {
		return []Result{r}
	}
	if !x.Snap.IAM.Collected["password_policy"] {
		return []Result{x.notCollected("IAM password policy")}
	}
	p := x.Snap.IAM.PasswordPolicy
	arn := x.accountARN()
	if p == nil {
		return []Result{x.fail("AwsAccount", arn, finding.Text{En: "the account has no password policy (AWS defaults: 8 characters, reuse allowed)", Ko: "계정에 비밀번호 정책이 없습니다 (AWS 기본값: 8자, 재사용 허용)"})}
	}
	good, detail := ok(p.MinimumLength, p.ReusePrevention)
	if !good {
		return []Result{x.fail("AwsAccount", arn, detail)}
	}
	return []Result{x.pass("AwsAccount", arn, finding.Text{})}
}
