package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/accountguard/accountguard/internal/awssim"
)

// iamAction maps a served call to the IAM action that authorizes it.
func iamAction(c awssim.CallStat) string {
	prefix := map[string]string{"monitoring": "cloudwatch"}[c.Service]
	if prefix == "" {
		prefix = c.Service
	}
	action := c.Action
	switch c.Service + ":" + c.Action {
	case "s3:GetPublicAccessBlock":
		action = "GetBucketPublicAccessBlock"
	case "s3:PutPublicAccessBlock":
		action = "PutBucketPublicAccessBlock"
	case "budgets:DescribeBudgets", "budgets:DescribeNotificationsForBudget":
		action = "ViewBudget"
	case "budgets:CreateBudget", "budgets:DeleteBudget", "budgets:CreateNotification":
		action = "ModifyBudget"
	}
	return prefix + ":" + action
}

type policyDoc struct {
	Version   string `json:"Version"`
	Statement []struct {
		Sid      string   `json:"Sid"`
		Effect   string   `json:"Effect"`
		Action   []string `json:"Action"`
		Resource any      `json:"Resource"`
	} `json:"Statement"`
}

func loadPolicy(t *testing.T, name string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", name))
	if err != nil {
		t.Fatal(err)
	}
	var p policyDoc
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if p.Version != "2012-10-17" || len(p.Statement) == 0 {
		t.Fatalf("%s: not an IAM policy document", name)
	}
	out := map[string]bool{}
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			t.Fatalf("%s: statement %s is not Allow", name, s.Sid)
		}
		for _, a := range s.Action {
			if strings.Contains(a, "*") {
				t.Fatalf("%s: wildcard %s is not least privilege", name, a)
			}
			out[a] = true
		}
	}
	return out
}

func calledActions(r *awssim.Running) map[string]bool {
	out := map[string]bool{}
	for _, c := range r.Calls() {
		out[iamAction(c)] = true
	}
	return out
}

// notCalledInTests are policy actions the simulator scenarios do not exercise, and why
// they are still needed.
var notCalledInTests = map[string]string{
	"iam:PassRole":                    "CreateTrail/UpdateTrail hand the CloudWatch Logs role to CloudTrail",
	"iam:CreateServiceLinkedRole":     "CreateDetector creates GuardDuty's service-linked role on first use",
	"cloudtrail:UpdateTrail":          "planned when a multi-region trail exists without CloudWatch Logs delivery",
	"cloudtrail:PutEventSelectors":    "planned when the trail does not log read and write management events",
	"iam:DeleteAccountPasswordPolicy": "undo when the account had no password policy before",
}

// Every AWS call audit and audit --fix make is allowed by the documented policies, and every
// action the read-only policy grants is used (least privilege).
func TestAuditIAMPolicies(t *testing.T) {
	readOnly := loadPolicy(t, "iam-policy-audit.json")
	fix := loadPolicy(t, "iam-policy-audit-fix.json")
	used := map[string]bool{}
	for _, sc := range []string{"hardened", "leaked-key", "empty"} {
		r := useSim(t, sc, awssim.Options{})
		if code, _, stderr := run(t, t.Context(), "audit", "--quiet", "--output", "json"); code > ExitPartial {
			t.Fatalf("%s: exit %d %s", sc, code, stderr)
		}
		for a := range calledActions(r) {
			used[a] = true
			if !readOnly[a] {
				t.Errorf("%s: audit calls %s, which docs/iam-policy-audit.json does not allow", sc, a)
			}
		}
	}
	for a := range readOnly {
		if !used[a] && notCalledInTests[a] == "" {
			t.Errorf("docs/iam-policy-audit.json grants %s, which audit never calls", a)
		}
	}
	r := useSim(t, "leaked-key", awssim.Options{})
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	args := []string{"--quiet", "--budget-email", "f@example.com", "--security-email", "s@example.com", "--security-phone", "+1 555 0100"}
	if code, _, stderr := run(t, t.Context(), append([]string{"audit", "--fix", "--apply", "--journal", journal}, args...)...); code != 0 {
		t.Fatalf("apply: %d %s", code, stderr)
	}
	if code, _, stderr := run(t, t.Context(), "audit", "--undo", journal, "--quiet"); code != 0 {
		t.Fatalf("undo: %d %s", code, stderr)
	}
	fixUsed := calledActions(r)
	for a := range fixUsed {
		if !fix[a] {
			t.Errorf("audit --fix calls %s, which docs/iam-policy-audit-fix.json does not allow", a)
		}
	}
	for a := range fix {
		if !fixUsed[a] && !used[a] && notCalledInTests[a] == "" {
			t.Errorf("docs/iam-policy-audit-fix.json grants %s, which neither audit nor --fix calls", a)
		}
	}
	var names []string
	for a := range fixUsed {
		names = append(names, a)
	}
	slices.Sort(names)
	t.Logf("fix calls: %s", strings.Join(names, " "))
}
