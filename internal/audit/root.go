package audit

import (
	"fmt"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
)

// The root family: the root user is the account; its credentials cannot be limited by IAM.

var rootOps = []string{"GetAccountSummary", "GetCredentialReport", "GenerateCredentialReport"}

func init() {
	register(&Check{
		ID: "root-mfa", Family: "root", Practice: PracticeMFA, Severity: finding.Critical,
		Title:       finding.Text{En: "Root user has MFA enabled", Ko: "루트 사용자에 MFA가 활성화되어 있음"},
		Remediation: finding.Text{En: "Sign in as root, open Security credentials, and assign an MFA device (a hardware key is best). Verify: IAM > Dashboard shows 'Root user has MFA'.", Ko: "루트로 로그인해 보안 자격 증명에서 MFA 디바이스를 할당하세요(하드웨어 키 권장). 확인: IAM 대시보드에 '루트 사용자에 MFA 있음'이 표시됩니다."},
		CIS7:        "2.5", CIS3: "1.5", FSBP: []string{"IAM.9"}, Manual: true,
		Run: func(x *Ctx) []Result {
			if r, ok := x.iamPartsUnknown([]string{"summary", "credential_report"}, rootOps...); ok {
				return []Result{r}
			}
			root := x.Snap.IAM.Root
			if !root.MFAEnabled {
				return []Result{x.fail("AwsAccount", x.accountARN(), finding.Text{En: "the root user has no MFA device", Ko: "루트 사용자에 MFA 디바이스가 없습니다"})}
			}
			return []Result{x.pass("AwsAccount", x.accountARN(), finding.Text{})}
		},
	})
	register(&Check{
		ID: "root-hardware-mfa", Family: "root", Practice: PracticeMFA, Severity: finding.High,
		Title:       finding.Text{En: "Root user uses a hardware MFA device", Ko: "루트 사용자가 하드웨어 MFA를 사용함"},
		Remediation: finding.Text{En: "Sign in as root and replace the virtual MFA with a hardware security key or token. Verify: IAM ListVirtualMFADevices shows no device assigned to root.", Ko: "루트로 로그인해 가상 MFA를 하드웨어 보안 키나 토큰으로 바꾸세요. 확인: ListVirtualMFADevices에 루트에 할당된 디바이스가 없어야 합니다."},
		CIS7:        "2.6", CIS3: "1.6", FSBP: []string{"IAM.6"}, Manual: true,
		Run: func(x *Ctx) []Result {
			if r, ok := x.iamPartsUnknown([]string{"summary", "credential_report"}, append(rootOps, "ListVirtualMFADevices")...); ok {
				return []Result{r}
			}
			root := x.Snap.IAM.Root
			switch {
			case !root.MFAEnabled:
				return []Result{x.fail("AwsAccount", x.accountARN(), finding.Text{En: "the root user has no MFA device at all", Ko: "루트 사용자에 MFA 디바이스가 전혀 없습니다"})}
			case root.HardwareMFA == nil:
				return []Result{{Status: finding.Unknown, ResourceType: "AwsAccount", Resource: x.accountARN(), Missing: "iam:ListVirtualMFADevices",
					Detail: finding.Text{En: "not evaluated: whether root's MFA is virtual is unknown (iam:ListVirtualMFADevices)", Ko: "평가하지 못함: 루트 MFA가 가상인지 알 수 없습니다 (iam:ListVirtualMFADevices)"}}}
			case !*root.HardwareMFA:
				return []Result{x.fail("AwsAccount", x.accountARN(), finding.Text{En: "the root user's MFA is a virtual device", Ko: "루트 사용자의 MFA가 가상 디바이스입니다"})}
			}
			return []Result{x.pass("AwsAccount", x.accountARN(), finding.Text{})}
		},
	})
	register(&Check{
		ID: "root-access-keys", Family: "root", Practice: PracticeKeys, Severity: finding.Critical,
		Title:       finding.Text{En: "Root user has no access keys", Ko: "루트 사용자에 액세스 키가 없음"},
		Remediation: finding.Text{En: "Sign in as root, open Security credentials, and delete every root access key (use IAM users or roles instead). Verify: IAM GetAccountSummary AccountAccessKeysPresent is 0.", Ko: "루트로 로그인해 보안 자격 증명에서 루트 액세스 키를 모두 삭제하세요(대신 IAM 사용자나 역할 사용). 확인: GetAccountSummary의 AccountAccessKeysPresent가 0이어야 합니다."},
		CIS7:        "2.4", CIS3: "1.4", FSBP: []string{"IAM.4"}, Manual: true,
		Run: func(x *Ctx) []Result {
			if r, ok := x.iamPartsUnknown([]string{"summary", "credential_report"}, rootOps...); ok {
				return []Result{r}
			}
			if n := x.Snap.IAM.Root.AccessKeysActive; n > 0 {
				return []Result{x.fail("AwsAccount", x.accountARN(), finding.Text{
					En: fmt.Sprintf("the root user has %d active access key(s)", n), Ko: fmt.Sprintf("루트 사용자에 활성 액세스 키가 %d개 있습니다", n)})}
			}
			return []Result{x.pass("AwsAccount", x.accountARN(), finding.Text{})}
		},
	})
	register(&Check{
		ID: "root-recent-use", Family: "root", Practice: PracticeAudit, Severity: finding.Medium,
		Title:       finding.Text{En: "Root user not used in the last 90 days", Ko: "최근 90일 동안 루트 사용자를 사용하지 않음"},
		Remediation: finding.Text{En: "Use IAM users or roles for daily work; if the root use was not yours, treat the account as compromised (accountguard check). Verify: the credential report's root password_last_used and access_key_*_last_used_date.", Ko: "일상 작업에는 IAM 사용자나 역할을 쓰세요. 본인이 사용한 것이 아니면 계정 탈취로 보고 accountguard check를 실행하세요. 확인: 자격 증명 보고서의 루트 password_last_used와 access_key_*_last_used_date."},
		CIS7:        "2.7", CIS3: "1.7",
		Run: func(x *Ctx) []Result {
			if r, ok := x.iamPartsUnknown([]string{"credential_report"}, "GetCredentialReport", "GenerateCredentialReport"); ok {
				return []Result{r}
			}
			root := x.Snap.IAM.Root
			var last time.Time
			how := ""
			if root.PasswordLastUsed != nil && root.PasswordLastUsed.After(last) {
				last, how = *root.PasswordLastUsed, "password"
			}
			if root.KeyLastUsed != nil && root.KeyLastUsed.After(last) {
				last, how = *root.KeyLastUsed, "access key"
			}
			if !last.IsZero() && x.Now.Sub(last) < 90*24*time.Hour {
				return []Result{x.fail("AwsAccount", x.accountARN(), finding.Text{
					En: fmt.Sprintf("root used its %s %d day(s) ago (%s)", how, days(x.Now.Sub(last)), last.Format(time.DateOnly)),
					Ko: fmt.Sprintf("루트가 %d일 전에 %s를 사용했습니다 (%s)", days(x.Now.Sub(last)), map[string]string{"password": "비밀번호", "access key": "액세스 키"}[how], last.Format(time.DateOnly))})}
			}
			return []Result{x.pass("AwsAccount", x.accountARN(), finding.Text{})}
		},
	})
}
