package audit

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	budgettypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/accountguard/accountguard/internal/awsx"
)

// AWSCaller makes fix calls with the SDK.
type AWSCaller struct {
	Cfg aws.Config
}

var _ Caller = (*AWSCaller)(nil)

func (c *AWSCaller) in(region string) aws.Config {
	cfg := c.Cfg.Copy()
	if region == "" {
		region = "us-east-1" // IAM, Budgets, Cost Explorer, Account
	}
	cfg.Region = region
	return cfg
}

// AccountID is the caller's account.
func (c *AWSCaller) AccountID(ctx context.Context) (string, error) {
	id, err := awsx.CallerIdentity(ctx, sts.NewFromConfig(c.Cfg))
	return id.Account, err
}

func str(in map[string]any, k string) string {
	v, _ := in[k].(string)
	return v
}

func num(in map[string]any, k string) float64 {
	switch v := in[k].(type) {
	case float64:
		return v
	case int:
		return float64(v)
	case int32:
		return float64(v)
	}
	return 0
}

func flag(in map[string]any, k string) bool {
	v, _ := in[k].(bool)
	return v
}

// Before reads what a replacing call overwrites: the password policy and an alternate contact.
func (c *AWSCaller) Before(ctx context.Context, a Action) (map[string]any, error) {
	switch a.Permission() {
	case "iam:UpdateAccountPasswordPolicy":
		out, err := iam.NewFromConfig(c.in("")).GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
		if awsx.ErrorCode(err) == "NoSuchEntity" {
			return map[string]any{"none": true}, nil
		}
		if err != nil {
			return nil, err
		}
		p := out.PasswordPolicy
		return map[string]any{"MinimumPasswordLength": float64(aws.ToInt32(p.MinimumPasswordLength)), "PasswordReusePrevention": float64(aws.ToInt32(p.PasswordReusePrevention)),
			"RequireSymbols": p.RequireSymbols, "RequireNumbers": p.RequireNumbers, "RequireUppercaseCharacters": p.RequireUppercaseCharacters,
			"RequireLowercaseCharacters": p.RequireLowercaseCharacters, "AllowUsersToChangePassword": p.AllowUsersToChangePassword,
			"MaxPasswordAge": float64(aws.ToInt32(p.MaxPasswordAge)), "HardExpiry": aws.ToBool(p.HardExpiry)}, nil
	case "account:PutAlternateContact":
		out, err := account.NewFromConfig(c.in("")).GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: accounttypes.AlternateContactType(str(a.Input, "AlternateContactType"))})
		if awsx.ErrorCode(err) == "ResourceNotFoundException" {
			return map[string]any{"none": true}, nil
		}
		if err != nil {
			return nil, err
		}
		ac := out.AlternateContact
		return map[string]any{"AlternateContactType": str(a.Input, "AlternateContactType"), "EmailAddress": aws.ToString(ac.EmailAddress), "Name": aws.ToString(ac.Name),
			"PhoneNumber": aws.ToString(ac.PhoneNumber), "Title": aws.ToString(ac.Title)}, nil
	}
	return nil, nil
}

// Undo says how to reverse a completed call.
func (c *AWSCaller) Undo(a Action, before, out map[string]any) []Action {
	u := func(svc, op string, in map[string]any) []Action {
		return []Action{{Fix: a.Fix, Service: svc, Region: a.Region, Op: op, Input: in}}
	}
	in := a.Input
	switch a.Permission() {
	case "iam:UpdateAccountPasswordPolicy":
		if before == nil || before["none"] == true {
			return u("iam", "DeleteAccountPasswordPolicy", map[string]any{})
		}
		return u("iam", "UpdateAccountPasswordPolicy", before)
	case "account:PutAlternateContact":
		if before == nil || before["none"] == true {
			return u("account", "DeleteAlternateContact", map[string]any{"AlternateContactType": str(in, "AlternateContactType")})
		}
		return u("account", "PutAlternateContact", before)
	case "s3:CreateBucket":
		return u("s3", "DeleteBucket", map[string]any{"Bucket": str(in, "Bucket")})
	case "cloudtrail:CreateTrail":
		return u("cloudtrail", "DeleteTrail", map[string]any{"Name": str(in, "Name")})
	case "cloudtrail:StartLogging":
		return u("cloudtrail", "StopLogging", map[string]any{"Name": str(in, "Name")})
	case "cloudtrail:UpdateTrail":
		return u("cloudtrail", "UpdateTrail", map[string]any{"Name": str(in, "Name"), "CloudWatchLogsLogGroupArn": "", "CloudWatchLogsRoleArn": ""})
	case "logs:CreateLogGroup":
		return u("logs", "DeleteLogGroup", map[string]any{"logGroupName": str(in, "logGroupName")})
	case "logs:PutMetricFilter":
		return u("logs", "DeleteMetricFilter", map[string]any{"logGroupName": str(in, "logGroupName"), "filterName": str(in, "filterName")})
	case "iam:CreateRole":
		return u("iam", "DeleteRole", map[string]any{"RoleName": str(in, "RoleName")})
	case "iam:PutRolePolicy":
		return u("iam", "DeleteRolePolicy", map[string]any{"RoleName": str(in, "RoleName"), "PolicyName": str(in, "PolicyName")})
	case "sns:CreateTopic":
		return u("sns", "DeleteTopic", map[string]any{"TopicArn": str(out, "TopicArn")})
	case "cloudwatch:PutMetricAlarm":
		return u("cloudwatch", "DeleteAlarms", map[string]any{"AlarmName": str(in, "AlarmName")})
	case "guardduty:CreateDetector":
		return u("guardduty", "DeleteDetector", map[string]any{"DetectorId": str(out, "DetectorId")})
	case "budgets:CreateBudget":
		return u("budgets", "DeleteBudget", map[string]any{"AccountId": str(in, "AccountId"), "BudgetName": str(in, "BudgetName")})
	case "ce:CreateAnomalyMonitor":
		return u("ce", "DeleteAnomalyMonitor", map[string]any{"MonitorArn": str(out, "MonitorArn")})
	case "ce:CreateAnomalySubscription":
		return u("ce", "DeleteAnomalySubscription", map[string]any{"SubscriptionArn": str(out, "SubscriptionArn")})
	}
	// PutPublicAccessBlock, PutBucketPolicy and PutEventSelectors on what the fix created
	// go away with it; Subscribe goes with its topic.
	return nil
}

// Call makes one call; its output holds the IDs later actions and the undo need.
func (c *AWSCaller) Call(ctx context.Context, a Action) (map[string]any, error) {
	cfg := c.in(a.Region)
	in := a.Input
	none := map[string]any{}
	switch a.Permission() {
	case "iam:UpdateAccountPasswordPolicy":
		p := &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(int32(num(in, "MinimumPasswordLength"))), RequireSymbols: flag(in, "RequireSymbols"),
			RequireNumbers: flag(in, "RequireNumbers"), RequireUppercaseCharacters: flag(in, "RequireUppercaseCharacters"), RequireLowercaseCharacters: flag(in, "RequireLowercaseCharacters"),
			AllowUsersToChangePassword: flag(in, "AllowUsersToChangePassword"), HardExpiry: aws.Bool(flag(in, "HardExpiry"))}
		if n := num(in, "PasswordReusePrevention"); n > 0 {
			p.PasswordReusePrevention = aws.Int32(int32(n))
		}
		if n := num(in, "MaxPasswordAge"); n > 0 {
			p.MaxPasswordAge = aws.Int32(int32(n))
		}
		_, err := iam.NewFromConfig(cfg).UpdateAccountPasswordPolicy(ctx, p)
		return none, err
	case "iam:DeleteAccountPasswordPolicy":
		_, err := iam.NewFromConfig(cfg).DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})
		return none, err
	case "iam:CreateRole":
		_, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(str(in, "RoleName")), AssumeRolePolicyDocument: aws.String(str(in, "AssumeRolePolicyDocument")), Description: aws.String(str(in, "Description"))})
		return none, err
	case "iam:DeleteRole":
		_, err := iam.NewFromConfig(cfg).DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(str(in, "RoleName"))})
		return none, err
	case "iam:PutRolePolicy":
		_, err := iam.NewFromConfig(cfg).PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(str(in, "RoleName")), PolicyName: aws.String(str(in, "PolicyName")), PolicyDocument: aws.String(str(in, "PolicyDocument"))})
		return none, err
	case "iam:DeleteRolePolicy":
		_, err := iam.NewFromConfig(cfg).DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(str(in, "RoleName")), PolicyName: aws.String(str(in, "PolicyName"))})
		return none, err
	case "account:PutAlternateContact":
		_, err := account.NewFromConfig(cfg).PutAlternateContact(ctx, &account.PutAlternateContactInput{AlternateContactType: accounttypes.AlternateContactType(str(in, "AlternateContactType")),
			EmailAddress: aws.String(str(in, "EmailAddress")), Name: aws.String(str(in, "Name")), PhoneNumber: aws.String(str(in, "PhoneNumber")), Title: aws.String(str(in, "Title"))})
		return none, err
	case "account:DeleteAlternateContact":
		_, err := account.NewFromConfig(cfg).DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: accounttypes.AlternateContactType(str(in, "AlternateContactType"))})
		return none, err
	case "s3:CreateBucket":
		p := &s3.CreateBucketInput{Bucket: aws.String(str(in, "Bucket"))}
		if cfg.Region != "us-east-1" {
			p.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(cfg.Region)}
		}
		_, err := s3.NewFromConfig(cfg).CreateBucket(ctx, p)
		return none, err
	case "s3:PutPublicAccessBlock":
		_, err := s3.NewFromConfig(cfg).PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(str(in, "Bucket")), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
		return none, err
	case "s3:PutBucketPolicy":
		_, err := s3.NewFromConfig(cfg).PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(str(in, "Bucket")), Policy: aws.String(str(in, "Policy"))})
		return none, err
	case "s3:DeleteBucket":
		_, err := s3.NewFromConfig(cfg).DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(str(in, "Bucket"))})
		return none, err
	case "cloudtrail:CreateTrail":
		p := &cloudtrail.CreateTrailInput{Name: aws.String(str(in, "Name")), S3BucketName: aws.String(str(in, "S3BucketName")), IsMultiRegionTrail: aws.Bool(flag(in, "IsMultiRegionTrail")),
			EnableLogFileValidation: aws.Bool(flag(in, "EnableLogFileValidation")), IncludeGlobalServiceEvents: aws.Bool(flag(in, "IncludeGlobalServiceEvents"))}
		if g := str(in, "CloudWatchLogsLogGroupArn"); g != "" {
			p.CloudWatchLogsLogGroupArn, p.CloudWatchLogsRoleArn = aws.String(g), aws.String(str(in, "CloudWatchLogsRoleArn"))
		}
		out, err := cloudtrail.NewFromConfig(cfg).CreateTrail(ctx, p)
		if err != nil {
			return nil, err
		}
		return map[string]any{"TrailARN": aws.ToString(out.TrailARN)}, nil
	case "cloudtrail:UpdateTrail":
		_, err := cloudtrail.NewFromConfig(cfg).UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(str(in, "Name")),
			CloudWatchLogsLogGroupArn: aws.String(str(in, "CloudWatchLogsLogGroupArn")), CloudWatchLogsRoleArn: aws.String(str(in, "CloudWatchLogsRoleArn"))})
		return none, err
	case "cloudtrail:StartLogging":
		_, err := cloudtrail.NewFromConfig(cfg).StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(str(in, "Name"))})
		return none, err
	case "cloudtrail:StopLogging":
		_, err := cloudtrail.NewFromConfig(cfg).StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(str(in, "Name"))})
		return none, err
	case "cloudtrail:DeleteTrail":
		_, err := cloudtrail.NewFromConfig(cfg).DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(str(in, "Name"))})
		return none, err
	case "cloudtrail:PutEventSelectors":
		_, err := cloudtrail.NewFromConfig(cfg).PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(str(in, "TrailName")),
			EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteType(str(in, "ReadWriteType")), IncludeManagementEvents: aws.Bool(flag(in, "IncludeManagementEvents"))}}})
		return none, err
	case "logs:CreateLogGroup":
		_, err := cloudwatchlogs.NewFromConfig(cfg).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(str(in, "logGroupName"))})
		return none, err
	case "logs:DeleteLogGroup":
		_, err := cloudwatchlogs.NewFromConfig(cfg).DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(str(in, "logGroupName"))})
		return none, err
	case "logs:PutMetricFilter":
		_, err := cloudwatchlogs.NewFromConfig(cfg).PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String(str(in, "logGroupName")),
			FilterName: aws.String(str(in, "filterName")), FilterPattern: aws.String(str(in, "filterPattern")),
			MetricTransformations: []logtypes.MetricTransformation{{MetricName: aws.String(str(in, "metricName")), MetricNamespace: aws.String(str(in, "metricNamespace")), MetricValue: aws.String(str(in, "metricValue"))}}})
		return none, err
	case "logs:DeleteMetricFilter":
		_, err := cloudwatchlogs.NewFromConfig(cfg).DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(str(in, "logGroupName")), FilterName: aws.String(str(in, "filterName"))})
		return none, err
	case "sns:CreateTopic":
		out, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(str(in, "Name"))})
		if err != nil {
			return nil, err
		}
		return map[string]any{"TopicArn": aws.ToString(out.TopicArn)}, nil
	case "sns:Subscribe":
		_, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(str(in, "TopicArn")), Protocol: aws.String(str(in, "Protocol")), Endpoint: aws.String(str(in, "Endpoint"))})
		return none, err
	case "sns:DeleteTopic":
		_, err := sns.NewFromConfig(cfg).DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(str(in, "TopicArn"))})
		return none, err
	case "cloudwatch:PutMetricAlarm":
		var actions []string
		if l, ok := in["AlarmActions"].([]any); ok {
			for _, v := range l {
				if s, ok := v.(string); ok {
					actions = append(actions, s)
				}
			}
		}
		_, err := cloudwatch.NewFromConfig(cfg).PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(str(in, "AlarmName")), MetricName: aws.String(str(in, "MetricName")),
			Namespace: aws.String(str(in, "Namespace")), Statistic: cwtypes.Statistic(str(in, "Statistic")), Period: aws.Int32(int32(num(in, "Period"))),
			EvaluationPeriods: aws.Int32(int32(num(in, "EvaluationPeriods"))), Threshold: aws.Float64(num(in, "Threshold")),
			ComparisonOperator: cwtypes.ComparisonOperator(str(in, "ComparisonOperator")), AlarmActions: actions, TreatMissingData: aws.String(str(in, "TreatMissingData"))})
		return none, err
	case "cloudwatch:DeleteAlarms":
		_, err := cloudwatch.NewFromConfig(cfg).DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{str(in, "AlarmName")}})
		return none, err
	case "guardduty:CreateDetector":
		out, err := guardduty.NewFromConfig(cfg).CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(flag(in, "Enable")), FindingPublishingFrequency: gdtypes.FindingPublishingFrequency(str(in, "FindingPublishingFrequency"))})
		if err != nil {
			return nil, err
		}
		return map[string]any{"DetectorId": aws.ToString(out.DetectorId)}, nil
	case "guardduty:DeleteDetector":
		_, err := guardduty.NewFromConfig(cfg).DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(str(in, "DetectorId"))})
		return none, err
	case "budgets:CreateBudget":
		notify := func(t budgettypes.NotificationType, pct float64) budgettypes.NotificationWithSubscribers {
			return budgettypes.NotificationWithSubscribers{
				Notification: &budgettypes.Notification{NotificationType: t, ComparisonOperator: budgettypes.ComparisonOperatorGreaterThan, Threshold: pct, ThresholdType: budgettypes.ThresholdTypePercentage},
				Subscribers:  []budgettypes.Subscriber{{SubscriptionType: budgettypes.SubscriptionTypeEmail, Address: aws.String(str(in, "Email"))}}}
		}
		_, err := budgets.NewFromConfig(cfg).CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: aws.String(str(in, "AccountId")),
			Budget: &budgettypes.Budget{BudgetName: aws.String(str(in, "BudgetName")), BudgetType: budgettypes.BudgetTypeCost, TimeUnit: budgettypes.TimeUnitMonthly,
				BudgetLimit: &budgettypes.Spend{Amount: aws.String(str(in, "Limit")), Unit: aws.String("USD")}},
			NotificationsWithSubscribers: []budgettypes.NotificationWithSubscribers{notify(budgettypes.NotificationTypeForecasted, 80), notify(budgettypes.NotificationTypeActual, 100)}})
		return none, err
	case "budgets:DeleteBudget":
		_, err := budgets.NewFromConfig(cfg).DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: aws.String(str(in, "AccountId")), BudgetName: aws.String(str(in, "BudgetName"))})
		return none, err
	case "ce:CreateAnomalyMonitor":
		out, err := costexplorer.NewFromConfig(cfg).CreateAnomalyMonitor(ctx, &costexplorer.CreateAnomalyMonitorInput{AnomalyMonitor: &cetypes.AnomalyMonitor{
			MonitorName: aws.String(str(in, "MonitorName")), MonitorType: cetypes.MonitorType(str(in, "MonitorType")), MonitorDimension: cetypes.MonitorDimension(str(in, "MonitorDimension"))}})
		if err != nil {
			return nil, err
		}
		return map[string]any{"MonitorArn": aws.ToString(out.MonitorArn)}, nil
	case "ce:CreateAnomalySubscription":
		out, err := costexplorer.NewFromConfig(cfg).CreateAnomalySubscription(ctx, &costexplorer.CreateAnomalySubscriptionInput{AnomalySubscription: &cetypes.AnomalySubscription{
			SubscriptionName: aws.String(str(in, "SubscriptionName")), MonitorArnList: []string{str(in, "MonitorArn")}, Frequency: cetypes.AnomalySubscriptionFrequency(str(in, "Frequency")),
			Subscribers: []cetypes.Subscriber{{Type: cetypes.SubscriberTypeEmail, Address: aws.String(str(in, "Email"))}},
			ThresholdExpression: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionAnomalyTotalImpactAbsolute, Values: []string{fmt.Sprint(num(in, "ThresholdUSD"))},
				MatchOptions: []cetypes.MatchOption{cetypes.MatchOptionGreaterThanOrEqual}}}}})
		if err != nil {
			return nil, err
		}
		return map[string]any{"SubscriptionArn": aws.ToString(out.SubscriptionArn)}, nil
	case "ce:DeleteAnomalyMonitor":
		_, err := costexplorer.NewFromConfig(cfg).DeleteAnomalyMonitor(ctx, &costexplorer.DeleteAnomalyMonitorInput{MonitorArn: aws.String(str(in, "MonitorArn"))})
		return none, err
	case "ce:DeleteAnomalySubscription":
		_, err := costexplorer.NewFromConfig(cfg).DeleteAnomalySubscription(ctx, &costexplorer.DeleteAnomalySubscriptionInput{SubscriptionArn: aws.String(str(in, "SubscriptionArn"))})
		return none, err
	}
	return nil, fmt.Errorf("fix call %s is not known to this build", a.Permission())
}
