package audit

import (
	"regexp"
	"slices"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

// The monitoring family: CloudWatch metric filters and alarms over the trail's log group for
// the CIS monitoring set, judged as one check so an account without any fails once, with the
// list of what is missing.

// MetricAlarm is one CIS monitoring recommendation: a metric filter pattern and its alarm.
type MetricAlarm struct {
	CIS7, CIS3, FSBP string
	Name             string // metric and alarm name used by --fix
	Title            finding.Text
	Pattern          string // CloudWatch Logs filter pattern, as CIS gives it
}

func evnames(source string, names ...string) string {
	var parts []string
	for _, n := range names {
		parts = append(parts, "($.eventName = "+n+")")
	}
	p := strings.Join(parts, " || ")
	if source != "" {
		return "{ ($.eventSource = " + source + ") && (" + p + ") }"
	}
	return "{ " + p + " }"
}

// CISMetricAlarms are CIS AWS Foundations v7.0 5.1–5.15 (v3.0 4.1–4.15).
var CISMetricAlarms = []MetricAlarm{
	{"5.1", "4.1", "CloudWatch.2", "UnauthorizedAPICalls", finding.Text{En: "unauthorized API calls", Ko: "권한 없는 API 호출"},
		`{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`},
	{"5.2", "4.2", "CloudWatch.3", "ConsoleSignInWithoutMFA", finding.Text{En: "console sign-in without MFA", Ko: "MFA 없는 콘솔 로그인"},
		`{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }`},
	{"5.3", "4.3", "CloudWatch.1", "RootAccountUsage", finding.Text{En: "root account usage", Ko: "루트 계정 사용"},
		`{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`},
	{"5.4", "4.4", "CloudWatch.4", "IAMPolicyChanges", finding.Text{En: "IAM policy changes", Ko: "IAM 정책 변경"},
		evnames("", "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy")},
	{"5.5", "4.5", "CloudWatch.5", "CloudTrailChanges", finding.Text{En: "CloudTrail configuration changes", Ko: "CloudTrail 설정 변경"},
		evnames("", "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")},
	{"5.6", "4.6", "CloudWatch.6", "ConsoleAuthenticationFailures", finding.Text{En: "console authentication failures", Ko: "콘솔 인증 실패"},
		`{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }`},
	{"5.7", "4.7", "CloudWatch.7", "DisableOrDeleteCMK", finding.Text{En: "disabling or scheduled deletion of KMS keys", Ko: "KMS 키 비활성화·삭제 예약"},
		evnames("kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion")},
	{"5.8", "4.8", "CloudWatch.8", "S3BucketPolicyChanges", finding.Text{En: "S3 bucket policy changes", Ko: "S3 버킷 정책 변경"},
		evnames("s3.amazonaws.com", "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication")},
	{"5.9", "4.9", "CloudWatch.9", "AWSConfigChanges", finding.Text{En: "AWS Config configuration changes", Ko: "AWS Config 설정 변경"},
		evnames("config.amazonaws.com", "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder")},
	{"5.10", "4.10", "CloudWatch.10", "SecurityGroupChanges", finding.Text{En: "security group changes", Ko: "보안 그룹 변경"},
		evnames("", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup")},
	{"5.11", "4.11", "CloudWatch.11", "NACLChanges", finding.Text{En: "network ACL changes", Ko: "네트워크 ACL 변경"},
		evnames("", "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation")},
	{"5.12", "4.12", "CloudWatch.12", "NetworkGatewayChanges", finding.Text{En: "network gateway changes", Ko: "네트워크 게이트웨이 변경"},
		evnames("", "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway")},
	{"5.13", "4.13", "CloudWatch.13", "RouteTableChanges", finding.Text{En: "route table changes", Ko: "라우팅 테이블 변경"},
		evnames("ec2.amazonaws.com", "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable")},
	{"5.14", "4.14", "CloudWatch.14", "VPCChanges", finding.Text{En: "VPC changes", Ko: "VPC 변경"},
		evnames("", "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink")},
	{"5.15", "4.15", "", "OrganizationsChanges", finding.Text{En: "AWS Organizations changes", Ko: "AWS Organizations 변경"},
		evnames("organizations.amazonaws.com", "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit")},
}

func init() {
	var fsbp []string
	for _, m := range CISMetricAlarms {
		if m.FSBP != "" {
			fsbp = append(fsbp, m.FSBP)
		}
	}
	register(&Check{
		ID: "cis-metric-alarms", Family: "monitoring", Practice: PracticeWatch, Severity: finding.Medium,
		Title:       finding.Text{En: "CloudWatch alarms watch the CIS set of CloudTrail events", Ko: "CloudWatch 경보가 CIS 기준 CloudTrail 이벤트를 감시함"},
		Remediation: finding.Text{En: "Send the multi-region trail to a CloudWatch Logs group, add a metric filter and an alarm with an SNS topic for each listed event class (accountguard audit --fix creates them).", Ko: "다중 리전 추적을 CloudWatch Logs 그룹으로 보내고, 표시된 이벤트 종류마다 지표 필터와 SNS 주제로 알리는 경보를 추가하세요 (accountguard audit --fix가 만들어 줍니다)."},
		CIS7:        "5.1-5.15", CIS3: "4.1-4.15", FSBP: fsbp, Fix: "cis-alarms",
		Run: runCISAlarms,
	})
}

func runCISAlarms(x *Ctx) []Result {
	trails, r, ok := x.trails()
	if !ok {
		return []Result{r}
	}
	if r, bad := x.missing("logs", "", "DescribeMetricFilters"); bad {
		return []Result{r}
	}
	if r, bad := x.missing("cloudwatch", "", "DescribeAlarms"); bad {
		return []Result{r}
	}
	svc := x.Snap.Services
	if svc.MetricFilters == nil || svc.Alarms == nil {
		return []Result{x.notCollected("CloudWatch metric filters and alarms")}
	}
	groups := map[string]bool{} // "region/log-group" a qualifying trail delivers to
	for _, t := range trails {
		if len(trailProblems(t)) == 0 && t.LogGroupARN != "" {
			if region, name, ok := logGroupOf(t.LogGroupARN); ok {
				groups[region+"/"+name] = true
			}
		}
	}
	var missingEn, missingKo []string
	for _, m := range CISMetricAlarms {
		if !x.alarmed(m, groups) {
			missingEn = append(missingEn, m.CIS7+" "+m.Title.En)
			missingKo = append(missingKo, m.CIS7+" "+m.Title.Ko)
		}
	}
	if len(missingEn) == 0 {
		return []Result{x.pass("AwsAccount", x.accountARN(), finding.Text{})}
	}
	pre, preKo := "", ""
	if len(groups) == 0 {
		pre, preKo = "no logging multi-region trail sends to CloudWatch Logs; ", "CloudWatch Logs로 보내는 다중 리전 추적이 없습니다; "
	}
	return []Result{x.fail("AwsAccount", x.accountARN(), finding.Text{
		En: pre + "no metric filter with an alarm for: " + strings.Join(missingEn, "; "),
		Ko: preKo + "지표 필터와 경보가 없는 항목: " + strings.Join(missingKo, "; "),
	})}
}

// alarmed reports whether a metric filter on one of groups matches m and an alarm with an
// action watches its metric.
func (x *Ctx) alarmed(m MetricAlarm, groups map[string]bool) bool {
	need := patternAtoms(m.Pattern)
	for _, f := range x.Snap.Services.MetricFilters {
		if !groups[f.Region+"/"+f.LogGroup] || !covers(f.Pattern, need) {
			continue
		}
		if slices.ContainsFunc(x.Snap.Services.Alarms, func(a inventory.Alarm) bool {
			return a.Region == f.Region && a.Metric == f.MetricName && a.Namespace == f.MetricNamespace && len(a.Actions) > 0
		}) {
			return true
		}
	}
	return false
}

var atomRE = regexp.MustCompile(`\$\.[A-Za-z.]+\s*(?:!=|=)\s*"?[^\s)"|&]+"?|\$\.[A-Za-z.]+\s+NOT\s+EXISTS`)

// patternAtoms are the comparisons of a filter pattern, normalised (no spaces or quotes).
func patternAtoms(p string) []string {
	var out []string
	for _, a := range atomRE.FindAllString(p, -1) {
		out = append(out, normAtom(a))
	}
	return out
}

func normAtom(s string) string {
	return strings.NewReplacer(" ", "", "\t", "", "\"", "").Replace(s)
}

// covers reports whether a filter pattern contains every required comparison.
func covers(pattern string, need []string) bool {
	have := normAtom(pattern)
	for _, a := range need {
		if !strings.Contains(have, a) {
			return false
		}
	}
	return true
}

// logGroupOf splits "arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*".
func logGroupOf(arn string) (region, name string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || parts[2] != "logs" || parts[5] != "log-group" {
		return "", "", false
	}
	return parts[3], parts[6], true
}
