package detect

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// TestCallListAgain: a list fed through entryOf (the run of calls into the last entry,
// counted or folded there) and keep holds exactly what keep alone makes of the same calls:
// counts, evidence, spans, through coarsening, out-of-order times, ties on time and other
// APIs and regions.
func TestCallListAgain(t *testing.T) {
	for _, anyName := range []bool{false, true} {
		for seed := range uint64(50) {
			r := rand.New(rand.NewPCG(seed, 7))
			b := NewBudget(Limits{MaxCalls: 4 + r.IntN(20)})
			var plain, fast CallList
			plain.anyName, fast.anyName = anyName, anyName
			at := t0
			again, replaced := 0, 0
			for i := range 2000 {
				switch r.IntN(10) {
				case 0:
					at = at.Add(-time.Duration(r.IntN(300)) * time.Second) // out of order
				case 1, 2:
					// the same second: ties on time, decided by event ID
				default:
					at = at.Add(time.Duration(r.IntN(40)) * time.Second)
				}
				name := []string{"ListUsers", "CreateUser", "ListUsers"}[r.IntN(3)]
				region := []string{"us-east-1", "eu-west-1", "us-east-1", "us-east-1"}[r.IntN(4)]
				id := fmt.Sprintf("ev-%06d", r.IntN(1_000_000))
				c := Call{Time: at, Name: name, ID: id, Region: region, Actor: "AKIAX", Count: 1}
				plain.keep(b, c)
				// as State.keep does
				if have := fast.entryOf(at, []byte(name), []byte(region)); have == nil {
					fast.keep(b, c)
				} else if !replaces(at, []byte(id), have) {
					have.Count++
					again++
				} else {
					fold(have, c)
					replaced++
				}
				if i%500 == 499 && !reflect.DeepEqual(plain.Calls, fast.Calls) {
					t.Fatalf("anyName %v seed %d, call %d: lists differ:\n%v\n%v", anyName, seed, i, plain.Calls, fast.Calls)
				}
			}
			if !reflect.DeepEqual(plain.Calls, fast.Calls) || plain.shift != fast.shift || plain.NotKept != fast.NotKept {
				t.Fatalf("anyName %v seed %d: lists differ:\n%v\n%v", anyName, seed, plain.Calls, fast.Calls)
			}
			if again == 0 || replaced == 0 {
				t.Fatalf("anyName %v seed %d: the last entry took %d calls, %d as its evidence", anyName, seed, again, replaced)
			}
		}
	}
}

// TestStateKeep: State.keep (the last entry counted or given new evidence in place) keeps
// what CallList.keep keeps of the whole call: API, region, IP, error, ID, counts.
func TestStateKeep(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	s := NewState()
	a := &Actor{ID: "AKIAX"}
	var fast, plain CallList
	at := t0
	for i := range 5000 {
		at = at.Add(time.Duration(r.IntN(50)-25) * time.Second)
		o := &Obs{Time: at, EventName: []byte([]string{"ListUsers", "CreateUser"}[r.IntN(2)]),
			Region: []byte([]string{"us-east-1", "eu-west-1"}[r.IntN(2)]), IP: []byte([]string{"10.0.0.1", "10.0.0.2"}[r.IntN(2)]),
			ErrorCode: []byte([]string{"", "AccessDenied"}[r.IntN(2)]), ID: []byte(fmt.Sprintf("ev-%06d", r.IntN(1000)))}
		s.keep(&fast, o, a)
		plain.keep(s.budget, s.call(o, a))
		if !reflect.DeepEqual(fast.Calls, plain.Calls) {
			t.Fatalf("call %d: lists differ:\n%v\n%v", i, fast.Calls, plain.Calls)
		}
	}
}
