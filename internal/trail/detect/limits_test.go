package detect

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/trail/event"
)

var (
	t0      = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	leaked  = event.Identity{Type: []byte("IAMUser"), AccessKeyID: []byte("AKIAQEXAMPLELEAKED01"), ARN: []byte("arn:aws:iam::111122223333:user/ci"), UserName: []byte("ci")}
	evCount int
)

// rec builds one observation; each gets a fresh event ID.
func rec(id event.Identity, t time.Time, name, region, ip, ua, errCode string) *Obs {
	evCount++
	return &Obs{Time: t, EventName: []byte(name), EventSource: []byte("iam.amazonaws.com"), Region: []byte(region),
		IP: []byte(ip), UA: []byte(ua), ErrorCode: []byte(errCode), ID: []byte(fmt.Sprintf("ev-%09d", evCount)), Identity: id}
}

func alertsOf(s *State, b Baseline, id string) []Alert {
	var out []Alert
	for _, a := range Run(s, b) {
		if a.Detector.ID == id {
			out = append(out, a)
		}
	}
	return out
}

func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// plantEarly is a leaked key's first hour: from the company's network and tool, then
// enumeration, a storm of refused calls, persistence, from another IP and tool.
func plantEarly(s *State) {
	for i := range 20 { // the baseline: routine calls from the office
		s.Observe(rec(leaked, t0.Add(time.Duration(i)*time.Minute), "GetUser", "us-east-1", "203.0.113.10", "aws-cli/2.15", ""))
	}
	at := t0.Add(30 * 24 * time.Hour) // past the baseline (the first half of 139 days)
	for i, n := range []string{"GetCallerIdentity", "ListUsers", "ListAccessKeys", "ListBuckets"} {
		s.Observe(rec(leaked, at.Add(time.Duration(i)*time.Second), n, "us-east-1", "185.220.101.47", "Boto3/1.34", ""))
	}
	for i := range 12 {
		n := []string{"ListSecrets", "DescribeDBInstances", "ListFunctions"}[i%3]
		s.Observe(rec(leaked, at.Add(time.Minute+time.Duration(i)*time.Second), n, "us-east-1", "185.220.101.47", "Boto3/1.34", "AccessDenied"))
	}
	s.Observe(rec(leaked, at.Add(5*time.Minute), "CreateUser", "us-east-1", "185.220.101.47", "Boto3/1.34", ""))
	s.Observe(rec(leaked, at.Add(6*time.Minute), "CreateAccessKey", "us-east-1", "185.220.101.47", "Boto3/1.34", ""))
}

// TestLimitsFlood: a million distinct source IPs and persistence calls in 200,000
// distinct minutes for one key keep its profile within the limits, memory stays flat
// between a quarter and all of the flood, and what was planted early is still found.
func TestLimitsFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("a million records")
	}
	s := NewState()
	lim := s.Budget().Limits
	plantEarly(s)
	const minutes, ips = 200_000, 1_000_000
	var before uint64
	for i := range ips {
		if i == ips/4 {
			before = heapInuse()
		}
		m := i % minutes // times spread over 139 days, after the early pattern
		tm := t0.Add(31*24*time.Hour + time.Duration(m)*time.Minute/2)
		ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		name := "ListUsers"
		if i < minutes {
			name = "AttachUserPolicy" // the routine: a call in every one of 200k minutes
			tm = t0.Add(31*24*time.Hour + time.Duration(i)*time.Minute)
		}
		s.Observe(rec(leaked, tm, name, "us-east-1", ip, "Boto3/1.34", ""))
	}
	// a late-read record from the baseline: kept, the latest-first-seen value makes room
	s.Observe(rec(leaked, t0.Add(time.Hour), "GetUser", "us-east-1", "198.51.100.99", "aws-cli/2.15", ""))
	after := heapInuse()

	a := s.Actors[string(leaked.AccessKeyID)]
	if len(a.IPs) > lim.MaxValues || a.IPs["203.0.113.10"] == nil || a.IPs["198.51.100.99"] == nil {
		t.Fatalf("%d IPs kept (limit %d); baseline kept: %v %v", len(a.IPs), lim.MaxValues, a.IPs["203.0.113.10"] != nil, a.IPs["198.51.100.99"] != nil)
	}
	if got, want := a.IPsNotKept.Distinct(), ips-lim.MaxValues; got < want*9/10 || got > want*11/10 {
		t.Errorf("about %d IPs not kept, want about %d", got, want)
	}
	total := a.IPsNotKept.Count
	for _, seen := range a.IPs {
		total += seen.Count
	}
	if want := 20 + 4 + 12 + 2 + ips + 1; total != want { // every record is counted, kept or not
		t.Errorf("kept and not kept IPs count %d calls, want %d", total, want)
	}
	for _, l := range a.lists() {
		if l.Len() > lim.MaxCalls {
			t.Errorf("a list holds %d entries, limit %d", l.Len(), lim.MaxCalls)
		}
	}
	if a.Persist.shift == 0 {
		t.Error("200k minutes of persistence calls did not coarsen the list")
	}
	if n := s.Budget().Entries(); n > 2*lim.MaxValues+5*lim.MaxCalls {
		t.Errorf("%d entries", n)
	}
	if grew := int64(after) - int64(before); grew > 8<<20 {
		t.Errorf("heap grew %d MB between a quarter and all of the flood", grew>>20)
	}
	t.Logf("heap in use %d → %d MB; persistence kept to %s; %d IPs not kept", before>>20, after>>20, a.Persist.Resolution(), a.IPsNotKept.Distinct())

	b := Baseline{Until: t0.Add(24 * time.Hour)}
	for _, id := range []string{"ag-detect-enumeration", "ag-detect-access-denied-storm", "ag-detect-recon-then-persistence",
		"ag-detect-new-source-ip", "ag-detect-new-network", "ag-detect-new-user-agent"} {
		als := alertsOf(s, b, id)
		if len(als) != 1 {
			t.Errorf("%s: %d alerts, want 1", id, len(als))
			continue
		}
		al := als[0]
		if al.Time.Before(t0.Add(30*24*time.Hour)) || al.Time.After(t0.Add(31*24*time.Hour)) {
			t.Errorf("%s: alert at %s, not the planted pattern: %s", id, al.Time, al.Detail)
		}
		switch id {
		case "ag-detect-new-source-ip":
			if newPart, _, _ := strings.Cut(al.Detail, "; before"); al.IP != "185.220.101.47" || !strings.Contains(newPart, "more values not kept") || strings.Contains(newPart, "198.51.100.99") {
				t.Errorf("new IP: %s %s", al.IP, al.Detail)
			}
		case "ag-detect-recon-then-persistence":
			if !strings.Contains(al.Detail, "CreateUser") || !strings.Contains(al.Detail, "-minute spans") {
				t.Errorf("recon then persistence: %s", al.Detail)
			}
		}
	}
	if w := strings.Join(s.Warnings(), "\n"); !strings.Contains(w, "coarser time resolution") || !strings.Contains(w, "more source IPs or user agents than kept") {
		t.Errorf("warnings: %s", w)
	}
}

// TestCoarseningMakesNothingUp: routine discovery calls 20 minutes apart, every hour for
// a year, coarsen the list far past the detectors' windows, and still no enumeration is
// found: kept calls are real ones at their real times.
func TestCoarseningMakesNothingUp(t *testing.T) {
	s := NewStateWith(NewBudget(Limits{MaxCalls: 64}))
	for h := range 24 * 365 {
		at := t0.Add(time.Duration(h) * time.Hour)
		for i, n := range []string{"GetCallerIdentity", "ListBuckets", "DescribeRegions"} {
			s.Observe(rec(leaked, at.Add(time.Duration(i)*20*time.Minute), n, "us-east-1", "203.0.113.10", "aws-cli/2.15", ""))
		}
		s.Observe(rec(leaked, at.Add(50*time.Minute), "CreateAccessKey", "us-east-1", "203.0.113.10", "aws-cli/2.15", ""))
	}
	a := s.Actors[string(leaked.AccessKeyID)]
	if a.Discovery.shift < 6 || a.Discovery.Len() > 64 {
		t.Fatalf("discovery list: %d entries at %s", a.Discovery.Len(), a.Discovery.Resolution())
	}
	if als := alertsOf(s, DefaultBaseline(s), "ag-detect-enumeration"); len(als) > 0 {
		t.Errorf("enumeration made up by coarsening: %s", als[0].Detail)
	}
	// CreateAccessKey comes 10 minutes after DescribeRegions: that pair is real
	if als := alertsOf(s, DefaultBaseline(s), "ag-detect-recon-then-persistence"); len(als) != 1 {
		t.Errorf("%d recon-then-persistence alerts", len(als))
	}
}

// TestMergeCoarsened: two States coarsened to different resolutions merge at the coarser
// one, within the limits, losing no call and keeping the earliest evidence; their IPs merge
// to the earliest-first-seen ones of both.
func TestMergeCoarsened(t *testing.T) {
	lim := Limits{MaxCalls: 100, MaxValues: 50}
	x, y := NewStateWith(NewBudget(lim)), NewStateWith(NewBudget(lim))
	calls := 0
	for m := range 5000 { // x: every even minute, y: every odd one, and twice as many
		st, n := x, 1
		if m%2 == 1 {
			st, n = y, 2
		}
		for range n {
			tm := t0.Add(time.Duration(m) * time.Minute)
			st.Observe(rec(leaked, tm, "CreateAccessKey", "us-east-1", fmt.Sprintf("192.0.2.%d", m%200), "aws-cli/2.15", ""))
			calls++
		}
	}
	// y also saw more persistence in another region, so it coarsened further
	for m := range 3000 {
		y.Observe(rec(leaked, t0.Add(time.Duration(m)*time.Minute+time.Second), "CreateUser", "eu-west-1", "192.0.2.1", "aws-cli/2.15", ""))
		calls++
	}
	xa, ya := x.Actors[string(leaked.AccessKeyID)], y.Actors[string(leaked.AccessKeyID)]
	xs, ys := xa.Persist.shift, ya.Persist.shift
	if xs == 0 || ys == 0 || xs == ys {
		t.Fatalf("shifts %d and %d: both coarsened, differently, is the case to test", xs, ys)
	}
	x.Merge(y)
	a := x.Actors[string(leaked.AccessKeyID)]
	if a.Persist.shift < max(xs, ys) || a.Persist.Len() > lim.MaxCalls {
		t.Errorf("merged list: %d entries at shift %d (were %d, %d)", a.Persist.Len(), a.Persist.shift, xs, ys)
	}
	sum := a.Persist.NotKept
	for _, c := range a.Persist.Calls {
		sum += c.Count
	}
	if sum != calls {
		t.Errorf("merged list counts %d calls, want %d", sum, calls)
	}
	// the index agrees with the list after the merge
	for i, c := range a.Persist.Calls {
		if j := a.Persist.idx[a.Persist.key(c.Time, c.Name, c.Region)]; j != i {
			t.Fatalf("index of entry %d is %d", i, j)
		}
	}
	sortCalls(a.Persist.Calls)
	if first := a.Persist.Calls[0]; !first.Time.Equal(t0) || first.Name != "CreateAccessKey" {
		t.Errorf("earliest evidence %s %s", first.Time, first.Name)
	}
	// IPs: 192.0.2.0 … 199 first seen in minutes 0 … 199, so the 50 kept are .0 … .49
	var kept []string
	for ip := range a.IPs {
		kept = append(kept, ip)
	}
	slices.Sort(kept)
	var want []string
	for i := range 50 {
		want = append(want, fmt.Sprintf("192.0.2.%d", i))
	}
	slices.Sort(want)
	if !slices.Equal(kept, want) {
		t.Errorf("kept IPs %v", kept)
	}
	if d := a.IPsNotKept.Distinct(); d < 140 || d > 160 {
		t.Errorf("about %d IPs not kept, want 150", d)
	}
	if n := x.Budget().Entries(); n != len(a.IPs)+len(a.Agents)+a.Persist.Len() {
		t.Errorf("budget counts %d entries, the State holds %d", n, len(a.IPs)+len(a.Agents)+a.Persist.Len())
	}
}

// TestMaxActors: identities past the limit are counted, not profiled, in every State that
// shares the budget, and the State says so.
func TestMaxActors(t *testing.T) {
	b := NewBudget(Limits{MaxActors: 10})
	x, y := NewStateWith(b), NewStateWith(b)
	for i := range 30 {
		id := event.Identity{Type: []byte("AssumedRole"), ARN: []byte(fmt.Sprintf("arn:aws:sts::111122223333:assumed-role/r/s%02d", i))}
		for _, st := range []*State{x, y} {
			o := rec(id, t0.Add(time.Duration(i)*time.Minute), "RunInstances", fmt.Sprintf("region-%d", i), "203.0.113.1", "Boto3", "")
			o.EventSource = []byte("ec2.amazonaws.com")
			st.Observe(o)
		}
	}
	x.Merge(y)
	if len(x.Actors) != 10 || x.Untracked.Count != 40 {
		t.Errorf("%d actors, %d records untracked", len(x.Actors), x.Untracked.Count)
	}
	if d := x.Untracked.Distinct(); d < 18 || d > 22 {
		t.Errorf("about %d identities untracked, want 20", d)
	}
	if len(x.Regions) != 30 {
		t.Errorf("%d regions: untracked identities still show regions in use", len(x.Regions))
	}
	if w := strings.Join(x.Warnings(), "\n"); !strings.Contains(w, "40 records of about") || !strings.Contains(w, "past the first 10 were not profiled") {
		t.Errorf("warnings: %s", w)
	}
}

// TestRegionsBounded: a forged flood of regions keeps the earliest.
func TestRegionsBounded(t *testing.T) {
	s := NewStateWith(NewBudget(Limits{MaxValues: 8}))
	for i := 100; i > 0; i-- { // read latest first: each earlier one evicts
		o := rec(leaked, t0.Add(time.Duration(i)*time.Minute), "RunInstances", fmt.Sprintf("r-%03d", i), "203.0.113.1", "Boto3", "")
		o.EventSource = []byte("ec2.amazonaws.com")
		s.Observe(o)
	}
	if len(s.Regions) != 8 || s.Regions["r-001"] == nil || s.Regions["r-008"] == nil || s.Regions["r-009"] != nil {
		t.Errorf("regions kept: %v", sortedKeys(s.Regions))
	}
	if s.RegionsNotKept.Count != 92 || s.RegionsNotKept.FirstValue != "r-009" {
		t.Errorf("not kept: %d, first %s", s.RegionsNotKept.Count, s.RegionsNotKept.FirstValue)
	}
}

func TestSketch(t *testing.T) {
	for _, n := range []int{0, 1, 5, 100, 1000, 100_000} {
		var k sketch
		for i := range n {
			k.add(fmt.Append(nil, "v", i))
			k.add(fmt.Append(nil, "v", i)) // repeats do not count
		}
		got := k.estimate()
		if d := got - n; d*d > (n/10)*(n/10)+1 {
			t.Errorf("%d values: estimate %d", n, got)
		}
	}
}

// TestObserveAllocsBounded: once a full map has settled, a flood of new values costs no
// growth: records of values that are not kept allocate only their counters.
func TestObserveAllocsBounded(t *testing.T) {
	s := NewStateWith(NewBudget(Limits{MaxValues: 16}))
	for i := range 16 {
		s.Observe(rec(leaked, t0.Add(time.Duration(i)*time.Second), "DescribeSnapshots", "us-east-1", fmt.Sprintf("203.0.113.%d", i), "aws-cli", ""))
	}
	late := rec(leaked, t0.Add(time.Hour), "DescribeSnapshots", "us-east-1", "198.51.100.1", "aws-cli", "")
	ips := make([][]byte, 1000)
	for i := range ips {
		ips[i] = fmt.Appendf(nil, "198.51.%d.%d", i>>8, i&255)
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		late.IP = ips[i%len(ips)]
		i++
		s.Observe(late)
	})
	if a := s.Actors[string(leaked.AccessKeyID)]; len(a.IPs) != 16 || allocs >= 1 {
		t.Errorf("%d IPs kept, %.1f allocations per record", len(a.IPs), allocs)
	}
}
