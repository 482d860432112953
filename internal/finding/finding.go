// Package finding defines the one Finding type that every analyser (audit, secrets, trail,
// cost, correlate) emits and every renderer reads. It holds data only: no AWS calls, no output.
package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Severity orders findings; the zero value is Info.
type Severity int

const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity accepts the lower- or upper-case names ("high", "HIGH").
func ParseSeverity(v string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(v, n) {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want info, low, medium, high or critical)", v)
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Status is the outcome of a check. Detections (trail, secrets, cost) are always Fail.
type Status string

const (
	Fail    Status = "fail"
	Pass    Status = "pass"
	Unknown Status = "unknown" // could not be evaluated (e.g. AccessDenied); never counted as pass
	Muted   Status = "muted"   // failed, but muted by configuration with a reason
)

// Text is a message in every report language.
type Text struct {
	En string `json:"en"`
	Ko string `json:"ko,omitempty"`
}

// In returns the text in lang, falling back to English.
func (t Text) In(lang string) string {
	if lang == "ko" && t.Ko != "" {
		return t.Ko
	}
	return t.En
}

// Reference ties a finding to a standard: CIS AWS Foundations, AWS FSBP, MITRE ATT&CK, a Sigma rule.
type Reference struct {
	Standard string `json:"standard"` // e.g. "CIS AWS Foundations v7.0", "AWS FSBP", "MITRE ATT&CK"
	ID       string `json:"id"`
	URL      string `json:"url,omitempty"`
}

// Evidence points at what a finding rests on, so it can be re-read from the case folder.
type Evidence struct {
	Kind   string `json:"kind"`             // "event", "file", "snapshot", "cost", "commit"
	Ref    string `json:"ref"`              // event ID, path:line, JSON pointer into the snapshot, date
	Detail string `json:"detail,omitempty"` // one line a person can read; never a whole secret
}

// Finding is one result of an analyser.
type Finding struct {
	ID           string            `json:"id"`      // stable across runs: see StableID
	RuleID       string            `json:"rule_id"` // the check, rule or detector that produced it
	Source       string            `json:"source"`  // "audit", "secrets", "trail", "cost", "correlate"
	Title        Text              `json:"title"`
	Severity     Severity          `json:"severity"`
	Status       Status            `json:"status"`
	Account      string            `json:"account,omitempty"`
	Region       string            `json:"region,omitempty"`
	ResourceType string            `json:"resource_type,omitempty"` // e.g. "AwsIamUser", "AwsEc2Instance"
	Resource     string            `json:"resource,omitempty"`      // ARN or ID
	Principal    string            `json:"principal,omitempty"`     // ARN or access key ID of the actor
	Time         time.Time         `json:"time,omitzero"`
	Detail       Text              `json:"detail,omitzero"` // what exactly is wrong here
	Evidence     []Evidence        `json:"evidence,omitempty"`
	References   []Reference       `json:"references,omitempty"`
	Remediation  Text              `json:"remediation,omitzero"`
	Actions      []string          `json:"actions,omitempty"` // response action types that fix it
	MuteReason   string            `json:"mute_reason,omitempty"`
	Attributes   map[string]string `json:"attributes,omitempty"` // source-specific facts (rule author, confidence …)
}

// StableID derives an ID that stays the same for the same rule and object across runs.
func StableID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:8])
}

// Failing reports whether f is a failed, unmuted finding at or above min.
func (f Finding) Failing(min Severity) bool {
	return f.Status == Fail && f.Severity >= min
}

// Validate checks what every renderer relies on.
func (f Finding) Validate() error {
	switch {
	case f.ID == "":
		return fmt.Errorf("finding %s: empty id", f.RuleID)
	case f.RuleID == "":
		return fmt.Errorf("finding %s: empty rule_id", f.ID)
	case f.Title.En == "":
		return fmt.Errorf("finding %s: empty title", f.RuleID)
	}
	return nil
}

// JSON renders findings as an indented JSON array.
func JSON(fs []Finding) ([]byte, error) {
	if fs == nil {
		fs = []Finding{}
	}
	return json.MarshalIndent(fs, "", "  ")
}
