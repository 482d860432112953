package detect

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/trail/event"
	"github.com/accountguard/accountguard/internal/trail/event/eventtest"
)

// TestFromEventIdentityRuns: FromEvent reads the identity once per run of records by one
// identity; every record must still get its own, as a fresh read gives it.
func TestFromEventIdentityRuns(t *testing.T) {
	ids := []string{
		`{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIAA","userName":"a"}`,
		`{"type":"IAMUser","arn":"arn:aws:iam::1:user/b","accessKeyId":"AKIAB","userName":"b"}`,
		`{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}`,
		`{"type":"IAMUser","arn":"arn:aws:iam::1:user/\u0061","accessKeyId":"AKIAA","userName":"a"}`,
		``, // no userIdentity
	}
	// runs, changes, a record without identity between two of one identity
	seq := []int{0, 0, 0, 1, 1, 0, 4, 0, 2, 2, 3, 3, 0, 4, 4, 1}
	var recs []string
	for i, k := range seq {
		r := fmt.Sprintf(`{"eventTime":"2024-01-01T00:00:%02dZ","eventName":"ListUsers","eventID":"e%d"`, i, i)
		if ids[k] != "" {
			r += `,"userIdentity":` + ids[k]
		}
		recs = append(recs, r+"}")
	}
	var obs Obs
	buf := eventtest.Each(t, recs, func(i int, ev, fresh *event.Event) {
		obs.FromEvent(ev, time.Unix(int64(i), 0))
		if want := fresh.Identity(); !reflect.DeepEqual(obs.Identity, want) {
			t.Fatalf("record %d (identity %d): Identity %+v, want %+v", i, seq[i], obs.Identity, want)
		}
	})
	// what the Obs keeps of the identities does not alias the records
	for i := range buf {
		buf[i] = 'x'
	}
	if len(obs.ids) < 3 {
		t.Fatalf("%d identities kept", len(obs.ids))
	}
	for text, id := range obs.ids {
		var fresh event.Event
		if _, err := fresh.Index([]byte(`{"userIdentity":`+text+`}`), 0); err != nil {
			t.Fatal(err)
		}
		if want := fresh.Identity(); !reflect.DeepEqual(*id, want) {
			t.Fatalf("kept identity %+v, want %+v", *id, want)
		}
	}
	// another Event, whatever its IdentityGen, is read anew
	var other event.Event
	if _, err := other.Index([]byte(`{"userIdentity":`+ids[1]+`}`), 0); err != nil {
		t.Fatal(err)
	}
	obs.FromEvent(&other, time.Unix(0, 0))
	if string(obs.Identity.ARN) != "arn:aws:iam::1:user/b" {
		t.Fatalf("another event: ARN %q", obs.Identity.ARN)
	}
}

// TestSeenAddOrder: Seen.add's inlined comparisons keep First and Last as Before and
// After do, for times apart by nanoseconds, seconds and centuries (year 0 too), and
// Seen.see does what add does.
func TestSeenAddOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	bases := []time.Time{time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), t0, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}
	for range 200 {
		var s, seen Seen
		var first, last time.Time
		for i := range 50 {
			tm := bases[r.IntN(len(bases))].Add(time.Duration(r.IntN(5)-2) * time.Second).Add(time.Duration(r.IntN(3)) * time.Nanosecond)
			if i == 0 || tm.Before(first) {
				first = tm
			}
			if tm.After(last) {
				last = tm
			}
			id := []byte(fmt.Sprint("e", i))
			earlier := s.add(tm, id, []byte("r"), []byte("by"))
			if !s.First.Equal(first) || !s.Last.Equal(last) {
				t.Fatalf("after %d: First %v Last %v, want %v %v", i, s.First, s.Last, first, last)
			}
			// see, given the time's Unix and Nanosecond, is add
			o := &Obs{Time: tm, ID: id, Region: []byte("r")}
			if seen.see(o, tm.Unix(), tm.Nanosecond(), []byte("by")) != earlier || seen != s {
				t.Fatalf("after %d: see made %+v, add %+v", i, seen, s)
			}
		}
	}
}

// summary is what a State kept, for comparing two.
func summary(s *State) string {
	var b strings.Builder
	for _, id := range sortedKeys(s.Actors) {
		a := s.Actors[id]
		fmt.Fprintf(&b, "%s %s %d %v %v %s\n", id, a.KeyID, a.Count, a.First, a.Last, a.FirstEventID)
		for _, m := range []map[string]*Seen{a.IPs, a.Agents} {
			for _, k := range sortedKeys(m) {
				v := m[k]
				fmt.Fprintf(&b, "  %s %d %v %v %s\n", k, v.Count, v.First, v.Last, v.FirstEventID)
			}
		}
		for _, l := range a.lists() {
			fmt.Fprintf(&b, "  %v\n", l.Calls)
		}
	}
	for _, k := range sortedKeys(s.Regions) {
		v := s.Regions[k]
		fmt.Fprintf(&b, "%s %d %v %s %s\n", k, v.Count, v.First, v.FirstEventID, v.FirstBy)
	}
	fmt.Fprintf(&b, "%v %v %d\n", s.Min, s.Max, s.Untracked.Count)
	return b.String()
}

// TestObserveRuns: a State fed records in runs (of one identity, agent, error code) with
// one reused Obs, as the hunt does, keeps what it keeps when every record comes alone.
func TestObserveRuns(t *testing.T) {
	ids := []string{
		`{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIAA","userName":"a"}`,
		`{"type":"IAMUser","arn":"arn:aws:iam::1:user/b","accessKeyId":"AKIAB","userName":"b"}`,
		`{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","accessKeyId":"ASIAC"}`,
		`{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}`,
	}
	uas := []string{"aws-cli/2.15 Python/3", "aws-cli/2.16 Python/3", "Boto3/1.34", " Boto3/1.2 ", ""}
	errs := []string{"", "", "AccessDenied", "Client.UnauthorizedOperation", "NoSuchEntity"}
	names := []string{"ListUsers", "GetCallerIdentity", "CreateUser", "RunInstances", "DescribeInstances"}
	r := rand.New(rand.NewPCG(9, 10))
	var recs []string
	id, ua, ec := 0, 0, 0
	for i := range 3000 {
		if r.IntN(3) == 0 {
			id = r.IntN(len(ids))
		}
		if r.IntN(4) == 0 {
			ua = r.IntN(len(uas))
		}
		if r.IntN(3) == 0 {
			ec = r.IntN(len(errs))
		}
		recs = append(recs, fmt.Sprintf(`{"eventTime":"x","eventName":%q,"eventSource":"iam.amazonaws.com","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.%d","userAgent":%q,"errorCode":%q,"eventID":"e%d","userIdentity":%s}`,
			names[r.IntN(len(names))], r.IntN(3), uas[ua], errs[ec], i, ids[id]))
	}
	var (
		obs      Obs
		runs     = NewState()
		one      = NewState()
		cacheHit int
	)
	eventtest.Each(t, recs, func(i int, ev, _ *event.Event) {
		tm := t0.Add(time.Duration(i%700) * 7 * time.Second)
		obs.FromEvent(ev, tm)
		if runs.runObs == &obs && runs.runID == obs.idRun {
			cacheHit++
		}
		runs.Observe(&obs)
		alone := obs
		alone.idRun = 0 // and no agent or error code of the last record
		one.lastUA, one.lastUAProd, one.lastErr, one.lastDenied, one.denials = nil, nil, nil, false, nil
		one.Observe(&alone)
		if i == 1500 {
			runs.Merge(NewStateWith(runs.Budget()))
			one.Merge(NewStateWith(one.Budget()))
		}
	})
	if got, want := summary(runs), summary(one); got != want {
		t.Fatalf("records in runs:\n%s\nalone:\n%s", got, want)
	}
	if cacheHit < 1000 {
		t.Fatalf("the identity of the last record was reused %d times", cacheHit)
	}
}

func TestGlobalSource(t *testing.T) {
	for _, src := range []string{"iam.amazonaws.com", "sts.amazonaws.com", "signin.amazonaws.com",
		"organizations.amazonaws.com", "route53.amazonaws.com", "cloudfront.amazonaws.com",
		"support.amazonaws.com", "health.amazonaws.com", "ce.amazonaws.com", "budgets.amazonaws.com",
		"account.amazonaws.com", "billingconsole.amazonaws.com", "sso.amazonaws.com", "notifications.amazonaws.com",
		"servicequotas.amazonaws.com", "trustedadvisor.amazonaws.com", "s3.amazonaws.com"} {
		if !globalSource([]byte(src)) {
			t.Errorf("%s: not global", src)
		}
		if globalSource([]byte(src[1:])) || globalSource([]byte(src+"x")) || globalSource([]byte(strings.ToUpper(src))) {
			t.Errorf("a near-copy of %s is global", src)
		}
	}
	for _, src := range []string{"ec2.amazonaws.com", "lambda.amazonaws.com", "", "iam"} {
		if globalSource([]byte(src)) {
			t.Errorf("%s: global", src)
		}
	}
}
