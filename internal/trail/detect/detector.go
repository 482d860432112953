package detect

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
)

// Detector is one stateful detection: data plus the function that finds it.
type Detector struct {
	ID          string // "ag-detect-…", stable: findings and mutes refer to it
	Title       string
	TitleKo     string
	Description string
	Severity    finding.Severity
	Phase       Phase
	Tags        []string // MITRE ATT&CK
	Detect      func(s *State, b Baseline) []Alert
}

// Alert is one thing a detector found.
type Alert struct {
	Detector *Detector
	Actor    *Actor
	Time     time.Time // of the first record that shows it
	Region   string
	IP       string
	EventIDs []string
	Detail   string
	Severity finding.Severity // 0 means the detector's
}

// Baseline is the part of the data treated as normal: records up to Until.
type Baseline struct {
	Until time.Time
	// Networks names the network an IP address belongs to (key compares, label is for
	// people; "" for what is not an address), for ag-detect-new-network. Nil means the
	// address's /24 or /48 prefix; asn.DB.Network names autonomous systems.
	Networks func(ip string) (key, label string) `json:"-"`
}

// DefaultBaseline treats the first half of the data's time span as normal.
func DefaultBaseline(s *State) Baseline {
	return Baseline{Until: s.Min.Add(s.Max.Sub(s.Min) / 2)}
}

var registry []*Detector

// register adds a detector; a duplicate ID is a programming error caught by every test run.
func register(d *Detector) {
	for _, o := range registry {
		if o.ID == d.ID {
			panic(fmt.Sprintf("detect: duplicate detector %s", d.ID))
		}
	}
	registry = append(registry, d)
}

// All returns the registered detectors in ID order.
func All() []*Detector {
	out := slices.Clone(registry)
	slices.SortFunc(out, func(a, b *Detector) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Run runs every detector over s.
func Run(s *State, b Baseline) []Alert {
	var out []Alert
	for _, d := range All() {
		for _, a := range d.Detect(s, b) {
			a.Detector = d
			if a.Severity == 0 {
				a.Severity = d.Severity
			}
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(x, y Alert) int { return x.Time.Compare(y.Time) })
	return out
}

// sortedActors returns the actors in ID order, so alerts come out deterministically.
func sortedActors(s *State) []*Actor {
	out := make([]*Actor, 0, len(s.Actors))
	for _, a := range s.Actors {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *Actor) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
