package audit

import (
	"fmt"
	"slices"

	"github.com/accountguard/accountguard/internal/inventory"
)

// Names of what the fixes create, so a reader of the account can tell them apart.
const (
	fixTrailName = "accountguard-trail"
	fixLogGroup  = "accountguard-cloudtrail"
	fixLogRole   = "accountguard-cloudtrail-logs"
	fixTopic     = "accountguard-cis-alarms"
	fixBudget    = "accountguard-monthly-cost"
	fixMonitor   = "accountguard-services"
	fixNamespace = "CISBenchmark"
)

func init() {
	fixPlanners["password-policy"] = planPasswordPolicy
	fixPlanners["trail"] = planTrail
	fixPlanners["cis-alarms"] = planCISAlarms
	fixPlanners["guardduty"] = planGuardDuty
	fixPlanners["budget"] = planBudget
	fixPlanners["anomaly-monitor"] = planAnomalyMonitor
	fixPlanners["security-contact"] = planSecurityContact
}

func (x *planCtx) home() string {
	for _, r := range []string{"us-east-1"} {
		if slices.Contains(x.snap.EnabledRegions(), r) || len(x.snap.Regions) == 0 {
			return r
		}
	}
	return x.snap.EnabledRegions()[0]
}

func planPasswordPolicy(x *planCtx) ([]Action, string) {
	in := map[string]any{"MinimumPasswordLength": 14, "PasswordReusePrevention": 24, "RequireSymbols": true, "RequireNumbers": true,
		"RequireUppercaseCharacters": true, "RequireLowercaseCharacters": true, "AllowUsersToChangePassword": true}
	if p := x.snap.IAM.PasswordPolicy; p != nil { // keep what is stricter already
		in["MinimumPasswordLength"] = max(14, p.MinimumLength)
		in["PasswordReusePrevention"] = max(24, p.ReusePrevention)
		if p.MaxPasswordAge > 0 {
			in["MaxPasswordAge"] = p.MaxPasswordAge
		}
		in["HardExpiry"] = p.HardExpiry
	}
	return []Action{{Service: "iam", Op: "UpdateAccountPasswordPolicy", Input: in, Why: "CIS 2.8, 2.9: length 14 or more, no reuse of the last 24"}}, ""
}

// qualifyingTrail returns the multi-region trail to repair, or nil to create one.
func (x *planCtx) existingTrail() *inventory.Trail {
	if x.snap.Services == nil {
		return nil
	}
	for i, t := range x.snap.Services.Trails {
		if t.MultiRegion {
			return &x.snap.Services.Trails[i]
		}
	}
	return nil
}

func (x *planCtx) trailBucket() string {
	if x.opts.TrailBucket != "" {
		return x.opts.TrailBucket
	}
	return "accountguard-trail-" + x.snap.Account.ID
}

func (x *planCtx) logGroupARN(region string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", region, x.snap.Account.ID, fixLogGroup)
}

func (x *planCtx) logRoleARN() string {
	return "arn:aws:iam::" + x.snap.Account.ID + ":role/" + fixLogRole
}

// needsLogDelivery reports whether the alarms fix will run and no qualifying trail sends to
// CloudWatch Logs, so the trail fix should create one that does.
func (x *planCtx) needsLogDelivery() bool {
	if len(x.failing["cis-alarms"]) == 0 {
		return false
	}
	t := x.existingTrail()
	return t == nil || t.LogGroupARN == ""
}

func logDeliveryActions(x *planCtx, region string) []Action {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:%s:%s:log-group:%s:log-stream:*"}]}`, region, x.snap.Account.ID, fixLogGroup)
	return []Action{
		{Service: "logs", Region: region, Op: "CreateLogGroup", Input: map[string]any{"logGroupName": fixLogGroup}, Why: "where the trail sends events for the CIS metric filters"},
		{Service: "iam", Op: "CreateRole", Input: map[string]any{"RoleName": fixLogRole, "AssumeRolePolicyDocument": trust, "Description": "CloudTrail delivery to CloudWatch Logs (accountguard)"}},
		{Service: "iam", Op: "PutRolePolicy", Input: map[string]any{"RoleName": fixLogRole, "PolicyName": "cloudtrail-to-logs", "PolicyDocument": policy}},
	}
}

func planTrail(x *planCtx) ([]Action, string) {
	region := x.home()
	t := x.existingTrail()
	var out []Action
	if t == nil {
		bucket := x.trailBucket()
		policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"AWSCloudTrailAclCheck","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::%[1]s"},{"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::%[1]s/AWSLogs/%[2]s/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}`, bucket, x.snap.Account.ID)
		out = append(out,
			Action{Service: "s3", Region: region, Op: "CreateBucket", Input: map[string]any{"Bucket": bucket}, Why: "the trail's log bucket"},
			Action{Service: "s3", Region: region, Op: "PutPublicAccessBlock", Input: map[string]any{"Bucket": bucket}, Why: "CIS 4.4: the log bucket is never public"},
			Action{Service: "s3", Region: region, Op: "PutBucketPolicy", Input: map[string]any{"Bucket": bucket, "Policy": policy}, Why: "lets CloudTrail deliver"})
		create := map[string]any{"Name": fixTrailName, "S3BucketName": bucket, "IsMultiRegionTrail": true, "EnableLogFileValidation": true, "IncludeGlobalServiceEvents": true}
		if x.needsLogDelivery() {
			out = append(out, logDeliveryActions(x, region)...)
			create["CloudWatchLogsLogGroupArn"], create["CloudWatchLogsRoleArn"] = x.logGroupARN(region), x.logRoleARN()
		}
		out = append(out,
			Action{Service: "cloudtrail", Region: region, Op: "CreateTrail", Input: create, Why: "CIS 4.1, 4.2: a multi-region trail with log file validation"},
			Action{Service: "cloudtrail", Region: region, Op: "StartLogging", Input: map[string]any{"Name": fixTrailName}})
		return out, ""
	}
	if t.SelectorsKnown && (!t.ManagementRead || !t.ManagementWrite) {
		out = append(out, Action{Service: "cloudtrail", Region: t.HomeRegion, Op: "PutEventSelectors",
			Input: map[string]any{"TrailName": t.ARN, "ReadWriteType": "All", "IncludeManagementEvents": true}, Why: "log read and write management events"})
	}
	if t.IsLogging != nil && !*t.IsLogging {
		out = append(out, Action{Service: "cloudtrail", Region: t.HomeRegion, Op: "StartLogging", Input: map[string]any{"Name": t.ARN}, Why: "the trail was stopped"})
	}
	return out, ""
}

func planCISAlarms(x *planCtx) ([]Action, string) {
	var out []Action
	t := x.existingTrail()
	region := x.home()
	group := fixLogGroup
	switch {
	case t == nil: // the trail fix creates the trail with delivery to fixLogGroup
		if len(x.failing["trail"]) == 0 {
			return nil, "no multi-region trail to watch"
		}
	case t.LogGroupARN == "":
		region = t.HomeRegion
		out = append(out, logDeliveryActions(x, region)...)
		out = append(out, Action{Service: "cloudtrail", Region: t.HomeRegion, Op: "UpdateTrail", Input: map[string]any{"Name": t.ARN,
			"CloudWatchLogsLogGroupArn": x.logGroupARN(region), "CloudWatchLogsRoleArn": x.logRoleARN()}, Why: "send the trail's events to CloudWatch Logs"})
	default:
		r, g, ok := logGroupOf(t.LogGroupARN)
		if !ok {
			return nil, "the trail's log group ARN " + t.LogGroupARN + " is not understood"
		}
		region, group = r, g
	}
	topic := fmt.Sprintf("arn:aws:sns:%s:%s:%s", region, x.snap.Account.ID, fixTopic)
	out = append(out, Action{Service: "sns", Region: region, Op: "CreateTopic", Input: map[string]any{"Name": fixTopic}, Why: "where the CIS alarms notify"})
	skipped := ""
	if x.opts.SecurityEmail != "" {
		out = append(out, Action{Service: "sns", Region: region, Op: "Subscribe", Input: map[string]any{"TopicArn": topic, "Protocol": "email", "Endpoint": x.opts.SecurityEmail}})
	} else {
		skipped = "no --security-email: the alarm topic gets no subscriber (add one later)"
	}
	groups := map[string]bool{region + "/" + group: true}
	for _, m := range CISMetricAlarms {
		if x.snap.Services != nil && (&Ctx{Snap: x.snap}).alarmed(m, groups) {
			continue
		}
		out = append(out,
			Action{Service: "logs", Region: region, Op: "PutMetricFilter", Input: map[string]any{"logGroupName": group, "filterName": "CIS-" + m.Name,
				"filterPattern": m.Pattern, "metricName": m.Name, "metricNamespace": fixNamespace, "metricValue": "1"}, Why: "CIS " + m.CIS7 + " " + m.Title.En},
			Action{Service: "cloudwatch", Region: region, Op: "PutMetricAlarm", Input: map[string]any{"AlarmName": "CIS-" + m.Name, "MetricName": m.Name,
				"Namespace": fixNamespace, "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
				"AlarmActions": []any{topic}, "TreatMissingData": "notBreaching"}})
	}
	return out, skipped
}

func planGuardDuty(x *planCtx) ([]Action, string) {
	var out []Action
	for _, f := range x.failing["guardduty"] {
		if f.Region == "" {
			continue
		}
		if x.snap.Services != nil && x.snap.Services.GuardDuty[f.Region] != nil {
			continue // a suspended detector: enabling it is UpdateDetector, left to the user
		}
		out = append(out, Action{Service: "guardduty", Region: f.Region, Op: "CreateDetector", Input: map[string]any{"Enable": true, "FindingPublishingFrequency": "FIFTEEN_MINUTES"}, Why: "FSBP GuardDuty.1"})
	}
	return out, ""
}

func planBudget(x *planCtx) ([]Action, string) {
	if x.opts.BudgetEmail == "" {
		return nil, "needs --budget-email (who gets the 80% forecast and 100% actual alerts)"
	}
	limit := x.opts.BudgetLimit
	if limit == "" {
		limit = "100"
	}
	return []Action{{Service: "budgets", Op: "CreateBudget", Input: map[string]any{"AccountId": x.snap.Account.ID, "BudgetName": fixBudget, "Limit": limit, "Email": x.opts.BudgetEmail},
		Why: "alerts at 80% forecast and 100% actual of " + limit + " USD a month"}}, ""
}

func planAnomalyMonitor(x *planCtx) ([]Action, string) {
	if x.opts.BudgetEmail == "" {
		return nil, "needs --budget-email (who gets the anomaly alerts)"
	}
	var out []Action
	monitor := "$MonitorArn"
	if s := x.snap.Services; s != nil && len(s.AnomalyMonitors) > 0 {
		monitor = s.AnomalyMonitors[0].ARN // a monitor without a subscription: subscribe to it
	} else {
		out = append(out, Action{Service: "ce", Op: "CreateAnomalyMonitor", Input: map[string]any{"MonitorName": fixMonitor, "MonitorType": "DIMENSIONAL", "MonitorDimension": "SERVICE"}})
	}
	out = append(out, Action{Service: "ce", Op: "CreateAnomalySubscription", Input: map[string]any{"SubscriptionName": fixMonitor + "-alerts", "MonitorArn": monitor,
		"Email": x.opts.BudgetEmail, "Frequency": "DAILY", "ThresholdUSD": 10.0}, Why: "a daily email when spend is 10 USD above what is expected"})
	return out, ""
}

func planSecurityContact(x *planCtx) ([]Action, string) {
	if x.opts.SecurityEmail == "" {
		return nil, "needs --security-email (where AWS sends abuse and leaked-key notices)"
	}
	phone := x.opts.SecurityPhone
	if phone == "" {
		return nil, "needs --security-phone (AWS requires a phone number on alternate contacts)"
	}
	name := x.opts.SecurityName
	if name == "" {
		name = "Security"
	}
	return []Action{{Service: "account", Op: "PutAlternateContact", Input: map[string]any{"AlternateContactType": "SECURITY", "EmailAddress": x.opts.SecurityEmail,
		"Name": name, "PhoneNumber": phone, "Title": "Security"}, Why: "FSBP Account.1: AWS sends abuse notices here"}}, ""
}
