package audit

import (
	"strings"
	"testing"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

func init() {
	addSamples(
		sample{check: "cis-metric-alarms", name: "all fifteen", want: finding.Pass},
		sample{check: "cis-metric-alarms", name: "pattern with other spacing and quotes", want: finding.Pass, mutate: func(s *inventory.Snapshot) {
			s.Services.MetricFilters[2].Pattern = `{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}`
		}},
		sample{check: "cis-metric-alarms", name: "none", want: finding.Fail, mutate: func(s *inventory.Snapshot) {
			s.Services.MetricFilters = []inventory.MetricFilter{}
			s.Services.Alarms = []inventory.Alarm{}
		}},
		sample{check: "cis-metric-alarms", name: "alarm without action", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Services.Alarms[0].Actions = nil }},
		sample{check: "cis-metric-alarms", name: "filter on a log group no trail sends to", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Services.MetricFilters[4].LogGroup = "other" }},
		sample{check: "cis-metric-alarms", name: "trail not logging", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Services.Trails[0].IsLogging = ptr(false) }},
		sample{check: "cis-metric-alarms", name: "filters denied", want: finding.Unknown, missing: "logs:DescribeMetricFilters", mutate: denied("logs", "us-east-1", "DescribeMetricFilters")},
		sample{check: "cis-metric-alarms", name: "alarms denied", want: finding.Unknown, missing: "cloudwatch:DescribeAlarms", mutate: denied("cloudwatch", "us-east-1", "DescribeAlarms")},
		sample{check: "ec2-detailed-monitoring", name: "enabled", want: finding.Pass},
		sample{check: "ec2-detailed-monitoring", name: "basic on running", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Resources["us-east-1"].Instances[0].Monitoring = "disabled" }},
		sample{check: "ec2-detailed-monitoring", name: "denied", want: finding.Unknown, missing: "ec2:DescribeInstances", mutate: denied("ec2", "us-east-1", "DescribeInstances")},
	)
}

// An account with none of the CIS filters fails once, listing all fifteen.
func TestCISAlarmsFailOnceWithList(t *testing.T) {
	s := hardened()
	s.Services.MetricFilters, s.Services.Alarms = []inventory.MetricFilter{}, []inventory.Alarm{}
	fs, _ := Run(s, Options{Only: []string{"cis-metric-alarms"}})
	if len(fs) != 1 || fs[0].Status != finding.Fail {
		t.Fatalf("findings = %+v", fs)
	}
	for _, m := range CISMetricAlarms {
		if !strings.Contains(fs[0].Detail.En, m.Title.En) {
			t.Errorf("detail lacks %s: %s", m.Title.En, fs[0].Detail.En)
		}
	}
}
