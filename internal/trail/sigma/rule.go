package sigma

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Rule is one compiled Sigma rule.
type Rule struct {
	ID             string
	Title          string
	TitleKo        string // accountguard's own rules carry a Korean title (custom field title_ko)
	Author         string // shown with every match: the Detection Rule License asks it
	Description    string
	Level          string // informational, low, medium, high, critical
	Status         string
	Date           string
	References     []string
	Tags           []string
	FalsePositives []string
	File           string // where it was loaded from
	Logsource      map[string]string

	cond         node
	eventNames   []string // lower-cased; nil means the rule may match any eventName
	eventSources []string // the same for eventSource, used when eventNames is nil
	idSlots      int32    // fieldNodes on userIdentity, numbered 1..idSlots (see fieldNode.slot)
}

// Error is a rule that could not be loaded; Feature is set when the rule is valid Sigma
// that this engine does not support.
type Error struct {
	File    string
	Rule    string // title, when it could be read
	Feature string
	Err     error
}

func (e *Error) Error() string {
	name := e.File
	if e.Rule != "" {
		name = fmt.Sprintf("%s (%s)", e.Rule, e.File)
	}
	if e.Feature != "" {
		return fmt.Sprintf("sigma rule %s: unsupported feature %s, rule skipped", name, e.Feature)
	}
	return fmt.Sprintf("sigma rule %s: %v, rule skipped", name, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// unsupported is returned by the compiler for a feature it does not implement.
type unsupported struct{ feature string }

func (u unsupported) Error() string { return "unsupported feature " + u.feature }

func errUnsupported(format string, args ...any) error {
	return unsupported{feature: fmt.Sprintf(format, args...)}
}

type ruleDoc struct {
	Title          string            `yaml:"title"`
	TitleKo        string            `yaml:"title_ko"` // a custom field, as Sigma allows
	ID             string            `yaml:"id"`
	Status         string            `yaml:"status"`
	Description    string            `yaml:"description"`
	References     []string          `yaml:"references"`
	Author         string            `yaml:"author"`
	Date           string            `yaml:"date"`
	Tags           []string          `yaml:"tags"`
	Logsource      map[string]string `yaml:"logsource"`
	Detection      yaml.Node         `yaml:"detection"`
	FalsePositives []string          `yaml:"falsepositives"`
	Level          string            `yaml:"level"`
	Correlation    *yaml.Node        `yaml:"correlation"`
}

// Parse compiles one rule document. Several documents in one file (rule collections) are
// not supported.
func Parse(file string, data []byte) (*Rule, error) {
	var doc ruleDoc
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{File: file, Err: fmt.Errorf("invalid YAML: %w", oneLine(err))}
	}
	r := &Rule{
		ID: doc.ID, Title: doc.Title, TitleKo: doc.TitleKo, Author: doc.Author, Description: strings.TrimSpace(doc.Description),
		Level: doc.Level, Status: doc.Status, Date: doc.Date, References: doc.References, Tags: doc.Tags,
		FalsePositives: doc.FalsePositives, File: file, Logsource: doc.Logsource,
	}
	fail := func(err error) (*Rule, error) {
		if u, ok := errors.AsType[unsupported](err); ok {
			return nil, &Error{File: file, Rule: r.Title, Feature: u.feature}
		}
		return nil, &Error{File: file, Rule: r.Title, Err: err}
	}
	if doc.Correlation != nil {
		return fail(errUnsupported("correlation rules"))
	}
	if r.Title == "" {
		return fail(errors.New("no title"))
	}
	if doc.Detection.Kind == 0 {
		return fail(errors.New("no detection section"))
	}
	cond, err := compileDetection(&doc.Detection)
	if err != nil {
		return fail(err)
	}
	r.cond = cond
	r.idSlots = numberIdentityNodes(cond, 0)
	if names, ok := cond.constrains("eventName"); ok {
		r.eventNames = names
	} else if srcs, ok := cond.constrains("eventSource"); ok {
		r.eventSources = srcs
	}
	return r, nil
}

func oneLine(err error) error {
	return errors.New(strings.ReplaceAll(err.Error(), "\n", "; "))
}

// LoadFS compiles every .yml/.yaml file under dir in fsys, in name order. Rules that fail
// are returned as errors (*Error) and left out; the others are returned.
func LoadFS(fsys fs.FS, dir string) ([]*Rule, []error) {
	var (
		rules []*Rule
		errs  []error
		files []string
	)
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, []error{fmt.Errorf("sigma rules in %s: %w", dir, err)}
	}
	slices.Sort(files)
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			errs = append(errs, &Error{File: f, Err: err})
			continue
		}
		r, err := Parse(path.Clean(f), data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rules = append(rules, r)
	}
	return rules, errs
}

// compileDetection builds the condition tree from a detection section.
func compileDetection(det *yaml.Node) (node, error) {
	if det.Kind != yaml.MappingNode {
		return nil, errors.New("detection is not a map")
	}
	sels := map[string]node{}
	var order []string
	var conds []string
	for i := 0; i+1 < len(det.Content); i += 2 {
		k, v := det.Content[i].Value, det.Content[i+1]
		switch k {
		case "condition":
			switch v.Kind {
			case yaml.ScalarNode:
				conds = append(conds, v.Value)
			case yaml.SequenceNode:
				for _, c := range v.Content {
					conds = append(conds, c.Value)
				}
			default:
				return nil, errors.New("condition is neither a string nor a list")
			}
		case "timeframe":
			return nil, errUnsupported("timeframe")
		default:
			n, err := compileSelection(k, v)
			if err != nil {
				return nil, err
			}
			sels[k] = n
			order = append(order, k)
		}
	}
	if len(conds) == 0 {
		return nil, errors.New("detection has no condition")
	}
	var out []node
	for _, c := range conds {
		n, err := parseCondition(c, sels, order)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return &orNode{kids: out}, nil // several conditions: any of them
}
