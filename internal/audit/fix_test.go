package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

// fakeCaller records calls; failOn makes one operation fail.
type fakeCaller struct {
	account string
	calls   []string
	failOn  string
}

func (f *fakeCaller) AccountID(context.Context) (string, error) { return f.account, nil }

func (f *fakeCaller) Before(_ context.Context, a Action) (map[string]any, error) {
	if a.Op == "UpdateAccountPasswordPolicy" {
		return map[string]any{"MinimumPasswordLength": 8.0}, nil
	}
	return nil, nil
}

func (f *fakeCaller) Call(_ context.Context, a Action) (map[string]any, error) {
	f.calls = append(f.calls, a.Op+":"+str(a.Input, "MonitorArn"))
	if a.Op == f.failOn {
		return nil, errors.New("boom")
	}
	if a.Op == "CreateAnomalyMonitor" {
		return map[string]any{"MonitorArn": "arn:aws:ce::1:anomalymonitor/m1"}, nil
	}
	return map[string]any{}, nil
}

func (f *fakeCaller) Undo(a Action, before, out map[string]any) []Action {
	return (&AWSCaller{}).Undo(a, before, out)
}

func leakyPlan(t *testing.T) *Plan {
	t.Helper()
	s := hardened()
	s.IAM.PasswordPolicy.MinimumLength = 8
	s.Services.AnomalyMonitors = []inventory.AnomalyMonitor{}
	s.Services.GuardDuty["eu-west-1"] = nil
	s.IAM.Root.MFAEnabled = false
	fs, _ := Run(s, Options{})
	return PlanFixes(s, fs, FixOptions{BudgetEmail: "f@example.com"})
}

func TestPlanFixes(t *testing.T) {
	p := leakyPlan(t)
	var ops []string
	for _, a := range p.Actions {
		ops = append(ops, a.Fix+"/"+a.Op)
	}
	want := "password-policy/UpdateAccountPasswordPolicy guardduty/CreateDetector anomaly-monitor/CreateAnomalyMonitor anomaly-monitor/CreateAnomalySubscription"
	if strings.Join(ops, " ") != want {
		t.Fatalf("plan = %v", ops)
	}
	if p.Actions[1].Region != "eu-west-1" {
		t.Fatalf("detector region %q", p.Actions[1].Region)
	}
	if !slices.ContainsFunc(p.Manual, func(m ManualStep) bool { return m.Check == "root-mfa" }) {
		t.Fatalf("manual = %+v", p.Manual)
	}
	// Without the emails the fixes that need them are skipped with a reason.
	s := hardened()
	s.Services.Budgets = []inventory.Budget{}
	s.Services.AlternateContacts = map[string]*inventory.AlternateContact{}
	fs, _ := Run(s, Options{})
	p2 := PlanFixes(s, fs, FixOptions{})
	if len(p2.Actions) != 0 || len(p2.Skipped) != 2 || !strings.Contains(strings.Join(p2.Skipped, ";"), "--budget-email") {
		t.Fatalf("plan without emails: %+v", p2)
	}
	// Muted findings are not fixed.
	for i := range fs {
		fs[i].Status = finding.Muted
	}
	if p3 := PlanFixes(s, fs, FixOptions{BudgetEmail: "x@example.com"}); len(p3.Actions) != 0 {
		t.Fatalf("muted findings planned: %+v", p3.Actions)
	}
}

func TestApplyJournalAndUndo(t *testing.T) {
	p := leakyPlan(t)
	j := filepath.Join(t.TempDir(), "j.jsonl")
	// Another account's credentials: nothing happens, not even a journal.
	wrong := &fakeCaller{account: "999999999999"}
	if err := Apply(t.Context(), p, wrong, j, nil); !errors.Is(err, ErrWrongAccount) || len(wrong.calls) > 0 {
		t.Fatalf("wrong account: %v, calls %v", err, wrong.calls)
	}
	if _, err := os.Stat(j); err == nil {
		t.Fatal("journal written for a refused plan")
	}
	c := &fakeCaller{account: p.Account}
	if err := Apply(t.Context(), p, c, j, nil); err != nil {
		t.Fatal(err)
	}
	// The subscription got the monitor ARN the monitor call returned.
	if c.calls[3] != "CreateAnomalySubscription:arn:aws:ce::1:anomalymonitor/m1" {
		t.Fatalf("calls = %v", c.calls)
	}
	recs, err := ReadJournal(j)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2*len(p.Actions) || recs[0].Phase != "before" || recs[1].Phase != "after" || recs[0].Account != p.Account {
		t.Fatalf("journal = %+v", recs)
	}
	if recs[1].Undo[0].Op != "UpdateAccountPasswordPolicy" || recs[1].Undo[0].Input["MinimumPasswordLength"] != 8.0 {
		t.Fatalf("password undo = %+v", recs[1].Undo)
	}
	u := &fakeCaller{account: p.Account}
	n, err := Undo(t.Context(), j, u, nil)
	if err != nil || n != 4 {
		t.Fatalf("undo %d, %v", n, err)
	}
	if strings.Join(u.calls, " ") != "DeleteAnomalySubscription: DeleteAnomalyMonitor:arn:aws:ce::1:anomalymonitor/m1 DeleteDetector: UpdateAccountPasswordPolicy:" {
		t.Fatalf("undo order = %v", u.calls)
	}
	// Undo again: nothing left to undo.
	if n, err := Undo(t.Context(), j, &fakeCaller{account: p.Account}, nil); err != nil || n != 0 {
		t.Fatalf("second undo %d, %v", n, err)
	}
	if _, err := Undo(t.Context(), j, &fakeCaller{account: "999999999999"}, nil); !errors.Is(err, ErrWrongAccount) {
		t.Fatalf("undo with another account: %v", err)
	}
}

func TestApplyStopsAtFailure(t *testing.T) {
	p := leakyPlan(t)
	j := filepath.Join(t.TempDir(), "j.jsonl")
	c := &fakeCaller{account: p.Account, failOn: "CreateDetector"}
	if err := Apply(t.Context(), p, c, j, nil); err == nil || !strings.Contains(err.Error(), "guardduty:CreateDetector") {
		t.Fatalf("err = %v", err)
	}
	if len(c.calls) != 2 {
		t.Fatalf("calls after the failure: %v", c.calls)
	}
	recs, _ := ReadJournal(j)
	if last := recs[len(recs)-1]; last.Phase != "after" || last.Error == "" {
		t.Fatalf("failure not journaled: %+v", last)
	}
	// Undo reverses only what succeeded.
	u := &fakeCaller{account: p.Account}
	if n, err := Undo(t.Context(), j, u, nil); err != nil || n != 1 || u.calls[0] != "UpdateAccountPasswordPolicy:" {
		t.Fatalf("undo %d %v %v", n, err, u.calls)
	}
}

func TestReadJournalErrors(t *testing.T) {
	dir := t.TempDir()
	for body, want := range map[string]string{"": "empty", "{not json\n": "line 1", `{"seq":1}` + "\n": "not an accountguard journal"} {
		p := filepath.Join(dir, "j.jsonl")
		os.WriteFile(p, []byte(body), 0o600)
		if _, err := ReadJournal(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v", body, err)
		}
	}
}

func TestPlanTrailRepairsAnExistingTrail(t *testing.T) {
	s := hardened()
	tr := &s.Services.Trails[0]
	tr.IsLogging = ptr(false)
	tr.ManagementRead = false
	tr.LogGroupARN = ""
	fs, _ := Run(s, Options{})
	p := PlanFixes(s, fs, FixOptions{})
	var ops []string
	for _, a := range p.Actions {
		ops = append(ops, a.Op)
	}
	got := strings.Join(ops, " ")
	// No new trail or bucket: the existing one is repaired and given CloudWatch Logs delivery.
	if strings.Contains(got, "CreateTrail") || strings.Contains(got, "CreateBucket") {
		t.Fatalf("plan creates a second trail: %s", got)
	}
	for _, want := range []string{"PutEventSelectors", "StartLogging", "CreateLogGroup", "CreateRole", "UpdateTrail", "CreateTopic", "PutMetricFilter", "PutMetricAlarm"} {
		if !strings.Contains(got, want) {
			t.Errorf("plan lacks %s: %s", want, got)
		}
	}
	if strings.Count(got, "PutMetricAlarm") != len(CISMetricAlarms) {
		t.Errorf("want %d alarms: %s", len(CISMetricAlarms), got)
	}
}
