package detect

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// TestCallListAgain: a list fed through again (the run of calls into the last entry) and
// keep holds exactly what keep alone makes of the same calls: counts, evidence, spans,
// through coarsening, out-of-order times, ties on time and other APIs and regions.
func TestCallListAgain(t *testing.T) {
	for _, anyName := range []bool{false, true} {
		for seed := range uint64(50) {
			r := rand.New(rand.NewPCG(seed, 7))
			b := NewBudget(Limits{MaxCalls: 4 + r.IntN(20)})
			var plain, fast CallList
			plain.anyName, fast.anyName = anyName, anyName
			at := t0
			again := 0
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
				c := Call{Time: at, Name: name, ID: id, Region: region, Actor: "AKIAX"}
				plain.keep(b, c)
				if fast.again(at, []byte(name), []byte(region), []byte(id)) {
					again++
				} else {
					fast.keep(b, c)
				}
				if i%500 == 499 && !reflect.DeepEqual(plain.Calls, fast.Calls) {
					t.Fatalf("anyName %v seed %d, call %d: lists differ:\n%v\n%v", anyName, seed, i, plain.Calls, fast.Calls)
				}
			}
			if !reflect.DeepEqual(plain.Calls, fast.Calls) || plain.shift != fast.shift || plain.NotKept != fast.NotKept {
				t.Fatalf("anyName %v seed %d: lists differ:\n%v\n%v", anyName, seed, plain.Calls, fast.Calls)
			}
			if again == 0 {
				t.Fatalf("anyName %v seed %d: again never took a call", anyName, seed)
			}
		}
	}
}
