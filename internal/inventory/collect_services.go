package inventory

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/accountguard/accountguard/internal/awsx"
)

// The posture collectors: what the audit reads beyond IAM and EC2. Each service has a narrow
// interface so tests can use a few-line fake where the simulator lacks an operation.

// CloudTrailAPI is the part of a regional CloudTrail client the posture collector uses.
type CloudTrailAPI interface {
	DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(context.Context, *cloudtrail.GetEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
}

// CloudWatchAPI reads alarms.
type CloudWatchAPI interface {
	cloudwatch.DescribeAlarmsAPIClient
}

// LogsAPI reads metric filters.
type LogsAPI interface {
	cloudwatchlogs.DescribeMetricFiltersAPIClient
}

// GuardDutyAPI reads detectors.
type GuardDutyAPI interface {
	guardduty.ListDetectorsAPIClient
	GetDetector(context.Context, *guardduty.GetDetectorInput, ...func(*guardduty.Options)) (*guardduty.GetDetectorOutput, error)
}

// ConfigAPI reads configuration recorders.
type ConfigAPI interface {
	DescribeConfigurationRecorders(context.Context, *configservice.DescribeConfigurationRecordersInput, ...func(*configservice.Options)) (*configservice.DescribeConfigurationRecordersOutput, error)
	DescribeConfigurationRecorderStatus(context.Context, *configservice.DescribeConfigurationRecorderStatusInput, ...func(*configservice.Options)) (*configservice.DescribeConfigurationRecorderStatusOutput, error)
}

// SecurityHubAPI reads the hub subscription.
type SecurityHubAPI interface {
	DescribeHub(context.Context, *securityhub.DescribeHubInput, ...func(*securityhub.Options)) (*securityhub.DescribeHubOutput, error)
}

// S3StatusAPI reads a bucket's exposure.
type S3StatusAPI interface {
	GetBucketPolicyStatus(context.Context, *s3.GetBucketPolicyStatusInput, ...func(*s3.Options)) (*s3.GetBucketPolicyStatusOutput, error)
	GetPublicAccessBlock(context.Context, *s3.GetPublicAccessBlockInput, ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
}

// BudgetsAPI reads budgets and their notifications.
type BudgetsAPI interface {
	budgets.DescribeBudgetsAPIClient
	budgets.DescribeNotificationsForBudgetAPIClient
}

// AnomalyAPI reads Cost Anomaly Detection monitors and subscriptions.
type AnomalyAPI interface {
	costexplorer.GetAnomalyMonitorsAPIClient
	costexplorer.GetAnomalySubscriptionsAPIClient
}

// AccountAPI reads alternate contacts.
type AccountAPI interface {
	GetAlternateContact(context.Context, *account.GetAlternateContactInput, ...func(*account.Options)) (*account.GetAlternateContactOutput, error)
}

// PostureClients are the clients of the posture collection; regional ones are built per region.
type PostureClients struct {
	STS          awsx.STSAPI // for the account ID Budgets needs; unused when AccountID is set
	AccountID    string
	CloudTrail   func(region string) CloudTrailAPI
	CloudWatch   func(region string) CloudWatchAPI
	Logs         func(region string) LogsAPI
	GuardDuty    func(region string) GuardDutyAPI
	Config       func(region string) ConfigAPI
	SecurityHub  func(region string) SecurityHubAPI
	S3           func(region string) S3StatusAPI
	Budgets      BudgetsAPI
	CostExplorer AnomalyAPI
	Account      AccountAPI
}

// NewPostureClients builds the posture clients from cfg.
func NewPostureClients(cfg aws.Config) PostureClients {
	in := func(region string) aws.Config {
		c := cfg.Copy()
		c.Region = region
		return c
	}
	global := in("us-east-1") // Budgets, Cost Explorer and Account answer in us-east-1
	return PostureClients{
		STS:          sts.NewFromConfig(cfg),
		CloudTrail:   func(r string) CloudTrailAPI { return cloudtrail.NewFromConfig(in(r)) },
		CloudWatch:   func(r string) CloudWatchAPI { return cloudwatch.NewFromConfig(in(r)) },
		Logs:         func(r string) LogsAPI { return cloudwatchlogs.NewFromConfig(in(r)) },
		GuardDuty:    func(r string) GuardDutyAPI { return guardduty.NewFromConfig(in(r)) },
		Config:       func(r string) ConfigAPI { return configservice.NewFromConfig(in(r)) },
		SecurityHub:  func(r string) SecurityHubAPI { return securityhub.NewFromConfig(in(r)) },
		S3:           func(r string) S3StatusAPI { return s3.NewFromConfig(in(r)) },
		Budgets:      budgets.NewFromConfig(global),
		CostExplorer: costexplorer.NewFromConfig(global),
		Account:      account.NewFromConfig(global),
	}
}

// CollectServices fills snap.Services for the enabled regions and appends a CollectionError
// for every failed call. It writes snap only at the end, in one step; a caller running other
// collectors on the same snapshot concurrently should use ServicesOf and merge under its lock.
func CollectServices(ctx context.Context, cfg aws.Config, regions []string, snap *Snapshot) {
	c := NewPostureClients(cfg)
	c.AccountID = snap.Account.ID
	svc, errs := ServicesOf(ctx, c, regions)
	snap.Services = svc
	snap.Errors = append(snap.Errors, errs...)
}

type postureCollector struct {
	c    PostureClients
	mu   sync.Mutex
	s    *Services
	errs []CollectionError
	wg   sync.WaitGroup
}

func (p *postureCollector) fail(service, region, op string, err error) {
	msg := err.Error()
	if code := awsx.ErrorCode(err); code != "" {
		msg = code + ": " + apiMessage(err)
	}
	p.mu.Lock()
	p.errs = append(p.errs, CollectionError{Service: service, Region: region, Operation: op, Code: awsx.ErrorCode(err), Message: msg})
	p.mu.Unlock()
}

func (p *postureCollector) locked(f func(s *Services)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p.s)
}

func (p *postureCollector) spawn(f func()) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		f()
	}()
}

// ServicesOf collects the posture services. Every independent call starts at once; the
// dependent chains are two or three calls long (DescribeTrails → GetTrailStatus or
// DescribeMetricFilters pages; caller identity, unless AccountID is set → DescribeBudgets →
// DescribeNotificationsForBudget; ListDetectors → GetDetector). A part whose first call fails stays nil (not collected);
// a regional failure leaves that region out of the per-region maps.
func ServicesOf(ctx context.Context, c PostureClients, regions []string) (*Services, []CollectionError) {
	p := &postureCollector{c: c, s: &Services{
		GuardDuty: map[string]*GuardDutyDetector{}, ConfigRecorders: map[string][]ConfigRecorder{}, SecurityHub: map[string]*SecurityHub{},
		AlternateContacts: map[string]*AlternateContact{},
	}}
	trailsOK := true
	var trailsMu sync.Mutex
	trailsByARN := map[string]*Trail{}
	var trailWG sync.WaitGroup
	filtersOK, alarmsOK := true, true
	for _, region := range regions {
		trailWG.Add(1)
		p.spawn(func() {
			defer trailWG.Done()
			out, err := c.CloudTrail(region).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
			if err != nil {
				p.fail("cloudtrail", region, "DescribeTrails", err)
				trailsMu.Lock()
				trailsOK = false
				trailsMu.Unlock()
				return
			}
			for _, t := range out.TrailList {
				arn := aws.ToString(t.TrailARN)
				trailsMu.Lock()
				_, seen := trailsByARN[arn]
				if !seen {
					trailsByARN[arn] = &Trail{Name: aws.ToString(t.Name), ARN: arn, HomeRegion: aws.ToString(t.HomeRegion), MultiRegion: aws.ToBool(t.IsMultiRegionTrail),
						Organization: aws.ToBool(t.IsOrganizationTrail), LogFileValidation: aws.ToBool(t.LogFileValidationEnabled), KMSKeyID: aws.ToString(t.KmsKeyId),
						S3Bucket: aws.ToString(t.S3BucketName), LogGroupARN: aws.ToString(t.CloudWatchLogsLogGroupArn)}
				}
				tr := trailsByARN[arn]
				trailsMu.Unlock()
				if !seen {
					p.trailDetails(ctx, tr)
				}
			}
		})
		p.spawn(func() { p.guardDuty(ctx, region) })
		p.spawn(func() { p.config(ctx, region) })
		p.spawn(func() {
			out, err := c.SecurityHub(region).DescribeHub(ctx, &securityhub.DescribeHubInput{})
			switch {
			case awsx.ErrorCode(err) == "InvalidAccessException": // not subscribed
				p.locked(func(s *Services) { s.SecurityHub[region] = nil })
			case err != nil:
				p.fail("securityhub", region, "DescribeHub", err)
			default:
				h := &SecurityHub{ARN: aws.ToString(out.HubArn)}
				h.SubscribedAt, _ = parseTime(aws.ToString(out.SubscribedAt))
				p.locked(func(s *Services) { s.SecurityHub[region] = h })
			}
		})
	}
	p.spawn(func() { p.budgets(ctx) })
	p.spawn(func() { p.anomaly(ctx) })
	// Only the SECURITY contact is checked; BILLING and OPERATIONS are not read.
	for _, typ := range []accounttypes.AlternateContactType{accounttypes.AlternateContactTypeSecurity} {
		p.spawn(func() {
			out, err := c.Account.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: typ})
			switch {
			case awsx.ErrorCode(err) == "ResourceNotFoundException": // not set
				p.locked(func(s *Services) { s.AlternateContacts[string(typ)] = nil })
			case err != nil:
				p.fail("account", "", "GetAlternateContact", err)
			default:
				ac := out.AlternateContact
				p.locked(func(s *Services) {
					s.AlternateContacts[string(typ)] = &AlternateContact{Name: aws.ToString(ac.Name), Title: aws.ToString(ac.Title), Email: aws.ToString(ac.EmailAddress)}
				})
			}
		})
	}
	// Metric filters and alarms matter only where a trail delivers to CloudWatch Logs, so they
	// are read there, once the trails are known (one step later, still within the longest chain).
	trailWG.Wait()
	logRegions := map[string]bool{}
	trailsMu.Lock()
	for _, t := range trailsByARN {
		if parts := strings.Split(t.LogGroupARN, ":"); len(parts) > 3 && parts[2] == "logs" {
			logRegions[parts[3]] = true
		}
	}
	trailsMu.Unlock()
	for region := range logRegions {
		p.spawn(func() {
			var list []MetricFilter
			pg := cloudwatchlogs.NewDescribeMetricFiltersPaginator(c.Logs(region), &cloudwatchlogs.DescribeMetricFiltersInput{})
			for pg.HasMorePages() {
				out, err := pg.NextPage(ctx)
				if err != nil {
					p.fail("logs", region, "DescribeMetricFilters", err)
					p.locked(func(*Services) { filtersOK = false })
					return
				}
				for _, f := range out.MetricFilters {
					mf := MetricFilter{Region: region, LogGroup: aws.ToString(f.LogGroupName), Name: aws.ToString(f.FilterName), Pattern: aws.ToString(f.FilterPattern)}
					if len(f.MetricTransformations) > 0 {
						mf.MetricName, mf.MetricNamespace = aws.ToString(f.MetricTransformations[0].MetricName), aws.ToString(f.MetricTransformations[0].MetricNamespace)
					}
					list = append(list, mf)
				}
			}
			p.locked(func(s *Services) { s.MetricFilters = append(s.MetricFilters, list...) })
		})
		p.spawn(func() {
			var list []Alarm
			pg := cloudwatch.NewDescribeAlarmsPaginator(c.CloudWatch(region), &cloudwatch.DescribeAlarmsInput{})
			for pg.HasMorePages() {
				out, err := pg.NextPage(ctx)
				if err != nil {
					p.fail("cloudwatch", region, "DescribeAlarms", err)
					p.locked(func(*Services) { alarmsOK = false })
					return
				}
				for _, a := range out.MetricAlarms {
					list = append(list, Alarm{Region: region, Name: aws.ToString(a.AlarmName), Metric: aws.ToString(a.MetricName), Namespace: aws.ToString(a.Namespace),
						Actions: a.AlarmActions, Enabled: aws.ToBool(a.ActionsEnabled), State: string(a.StateValue)})
				}
			}
			p.locked(func(s *Services) { s.Alarms = append(s.Alarms, list...) })
		})
	}
	p.wg.Wait()
	s := p.s
	if trailsOK {
		s.Trails = []Trail{}
		for _, t := range trailsByARN {
			s.Trails = append(s.Trails, *t)
		}
		slices.SortFunc(s.Trails, func(a, b Trail) int { return strings.Compare(a.ARN, b.ARN) })
	}
	if !filtersOK {
		s.MetricFilters = nil
	} else if s.MetricFilters == nil {
		s.MetricFilters = []MetricFilter{}
	}
	if !alarmsOK {
		s.Alarms = nil
	} else if s.Alarms == nil {
		s.Alarms = []Alarm{}
	}
	slices.SortFunc(s.MetricFilters, func(a, b MetricFilter) int {
		return strings.Compare(a.Region+a.LogGroup+a.Name, b.Region+b.LogGroup+b.Name)
	})
	slices.SortFunc(s.Alarms, func(a, b Alarm) int { return strings.Compare(a.Region+a.Name, b.Region+b.Name) })
	slices.SortFunc(p.errs, func(a, b CollectionError) int { return strings.Compare(a.String(), b.String()) })
	return s, p.errs
}

// trailDetails reads a trail's status, selectors and bucket exposure, all at once.
func (p *postureCollector) trailDetails(ctx context.Context, t *Trail) {
	ct := p.c.CloudTrail(t.HomeRegion)
	var wg sync.WaitGroup
	wg.Add(4)
	go func() {
		defer wg.Done()
		out, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(t.ARN)})
		if err != nil {
			p.fail("cloudtrail", t.HomeRegion, "GetTrailStatus", err)
			return
		}
		p.locked(func(*Services) { t.IsLogging = aws.Bool(aws.ToBool(out.IsLogging)) })
	}()
	go func() {
		defer wg.Done()
		out, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(t.ARN)})
		if err != nil {
			p.fail("cloudtrail", t.HomeRegion, "GetEventSelectors", err)
			return
		}
		read, write := false, false
		for _, s := range out.EventSelectors {
			if s.IncludeManagementEvents != nil && !*s.IncludeManagementEvents {
				continue
			}
			switch s.ReadWriteType {
			case "ReadOnly":
				read = true
			case "WriteOnly":
				write = true
			default:
				read, write = true, true
			}
		}
		for _, a := range out.AdvancedEventSelectors { // advanced selectors: a Management category logs both unless narrowed
			for _, f := range a.FieldSelectors {
				if aws.ToString(f.Field) == "eventCategory" && slices.Contains(f.Equals, "Management") {
					read, write = true, true
				}
			}
		}
		p.locked(func(*Services) { t.SelectorsKnown, t.ManagementRead, t.ManagementWrite = true, read, write })
	}()
	s3c := p.c.S3(t.HomeRegion)
	go func() {
		defer wg.Done()
		out, err := s3c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(t.S3Bucket)})
		switch {
		case awsx.ErrorCode(err) == "NoSuchBucketPolicy": // no policy: nothing public through one
			p.locked(func(*Services) { t.BucketPublic = aws.Bool(false) })
		case err != nil:
			p.fail("s3", t.HomeRegion, "GetBucketPolicyStatus", err)
		default:
			public := out.PolicyStatus != nil && aws.ToBool(out.PolicyStatus.IsPublic)
			p.locked(func(*Services) {
				if t.BucketPublic == nil || !*t.BucketPublic {
					t.BucketPublic = aws.Bool(public)
				}
			})
		}
	}()
	go func() {
		defer wg.Done()
		out, err := s3c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(t.S3Bucket)})
		switch {
		case awsx.ErrorCode(err) == "NoSuchPublicAccessBlockConfiguration":
			p.locked(func(*Services) { t.BucketPublicAccessBlock = aws.Bool(false) })
		case err != nil:
			p.fail("s3", t.HomeRegion, "GetPublicAccessBlock", err)
		default:
			c := out.PublicAccessBlockConfiguration
			all := c != nil && aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.RestrictPublicBuckets)
			p.locked(func(*Services) { t.BucketPublicAccessBlock = aws.Bool(all) })
		}
	}()
	wg.Wait()
}

func (p *postureCollector) guardDuty(ctx context.Context, region string) {
	api := p.c.GuardDuty(region)
	var ids []string
	pg := guardduty.NewListDetectorsPaginator(api, &guardduty.ListDetectorsInput{})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			p.fail("guardduty", region, "ListDetectors", err)
			return
		}
		ids = append(ids, out.DetectorIds...)
	}
	if len(ids) == 0 {
		p.locked(func(s *Services) { s.GuardDuty[region] = nil })
		return
	}
	out, err := api.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(ids[0])}) // one detector per account and region
	if err != nil {
		p.fail("guardduty", region, "GetDetector", err)
		return
	}
	p.locked(func(s *Services) { s.GuardDuty[region] = &GuardDutyDetector{ID: ids[0], Status: string(out.Status)} })
}

func (p *postureCollector) config(ctx context.Context, region string) {
	api := p.c.Config(region)
	recs, err := api.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil {
		p.fail("config", region, "DescribeConfigurationRecorders", err)
		return
	}
	list := []ConfigRecorder{}
	if len(recs.ConfigurationRecorders) > 0 { // the status only matters when there is a recorder
		sts, err := api.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
		if err != nil {
			p.fail("config", region, "DescribeConfigurationRecorderStatus", err)
			return
		}
		for _, r := range recs.ConfigurationRecorders {
			cr := ConfigRecorder{Name: aws.ToString(r.Name)}
			if r.RecordingGroup != nil {
				cr.AllSupported = r.RecordingGroup.AllSupported
			}
			for _, st := range sts.ConfigurationRecordersStatus {
				if aws.ToString(st.Name) == cr.Name {
					cr.Recording, cr.LastStatus = st.Recording, string(st.LastStatus)
				}
			}
			list = append(list, cr)
		}
	}
	p.locked(func(s *Services) { s.ConfigRecorders[region] = list })
}

func (p *postureCollector) budgets(ctx context.Context) {
	acct := p.c.AccountID
	if acct == "" && p.c.STS != nil {
		id, err := awsx.CallerIdentity(ctx, p.c.STS)
		if err != nil {
			p.fail("sts", "", "GetCallerIdentity", err)
			return
		}
		acct = id.Account
	}
	var list []Budget
	pg := budgets.NewDescribeBudgetsPaginator(p.c.Budgets, &budgets.DescribeBudgetsInput{AccountId: aws.String(acct)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if awsx.ErrorCode(err) == "NotFoundException" { // older accounts answer "no budgets" this way
			break
		}
		if err != nil {
			p.fail("budgets", "", "DescribeBudgets", err)
			return
		}
		for _, b := range out.Budgets {
			bd := Budget{Name: aws.ToString(b.BudgetName), Type: string(b.BudgetType), TimeUnit: string(b.TimeUnit), Notifications: []BudgetNotification{}}
			if b.BudgetLimit != nil {
				bd.Limit, bd.Unit = aws.ToString(b.BudgetLimit.Amount), aws.ToString(b.BudgetLimit.Unit)
			}
			list = append(list, bd)
		}
	}
	var wg sync.WaitGroup
	ok := true
	for i := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			npg := budgets.NewDescribeNotificationsForBudgetPaginator(p.c.Budgets, &budgets.DescribeNotificationsForBudgetInput{AccountId: aws.String(acct), BudgetName: aws.String(list[i].Name)})
			for npg.HasMorePages() {
				out, err := npg.NextPage(ctx)
				if awsx.ErrorCode(err) == "NotFoundException" {
					return
				}
				if err != nil {
					p.fail("budgets", "", "DescribeNotificationsForBudget", err)
					p.locked(func(*Services) { ok = false })
					return
				}
				for _, n := range out.Notifications {
					// AWS requires at least one subscriber on every notification, so a
					// notification is an alert that reaches someone.
					list[i].Notifications = append(list[i].Notifications, BudgetNotification{Type: string(n.NotificationType), Comparison: string(n.ComparisonOperator),
						Threshold: n.Threshold, Subscribers: 1})
				}
			}
		}()
	}
	wg.Wait()
	if !ok {
		return
	}
	if list == nil {
		list = []Budget{}
	}
	p.locked(func(s *Services) { s.Budgets = list })
}

func (p *postureCollector) anomaly(ctx context.Context) {
	var mons []AnomalyMonitor
	var subs []AnomalySubscription
	var wg sync.WaitGroup
	failed := false
	wg.Add(2)
	go func() {
		defer wg.Done()
		pg := costexplorer.NewGetAnomalyMonitorsPaginator(p.c.CostExplorer, &costexplorer.GetAnomalyMonitorsInput{})
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				p.fail("ce", "", "GetAnomalyMonitors", err)
				p.locked(func(*Services) { failed = true })
				return
			}
			for _, m := range out.AnomalyMonitors {
				mons = append(mons, AnomalyMonitor{ARN: aws.ToString(m.MonitorArn), Name: aws.ToString(m.MonitorName), Type: string(m.MonitorType)})
			}
		}
	}()
	go func() {
		defer wg.Done()
		pg := costexplorer.NewGetAnomalySubscriptionsPaginator(p.c.CostExplorer, &costexplorer.GetAnomalySubscriptionsInput{})
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				p.fail("ce", "", "GetAnomalySubscriptions", err)
				p.locked(func(*Services) { failed = true })
				return
			}
			for _, s := range out.AnomalySubscriptions {
				subs = append(subs, AnomalySubscription{ARN: aws.ToString(s.SubscriptionArn), Name: aws.ToString(s.SubscriptionName), MonitorARNs: s.MonitorArnList,
					Subscribers: len(s.Subscribers), Frequency: string(s.Frequency)})
			}
		}
	}()
	wg.Wait()
	if failed {
		return
	}
	if mons == nil {
		mons = []AnomalyMonitor{}
	}
	if subs == nil {
		subs = []AnomalySubscription{}
	}
	p.locked(func(s *Services) { s.AnomalyMonitors, s.AnomalySubscriptions = mons, subs })
}

func parseTime(v string) (time.Time, error) {
	return time.Parse(time.RFC3339, v)
}
