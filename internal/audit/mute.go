package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/accountguard/accountguard/internal/finding"
)

// MuteRule silences a check, a resource, or a check on a resource, for a reason, until it
// expires. Muted findings are still listed, as muted, with the reason.
type MuteRule struct {
	Check    string `yaml:"check"`    // check ID; empty: every check
	Resource string `yaml:"resource"` // ARN or ID; "*" matches any run of characters; empty: every resource
	Reason   string `yaml:"reason"`
	Expires  string `yaml:"expires"` // YYYY-MM-DD (end of that day, UTC) or RFC 3339
	expires  time.Time
	match    *regexp.Regexp
}

// Config is the audit section of accountguard.yaml:
//
//	audit:
//	  mute:
//	    - {check: iam-direct-policies, resource: "arn:aws:iam::*:user/ci-*", reason: "CI users are managed by Terraform", expires: 2027-03-31}
type Config struct {
	Mute []MuteRule `yaml:"mute"`
}

// LoadConfig reads the audit section of an accountguard.yaml. Other top-level sections
// belong to other commands and are left alone; mistakes in the audit section are errors
// naming the file and the rule.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("config %s: %s", path, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	node, ok := top["audit"]
	cfg := &Config{}
	if !ok {
		return cfg, nil
	}
	raw, err := yaml.Marshal(&node)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config %s: audit: %s", path, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	for i := range cfg.Mute {
		if err := cfg.Mute[i].compile(); err != nil {
			return nil, fmt.Errorf("config %s: audit.mute[%d]: %w", path, i, err)
		}
	}
	return cfg, nil
}

func (m *MuteRule) compile() error {
	switch {
	case m.Check == "" && m.Resource == "":
		return fmt.Errorf("names neither a check nor a resource")
	case m.Check != "" && Lookup(m.Check) == nil:
		return fmt.Errorf("unknown check %q", m.Check)
	case strings.TrimSpace(m.Reason) == "":
		return fmt.Errorf("has no reason: say why it is muted")
	case m.Expires == "":
		return fmt.Errorf("has no expires date: mutes must end (YYYY-MM-DD)")
	}
	if t, err := time.Parse("2006-01-02", m.Expires); err == nil {
		m.expires = t.Add(24*time.Hour - time.Second)
	} else if t, err := time.Parse(time.RFC3339, m.Expires); err == nil {
		m.expires = t
	} else {
		return fmt.Errorf("expires %q: want YYYY-MM-DD or RFC 3339", m.Expires)
	}
	if m.Resource != "" {
		parts := strings.Split(m.Resource, "*")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		m.match = regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
	}
	return nil
}

// Apply mutes the failing and unknown findings a live rule matches, and returns a warning
// for each rule that has expired (it no longer applies) or matched nothing.
func (c *Config) Apply(fs []finding.Finding, now time.Time) []string {
	if c == nil {
		return nil
	}
	var warnings []string
	for i := range c.Mute {
		m := &c.Mute[i]
		if m.expires.IsZero() {
			if err := m.compile(); err != nil {
				warnings = append(warnings, fmt.Sprintf("mute rule %d ignored: %v", i+1, err))
				continue
			}
		}
		what := strings.Trim(m.Check+" "+m.Resource, " ")
		if now.After(m.expires) {
			warnings = append(warnings, fmt.Sprintf("mute rule %d (%s) expired on %s: not applied", i+1, what, m.expires.Format("2006-01-02")))
			continue
		}
		hit := false
		for j := range fs {
			f := &fs[j]
			if f.Status != finding.Fail && f.Status != finding.Unknown && f.Status != finding.Muted {
				continue
			}
			if (m.Check != "" && f.RuleID != m.Check) || (m.match != nil && !m.match.MatchString(f.Resource)) {
				continue
			}
			hit = true
			if f.Status == finding.Muted {
				continue // the first matching rule gives the reason
			}
			f.Status = finding.Muted
			f.MuteReason = m.Reason + " (until " + m.expires.Format("2006-01-02") + ")"
		}
		if !hit {
			warnings = append(warnings, fmt.Sprintf("mute rule %d (%s) matched no finding", i+1, what))
		}
	}
	return warnings
}
