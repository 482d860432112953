package awssim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// PostureSpec is a scenario's `posture:` section: trails, metric filters and alarms, the
// regional detection services, alternate contacts and the default security groups — what
// the posture audit reads. Budgets and anomaly monitors live in the `cost:` section.
//
//	posture:
//	  trails:
//	    - {name: main, home_region: us-east-1, multi_region: true, logging: true, log_file_validation: true,
//	       kms_key_id: arn:aws:kms:us-east-1:123456789012:key/…, bucket: main-trail, log_group: cloudtrail}
//	  log_groups: [{region: us-east-1, name: cloudtrail}]
//	  metric_filters: [{region: us-east-1, log_group: cloudtrail, name: RootUsage, pattern: '…', metric: RootUsage, namespace: CIS}]
//	  alarms: [{region: us-east-1, name: RootUsage, metric: RootUsage, namespace: CIS, actions: [arn:aws:sns:…]}]
//	  topics: [{region: us-east-1, name: cis-alarms, subscriptions: [sec@example.com]}]
//	  guardduty: [all]          # region names, or "all" for every enabled region
//	  config: [all]
//	  security_hub: [all]
//	  contacts: {SECURITY: {name: Security team, title: CISO, email: sec@example.com, phone: "+1 555 0100"}}
//	  restrict_default_security_groups: true
type PostureSpec struct {
	Trails        []TrailSpec            `yaml:"trails"`
	LogGroups     []LogGroupSpec         `yaml:"log_groups"`
	MetricFilters []MetricFilterSpec     `yaml:"metric_filters"`
	Alarms        []AlarmSpec            `yaml:"alarms"`
	Topics        []TopicSpec            `yaml:"topics"`
	GuardDuty     []string               `yaml:"guardduty"`
	Config        []string               `yaml:"config"`
	SecurityHub   []string               `yaml:"security_hub"`
	Contacts      map[string]ContactSpec `yaml:"contacts"`
	// PublicBuckets are buckets whose policy makes them public (GetBucketPolicyStatus IsPublic).
	PublicBuckets []string `yaml:"public_buckets"`
	// BlockedBuckets have all four S3 Block Public Access settings on.
	BlockedBuckets []string `yaml:"blocked_buckets"`
	// Budget and AnomalyMonitor are made at load time through the Budgets and Cost Explorer
	// operations (budgets.go, costexplorer.go), as the scenario's admin, so their state is
	// exactly what those services keep.
	Budget         *BudgetSpec         `yaml:"budget"`
	AnomalyMonitor *AnomalyMonitorSpec `yaml:"anomaly_monitor"`
	// RestrictDefaultSecurityGroups empties the default security group of every region, as
	// CIS 6.5 asks.
	RestrictDefaultSecurityGroups bool `yaml:"restrict_default_security_groups"`
}

// TrailSpec is a CloudTrail trail.
type TrailSpec struct {
	Name              string `yaml:"name"`
	HomeRegion        string `yaml:"home_region"`
	MultiRegion       bool   `yaml:"multi_region"`
	Logging           bool   `yaml:"logging"`
	LogFileValidation bool   `yaml:"log_file_validation"`
	KMSKeyID          string `yaml:"kms_key_id"`
	Bucket            string `yaml:"bucket"`
	LogGroup          string `yaml:"log_group"` // CloudWatch Logs group in the home region
	// ManagementEvents is All (default), ReadOnly, WriteOnly or None.
	ManagementEvents string `yaml:"management_events"`
}

// BudgetSpec is a monthly cost budget alerting an email at 80% forecast and 100% actual.
type BudgetSpec struct {
	Name  string `yaml:"name"`
	Limit string `yaml:"limit"` // USD
	Email string `yaml:"email"`
}

// AnomalyMonitorSpec is a Cost Anomaly Detection monitor of AWS services with a daily email subscription.
type AnomalyMonitorSpec struct {
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
}

// LogGroupSpec is a CloudWatch Logs log group.
type LogGroupSpec struct {
	Region string `yaml:"region"`
	Name   string `yaml:"name"`
}

// MetricFilterSpec is a CloudWatch Logs metric filter.
type MetricFilterSpec struct {
	Region    string `yaml:"region"`
	LogGroup  string `yaml:"log_group"`
	Name      string `yaml:"name"`
	Pattern   string `yaml:"pattern"`
	Metric    string `yaml:"metric"`
	Namespace string `yaml:"namespace"`
}

// AlarmSpec is a CloudWatch metric alarm.
type AlarmSpec struct {
	Region    string   `yaml:"region"`
	Name      string   `yaml:"name"`
	Metric    string   `yaml:"metric"`
	Namespace string   `yaml:"namespace"`
	Actions   []string `yaml:"actions"`
}

// TopicSpec is an SNS topic with email subscriptions.
type TopicSpec struct {
	Region        string   `yaml:"region"`
	Name          string   `yaml:"name"`
	Subscriptions []string `yaml:"subscriptions"`
}

// ContactSpec is an alternate contact.
type ContactSpec struct {
	Name  string `yaml:"name"`
	Title string `yaml:"title"`
	Email string `yaml:"email"`
	Phone string `yaml:"phone"`
}

// PostureState is an account's posture services: trails, CloudWatch, SNS, GuardDuty, Config,
// Security Hub, alternate contacts and S3 bucket exposure.
type PostureState struct {
	Trails         []*TrailState
	LogGroups      []*LogGroup
	MetricFilters  []*MetricFilter
	Alarms         []*MetricAlarm
	Topics         []*Topic
	Detectors      map[string]*Detector         // GuardDuty, by region
	Recorders      map[string][]*ConfigRecorder // AWS Config, by region
	Hubs           map[string]*Hub              // Security Hub, by region
	Contacts       map[string]*Contact          // by type: BILLING, OPERATIONS, SECURITY
	PublicBuckets  map[string]bool
	BlockedBuckets map[string]bool
	Buckets        map[string]bool // made by the fallback CreateBucket (zz_posture_fallbacks.go)
}

// TrailState is a trail.
type TrailState struct {
	Name, HomeRegion, Bucket, KMSKeyID string
	LogGroupARN, LogRoleARN            string
	MultiRegion, Validation, Logging   bool
	IncludeGlobal                      bool
	ReadWrite                          string // All, ReadOnly, WriteOnly; "" with Management false
	Management                         bool
	Created, StartedAt, StoppedAt      time.Time
}

// ARN is the trail's ARN.
func (t *TrailState) ARN(account string) string {
	return "arn:aws:cloudtrail:" + t.HomeRegion + ":" + account + ":trail/" + t.Name
}

// LogGroup is a CloudWatch Logs log group.
type LogGroup struct {
	Region, Name string
	Created      time.Time
}

// MetricFilter is a CloudWatch Logs metric filter.
type MetricFilter struct {
	Region, LogGroup, Name, Pattern string
	Metric, Namespace, Value        string
	Created                         time.Time
}

// MetricAlarm is a CloudWatch metric alarm.
type MetricAlarm struct {
	Region, Name, Metric, Namespace string
	Statistic, Comparison           string
	Period, EvaluationPeriods       int
	Threshold                       float64
	Actions                         []string
	ActionsEnabled                  bool
	State                           string
	Updated                         time.Time
}

// Topic is an SNS topic.
type Topic struct {
	Region, Name  string
	Subscriptions []*Subscription
}

// Subscription is an SNS subscription.
type Subscription struct {
	ARN, Protocol, Endpoint string
}

// Detector is a GuardDuty detector.
type Detector struct {
	ID, Status string
	Created    time.Time
	Updated    time.Time
}

// ConfigRecorder is an AWS Config recorder.
type ConfigRecorder struct {
	Name, RoleARN string
	AllSupported  bool
	Recording     bool
	Started       time.Time
}

// Hub is a Security Hub subscription.
type Hub struct {
	ARN        string
	Subscribed time.Time
}

// Contact is an alternate contact.
type Contact struct {
	Name, Title, Email, Phone string
}

// posture returns the account's posture state, creating it on first use.
func (a *Account) posture() *PostureState {
	if a.Posture == nil {
		a.Posture = &PostureState{Detectors: map[string]*Detector{}, Recorders: map[string][]*ConfigRecorder{},
			Hubs: map[string]*Hub{}, Contacts: map[string]*Contact{}, PublicBuckets: map[string]bool{}, BlockedBuckets: map[string]bool{}, Buckets: map[string]bool{}}
	}
	return a.Posture
}

// regionsOf expands a region list where "all" means every enabled region.
func (a *Account) regionsOf(list []string) ([]string, error) {
	var out []string
	for _, r := range list {
		if r == "all" {
			for _, reg := range a.Regions {
				if reg.Enabled() {
					out = append(out, reg.Name)
				}
			}
			continue
		}
		reg := a.Region(r)
		if reg == nil {
			return nil, fmt.Errorf("unknown region %q", r)
		}
		out = append(out, r)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// loadPosture builds the account's posture state from the scenario.
func (s *Server) loadPosture(a *Account, sc *Scenario, now time.Time) error {
	p := sc.Posture
	ps := a.posture()
	bad := func(format string, args ...any) error {
		return fmt.Errorf("scenario %s: posture: %s", sc.Name, fmt.Sprintf(format, args...))
	}
	created := now.AddDate(0, -6, 0)
	for _, lg := range p.LogGroups {
		if a.Region(lg.Region) == nil || lg.Name == "" {
			return bad("log group %q in %q: want a name and a known region", lg.Name, lg.Region)
		}
		ps.LogGroups = append(ps.LogGroups, &LogGroup{Region: lg.Region, Name: lg.Name, Created: created})
	}
	for _, t := range p.Trails {
		if t.Name == "" || t.Bucket == "" || a.Region(t.HomeRegion) == nil {
			return bad("trail %q: want a name, a bucket and a known home_region", t.Name)
		}
		ts := &TrailState{Name: t.Name, HomeRegion: t.HomeRegion, Bucket: t.Bucket, KMSKeyID: t.KMSKeyID, MultiRegion: t.MultiRegion,
			Validation: t.LogFileValidation, Logging: t.Logging, IncludeGlobal: true, Management: true, ReadWrite: "All", Created: created}
		if t.Logging {
			ts.StartedAt = created
		}
		switch t.ManagementEvents {
		case "", "All":
		case "ReadOnly", "WriteOnly":
			ts.ReadWrite = t.ManagementEvents
		case "None":
			ts.Management, ts.ReadWrite = false, "All"
		default:
			return bad("trail %s: management_events %q: want All, ReadOnly, WriteOnly or None", t.Name, t.ManagementEvents)
		}
		if t.LogGroup != "" {
			if ps.logGroup(t.HomeRegion, t.LogGroup) == nil {
				return bad("trail %s: log group %q is not in log_groups of %s", t.Name, t.LogGroup, t.HomeRegion)
			}
			ts.LogGroupARN = logGroupARN(a.ID, t.HomeRegion, t.LogGroup)
			ts.LogRoleARN = "arn:aws:iam::" + a.ID + ":role/CloudTrail_CloudWatchLogs_Role"
		}
		ps.Trails = append(ps.Trails, ts)
	}
	for _, f := range p.MetricFilters {
		if ps.logGroup(f.Region, f.LogGroup) == nil {
			return bad("metric filter %s: log group %q is not in log_groups of %s", f.Name, f.LogGroup, f.Region)
		}
		ps.MetricFilters = append(ps.MetricFilters, &MetricFilter{Region: f.Region, LogGroup: f.LogGroup, Name: f.Name, Pattern: f.Pattern,
			Metric: f.Metric, Namespace: f.Namespace, Value: "1", Created: created})
	}
	for _, t := range p.Topics {
		if a.Region(t.Region) == nil || t.Name == "" {
			return bad("topic %q in %q: want a name and a known region", t.Name, t.Region)
		}
		tp := &Topic{Region: t.Region, Name: t.Name}
		for i, e := range t.Subscriptions {
			tp.Subscriptions = append(tp.Subscriptions, &Subscription{ARN: fmt.Sprintf("%s:%08d-%04d", topicARN(a.ID, t.Region, t.Name), i+1, 1), Protocol: "email", Endpoint: e})
		}
		ps.Topics = append(ps.Topics, tp)
	}
	for _, al := range p.Alarms {
		if a.Region(al.Region) == nil || al.Name == "" {
			return bad("alarm %q in %q: want a name and a known region", al.Name, al.Region)
		}
		ps.Alarms = append(ps.Alarms, &MetricAlarm{Region: al.Region, Name: al.Name, Metric: al.Metric, Namespace: al.Namespace, Statistic: "Sum",
			Comparison: "GreaterThanOrEqualToThreshold", Period: 300, EvaluationPeriods: 1, Threshold: 1, Actions: al.Actions, ActionsEnabled: true, State: "OK", Updated: created})
	}
	gd, err := a.regionsOf(p.GuardDuty)
	if err != nil {
		return bad("guardduty: %v", err)
	}
	for _, r := range gd {
		ps.Detectors[r] = &Detector{ID: s.w.randHex(32), Status: "ENABLED", Created: created, Updated: created}
	}
	cf, err := a.regionsOf(p.Config)
	if err != nil {
		return bad("config: %v", err)
	}
	for _, r := range cf {
		ps.Recorders[r] = []*ConfigRecorder{{Name: "default", RoleARN: "arn:aws:iam::" + a.ID + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", AllSupported: true, Recording: true, Started: created}}
	}
	sh, err := a.regionsOf(p.SecurityHub)
	if err != nil {
		return bad("security_hub: %v", err)
	}
	for _, r := range sh {
		ps.Hubs[r] = &Hub{ARN: "arn:aws:securityhub:" + r + ":" + a.ID + ":hub/default", Subscribed: created}
	}
	for typ, c := range p.Contacts {
		if !slices.Contains([]string{"BILLING", "OPERATIONS", "SECURITY"}, typ) || c.Email == "" {
			return bad("contacts: %q: want BILLING, OPERATIONS or SECURITY with an email", typ)
		}
		ps.Contacts[typ] = &Contact{Name: c.Name, Title: c.Title, Email: c.Email, Phone: c.Phone}
	}
	for _, b := range p.PublicBuckets {
		ps.PublicBuckets[b] = true
	}
	for _, b := range p.BlockedBuckets {
		ps.BlockedBuckets[b] = true
	}
	if err := s.loadCostGuardrails(a, sc, created); err != nil {
		return bad("%v", err)
	}
	if p.RestrictDefaultSecurityGroups {
		for _, r := range a.Regions {
			for _, sg := range defaultSecurityGroups(s.w, r, defaultVPC(r)) {
				if sg.Name == "default" {
					sg.Ingress, sg.Egress = nil, nil
				}
			}
		}
	}
	return nil
}

func (ps *PostureState) logGroup(region, name string) *LogGroup {
	for _, g := range ps.LogGroups {
		if g.Region == region && g.Name == name {
			return g
		}
	}
	return nil
}

func logGroupARN(account, region, name string) string {
	return "arn:aws:logs:" + region + ":" + account + ":log-group:" + name + ":*"
}

func topicARN(account, region, name string) string {
	return "arn:aws:sns:" + region + ":" + account + ":" + name
}

// trailByName finds a trail by name or ARN.
func (ps *PostureState) trailByName(account, name string) *TrailState {
	for _, t := range ps.Trails {
		if t.Name == name || t.ARN(account) == name || strings.HasSuffix(name, ":trail/"+t.Name) {
			return t
		}
	}
	return nil
}

// loadCostGuardrails creates the scenario's budget and anomaly monitor through the services'
// own operations, as the scenario's admin at time t.
func (s *Server) loadCostGuardrails(a *Account, sc *Scenario, t time.Time) error {
	p := sc.Posture
	if p.Budget == nil && p.AnomalyMonitor == nil {
		return nil
	}
	key, err := s.historyKey(a, sc.Admin)
	if err != nil {
		return fmt.Errorf("budget and anomaly monitor are created as the admin: %w", err)
	}
	call := func(service, action string, body any) (any, error) {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		out, err := s.invoke(a, key, service, "us-east-1", action, nil, data, t, "198.51.100.10", "aws-cli/2.17.0")
		if err != nil {
			return nil, fmt.Errorf("%s:%s: %w", service, action, err)
		}
		return out, nil
	}
	if b := p.Budget; b != nil {
		if b.Name == "" || b.Limit == "" || b.Email == "" {
			return fmt.Errorf("budget: want name, limit and email")
		}
		notif := func(typ string, pct float64) map[string]any {
			return map[string]any{"Notification": map[string]any{"NotificationType": typ, "ComparisonOperator": "GREATER_THAN", "Threshold": pct, "ThresholdType": "PERCENTAGE"},
				"Subscribers": []map[string]any{{"SubscriptionType": "EMAIL", "Address": b.Email}}}
		}
		if _, err := call("budgets", "CreateBudget", map[string]any{"AccountId": a.ID,
			"Budget":                       map[string]any{"BudgetName": b.Name, "BudgetLimit": map[string]any{"Amount": b.Limit, "Unit": "USD"}, "TimeUnit": "MONTHLY", "BudgetType": "COST"},
			"NotificationsWithSubscribers": []map[string]any{notif("FORECASTED", 80), notif("ACTUAL", 100)}}); err != nil {
			return err
		}
	}
	if m := p.AnomalyMonitor; m != nil {
		if m.Name == "" || m.Email == "" {
			return fmt.Errorf("anomaly_monitor: want name and email")
		}
		out, err := call("ce", "CreateAnomalyMonitor", map[string]any{"AnomalyMonitor": map[string]any{"MonitorName": m.Name, "MonitorType": "DIMENSIONAL", "MonitorDimension": "SERVICE"}})
		if err != nil {
			return err
		}
		arn, _ := out.(map[string]string)
		if _, err := call("ce", "CreateAnomalySubscription", map[string]any{"AnomalySubscription": map[string]any{"SubscriptionName": m.Name + "-alerts",
			"MonitorArnList": []string{arn["MonitorArn"]}, "Subscribers": []map[string]any{{"Type": "EMAIL", "Address": m.Email}}, "Frequency": "DAILY", "Threshold": 10}}); err != nil {
			return err
		}
	}
	return nil
}
