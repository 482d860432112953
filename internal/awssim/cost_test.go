package awssim

import (
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
)

const costYAML = `
account: {id: "111122223333"}
users:
  - name: admin
    attached: [arn:aws:iam::aws:policy/AdministratorAccess]
    keys: [{}]
admin: admin
cost:
  days: 40
  estimated_days: 1
  lines:
    - {service: Amazon Elastic Compute Cloud - Compute, region: us-east-1, usage_type: BoxUsage:m5.large, daily: 20, weekly: [1, 1, 1, 1, 1, 0.5, 0.5]}
    - {service: Amazon Simple Storage Service, region: us-east-1, usage_type: TimedStorage-ByteHrs, daily: 3}
    - {service: Tax, usage_type: Tax, record_type: Tax, daily: 2}
    - {service: Amazon Elastic Compute Cloud - Compute, region: sa-east-1, usage_type: SAE1-BoxUsage:p3.16xlarge, start: -2d, amounts: [1000, 2000]}
`

func startYAML(t *testing.T, y string, now time.Time) *Running {
	t.Helper()
	sc, err := ParseScenario("cost-test", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Start(sc, Options{Now: func() time.Time { return now }}, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func TestGetCostAndUsageGroupsFiltersAndPages(t *testing.T) {
	now := time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC)
	r := startYAML(t, costYAML, now)
	ce := costexplorer.NewFromConfig(r.Config("", ""))
	in := &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String("2026-10-20"), End: aws.String("2026-11-29")},
		Granularity: cetypes.GranularityDaily,
		Metrics:     []string{"UnblendedCost"},
		GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")},
			{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("REGION")}},
		Filter: &cetypes.Expression{Not: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionRecordType, Values: []string{"Tax", "Credit"}}}},
	}
	old := ceGroupsPerPage
	ceGroupsPerPage = 20
	defer func() { ceGroupsPerPage = old }()
	days, pages := map[string]float64{}, 0
	var estimated []string
	for {
		out, err := ce.GetCostAndUsage(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, rb := range out.ResultsByTime {
			day := aws.ToString(rb.TimePeriod.Start)
			if rb.Estimated {
				estimated = append(estimated, day)
			}
			for _, g := range rb.Groups {
				if g.Keys[0] == "Tax" {
					t.Errorf("filtered record type served: %v", g.Keys)
				}
				v, _ := strconv.ParseFloat(aws.ToString(g.Metrics["UnblendedCost"].Amount), 64)
				days[day] += v
			}
		}
		if out.NextPageToken == nil {
			break
		}
		in.NextPageToken = out.NextPageToken
	}
	if pages < 3 || len(days) != 40 {
		t.Errorf("pages %d, days %d: want paging over 40 days", pages, len(days))
	}
	if len(estimated) != 1 || estimated[0] != "2026-11-28" {
		t.Errorf("estimated days %v, want the last one", estimated)
	}
	if got := days["2026-11-27"]; got < 1000+10 || got > 1000+30 {
		t.Errorf("2026-11-27 costs %.2f, want the spike's first day of $1000 plus the baseline", got)
	}
	// AWS's validation: end before start.
	_, err := ce.GetCostAndUsage(t.Context(), &costexplorer.GetCostAndUsageInput{
		TimePeriod: &cetypes.DateInterval{Start: aws.String("2026-11-20"), End: aws.String("2026-11-10")}, Granularity: cetypes.GranularityDaily, Metrics: []string{"UnblendedCost"}})
	if apiCode(err) != "ValidationException" {
		t.Errorf("end before start: %v", err)
	}
}

func TestBudgetsAndAnomalyMonitors(t *testing.T) {
	r := startYAML(t, costYAML, time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC))
	cfg := r.Config("", "")
	b := budgets.NewFromConfig(cfg)
	acct := aws.String("111122223333")
	_, err := b.CreateBudget(t.Context(), &budgets.CreateBudgetInput{AccountId: acct, Budget: &btypes.Budget{
		BudgetName: aws.String("monthly"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
		BudgetLimit: &btypes.Spend{Amount: aws.String("500"), Unit: aws.String("USD")}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.CreateBudget(t.Context(), &budgets.CreateBudgetInput{AccountId: acct, Budget: &btypes.Budget{
		BudgetName: aws.String("monthly"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
		BudgetLimit: &btypes.Spend{Amount: aws.String("500"), Unit: aws.String("USD")}}})
	if apiCode(err) != "DuplicateRecordException" {
		t.Errorf("duplicate budget: %v", err)
	}
	n := &btypes.Notification{NotificationType: btypes.NotificationTypeForecasted, ComparisonOperator: btypes.ComparisonOperatorGreaterThan, Threshold: 80, ThresholdType: btypes.ThresholdTypePercentage}
	subs := []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("ops@example.com")}}
	if _, err := b.CreateNotification(t.Context(), &budgets.CreateNotificationInput{AccountId: acct, BudgetName: aws.String("monthly"), Notification: n, Subscribers: subs}); err != nil {
		t.Fatal(err)
	}
	ns, err := b.DescribeNotificationsForBudget(t.Context(), &budgets.DescribeNotificationsForBudgetInput{AccountId: acct, BudgetName: aws.String("monthly")})
	if err != nil || len(ns.Notifications) != 1 || ns.Notifications[0].Threshold != 80 {
		t.Fatalf("notifications %+v, %v", ns, err)
	}
	bs, err := b.DescribeBudgets(t.Context(), &budgets.DescribeBudgetsInput{AccountId: acct})
	if err != nil || len(bs.Budgets) != 1 || bs.Budgets[0].TimePeriod == nil || bs.Budgets[0].CalculatedSpend == nil {
		t.Fatalf("budgets %+v, %v", bs, err)
	}
	if _, err := b.DescribeBudgets(t.Context(), &budgets.DescribeBudgetsInput{AccountId: aws.String("999999999999")}); apiCode(err) != "AccessDeniedException" {
		t.Errorf("other account's budgets: %v", err)
	}
	if _, err := b.DeleteBudget(t.Context(), &budgets.DeleteBudgetInput{AccountId: acct, BudgetName: aws.String("monthly")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DeleteBudget(t.Context(), &budgets.DeleteBudgetInput{AccountId: acct, BudgetName: aws.String("monthly")}); apiCode(err) != "NotFoundException" {
		t.Errorf("delete twice: %v", err)
	}

	ce := costexplorer.NewFromConfig(cfg)
	mon := &cetypes.AnomalyMonitor{MonitorName: aws.String("services"), MonitorType: cetypes.MonitorTypeDimensional, MonitorDimension: cetypes.MonitorDimensionService}
	m, err := ce.CreateAnomalyMonitor(t.Context(), &costexplorer.CreateAnomalyMonitorInput{AnomalyMonitor: mon})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ce.CreateAnomalyMonitor(t.Context(), &costexplorer.CreateAnomalyMonitorInput{AnomalyMonitor: mon}); apiCode(err) != "LimitExceededException" {
		t.Errorf("second services monitor: %v", err)
	}
	sub := &cetypes.AnomalySubscription{SubscriptionName: aws.String("alerts"), MonitorArnList: []string{aws.ToString(m.MonitorArn)},
		Subscribers: []cetypes.Subscriber{{Type: cetypes.SubscriberTypeEmail, Address: aws.String("ops@example.com")}},
		Frequency:   cetypes.AnomalySubscriptionFrequencyImmediate, Threshold: aws.Float64(100)}
	if _, err := ce.CreateAnomalySubscription(t.Context(), &costexplorer.CreateAnomalySubscriptionInput{AnomalySubscription: sub}); apiCode(err) != "ValidationException" {
		t.Errorf("immediate e-mail subscription: %v", err)
	}
	sub.Frequency = cetypes.AnomalySubscriptionFrequencyDaily
	s, err := ce.CreateAnomalySubscription(t.Context(), &costexplorer.CreateAnomalySubscriptionInput{AnomalySubscription: sub})
	if err != nil {
		t.Fatal(err)
	}
	gs, err := ce.GetAnomalySubscriptions(t.Context(), &costexplorer.GetAnomalySubscriptionsInput{MonitorArn: m.MonitorArn})
	if err != nil || len(gs.AnomalySubscriptions) != 1 || aws.ToString(gs.AnomalySubscriptions[0].SubscriptionArn) != aws.ToString(s.SubscriptionArn) {
		t.Fatalf("subscriptions %+v, %v", gs, err)
	}
	gm, err := ce.GetAnomalyMonitors(t.Context(), &costexplorer.GetAnomalyMonitorsInput{})
	if err != nil || len(gm.AnomalyMonitors) != 1 || gm.AnomalyMonitors[0].MonitorDimension != cetypes.MonitorDimensionService {
		t.Fatalf("monitors %+v, %v", gm, err)
	}
	if _, err := ce.DeleteAnomalySubscription(t.Context(), &costexplorer.DeleteAnomalySubscriptionInput{SubscriptionArn: s.SubscriptionArn}); err != nil {
		t.Fatal(err)
	}
	if _, err := ce.DeleteAnomalyMonitor(t.Context(), &costexplorer.DeleteAnomalyMonitorInput{MonitorArn: m.MonitorArn}); err != nil {
		t.Fatal(err)
	}
	if _, err := ce.DeleteAnomalyMonitor(t.Context(), &costexplorer.DeleteAnomalyMonitorInput{MonitorArn: m.MonitorArn}); apiCode(err) != "UnknownMonitorException" {
		t.Errorf("delete monitor twice: %v", err)
	}
}

func TestGetCostAndUsageMonthlyTotals(t *testing.T) {
	r := startYAML(t, costYAML, time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC))
	ce := costexplorer.NewFromConfig(r.Config("", ""))
	period := &cetypes.DateInterval{Start: aws.String("2026-10-20"), End: aws.String("2026-11-29")}
	daily, err := ce.GetCostAndUsage(t.Context(), &costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: cetypes.GranularityDaily, Metrics: []string{"UnblendedCost"}})
	if err != nil {
		t.Fatal(err)
	}
	monthly, err := ce.GetCostAndUsage(t.Context(), &costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: cetypes.GranularityMonthly, Metrics: []string{"UnblendedCost"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(daily.ResultsByTime) != 40 || len(monthly.ResultsByTime) != 2 {
		t.Fatalf("%d daily and %d monthly results", len(daily.ResultsByTime), len(monthly.ResultsByTime))
	}
	sum := func(rs []cetypes.ResultByTime) float64 {
		s := 0.0
		for _, r := range rs {
			v, err := strconv.ParseFloat(aws.ToString(r.Total["UnblendedCost"].Amount), 64)
			if err != nil {
				t.Fatal(err)
			}
			s += v
		}
		return s
	}
	if d, m := sum(daily.ResultsByTime), sum(monthly.ResultsByTime); d < 3000 || d-m > 1e-6 || m-d > 1e-6 {
		t.Errorf("daily total %.4f, monthly total %.4f", d, m)
	}
	if aws.ToString(monthly.ResultsByTime[1].TimePeriod.Start) != "2026-11-01" {
		t.Errorf("second month starts %s", aws.ToString(monthly.ResultsByTime[1].TimePeriod.Start))
	}
}
