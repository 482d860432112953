package audit

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

// Practice is one of the seven prevention practices of the problem statement; the table
// output opens with them, in this order.
type Practice string

const (
	PracticeMFA       Practice = "mfa"            // MFA on root and every IAM user
	PracticeKeys      Practice = "access-keys"    // access keys guarded
	PracticeTrail     Practice = "cloudtrail"     // CloudTrail monitoring
	PracticeWatch     Practice = "cloudwatch"     // CloudWatch monitoring
	PracticeAudit     Practice = "security-audit" // a Trusted-Advisor-style security audit
	PracticeBudget    Practice = "budget"         // budget alarms
	PracticeFirewalls Practice = "firewall"       // security-group firewalls
)

// Practices lists the seven prevention practices in the order they are reported.
var Practices = []Practice{PracticeMFA, PracticeKeys, PracticeTrail, PracticeWatch, PracticeAudit, PracticeBudget, PracticeFirewalls}

// PracticeTitle names a practice for people.
var PracticeTitle = map[Practice]finding.Text{
	PracticeMFA:       {En: "MFA on root and every IAM user", Ko: "루트와 모든 IAM 사용자에 MFA"},
	PracticeKeys:      {En: "Access keys guarded", Ko: "액세스 키 보호"},
	PracticeTrail:     {En: "CloudTrail monitoring", Ko: "CloudTrail 모니터링"},
	PracticeWatch:     {En: "CloudWatch monitoring", Ko: "CloudWatch 모니터링"},
	PracticeAudit:     {En: "Security audit", Ko: "보안 점검"},
	PracticeBudget:    {En: "Budget alarms", Ko: "예산 알림"},
	PracticeFirewalls: {En: "Security-group firewalls", Ko: "보안 그룹 방화벽"},
}

// Check is one posture check: data plus a function over the snapshot.
type Check struct {
	ID          string // stable, kebab-case: "root-mfa"
	Family      string // the file it lives in: "root", "iam-users" …
	Practice    Practice
	Title       finding.Text // what good looks like: "Root user has MFA enabled"
	Remediation finding.Text
	Severity    finding.Severity
	CIS7        string   // CIS AWS Foundations Benchmark v7.0 recommendation, "" when none
	CIS3        string   // CIS AWS Foundations Benchmark v3.0 recommendation, "" when none
	FSBP        []string // AWS Foundational Security Best Practices control IDs
	// Fix is the ID of the safe fix that repairs a failure of this check ("" when none);
	// Manual says the check can only be fixed by hand (root MFA, root keys).
	Fix    string
	Manual bool
	Run    func(x *Ctx) []Result
}

// Result is one outcome of a check for one resource (or for the account).
type Result struct {
	Status       finding.Status
	Region       string
	ResourceType string // ASFF resource type: "AwsIamUser", "AwsEc2SecurityGroup", "AwsAccount" …
	Resource     string // ARN or ID
	Detail       finding.Text
	// Missing is the IAM permission whose absence made the result unknown.
	Missing  string
	Evidence string // JSON pointer into the snapshot
}

// Ctx is what a check reads: the snapshot and the time the audit judges ages against.
type Ctx struct {
	Snap *inventory.Snapshot
	Now  time.Time
}

var registry []*Check

// register adds a check; a malformed or duplicate check is a programming error caught by
// every test run, so it panics.
func register(c *Check) {
	switch {
	case c.ID == "" || c.Family == "" || c.Run == nil:
		panic("audit: check without ID, family or function: " + c.ID)
	case c.Title.En == "" || c.Title.Ko == "" || c.Remediation.En == "" || c.Remediation.Ko == "":
		panic("audit: check " + c.ID + " lacks an English or Korean title or remediation")
	case !slices.Contains(Practices, c.Practice):
		panic("audit: check " + c.ID + " has unknown practice " + string(c.Practice))
	}
	for _, o := range registry {
		if o.ID == c.ID {
			panic("audit: check registered twice: " + c.ID)
		}
	}
	registry = append(registry, c)
}

// Checks returns every registered check, ordered by practice then ID.
func Checks() []*Check {
	out := slices.Clone(registry)
	slices.SortStableFunc(out, func(a, b *Check) int {
		if d := slices.Index(Practices, a.Practice) - slices.Index(Practices, b.Practice); d != 0 {
			return d
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// Lookup returns the check by ID, or nil.
func Lookup(id string) *Check {
	for _, c := range registry {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// Options select and time an audit.
type Options struct {
	Only []string  // check IDs to run; empty runs all
	Now  time.Time // zero: the snapshot's collection time
}

// Run evaluates the checks over snap. A check that returns nothing passes once for the
// account (nothing to find is a pass only when the data was there: checks say unknown
// themselves when it was not).
func Run(snap *inventory.Snapshot, o Options) ([]finding.Finding, error) {
	for _, id := range o.Only {
		if Lookup(id) == nil {
			return nil, fmt.Errorf("unknown check %q (see `accountguard audit --list`)", id)
		}
	}
	now := o.Now
	if now.IsZero() {
		now = snap.CollectedAt
	}
	if now.IsZero() {
		now = time.Now().UTC()
	}
	x := &Ctx{Snap: snap, Now: now}
	var out []finding.Finding
	for _, c := range Checks() {
		if len(o.Only) > 0 && !slices.Contains(o.Only, c.ID) {
			continue
		}
		rs := c.Run(x)
		if len(rs) == 0 {
			rs = []Result{x.pass("AwsAccount", x.accountARN(), finding.Text{})}
		}
		for _, r := range rs {
			out = append(out, c.finding(snap, r))
		}
	}
	return out, nil
}

// References lists the check's standards.
func (c *Check) References() []finding.Reference {
	var refs []finding.Reference
	if c.CIS7 != "" {
		refs = append(refs, finding.Reference{Standard: "CIS AWS Foundations v7.0", ID: c.CIS7})
	}
	if c.CIS3 != "" {
		refs = append(refs, finding.Reference{Standard: "CIS AWS Foundations v3.0", ID: c.CIS3})
	}
	for _, id := range c.FSBP {
		refs = append(refs, finding.Reference{Standard: "AWS FSBP", ID: id,
			URL: "https://docs.aws.amazon.com/securityhub/latest/userguide/" + fsbpPage(id)})
	}
	return refs
}

// fsbpPage is the Security Hub user guide page of a control: "IAM.9" → "iam-controls.html#iam-9".
func fsbpPage(id string) string {
	svc, _, _ := strings.Cut(id, ".")
	return strings.ToLower(svc) + "-controls.html#" + strings.ToLower(strings.ReplaceAll(id, ".", "-"))
}

func (c *Check) finding(snap *inventory.Snapshot, r Result) finding.Finding {
	f := finding.Finding{
		ID:           finding.StableID("audit", c.ID, snap.Account.ID, r.Region, r.Resource),
		RuleID:       c.ID,
		Source:       "audit",
		Title:        c.Title,
		Severity:     c.Severity,
		Status:       r.Status,
		Account:      snap.Account.ID,
		Region:       r.Region,
		ResourceType: r.ResourceType,
		Resource:     r.Resource,
		Time:         snap.CollectedAt,
		Detail:       r.Detail,
		References:   c.References(),
		Remediation:  c.Remediation,
		Attributes:   map[string]string{"family": c.Family, "practice": string(c.Practice)},
	}
	if r.Evidence != "" {
		f.Evidence = []finding.Evidence{{Kind: "snapshot", Ref: r.Evidence, Detail: r.Detail.En}}
	}
	if r.Missing != "" {
		f.Attributes["missing_permission"] = r.Missing
	}
	if c.Fix != "" && r.Status == finding.Fail {
		f.Actions = []string{c.Fix}
	}
	if c.Manual {
		f.Attributes["fix"] = "manual"
	}
	return f
}

// Helpers for check functions.

func (x *Ctx) accountARN() string { return "arn:aws:iam::" + x.Snap.Account.ID + ":root" }

func (x *Ctx) pass(typ, res string, detail finding.Text) Result {
	return Result{Status: finding.Pass, ResourceType: typ, Resource: res, Detail: detail}
}

func (x *Ctx) fail(typ, res string, detail finding.Text) Result {
	return Result{Status: finding.Fail, ResourceType: typ, Resource: res, Detail: detail}
}

// iamPrefix maps the service names collectors may use to IAM action prefixes.
var iamPrefix = map[string]string{"monitoring": "cloudwatch", "ce": "ce", "config": "config", "configservice": "config"}

// missing returns an unknown result when a collection of service (IAM prefix, e.g. "iam")
// failed for one of ops in region ("" matches any region). When the failure is AccessDenied,
// the result names the permission that is missing.
func (x *Ctx) missing(service, region string, ops ...string) (Result, bool) {
	for _, e := range x.Snap.Errors {
		svc := strings.ToLower(e.Service)
		if p, ok := iamPrefix[svc]; ok {
			svc = p
		}
		if svc != service || (region != "" && e.Region != "" && e.Region != region) {
			continue
		}
		if len(ops) > 0 && !slices.Contains(ops, e.Operation) {
			continue
		}
		if e.Code == "NoSuchEntity" { // "none set" (password policy), not a failure to read
			continue
		}
		r := Result{Status: finding.Unknown, Region: e.Region, ResourceType: "AwsAccount", Resource: x.accountARN()}
		if e.AccessDenied() {
			r.Missing = permissionFor(service, e.Operation)
			r.Detail = finding.Text{
				En: fmt.Sprintf("not evaluated: the audit lacks permission %s (%s)", r.Missing, e.Code),
				Ko: fmt.Sprintf("평가하지 못함: 감사에 %s 권한이 없습니다 (%s)", r.Missing, e.Code),
			}
		} else {
			r.Detail = finding.Text{
				En: "not evaluated: " + e.String(),
				Ko: "평가하지 못함: " + e.String(),
			}
		}
		return r, true
	}
	return Result{}, false
}

// permissionNames are the operations whose IAM action has another name.
var permissionNames = map[string]string{
	"budgets:DescribeBudgets":                "budgets:ViewBudget",
	"budgets:DescribeNotificationsForBudget": "budgets:ViewBudget",
	"s3:GetPublicAccessBlock":                "s3:GetBucketPublicAccessBlock",
}

// permissionFor names the IAM action that authorizes an operation.
func permissionFor(service, op string) string {
	if p, ok := permissionNames[service+":"+op]; ok {
		return p
	}
	return service + ":" + op
}

// notCollected is the unknown result for a part of the snapshot that no collector filled.
func (x *Ctx) notCollected(what string) Result {
	return Result{Status: finding.Unknown, ResourceType: "AwsAccount", Resource: x.accountARN(),
		Detail: finding.Text{En: "not evaluated: the snapshot holds no " + what, Ko: "평가하지 못함: 스냅샷에 " + what + " 정보가 없습니다"}}
}

func days(d time.Duration) int { return int(d.Hours() / 24) }

func ptr[T any](v T) *T { return &v }
