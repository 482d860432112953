package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/finding"
)

func auditJSON(t *testing.T, args ...string) (int, map[string][]finding.Finding, string) {
	t.Helper()
	code, stdout, stderr := run(t, t.Context(), append([]string{"audit", "--output", "json", "--quiet"}, args...)...)
	var fs []finding.Finding
	if err := json.Unmarshal([]byte(stdout), &fs); err != nil {
		t.Fatalf("exit %d, stdout %q, stderr %q: %v", code, stdout, stderr, err)
	}
	by := map[string][]finding.Finding{}
	for _, f := range fs {
		by[f.RuleID] = append(by[f.RuleID], f)
	}
	return code, by, stderr
}

func worstOf(fs []finding.Finding) finding.Status {
	st := finding.Pass
	for _, f := range fs {
		if f.Status == finding.Fail {
			return finding.Fail
		}
		if f.Status == finding.Unknown {
			st = finding.Unknown
		}
	}
	return st
}

func TestAuditHardenedPassesEverything(t *testing.T) {
	useSim(t, "hardened", awssim.Options{})
	code, by, stderr := auditJSON(t, "--fail-on", "low")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for id, fs := range by {
		if st := worstOf(fs); st != finding.Pass {
			for _, f := range fs {
				if f.Status != finding.Pass {
					t.Errorf("%s: %s %s", id, f.Status, f.Detail.En)
				}
			}
		}
	}
	if len(by) < 27 {
		t.Fatalf("%d checks ran", len(by))
	}
}

// On leaked-key, the checks the story breaks all fail; open groups in the attacker's regions.
func TestAuditLeakedKey(t *testing.T) {
	r := useSim(t, "leaked-key", awssim.Options{})
	code, by, stderr := auditJSON(t, "--fail-on", "high")
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	for _, id := range []string{"root-mfa", "root-access-keys", "iam-console-mfa", "key-rotation-90d", "iam-unused-credentials", "iam-quarantine-policy",
		"budget-with-notification", "cis-metric-alarms", "sg-open-admin-ports", "trail-multi-region", "security-contact", "password-length"} {
		if st := worstOf(by[id]); st != finding.Fail {
			t.Errorf("%s: %s, want fail", id, st)
		}
	}
	openRegions := map[string]bool{}
	for _, f := range append(by["sg-open-admin-ports"], by["sg-open-all-ports"]...) {
		if f.Status == finding.Fail {
			openRegions[f.Region] = true
		}
	}
	attackerSG := 0
	for _, c := range r.GroundTruth().Created {
		if c.Type == "security-group" {
			attackerSG++
			if !openRegions[c.Region] {
				t.Errorf("the attacker's open group %s in %s is not reported (have %v)", c.ID, c.Region, openRegions)
			}
		}
	}
	if attackerSG == 0 {
		t.Fatal("the scenario's attacker made no security group")
	}
	if len(by["cis-metric-alarms"]) != 1 {
		t.Errorf("cis-metric-alarms reported %d times, want once", len(by["cis-metric-alarms"]))
	}
}

// --fix --apply on leaked-key, then audit again: the fixed checks pass; --undo puts it back.
func TestAuditFixApplyUndo(t *testing.T) {
	r := useSim(t, "leaked-key", awssim.Options{})
	dir := t.TempDir()
	journal := filepath.Join(dir, "fix.jsonl")
	fixed := []string{"password-length", "password-reuse", "trail-multi-region", "trail-log-validation", "cis-metric-alarms", "guardduty-all-regions",
		"budget-with-notification", "anomaly-monitor-subscription", "security-contact"}
	_, before, _ := auditJSON(t)
	for _, id := range fixed {
		if worstOf(before[id]) != finding.Fail {
			t.Fatalf("%s does not fail before the fix", id)
		}
	}
	// The plan alone changes nothing.
	code, plan, stderr := run(t, t.Context(), "audit", "--fix", "--quiet", "--budget-email", "fin@example.com", "--security-email", "sec@example.com", "--security-phone", "+82 2 555 0100")
	if code != 0 || !strings.Contains(plan, "cloudtrail:CreateTrail") || !strings.Contains(plan, "By hand") || !strings.Contains(plan, "root-mfa") {
		t.Fatalf("plan exit %d: %s %s", code, plan, stderr)
	}
	callsBefore := len(r.Trail())
	code, out, stderr := run(t, t.Context(), "audit", "--fix", "--apply", "--quiet", "--journal", journal,
		"--budget-email", "fin@example.com", "--security-email", "sec@example.com", "--security-phone", "+82 2 555 0100")
	if code != 0 {
		t.Fatalf("apply exit %d: %s\n%s", code, out, stderr)
	}
	if len(r.Trail()) <= callsBefore {
		t.Fatal("apply made no calls")
	}
	_, after, _ := auditJSON(t)
	for _, id := range fixed {
		if st := worstOf(after[id]); st != finding.Pass {
			t.Errorf("after the fix %s is %s: %+v", id, st, after[id])
		}
	}
	// Root MFA is manual: still failing.
	if worstOf(after["root-mfa"]) != finding.Fail {
		t.Error("root-mfa passes after --fix")
	}
	code, out, stderr = run(t, t.Context(), "audit", "--undo", journal, "--quiet")
	if code != 0 {
		t.Fatalf("undo exit %d: %s\n%s", code, out, stderr)
	}
	_, undone, _ := auditJSON(t)
	for _, id := range fixed {
		if st := worstOf(undone[id]); st != finding.Fail {
			t.Errorf("after undo %s is %s", id, st)
		}
	}
	r.Inspect(func(w *awssim.World) {
		a := w.Accounts[r.Account]
		if a.PasswordPolicy == nil || a.PasswordPolicy.MinimumPasswordLength != 8 {
			t.Errorf("password policy not restored: %+v", a.PasswordPolicy)
		}
		if a.Posture != nil && (len(a.Posture.Trails) > 0 || len(a.Posture.Alarms) > 0 || len(a.Posture.MetricFilters) > 0 || len(a.Posture.LogGroups) > 0 || a.Posture.Contacts["SECURITY"] != nil) {
			t.Errorf("posture not restored: %d trails, %d alarms, %d filters", len(a.Posture.Trails), len(a.Posture.Alarms), len(a.Posture.MetricFilters))
		}
		if a.Role("accountguard-cloudtrail-logs") != nil {
			t.Error("log delivery role left behind")
		}
	})
	// A second undo does nothing more.
	if code, out, _ := run(t, t.Context(), "audit", "--undo", journal, "--quiet"); code != 0 || !strings.Contains(out, "Undid 0") {
		t.Fatalf("second undo: %d %s", code, out)
	}
}

func TestAuditBadInput(t *testing.T) {
	dir := t.TempDir()
	newer := filepath.Join(dir, "newer.json")
	os.WriteFile(newer, []byte(`{"version": 99}`), 0o600)
	corrupt := filepath.Join(dir, "corrupt.json")
	os.WriteFile(corrupt, []byte(`{"version": 1, "iam": [`), 0o600)
	badCfg := filepath.Join(dir, "accountguard.yaml")
	os.WriteFile(badCfg, []byte("audit:\n  mute:\n    - {check: root-mfa}\n"), 0o600)
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"version": 1, "account": {"id": "111122223333"}, "iam": {"collected": {"users": true}}}`), 0o600)
	for _, args := range [][]string{
		{"audit", "--snapshot", newer},
		{"audit", "--snapshot", corrupt},
		{"audit", "--snapshot", filepath.Join(dir, "missing.json")},
		{"audit", "--snapshot", good, "--fail-on", "severe"},
		{"audit", "--snapshot", good, "--output", "xml"},
		{"audit", "--snapshot", good, "--config", badCfg},
		{"audit", "--snapshot", good, "--check", "no-such-check"},
		{"audit", "--snapshot", good, "--apply"},
		{"audit", "--undo", corrupt},
	} {
		code, _, stderr := run(t, t.Context(), args...)
		if code != ExitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.HasPrefix(stderr, "accountguard: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	if _, stdout, _ := run(t, t.Context(), "audit", "--snapshot", newer); stdout != "" {
		t.Error("output written for a rejected snapshot")
	}
	// A readable offline snapshot without services: unknown, never pass, exit 0 without --fail-on.
	code, stdout, stderr := run(t, t.Context(), "audit", "--snapshot", good, "--output", "json")
	if code != 0 {
		t.Fatalf("offline: exit %d %s", code, stderr)
	}
	var fs []finding.Finding
	json.Unmarshal([]byte(stdout), &fs)
	for _, f := range fs {
		if f.RuleID == "trail-multi-region" && f.Status != finding.Unknown {
			t.Fatalf("trail check without data: %s", f.Status)
		}
	}
}

func TestAuditListAndFormats(t *testing.T) {
	code, out, _ := run(t, t.Context(), "audit", "--list")
	if code != 0 || !strings.Contains(out, "root-mfa") || !strings.Contains(out, "2.5") {
		t.Fatalf("list: %d %s", code, out)
	}
	useSim(t, "hardened", awssim.Options{})
	snap := filepath.Join(t.TempDir(), "snap.json")
	if code, _, stderr := run(t, t.Context(), "audit", "--quiet", "--save-snapshot", snap); code != 0 {
		t.Fatalf("save: %d %s", code, stderr)
	}
	for _, f := range []string{"table", "csv", "ocsf", "asff", "markdown"} {
		code, out, stderr := run(t, t.Context(), "audit", "--snapshot", snap, "--output", f)
		if code != 0 || len(out) < 100 {
			t.Errorf("%s: exit %d, %d bytes, %s", f, code, len(out), stderr)
		}
	}
}

// A missing permission makes the check unknown, names the permission, and the exit code says partial.
func TestAuditAccessDeniedIsUnknown(t *testing.T) {
	useSim(t, "hardened", awssim.Options{Deny: []string{"guardduty:ListDetectors", "budgets:DescribeBudgets"}})
	code, by, stderr := auditJSON(t)
	if code != ExitPartial {
		t.Fatalf("exit %d, want 3: %s", code, stderr)
	}
	for id, perm := range map[string]string{"guardduty-all-regions": "guardduty:ListDetectors", "budget-with-notification": "budgets:ViewBudget"} {
		for _, f := range by[id] {
			if f.Status != finding.Unknown || f.Attributes["missing_permission"] != perm {
				t.Fatalf("%s: %s, missing %q", id, f.Status, f.Attributes["missing_permission"])
			}
		}
	}
	if !strings.Contains(stderr, "partial") {
		t.Fatalf("stderr does not say partial: %q", stderr)
	}
}

// An account with a stopped multi-region trail and no alarms: --fix repairs that trail (no
// second trail), sends it to CloudWatch Logs and adds the alarms; --undo puts it back.
func TestAuditFixRepairsExistingTrail(t *testing.T) {
	sc := filepath.Join(t.TempDir(), "stopped-trail.yaml")
	os.WriteFile(sc, []byte(`
name: stopped-trail
account: {id: "123456789012"}
admin: admin
users:
  - name: admin
    groups: [Ops]
    keys: [{created: -10d, last_used: -1d}]
groups: [{name: Ops, attached: [arn:aws:iam::aws:policy/PowerUserAccess]}]
posture:
  trails: [{name: old-trail, home_region: us-east-1, multi_region: true, logging: false, log_file_validation: true, bucket: old-trail-bucket}]
`), 0o600)
	r := useSim(t, sc, awssim.Options{})
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	if code, out, stderr := run(t, t.Context(), "audit", "--fix", "--apply", "--quiet", "--journal", journal, "--security-email", "sec@example.com"); code != 0 {
		t.Fatalf("apply: %d %s %s", code, out, stderr)
	}
	_, by, _ := auditJSON(t)
	for _, id := range []string{"trail-multi-region", "cis-metric-alarms"} {
		if st := worstOf(by[id]); st != finding.Pass {
			t.Errorf("%s after the fix: %s %+v", id, st, by[id])
		}
	}
	r.Inspect(func(w *awssim.World) {
		if n := len(w.Accounts["123456789012"].Posture.Trails); n != 1 {
			t.Errorf("%d trails after the fix, want the repaired one", n)
		}
	})
	if code, _, stderr := run(t, t.Context(), "audit", "--undo", journal, "--quiet"); code != 0 {
		t.Fatalf("undo: %d %s", code, stderr)
	}
	r.Inspect(func(w *awssim.World) {
		ps := w.Accounts["123456789012"].Posture
		if len(ps.Trails) != 1 || ps.Trails[0].Logging || ps.Trails[0].LogGroupARN != "" || len(ps.Alarms) != 0 {
			t.Errorf("undo left logging %v, log group %q, %d alarms", ps.Trails[0].Logging, ps.Trails[0].LogGroupARN, len(ps.Alarms))
		}
	})
}

// Offline on the saved snapshot, audit gives the same findings as live.
func TestAuditOfflineEqualsLive(t *testing.T) {
	useSim(t, "leaked-key", awssim.Options{Seed: 3})
	snap := filepath.Join(t.TempDir(), "snap.json")
	_, live, _ := auditJSON(t, "--save-snapshot", snap)
	_, offline, stderr := auditJSON(t, "--snapshot", snap)
	if len(live) == 0 || len(live) != len(offline) {
		t.Fatalf("%d checks live, %d offline: %s", len(live), len(offline), stderr)
	}
	for id, fs := range live {
		var a, b []string
		for _, f := range fs {
			a = append(a, f.ID+string(f.Status))
		}
		for _, f := range offline[id] {
			b = append(b, f.ID+string(f.Status))
		}
		if strings.Join(a, ",") != strings.Join(b, ",") {
			t.Errorf("%s differs offline", id)
		}
	}
}

// --output asff is accepted by Security Hub's BatchImportFindings: through the SDK (whose
// validators check the required attributes) into the simulator (which checks the product ARN,
// account, schema version and severity), 100 findings a call.
func TestAuditASFFImports(t *testing.T) {
	r := useSim(t, "leaked-key", awssim.Options{})
	code, out, stderr := run(t, t.Context(), "audit", "--output", "asff", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var batch struct {
		Findings []shtypes.AwsSecurityFinding
	}
	if err := json.Unmarshal([]byte(out), &batch); err != nil {
		t.Fatal(err)
	}
	if len(batch.Findings) < 100 {
		t.Fatalf("only %d findings", len(batch.Findings))
	}
	sh := securityhub.NewFromConfig(r.Config("", ""))
	imported := 0
	for start := 0; start < len(batch.Findings); start += 100 {
		end := min(start+100, len(batch.Findings))
		res, err := sh.BatchImportFindings(t.Context(), &securityhub.BatchImportFindingsInput{Findings: batch.Findings[start:end]})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(res.FailedCount) != 0 {
			t.Fatalf("rejected: %+v", res.FailedFindings[0])
		}
		imported += int(aws.ToInt32(res.SuccessCount))
	}
	if imported != len(batch.Findings) {
		t.Fatalf("imported %d of %d", imported, len(batch.Findings))
	}
}
