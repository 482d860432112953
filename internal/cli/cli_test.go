package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes accountguard with args and returns its exit code, stdout and stderr.
func run(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Execute(ctx, args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestUsageErrorsExit2WithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"no-such-command"},
		{"version", "--lang", "fr"},
		{"version", "--no-such-flag"},
		{"sim", "export-trail", "--scenario", "no-such-scenario", "--dir", t.TempDir()},
		{"sim", "export-trail", "--scenario", filepath.Join(t.TempDir(), "missing.yaml"), "--dir", t.TempDir()},
	} {
		code, _, stderr := run(t, t.Context(), args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, stderr)
		}
		if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines != 0 || !strings.HasPrefix(stderr, "accountguard: ") {
			t.Errorf("%v: want one error line, got %q", args, stderr)
		}
	}
}

func TestMalformedScenarioFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("account: {id: \"111122223333\"}\nusers: [{name: x, keyz: []}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, t.Context(), "sim", "export-trail", "--scenario", bad, "--dir", t.TempDir())
	if code != ExitUsage || !strings.Contains(stderr, "bad.yaml") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("exit %d stderr %q", code, stderr)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := run(t, t.Context(), "version")
	if code != 0 || !strings.HasPrefix(stdout, "accountguard ") {
		t.Fatalf("exit %d stdout %q", code, stdout)
	}
}

func TestHelpDocumentsExitCodes(t *testing.T) {
	_, stdout, _ := run(t, t.Context(), "--help")
	for _, want := range []string{"Exit codes", "2  usage or input error", "3  partial", "--profile", "--region", "--output", "--quiet", "--lang"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}
