package inventory_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/smithy-go"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/inventory"
)

func enabled(r *awssim.Running) []string {
	var out []string
	r.Inspect(func(w *awssim.World) {
		for _, a := range w.Accounts {
			for _, reg := range a.Regions {
				if reg.Enabled() {
					out = append(out, reg.Name)
				}
			}
		}
	})
	return out
}

func TestCollectServicesHardened(t *testing.T) {
	r := startScenario(t, "hardened", awssim.Options{})
	snap := &inventory.Snapshot{Account: inventory.Account{ID: r.Account}}
	inventory.CollectServices(t.Context(), r.Config("", ""), enabled(r), snap)
	if len(snap.Errors) > 0 {
		t.Fatalf("errors: %v", snap.Errors)
	}
	s := snap.Services
	if len(s.Trails) != 1 {
		t.Fatalf("trails = %+v", s.Trails)
	}
	tr := s.Trails[0]
	if !tr.MultiRegion || tr.IsLogging == nil || !*tr.IsLogging || !tr.ManagementRead || !tr.ManagementWrite || !tr.LogFileValidation || tr.KMSKeyID == "" ||
		tr.BucketPublic == nil || *tr.BucketPublic || tr.BucketPublicAccessBlock == nil || !*tr.BucketPublicAccessBlock || tr.LogGroupARN == "" {
		t.Fatalf("trail = %+v", tr)
	}
	if len(s.MetricFilters) != 15 || len(s.Alarms) != 15 {
		t.Fatalf("%d filters, %d alarms", len(s.MetricFilters), len(s.Alarms))
	}
	if len(s.GuardDuty) != 17 || len(s.ConfigRecorders) != 17 || len(s.SecurityHub) != 17 {
		t.Fatalf("regional: %d guardduty, %d config, %d hub", len(s.GuardDuty), len(s.ConfigRecorders), len(s.SecurityHub))
	}
	for region, d := range s.GuardDuty {
		if d == nil || d.Status != "ENABLED" || s.SecurityHub[region] == nil || len(s.ConfigRecorders[region]) != 1 || !s.ConfigRecorders[region][0].Recording {
			t.Fatalf("%s: detector %+v, hub %+v, recorders %+v", region, d, s.SecurityHub[region], s.ConfigRecorders[region])
		}
	}
	if len(s.Budgets) != 1 || s.Budgets[0].Type != "COST" || len(s.Budgets[0].Notifications) != 2 {
		t.Fatalf("budgets = %+v", s.Budgets)
	}
	if len(s.AnomalyMonitors) != 1 || len(s.AnomalySubscriptions) != 1 || !slices.Contains(s.AnomalySubscriptions[0].MonitorARNs, s.AnomalyMonitors[0].ARN) {
		t.Fatalf("anomaly = %+v %+v", s.AnomalyMonitors, s.AnomalySubscriptions)
	}
	if c := s.AlternateContacts["SECURITY"]; c == nil || c.Email != "security@hardened.example" {
		t.Fatalf("contacts = %+v", s.AlternateContacts)
	}
}

// An empty account: collected, and nothing there (empty, not nil).
func TestCollectServicesEmpty(t *testing.T) {
	r := startScenario(t, "empty", awssim.Options{})
	svc, errs := inventory.ServicesOf(t.Context(), withAccount(inventory.NewPostureClients(r.Config("", "")), r.Account), []string{"us-east-1", "eu-west-1"})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if svc.Trails == nil || len(svc.Trails) != 0 || svc.Budgets == nil || svc.Alarms == nil || svc.MetricFilters == nil || svc.AnomalyMonitors == nil || svc.ConfigRecorders["us-east-1"] == nil {
		t.Fatalf("empty parts must be collected as empty: %+v", svc)
	}
	if d, ok := svc.GuardDuty["eu-west-1"]; !ok || d != nil {
		t.Fatalf("guardduty = %+v", svc.GuardDuty)
	}
	if h, ok := svc.SecurityHub["us-east-1"]; !ok || h != nil {
		t.Fatalf("hub = %+v", svc.SecurityHub)
	}
	if c, ok := svc.AlternateContacts["SECURITY"]; !ok || c != nil {
		t.Fatalf("contacts = %+v", svc.AlternateContacts)
	}
}

func withAccount(c inventory.PostureClients, id string) inventory.PostureClients {
	c.AccountID = id
	return c
}

// A missing permission is recorded with its operation and leaves that part nil (unknown).
func TestCollectServicesAccessDenied(t *testing.T) {
	r := startScenario(t, "hardened", awssim.Options{Deny: []string{"guardduty:ListDetectors", "cloudtrail:GetTrailStatus", "budgets:DescribeBudgets", "logs:DescribeMetricFilters", "account:GetAlternateContact"}})
	svc, errs := inventory.ServicesOf(t.Context(), withAccount(inventory.NewPostureClients(r.Config("", "")), r.Account), []string{"us-east-1"})
	want := map[string]bool{"guardduty:ListDetectors": false, "cloudtrail:GetTrailStatus": false, "budgets:DescribeBudgets": false, "logs:DescribeMetricFilters": false, "account:GetAlternateContact": false}
	for _, e := range errs {
		k := e.Service + ":" + e.Operation
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected error %v", e)
		}
		if !e.AccessDenied() {
			t.Errorf("%s: code %q is not access denied", k, e.Code)
		}
		want[k] = true
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("no error recorded for %s", k)
		}
	}
	if _, ok := svc.GuardDuty["us-east-1"]; ok {
		t.Error("guardduty region present despite AccessDenied")
	}
	if svc.Budgets != nil || svc.MetricFilters != nil || svc.Trails[0].IsLogging != nil {
		t.Errorf("denied parts must stay nil: budgets %v filters %v logging %v", svc.Budgets, svc.MetricFilters, svc.Trails[0].IsLogging)
	}
}

// fakeAnomaly answers GetAnomalyMonitors with a throttling error, for the failure path.
type fakeAnomaly struct{}

func (fakeAnomaly) GetAnomalyMonitors(context.Context, *costexplorer.GetAnomalyMonitorsInput, ...func(*costexplorer.Options)) (*costexplorer.GetAnomalyMonitorsOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
}

func (fakeAnomaly) GetAnomalySubscriptions(context.Context, *costexplorer.GetAnomalySubscriptionsInput, ...func(*costexplorer.Options)) (*costexplorer.GetAnomalySubscriptionsOutput, error) {
	return &costexplorer.GetAnomalySubscriptionsOutput{}, nil
}

func TestCollectServicesAnomalyFailure(t *testing.T) {
	r := startScenario(t, "empty", awssim.Options{})
	c := withAccount(inventory.NewPostureClients(r.Config("", "")), r.Account)
	c.CostExplorer = fakeAnomaly{}
	svc, errs := inventory.ServicesOf(t.Context(), c, []string{"us-east-1"})
	if svc.AnomalyMonitors != nil || svc.AnomalySubscriptions != nil {
		t.Fatal("a failed monitor list must leave the anomaly part uncollected")
	}
	if len(errs) != 1 || errs[0].Operation != "GetAnomalyMonitors" {
		t.Fatalf("errs = %v", errs)
	}
}
