package audit

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

// The iam-users family: console users, unused credentials, how permissions are granted, and
// AWS's own compromise signal (the quarantine policy).

func init() {
	register(&Check{
		ID: "iam-console-mfa", Family: "iam-users", Practice: PracticeMFA, Severity: finding.High,
		Title:       finding.Text{En: "Every IAM user with a console password has MFA", Ko: "콘솔 비밀번호가 있는 모든 IAM 사용자에 MFA가 있음"},
		Remediation: finding.Text{En: "Have each listed user assign an MFA device (IAM > Users > Security credentials), or delete the console password if the user does not need it.", Ko: "표시된 각 사용자가 MFA 디바이스를 할당하게 하거나(IAM > 사용자 > 보안 자격 증명), 필요 없으면 콘솔 비밀번호를 삭제하세요."},
		CIS7:        "2.10", CIS3: "1.10", FSBP: []string{"IAM.5"},
		Run: func(x *Ctx) []Result {
			if r, ok := x.iamUnknown("GetLoginProfile", "ListMFADevices"); ok {
				return []Result{r}
			}
			var out []Result
			for _, u := range x.Snap.IAM.Users {
				if u.LoginProfile == nil {
					continue
				}
				if len(u.MFADevices) == 0 {
					out = append(out, userResult(finding.Fail, u.ARN, finding.Text{En: "user " + u.Name + " can sign in to the console without MFA", Ko: "사용자 " + u.Name + "이(가) MFA 없이 콘솔에 로그인할 수 있습니다"}))
				} else {
					out = append(out, userResult(finding.Pass, u.ARN, finding.Text{}))
				}
			}
			return out
		},
	})
	register(&Check{
		ID: "iam-unused-credentials", Family: "iam-users", Practice: PracticeKeys, Severity: finding.Medium,
		Title:       finding.Text{En: "No credentials unused for 45 days or more", Ko: "45일 이상 사용하지 않은 자격 증명이 없음"},
		Remediation: finding.Text{En: "Deactivate access keys and remove console passwords that have not been used for 45 days (aws iam update-access-key --status Inactive; aws iam delete-login-profile).", Ko: "45일 동안 사용하지 않은 액세스 키는 비활성화하고 콘솔 비밀번호는 삭제하세요 (aws iam update-access-key --status Inactive; aws iam delete-login-profile)."},
		CIS7:        "2.11", CIS3: "1.12", FSBP: []string{"IAM.22"},
		Run: func(x *Ctx) []Result {
			if r, ok := x.iamUnknown("ListAccessKeys", "GetAccessKeyLastUsed", "GetLoginProfile"); ok {
				return []Result{r}
			}
			const limit = 45 * 24 * time.Hour
			var out []Result
			for _, u := range x.Snap.IAM.Users {
				var stale []string
				if u.LoginProfile != nil {
					used := x.passwordLastUsed(&u)
					last := u.LoginProfile.Created
					if used != nil {
						last = *used
					}
					if x.Now.Sub(last) >= limit {
						stale = append(stale, fmt.Sprintf("console password (%s)", lastUse(used, x.Now)))
					}
				}
				for _, k := range u.AccessKeys {
					if k.Status != "Active" {
						continue
					}
					last := k.Created
					if k.LastUsed != nil {
						last = *k.LastUsed
					}
					if x.Now.Sub(last) >= limit {
						stale = append(stale, fmt.Sprintf("access key %s (%s)", k.ID, lastUse(k.LastUsed, x.Now)))
					}
				}
				if len(stale) > 0 {
					list := strings.Join(stale, ", ")
					out = append(out, userResult(finding.Fail, u.ARN, finding.Text{En: "user " + u.Name + ": " + list, Ko: "사용자 " + u.Name + ": 45일 이상 미사용 — " + list}))
				} else if u.LoginProfile != nil || len(u.AccessKeys) > 0 {
					out = append(out, userResult(finding.Pass, u.ARN, finding.Text{}))
				}
			}
			return out
		},
	})
	register(&Check{
		ID: "iam-direct-policies", Family: "iam-users", Practice: PracticeAudit, Severity: finding.Low,
		Title:       finding.Text{En: "IAM users receive permissions only through groups", Ko: "IAM 사용자는 그룹을 통해서만 권한을 받음"},
		Remediation: finding.Text{En: "Move the listed users' policies to groups (or roles) and detach them from the users.", Ko: "표시된 사용자의 정책을 그룹(또는 역할)으로 옮기고 사용자에서 분리하세요."},
		CIS7:        "2.13", CIS3: "1.15", FSBP: []string{"IAM.2"},
		Run: func(x *Ctx) []Result {
			if r, ok := x.iamUnknown("ListAttachedUserPolicies", "ListUserPolicies"); ok {
				return []Result{r}
			}
			var out []Result
			for _, u := range x.Snap.IAM.Users {
				var names []string
				for _, p := range u.AttachedPolicies {
					if !strings.HasPrefix(p.Name, "AWSCompromisedKeyQuarantine") { // AWS attached it; its own check reports it
						names = append(names, p.Name)
					}
				}
				for _, p := range u.InlinePolicies {
					names = append(names, p.Name+" (inline)")
				}
				if len(names) > 0 {
					list := strings.Join(names, ", ")
					out = append(out, userResult(finding.Fail, u.ARN, finding.Text{En: "user " + u.Name + " has policies of its own: " + list, Ko: "사용자 " + u.Name + "에 직접 연결된 정책: " + list}))
				} else {
					out = append(out, userResult(finding.Pass, u.ARN, finding.Text{}))
				}
			}
			return out
		},
	})
	register(&Check{
		ID: "iam-admin-users", Family: "iam-users", Practice: PracticeAudit, Severity: finding.High,
		Title:       finding.Text{En: "No IAM user holds AdministratorAccess or a \"*:*\" policy", Ko: "AdministratorAccess나 \"*:*\" 정책을 가진 IAM 사용자가 없음"},
		Remediation: finding.Text{En: "Replace full administrator rights of the listed users with the permissions their work needs; keep administration in a role assumed with MFA.", Ko: "표시된 사용자의 전체 관리자 권한을 업무에 필요한 권한으로 바꾸고, 관리 작업은 MFA로 맡는 역할에서 하세요."},
		CIS7:        "2.14", CIS3: "1.16", FSBP: []string{"IAM.1"},
		Run: func(x *Ctx) []Result {
			if r, ok := x.iamUnknown("ListAttachedUserPolicies", "ListUserPolicies", "GetUserPolicy", "ListGroupsForUser"); ok {
				return []Result{r}
			}
			var out []Result
			for _, u := range x.Snap.IAM.Users {
				if via := x.adminVia(&u); len(via) > 0 {
					list := strings.Join(via, ", ")
					out = append(out, userResult(finding.Fail, u.ARN, finding.Text{En: "user " + u.Name + " has full administrator rights via " + list, Ko: "사용자 " + u.Name + "이(가) 전체 관리자 권한을 가짐: " + list}))
				} else {
					out = append(out, userResult(finding.Pass, u.ARN, finding.Text{}))
				}
			}
			return out
		},
	})
	register(&Check{
		ID: "iam-quarantine-policy", Family: "iam-users", Practice: PracticeKeys, Severity: finding.Critical,
		Title:       finding.Text{En: "No user carries AWS's compromised-key quarantine policy", Ko: "AWS의 유출 키 격리 정책이 연결된 사용자가 없음"},
		Remediation: finding.Text{En: "AWS found this user's access key in public and quarantined it: run `accountguard check` now, deactivate and replace the key, review what it did in CloudTrail, and answer the AWS support case. Detach the policy only afterwards.", Ko: "AWS가 이 사용자의 액세스 키가 공개된 것을 발견해 격리했습니다. 지금 `accountguard check`를 실행하고, 키를 비활성화·교체하고, CloudTrail에서 한 일을 확인한 뒤 AWS 지원 케이스에 답하세요. 정책 분리는 그 다음에 하세요."},
		FSBP:        nil,
		Run: func(x *Ctx) []Result {
			if r, ok := x.iamUnknown("ListAttachedUserPolicies"); ok {
				return []Result{r}
			}
			var out []Result
			for _, u := range x.Snap.IAM.Users {
				if p := u.QuarantinePolicy(); p != "" {
					out = append(out, userResult(finding.Fail, u.ARN, finding.Text{En: "AWS attached " + p + " to user " + u.Name + ": its access key was found exposed in public", Ko: "AWS가 사용자 " + u.Name + "에 " + p + "를 연결했습니다: 액세스 키가 공개적으로 노출된 것이 발견되었습니다"}))
				}
			}
			return out
		},
	})
}

// adminVia lists how a user gets full administrator rights: attached or inline policies, or groups.
func (x *Ctx) adminVia(u *inventory.User) []string {
	var via []string
	customAdmin := func(arn string) bool {
		for _, p := range x.Snap.IAM.Policies {
			if p.ARN == arn && allowsAll(p.Document) {
				return true
			}
		}
		return false
	}
	for _, p := range u.AttachedPolicies {
		if isAdminPolicyARN(p.ARN) || customAdmin(p.ARN) {
			via = append(via, p.Name)
		}
	}
	for _, p := range u.InlinePolicies {
		if allowsAll(p.Document) {
			via = append(via, p.Name+" (inline)")
		}
	}
	for _, g := range x.Snap.IAM.Groups {
		if !slices.Contains(u.Groups, g.Name) {
			continue
		}
		for _, p := range g.AttachedPolicies {
			if isAdminPolicyARN(p.ARN) || customAdmin(p.ARN) {
				via = append(via, "group "+g.Name+" ("+p.Name+")")
			}
		}
		for _, p := range g.InlinePolicies {
			if allowsAll(p.Document) {
				via = append(via, "group "+g.Name+" ("+p.Name+", inline)")
			}
		}
	}
	return via
}

func lastUse(t *time.Time, now time.Time) string {
	if t == nil {
		return "never used"
	}
	return fmt.Sprintf("last used %d days ago", days(now.Sub(*t)))
}

// passwordLastUsed is when the user last signed in with the password: from the user, else
// from the credential report (ListUsers leaves it out for users who never signed in, and
// collectors may read it from the report only).
func (x *Ctx) passwordLastUsed(u *inventory.User) *time.Time {
	if u.PasswordLastUsed != nil {
		return u.PasswordLastUsed
	}
	for _, row := range x.Snap.IAM.CredentialReport {
		if row.User == u.Name {
			if t, ok := row.PasswordLastUsed.Get(); ok {
				return &t
			}
		}
	}
	return nil
}
