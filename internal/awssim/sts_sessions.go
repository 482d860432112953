package awssim

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"
)

// STS temporary credentials: GetSessionToken for IAM users and root, AssumeRole for roles
// whose trust policy names the caller. The credentials are access keys with a session token
// and an expiry; requests signed with them must carry the token (X-Amz-Security-Token).

func init() {
	register("sts", "GetSessionToken", stsGetSessionToken)
	register("sts", "AssumeRole", stsAssumeRole)
}

type xmlCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type xmlSessionToken struct {
	Credentials xmlCredentials `xml:"Credentials"`
}

type xmlAssumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

type xmlAssumeRole struct {
	Credentials     xmlCredentials     `xml:"Credentials"`
	AssumedRoleUser xmlAssumedRoleUser `xml:"AssumedRoleUser"`
}

// duration reads DurationSeconds within [min, max], or def when absent.
func (c *Call) duration(def, lo, hi int) (time.Duration, error) {
	n, err := c.Int("DurationSeconds", def)
	if err != nil {
		return 0, err
	}
	if n < lo || n > hi {
		return 0, validationError("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between %d and %d", n, lo, hi)
	}
	return time.Duration(n) * time.Second, nil
}

// newSession makes temporary credentials valid for d.
func (c *Call) newSession(d time.Duration) *AccessKey {
	w := c.srv.w
	k := &AccessKey{ID: w.newAccessKeyID("ASIA", c.Account.ID), Secret: w.newSecret(), Status: "Active", Created: c.Now,
		SessionToken: "IQoJb3JpZ2luX2VjE" + w.randUpper(64) + w.newSecret(), Expires: c.Now.Add(d)}
	c.Account.addKey(k)
	return k
}

func credentialsXML(k *AccessKey) xmlCredentials {
	return xmlCredentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret, SessionToken: k.SessionToken, Expiration: k.Expires.UTC().Format(time.RFC3339)}
}

func stsGetSessionToken(c *Call) (any, error) {
	caller := c.Identity.Key
	if caller != nil && caller.SessionToken != "" {
		return nil, errorf(403, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	}
	hi := 129600
	if caller == nil || caller.User == nil {
		hi = 3600 // root sessions last at most an hour
	}
	d, err := c.duration(43200, 900, hi)
	if err != nil {
		return nil, err
	}
	k := c.newSession(d)
	if caller != nil {
		k.User = caller.User
	}
	c.TrailResponse = map[string]any{"credentials": map[string]string{"accessKeyId": k.ID, "expiration": k.Expires.UTC().Format("Jan 2, 2006, 3:04:05 PM")}}
	c.created("access-key", k.ID)
	return xmlSessionToken{Credentials: credentialsXML(k)}, nil
}

var sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

func stsAssumeRole(c *Call) (any, error) {
	arn, name := c.Param("RoleArn"), c.Param("RoleSessionName")
	if arn == "" || name == "" {
		return nil, validationError("RoleArn and RoleSessionName are required")
	}
	if !sessionNameRE.MatchString(name) {
		return nil, validationError("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", name)
	}
	denied := errorf(403, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.Identity.ARN, arn)
	var role *Role
	for _, r := range c.Account.Roles {
		if c.Account.roleARN(r) == arn {
			role = r
		}
	}
	if role == nil || !trustAllows(role.AssumeRolePolicy, c.Account.ID, c.Identity.ARN) {
		return nil, denied // AWS does not tell a missing role from one that does not trust you
	}
	d, err := c.duration(3600, 900, 43200)
	if err != nil {
		return nil, err
	}
	k := c.newSession(d)
	k.Role, k.SessionName = role, name
	role.LastUsed, role.LastUsedRegion = c.Now, c.recordRegion()
	id := c.Account.identityOf(k)
	c.TrailResponse = map[string]any{
		"credentials":     map[string]string{"accessKeyId": k.ID, "expiration": k.Expires.UTC().Format("Jan 2, 2006, 3:04:05 PM")},
		"assumedRoleUser": map[string]string{"assumedRoleId": id.PrincipalID, "arn": id.ARN},
	}
	c.created("role-session", k.ID)
	return xmlAssumeRole{Credentials: credentialsXML(k), AssumedRoleUser: xmlAssumedRoleUser{AssumedRoleID: id.PrincipalID, Arn: id.ARN}}, nil
}

// trustAllows reports whether a role's trust policy lets the caller assume it: an Allow of
// sts:AssumeRole whose AWS principal is "*", the caller's ARN, the account's root or its ID.
// Conditions are not evaluated.
func trustAllows(doc, account, caller string) bool {
	var pol struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &pol) != nil {
		return false
	}
	var stmts []map[string]any
	if json.Unmarshal(pol.Statement, &stmts) != nil {
		var one map[string]any
		if json.Unmarshal(pol.Statement, &one) != nil {
			return false
		}
		stmts = []map[string]any{one}
	}
	for _, st := range stmts {
		if st["Effect"] != "Allow" || !slices.Contains(stringsOf(st["Action"]), "sts:AssumeRole") {
			continue
		}
		var aws []string
		switch p := st["Principal"].(type) {
		case string:
			aws = []string{p}
		case map[string]any:
			aws = stringsOf(p["AWS"])
		}
		for _, pr := range aws {
			if pr == "*" || pr == caller || pr == account || pr == "arn:aws:iam::"+account+":root" {
				return true
			}
		}
	}
	return false
}

func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, strings.TrimSpace(s))
			}
		}
		return out
	}
	return nil
}
