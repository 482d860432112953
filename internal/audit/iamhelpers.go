package audit

import (
	"encoding/json"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
)

// iamOps are the IAM reads the user and root checks rest on; a failure of any makes them unknown.
var iamUserOps = []string{"ListUsers", "GetAccountAuthorizationDetails"}

// iamUnknown returns the unknown result when the IAM data a check needs is absent.
func (x *Ctx) iamUnknown(ops ...string) (Result, bool) {
	if r, ok := x.missing("iam", "", append(ops, iamUserOps...)...); ok {
		return r, true
	}
	if x.Snap.IAM.Collected == nil {
		return x.notCollected("IAM"), true
	}
	return Result{}, false
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
