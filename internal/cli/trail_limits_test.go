package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A hunt that reaches a bound of what it keeps says so in one warning line on stderr, and
// still prints its findings with the exit code it would have had: here one key's 1,100
// persistence calls a minute apart, past the 1,024 entries a list of calls keeps.
func TestTrailHuntWarnsAtLimits(t *testing.T) {
	var b strings.Builder
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1100 {
		fmt.Fprintf(&b, `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/ci","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEKEY000001","userName":"ci"},`+
			`"eventTime":"%s","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2.15",`+
			`"requestParameters":{"userName":"ci"},"responseElements":{"accessKey":{"userName":"ci","accessKeyId":"AKIAEXAMPLE%09d","status":"Active","createDate":"%s"}},`+
			`"eventID":"00000000-0000-4000-8000-%012d","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`+"\n",
			t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), i, t0.Format(time.RFC3339), i)
	}
	path := filepath.Join(t.TempDir(), "flood.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "trail", "hunt", path, "-o", "json")
	if code == ExitPartial || code == ExitUsage {
		t.Fatalf("exit %d: a bound reached is not an input error; stderr %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "warning") || !strings.Contains(lines[0], "coarser time resolution") {
		t.Errorf("stderr should be one warning line about the coarsened list: %q", stderr)
	}
	var fs []map[string]any
	if err := json.Unmarshal([]byte(out), &fs); err != nil || len(fs) == 0 {
		t.Fatalf("findings: %d, %v", len(fs), err)
	}
}
