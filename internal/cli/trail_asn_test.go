package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTrailHuntASNDB(t *testing.T) {
	in := "../trail/detect/testdata/ag-detect-new-network.tp.jsonl"
	db := filepath.Join(t.TempDir(), "ip2asn-v4.tsv")
	os.WriteFile(db, []byte("198.51.100.0\t198.51.100.255\t64501\tNL\tEXAMPLE-HOSTING\n203.0.113.0\t203.0.113.255\t64500\tKR\tACME-CORP\n"), 0o644)

	t.Setenv(asnEnv, "")
	_, out, stderr := runCLI(t, "trail", "hunt", in, "-o", "json")
	if !strings.Contains(out, "ag-detect-new-network") || !strings.Contains(out, "198.51.100.0/24 via 198.51.100.7") {
		t.Errorf("no prefix alert without a database: %s %s", out, stderr)
	}
	_, out, stderr = runCLI(t, "trail", "hunt", in, "-o", "json", "--asn-db", db)
	if !strings.Contains(out, "AS64501 EXAMPLE-HOSTING via 198.51.100.7") || !strings.Contains(out, "only AS64500 ACME-CORP") {
		t.Errorf("--asn-db: no AS in the alert: %s %s", out, stderr)
	}
	t.Setenv(asnEnv, db)
	_, out, _ = runCLI(t, "trail", "timeline", in, "-o", "json")
	if !strings.Contains(out, "AKIAQEXAMPLECIDEPLOY") {
		t.Errorf("timeline with %s: the key is no suspect: %s", asnEnv, out)
	}
	_, out, _ = runCLI(t, "trail", "hunt", in, "-o", "json")
	if !strings.Contains(out, "AS64501 EXAMPLE-HOSTING") {
		t.Errorf("%s: no AS in the alert", asnEnv)
	}

	bad := filepath.Join(t.TempDir(), "ip2asn-v4.tsv")
	os.WriteFile(bad, []byte("198.51.100.0\t198.51.100.255\t64501\tNL\tX\n203.0.113.0\tnot-an-ip\t64500\tKR\tY\n"), 0o644)
	code, _, stderr := runCLI(t, "trail", "hunt", in, "--asn-db", bad)
	if code != ExitUsage || !strings.Contains(stderr, bad+":2: range_end") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("bad database: exit %d, stderr %q", code, stderr)
	}
}
