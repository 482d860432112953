package awssim

import (
	"encoding/json"
	"path"
	"strings"
)

// iamExplicitDeny answers a call with AccessDenied when an identity-based policy of the
// calling user (inline, attached, or through a group) explicitly denies the action, so a
// responder's deny-all policy or AWS's AWSCompromisedKeyQuarantine policies really stop
// an attacker in the simulator. Only explicit denies are evaluated: the simulator does not
// require an Allow for every call (scenarios would otherwise have to spell out every
// permission), and statements with a Condition are skipped because their context is not
// simulated. Root is never denied by identity policies; sts:GetCallerIdentity never is
// either, as in AWS.
//
// Calls replayed from a scenario's history are not checked: a scenario's policies describe
// the account as it is when served, and its history may predate them (leaked-key's
// quarantine policy is the one AWS attached after the attack it replays).
func iamExplicitDeny(c *Call) error {
	if c.HTTP == nil || c.Account == nil || c.Identity.Key == nil {
		return nil
	}
	action := c.Service.Name + ":" + c.Action
	if action == "sts:GetCallerIdentity" {
		return nil
	}
	a := c.Account
	var docs, arns []string
	switch k := c.Identity.Key; {
	case k.User != nil:
		for _, d := range k.User.Inline {
			docs = append(docs, d)
		}
		arns = append(arns, k.User.Attached...)
		for _, name := range k.User.Groups {
			if g := a.Group(name); g != nil {
				for _, d := range g.Inline {
					docs = append(docs, d)
				}
				arns = append(arns, g.Attached...)
			}
		}
	case k.Role != nil: // a role session answers to its role's policies
		for _, d := range k.Role.Inline {
			docs = append(docs, d)
		}
		arns = append(arns, k.Role.Attached...)
	default:
		return nil // root
	}
	for _, arn := range arns {
		if p := a.Policy(arn); p != nil {
			docs = append(docs, p.Document)
		}
	}
	for _, d := range docs {
		if iamDocDenies(d, action) {
			msg := "User: " + c.Identity.ARN + " is not authorized to perform: " + action + " with an explicit deny in an identity-based policy"
			if c.Service.Protocol == ProtoEC2 {
				msg = "You are not authorized to perform this operation. " + msg
			}
			return errorf(403, accessDeniedCode(c.Service), "%s", msg)
		}
	}
	return nil
}

// iamStatement is the part of a policy statement the deny check reads.
type iamStatement struct {
	Effect    string          `json:"Effect"`
	Action    json.RawMessage `json:"Action"`
	NotAction json.RawMessage `json:"NotAction"`
	Condition json.RawMessage `json:"Condition"`
}

// iamDocDenies reports whether a policy document has an unconditional Deny statement that
// covers action. A document that does not parse denies nothing (IAM refuses to store one).
func iamDocDenies(doc, action string) bool {
	var p struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	var stmts []iamStatement
	if json.Unmarshal(p.Statement, &stmts) != nil {
		var one iamStatement
		if json.Unmarshal(p.Statement, &one) != nil {
			return false
		}
		stmts = []iamStatement{one}
	}
	for _, s := range stmts {
		if s.Effect != "Deny" || len(s.Condition) > 0 {
			continue
		}
		if len(s.Action) > 0 && iamActionMatches(s.Action, action) {
			return true
		}
		if len(s.NotAction) > 0 && !iamActionMatches(s.NotAction, action) {
			return true
		}
	}
	return false
}

// iamActionMatches matches an Action value (a string or a list) against "service:Action",
// with IAM's case-insensitive * and ? wildcards.
func iamActionMatches(raw json.RawMessage, action string) bool {
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		var one string
		if json.Unmarshal(raw, &one) != nil {
			return false
		}
		list = []string{one}
	}
	action = strings.ToLower(action)
	for _, pat := range list {
		// path.Match treats '/' specially; actions have none, and '[' is not in IAM's syntax.
		pat = strings.ToLower(strings.ReplaceAll(pat, "[", `\[`))
		if ok, _ := path.Match(pat, action); ok {
			return true
		}
	}
	return false
}
