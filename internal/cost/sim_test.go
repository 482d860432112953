package cost_test

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
	"github.com/accountguard/accountguard/internal/awsx"
	"github.com/accountguard/accountguard/internal/cost"
)

// simNow is a fixed clock: noon UTC, so the scenario's relative times fall on known days.
var simNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func startSim(t *testing.T, name string, opts awssim.Options) (*awssim.Running, *awssim.Scenario) {
	t.Helper()
	opts.Now = func() time.Time { return simNow }
	r := simtest.Start(t, name, opts)
	return r, r.Scenario()
}

// The leaked-key scenario, read through the real SDK from the simulator: the spike must be
// found on its first day (judged with that day as the last one known, then with both days),
// the attacker's regions and GPU usage types must lead the contributors, and the impact must
// be what the attacker's instances cost.
func TestLeakedKeySpikeThroughCostExplorer(t *testing.T) {
	r, sc := startSim(t, "leaked-key", awssim.Options{})
	if sc.Cost.Days == 0 {
		t.Fatal("leaked-key has no cost section")
	}
	today := simNow.Truncate(24 * time.Hour)
	ce := &cost.CostExplorer{API: costexplorer.NewFromConfig(r.Config("", "")), Account: sc.Account.ID}
	d, err := ce.Fetch(t.Context(), today.AddDate(0, 0, -sc.Cost.Days), today)
	if err != nil {
		t.Fatal(err)
	}
	if d.Requests < cost.CEQueries {
		t.Errorf("%d requests", d.Requests)
	}
	// The attacker's lines are the ones that start in the last days; their amounts are the truth.
	var attack [2]float64
	for _, l := range sc.Cost.Lines {
		if len(l.Amounts) > 0 {
			for i, v := range l.Amounts {
				attack[i] += v
			}
		}
	}
	spikeDay := today.AddDate(0, 0, -2)
	for n, upto := range []time.Time{today.AddDate(0, 0, -1), today} {
		ds := cost.Slice(d, d.Start, upto)
		as, err := cost.Detect(t.Context(), ds, cost.Options{EvalDays: 14})
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 1 {
			t.Fatalf("up to %s: %d anomalies, want 1: %+v", upto.Format(cost.DayLayout), len(as), as)
		}
		a := as[0]
		if !a.Start.Equal(spikeDay) {
			t.Errorf("anomaly starts %s, want the first day of spend %s", a.Start.Format(cost.DayLayout), spikeDay.Format(cost.DayLayout))
		}
		want := attack[0]
		if n == 1 {
			want += attack[1]
		}
		if math.Abs(a.Impact-want) > 0.01*want {
			t.Errorf("up to %s: impact %s, want %s ±1%%", upto.Format(cost.DayLayout), cost.Money(a.Impact, ""), cost.Money(want, ""))
		}
		var regions []string
		for _, c := range a.Contributors[:min(4, len(a.Contributors))] {
			regions = append(regions, c.Key.Region)
			if cost.InstanceType(c.Key.UsageType) == "" || !strings.HasPrefix(cost.InstanceType(c.Key.UsageType), "p3") && !strings.HasPrefix(cost.InstanceType(c.Key.UsageType), "g4dn") {
				t.Errorf("contributor %q is not a GPU instance usage type", c.Description)
			}
		}
		slices.Sort(regions)
		wantRegions := slices.Sorted(slices.Values(sc.Attacker.Regions))
		if !slices.Equal(regions, wantRegions) {
			t.Errorf("top contributors' regions %v, want the attacker's %v", regions, wantRegions)
		}
		if !slices.Equal(a.NewRegions, wantRegions) {
			t.Errorf("new regions %v, want %v", a.NewRegions, wantRegions)
		}
		if a.Contributors[0].Description != "EC2: p3.16xlarge BoxUsage in sa-east-1" {
			t.Errorf("top contributor %q", a.Contributors[0].Description)
		}
	}
}

func TestCostExplorerAccessDeniedIsReported(t *testing.T) {
	r, sc := startSim(t, "leaked-key", awssim.Options{Deny: []string{"ce:GetCostAndUsage"}})
	ce := &cost.CostExplorer{API: costexplorer.NewFromConfig(r.Config("", "")), Account: sc.Account.ID}
	_, err := ce.Fetch(t.Context(), simNow.AddDate(0, 0, -30), simNow)
	if !awsx.IsAccessDenied(err) {
		t.Fatalf("err %v, want AccessDenied", err)
	}
	f := cost.UnknownFinding(sc.Account.ID, err)
	if f.Status != "unknown" || !strings.Contains(f.Detail.En, "GetCostAndUsage") {
		t.Errorf("finding %+v", f)
	}
}

// The budget plan against the simulator: plan, apply (journaled), plan again (nothing to
// do), undo (everything gone), with the real Budgets and Cost Explorer clients.
func TestBudgetPlanApplyUndo(t *testing.T) {
	r, sc := startSim(t, "leaked-key", awssim.Options{})
	cfg := r.Config("", "")
	b, ce := budgets.NewFromConfig(cfg), costexplorer.NewFromConfig(cfg)
	req := cost.BudgetRequest{Account: sc.Account.ID, Amount: 2000, Email: "ops@example.com"}
	p, err := cost.PlanBudget(t.Context(), b, ce, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 7 {
		t.Fatalf("steps %+v", p.Steps)
	}
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	j, err := cost.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := cost.ApplyBudget(t.Context(), b, ce, p, j); err != nil {
		t.Fatal(err)
	}
	j.Close()
	p2, err := cost.PlanBudget(t.Context(), b, ce, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p2.Steps {
		if s.Skip == "" {
			t.Errorf("after apply, step %d %s would run again", s.N, s.Action)
		}
	}
	entries, err := cost.ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 14 { // before and after for each of 7 calls
		t.Errorf("%d journal entries, want 14", len(entries))
	}
	j, _ = cost.OpenJournal(path)
	n, err := cost.UndoBudget(t.Context(), b, ce, entries, j)
	j.Close()
	if err != nil || n != 3 { // the budget (with its notifications), the monitor, the subscription
		t.Fatalf("undo: %d, %v", n, err)
	}
	p3, err := cost.PlanBudget(t.Context(), b, ce, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p3.Steps {
		if s.Skip != "" {
			t.Errorf("after undo, step %d %s is still skipped: %s", s.N, s.Action, s.Skip)
		}
	}
	// Undo again: nothing left to undo.
	entries, _ = cost.ReadJournal(path)
	j, _ = cost.OpenJournal(path)
	if n, err := cost.UndoBudget(t.Context(), b, ce, entries, j); err != nil || n != 0 {
		t.Errorf("second undo: %d, %v", n, err)
	}
	j.Close()
	if _, err := cost.PlanBudget(t.Context(), b, ce, cost.BudgetRequest{Account: sc.Account.ID, Amount: -5, Email: "x@example.com"}); err == nil {
		t.Error("negative amount accepted")
	}
}

// The hardened scenario's bill grows, has a weekly pattern and month-start charges (a storage
// charge that is usage, and an RI fee, tax and support that are not): no anomaly over the
// last 60 days, though a day-over-day rule would fire on each first of the month.
func TestHardenedHasNoAnomaly(t *testing.T) {
	r, sc := startSim(t, "hardened", awssim.Options{})
	if sc.Cost.Days == 0 {
		t.Fatal("hardened has no cost section")
	}
	today := simNow.Truncate(24 * time.Hour)
	ce := &cost.CostExplorer{API: costexplorer.NewFromConfig(r.Config("", "")), Account: sc.Account.ID}
	d, err := ce.Fetch(t.Context(), today.AddDate(0, 0, -sc.Cost.Days), today)
	if err != nil {
		t.Fatal(err)
	}
	total := d.Total()
	jumps := 0
	for i := 1; i < d.Days; i++ {
		if d.Day(i).Day() == 1 && total[i]-total[i-1] >= cost.DefaultOptions.MinImpact {
			jumps++ // the data does hold month-start jumps above --min-impact
		}
	}
	if jumps < 2 {
		t.Fatalf("only %d month-start jumps of $%.0f in the series: the test would prove nothing", jumps, cost.DefaultOptions.MinImpact)
	}
	as, err := cost.Detect(t.Context(), d, cost.Options{EvalDays: 60})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		t.Errorf("false anomaly on %s: %s, signals %+v", a.Start.Format(cost.DayLayout), cost.Money(a.Impact, ""), a.Signals)
	}
}
