package detect

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/trail/event"
	"github.com/accountguard/accountguard/internal/trail/jsonx"
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
	buf := []byte(`{"Records":[`)
	var starts []int
	for i, k := range seq {
		if i > 0 {
			buf = append(buf, ',')
		}
		starts = append(starts, len(buf))
		buf = fmt.Appendf(buf, `{"eventTime":"2024-01-01T00:00:%02dZ","eventName":"ListUsers","eventID":"e%d"`, i, i)
		if ids[k] != "" {
			buf = fmt.Appendf(buf, `,"userIdentity":%s`, ids[k])
		}
		buf = append(buf, '}')
	}
	buf = append(buf, "]}"...)
	var st jsonx.Structure
	st.Reset()
	st.Update(buf)
	var (
		ev  event.Event
		obs Obs
	)
	for i, at := range starts {
		if _, err := ev.IndexWith(buf, at, &st); err != nil {
			t.Fatal(err)
		}
		obs.FromEvent(&ev, time.Unix(int64(i), 0))
		var fresh event.Event
		if _, err := fresh.Index(buf, at); err != nil {
			t.Fatal(err)
		}
		if want := fresh.Identity(); !reflect.DeepEqual(obs.Identity, want) {
			t.Fatalf("record %d (identity %d): Identity %+v, want %+v", i, seq[i], obs.Identity, want)
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
// After do, for times apart by nanoseconds, seconds and centuries (year 0 too).
func TestSeenAddOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	bases := []time.Time{time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), t0, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}
	for range 200 {
		var s Seen
		var first, last time.Time
		for i := range 50 {
			tm := bases[r.IntN(len(bases))].Add(time.Duration(r.IntN(5)-2) * time.Second).Add(time.Duration(r.IntN(3)) * time.Nanosecond)
			if i == 0 || tm.Before(first) {
				first = tm
			}
			if tm.After(last) {
				last = tm
			}
			s.add(tm, []byte("e"), nil, nil)
			if !s.First.Equal(first) || !s.Last.Equal(last) {
				t.Fatalf("after %d: First %v Last %v, want %v %v", i, s.First, s.Last, first, last)
			}
		}
	}
}
