package audit

import (
	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

func init() {
	addSamples(
		sample{check: "budget-with-notification", name: "cost budget alerting", want: finding.Pass},
		sample{check: "budget-with-notification", name: "no budget", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Services.Budgets = []inventory.Budget{} }},
		sample{check: "budget-with-notification", name: "budget without subscribers", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Services.Budgets[0].Notifications[0].Subscribers = 0 }},
		sample{check: "budget-with-notification", name: "usage budget only", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Services.Budgets[0].Type = "USAGE" }},
		sample{check: "budget-with-notification", name: "denied", want: finding.Unknown, missing: "budgets:ViewBudget", mutate: denied("budgets", "", "DescribeBudgets")},
		sample{check: "anomaly-monitor-subscription", name: "monitor with subscription", want: finding.Pass},
		sample{check: "anomaly-monitor-subscription", name: "monitor without subscription", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Services.AnomalySubscriptions = []inventory.AnomalySubscription{} }},
		sample{check: "anomaly-monitor-subscription", name: "no monitor", want: finding.Fail, mutate: func(s *inventory.Snapshot) { s.Services.AnomalyMonitors = []inventory.AnomalyMonitor{} }},
		sample{check: "anomaly-monitor-subscription", name: "denied", want: finding.Unknown, missing: "ce:GetAnomalyMonitors", mutate: denied("ce", "", "GetAnomalyMonitors")},
	)
}
