package trail

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
	"github.com/accountguard/accountguard/internal/finding"
)

func huntDataset(t *testing.T) *Result {
	t.Helper()
	srcs, errs := Files([]string{dataset}, Window{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	e := NewEngine()
	if len(e.Skipped) > 0 {
		t.Fatalf("rules skipped: %v", e.Skipped)
	}
	res := e.Hunt(t.Context(), srcs, HuntOptions{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	return res
}

// TestHuntStratusDataset runs every rule and detector over the real Stratus Red Team
// records and checks what the techniques in it must trigger.
func TestHuntStratusDataset(t *testing.T) {
	res := huntDataset(t)
	fs := res.Findings(res.Account)
	byRule := map[string]finding.Finding{}
	for _, f := range fs {
		if err := f.Validate(); err != nil {
			t.Error(err)
		}
		if f.Source != "trail" || f.Attributes["author"] == "" || len(f.Evidence) == 0 {
			t.Errorf("%s: source %q author %q evidence %d", f.RuleID, f.Source, f.Attributes["author"], len(f.Evidence))
		}
		byRule[f.RuleID] = f
	}
	for rule, author := range map[string]string{
		"aws_cloudtrail_disable_logging":           "vitaliy0x1",  // Stratus cloudtrail-stop / delete
		"aws_cloudtrail_vpc_flow_logs_deleted":     "Ivan Saakov", // Stratus ec2-delete-flow-logs (hmm: the author field of that rule)
		"aws_iam_backdoor_users_keys":              "faloker",     // Stratus iam-create-backdoor-user / admin key
		"ag_evasion_cloudtrail_tampering":          "accountguard",
		"ag_persistence_login_profile":             "accountguard", // Stratus iam-create-user-login-profile
		"ag_persistence_access_key_for_other_user": "accountguard",
		"ag-detect-recon-then-persistence":         "accountguard",
	} {
		f, ok := byRule[rule]
		if !ok {
			t.Errorf("no finding of %s", rule)
			continue
		}
		if !strings.Contains(f.Attributes["author"], author) || !strings.Contains(f.Detail.En+f.Attributes["author"], author) {
			t.Errorf("%s: author %q, want %q", rule, f.Attributes["author"], author)
		}
	}
	// most severe first
	if !slices.IsSortedFunc(fs, func(a, b finding.Finding) int { return int(b.Severity) - int(a.Severity) }) {
		t.Error("findings not sorted by severity")
	}
	// OCSF: every required attribute of a Detection Finding
	for _, o := range OCSF(fs, "test") {
		for _, k := range []string{"activity_id", "category_uid", "class_uid", "finding_info", "metadata", "severity_id", "time", "type_uid"} {
			if _, ok := o[k]; !ok {
				t.Fatalf("OCSF finding without %s", k)
			}
		}
		if o["class_uid"] != 2004 || o["type_uid"] != 200401 {
			t.Fatalf("OCSF class %v type %v", o["class_uid"], o["type_uid"])
		}
		b, _ := json.Marshal(o)
		if !strings.Contains(string(b), `"author:`) {
			t.Fatalf("OCSF finding without the rule author: %s", b)
		}
	}
}

// TestAttributionStratus: every created access key and user in the dataset maps back to
// the call that created it.
func TestAttributionStratus(t *testing.T) {
	res := huntDataset(t)
	_, recs := referenceIDs(t)
	var keys int
	for _, r := range recs {
		if r["eventName"] != "CreateAccessKey" || r["errorCode"] != nil {
			continue
		}
		ak := r["responseElements"].(map[string]any)["accessKey"].(map[string]any)["accessKeyId"].(string)
		got := res.Created.WhoCreated(ak)
		ui := r["userIdentity"].(map[string]any)
		if len(got) != 1 || got[0].EventID != r["eventID"] || got[0].Principal != ui["arn"] || got[0].Type != "access-key" {
			t.Errorf("who created %s: %+v", ak, got)
		}
		keys++
	}
	if keys == 0 {
		t.Fatal("dataset has no CreateAccessKey")
	}
	var instances int
	for _, c := range res.Created.All {
		if c.Type == "instance" {
			instances++
			if !strings.HasPrefix(c.ID, "i-") || c.EventName != "RunInstances" {
				t.Errorf("instance %+v", c)
			}
		}
	}
	if instances == 0 {
		t.Error("no instance attributed")
	}
}

// TestHuntWithEarlierBaseline: records before the hunted window only teach the detectors.
// The leaked-key trail cut in two: hunting only the last 3 days finds the new IP of the
// ci-deploy key only when the earlier days are given as the baseline.
func TestHuntWithEarlierBaseline(t *testing.T) {
	srv := simtest.New(t, "leaked-key", awssim.Options{})
	dir, _ := simtest.ExportTrail(t, srv.Trail())
	gt := srv.GroundTruth()
	w := Window{Since: gt.Start.Add(-2 * time.Hour)}
	srcs, _ := Files([]string{dir}, w)
	base, _ := Files([]string{dir}, Window{Until: w.Since})
	e := NewEngine()
	has := func(res *Result) bool {
		for _, a := range res.Alerts {
			if a.Detector.ID == "ag-detect-new-source-ip" && a.Actor != nil && a.Actor.ID == gt.LeakedKey {
				return true
			}
		}
		return false
	}
	alone := e.Hunt(t.Context(), srcs, HuntOptions{ReadOptions: ReadOptions{Window: w}})
	with := e.Hunt(t.Context(), srcs, HuntOptions{ReadOptions: ReadOptions{Window: w}, Baseline: base})
	if len(with.Errors) > 0 {
		t.Fatal(with.Errors)
	}
	if has(alone) {
		t.Error("without the earlier window the key has no normal IP to differ from")
	}
	if !has(with) {
		t.Errorf("with the earlier window as baseline the leaked key's new IP is not found (baseline until %s)", with.Baseline.Until)
	}
	if with.Stats.Records != alone.Stats.Records {
		t.Errorf("baseline records were hunted: %d vs %d", with.Stats.Records, alone.Stats.Records)
	}
}
