package audit

import (
	"fmt"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
)

// The access-keys family: how old the active keys are and how many a user holds.

func init() {
	register(&Check{
		ID: "key-rotation-90d", Family: "access-keys", Practice: PracticeKeys, Severity: finding.Medium,
		Title:       finding.Text{En: "Active access keys are younger than 90 days", Ko: "활성 액세스 키가 90일 이내에 교체됨"},
		Remediation: finding.Text{En: "Rotate each listed key: create a second key, move the applications to it, deactivate the old one, then delete it. Better: replace long-term keys with roles or IAM Identity Center.", Ko: "표시된 키를 교체하세요: 새 키를 만들어 애플리케이션을 옮기고, 기존 키를 비활성화한 뒤 삭제합니다. 가능하면 장기 키 대신 역할이나 IAM Identity Center를 쓰세요."},
		CIS7:        "2.12", CIS3: "1.14", FSBP: []string{"IAM.3"},
		Run: func(x *Ctx) []Result {
			if r, ok := x.iamUnknown("ListAccessKeys"); ok {
				return []Result{r}
			}
			var out []Result
			for _, u := range x.Snap.IAM.Users {
				for _, k := range u.AccessKeys {
					if k.Status != "Active" {
						continue
					}
					age := x.Now.Sub(k.Created)
					r := Result{ResourceType: "AwsIamAccessKey", Resource: k.ID, Status: finding.Pass}
					if age >= 90*24*time.Hour {
						r.Status = finding.Fail
						r.Detail = finding.Text{En: fmt.Sprintf("user %s: access key %s is %d days old", u.Name, k.ID, days(age)),
							Ko: fmt.Sprintf("사용자 %s: 액세스 키 %s가 %d일 되었습니다", u.Name, k.ID, days(age))}
					}
					out = append(out, r)
				}
			}
			return out
		},
	})
	register(&Check{
		ID: "key-two-active", Family: "access-keys", Practice: PracticeKeys, Severity: finding.Low,
		Title:       finding.Text{En: "No user has two active access keys", Ko: "활성 액세스 키가 두 개인 사용자가 없음"},
		Remediation: finding.Text{En: "Keep one active key per user; a second key is for rotation only, and an unexpected one may have been created by an attacker: check who created it in CloudTrail (CreateAccessKey).", Ko: "사용자당 활성 키는 하나만 두세요. 두 번째 키는 교체용일 뿐이며, 예상치 못한 키는 공격자가 만들었을 수 있습니다: CloudTrail의 CreateAccessKey에서 누가 만들었는지 확인하세요."},
		Run: func(x *Ctx) []Result {
			if r, ok := x.iamUnknown("ListAccessKeys"); ok {
				return []Result{r}
			}
			var out []Result
			for _, u := range x.Snap.IAM.Users {
				active := 0
				for _, k := range u.AccessKeys {
					if k.Status == "Active" {
						active++
					}
				}
				switch {
				case active >= 2:
					out = append(out, userResult(finding.Fail, u.ARN, finding.Text{En: fmt.Sprintf("user %s has %d active access keys", u.Name, active), Ko: fmt.Sprintf("사용자 %s에 활성 액세스 키가 %d개 있습니다", u.Name, active)}))
				case active == 1:
					out = append(out, userResult(finding.Pass, u.ARN, finding.Text{}))
				}
			}
			return out
		},
	})
}
