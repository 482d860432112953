package audit

import (
	"github.com/accountguard/accountguard/internal/finding"
)

// The contacts family: the SECURITY alternate contact is where AWS sends abuse and
// leaked-key notices; without it they go only to the root email, which is often unread.

func init() {
	register(&Check{
		ID: "security-contact", Family: "contacts", Practice: PracticeAudit, Severity: finding.Medium,
		Title:       finding.Text{En: "The SECURITY alternate contact is set", Ko: "보안(SECURITY) 대체 연락처가 설정됨"},
		Remediation: finding.Text{En: "Set the SECURITY alternate contact to a monitored team address (accountguard audit --fix --security-email team@example.com).", Ko: "보안 대체 연락처를 팀이 확인하는 주소로 설정하세요 (accountguard audit --fix --security-email team@example.com)."},
		CIS7:        "2.2", CIS3: "1.2", FSBP: []string{"Account.1"}, Fix: "security-contact",
		Run: func(x *Ctx) []Result {
			if r, bad := x.missing("account", "", "GetAlternateContact"); bad {
				return []Result{r}
			}
			if x.Snap.Services == nil || x.Snap.Services.AlternateContacts == nil {
				return []Result{x.notCollected("alternate contacts")}
			}
			if c := x.Snap.Services.AlternateContacts["SECURITY"]; c != nil && c.Email != "" {
				return []Result{x.pass("AwsAccount", x.accountARN(), finding.Text{})}
			}
			return []Result{x.fail("AwsAccount", x.accountARN(), finding.Text{En: "no SECURITY alternate contact: AWS's abuse notices reach only the root email", Ko: "보안 대체 연락처가 없어 AWS의 악용 알림이 루트 이메일로만 갑니다"})}
		},
	})
}
