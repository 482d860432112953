package awssim

import (
	"strings"
	"testing"
	"time"
)

var testNow = func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }

func TestLeakedKeyScenarioGroundTruth(t *testing.T) {
	sc, err := LoadScenario("leaked-key")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(sc, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	gt := srv.GroundTruth()
	if gt.LeakedKey == "" || len(gt.Users) != 1 || gt.Users[0] != "support-admin" {
		t.Fatalf("ground truth: %+v", gt)
	}
	counts := map[string]int{}
	for _, c := range gt.Created {
		counts[c.Type]++
	}
	t.Logf("created: %v regions %v", counts, gt.Regions)
	for _, typ := range []string{"iam-user", "access-key", "login-profile", "instance", "security-group", "key-pair", "spot-request", "launch-template", "auto-scaling-group"} {
		if counts[typ] == 0 {
			t.Errorf("the attacker created no %s", typ)
		}
	}
	for _, r := range sc.Attacker.Regions {
		if !strings.Contains(strings.Join(gt.Regions, ","), r) {
			t.Errorf("attacker region %s missing from %v", r, gt.Regions)
		}
	}
	var legit, attack int
	for _, rec := range srv.Trail() {
		if rec.SourceIPAddress == "185.220.101.47" || rec.SourceIPAddress == "45.134.26.199" {
			attack++
		} else {
			legit++
		}
	}
	if attack < 20 || legit < 100 {
		t.Fatalf("trail: %d attacker records, %d legitimate", attack, legit)
	}
}

func TestScenarioErrors(t *testing.T) {
	if _, err := LoadScenario("no-such-scenario"); err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Fatalf("unknown name: %v", err)
	}
	if _, err := ParseScenario("bad.yaml", []byte("account: {id: 1}\nuserz: []\n")); err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("malformed: %v", err)
	}
	if _, err := ParseScenario("bad.yaml", []byte("account: {id: \"12\"}\n")); err == nil || !strings.Contains(err.Error(), "12-digit") {
		t.Fatalf("bad account id: %v", err)
	}
}
