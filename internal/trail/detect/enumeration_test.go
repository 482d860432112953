package detect

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestEnumerationActors: the attacker patterns (Boto3 after weeks of routine CI, aws-cli
// with refused calls, curl) alert, each once; the routine CI calls of the same key do not.
func TestEnumerationActors(t *testing.T) {
	s := load(t, filepath.Join("testdata", "ag-detect-enumeration.tp.jsonl"))
	var got []string
	for _, a := range detectEnumeration(s, DefaultBaseline(s)) {
		got = append(got, a.Actor.ID)
		if a.Actor.ID == "AKIAQEXAMPLECIDEPLOY" && (a.IP != "185.220.101.47" || !strings.Contains(a.Detail, "ListUsers") || strings.Contains(a.Detail, "DescribeInstances")) {
			t.Errorf("leaked key: %+v", a)
		}
	}
	want := []string{"AKIAQEXAMPLEBACKUP01", "AKIAQEXAMPLECIDEPLOY", "AKIAQEXAMPLEREPORT01"}
	if !slices.Equal(got, want) {
		t.Errorf("alerts for %v, want %v", got, want)
	}
}

// TestDiscoveryIsRecon: recon-then-persistence must keep seeing every discovery call.
func TestDiscoveryIsRecon(t *testing.T) {
	for n := range discovery {
		if !recon[n] {
			t.Errorf("%s is a discovery call but not in recon", n)
		}
	}
}
