package awssim

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// IAM: the query protocol with XML replies in the 2010-05-08 namespace. IAM is global, so
// CloudTrail records its calls in us-east-1 whatever region the client signs for.
// The operations live in iam_users.go (users, group membership), iam_keys.go (access
// keys, login profiles, MFA), iam_policies.go (inline and managed policies, roles,
// authorization details), iam_groups.go (groups, policy lookups), iam_roles.go (role and
// customer managed policy lifecycle, tags), iam_account.go (summary, password policy,
// aliases) and iam_report.go (credential report); iam_deny.go applies users' explicit
// Deny statements to every service's calls.
func init() {
	registerService(&Service{Name: "iam", EventSource: "iam.amazonaws.com", Protocol: ProtoQuery, XMLNS: "https://iam.amazonaws.com/doc/2010-05-08/", Global: true})
}

// iamTime is the ISO 8601 form IAM replies use.
func iamTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// iamTrailTime is the form CloudTrail records IAM dates in responseElements (a Java
// toString of the date, not ISO 8601: "Oct 11, 2023, 7:19:55 PM").
func iamTrailTime(t time.Time) string {
	return t.UTC().Format("Jan 2, 2006, 3:04:05 PM")
}

// iamMembers is an IAM list: <Name><member>…</member></Name>. A named field of this type
// always writes its wrapper element, so an empty list is <Name></Name> as AWS sends it.
type iamMembers[T any] struct {
	Member []T `xml:"member"`
}

func iamMemberList[T any](items []T) iamMembers[T] { return iamMembers[T]{Member: items} }

// iamPage cuts one page of items by MaxItems (1–1000, default 100) and Marker, the way
// every IAM List* operation pages. The marker is opaque to clients; it carries the
// action so a marker from another listing is refused.
func iamPage[T any](c *Call, items []T) (out []T, truncated bool, marker string, err error) {
	maxItems, err := c.Int("MaxItems", 100)
	if err != nil {
		return nil, false, "", err
	}
	if maxItems < 1 || maxItems > 1000 {
		return nil, false, "", validationError("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", maxItems)
	}
	start := 0
	if m := c.Param("Marker"); m != "" {
		raw, derr := base64.RawURLEncoding.DecodeString(m)
		action, off, ok := strings.Cut(string(raw), ":")
		n, aerr := strconv.Atoi(off)
		if derr != nil || !ok || aerr != nil || action != c.Action || n < 0 {
			return nil, false, "", validationError("Invalid Marker: %s", m)
		}
		start = min(n, len(items))
	}
	end := min(start+maxItems, len(items))
	out = items[start:end]
	if end < len(items) {
		truncated = true
		marker = base64.RawURLEncoding.EncodeToString([]byte(c.Action + ":" + strconv.Itoa(end)))
	}
	return out, truncated, marker, nil
}

var (
	iamNamePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)
	iamPathPattern = regexp.MustCompile(`^(/|/[\x{0021}-\x{007F}]+/)$`)
)

// iamRequired returns a parameter that must be present, or AWS's validation error naming it.
func (c *Call) iamRequired(name string) (string, error) {
	v := c.Param(name)
	if v == "" {
		return "", validationError("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerCamel(name))
	}
	return v, nil
}

// iamName reads a required name parameter (UserName, GroupName, PolicyName …) and checks
// it against IAM's pattern and length limit.
func (c *Call) iamName(param string, maxLen int) (string, error) {
	v, err := c.iamRequired(param)
	if err != nil {
		return "", err
	}
	if len(v) > maxLen {
		return "", validationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", v, lowerCamel(param), maxLen)
	}
	if !iamNamePattern.MatchString(v) {
		return "", validationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", v, lowerCamel(param))
	}
	return v, nil
}

// iamPath reads an optional Path parameter ("/" when absent).
func (c *Call) iamPath() (string, error) {
	p := c.Param("Path")
	if p == "" {
		return "/", nil
	}
	if len(p) > 512 || !iamPathPattern.MatchString(p) {
		return "", validationError("1 validation error detected: Value '%s' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007F]+\\u002F)", p)
	}
	return p, nil
}

// iamUser finds the user named by param, or NoSuchEntity.
func (c *Call) iamUser(param string) (*User, error) {
	name, err := c.iamName(param, 64)
	if err != nil {
		return nil, err
	}
	u := c.Account.User(name)
	if u == nil {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	return u, nil
}

// iamUserOrCaller is the user named by UserName, or, when the parameter is absent, the caller
// (nil with root true when the caller is the root user), as IAM does for operations on
// the caller's own credentials.
func (c *Call) iamUserOrCaller() (u *User, root bool, err error) {
	if c.Has("UserName") {
		u, err = c.iamUser("UserName")
		return u, false, err
	}
	if c.Identity.Type == "Root" || c.Identity.Key == nil || c.Identity.Key.User == nil {
		return nil, true, nil
	}
	return c.Identity.Key.User, false, nil
}

func (a *Account) iamGroupARN(g *Group) string {
	return "arn:aws:iam::" + a.ID + ":group" + g.Path + g.Name
}

func (a *Account) iamRoleARN(r *Role) string {
	return "arn:aws:iam::" + a.ID + ":role" + r.Path + r.Name
}

func (a *Account) iamRootARN() string { return "arn:aws:iam::" + a.ID + ":root" }

// iamPolicyDocument checks an inline or managed policy document: JSON object with a Statement,
// within the size quota (counted without whitespace, as IAM counts).
func iamPolicyDocument(doc string, quota int, limitMsg string) error {
	var v map[string]any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return errorf(400, "MalformedPolicyDocument", "Syntax errors in policy.")
	}
	if _, ok := v["Statement"]; !ok {
		return errorf(400, "MalformedPolicyDocument", "Syntax errors in policy.")
	}
	n := 0
	for _, r := range doc {
		if r != ' ' && r != '\n' && r != '\t' && r != '\r' {
			n++
		}
	}
	if n > quota {
		return errorf(409, "LimitExceeded", "%s", limitMsg)
	}
	return nil
}

// iamUrlEncodeDoc encodes a policy document the way IAM returns documents (RFC 3986
// percent-encoding of everything but unreserved characters).
func iamUrlEncodeDoc(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(doc); i++ {
		ch := doc[i]
		switch {
		case ch >= 'A' && ch <= 'Z', ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9', ch == '-', ch == '_', ch == '.', ch == '~':
			b.WriteByte(ch)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[ch>>4])
			b.WriteByte(hex[ch&15])
		}
	}
	return b.String()
}

// iamXMLTag is an IAM tag.
type iamXMLTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

func iamTagList(tags map[string]string) *iamMembers[iamXMLTag] {
	if len(tags) == 0 {
		return nil
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	m := &iamMembers[iamXMLTag]{}
	for _, k := range keys {
		m.Member = append(m.Member, iamXMLTag{Key: k, Value: tags[k]})
	}
	return m
}

// iamTagsParam reads Tags.member.N.Key/Value.
func (c *Call) iamTagsParam() (map[string]string, error) {
	structs := c.Structs("Tags")
	if len(structs) == 0 {
		return nil, nil
	}
	if len(structs) > 50 {
		return nil, errorf(409, "LimitExceeded", "The number of tags has reached the maximum limit.")
	}
	tags := map[string]string{}
	for _, s := range structs {
		k := s.Get("Key")
		if k == "" {
			return nil, validationError("1 validation error detected: Value null at 'tags.member.key' failed to satisfy constraint: Member must not be null")
		}
		tags[k] = s.Get("Value")
	}
	return tags, nil
}

func iamBoolParam(c *Call, name string) (bool, error) {
	v := c.Param(name)
	switch v {
	case "":
		return false, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, validationError("%s: %q is not a boolean", name, v)
}

// iamKeyNotFound is NoSuchEntity for an access key ID.
func iamKeyNotFound(id string) error {
	return noSuchEntity("The Access Key with id %s cannot be found.", id)
}
