package trail

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestNameTable(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var tab nameTable
	want := map[string]int{}
	names := []string{"", "a", "GetObject", "ListUsers", "CreateAccessKey", "DescribeInstances",
		"DescribeInstanceStatus", "DescribeInstanceAttribute", "DescribeInstanceXttribute"}
	for i := range 3000 {
		n := make([]byte, r.IntN(30))
		for j := range n {
			n[j] = "ab"[r.IntN(2)]
		}
		names = append(names, string(n), fmt.Sprint("Describe", i))
	}
	for i, n := range names {
		if _, ok := want[n]; ok {
			continue
		}
		if _, ok := tab.get([]byte(n)); ok {
			t.Fatalf("%q found before it was put", n)
		}
		want[n] = i
		tab.put([]byte(n), nameClass{rules: []int32{int32(i)}}, 1<<20)
	}
	for n, i := range want {
		c, ok := tab.get([]byte(n))
		if !ok || c.rules[0] != int32(i) {
			t.Fatalf("%q: got %v %v, want %d", n, c.rules, ok, i)
		}
	}
	var small nameTable
	for i := range 100 {
		small.put([]byte(fmt.Sprint("n", i)), nameClass{}, 10)
	}
	if small.n != 10 {
		t.Errorf("a table limited to 10 names holds %d", small.n)
	}
	if _, ok := small.get([]byte("n50")); ok {
		t.Error("a name past the limit was cached")
	}
}
