package trail

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/trail/detect"
	"github.com/accountguard/accountguard/internal/trail/event"
)

// Suspect is an identity the hunt ties to the attacker.
type Suspect struct {
	Actor string `json:"actor"` // access key ID or ARN
	ARN   string `json:"arn,omitempty"`
	KeyID string `json:"access_key,omitempty"`
	// Compromised: a pre-existing identity used by the attacker; only its calls from
	// sources it did not use in the baseline are the attacker's. Otherwise the attacker
	// created it and everything it did is the attacker's.
	Compromised bool     `json:"compromised"`
	NormalIPs   []string `json:"normal_ips,omitempty"`
	Reasons     []string `json:"reasons"` // rule or detector IDs
}

// attackerSeverity is the least severity of a finding that marks its actor as the attacker.
const attackerSeverity = finding.High

// Suspects returns the identities behind high or critical findings, and everything they
// created that can act (users, access keys, console passwords), in a stable order.
func (r *Result) Suspects() []Suspect {
	byActor := map[string]*Suspect{}
	add := func(actor, arn, key, reason string) *Suspect {
		if actor == "" || strings.HasPrefix(actor, "AWS") { // AWS itself (awsActor)
			return &Suspect{} // AWS acting on its own (a quarantine policy): not an attacker
		}
		s := byActor[actor]
		if s == nil {
			s = &Suspect{Actor: actor, ARN: arn, KeyID: key}
			byActor[actor] = s
		}
		if !slices.Contains(s.Reasons, reason) {
			s.Reasons = append(s.Reasons, reason)
		}
		return s
	}
	for _, m := range r.Matches {
		if levelSeverity(m.Rule.Level) >= attackerSeverity {
			add(m.Actor, m.ARN, m.KeyID, RuleName(m.Rule))
		}
	}
	for _, a := range r.Alerts {
		if a.Severity >= attackerSeverity && a.Actor != nil {
			add(a.Actor.ID, a.Actor.ARN, a.Actor.KeyID, a.Detector.ID)
		}
	}
	seeds := make([]string, 0, len(byActor))
	for id := range byActor {
		seeds = append(seeds, id)
	}
	created, _ := r.Created.By(seeds...)
	madeByAttacker := map[string]bool{}
	for _, c := range created {
		switch c.Type {
		case "access-key":
			s := add(c.ID, userARN(c.Principal, c.Owner), c.ID, "created by "+c.Actor)
			madeByAttacker[s.Actor] = true
		case "iam-user":
			arn := userARN(c.Principal, c.ID)
			add(arn, arn, "", "created by "+c.Actor)
			madeByAttacker[arn] = true
		}
	}
	// A suspect that existed and worked normally before the attack is compromised, not made.
	var out []Suspect
	for _, s := range byActor {
		if a := r.State.Actors[s.Actor]; a != nil && !madeByAttacker[s.Actor] {
			for ip, seen := range a.IPs {
				if !seen.First.After(r.Baseline.Until) {
					s.NormalIPs = append(s.NormalIPs, ip)
				}
			}
			slices.Sort(s.NormalIPs)
			s.Compromised = len(s.NormalIPs) > 0
		}
		// An identity whose every finding is from normal sources is not the attacker.
		if s.Compromised && !r.hasAbnormalSource(s) {
			continue
		}
		slices.Sort(s.Reasons)
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Suspect) int { return strings.Compare(a.Actor, b.Actor) })
	return out
}

// hasAbnormalSource reports whether the actor made any call from a source outside its baseline.
func (r *Result) hasAbnormalSource(s *Suspect) bool {
	a := r.State.Actors[s.Actor]
	if a == nil {
		return false
	}
	for ip := range a.IPs {
		if !slices.Contains(s.NormalIPs, ip) {
			return true
		}
	}
	return false
}

// Entry is one record in a timeline or an activity listing.
type Entry struct {
	Time      time.Time    `json:"time"`
	EventName string       `json:"event_name"`
	Source    string       `json:"event_source"`
	Region    string       `json:"region"`
	IP        string       `json:"source_ip"`
	UserAgent string       `json:"user_agent"`
	EventID   string       `json:"event_id"`
	Error     string       `json:"error_code,omitempty"`
	Actor     string       `json:"actor"`
	ARN       string       `json:"arn,omitempty"`
	KeyID     string       `json:"access_key,omitempty"`
	Phase     detect.Phase `json:"phase"`
}

// Selector picks the records Collect keeps; it gets the actor ID and identity.
type Selector func(actor []byte, id *event.Identity, ip []byte) bool

// Collect reads srcs again and returns the records sel picks, sorted by eventTime.
func Collect(ctx context.Context, srcs []Source, opt ReadOptions, sel Selector) ([]Entry, Stats, []error) {
	var (
		mu  sync.Mutex
		out []Entry
	)
	st, errs := Read(ctx, srcs, opt, func(_ int, ev *event.Event) {
		id := ev.Identity()
		actor := detect.ActorID(id)
		ip := ev.Str(event.SourceIPAddress)
		if !sel(actor, &id, ip) {
			return
		}
		t, _ := ParseTime(ev.Str(event.EventTime))
		name := string(ev.Str(event.EventName))
		e := Entry{
			Time: t, EventName: name, Source: string(ev.Str(event.EventSource)), Region: string(ev.Str(event.AWSRegion)),
			IP: string(ip), UserAgent: string(ev.Str(event.UserAgent)), EventID: string(ev.Str(event.EventID)),
			Error: string(ev.Str(event.ErrorCode)), Actor: string(actor), ARN: string(id.ARN), KeyID: string(id.AccessKeyID),
			Phase: detect.PhaseOf(name),
		}
		mu.Lock()
		out = append(out, e)
		mu.Unlock()
	})
	SortEntries(out)
	return out, st, errs
}

// SortEntries orders entries by eventTime, then event ID.
func SortEntries(es []Entry) {
	slices.SortFunc(es, func(a, b Entry) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.EventID, b.EventID)
	})
}

// AttackerSelector picks the suspects' records: all of an attacker-made identity's, and a
// compromised one's only from sources outside its baseline.
func AttackerSelector(sus []Suspect) Selector {
	by := map[string]*Suspect{}
	for i := range sus {
		by[sus[i].Actor] = &sus[i]
	}
	return func(actor []byte, _ *event.Identity, ip []byte) bool {
		s := by[string(actor)]
		if s == nil {
			return false
		}
		return !s.Compromised || !slices.Contains(s.NormalIPs, string(ip))
	}
}

// Group is one principal's activity in one phase.
type Group struct {
	Actor      string       `json:"actor"`
	ARN        string       `json:"arn,omitempty"`
	Phase      detect.Phase `json:"phase"`
	First      time.Time    `json:"first_seen"`
	Last       time.Time    `json:"last_seen"`
	Count      int          `json:"count"`
	IPs        []string     `json:"source_ips"`
	UserAgents []string     `json:"user_agents"`
	Regions    []string     `json:"regions"`
	Events     []Entry      `json:"events"`
}

var phaseOrder = map[detect.Phase]int{detect.Enumeration: 0, detect.Persistence: 1, detect.Evasion: 2, detect.Impact: 3, detect.Other: 4}

// Timeline groups entries by principal and phase; principals come in the order of their
// first activity, and each principal's groups in the order of theirs.
func Timeline(es []Entry) []Group {
	type key struct {
		actor string
		phase detect.Phase
	}
	groups := map[key]*Group{}
	for _, e := range es {
		k := key{e.Actor, e.Phase}
		g := groups[k]
		if g == nil {
			g = &Group{Actor: e.Actor, ARN: e.ARN, Phase: e.Phase, First: e.Time}
			groups[k] = g
		}
		g.Count++
		if e.Time.Before(g.First) {
			g.First = e.Time
		}
		if e.Time.After(g.Last) {
			g.Last = e.Time
		}
		addSmall(&g.IPs, []byte(e.IP), 50)
		addSmall(&g.UserAgents, []byte(e.UserAgent), 20)
		addSmall(&g.Regions, []byte(e.Region), 40)
		g.Events = append(g.Events, e)
	}
	out := make([]Group, 0, len(groups))
	for _, g := range groups {
		SortEntries(g.Events)
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Group) int {
		if a.Actor != b.Actor {
			// principals in order of their first activity
			fa, fb := firstOf(out, a.Actor), firstOf(out, b.Actor)
			if c := fa.Compare(fb); c != 0 {
				return c
			}
			return strings.Compare(a.Actor, b.Actor)
		}
		if c := a.First.Compare(b.First); c != 0 {
			return c
		}
		return phaseOrder[a.Phase] - phaseOrder[b.Phase]
	})
	return out
}

func firstOf(gs []Group, actor string) time.Time {
	var t time.Time
	for _, g := range gs {
		if g.Actor == actor && (t.IsZero() || g.First.Before(t)) {
			t = g.First
		}
	}
	return t
}
