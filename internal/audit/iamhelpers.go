package audit

import (
	"encoding/json"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
)

// iamOps are the IAM reads the user and root checks rest on; a failure of any makes them unknown.
var iamUserOps = []string{"ListUsers", "GetAccountAuthorizationDetails"}

// iamUnknown returns the unknown result when the IAM user data a check needs is absent: a
// failed call, or users not marked collected (IAM.Collected["users"]).
func (x *Ctx) iamUnknown(ops ...string) (Result, bool) {
	return x.iamPartsUnknown([]string{"users"}, append(ops, iamUserOps...)...)
}

// iamPartsUnknown is iamUnknown for other parts of IAM.Collected; any one of parts suffices.
func (x *Ctx) iamPartsUnknown(parts []string, ops ...string) (Result, bool) {
	if r, ok := x.missing("iam", "", ops...); ok {
		return r, true
	}
	for _, p := range parts {
		if x.Snap.IAM.Collected[p] {
			return Result{}, false
		}
	}
	return x.notCollected("IAM " + strings.Join(parts, " or ")), true
}

func userResult(status finding.Status, arn string, detail finding.Text) Result {
	return Result{Status: status, ResourceType: "AwsIamUser", Resource: arn, Detail: detail}
}

// allowsAll reports whether a policy document has an Allow statement for Action "*" on
// Resource "*" (the CIS definition of full administrative privileges).
func allowsAll(doc string) bool {
	var p struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	var stmts []map[string]any
	if json.Unmarshal(p.Statement, &stmts) != nil {
		var one map[string]any
		if json.Unmarshal(p.Statement, &one) != nil {
			return false
		}
		stmts = []map[string]any{one}
	}
	for _, s := range stmts {
		if eff, _ := s["Effect"].(string); eff != "Allow" {
			continue
		}
		if hasStar(s["Action"]) && hasStar(s["Resource"]) {
			return true
		}
	}
	return false
}

func hasStar(v any) bool {
	switch t := v.(type) {
	case string:
		return t == "*" || t == "*:*"
	case []any:
		for _, e := range t {
			if s, _ := e.(string); s == "*" || s == "*:*" {
				return true
			}
		}
	}
	return false
}

func isAdminPolicyARN(arn string) bool {
	return strings.HasSuffix(arn, ":policy/AdministratorAccess")
}
