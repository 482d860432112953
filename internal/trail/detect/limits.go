package detect

import (
	"fmt"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// Limits bound what the States of one hunt keep, whatever the input: the detectors' memory
// follows these numbers, not the number of records or the time span. Normal accounts stay
// far below them (the samples and the simulated accounts by orders of magnitude); past
// them the State keeps the part that decides detection and counts the rest (see
// State.Warnings).
type Limits struct {
	// MaxActors is how many identities get a profile. Records of the others still feed
	// the account-wide regions; they are counted, and the hunt says so.
	MaxActors int
	// MaxValues is how many source IPs, and how many user agents, one identity keeps, and
	// how many regions the account keeps. A full map keeps the values first seen
	// earliest (the baseline is the early part) and counts the others.
	MaxValues int
	// MaxCalls is how many entries one identity's list of kept calls holds (persistence,
	// access denied, account discovery, enumeration minutes, launches). A full list
	// doubles the span of time its entries stand for (one minute, two, four …).
	MaxCalls int
	// MaxEntries is how many values and kept calls all States of the hunt hold together.
	// Past it a map or list that is not empty stops growing: it evicts, coarsens or counts.
	MaxEntries int
}

// DefaultLimits: at about 300 bytes an entry and 1.5 KB an identity, the States hold at
// most about 300 MB whatever the input. The samples and simulated accounts stay orders of
// magnitude below; the benchmark's replay (the same attack every 29 minutes for two weeks)
// reaches only MaxCalls, in a few lists.
var DefaultLimits = Limits{MaxActors: 100_000, MaxValues: 4096, MaxCalls: 1024, MaxEntries: 1 << 19}

// Budget is what the States of one hunt (one per reader goroutine) share: the count of
// their entries and the identities they profile. Records of one identity are read by
// several goroutines, so an identity is admitted once for all of them.
type Budget struct {
	Limits
	entries atomic.Int64 // values and calls held by every State of this budget
	full    atomic.Bool  // entries reached MaxEntries at least once

	mu     sync.Mutex
	actors map[string]struct{}
}

// NewBudget returns a budget for one hunt; zero fields of l take DefaultLimits'.
func NewBudget(l Limits) *Budget {
	d := DefaultLimits
	if l.MaxActors <= 0 {
		l.MaxActors = d.MaxActors
	}
	if l.MaxValues <= 0 {
		l.MaxValues = d.MaxValues
	}
	if l.MaxCalls <= 0 {
		l.MaxCalls = d.MaxCalls
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	return &Budget{Limits: l, actors: map[string]struct{}{}}
}

// admit reports whether the identity may have a profile, and its ID as a string.
func (b *Budget) admit(id []byte) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.actors[string(id)]; ok {
		return string(id), true
	}
	if len(b.actors) >= b.MaxActors {
		return "", false // no allocation: records of identities past the limit can be many
	}
	s := string(id)
	b.actors[s] = struct{}{}
	return s, true
}

// room reports whether a collection of size n may take one more entry under the shared
// budget: an empty one always may, so every profile keeps at least its first value.
func (b *Budget) room(n int) bool {
	if n == 0 || b.entries.Load() < int64(b.MaxEntries) {
		return true
	}
	b.full.Store(true)
	return false
}

func (b *Budget) add(n int) { b.entries.Add(int64(n)) }

// Entries is how many values and calls the States of b hold.
func (b *Budget) Entries() int { return int(b.entries.Load()) }

// Overflow counts what a bounded collection did not keep: how many calls, from about how
// many distinct values, the earliest of them.
type Overflow struct {
	Seen
	FirstValue string // the value of the earliest record not kept
	distinct   *sketch
}

// addRecord counts one record of value v.
func (o *Overflow) addRecord(v []byte, t time.Time, id, region, by []byte) {
	if o.distinct == nil {
		o.distinct = new(sketch)
	}
	o.distinct.add(v)
	if o.Seen.add(t, id, region, by) {
		o.FirstValue = string(v)
	}
}

// addValue counts an evicted value.
func (o *Overflow) addValue(v string, s *Seen) {
	if o.distinct == nil {
		o.distinct = new(sketch)
	}
	o.distinct.add([]byte(v))
	if o.Seen.merge(s) {
		o.FirstValue = v
	}
}

func (o *Overflow) merge(x *Overflow) {
	if x.Count == 0 {
		return
	}
	if o.distinct == nil {
		o.distinct = new(sketch)
	}
	o.distinct.merge(x.distinct)
	if o.Seen.merge(&x.Seen) {
		o.FirstValue = x.FirstValue
	}
}

// Distinct is about how many distinct values were not kept (±3 %, rarely 7 %).
func (o *Overflow) Distinct() int {
	if o.distinct == nil {
		return 0
	}
	return o.distinct.estimate()
}

// sketch is a HyperLogLog of 1024 registers: the number of distinct values not kept, in
// 1 KB whatever that number is. Registers merge by maximum, so States merge.
type sketch [1 << sketchBits]uint8

const sketchBits = 10

func (k *sketch) add(v []byte) {
	h := hash64(v)
	i := h >> (64 - sketchBits)
	r := uint8(bits.LeadingZeros64(h<<sketchBits|1<<(sketchBits-1))) + 1
	if r > k[i] {
		k[i] = r
	}
}

func (k *sketch) merge(o *sketch) {
	if o == nil {
		return
	}
	for i, r := range o {
		if r > k[i] {
			k[i] = r
		}
	}
}

func (k *sketch) estimate() int {
	const m = float64(len(k))
	sum, zeros := 0.0, 0
	for _, r := range k {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros)) // linear counting: exact enough for few values
	}
	return int(math.Round(e))
}

// hash64 is FNV-1a with splitmix64's finaliser: fixed, so estimates do not vary by run.
func hash64(s []byte) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}

// Warnings say where the State reached its limits, one line each; none for normal input.
func (s *State) Warnings() []string {
	var out []string
	b := s.budget
	if s.Untracked.Count > 0 {
		out = append(out, fmt.Sprintf("stateful detectors: %d records of about %d identities past the first %d were not profiled",
			s.Untracked.Count, s.Untracked.Distinct(), b.MaxActors))
	}
	var values, coarse, dropped int
	coarsest := time.Minute
	for _, a := range s.Actors {
		if a.IPsNotKept.Count > 0 || a.AgentsNotKept.Count > 0 {
			values++
		}
		for _, l := range a.lists() {
			if l.shift > 0 {
				coarse++
				coarsest = max(coarsest, l.Resolution())
			}
			dropped += l.NotKept
		}
	}
	if values > 0 {
		out = append(out, fmt.Sprintf("stateful detectors: %d identities had more source IPs or user agents than kept (%d each): the earliest seen are kept, the others counted", values, b.MaxValues))
	}
	if coarse > 0 {
		out = append(out, fmt.Sprintf("stateful detectors: %d lists of calls were kept at a coarser time resolution (up to %s) to stay within %d entries", coarse, coarsest, b.MaxCalls))
	}
	if dropped > 0 {
		out = append(out, fmt.Sprintf("stateful detectors: %d calls were not kept at all (lists full at their coarsest)", dropped))
	}
	if s.RegionsNotKept.Count > 0 {
		out = append(out, fmt.Sprintf("stateful detectors: more than %d regions: about %d not kept", b.MaxValues, s.RegionsNotKept.Distinct()))
	}
	if b.full.Load() {
		out = append(out, fmt.Sprintf("stateful detectors: the budget of %d kept values and calls was reached: profiles stopped growing", b.MaxEntries))
	}
	return out
}
