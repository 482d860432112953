package detect

import (
	"bytes"
	"slices"
	"strings"
	"time"

	"github.com/accountguard/accountguard/internal/trail/event"
)

// Obs is what detectors read from one record; the byte slices alias the record.
type Obs struct {
	Time                                                  time.Time
	EventName, EventSource, Region, IP, UA, ErrorCode, ID []byte
	Identity                                              event.Identity
	// Class is Classify(EventName) when Classed: a caller that classes each eventName once
	// hands it over so Observe does not look it up again. FromEvent clears Classed.
	Class   Class
	Classed bool
	// the event and its IdentityGen that Identity was read from: a run of records by one
	// identity reads it once
	idEv  *event.Event
	idGen uint64
	idRun uint64 // see IdentityRun
	// the identities read, by their userIdentity text: a few identities take turns, and
	// reading one costs more than finding its text
	ids     map[string]*event.Identity
	idBytes int
}

// What an Obs keeps of the identities it read (see Obs.identity).
const (
	maxIdentities    = 1024
	maxIdentityBytes = 1 << 20
)

// IdentityRun changes whenever FromEvent reads Identity anew: what a caller works out
// from Identity holds while it stays the same.
func (o *Obs) IdentityRun() uint64 { return o.idRun }

// Class is what the detectors make of an eventName (reconnaissance, persistence, launch).
type Class struct{ kind callKind }

// Classify classes an eventName.
func Classify(eventName []byte) Class { return Class{kinds[string(eventName)]} }

// FromEvent fills o from a record.
func (o *Obs) FromEvent(e *event.Event, t time.Time) {
	o.Time = t
	o.EventName = e.Str(event.EventName)
	o.EventSource = e.Str(event.EventSource)
	o.Region = e.Str(event.AWSRegion)
	o.IP = e.Str(event.SourceIPAddress)
	o.UA = e.Str(event.UserAgent)
	o.ErrorCode = e.Str(event.ErrorCode)
	o.ID = e.Str(event.EventID)
	// An equal IdentityGen of the same Event means the same identity text, which the
	// event keeps (and the slices of Identity alias) until it changes.
	if g := e.IdentityGen(); g != o.idGen || e != o.idEv {
		o.Identity = o.identity(e)
		o.idGen, o.idEv = g, e
		o.idRun++
	}
	o.Classed = false
}

// identity is e.Identity(), from o.ids when that text was read before: the identity is
// made of its text alone. What o.ids keeps is a copy, which outlives the record.
func (o *Obs) identity(e *event.Event) event.Identity {
	raw := e.Top(event.UserIdentity)
	if len(raw) == 0 {
		return e.Identity()
	}
	if id, ok := o.ids[string(raw)]; ok {
		return *id
	}
	id := e.Identity()
	fields := [...]*[]byte{&id.Type, &id.ARN, &id.AccessKeyID, &id.UserName, &id.PrincipalID, &id.AccountID, &id.InvokedBy, &id.IssuerARN}
	n := 0
	for _, f := range fields {
		n += len(*f)
	}
	if len(o.ids) >= maxIdentities || o.idBytes+len(raw)+n > maxIdentityBytes {
		return id
	}
	var own event.Identity
	owned := [...]*[]byte{&own.Type, &own.ARN, &own.AccessKeyID, &own.UserName, &own.PrincipalID, &own.AccountID, &own.InvokedBy, &own.IssuerARN}
	buf := make([]byte, 0, n)
	for i, f := range fields {
		if *f != nil {
			k := len(buf)
			buf = append(buf, *f...)
			*owned[i] = buf[k:len(buf):len(buf)] // no room: an append to one field copies
		}
	}
	if o.ids == nil {
		o.ids = map[string]*event.Identity{}
	}
	o.ids[string(raw)] = &own
	o.idBytes += len(raw) + n
	return id
}

// ActorID is how detectors and the timeline key an identity: a long-term access key
// (AKIA…) when one was used, since that is what leaks; otherwise the ARN, or the principal ID.
func ActorID(id event.Identity) []byte {
	if bytes.HasPrefix(id.AccessKeyID, []byte("AKIA")) {
		return id.AccessKeyID
	}
	if len(id.ARN) > 0 {
		return id.ARN
	}
	return id.PrincipalID
}

// Seen is when a value was first and last seen for an actor, how often, and the record
// that first showed it.
type Seen struct {
	First, Last  time.Time
	Count        int
	FirstEventID string
	FirstRegion  string
	FirstBy      string // the actor of the first record, where the map is not per actor
	key          string // the map key this Seen is stored under
	hi           int    // index in its map's eviction heap (values.go)
}

// add counts one record and reports whether it moved First earlier.
func (s *Seen) add(t time.Time, id, region, by []byte) bool {
	// t.Before(s.First) and t.After(s.Last) by the wall clock, which is the same for
	// times without a monotonic reading (those of records are parsed): Before and After
	// are calls, these are inlined, and t is read once.
	ts, tn := t.Unix(), t.Nanosecond()
	earlier := s.Count == 0
	if !earlier {
		fs := s.First.Unix()
		earlier = ts < fs || ts == fs && tn < s.First.Nanosecond()
	}
	if earlier {
		s.First, s.FirstEventID, s.FirstRegion = t, string(id), string(region)
		if by != nil {
			s.FirstBy = string(by)
		}
	}
	if ls := s.Last.Unix(); ts > ls || ts == ls && tn > s.Last.Nanosecond() {
		s.Last = t
	}
	s.Count++
	return earlier
}

// see is add(o.Time, o.ID, o.Region, by) given o.Time's Unix and Nanosecond: a record is
// added to several Seen (its identity's, its IP's, its agent's, its region's), and most
// often moves First not at all.
func (s *Seen) see(o *Obs, ts int64, tn int, by []byte) bool {
	if s.Count > 0 {
		if fs := s.First.Unix(); ts > fs || ts == fs && tn >= s.First.Nanosecond() {
			if ls := s.Last.Unix(); ts > ls || ts == ls && tn > s.Last.Nanosecond() {
				s.Last = o.Time
			}
			s.Count++
			return false
		}
	}
	return s.add(o.Time, o.ID, o.Region, by)
}

// merge adds o and reports whether it moved First earlier.
func (s *Seen) merge(o *Seen) bool {
	if o.Count == 0 {
		return false
	}
	earlier := s.Count == 0 || o.First.Before(s.First)
	if earlier {
		s.First, s.FirstEventID, s.FirstRegion, s.FirstBy = o.First, o.FirstEventID, o.FirstRegion, o.FirstBy
	}
	if o.Last.After(s.Last) {
		s.Last = o.Last
	}
	s.Count += o.Count
	return earlier
}

// Call is one kept record: persistence calls, launches, access-denied errors.
type Call struct {
	Time     time.Time
	Name     string
	ID       string
	Region   string
	IP       string
	Actor    string
	Error    string
	Resource string // what was asked for, when it matters (instance type …)
	// Count is how many calls this one stands for: calls of the same API in the same
	// span of time (a minute, more when the list is full) and region by the same identity
	// are kept once, so memory follows the time span, not the number of records.
	Count int
}

// Actor is everything the detectors keep about one identity.
type Actor struct {
	ID       string // see ActorID
	ARN      string
	KeyID    string
	UserName string
	Type     string
	Seen
	IPs    map[string]*Seen
	Agents map[string]*Seen // by user-agent product ("aws-cli", "Boto3" …)
	// what a full IPs or Agents map did not keep (Limits.MaxValues)
	IPsNotKept, AgentsNotKept Overflow
	ipsB, agentsB             bound
	// the last IP and agent seen, so a run of calls from one place costs no map lookup
	lastIP, lastUA   string
	lastIPS, lastUAS *Seen
	// Recon, Persist and Discovery are kept for long-term keys (AKIA…) only: the detectors
	// that read them judge only those, and role sessions are many.
	Recon     CallList // the enumeration calls: one entry per span, whatever the API
	Persist   CallList
	Discovery CallList // account-discovery calls (enumeration.go), failed ones too
	Denied    CallList
	Launches  CallList
	longTerm  bool // ID is an AKIA key
}

// lists are the actor's lists of kept calls.
func (a *Actor) lists() []*CallList {
	return []*CallList{&a.Recon, &a.Persist, &a.Denied, &a.Discovery, &a.Launches}
}

// State is one reader goroutine's fold of the records it saw; Merge combines them. What it
// keeps is bounded by its Budget's Limits, whatever the input.
type State struct {
	Min, Max time.Time
	Actors   map[string]*Actor
	Regions  map[string]*Seen // first successful regional activity, account-wide
	// RegionsNotKept: regions past Limits.MaxValues (forged input only)
	RegionsNotKept Overflow
	// Untracked counts the records of identities past Limits.MaxActors (Distinct: about
	// how many identities).
	Untracked Overflow
	regionsB  bound
	budget    *Budget
	strs      map[string]string

	lastSource  []byte // the last eventSource, and whether it is a global service
	lastGlobal  bool
	lastRegion  string
	lastRegionS *Seen
	lastActor   *Actor
	// the Obs, its IdentityRun, ActorID and Actor of the last record with a profile: the
	// records of that run are the same identity, found without ActorID or a compare
	runObs   *Obs
	runID    uint64
	runAid   []byte
	runActor *Actor
	// the last user agent and its UAProduct; the last error code and whether it is a denial
	lastUA, lastUAProd []byte
	lastErr            []byte
	lastDenied         bool
	denials            map[string]bool // isDenied of the error codes seen (a few hundred at most)
}

// NewState returns an empty State with a budget of its own and DefaultLimits.
func NewState() *State { return NewStateWith(NewBudget(DefaultLimits)) }

// NewStateWith returns an empty State that shares b with the other States of one hunt.
func NewStateWith(b *Budget) *State {
	return &State{Actors: map[string]*Actor{}, Regions: map[string]*Seen{}, budget: b, strs: map[string]string{}}
}

// Budget is what s shares with the other States of its hunt.
func (s *State) Budget() *Budget { return s.budget }

// globalSource reports whether eventSource is a service whose records carry us-east-1
// (or the caller's region) whatever region the account uses, so they say nothing about
// regions in use. A switch, not a map: no hash of the name.
func globalSource(eventSource []byte) bool {
	switch string(eventSource) {
	case "iam.amazonaws.com", "sts.amazonaws.com", "signin.amazonaws.com",
		"organizations.amazonaws.com", "route53.amazonaws.com", "cloudfront.amazonaws.com",
		"support.amazonaws.com", "health.amazonaws.com", "ce.amazonaws.com", "budgets.amazonaws.com",
		"account.amazonaws.com", "billingconsole.amazonaws.com", "sso.amazonaws.com", "notifications.amazonaws.com",
		"servicequotas.amazonaws.com", "trustedadvisor.amazonaws.com", "s3.amazonaws.com":
		return true
	}
	return false
}

var launchCalls = set("RunInstances", "RequestSpotInstances", "RequestSpotFleet", "CreateFleet", "CreateAutoScalingGroup")

// Observe folds one record into s.
func (s *State) Observe(o *Obs) {
	t := o.Time
	if t.IsZero() {
		return
	}
	// t.Before(s.Min), t.After(s.Max) inlined, by the wall clock (see Seen.add)
	ts, tn := t.Unix(), t.Nanosecond()
	if ms := s.Min.Unix(); s.Min.IsZero() || ts < ms || ts == ms && tn < s.Min.Nanosecond() {
		s.Min = t
	}
	if ms := s.Max.Unix(); ts > ms || ts == ms && tn > s.Max.Nanosecond() {
		s.Max = t
	}
	var (
		aid []byte
		a   *Actor
	)
	if o.idRun != 0 && o == s.runObs && o.idRun == s.runID {
		aid, a = s.runAid, s.runActor // the identity of the last record
	} else {
		aid = ActorID(o.Identity)
		if len(aid) == 0 {
			return // AWS services acting on their own
		}
		// Records come in runs by one identity: the last actor spares a map lookup.
		a = s.lastActor
		if a == nil || a.ID != string(aid) {
			a = s.Actors[string(aid)]
		}
		if a == nil {
			if id, ok := s.budget.admit(aid); ok {
				a = &Actor{
					ID: id, ARN: string(o.Identity.ARN), KeyID: string(o.Identity.AccessKeyID),
					UserName: string(o.Identity.UserName), Type: string(o.Identity.Type),
					IPs: map[string]*Seen{}, Agents: map[string]*Seen{},
				}
				a.Recon.anyName = true
				a.longTerm = strings.HasPrefix(a.ID, "AKIA")
				s.Actors[a.ID] = a
			}
		}
		s.runObs = nil
		if a != nil && o.idRun != 0 {
			s.runObs, s.runID, s.runAid, s.runActor = o, o.idRun, aid, a
		}
	}
	failed := len(o.ErrorCode) > 0
	internal := len(o.Identity.InvokedBy) > 0 || bytes.Equal(o.IP, []byte("AWS Internal")) || bytes.HasSuffix(o.IP, []byte(".amazonaws.com"))
	if a != nil {
		s.lastActor = a
		s.observeActor(a, o, ts, tn, failed, internal)
	} else {
		// past MaxActors: counted, and the account's regions still learn from it
		s.Untracked.addRecord(aid, t, o.ID, o.Region, nil)
	}
	if failed {
		return
	}
	if !bytes.Equal(o.EventSource, s.lastSource) { // runs of one service are common
		s.lastSource = append(s.lastSource[:0], o.EventSource...)
		s.lastGlobal = globalSource(o.EventSource)
	}
	if len(o.Region) > 0 && !internal && !s.lastGlobal {
		if r := s.lastRegionS; r != nil && s.lastRegion == string(o.Region) {
			if r.see(o, ts, tn, aid) && s.regionsB.on {
				s.regionsB.fix(r.hi)
			}
		} else if r := s.regionsB.add(nil, s.budget.MaxValues, s.Regions, &s.RegionsNotKept, o.Region, t, o.ID, o.Region, aid); r != nil {
			s.lastRegion, s.lastRegionS = r.key, r
		}
	}
}

// observeActor folds one record into the profile of its identity.
func (s *State) observeActor(a *Actor, o *Obs, ts int64, tn int, failed, internal bool) {
	t, b := o.Time, s.budget
	a.see(o, ts, tn, nil)
	if !internal {
		if a.lastIPS != nil && a.lastIP == string(o.IP) {
			if a.lastIPS.see(o, ts, tn, nil) && a.ipsB.on {
				a.ipsB.fix(a.lastIPS.hi)
			}
		} else if v := a.ipsB.add(b, b.MaxValues, a.IPs, &a.IPsNotKept, o.IP, t, o.ID, o.Region, nil); v != nil {
			a.lastIP, a.lastIPS = v.key, v
		}
		if !bytes.Equal(o.UA, s.lastUA) { // one agent makes many records in a row
			s.lastUA = append(s.lastUA[:0], o.UA...)
			s.lastUAProd = UAProduct(s.lastUA)
		}
		ua := s.lastUAProd
		if a.lastUAS != nil && a.lastUA == string(ua) {
			if a.lastUAS.see(o, ts, tn, nil) && a.agentsB.on {
				a.agentsB.fix(a.lastUAS.hi)
			}
		} else if v := a.agentsB.add(b, b.MaxValues, a.Agents, &a.AgentsNotKept, ua, t, o.ID, o.Region, nil); v != nil {
			a.lastUA, a.lastUAS = v.key, v
		}
	}
	kind := o.Class.kind
	if !o.Classed {
		kind = kinds[string(o.EventName)]
	}
	if kind == kindDiscovery && a.longTerm { // an attempt counts: a stolen key is tried whether or not it may
		s.keep(&a.Discovery, o, a)
	}
	if failed {
		if !bytes.Equal(o.ErrorCode, s.lastErr) {
			s.lastErr = append(s.lastErr[:0], o.ErrorCode...)
			s.lastDenied = s.denied(o.ErrorCode)
		}
		if s.lastDenied {
			s.keep(&a.Denied, o, a)
		}
		return
	}
	switch kind {
	case kindRecon, kindDiscovery:
		if a.longTerm {
			if have := a.Recon.entryOf(t, nil, nil); have == nil {
				a.Recon.keep(b, Call{Time: t, Name: s.intern(o.EventName), ID: string(o.ID), Actor: a.ID})
			} else if !replaces(t, o.ID, have) {
				have.Count++
			} else {
				fold(have, Call{Time: t, Name: s.intern(o.EventName), ID: string(o.ID), Actor: a.ID, Count: 1})
			}
		}
	case kindPersistence:
		if a.longTerm {
			s.keep(&a.Persist, o, a)
		}
	case kindLaunch:
		s.keep(&a.Launches, o, a)
	}
}

// keep adds the record's call to l.
func (s *State) keep(l *CallList, o *Obs, a *Actor) {
	have := l.entryOf(o.Time, o.EventName, o.Region)
	switch {
	case have == nil:
		l.keep(s.budget, s.call(o, a))
	case !replaces(o.Time, o.ID, have):
		have.Count++
	default: // the call is the entry's evidence now: its API and region are the entry's
		c := Call{Time: o.Time, Name: have.Name, ID: string(o.ID), Region: have.Region, IP: have.IP,
			Actor: a.ID, Error: have.Error, Count: 1}
		if c.IP != string(o.IP) {
			c.IP = s.intern(o.IP)
		}
		if c.Error != string(o.ErrorCode) {
			c.Error = s.intern(o.ErrorCode)
		}
		fold(have, c)
	}
}

type callKind uint8

const (
	kindNone callKind = iota
	kindRecon
	kindPersistence
	kindLaunch
	kindDenied
	kindDiscovery // a recon call that is also an account-discovery call
)

// kinds classifies eventNames in one map lookup per record.
var kinds = func() map[string]callKind {
	m := map[string]callKind{}
	for n := range launchCalls {
		m[n] = kindLaunch
	}
	for n := range persistence {
		m[n] = kindPersistence
	}
	for n := range recon {
		m[n] = kindRecon
	}
	for n := range discovery {
		m[n] = kindDiscovery
	}
	return m
}()

func (s *State) call(o *Obs, a *Actor) Call {
	return Call{Time: o.Time, Name: s.intern(o.EventName), ID: string(o.ID), Region: s.intern(o.Region),
		IP: s.intern(o.IP), Actor: a.ID, Error: s.intern(o.ErrorCode)}
}

// intern returns one shared copy of a repeated value (API names, regions, IPs, error
// codes), so kept calls cost their event ID and little else.
func (s *State) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if v, ok := s.strs[string(b)]; ok {
		return v
	}
	v := string(b)
	if len(s.strs) < 1<<16 { // bounded: a flood of distinct values is not kept twice
		s.strs[v] = v
	}
	return v
}

// denied is isDenied(code), remembered for the first maxDenials codes.
func (s *State) denied(code []byte) bool {
	if d, ok := s.denials[string(code)]; ok {
		return d
	}
	d := isDenied(code)
	if len(s.denials) < maxDenials {
		if s.denials == nil {
			s.denials = map[string]bool{}
		}
		s.denials[string(code)] = d
	}
	return d
}

const maxDenials = 256

func isDenied(code []byte) bool {
	return bytes.Contains(code, []byte("AccessDenied")) || bytes.Contains(code, []byte("UnauthorizedOperation")) ||
		bytes.Equal(code, []byte("AuthorizationError")) || bytes.Contains(code, []byte("UnauthorizedAccess"))
}

// UAProduct is the first product token of a user agent ("aws-cli/2.15.0 Python/…" →
// "aws-cli"), so version bumps of the same tool do not look new.
func UAProduct(ua []byte) []byte {
	ua = bytes.TrimSpace(ua)
	// a loop, not bytes.IndexAny: the product ends a few bytes in, before IndexAny has
	// built its set
	for i, c := range ua {
		if c == '/' || c == ' ' || c == '[' {
			if i > 0 {
				return ua[:i]
			}
			break
		}
	}
	return ua
}

// Merge adds o into s; o must not be used afterwards. Lists and maps are merged within
// s's limits: a list coarsens to the coarser resolution of the two.
func (s *State) Merge(o *State) {
	b := s.budget
	if o.budget != b {
		s.adopt(o)
	}
	if !o.Min.IsZero() && (s.Min.IsZero() || o.Min.Before(s.Min)) {
		s.Min = o.Min
	}
	if o.Max.After(s.Max) {
		s.Max = o.Max
	}
	for _, id := range sortedKeys(o.Actors) { // sorted: what a full budget keeps does not depend on map order
		oa := o.Actors[id]
		a := s.Actors[id]
		if a == nil {
			s.Actors[id] = oa
			continue
		}
		a.Seen.merge(&oa.Seen)
		a.lastIPS, a.lastUAS = nil, nil // a merge may evict them
		a.ipsB.merge(b, b.MaxValues, a.IPs, &a.IPsNotKept, oa.IPs, &oa.IPsNotKept)
		a.agentsB.merge(b, b.MaxValues, a.Agents, &a.AgentsNotKept, oa.Agents, &oa.AgentsNotKept)
		al, ol := a.lists(), oa.lists()
		for i := range al {
			al[i].merge(b, ol[i])
		}
	}
	s.regionsB.merge(nil, b.MaxValues, s.Regions, &s.RegionsNotKept, o.Regions, &o.RegionsNotKept)
	s.Untracked.merge(&o.Untracked)
	s.lastActor, s.lastRegionS = nil, nil
	s.runObs, s.runActor = nil, nil
}

// adopt moves o's entries and identities to s's budget, for States made apart (tests,
// a baseline read on its own): an identity s's budget has no room for is counted.
func (s *State) adopt(o *State) {
	b := s.budget
	for id, oa := range o.Actors {
		n := len(oa.IPs) + len(oa.Agents)
		for _, l := range oa.lists() {
			n += l.Len()
		}
		if _, mine := s.Actors[id]; mine {
			b.add(n)
			continue
		}
		if _, ok := b.admit([]byte(id)); ok {
			b.add(n)
			continue
		}
		delete(o.Actors, id)
		o.Untracked.addValue(id, &oa.Seen)
	}
	o.budget = b
}

// sortedCalls returns calls ordered by time, then event ID, so results do not depend on
// read order; a copy, so the list's index stays right.
func sortedCalls(cs []Call) []Call {
	cs = slices.Clone(cs)
	sortCalls(cs)
	return cs
}

// sortCalls orders calls by time, then event ID.
func sortCalls(cs []Call) {
	slices.SortFunc(cs, func(a, b Call) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
}
