package audit

import (
	"slices"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

// The cost-guardrails family: a budget that alerts someone and an anomaly monitor that does —
// most leaked keys are found through the bill, the sooner the better.

func init() {
	register(&Check{
		ID: "budget-with-notification", Family: "cost-guardrails", Practice: PracticeBudget, Severity: finding.High,
		Title:       finding.Text{En: "A cost budget alerts someone", Ko: "비용 예산이 누군가에게 알림을 보냄"},
		Remediation: finding.Text{En: "Create an AWS Budgets cost budget with alerts at 80% (forecast) and 100% (actual) sent to an email you read (accountguard audit --fix --budget-email you@example.com).", Ko: "읽는 이메일로 80%(예측)와 100%(실제) 알림을 보내는 AWS Budgets 비용 예산을 만드세요 (accountguard audit --fix --budget-email you@example.com)."},
		FSBP:        nil, Fix: "budget",
		Run: func(x *Ctx) []Result {
			if r, bad := x.missing("budgets", "", "DescribeBudgets", "DescribeNotificationsForBudget", "ViewBudget"); bad {
				return []Result{r}
			}
			if x.Snap.Services == nil || x.Snap.Services.Budgets == nil {
				return []Result{x.notCollected("AWS Budgets budgets")}
			}
			for _, b := range x.Snap.Services.Budgets {
				if b.Type != "COST" {
					continue
				}
				if slices.ContainsFunc(b.Notifications, func(n inventory.BudgetNotification) bool { return n.Subscribers > 0 }) {
					return []Result{{Status: finding.Pass, ResourceType: "AwsBudget", Resource: b.Name}}
				}
			}
			detail := finding.Text{En: "no cost budget exists", Ko: "비용 예산이 없습니다"}
			if len(x.Snap.Services.Budgets) > 0 {
				detail = finding.Text{En: "no cost budget has a notification with a subscriber", Ko: "구독자가 있는 알림을 가진 비용 예산이 없습니다"}
			}
			return []Result{x.fail("AwsAccount", x.accountARN(), detail)}
		},
	})
	register(&Check{
		ID: "anomaly-monitor-subscription", Family: "cost-guardrails", Practice: PracticeBudget, Severity: finding.Medium,
		Title:       finding.Text{En: "A Cost Anomaly Detection monitor alerts someone", Ko: "비용 이상 탐지 모니터가 누군가에게 알림을 보냄"},
		Remediation: finding.Text{En: "Create a Cost Anomaly Detection monitor (AWS services) with an alert subscription to an email you read (accountguard audit --fix --budget-email you@example.com).", Ko: "읽는 이메일로 알림을 구독한 비용 이상 탐지 모니터(AWS 서비스)를 만드세요 (accountguard audit --fix --budget-email you@example.com)."}, Fix: "anomaly-monitor",
		Run: func(x *Ctx) []Result {
			if r, bad := x.missing("ce", "", "GetAnomalyMonitors", "GetAnomalySubscriptions"); bad {
				return []Result{r}
			}
			svc := x.Snap.Services
			if svc == nil || svc.AnomalyMonitors == nil || svc.AnomalySubscriptions == nil {
				return []Result{x.notCollected("Cost Anomaly Detection monitors")}
			}
			for _, m := range svc.AnomalyMonitors {
				for _, s := range svc.AnomalySubscriptions {
					if s.Subscribers > 0 && slices.Contains(s.MonitorARNs, m.ARN) {
						return []Result{{Status: finding.Pass, ResourceType: "AwsCeAnomalyMonitor", Resource: m.ARN}}
					}
				}
			}
			detail := finding.Text{En: "no Cost Anomaly Detection monitor exists", Ko: "비용 이상 탐지 모니터가 없습니다"}
			if len(svc.AnomalyMonitors) > 0 {
				detail = finding.Text{En: "no anomaly monitor has a subscription with a subscriber", Ko: "구독자가 있는 구독을 가진 이상 탐지 모니터가 없습니다"}
			}
			return []Result{x.fail("AwsAccount", x.accountARN(), detail)}
		},
	})
}
