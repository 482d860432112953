package finding

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSeverityRoundTrip(t *testing.T) {
	for _, name := range []string{"info", "low", "medium", "high", "critical"} {
		s, err := ParseSeverity(strings.ToUpper(name))
		if err != nil || s.String() != name {
			t.Fatalf("%s: %v %v", name, s, err)
		}
		b, _ := json.Marshal(s)
		var back Severity
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Fatalf("%s: JSON round trip gave %v, %v", name, back, err)
		}
	}
	if _, err := ParseSeverity("urgent"); err == nil {
		t.Fatal("unknown severity accepted")
	}
	if Critical <= High || High <= Medium || Medium <= Low || Low <= Info {
		t.Fatal("severities are not ordered")
	}
}

func TestStableIDIsStableAndSeparatesParts(t *testing.T) {
	if StableID("rule", "111122223333", "us-east-1") != StableID("rule", "111122223333", "us-east-1") {
		t.Fatal("same parts, different IDs")
	}
	// Joining must not let ("ab","c") collide with ("a","bc").
	if StableID("ab", "c") == StableID("a", "bc") {
		t.Fatal("part boundaries are ignored")
	}
	if len(StableID("x")) != 16 {
		t.Fatalf("ID length %d", len(StableID("x")))
	}
}

func TestTextFallsBackToEnglish(t *testing.T) {
	if (Text{En: "root has no MFA"}).In("ko") != "root has no MFA" {
		t.Fatal("missing Korean must fall back to English")
	}
	if (Text{En: "a", Ko: "가"}).In("ko") != "가" || (Text{En: "a", Ko: "가"}).In("en") != "a" {
		t.Fatal("wrong language chosen")
	}
}

func TestFailingAndValidate(t *testing.T) {
	f := Finding{ID: "1", RuleID: "r", Title: Text{En: "t"}, Severity: High, Status: Fail}
	if !f.Failing(Medium) || f.Failing(Critical) {
		t.Fatal("threshold")
	}
	f.Status = Muted
	if f.Failing(Info) {
		t.Fatal("a muted finding is not failing")
	}
	if err := (Finding{RuleID: "r", Title: Text{En: "t"}}).Validate(); err == nil {
		t.Fatal("empty ID accepted")
	}
	if b, _ := JSON(nil); string(b) != "[]" {
		t.Fatalf("no findings encode as %s", b)
	}
}
