package trail

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/trail/detect"
	"github.com/accountguard/accountguard/internal/trail/event"
	"github.com/accountguard/accountguard/internal/trail/event/eventtest"
	"github.com/accountguard/accountguard/internal/trail/jsonx"
)

// TestReplayedCreations: skipping the records replayed says keepCreated would not keep
// leaves exactly the list that createdBy and keepCreated make of every record: replays
// at, after and before the first creation, other actors, attachments without a policy,
// several resources in one record, escaped IDs.
func TestReplayedCreations(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	kinds := []string{
		`"eventName":"CreateUser","responseElements":{"user":{"userName":"u%d"}}`,
		`"eventName":"CreateAccessKey","responseElements":{"accessKey":{"accessKeyId":"AKIA%d","userName":"u1"}}`,
		`"eventName":"AttachUserPolicy","requestParameters":{"userName":"u%d","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}`,
		`"eventName":"AttachUserPolicy","requestParameters":{"userName":"u%d"}`,
		`"eventName":"RunInstances","responseElements":{"instancesSet":{"items":[{"instanceId":"i-%d"},{"instanceId":"i-b"}]}}`,
		`"eventName":"CreateBucket","requestParameters":{"bucketName":"b\u002d%d"}`,
		`"eventName":"CreateRole","responseElements":null,"x":%d`,
	}
	r := rand.New(rand.NewPCG(3, 4))
	var (
		ev                event.Event
		ref, fast         []Created
		refSeen, fastSeen = map[string]int{}, map[string]int{}
		key               []byte
		skipped           int
		skippedKind       = make([]int, len(kinds))
	)
	for i := range 3000 {
		at := t0.Add(time.Duration(r.IntN(600)-100) * time.Second) // replays before the first too
		user := []string{"a", "b", "c"}[r.IntN(3)]
		rec := fmt.Sprintf(`{"eventTime":%q,"eventID":"e%d","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/%s","accessKeyId":"AKIA%s"},`,
			at.Format(time.RFC3339), i, user, user)
		k := r.IntN(len(kinds))
		rec += fmt.Sprintf(kinds[k], r.IntN(4)) + "}"
		if _, err := ev.Index([]byte(rec), 0); err != nil {
			t.Fatal(err)
		}
		id := ev.Identity()
		actor := detect.ActorID(id)
		for _, c := range createdBy(&ev, at, id, actor) {
			keepCreated(&ref, refSeen, c)
		}
		if replayed(&ev, at, actor, fast, fastSeen, &key, nil) {
			skipped++
			skippedKind[k]++
			continue
		}
		for _, c := range createdBy(&ev, at, id, actor) {
			keepCreated(&fast, fastSeen, c)
		}
	}
	if !reflect.DeepEqual(ref, fast) {
		t.Fatalf("lists differ: %d kept, %d with replays skipped", len(ref), len(fast))
	}
	if skipped < 1000 {
		t.Fatalf("only %d of 3000 records seen as replays", skipped)
	}
	for k, n := range skippedKind {
		if n == 0 {
			t.Errorf("no replay seen of %s", kinds[k])
		}
	}
}

// TestWorkerActor: the actor worked out once per run of one identity is each record's own.
func TestWorkerActor(t *testing.T) {
	ids := []string{
		`{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIAA"}`,
		`{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","accessKeyId":"ASIAB"}`,
		`{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}`,
		`{"type":"AWSService","invokedBy":"autoscaling.amazonaws.com"}`,
		`{"type":"AWSAccount","principalId":"AIDAX"}`,
		`{"type":"Root"}`,
		``,
	}
	seq := []int{0, 0, 2, 2, 3, 2, 1, 1, 6, 6, 0, 5, 4, 4, 2, 6, 3}
	var recs []string
	for i, k := range seq {
		r := fmt.Sprintf(`{"eventName":"ListUsers","eventID":"e%d"`, i)
		if ids[k] != "" {
			r += `,"userIdentity":` + ids[k]
		}
		recs = append(recs, r+"}")
	}
	var w worker
	eventtest.Each(t, recs, func(i int, ev, fresh *event.Event) {
		w.obs.FromEvent(ev, time.Time{})
		id := fresh.Identity()
		want := detect.ActorID(id)
		if len(want) == 0 {
			want = awsActor(id)
		}
		if got := w.actor(); string(got) != string(want) {
			t.Fatalf("record %d (identity %d): actor %q, want %q", i, seq[i], got, want)
		}
	})
}

// TestWorkerCreations: a worker that knows repeated creation records by their text keeps
// exactly what createdBy and keepCreated make of every record: repeats at, after and
// before the first, by other actors, with other texts for the same resources.
func TestWorkerCreations(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	bodies := []string{
		`"eventName":"CreateUser","responseElements":{"user":{"userName":"u1"}}`,
		`"eventName":"CreateUser","responseElements":{"user":{"userName":"u1","x":1}}`, // the same user, another text
		`"eventName":"CreateUser","responseElements":{"user":{"userName":"u2"}}`,
		`"eventName":"CreateAccessKey","responseElements":{"accessKey":{"accessKeyId":"AKIA1","userName":"u1"}}`,
		`"eventName":"AttachUserPolicy","requestParameters":{"userName":"u1","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}`,
		`"eventName":"AttachUserPolicy","requestParameters":{"userName":"u1"}`,
		`"eventName":"RunInstances","responseElements":{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]}}`,
		`"eventName":"RunInstances","responseElements":{"instancesSet":{"items":[{"instanceId":"i-1"}]}}`,
		`"eventName":"CreateBucket","requestParameters":{"bucketName":"b\u002d1"}`,
		`"eventName":"CreateRole","responseElements":null`,
	}
	r := rand.New(rand.NewPCG(11, 12))
	var (
		ev      event.Event
		ref     []Created
		refSeen = map[string]int{}
		w       = worker{seen: map[string]int{}, kept: &keepCounts{}}
		known   int
	)
	for i := range 4000 {
		at := t0.Add(time.Duration(r.IntN(900)-200) * time.Second)
		user := []string{"a", "b"}[r.IntN(2)]
		rec := fmt.Sprintf(`{"eventTime":%q,"eventID":"e%d","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/%s"},%s}`,
			at.Format(time.RFC3339), i, user, bodies[r.IntN(len(bodies))])
		if _, err := ev.Index([]byte(rec), 0); err != nil {
			t.Fatal(err)
		}
		id := ev.Identity()
		actor := detect.ActorID(id)
		for _, c := range createdBy(&ev, at, id, actor) {
			keepCreated(&ref, refSeen, c)
		}
		if _, ok := w.made[string(w.madeKey(&ev, actor))]; ok {
			known++
		}
		w.creations(&ev, at, id, actor)
	}
	if !reflect.DeepEqual(ref, w.created) {
		t.Fatalf("lists differ: %d kept, %d by the worker", len(ref), len(w.created))
	}
	if known < 3000 {
		t.Fatalf("only %d of 4000 records known by their text", known)
	}
}

// TestAWSActorKeepsRecord: naming AWS as the actor copies invokedBy; it does not write
// into the record (nor the identity text the event keeps for the next record).
func TestAWSActorKeepsRecord(t *testing.T) {
	rec := []byte(`{"eventName":"AssumeRole","userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},"eventID":"e1"}`)
	want := string(rec)
	for _, structured := range []bool{false, true} {
		var ev event.Event
		if structured {
			var st jsonx.Structure
			st.Reset()
			st.Update(rec)
			if _, err := ev.IndexWith(rec, 0, &st); err != nil {
				t.Fatal(err)
			}
		} else if _, err := ev.Index(rec, 0); err != nil {
			t.Fatal(err)
		}
		top := string(ev.Top(event.UserIdentity))
		if got := string(awsActor(ev.Identity())); got != "AWS (ec2.amazonaws.com)" {
			t.Fatalf("awsActor = %q", got)
		}
		if string(rec) != want || string(ev.Top(event.UserIdentity)) != top {
			t.Fatalf("structured %v: the record became %s", structured, rec)
		}
	}
}
