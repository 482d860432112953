package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
	"github.com/accountguard/accountguard/internal/inventory"
)

// useSim points the standard AWS environment at a simulator of the scenario, as
// `sim serve` tells a user to, and hides the developer's own AWS files.
func useSim(t *testing.T, scenario string, opts awssim.Options) *awssim.Running {
	t.Helper()
	r := simtest.Start(t, scenario, opts)
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_MAX_ATTEMPTS", "2") // injected failures are not worth ten retries in a test
	t.Setenv("AWS_PROFILE", "")
	os.Unsetenv("AWS_PROFILE")
	for _, kv := range r.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return r
}

func TestInventoryCommandAgainstSimulator(t *testing.T) {
	useSim(t, "leaked-key", awssim.Options{})
	out := filepath.Join(t.TempDir(), "snap.json")
	code, stdout, stderr := run(t, t.Context(), "inventory", "--output", "json", "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var snap inventory.Snapshot
	if err := json.Unmarshal([]byte(stdout), &snap); err != nil {
		t.Fatal(err)
	}
	if snap.Account.ID != "111122223333" || snap.User("support-admin") == nil {
		t.Fatalf("account %s, support-admin %v", snap.Account.ID, snap.User("support-admin"))
	}
	withInstances := 0
	for _, r := range snap.Resources {
		if len(r.Instances) > 0 {
			withInstances++
		}
	}
	if withInstances < 2 {
		t.Fatalf("instances in %d regions", withInstances)
	}
	if _, err := inventory.Read(out); err != nil {
		t.Fatal(err)
	}
	// The table names the attacker's user and its GPU instances.
	code, stdout, _ = run(t, t.Context(), "inventory", "--quiet")
	if code != 0 || !strings.Contains(stdout, "support-admin") || !strings.Contains(stdout, "p3.16xlarge") {
		t.Fatalf("exit %d table:\n%s", code, stdout)
	}
	code, stdout, _ = run(t, t.Context(), "inventory", "--quiet", "--lang", "ko")
	if code != 0 || !strings.Contains(stdout, "사용자") || !strings.Contains(stdout, "그룹 Admins") {
		t.Fatalf("exit %d Korean table:\n%s", code, stdout)
	}
}

func TestInventoryCommandPartialExit3(t *testing.T) {
	useSim(t, "leaked-key", awssim.Options{FailRegions: []string{"eu-west-1"}})
	code, _, stderr := run(t, t.Context(), "inventory", "--output", "json", "--quiet")
	if code != ExitPartial || !strings.Contains(stderr, "eu-west-1") {
		t.Fatalf("exit %d stderr %q", code, stderr)
	}
}

func TestSimRunInventory(t *testing.T) {
	t.Setenv("AWS_MAX_ATTEMPTS", "2")
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} {
		t.Setenv(k, "") // restored after the test: sim run sets them for the process
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	code, stdout, stderr := run(t, t.Context(), "sim", "run", "--scenario", "leaked-key", "--", "inventory", "--quiet")
	if code != 0 || !strings.Contains(stdout, "support-admin") {
		t.Fatalf("exit %d stderr %s stdout %s", code, stderr, stdout)
	}
	if code, _, _ := run(t, t.Context(), "sim", "run", "--", "no-such-command"); code != ExitUsage {
		t.Fatalf("unknown inner command: exit %d", code)
	}
}
