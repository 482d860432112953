package trail_test

import (
	"testing"

	"github.com/accountguard/accountguard/internal/trail"
)

// TestEnumerationInLeakedKeyScenario: the attacker's enumeration with the leaked CI key
// alerts, once; the same key's daily CI run (GetCallerIdentity, then DescribeInstances and
// DescribeSecurityGroups) and the admin's ListUsers do not, and the per-record rule is
// informational only.
func TestEnumerationInLeakedKeyScenario(t *testing.T) {
	r, client, bucket, _ := leakedKey(t)
	gt := r.GroundTruth()
	srcs, errs := trail.S3Sources(t.Context(), client, bucket, "", trail.Window{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	res := trail.NewEngine().Hunt(t.Context(), srcs, trail.HuntOptions{ReadOptions: trail.ReadOptions{Workers: 4}})
	var alerts int
	for _, a := range res.Alerts {
		if a.Detector.ID != "ag-detect-enumeration" {
			continue
		}
		alerts++
		if a.Actor.ID != gt.LeakedKey || a.IP != "185.220.101.47" {
			t.Errorf("enumeration alert for %s from %s: %s", a.Actor.ID, a.IP, a.Detail)
		}
	}
	if alerts != 1 {
		t.Errorf("%d enumeration alerts, want 1 (the attacker's)", alerts)
	}
	for _, m := range res.Matches {
		if trail.RuleName(m.Rule) == "ag_enumeration_by_access_key" && m.Rule.Level != "informational" {
			t.Errorf("the per-record enumeration rule is %s", m.Rule.Level)
		}
	}
}
