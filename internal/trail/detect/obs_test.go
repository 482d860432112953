package detect

import (
	"fmt"
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
