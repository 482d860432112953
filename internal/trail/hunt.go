package trail

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/trail/detect"
	"github.com/accountguard/accountguard/internal/trail/event"
	"github.com/accountguard/accountguard/internal/trail/rules"
	"github.com/accountguard/accountguard/internal/trail/sigma"
)

// Engine is the compiled rule set; build it once and hunt many times.
type Engine struct {
	Set *sigma.Set
	// Skipped are the rules that could not be compiled, each naming the rule and the
	// unsupported feature; the caller reports them.
	Skipped []error
}

// NewEngine compiles the embedded rules (SigmaHQ and built-in) plus the Sigma rules found
// under extra (folders of .yml files).
func NewEngine(extra ...fs.FS) *Engine {
	rs, errs := rules.Load()
	for _, f := range extra {
		more, es := sigma.LoadFS(f, ".")
		rs = append(rs, more...)
		errs = append(errs, es...)
	}
	return &Engine{Set: sigma.NewSet(rs), Skipped: errs}
}

// HuntOptions tune Hunt.
type HuntOptions struct {
	ReadOptions
	// BaselineUntil ends the period treated as normal by the detectors; zero means the
	// first half of the data's time span, or the end of Baseline's records when given.
	BaselineUntil time.Time
	// Baseline are earlier records (a longer window) that only teach the detectors what is
	// normal: no rule runs on them and nothing in them is reported.
	Baseline []Source
	// Spool, when set, gets a copy of every hunted record (see Spool).
	Spool *Spool
	// Networks names the network of a source IP for the new-network detector (see
	// detect.Baseline); nil means its /24 or /48 prefix.
	Networks func(ip string) (key, label string)
	// Limits bound the detectors' state; zero fields take detect.DefaultLimits'.
	Limits detect.Limits
}

// What the rules and attribution keep is bounded too, whatever the input (the detectors'
// state by detect.Limits): a Match is at most a few KB, a Created a few hundred bytes.
const (
	// maxMatches is how many (rule, identity) matches a hunt keeps; past it, a rule's
	// matches by identities not yet kept are counted in one Match whose Actor is "".
	maxMatches = 50_000
)

// maxCreated is how many created resources a hunt keeps for attribution. A variable for
// tests.
var maxCreated int64 = 200_000

// Match is every record one rule matched for one actor.
type Match struct {
	Rule     *sigma.Rule
	Actor    string
	ARN      string
	KeyID    string
	First    time.Time
	Last     time.Time
	Count    int
	EventIDs []string // the earliest maxEvidence, in time order
	Regions  []string
	IPs      []string
	times    []time.Time
}

const maxEvidence = 20

func (m *Match) add(t time.Time, id []byte, region, ip []byte) {
	if m.Count == 0 || t.Before(m.First) {
		m.First = t
	}
	if t.After(m.Last) {
		m.Last = t
	}
	m.Count++
	if len(m.EventIDs) < maxEvidence || t.Before(m.times[len(m.times)-1]) {
		i, _ := slices.BinarySearchFunc(m.times, t, func(a, b time.Time) int { return a.Compare(b) })
		m.times = slices.Insert(m.times, i, t)
		m.EventIDs = slices.Insert(m.EventIDs, i, string(id))
		if len(m.EventIDs) > maxEvidence {
			m.times, m.EventIDs = m.times[:maxEvidence], m.EventIDs[:maxEvidence]
		}
	}
	addSmall(&m.Regions, region, 20)
	addSmall(&m.IPs, ip, 10)
}

// identify names the principal and key of the match after its earliest record (the
// smaller key on a tie), so that an actor who used several keys, such as a role whose
// sessions each have one, is shown the same way however the records were split among
// workers. It is called before add counts the record.
func (m *Match) identify(t time.Time, arn, key []byte) {
	if m.Actor == "" || m.Count > 0 && (t.After(m.First) || t.Equal(m.First) && string(key) >= m.KeyID) {
		return
	}
	if string(key) != m.KeyID {
		m.KeyID = string(key)
	}
	if string(arn) != m.ARN {
		m.ARN = string(arn)
	}
}

func addSmall(list *[]string, v []byte, max int) {
	if len(v) == 0 || len(*list) >= max {
		return
	}
	for _, x := range *list {
		if x == string(v) {
			return
		}
	}
	*list = append(*list, string(v))
}

func (m *Match) merge(o *Match) {
	if o.First.Before(m.First) || o.First.Equal(m.First) && o.KeyID < m.KeyID {
		m.ARN, m.KeyID = o.ARN, o.KeyID
	}
	for i, id := range o.EventIDs {
		// re-adding keeps the earliest evidence; counts are fixed up below
		m.add(o.times[i], []byte(id), nil, nil)
		m.Count--
	}
	m.Count += o.Count
	if o.First.Before(m.First) {
		m.First = o.First
	}
	if o.Last.After(m.Last) {
		m.Last = o.Last
	}
	for _, r := range o.Regions {
		addSmall(&m.Regions, []byte(r), 20)
	}
	for _, ip := range o.IPs {
		addSmall(&m.IPs, []byte(ip), 10)
	}
}

// Result is what a hunt found.
type Result struct {
	Stats    Stats
	Errors   []error // inputs that failed (the rest were read)
	Matches  []*Match
	Alerts   []detect.Alert
	State    *detect.State
	Baseline detect.Baseline
	Created  *Attribution
	Account  string // the first recipientAccountId seen
	// Warnings say where the hunt reached a limit of what it keeps (see detect.Limits,
	// maxMatches, maxCreated): findings may then be incomplete. Empty for normal input.
	Warnings []string
}

// keepCounts are the limits one hunt's workers share.
type keepCounts struct {
	matches, created           atomic.Int64
	otherMatches, otherCreated atomic.Int64 // records past the limits
}

// worker is one reader goroutine's hunt state.
type worker struct {
	m       *sigma.Matcher
	state   *detect.State
	obs     detect.Obs
	times   timeParser
	names   nameTable
	matches map[*sigma.Rule]map[string]*Match
	created []Created
	seen    map[string]int // created, by type, ID and creator: see keepCreated
	key     []byte         // a buffer for the lookups in seen
	// creation records known, and buffers: see creations
	made      map[string][]int32
	madeBytes int
	mk        []byte
	idx       []int32
	account   string
	kept      *keepCounts
	// the actor of obs's identity, for its IdentityRun actorRun; awsActor is a buffer
	actorID, awsActor []byte
	actorRun          uint64
}

// actor is the record's actor: detect.ActorID of its identity, or AWS itself (awsActor);
// worked out once per run of records by one identity.
func (w *worker) actor() []byte {
	if r := w.obs.IdentityRun(); r != w.actorRun || r == 0 {
		w.actorID, w.actorRun = detect.ActorID(w.obs.Identity), r
		if len(w.actorID) == 0 {
			w.awsActor = appendAWSActor(w.awsActor[:0], w.obs.Identity)
			w.actorID = w.awsActor
		}
	}
	return w.actorID
}

// nameClass is what the rules, the detectors and attribution make of one eventName,
// found once per worker: one lookup per record instead of one for each of them.
type nameClass struct {
	rules   []int32 // sigma.Set.Indexed
	detect  detect.Class
	creator bool // in creators
}

// maxNames bounds a worker's nameClass cache: past it, names are classed record by record.
const maxNames = 1 << 12

func (w *worker) class(set *sigma.Set, name []byte) nameClass {
	if c, ok := w.names.get(name); ok {
		return c
	}
	_, creator := creators[string(name)]
	c := nameClass{rules: set.Indexed(name), detect: detect.Classify(name), creator: creator}
	w.names.put(name, c, maxNames)
	return c
}

// keepCreated adds c unless the same creator already created the same resource ID (a
// replayed or duplicated record): one resource has one creation, and memory follows the
// number of resources, not of records. It reports whether c was added.
func keepCreated(list *[]Created, seen map[string]int, c Created) bool {
	k := c.Type + "\x00" + c.ID + "\x00" + c.Actor
	if i, ok := seen[k]; ok {
		if c.Time.Before((*list)[i].Time) {
			(*list)[i] = c
		}
		return false
	}
	seen[k] = len(*list)
	*list = append(*list, c)
	return true
}

// Hunt reads srcs once, running every rule and feeding every detector, and attributes
// every created resource.
func (e *Engine) Hunt(ctx context.Context, srcs []Source, opt HuntOptions) *Result {
	workers := make([]*worker, opt.NumWorkers())
	budget, kept := detect.NewBudget(opt.Limits), &keepCounts{}
	for i := range workers {
		workers[i] = &worker{m: e.Set.Matcher(), state: detect.NewStateWith(budget), matches: map[*sigma.Rule]map[string]*Match{},
			seen: map[string]int{}, kept: kept}
	}
	var (
		baseErrs []error
		baseMax  time.Time
	)
	if len(opt.Baseline) > 0 {
		maxes := make([]time.Time, len(workers))
		bopt := opt.ReadOptions
		bopt.Window = Window{Regions: opt.Regions, Until: opt.Since} // before the hunted window
		_, baseErrs = Read(ctx, opt.Baseline, bopt, func(wi int, ev *event.Event) {
			w := workers[wi]
			t, _ := w.times.parse(ev.Str(event.EventTime))
			if t.After(maxes[wi]) {
				maxes[wi] = t
			}
			w.obs.FromEvent(ev, t)
			w.state.Observe(&w.obs)
		})
		for _, m := range maxes {
			if m.After(baseMax) {
				baseMax = m
			}
		}
	}
	st, errs := Read(ctx, srcs, opt.ReadOptions, func(wi int, ev *event.Event) {
		w := workers[wi]
		t, _ := w.times.parse(ev.Str(event.EventTime))
		w.obs.FromEvent(ev, t)
		nc := w.class(e.Set, w.obs.EventName)
		w.obs.Class, w.obs.Classed = nc.detect, true
		w.state.Observe(&w.obs)
		if opt.Spool != nil {
			opt.Spool.write(wi, ev.Raw())
		}
		if w.account == "" {
			w.account = string(ev.Str(event.RecipientAccountID))
		}
		actor := w.actor()
		w.m.MatchIndexed(ev, nc.rules, func(r *sigma.Rule) {
			byActor := w.matches[r]
			if byActor == nil {
				byActor = map[string]*Match{}
				w.matches[r] = byActor
			}
			m := byActor[string(actor)]
			if m == nil {
				nm := Match{Rule: r, Actor: string(actor), ARN: string(w.obs.Identity.ARN), KeyID: string(w.obs.Identity.AccessKeyID)}
				if w.kept.matches.Add(1) > maxMatches {
					w.kept.otherMatches.Add(1)
					nm = Match{Rule: r} // one per rule: the identities past maxMatches
					m = byActor[""]
				}
				if m == nil {
					m = &nm
					byActor[m.Actor] = m
				}
			}
			m.identify(t, w.obs.Identity.ARN, w.obs.Identity.AccessKeyID)
			m.add(t, w.obs.ID, w.obs.Region, w.obs.IP)
		})
		if len(w.obs.ErrorCode) == 0 {
			if nc.creator {
				w.creations(ev, t, w.obs.Identity, actor)
			}
		}
	})
	res := &Result{Stats: st, Errors: append(baseErrs, errs...), State: workers[0].state}
	merged := map[*sigma.Rule]map[string]*Match{}
	var created []Created
	seen := map[string]int{}
	for i, w := range workers {
		if i > 0 {
			res.State.Merge(w.state)
		}
		for _, c := range w.created {
			keepCreated(&created, seen, c)
		}
		if res.Account == "" {
			res.Account = w.account
		}
		for r, byActor := range w.matches {
			if merged[r] == nil {
				merged[r] = map[string]*Match{}
			}
			for a, m := range byActor {
				if have := merged[r][a]; have != nil {
					have.merge(m)
				} else {
					merged[r][a] = m
				}
			}
		}
	}
	for _, byActor := range merged {
		for _, m := range byActor {
			res.Matches = append(res.Matches, m)
		}
	}
	slices.SortFunc(res.Matches, func(a, b *Match) int {
		if c := a.First.Compare(b.First); c != 0 {
			return c
		}
		return strings.Compare(a.Rule.File+a.Actor, b.Rule.File+b.Actor)
	})
	res.Baseline = detect.DefaultBaseline(res.State)
	if !baseMax.IsZero() {
		res.Baseline.Until = baseMax
	}
	if !opt.BaselineUntil.IsZero() {
		res.Baseline.Until = opt.BaselineUntil
	}
	res.Baseline.Networks = opt.Networks
	res.Alerts = detect.Run(res.State, res.Baseline)
	res.Created = NewAttribution(created)
	res.Warnings = res.State.Warnings()
	if n := kept.otherMatches.Load(); n > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("rules: more than %d (rule, identity) matches: %d more are counted per rule without their identity", maxMatches, n))
	}
	if n := kept.otherCreated.Load(); n > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("attribution: more than %d created resources: %d more were not kept", maxCreated, n))
	}
	return res
}

// Severity of a Sigma level.
func levelSeverity(level string) finding.Severity {
	switch strings.ToLower(level) {
	case "critical":
		return finding.Critical
	case "high":
		return finding.High
	case "medium":
		return finding.Medium
	case "low":
		return finding.Low
	}
	return finding.Info
}

// RuleName is a rule's short name: its file name without folder and extension.
func RuleName(r *sigma.Rule) string {
	base := r.File[strings.LastIndex(r.File, "/")+1:]
	return strings.TrimSuffix(strings.TrimSuffix(base, ".yml"), ".yaml")
}

// Findings turns the result into findings (Source "trail"), most severe first.
func (r *Result) Findings(account string) []finding.Finding {
	var out []finding.Finding
	for _, m := range r.Matches {
		name := RuleName(m.Rule)
		principal, by := m.ARN, m.Actor
		if principal == "" {
			principal = m.Actor
		}
		if m.Actor == "" {
			by = fmt.Sprintf("identities past the %d (rule, identity) matches kept", maxMatches)
		}
		f := finding.Finding{
			ID:        finding.StableID("trail", name, m.Actor),
			RuleID:    name,
			Source:    "trail",
			Title:     finding.Text{En: m.Rule.Title, Ko: m.Rule.TitleKo},
			Severity:  levelSeverity(m.Rule.Level),
			Status:    finding.Fail,
			Account:   account,
			Region:    first(m.Regions),
			Principal: principal,
			Time:      m.First,
			Detail: finding.Text{En: fmt.Sprintf("%d matching event(s) from %s to %s by %s from %s. Sigma rule by %s.",
				m.Count, m.First.Format(time.RFC3339), m.Last.Format(time.RFC3339), by, strings.Join(m.IPs, ", "), m.Rule.Author)},
			Attributes: map[string]string{
				"author": m.Rule.Author, "rule_file": m.Rule.File, "sigma_id": m.Rule.ID, "level": m.Rule.Level,
				"count": fmt.Sprint(m.Count), "actor": m.Actor, "access_key": m.KeyID,
				"last_seen": m.Last.Format(time.RFC3339), "regions": strings.Join(m.Regions, ","),
			},
			References: references(m.Rule.References, m.Rule.Tags),
		}
		if strings.HasPrefix(m.Rule.File, "sigmahq/") {
			f.Attributes["license"] = "DRL-1.1"
		}
		for _, id := range m.EventIDs {
			f.Evidence = append(f.Evidence, finding.Evidence{Kind: "event", Ref: id})
		}
		out = append(out, f)
	}
	for _, a := range r.Alerts {
		f := finding.Finding{
			ID:       finding.StableID("trail", a.Detector.ID, actorID(a.Actor), a.Region, a.IP),
			RuleID:   a.Detector.ID,
			Source:   "trail",
			Title:    finding.Text{En: a.Detector.Title, Ko: a.Detector.TitleKo},
			Severity: a.Severity,
			Status:   finding.Fail,
			Account:  account,
			Region:   a.Region,
			Time:     a.Time,
			Detail:   finding.Text{En: a.Detail},
			Attributes: map[string]string{
				"author": "accountguard", "detector": a.Detector.ID, "baseline_until": r.Baseline.Until.Format(time.RFC3339),
			},
			References: references(nil, a.Detector.Tags),
		}
		if a.Actor != nil {
			f.Principal = a.Actor.ARN
			if f.Principal == "" {
				f.Principal = a.Actor.ID
			}
			f.Attributes["actor"] = a.Actor.ID
			f.Attributes["access_key"] = a.Actor.KeyID
		}
		if a.IP != "" {
			f.Attributes["source_ip"] = a.IP
		}
		for _, id := range a.EventIDs {
			f.Evidence = append(f.Evidence, finding.Evidence{Kind: "event", Ref: id})
		}
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b finding.Finding) int {
		if a.Severity != b.Severity {
			return int(b.Severity) - int(a.Severity)
		}
		return a.Time.Compare(b.Time)
	})
	return out
}

func actorID(a *detect.Actor) string {
	if a == nil {
		return ""
	}
	return a.ID
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

// references turns Sigma references and ATT&CK tags into finding references.
func references(urls, tags []string) []finding.Reference {
	var out []finding.Reference
	for _, t := range tags {
		id, ok := strings.CutPrefix(t, "attack.t")
		if !ok {
			continue
		}
		tid := "T" + strings.ToUpper(id)
		out = append(out, finding.Reference{Standard: "MITRE ATT&CK", ID: tid,
			URL: "https://attack.mitre.org/techniques/" + strings.ReplaceAll(tid, ".", "/") + "/"})
	}
	for _, u := range urls {
		out = append(out, finding.Reference{Standard: "Sigma rule reference", ID: u, URL: u})
	}
	return out
}

// awsActor names AWS itself when it acts with no principal of the account (a service, AWS
// attaching a quarantine policy): "AWS (invokedBy or type)".
func awsActor(id event.Identity) []byte { return appendAWSActor(nil, id) }

// appendAWSActor appends awsActor(id) to dst.
func appendAWSActor(dst []byte, id event.Identity) []byte {
	by := id.InvokedBy
	if len(by) == 0 {
		by = id.Type
	}
	if len(by) == 0 {
		return append(dst, "AWS"...)
	}
	// a copy: append(by, ')') would write over the record's closing quote
	return append(append(append(dst, "AWS ("...), by...), ')')
}
