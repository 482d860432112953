package inventory

import "time"

// Services is what the posture audit reads beyond IAM and EC2. A nil slice or map means the
// part was not collected (the reason is in Snapshot.Errors); an empty one means collected and
// none exists. Per-region maps hold an entry for every region collected: a region missing from
// the map was not read.
type Services struct {
	Trails        []Trail        `json:"trails"`
	MetricFilters []MetricFilter `json:"metric_filters"` // every region the trails deliver to
	Alarms        []Alarm        `json:"alarms"`         // same regions as MetricFilters
	// GuardDuty by region: nil value when the region has no detector.
	GuardDuty map[string]*GuardDutyDetector `json:"guardduty"`
	// Config recorders by region (empty slice: none).
	ConfigRecorders map[string][]ConfigRecorder `json:"config_recorders"`
	// SecurityHub by region: nil value when not subscribed.
	SecurityHub map[string]*SecurityHub `json:"securityhub"`
	Budgets     []Budget                `json:"budgets"`
	// AnomalyMonitors and AnomalySubscriptions are Cost Anomaly Detection's.
	AnomalyMonitors      []AnomalyMonitor      `json:"anomaly_monitors"`
	AnomalySubscriptions []AnomalySubscription `json:"anomaly_subscriptions"`
	// AlternateContacts by type (BILLING, OPERATIONS, SECURITY): nil value when not set.
	AlternateContacts map[string]*AlternateContact `json:"alternate_contacts"`
}

// Trail is a CloudTrail trail with its status, event selectors and bucket exposure.
type Trail struct {
	Name              string `json:"name"`
	ARN               string `json:"arn"`
	HomeRegion        string `json:"home_region"`
	MultiRegion       bool   `json:"multi_region"`
	Organization      bool   `json:"organization"`
	LogFileValidation bool   `json:"log_file_validation"`
	KMSKeyID          string `json:"kms_key_id,omitempty"`
	S3Bucket          string `json:"s3_bucket"`
	LogGroupARN       string `json:"cloudwatch_logs_log_group_arn,omitempty"`
	// IsLogging is nil when GetTrailStatus failed.
	IsLogging *bool `json:"is_logging,omitempty"`
	// ManagementRead/Write say whether the selectors log read and write management events;
	// SelectorsKnown is false when GetEventSelectors failed.
	SelectorsKnown  bool `json:"selectors_known"`
	ManagementRead  bool `json:"management_read"`
	ManagementWrite bool `json:"management_write"`
	// BucketPublic is nil when the bucket's status could not be read (other account's bucket,
	// no permission). BucketPublicAccessBlock is whether all four block settings are on.
	BucketPublic            *bool `json:"bucket_public,omitempty"`
	BucketPublicAccessBlock *bool `json:"bucket_public_access_block,omitempty"`
}

// MetricFilter is a CloudWatch Logs metric filter.
type MetricFilter struct {
	Region          string `json:"region"`
	LogGroup        string `json:"log_group"`
	Name            string `json:"name"`
	Pattern         string `json:"pattern"`
	MetricName      string `json:"metric_name"`
	MetricNamespace string `json:"metric_namespace"`
}

// Alarm is a CloudWatch metric alarm.
type Alarm struct {
	Region    string   `json:"region"`
	Name      string   `json:"name"`
	Metric    string   `json:"metric"`
	Namespace string   `json:"namespace"`
	Actions   []string `json:"actions,omitempty"` // alarm actions (SNS topic ARNs)
	Enabled   bool     `json:"actions_enabled"`
	State     string   `json:"state,omitempty"`
}

// GuardDutyDetector is a region's GuardDuty detector.
type GuardDutyDetector struct {
	ID     string `json:"id"`
	Status string `json:"status"` // ENABLED, DISABLED
}

// ConfigRecorder is an AWS Config configuration recorder with its status.
type ConfigRecorder struct {
	Name         string `json:"name"`
	AllSupported bool   `json:"all_supported"`
	Recording    bool   `json:"recording"`
	LastStatus   string `json:"last_status,omitempty"`
}

// SecurityHub is a region's Security Hub subscription.
type SecurityHub struct {
	ARN          string    `json:"arn"`
	SubscribedAt time.Time `json:"subscribed_at"`
}

// Budget is an AWS Budgets budget with its notifications.
type Budget struct {
	Name          string               `json:"name"`
	Type          string               `json:"type"` // COST, USAGE …
	Limit         string               `json:"limit,omitempty"`
	Unit          string               `json:"unit,omitempty"`
	TimeUnit      string               `json:"time_unit,omitempty"`
	Notifications []BudgetNotification `json:"notifications"`
}

// BudgetNotification is one alert of a budget with how many subscribers it has.
type BudgetNotification struct {
	Type        string  `json:"type"` // ACTUAL, FORECASTED
	Comparison  string  `json:"comparison"`
	Threshold   float64 `json:"threshold"`
	Subscribers int     `json:"subscribers"`
}

// AnomalyMonitor is a Cost Anomaly Detection monitor.
type AnomalyMonitor struct {
	ARN  string `json:"arn"`
	Name string `json:"name"`
	Type string `json:"type"` // DIMENSIONAL, CUSTOM
}

// AnomalySubscription is a Cost Anomaly Detection alert subscription.
type AnomalySubscription struct {
	ARN         string   `json:"arn"`
	Name        string   `json:"name"`
	MonitorARNs []string `json:"monitor_arns"`
	Subscribers int      `json:"subscribers"`
	Frequency   string   `json:"frequency,omitempty"`
}

// AlternateContact is an account's alternate contact (the address is personal data, so only
// whether it is set and its title are needed; the email is kept for the report's reader).
type AlternateContact struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	Email string `json:"email"`
}
