package detect

import (
	"fmt"
	"time"
)

// CallList is one identity's kept calls of one kind. Calls of the same API and region in
// the same span of time are kept once (the earliest, with the count of the others), so the
// list follows the time span, not the number of records. The span starts at a minute; a
// list at its limit doubles it (two minutes, four …) and re-buckets what it holds, so its
// size stays bounded whatever the time span. Windows of the detectors (ten minutes, an hour)
// are then judged at that resolution: Resolution says it.
type CallList struct {
	Calls []Call
	idx   map[callKey]int // index into Calls
	shift uint8           // entries stand for 2^shift minutes
	// anyName: one entry per span whatever the API (the enumeration minutes)
	anyName bool
	// NotKept counts calls that found the list full at its coarsest (hostile input only).
	NotKept int
	// last is 1 + the index of the entry the last call went to, 0 for none: calls come in
	// runs of one span (and API), which again counts without a Call or a map lookup.
	last int
}

// maxShift: spans of 2^40 minutes hold any time, so past it coarsening frees nothing.
const maxShift = 40

// callKey identifies the calls kept once: span of time, API, region.
type callKey struct {
	span   int64
	name   string
	region string
}

// Resolution is the span of time one entry stands for.
func (l *CallList) Resolution() time.Duration { return time.Minute << l.shift }

// Len is how many entries the list holds.
func (l *CallList) Len() int { return len(l.Calls) }

func (l *CallList) key(t time.Time, name, region string) callKey {
	k := callKey{span: floorDiv(t.Unix(), 60) >> l.shift}
	if !l.anyName {
		k.name, k.region = name, region
	}
	return k
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// keep adds c unless a call of the same span, API and region is there already, in which
// case that one counts it and the earlier of the two stays as evidence. A list that has
// no room (its own limit or the shared budget) coarsens until one entry frees up, and
// counts c as not kept when it cannot.
func (l *CallList) keep(b *Budget, c Call) {
	if c.Count == 0 {
		c.Count = 1
	}
	if l.idx == nil {
		l.idx = map[callKey]int{}
	}
	k := l.key(c.Time, c.Name, c.Region)
	if i, ok := l.idx[k]; ok {
		fold(&l.Calls[i], c)
		l.last = i + 1
		return
	}
	if n := len(l.Calls); n >= b.MaxCalls || !b.room(n) {
		for len(l.Calls) >= n {
			if l.shift >= maxShift {
				l.NotKept += c.Count
				return
			}
			l.coarsen(b)
		}
		k = l.key(c.Time, c.Name, c.Region)
		if i, ok := l.idx[k]; ok {
			fold(&l.Calls[i], c)
			l.last = i + 1
			return
		}
	}
	l.idx[k] = len(l.Calls)
	l.Calls = append(l.Calls, c)
	l.last = len(l.Calls)
	b.add(1)
}

// entryOf returns the entry the last call went to when a call at t of API name in region
// belongs to it (its span, and API and region unless anyName), or nil: calls come in runs,
// which find their entry without a Call or a map lookup.
func (l *CallList) entryOf(t time.Time, name, region []byte) *Call {
	if l.last == 0 || l.last > len(l.Calls) {
		return nil
	}
	have := &l.Calls[l.last-1]
	if !l.anyName && (have.Name != string(name) || have.Region != string(region)) {
		return nil
	}
	if floorDiv(t.Unix(), 60)>>l.shift != floorDiv(have.Time.Unix(), 60)>>l.shift {
		return nil
	}
	return have
}

// replaces reports whether a call at t with event ID id would be kept as the evidence of
// have, the earlier (then the lower event ID) of the two: see fold.
func replaces(t time.Time, id []byte, have *Call) bool {
	return t.Before(have.Time) || (t.Equal(have.Time) && string(id) < have.ID)
}

// fold counts c into have, keeping the earlier call (then the lower event ID) as evidence.
func fold(have *Call, c Call) {
	if c.Time.Before(have.Time) || (c.Time.Equal(have.Time) && c.ID < have.ID) {
		c.Count += have.Count
		*have = c
		return
	}
	have.Count += c.Count
}

// coarsen doubles the span of the entries and merges those that now share one.
func (l *CallList) coarsen(b *Budget) {
	l.shift++
	l.last = 0
	old := l.Calls
	l.Calls = make([]Call, 0, len(old))
	clear(l.idx)
	for _, c := range old {
		k := l.key(c.Time, c.Name, c.Region)
		if i, ok := l.idx[k]; ok {
			fold(&l.Calls[i], c)
			b.add(-1)
			continue
		}
		l.idx[k] = len(l.Calls)
		l.Calls = append(l.Calls, c)
	}
}

// merge adds o's calls into l at the coarser resolution of the two.
func (l *CallList) merge(b *Budget, o *CallList) {
	for l.shift < o.shift {
		l.coarsen(b)
	}
	l.NotKept += o.NotKept
	for _, c := range o.Calls {
		b.add(-1) // o's entry is counted again if l keeps it
		l.keep(b, c)
	}
}

// at returns the entry of span k, for a list with anyName.
func (l *CallList) at(k int64) (*Call, bool) {
	i, ok := l.idx[callKey{span: k}]
	if !ok {
		return nil, false
	}
	return &l.Calls[i], true
}

// note tells, in an alert's detail, that the list's times were kept to spans longer than
// a minute.
func (l *CallList) note() string {
	if l.shift == 0 {
		return ""
	}
	return fmt.Sprintf(" (calls kept to %d-minute spans: the identity made too many to keep each minute)", 1<<l.shift)
}
