package awssim

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

const postureYAML = `
name: posture
account: {id: "123456789012"}
admin: admin
users:
  - name: admin
    attached: [arn:aws:iam::aws:policy/AdministratorAccess]
    keys: [{created: -10d}]
posture:
  log_groups: [{region: us-east-1, name: trail-logs}]
  trails:
    - {name: main, home_region: us-east-1, multi_region: true, logging: true, log_file_validation: true, kms_key_id: "arn:aws:kms:us-east-1:123456789012:key/1", bucket: main-trail, log_group: trail-logs}
    - {name: local, home_region: eu-west-1, bucket: public-trail, management_events: WriteOnly}
  metric_filters:
    - {region: us-east-1, log_group: trail-logs, name: RootUsage, pattern: '{ $.userIdentity.type = "Root" }', metric: RootUsage, namespace: CIS}
  alarms:
    - {region: us-east-1, name: RootUsage, metric: RootUsage, namespace: CIS, actions: ["arn:aws:sns:us-east-1:123456789012:cis"]}
  topics: [{region: us-east-1, name: cis, subscriptions: [sec@example.com]}]
  guardduty: [us-east-1]
  config: [all]
  security_hub: [us-east-1]
  contacts: {SECURITY: {name: Sec, title: CISO, email: sec@example.com, phone: "+1 555 0100"}}
  public_buckets: [public-trail]
  blocked_buckets: [main-trail]
  restrict_default_security_groups: true
`

func startPosture(t *testing.T) *Running {
	t.Helper()
	sc, err := ParseScenario("posture", []byte(postureYAML))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Start(sc, Options{}, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func inRegion(cfg aws.Config, region string) aws.Config {
	cfg.Region = region
	return cfg
}

func TestCloudTrailTrails(t *testing.T) {
	r := startPosture(t)
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(r.Config("", ""))
	out, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(out.TrailList) != 1 {
		t.Fatalf("us-east-1 trails = %+v, %v", out, err)
	}
	tr := out.TrailList[0]
	if aws.ToString(tr.Name) != "main" || !aws.ToBool(tr.IsMultiRegionTrail) || !aws.ToBool(tr.LogFileValidationEnabled) || aws.ToString(tr.KmsKeyId) == "" ||
		aws.ToString(tr.CloudWatchLogsLogGroupArn) != "arn:aws:logs:us-east-1:123456789012:log-group:trail-logs:*" {
		t.Fatalf("trail = %+v", tr)
	}
	eu := cloudtrail.NewFromConfig(inRegion(r.Config("", ""), "eu-west-1"))
	out, _ = eu.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if len(out.TrailList) != 2 {
		t.Fatalf("eu-west-1 sees %d trails, want its own and the multi-region shadow", len(out.TrailList))
	}
	out, _ = eu.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})
	if len(out.TrailList) != 1 || aws.ToString(out.TrailList[0].Name) != "local" {
		t.Fatalf("without shadows: %+v", out.TrailList)
	}
	st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	if err != nil || !aws.ToBool(st.IsLogging) {
		t.Fatalf("status = %+v, %v", st, err)
	}
	sel, err := eu.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("local")})
	if err != nil || sel.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeWriteOnly || !aws.ToBool(sel.EventSelectors[0].IncludeManagementEvents) {
		t.Fatalf("selectors = %+v, %v", sel, err)
	}
	if _, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("nope")}); apiCode(err) != "TrailNotFoundException" {
		t.Fatalf("unknown trail: %v", err)
	}
	// Create, stop, start, change selectors, delete.
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("b")}); apiCode(err) != "TrailAlreadyExistsException" {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("x"), S3BucketName: aws.String("b")}); apiCode(err) != "InvalidTrailNameException" {
		t.Fatalf("short name: %v", err)
	}
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("cw-trail"), S3BucketName: aws.String("b"), CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:missing:*"), CloudWatchLogsRoleArn: aws.String("arn:aws:iam::123456789012:role/r")}); apiCode(err) != "InvalidCloudWatchLogsLogGroupArnException" {
		t.Fatalf("missing log group: %v", err)
	}
	c, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("new-trail"), S3BucketName: aws.String("new-bucket"), IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true)})
	if err != nil || aws.ToString(c.TrailARN) != "arn:aws:cloudtrail:us-east-1:123456789012:trail/new-trail" {
		t.Fatalf("create = %+v, %v", c, err)
	}
	st, _ = ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("new-trail")})
	if aws.ToBool(st.IsLogging) {
		t.Fatal("a new trail logs before StartLogging")
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("new-trail")}); err != nil {
		t.Fatal(err)
	}
	if _, err := eu.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: c.TrailARN}); apiCode(err) != "InvalidHomeRegionException" {
		t.Fatalf("stop from another region: %v", err)
	}
	if _, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("new-trail"), EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeReadOnly, IncludeManagementEvents: aws.Bool(true)}}}); err != nil {
		t.Fatal(err)
	}
	sel, _ = ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("new-trail")})
	if sel.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeReadOnly {
		t.Fatalf("selectors after put: %+v", sel.EventSelectors)
	}
	if _, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("new-trail")}); apiCode(err) != "InvalidEventSelectorsException" {
		t.Fatalf("empty selectors: %v", err)
	}
	if _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("new-trail")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("new-trail")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("new-trail")}); apiCode(err) != "TrailNotFoundException" {
		t.Fatalf("second delete: %v", err)
	}
	var created bool
	for _, rec := range r.Trail() {
		if rec.EventName == "CreateTrail" && rec.ErrorCode == "" && rec.ResponseElements != nil {
			created = true
		}
	}
	if !created {
		t.Fatal("CreateTrail not recorded with its responseElements")
	}
}

func TestCloudWatchAlarmsAndLogs(t *testing.T) {
	r := startPosture(t)
	ctx := context.Background()
	cw := cloudwatch.NewFromConfig(r.Config("", ""))
	lg := cloudwatchlogs.NewFromConfig(r.Config("", ""))
	for i := range 3 {
		_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(fmt.Sprintf("a%d", i)), MetricName: aws.String("M"), Namespace: aws.String("NS"),
			Statistic: "Sum", Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: "GreaterThanOrEqualToThreshold",
			AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:cis"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	p := cloudwatch.NewDescribeAlarmsPaginator(cw, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range out.MetricAlarms {
			names = append(names, aws.ToString(a.AlarmName))
			if len(a.AlarmActions) != 1 || aws.ToString(a.Namespace) == "" {
				t.Fatalf("alarm = %+v", a)
			}
		}
	}
	if pages != 2 || strings.Join(names, ",") != "RootUsage,a0,a1,a2" {
		t.Fatalf("%d pages: %v", pages, names)
	}
	if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("bad"), MetricName: aws.String("M"), Namespace: aws.String("NS"), EvaluationPeriods: aws.Int32(1), ComparisonOperator: "Sideways"}); apiCode(err) != "ValidationError" {
		t.Fatalf("bad comparison: %v", err)
	}
	if _, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(500)}); apiCode(err) != "ValidationError" {
		t.Fatalf("max records: %v", err)
	}
	if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"a0", "a1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"a0"}}); apiCode(err) != "ResourceNotFound" {
		t.Fatalf("delete missing: %v", err)
	}
	// Logs: filters on a group, paging, errors.
	if _, err := lg.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("nope"), FilterName: aws.String("f"), FilterPattern: aws.String("{ $.x = 1 }"),
		MetricTransformations: []logtypes.MetricTransformation{{MetricName: aws.String("m"), MetricNamespace: aws.String("n"), MetricValue: aws.String("1")}}}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("missing group: %v", err)
	}
	if _, err := lg.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("trail-logs")}); apiCode(err) != "ResourceAlreadyExistsException" {
		t.Fatalf("duplicate group: %v", err)
	}
	for i := range 3 {
		if _, err := lg.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("trail-logs"), FilterName: aws.String(fmt.Sprintf("f%d", i)), FilterPattern: aws.String("{ $.x = 1 }"),
			MetricTransformations: []logtypes.MetricTransformation{{MetricName: aws.String("m"), MetricNamespace: aws.String("n"), MetricValue: aws.String("1")}}}); err != nil {
			t.Fatal(err)
		}
	}
	fp := cloudwatchlogs.NewDescribeMetricFiltersPaginator(lg, &cloudwatchlogs.DescribeMetricFiltersInput{Limit: aws.Int32(3)})
	var filters []string
	for fp.HasMorePages() {
		out, err := fp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.MetricFilters {
			filters = append(filters, aws.ToString(f.FilterName)+"="+aws.ToString(f.MetricTransformations[0].MetricName))
		}
	}
	if strings.Join(filters, ",") != "RootUsage=RootUsage,f0=m,f1=m,f2=m" {
		t.Fatalf("filters = %v", filters)
	}
	if _, err := lg.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String("trail-logs"), FilterName: aws.String("f9")}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("delete missing filter: %v", err)
	}
	if _, err := lg.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("g2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := lg.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("g2")}); err != nil {
		t.Fatal(err)
	}
	// SNS
	sn := sns.NewFromConfig(r.Config("", ""))
	tp, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts")})
	if err != nil || aws.ToString(tp.TopicArn) != "arn:aws:sns:us-east-1:123456789012:alerts" {
		t.Fatalf("topic = %+v, %v", tp, err)
	}
	sub, err := sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: tp.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("sec@example.com")})
	if err != nil || aws.ToString(sub.SubscriptionArn) != "pending confirmation" {
		t.Fatalf("subscribe = %+v, %v", sub, err)
	}
	if _, err := sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:none"), Protocol: aws.String("email"), Endpoint: aws.String("a@b.co")}); apiCode(err) != "NotFound" {
		t.Fatalf("subscribe to missing topic: %v", err)
	}
	if _, err := sn.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: tp.TopicArn}); err != nil {
		t.Fatal(err)
	}
}

func TestDetectionServicesAndContacts(t *testing.T) {
	r := startPosture(t)
	ctx := context.Background()
	gd := guardduty.NewFromConfig(r.Config("", ""))
	ids, err := gd.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if err != nil || len(ids.DetectorIds) != 1 {
		t.Fatalf("detectors = %+v, %v", ids, err)
	}
	d, err := gd.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(ids.DetectorIds[0])})
	if err != nil || d.Status != "ENABLED" {
		t.Fatalf("detector = %+v, %v", d, err)
	}
	if _, err := gd.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String("0123")}); apiCode(err) != "BadRequestException" {
		t.Fatalf("foreign detector: %v", err)
	}
	if _, err := gd.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)}); apiCode(err) != "BadRequestException" {
		t.Fatalf("second detector: %v", err)
	}
	gdEU := guardduty.NewFromConfig(inRegion(r.Config("", ""), "eu-west-1"))
	ids, _ = gdEU.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if len(ids.DetectorIds) != 0 {
		t.Fatal("eu-west-1 has a detector")
	}
	cd, err := gdEU.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	if err != nil || len(aws.ToString(cd.DetectorId)) != 32 {
		t.Fatalf("create = %+v, %v", cd, err)
	}
	if _, err := gdEU.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: cd.DetectorId}); err != nil {
		t.Fatal(err)
	}
	// Config
	cf := configservice.NewFromConfig(inRegion(r.Config("", ""), "sa-east-1"))
	recs, err := cf.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil || len(recs.ConfigurationRecorders) != 1 || !recs.ConfigurationRecorders[0].RecordingGroup.AllSupported {
		t.Fatalf("recorders = %+v, %v", recs, err)
	}
	sts, err := cf.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
	if err != nil || len(sts.ConfigurationRecordersStatus) != 1 || !sts.ConfigurationRecordersStatus[0].Recording {
		t.Fatalf("status = %+v, %v", sts, err)
	}
	if _, err := cf.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{ConfigurationRecorderNames: []string{"x"}}); apiCode(err) != "NoSuchConfigurationRecorderException" {
		t.Fatalf("unknown recorder: %v", err)
	}
	// Security Hub
	if h, err := securityhub.NewFromConfig(r.Config("", "")).DescribeHub(ctx, &securityhub.DescribeHubInput{}); err != nil || aws.ToString(h.HubArn) == "" {
		t.Fatalf("hub = %+v, %v", h, err)
	}
	if _, err := securityhub.NewFromConfig(inRegion(r.Config("", ""), "eu-west-1")).DescribeHub(ctx, &securityhub.DescribeHubInput{}); apiCode(err) != "InvalidAccessException" {
		t.Fatalf("not subscribed: %v", err)
	}
	// Account contacts
	ac := account.NewFromConfig(r.Config("", ""))
	got, err := ac.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: "SECURITY"})
	if err != nil || aws.ToString(got.AlternateContact.EmailAddress) != "sec@example.com" {
		t.Fatalf("contact = %+v, %v", got, err)
	}
	if _, err := ac.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: "BILLING"}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("unset contact: %v", err)
	}
	if _, err := ac.PutAlternateContact(ctx, &account.PutAlternateContactInput{AlternateContactType: "BILLING", EmailAddress: aws.String("not-an-email"), Name: aws.String("n"), PhoneNumber: aws.String("1"), Title: aws.String("t")}); apiCode(err) != "ValidationException" {
		t.Fatalf("bad email: %v", err)
	}
	if _, err := ac.PutAlternateContact(ctx, &account.PutAlternateContactInput{AlternateContactType: "BILLING", EmailAddress: aws.String("b@example.com"), Name: aws.String("n"), PhoneNumber: aws.String("1"), Title: aws.String("t")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ac.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: "BILLING"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ac.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: "BILLING"}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("delete unset: %v", err)
	}
	// S3 bucket exposure
	s := s3.NewFromConfig(r.Config("", ""), func(o *s3.Options) { o.UsePathStyle = true })
	ps, err := s.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("public-trail")})
	if err != nil || !aws.ToBool(ps.PolicyStatus.IsPublic) {
		t.Fatalf("public bucket = %+v, %v", ps, err)
	}
	ps, err = s.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("main-trail")})
	if err != nil || aws.ToBool(ps.PolicyStatus.IsPublic) {
		t.Fatalf("blocked bucket = %+v, %v", ps, err)
	}
	pab, err := s.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("main-trail")})
	if err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicPolicy) {
		t.Fatalf("pab = %+v, %v", pab, err)
	}
	if _, err := s.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("public-trail")}); apiCode(err) != "NoSuchPublicAccessBlockConfiguration" {
		t.Fatalf("no pab: %v", err)
	}
	if _, err := s.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("nobody")}); apiCode(err) != "NoSuchBucket" {
		t.Fatalf("missing bucket: %v", err)
	}
	// Default security groups were emptied.
	r.Inspect(func(w *World) {
		for _, reg := range w.Accounts["123456789012"].Regions {
			for _, sg := range reg.SecurityGroups {
				if sg.Name == "default" && len(sg.Ingress)+len(sg.Egress) > 0 {
					t.Errorf("default group of %s has rules", reg.Name)
				}
			}
		}
	})
}

func TestPostureScenarioErrors(t *testing.T) {
	for _, bad := range []string{
		"posture: {trails: [{name: t1, home_region: mars-1, bucket: b}]}",
		"posture: {guardduty: [nowhere-1]}",
		"posture: {trails: [{name: t1, home_region: us-east-1, bucket: b, log_group: missing}]}",
		"posture: {contacts: {PERSONAL: {email: a@b.co}}}",
		"posture: {trails: [{name: t1, home_region: us-east-1, bucket: b, management_events: Some}]}",
	} {
		sc, err := ParseScenario("bad", []byte("account: {id: \"123456789012\"}\n"+bad))
		if err != nil {
			t.Fatalf("%s: parse: %v", bad, err)
		}
		if _, err := New(sc, Options{}); err == nil || !strings.Contains(err.Error(), "posture") {
			t.Errorf("%s: err = %v", bad, err)
		}
	}
}

// The S3 calls the trail fix makes: a new bucket made private, given a policy, then deleted.
func TestS3FixOperations(t *testing.T) {
	r := startPosture(t)
	ctx := context.Background()
	s := s3.NewFromConfig(r.Config("", ""), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("fix-bucket")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("fix-bucket"), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	pab, err := s.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("fix-bucket")})
	if err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.RestrictPublicBuckets) {
		t.Fatalf("pab = %+v, %v", pab, err)
	}
	if _, err := s.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("fix-bucket"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("nope-bucket"), Policy: aws.String(`{}`)}); apiCode(err) != "NoSuchBucket" {
		t.Fatalf("policy on a missing bucket: %v", err)
	}
	if _, err := s.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("fix-bucket")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("fix-bucket")}); apiCode(err) != "NoSuchBucket" {
		t.Fatalf("second delete: %v", err)
	}
}

func TestSecurityHubBatchImportChecks(t *testing.T) {
	r := startPosture(t)
	sh := securityhub.NewFromConfig(r.Config("", ""))
	f := func(account, label string) shtypes.AwsSecurityFinding {
		return shtypes.AwsSecurityFinding{SchemaVersion: aws.String("2018-10-08"), Id: aws.String("f-" + account + label), GeneratorId: aws.String("g"),
			ProductArn: aws.String("arn:aws:securityhub:us-east-1:" + account + ":product/" + account + "/default"), AwsAccountId: aws.String(account),
			CreatedAt: aws.String("2026-01-01T00:00:00.000Z"), UpdatedAt: aws.String("2026-01-01T00:00:00.000Z"), Title: aws.String("t"), Description: aws.String("d"),
			Types: []string{"Software and Configuration Checks"}, Severity: &shtypes.Severity{Label: shtypes.SeverityLabel(label)},
			Resources: []shtypes.Resource{{Type: aws.String("AwsAccount"), Id: aws.String("AWS::::Account:" + account)}}}
	}
	out, err := sh.BatchImportFindings(context.Background(), &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{
		f("123456789012", "HIGH"), f("999999999999", "HIGH"), f("123456789012", "SEVERE")}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.SuccessCount) != 1 || aws.ToInt32(out.FailedCount) != 2 {
		t.Fatalf("success %d failed %d: %+v", aws.ToInt32(out.SuccessCount), aws.ToInt32(out.FailedCount), out.FailedFindings)
	}
}
