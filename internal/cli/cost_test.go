package cli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
)

// writeCUR writes a legacy CUR CSV: 45 days of ~$40 EC2 in ap-northeast-2, then, if spike,
// $2,400 of p3.16xlarge in sa-east-1 on the last day.
func writeCUR(t *testing.T, spike bool) (string, time.Time) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cur-2026-11.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"identity/LineItemId", "lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/ProductCode", "lineItem/UsageType", "product/regionCode", "lineItem/UnblendedCost", "lineItem/CurrencyCode"})
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := range 45 {
		day := start.AddDate(0, 0, i)
		for h := 0; h < 24; h += 6 { // hourly-ish rows add up per day
			v := 10 * (1 + 0.05*math.Sin(float64(i*4+h)))
			w.Write([]string{fmt.Sprint(i, h), "111122223333", "Usage", day.Add(time.Duration(h) * time.Hour).Format(time.RFC3339), "AmazonEC2", "APN2-BoxUsage:c5.2xlarge", "ap-northeast-2", fmt.Sprintf("%.6f", v), "USD"})
		}
		if day.Day() == 1 {
			w.Write([]string{"tax", "111122223333", "Tax", day.Format(time.RFC3339), "AmazonEC2", "", "", "250", "USD"})
		}
	}
	last := start.AddDate(0, 0, 44)
	if spike {
		w.Write([]string{"x", "111122223333", "Usage", last.Add(3 * time.Hour).Format(time.RFC3339), "AmazonEC2", "SAE1-BoxUsage:p3.16xlarge", "sa-east-1", "2400", "USD"})
	}
	w.Flush()
	f.Close()
	return path, last
}

func TestCostFromCURFile(t *testing.T) {
	path, last := writeCUR(t, true)
	code, stdout, stderr := run(t, t.Context(), "cost", "--cur", path, "--days", "14")
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d; stderr %q", code, ExitFindings, stderr)
	}
	for _, want := range []string{"Daily cost", "CRITICAL", "EC2: p3.16xlarge BoxUsage in sa-east-1", "$2,400.00", "first spend in region(s): sa-east-1", last.Format("2006-01-02")} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = run(t, t.Context(), "cost", "--cur", path, "--output", "json")
	var r costReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || code != ExitFindings {
		t.Fatalf("json: exit %d, %v", code, err)
	}
	if len(r.Anomalies) != 1 || len(r.Findings) != 1 || r.Findings[0].Source != "cost" || len(r.Days) != 30 {
		t.Errorf("json report: %d anomalies, %d findings, %d days", len(r.Anomalies), len(r.Findings), len(r.Days))
	}
	code, stdout, _ = run(t, t.Context(), "cost", "--cur", path, "--output", "csv")
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil || code != ExitFindings || len(rows) != 2 || rows[1][1] != "cost.first-spend" {
		t.Errorf("csv: exit %d, rows %v, err %v", code, rows, err)
	}
	// The same account without the spike: nothing to report, the month-start tax is not usage.
	quiet, _ := writeCUR(t, false)
	code, stdout, stderr = run(t, t.Context(), "cost", "--cur", quiet)
	if code != ExitOK || !strings.Contains(stdout, "No anomaly") {
		t.Errorf("quiet CUR: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// Thresholds are flags: a floor above the new spend and a min impact above it silence it.
	code, _, _ = run(t, t.Context(), "cost", "--cur", path, "--first-spend-floor", "5000", "--min-impact", "5000")
	if code != ExitOK {
		t.Errorf("raised thresholds: exit %d", code)
	}
}

func TestCostBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("a,b\n1,2\n"), 0o644)
	good, _ := writeCUR(t, false)
	// One bad file among good ones: reported on its own line, the rest is read, exit 3.
	code, stdout, stderr := run(t, t.Context(), "cost", "--cur", bad+","+good)
	if code != ExitPartial || !strings.Contains(stderr, "bad.csv: missing column") || !strings.Contains(stdout, "Daily cost") {
		t.Errorf("bad + good: exit %d, stderr %q", code, stderr)
	}
	// Too few days to judge anything: unknown, not "no anomaly".
	code, stdout, _ = run(t, t.Context(), "cost", "--cur", good, "--days", "3", "--history", "2", "--output", "json")
	if code != ExitPartial || !strings.Contains(stdout, `"status": "unknown"`) || !strings.Contains(stdout, "needed before a day can be judged") {
		t.Errorf("too short: exit %d, %s", code, stdout)
	}
	// Only bad files: a usage error, one line each.
	code, _, stderr = run(t, t.Context(), "cost", "--cur", bad)
	if code != ExitUsage || !strings.Contains(stderr, "no usable Cost and Usage Report file") {
		t.Errorf("only bad: exit %d, stderr %q", code, stderr)
	}
	for _, args := range [][]string{
		{"cost", "--output", "sarif", "--cur", good},
		{"cost", "--days", "0", "--cur", good},
		{"cost", "--min-impact", "-1", "--cur", good},
		{"cost", "--end", "yesterday", "--cur", good},
		{"cost", "budget"},
		{"cost", "budget", "--undo", filepath.Join(dir, "missing.jsonl")},
	} {
		code, _, stderr := run(t, t.Context(), args...)
		if code != ExitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

const cliCostScenario = `
name: cli-cost
account: {id: "111122223333"}
users:
  - name: admin
    attached: [arn:aws:iam::aws:policy/AdministratorAccess]
    keys: [{}]
admin: admin
cost:
  days: 60
  lines:
    - {service: Amazon Elastic Compute Cloud - Compute, region: ap-northeast-2, usage_type: APN2-BoxUsage:c5.2xlarge, daily: 30, weekly: [1.1, 1.1, 1.1, 1.1, 1, 0.7, 0.7], noise: 0.03}
    - {service: Amazon Elastic Compute Cloud - Compute, region: us-east-1, usage_type: BoxUsage:p3.16xlarge, start: -1d, amounts: [1175.04]}
`

// simEnv starts a simulator and points the standard AWS environment at it.
func simEnv(t *testing.T, opts awssim.Options) *awssim.Running {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cli-cost.yaml")
	os.WriteFile(path, []byte(cliCostScenario), 0o644)
	r := simtest.Start(t, path, opts)
	for _, kv := range r.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	return r
}

func TestCostLiveThroughSimulatorWithCache(t *testing.T) {
	simEnv(t, awssim.Options{})
	cache := filepath.Join(t.TempDir(), "cost.json")
	code, stdout, stderr := run(t, t.Context(), "cost", "--cache", cache, "--days", "14", "--history", "40")
	if code != ExitFindings || !strings.Contains(stdout, "EC2: p3.16xlarge BoxUsage in us-east-1") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "2 queries") || !strings.Contains(stderr, "requests made ($0.0") {
		t.Errorf("request count not announced: %q", stderr)
	}
	// Second run: from the cache, no billed request.
	code, _, stderr = run(t, t.Context(), "cost", "--cache", cache, "--days", "14", "--history", "40")
	if code != ExitFindings || !strings.Contains(stderr, "no requests") || strings.Contains(stderr, "requests made") {
		t.Errorf("cached run: exit %d, stderr %q", code, stderr)
	}
}

func TestCostAccessDeniedIsUnknown(t *testing.T) {
	simEnv(t, awssim.Options{Deny: []string{"ce:GetCostAndUsage"}})
	code, stdout, stderr := run(t, t.Context(), "cost", "--no-cache", "--output", "json")
	if code != ExitPartial || !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var r costReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || len(r.Findings) != 1 || r.Findings[0].Status != "unknown" {
		t.Errorf("report %s (%v)", stdout, err)
	}
}

func TestCostBudgetPlanApplyUndo(t *testing.T) {
	simEnv(t, awssim.Options{})
	args := []string{"cost", "budget", "--amount", "1500", "--email", "ops@example.com"}
	code, stdout, stderr := run(t, t.Context(), args...)
	if code != ExitOK || !strings.Contains(stdout, "Nothing changed") || strings.Count(stdout, "[create]") != 7 {
		t.Fatalf("plan: exit %d\n%s%s", code, stdout, stderr)
	}
	// A wrong confirmation changes nothing.
	code, _, _ = run(t, t.Context(), append(args, "--apply", "--confirm", "999999999999")...)
	if code != ExitUsage {
		t.Errorf("wrong confirmation: exit %d", code)
	}
	journal := filepath.Join(t.TempDir(), "journal.jsonl")
	code, stdout, stderr = run(t, t.Context(), append(args, "--apply", "--confirm", "111122223333", "--journal", journal)...)
	if code != ExitOK || !strings.Contains(stdout, "7 change(s) made") {
		t.Fatalf("apply: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, t.Context(), args...)
	if code != ExitOK || strings.Contains(stdout, "[create]") {
		t.Errorf("plan after apply still creates:\n%s", stdout)
	}
	code, stdout, stderr = run(t, t.Context(), "cost", "budget", "--undo", journal, "--confirm", "111122223333")
	if code != ExitOK || !strings.Contains(stdout, "Undid 3 change(s)") {
		t.Fatalf("undo: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, t.Context(), args...)
	if code != ExitOK || strings.Count(stdout, "[create]") != 7 {
		t.Errorf("plan after undo:\n%s", stdout)
	}
}

// With the scenario's CloudTrail (exported files, or LookupEvents in the anomaly's regions),
// the anomaly names who launched the instances: the attacker's look-alike admin, not the
// users whose keys only read.
func TestCostNamesWhoLaunched(t *testing.T) {
	r := simtest.Start(t, "leaked-key", awssim.Options{})
	for _, kv := range r.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	dir, _ := simtest.ExportTrail(t, r.Trail())
	want := "arn:aws:iam::111122223333:user/support-admin"
	for _, how := range [][]string{{"--trail", dir}, {"--lookup-events"}} {
		code, stdout, stderr := run(t, t.Context(), append([]string{"cost", "--no-cache", "--days", "14", "--output", "json"}, how...)...)
		if code != ExitFindings {
			t.Fatalf("%v: exit %d, stderr %s", how, code, stderr)
		}
		var rep costReport
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil || len(rep.Anomalies) != 1 {
			t.Fatalf("%v: report: %v, %d anomalies", how, err, len(rep.Anomalies))
		}
		if got := rep.Anomalies[0].Principals; len(got) != 1 || got[0] != want {
			t.Errorf("%v: principals %v, want [%s]", how, got, want)
		}
		if rep.Findings[0].Principal != want {
			t.Errorf("%v: finding principal %q", how, rep.Findings[0].Principal)
		}
	}
}
