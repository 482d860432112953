package trail

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/trail/detect"
	"github.com/accountguard/accountguard/internal/trail/event"
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
		if replayed(&ev, at, actor, fast, fastSeen, &key) {
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
