package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
)

const (
	cliKey    = "AKIAUJZDEGXDNCF32EPF"
	cliSecret = "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"
)

func runSecretsCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Execute(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestSecretsExitCodes(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "creds.env"), []byte("AWS_ACCESS_KEY_ID="+cliKey+"\nAWS_SECRET_ACCESS_KEY="+cliSecret+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	clean := t.TempDir()
	if err := os.WriteFile(filepath.Join(clean, "main.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runSecretsCLI(t, "", "secrets", clean); code != ExitOK || !strings.Contains(out, "No leaked secrets found") {
		t.Errorf("clean tree: exit %d\n%s", code, out)
	}
	code, out, errOut := runSecretsCLI(t, "", "secrets", dir, "-o", "json")
	if code != ExitFindings {
		t.Errorf("findings: exit %d, want 1", code)
	}
	if strings.Contains(out+errOut, cliSecret) || strings.Contains(out+errOut, cliKey) {
		t.Error("output holds a whole secret")
	}
	// A missing path and a non-repository among good inputs: exit 2, one line each, and the
	// good input is still scanned and reported.
	missing := filepath.Join(dir, "nope")
	code, out, errOut = runSecretsCLI(t, "", "secrets", "-q", missing, dir, "-o", "json")
	var fs []map[string]any
	if err := json.Unmarshal([]byte(out), &fs); err != nil || len(fs) != 2 {
		t.Errorf("good input not reported: %v %s", err, out)
	}
	if code != ExitUsage || !strings.Contains(errOut, missing+": no such file or directory") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("bad path: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runSecretsCLI(t, "", "secrets", "-q", "--git", clean)
	if code != ExitUsage || !strings.Contains(errOut, clean+": not a git repository") {
		t.Errorf("non-repository: exit %d, stderr %q", code, errOut)
	}
	// Baseline: record, then the same findings are ignored.
	bl := filepath.Join(t.TempDir(), "baseline.json")
	if code, _, errOut := runSecretsCLI(t, "", "secrets", dir, "--baseline", bl, "--baseline-write"); code != ExitOK {
		t.Errorf("baseline write: exit %d %s", code, errOut)
	}
	if code, _, errOut := runSecretsCLI(t, "", "secrets", dir, "--baseline", bl); code != ExitOK {
		t.Errorf("with baseline: exit %d %s", code, errOut)
	}
	if code, out, _ := runSecretsCLI(t, "", "secrets", dir, "-o", "yaml"); code != ExitUsage {
		t.Errorf("bad --output: exit %d %s", code, out)
	}
}

func TestSecretsStagedAndStdin(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"init", "-q"}, {"config", "user.email", "a@b"}, {"config", "user.name", "a"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("%v %s", err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "a.py"), []byte("k = '"+cliKey+"'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := runSecretsCLI(t, "", "secrets", "--staged", dir); code != ExitOK {
		t.Errorf("nothing staged: exit %d", code)
	}
	if out, err := exec.Command("git", "-C", dir, "add", "a.py").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	if code, out, _ := runSecretsCLI(t, "", "secrets", "--staged", dir); code != ExitFindings || !strings.Contains(out, "a.py:1") {
		t.Errorf("staged key: exit %d\n%s", code, out)
	}
	if code, out, _ := runSecretsCLI(t, "x = "+cliKey+" # accountguard:allow\n", "secrets", "-"); code != ExitOK || !strings.Contains(out, "1 more muted") {
		t.Errorf("allowed on stdin: exit %d\n%s", code, out)
	}
}

// --verify and --mine go through the standard AWS configuration: AWS_ENDPOINT_URL points
// the real SDK at the simulator.
func TestSecretsVerifyMineThroughEndpointURL(t *testing.T) {
	r := simtest.Start(t, "empty", awssim.Options{})
	c := iam.NewFromConfig(r.Config("", ""))
	ctx := t.Context()
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ci")}); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ci")})
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range r.Env() {
		name, v, _ := strings.Cut(kv, "=")
		t.Setenv(name, v)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	in := "id: " + aws.ToString(k.AccessKey.AccessKeyId) + "\nsecret_access_key: " + aws.ToString(k.AccessKey.SecretAccessKey) + "\n"
	code, out, errOut := runSecretsCLI(t, in, "secrets", "-", "--verify", "--mine", "-o", "json")
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"verified": "active"`) || !strings.Contains(out, `"owner": "ci"`) || !strings.Contains(out, ":user/ci") {
		t.Errorf("verify/mine not reported:\n%s", out)
	}
	if strings.Contains(out, aws.ToString(k.AccessKey.SecretAccessKey)) || strings.Contains(out, aws.ToString(k.AccessKey.AccessKeyId)) {
		t.Error("output holds the key")
	}
}
