package audit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "accountguard.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMuteRules(t *testing.T) {
	s := hardened()
	s.IAM.Users[1].AttachedPolicies = []inventory.AttachedPolicy{{Name: "AmazonS3ReadOnlyAccess", ARN: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}}
	s.IAM.Users[0].InlinePolicies = []inventory.InlinePolicy{{Name: "x", Document: "{}"}}
	s.IAM.Root.MFAEnabled = false
	fs, _ := Run(s, Options{})
	cfg, err := LoadConfig(writeConfig(t, `
secrets: {baseline: x}   # another command's section is left alone
audit:
  mute:
    - {check: iam-direct-policies, resource: "arn:aws:iam::*:user/ci", reason: CI user is managed by Terraform, expires: 2027-01-31}
    - {check: root-mfa, reason: old rule, expires: 2026-01-01}
    - {resource: "sg-nothing-*", reason: test, expires: 2030-01-01}
`))
	if err != nil {
		t.Fatal(err)
	}
	warnings := cfg.Apply(fs, testNow)
	var mutedCI, aliceFail, rootFail bool
	for _, f := range fs {
		switch {
		case f.RuleID == "iam-direct-policies" && strings.HasSuffix(f.Resource, "user/ci"):
			mutedCI = f.Status == finding.Muted && strings.Contains(f.MuteReason, "Terraform")
		case f.RuleID == "iam-direct-policies" && strings.HasSuffix(f.Resource, "user/alice"):
			aliceFail = f.Status == finding.Fail
		case f.RuleID == "root-mfa":
			rootFail = f.Status == finding.Fail
		}
	}
	if !mutedCI || !aliceFail || !rootFail {
		t.Fatalf("ci muted %v, alice still failing %v, expired rule not applied %v", mutedCI, aliceFail, rootFail)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "expired on 2026-01-01") || !strings.Contains(warnings[1], "matched no finding") {
		t.Fatalf("warnings = %q", warnings)
	}
}

func TestMuteConfigErrors(t *testing.T) {
	for body, want := range map[string]string{
		"audit:\n  mute:\n    - {check: root-mfa, expires: 2027-01-01}\n":                    "has no reason",
		"audit:\n  mute:\n    - {check: root-mfa, reason: x}\n":                              "has no expires",
		"audit:\n  mute:\n    - {check: no-such, reason: x, expires: 2027-01-01}\n":          `unknown check "no-such"`,
		"audit:\n  mute:\n    - {reason: x, expires: 2027-01-01}\n":                          "neither a check nor a resource",
		"audit:\n  mute:\n    - {check: root-mfa, reason: x, expires: next week}\n":          "want YYYY-MM-DD",
		"audit:\n  mute:\n    - {check: root-mfa, reason: x, expires: 2027-01-01, why: y}\n": "field why not found",
		"audit: [unclosed\n": "config",
	} {
		_, err := LoadConfig(writeConfig(t, body))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: err = %v, want one line containing %q", body, err, want)
		}
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("missing file accepted")
	}
}
