package detect

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/trail/asn"
)

func networkAlerts(t *testing.T, sample string, b func(*State) Baseline) []Alert {
	t.Helper()
	s := load(t, filepath.Join("testdata", sample))
	var out []Alert
	for _, a := range Run(s, b(s)) {
		if a.Detector.ID == "ag-detect-new-network" {
			out = append(out, a)
		}
	}
	return out
}

func TestNewNetworkPrefix(t *testing.T) {
	als := networkAlerts(t, "ag-detect-new-network.tp.jsonl", DefaultBaseline)
	if len(als) != 1 {
		t.Fatalf("%d alerts, want 1", len(als))
	}
	a := als[0]
	if a.Severity != finding.High || a.IP != "198.51.100.7" || len(a.EventIDs) != 1 || a.EventIDs[0] != "00000000-0000-4000-9000-000000000006" {
		t.Errorf("alert %+v", a)
	}
	for _, want := range []string{"AKIAQEXAMPLECIDEPLOY", "198.51.100.0/24 via 198.51.100.7", "(2 calls)", "only 203.0.113.0/24"} {
		if !strings.Contains(a.Detail, want) {
			t.Errorf("detail %q lacks %q", a.Detail, want)
		}
	}
}

func TestNewNetworkASN(t *testing.T) {
	const table = "198.51.100.0\t198.51.100.255\t64501\tNL\tEXAMPLE-HOSTING\n" +
		"203.0.113.0\t203.0.113.255\t64500\tKR\tACME-CORP\n" +
		"192.0.2.0\t192.0.2.255\t64500\tKR\tACME-CORP\n"
	db, err := asn.Read(strings.NewReader(table), "test.tsv")
	if err != nil {
		t.Fatal(err)
	}
	withDB := func(s *State) Baseline {
		b := DefaultBaseline(s)
		b.Networks = db.Network
		return b
	}
	als := networkAlerts(t, "ag-detect-new-network.tp.jsonl", withDB)
	if len(als) != 1 || !strings.Contains(als[0].Detail, "network AS64501 EXAMPLE-HOSTING via 198.51.100.7") ||
		!strings.Contains(als[0].Detail, "only AS64500 ACME-CORP") {
		t.Fatalf("alerts %+v", als)
	}
	// Another /24 of the same AS is the same network: the company's second office.
	s := load(t, filepath.Join("testdata", "ag-detect-new-network.tp.jsonl"))
	for _, a := range s.Actors {
		for ip, seen := range a.IPs {
			if strings.HasPrefix(ip, "198.51.100.") {
				delete(a.IPs, ip)
				a.IPs["192.0.2.7"] = seen
			}
		}
	}
	for _, a := range Run(s, withDB(s)) {
		if a.Detector.ID == "ag-detect-new-network" {
			t.Errorf("alert for a network in the same AS: %s", a.Detail)
		}
	}
	// ...which without the database is a new /24
	found := false
	for _, a := range Run(s, DefaultBaseline(s)) {
		found = found || a.Detector.ID == "ag-detect-new-network" && strings.Contains(a.Detail, "192.0.2.0/24")
	}
	if !found {
		t.Error("no prefix alert without the database")
	}
	if als := networkAlerts(t, "ag-detect-new-network.fp.jsonl", withDB); len(als) > 0 {
		t.Errorf("alert on false-positive samples with a database: %s", als[0].Detail)
	}
}
