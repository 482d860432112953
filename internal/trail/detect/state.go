package detect

import (
	"bytes"
	"slices"
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
}

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
	o.Identity = e.Identity()
	o.Classed = false
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
}

func (s *Seen) add(t time.Time, id, region, by []byte) {
	if s.Count == 0 || t.Before(s.First) {
		s.First, s.FirstEventID, s.FirstRegion = t, string(id), string(region)
		if by != nil {
			s.FirstBy = string(by)
		}
	}
	if t.After(s.Last) {
		s.Last = t
	}
	s.Count++
}

func (s *Seen) merge(o *Seen) {
	if o.Count == 0 {
		return
	}
	if s.Count == 0 || o.First.Before(s.First) {
		s.First, s.FirstEventID, s.FirstRegion, s.FirstBy = o.First, o.FirstEventID, o.FirstRegion, o.FirstBy
	}
	if o.Last.After(s.Last) {
		s.Last = o.Last
	}
	s.Count += o.Count
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
	// minute and region by the same identity are kept once, so memory follows the time
	// span, not the number of records.
	Count int
}

// callKey identifies the calls kept once: kind of list, minute, API, region.
type callKey struct {
	kind   callKind
	minute int64
	name   string
	region string
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
	// the last IP and agent seen, so a run of calls from one place costs no map lookup
	lastIP, lastUA   string
	lastIPS, lastUAS *Seen
	Recon            map[int64]string // minute → an enumeration call made in it
	Persist          []Call
	Denied           []Call
	Discovery        []Call          // account-discovery calls (enumeration.go), failed ones too
	calls            map[callKey]int // index into Persist, Denied or Discovery
}

// State is one reader goroutine's fold of the records it saw; Merge combines them.
type State struct {
	Min, Max time.Time
	Actors   map[string]*Actor
	Regions  map[string]*Seen // first successful regional activity, account-wide
	Launches []Call
	launches map[callKey]int // index into Launches
	strs     map[string]string

	lastRegion  string
	lastRegionS *Seen
	lastActor   *Actor
}

// NewState returns an empty State.
func NewState() *State {
	return &State{Actors: map[string]*Actor{}, Regions: map[string]*Seen{}, launches: map[callKey]int{}, strs: map[string]string{}}
}

// globalSources are services whose records carry us-east-1 (or the caller's region)
// whatever region the account uses, so they say nothing about regions in use.
var globalSources = set("iam.amazonaws.com", "sts.amazonaws.com", "signin.amazonaws.com",
	"organizations.amazonaws.com", "route53.amazonaws.com", "cloudfront.amazonaws.com",
	"support.amazonaws.com", "health.amazonaws.com", "ce.amazonaws.com", "budgets.amazonaws.com",
	"account.amazonaws.com", "billingconsole.amazonaws.com", "sso.amazonaws.com", "notifications.amazonaws.com",
	"servicequotas.amazonaws.com", "trustedadvisor.amazonaws.com", "s3.amazonaws.com")

var launchCalls = set("RunInstances", "RequestSpotInstances", "RequestSpotFleet", "CreateFleet", "CreateAutoScalingGroup")

// Observe folds one record into s.
func (s *State) Observe(o *Obs) {
	t := o.Time
	if t.IsZero() {
		return
	}
	if s.Min.IsZero() || t.Before(s.Min) {
		s.Min = t
	}
	if t.After(s.Max) {
		s.Max = t
	}
	aid := ActorID(o.Identity)
	if len(aid) == 0 {
		return // AWS services acting on their own
	}
	// Records come in runs by one identity: the last actor spares a map lookup.
	a := s.lastActor
	if a == nil || a.ID != string(aid) {
		a = s.Actors[string(aid)]
	}
	if a == nil {
		a = &Actor{
			ID: string(aid), ARN: string(o.Identity.ARN), KeyID: string(o.Identity.AccessKeyID),
			UserName: string(o.Identity.UserName), Type: string(o.Identity.Type),
			IPs: map[string]*Seen{}, Agents: map[string]*Seen{}, Recon: map[int64]string{}, calls: map[callKey]int{},
		}
		s.Actors[a.ID] = a
	}
	s.lastActor = a
	a.add(t, o.ID, o.Region, nil)
	failed := len(o.ErrorCode) > 0
	internal := len(o.Identity.InvokedBy) > 0 || bytes.Equal(o.IP, []byte("AWS Internal")) || bytes.HasSuffix(o.IP, []byte(".amazonaws.com"))
	if !internal {
		if a.lastIPS != nil && a.lastIP == string(o.IP) {
			a.lastIPS.add(t, o.ID, o.Region, nil)
		} else if s := addSeen(a.IPs, o.IP, t, o.ID, o.Region, nil); s != nil {
			a.lastIP, a.lastIPS = s.key, s
		}
		ua := UAProduct(o.UA)
		if a.lastUAS != nil && a.lastUA == string(ua) {
			a.lastUAS.add(t, o.ID, o.Region, nil)
		} else if s := addSeen(a.Agents, ua, t, o.ID, o.Region, nil); s != nil {
			a.lastUA, a.lastUAS = s.key, s
		}
	}
	kind := o.Class.kind
	if !o.Classed {
		kind = kinds[string(o.EventName)]
	}
	if kind == kindDiscovery { // an attempt counts: a stolen key is tried whether or not it may
		keepCall(&a.Discovery, a.calls, kindDiscovery, s.call(o, a))
	}
	if failed {
		if isDenied(o.ErrorCode) {
			keepCall(&a.Denied, a.calls, kindDenied, s.call(o, a))
		}
		return
	}
	if len(o.Region) > 0 && !internal && !globalSources[string(o.EventSource)] {
		if r := s.lastRegionS; r != nil && s.lastRegion == string(o.Region) {
			r.add(t, o.ID, o.Region, aid)
		} else if r := addSeen(s.Regions, o.Region, t, o.ID, o.Region, aid); r != nil {
			s.lastRegion, s.lastRegionS = r.key, r
		}
	}
	switch kind {
	case kindRecon, kindDiscovery:
		m := t.Unix() / 60
		if _, ok := a.Recon[m]; !ok {
			a.Recon[m] = s.intern(o.EventName)
		}
	case kindPersistence:
		keepCall(&a.Persist, a.calls, kindPersistence, s.call(o, a))
	case kindLaunch:
		keepCall(&s.Launches, s.launches, kindLaunch, s.call(o, a))
	}
}

// keepCall adds c to list unless a call of the same API, minute and region (and actor, for
// account-wide lists) is there already, in which case that one counts it and keeps the
// earlier of the two as evidence.
func keepCall(list *[]Call, idx map[callKey]int, kind callKind, c Call) {
	k := callKey{kind: kind, minute: c.Time.Unix() / 60, name: c.Name, region: c.Region}
	if kind == kindLaunch {
		k.name += "\x00" + c.Actor
	}
	if c.Count == 0 {
		c.Count = 1
	}
	if i, ok := idx[k]; ok {
		have := &(*list)[i]
		if c.Time.Before(have.Time) || (c.Time.Equal(have.Time) && c.ID < have.ID) {
			c.Count += have.Count
			*have = c
		} else {
			have.Count += c.Count
		}
		return
	}
	idx[k] = len(*list)
	*list = append(*list, c)
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

func addSeen(m map[string]*Seen, key []byte, t time.Time, id, region, by []byte) *Seen {
	if len(key) == 0 {
		return nil
	}
	s := m[string(key)]
	if s == nil {
		s = &Seen{key: string(key)}
		m[s.key] = s
	}
	s.add(t, id, region, by)
	return s
}

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

// Merge adds o into s; o must not be used afterwards.
func (s *State) Merge(o *State) {
	if !o.Min.IsZero() && (s.Min.IsZero() || o.Min.Before(s.Min)) {
		s.Min = o.Min
	}
	if o.Max.After(s.Max) {
		s.Max = o.Max
	}
	for id, oa := range o.Actors {
		a := s.Actors[id]
		if a == nil {
			s.Actors[id] = oa
			continue
		}
		a.Seen.merge(&oa.Seen)
		mergeSeen(a.IPs, oa.IPs)
		mergeSeen(a.Agents, oa.Agents)
		for m, n := range oa.Recon {
			if _, ok := a.Recon[m]; !ok {
				a.Recon[m] = n
			}
		}
		for _, c := range oa.Persist {
			keepCall(&a.Persist, a.calls, kindPersistence, c)
		}
		for _, c := range oa.Denied {
			keepCall(&a.Denied, a.calls, kindDenied, c)
		}
		for _, c := range oa.Discovery {
			keepCall(&a.Discovery, a.calls, kindDiscovery, c)
		}
	}
	mergeSeen(s.Regions, o.Regions)
	for _, c := range o.Launches {
		keepCall(&s.Launches, s.launches, kindLaunch, c)
	}
}

func mergeSeen(dst, src map[string]*Seen) {
	for k, v := range src {
		if d := dst[k]; d != nil {
			d.merge(v)
		} else {
			dst[k] = v
		}
	}
}

// sortCalls orders calls by time, then event ID, so results do not depend on read order.
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
