package audit

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

// sample is one pass, fail or unknown sample of a check: a change to the hardened snapshot
// and the status the check must then report (for at least one resource, and no worse one).
type sample struct {
	check  string
	name   string
	mutate func(s *inventory.Snapshot)
	want   finding.Status
	// missing, when set, is the permission an unknown result must name.
	missing string
}

// samples is filled by each family's test file.
var samples []sample

func addSamples(s ...sample) { samples = append(samples, s...) }

var testNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func ago(d int) *time.Time { t := testNow.AddDate(0, 0, -d); return &t }

var testRegions = []string{"us-east-1", "eu-west-1"}

// hardened is a snapshot that passes every check.
func hardened() *inventory.Snapshot {
	t := true
	f := false
	s := &inventory.Snapshot{
		Version: 1, CollectedAt: testNow, Account: inventory.Account{ID: "111122223333"},
		Regions: []inventory.Region{{Name: "us-east-1", Enabled: true}, {Name: "eu-west-1", Enabled: true}, {Name: "af-south-1", Enabled: false}},
		IAM: inventory.IAM{
			Collected:      map[string]bool{"users": true, "credential_report": true, "password_policy": true, "summary": true, "virtual_mfa": true},
			PasswordPolicy: &inventory.PasswordPolicy{MinimumLength: 14, ReusePrevention: 24},
			Root:           inventory.Root{ARN: "arn:aws:iam::111122223333:root", MFAEnabled: true, HardwareMFA: &t, PasswordLastUsed: ago(200)},
			Groups:         []inventory.Group{{Name: "devs", ARN: "arn:aws:iam::111122223333:group/devs", AttachedPolicies: []inventory.AttachedPolicy{{Name: "PowerUserAccess", ARN: "arn:aws:iam::aws:policy/PowerUserAccess"}}}},
			Users: []inventory.User{
				{Name: "alice", ARN: "arn:aws:iam::111122223333:user/alice", Created: testNow.AddDate(-1, 0, 0), Groups: []string{"devs"},
					LoginProfile: &inventory.LoginProfile{Created: testNow.AddDate(-1, 0, 0)}, PasswordLastUsed: ago(1),
					MFADevices: []inventory.MFADevice{{Serial: "arn:aws:iam::111122223333:mfa/alice", Virtual: true}},
					AccessKeys: []inventory.AccessKey{{ID: "AKIAALICE00000000001", Status: "Active", Created: testNow.AddDate(0, 0, -30), LastUsed: ago(1)}}},
				{Name: "ci", ARN: "arn:aws:iam::111122223333:user/ci", Created: testNow.AddDate(-1, 0, 0), Groups: []string{"devs"},
					AccessKeys: []inventory.AccessKey{{ID: "AKIACI00000000000001", Status: "Active", Created: testNow.AddDate(0, 0, -10), LastUsed: ago(0)},
						{ID: "AKIACI00000000000002", Status: "Inactive", Created: testNow.AddDate(0, 0, -200)}}},
			},
		},
		Resources: map[string]*inventory.RegionResources{},
		Services: &inventory.Services{
			Trails: []inventory.Trail{{Name: "org", ARN: "arn:aws:cloudtrail:us-east-1:111122223333:trail/org", HomeRegion: "us-east-1", MultiRegion: true,
				LogFileValidation: true, KMSKeyID: "arn:aws:kms:us-east-1:111122223333:key/k", S3Bucket: "trail-bucket",
				LogGroupARN: "arn:aws:logs:us-east-1:111122223333:log-group:trail:*", IsLogging: &t, SelectorsKnown: true, ManagementRead: true, ManagementWrite: true,
				BucketPublic: &f, BucketPublicAccessBlock: &t}},
			MetricFilters:        []inventory.MetricFilter{},
			Alarms:               []inventory.Alarm{},
			GuardDuty:            map[string]*inventory.GuardDutyDetector{},
			ConfigRecorders:      map[string][]inventory.ConfigRecorder{},
			SecurityHub:          map[string]*inventory.SecurityHub{},
			Budgets:              []inventory.Budget{{Name: "monthly", Type: "COST", Limit: "100", Unit: "USD", Notifications: []inventory.BudgetNotification{{Type: "ACTUAL", Threshold: 100, Subscribers: 1}}}},
			AnomalyMonitors:      []inventory.AnomalyMonitor{{ARN: "arn:aws:ce::111122223333:anomalymonitor/m", Name: "services", Type: "DIMENSIONAL"}},
			AnomalySubscriptions: []inventory.AnomalySubscription{{ARN: "arn:aws:ce::111122223333:anomalysubscription/s", MonitorARNs: []string{"arn:aws:ce::111122223333:anomalymonitor/m"}, Subscribers: 1}},
			AlternateContacts:    map[string]*inventory.AlternateContact{"SECURITY": {Name: "Sec", Email: "sec@example.com"}},
		},
	}
	for _, m := range CISMetricAlarms {
		s.Services.MetricFilters = append(s.Services.MetricFilters, inventory.MetricFilter{Region: "us-east-1", LogGroup: "trail", Name: m.Name, Pattern: m.Pattern, MetricName: m.Name, MetricNamespace: "CISBenchmark"})
		s.Services.Alarms = append(s.Services.Alarms, inventory.Alarm{Region: "us-east-1", Name: m.Name, Metric: m.Name, Namespace: "CISBenchmark", Actions: []string{"arn:aws:sns:us-east-1:111122223333:cis"}, Enabled: true})
	}
	for _, r := range testRegions {
		s.Resources[r] = &inventory.RegionResources{
			SecurityGroups: []inventory.SecurityGroup{{ID: "sg-default-" + r, Name: "default"},
				{ID: "sg-web-" + r, Name: "web", Ingress: []inventory.Permission{{Protocol: "tcp", FromPort: ptr[int32](443), ToPort: ptr[int32](443), IPv4: []string{"0.0.0.0/0"}},
					{Protocol: "tcp", FromPort: ptr[int32](22), ToPort: ptr[int32](22), IPv4: []string{"10.0.0.0/8"}}}}},
			Instances: []inventory.Instance{{ID: "i-" + r, Type: "t3.micro", State: "running", Monitoring: "enabled"}, {ID: "i-stopped-" + r, State: "stopped", Monitoring: "disabled"}},
		}
		s.Services.GuardDuty[r] = &inventory.GuardDutyDetector{ID: "d-" + r, Status: "ENABLED"}
		s.Services.ConfigRecorders[r] = []inventory.ConfigRecorder{{Name: "default", AllSupported: true, Recording: true}}
		s.Services.SecurityHub[r] = &inventory.SecurityHub{ARN: "arn:aws:securityhub:" + r + ":111122223333:hub/default"}
	}
	return s
}

func denied(service, region, op string) func(s *inventory.Snapshot) {
	code := "AccessDenied"
	if service != "iam" && service != "s3" {
		code = "AccessDeniedException"
	}
	if service == "ec2" {
		code = "UnauthorizedOperation"
	}
	return func(s *inventory.Snapshot) {
		s.Errors = append(s.Errors, inventory.CollectionError{Service: service, Region: region, Operation: op, Code: code, Message: "not authorized"})
	}
}

// worst is the status a check reports for the account: fail over unknown over pass.
func worst(fs []finding.Finding) finding.Status {
	st := finding.Pass
	for _, f := range fs {
		switch {
		case f.Status == finding.Fail:
			return finding.Fail
		case f.Status == finding.Unknown:
			st = finding.Unknown
		}
	}
	return st
}

func TestHardenedPassesEveryCheck(t *testing.T) {
	fs, err := Run(hardened(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range fs {
		seen[f.RuleID] = true
		if f.Status != finding.Pass {
			t.Errorf("%s: %s %s: %s", f.RuleID, f.Status, f.Resource, f.Detail.En)
		}
		if err := f.Validate(); err != nil {
			t.Error(err)
		}
	}
	for _, c := range Checks() {
		if !seen[c.ID] {
			t.Errorf("check %s produced no finding", c.ID)
		}
	}
}

func TestSamples(t *testing.T) {
	for _, s := range samples {
		t.Run(s.check+"/"+s.name, func(t *testing.T) {
			snap := hardened()
			if s.mutate != nil {
				s.mutate(snap)
			}
			fs, err := Run(snap, Options{Only: []string{s.check}})
			if err != nil {
				t.Fatal(err)
			}
			if got := worst(fs); got != s.want {
				t.Fatalf("status %s, want %s: %+v", got, s.want, fs)
			}
			for _, f := range fs {
				if f.Status == finding.Fail && f.Detail.En == "" {
					t.Errorf("failed finding without detail: %+v", f)
				}
				if f.Status == finding.Unknown && s.missing != "" && f.Attributes["missing_permission"] != s.missing {
					t.Errorf("unknown names permission %q, want %q", f.Attributes["missing_permission"], s.missing)
				}
			}
		})
	}
}

// Every check carries a pass, a fail and an unknown sample.
func TestEveryCheckHasSamples(t *testing.T) {
	have := map[string][]finding.Status{}
	for _, s := range samples {
		have[s.check] = append(have[s.check], s.want)
	}
	for _, c := range Checks() {
		for _, st := range []finding.Status{finding.Pass, finding.Fail, finding.Unknown} {
			if !slices.Contains(have[c.ID], st) {
				t.Errorf("check %s has no %s sample", c.ID, st)
			}
		}
	}
}

func TestRegistryData(t *testing.T) {
	for _, c := range Checks() {
		if c.CIS7 == "" && len(c.FSBP) == 0 && !strings.Contains("iam-quarantine-policy key-two-active anomaly-monitor-subscription budget-with-notification ec2-detailed-monitoring", c.ID) {
			t.Errorf("%s references no standard", c.ID)
		}
	}
	if _, err := Run(hardened(), Options{Only: []string{"no-such-check"}}); err == nil {
		t.Error("unknown check ID accepted")
	}
}

func TestUnknownWhenNotCollected(t *testing.T) {
	s := hardened()
	s.Services = nil
	s.IAM.Collected = nil
	fs, _ := Run(s, Options{})
	for _, f := range fs {
		if f.Status == finding.Pass && f.RuleID != "sg-open-admin-ports" && f.RuleID != "sg-open-all-ports" && f.RuleID != "default-sg-rules" && f.RuleID != "ec2-detailed-monitoring" {
			t.Errorf("%s passes without data", f.RuleID)
		}
	}
}

// Without any region (DescribeRegions denied), no regional check passes.
func TestNoRegionsIsUnknown(t *testing.T) {
	s := hardened()
	s.Regions, s.Resources = nil, map[string]*inventory.RegionResources{}
	denied("ec2", "", "DescribeRegions")(s)
	fs, _ := Run(s, Options{})
	for _, f := range fs {
		switch f.RuleID {
		case "sg-open-admin-ports", "sg-open-all-ports", "default-sg-rules", "ec2-detailed-monitoring", "guardduty-all-regions", "config-recording", "securityhub-enabled":
			if f.Status != finding.Unknown || f.Attributes["missing_permission"] != "ec2:DescribeRegions" {
				t.Errorf("%s: %s (%s)", f.RuleID, f.Status, f.Attributes["missing_permission"])
			}
		}
	}
}
