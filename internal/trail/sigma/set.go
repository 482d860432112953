package sigma

import (
	"maps"
	"slices"
	"strings"

	"github.com/accountguard/accountguard/internal/trail/event"
)

// Set is a compiled rule collection, evaluated together. It is safe for concurrent use;
// each goroutine evaluates with its own Matcher.
type Set struct {
	Rules    []*Rule
	byName   map[string][]int32
	bySource map[string][]int32 // rules with no eventName constraint but an eventSource one
	sources  []sourceRules      // bySource as a list, in name order, for Match
	always   []int32
	// idBase is where each rule's userIdentity tests start in a Matcher's memo (slot 0 of
	// a rule is unused: slots count from 1); idSlots is the memo's size.
	idBase  []int32
	idSlots int32
}

type sourceRules struct {
	name  string
	rules []int32
}

// NewSet indexes rules by the eventNames they can match, so an event is offered only to
// the rules that could fire on it.
func NewSet(rules []*Rule) *Set {
	s := &Set{Rules: rules, byName: map[string][]int32{}, bySource: map[string][]int32{}}
	for _, r := range rules {
		s.idBase = append(s.idBase, s.idSlots-1)
		s.idSlots += r.idSlots
	}
	for i, r := range rules {
		if r.eventNames == nil {
			if r.eventSources == nil {
				s.always = append(s.always, int32(i))
			}
			for _, src := range r.eventSources {
				s.bySource[src] = append(s.bySource[src], int32(i))
			}
			continue
		}
		for _, n := range r.eventNames {
			s.byName[n] = append(s.byName[n], int32(i))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.bySource)) {
		s.sources = append(s.sources, sourceRules{name: name, rules: s.bySource[name]})
	}
	return s
}

// Matcher evaluates a Set for one goroutine.
type Matcher struct {
	set  *Set
	c    ctx
	name []byte
	// the event and its IdentityGen for which c.memo holds
	identGen uint64
	identEv  *event.Event
}

// Matcher returns a new evaluator of s.
func (s *Set) Matcher() *Matcher {
	// epoch 1 so the zeroed entries are stale
	return &Matcher{set: s, c: ctx{memo: make([]memoEntry, s.idSlots), epoch: 1}}
}

// eval evaluates rule i against the current event.
func (m *Matcher) eval(i int32) bool {
	m.c.base = m.set.idBase[i]
	return m.set.Rules[i].cond.eval(&m.c)
}

// Match calls fn for each rule of the set that matches e, in rule order within the rules
// that need no eventName first, then those indexed by it.
func (m *Matcher) Match(e *event.Event, fn func(*Rule)) {
	m.name = lowerASCII(m.name[:0], e.Str(event.EventName))
	m.MatchIndexed(e, m.set.byName[string(m.name)], fn)
}

// Indexed returns the rules indexed under an eventName (in any case), for MatchIndexed: a
// caller that keeps them per eventName spares Match a lower-casing and a lookup per record.
func (s *Set) Indexed(eventName []byte) []int32 {
	return s.byName[string(lowerASCII(nil, eventName))]
}

// MatchIndexed is Match given Indexed(e's eventName).
func (m *Matcher) MatchIndexed(e *event.Event, byName []int32, fn func(*Rule)) {
	m.c.ev = e
	// Records come in runs by one identity: the tests on userIdentity are answered from
	// the memo until its text changes, which the event tells.
	if g := e.IdentityGen(); g != m.identGen || e != m.identEv {
		m.identGen, m.identEv = g, e
		m.c.epoch++
		if m.c.epoch == 0 { // wrapped: old entries could look current
			clear(m.c.memo)
			m.c.epoch = 1
		}
	}
	for _, i := range m.set.always {
		if m.eval(i) {
			fn(m.set.Rules[i])
		}
	}
	for _, i := range byName {
		if m.eval(i) {
			fn(m.set.Rules[i])
		}
	}
	if len(m.set.sources) > 0 {
		// A handful of sources: comparing with each beats lower-casing and hashing.
		src := e.Str(event.EventSource)
		for _, s := range m.set.sources {
			if !equalLowerASCII(src, s.name) {
				continue
			}
			for _, i := range s.rules {
				if m.eval(i) {
					fn(m.set.Rules[i])
				}
			}
		}
	}
	m.c.ev = nil
}

// equalLowerASCII reports whether lowerASCII(s) is low.
func equalLowerASCII(s []byte, low string) bool {
	if len(s) != len(low) {
		return false
	}
	for i, ch := range s {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		if ch != low[i] {
			return false
		}
	}
	return true
}

func lowerASCII(dst, s []byte) []byte {
	for _, ch := range s {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		dst = append(dst, ch)
	}
	return dst
}

// Matches reports whether the single rule r matches e (tests and one-off checks).
func (r *Rule) Matches(e *event.Event) bool {
	c := ctx{ev: e}
	if r.eventNames != nil && !containsFold(r.eventNames, string(e.Str(event.EventName))) {
		return false
	}
	if r.eventSources != nil && !containsFold(r.eventSources, string(e.Str(event.EventSource))) {
		return false
	}
	return r.cond.eval(&c)
}

func containsFold(set []string, s string) bool {
	s = strings.ToLower(s)
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}

// EventNames lists the eventNames the rule can only match (lower-cased), or nil when any.
func (r *Rule) EventNames() []string { return r.eventNames }
