package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
	"github.com/accountguard/accountguard/internal/trail"
)

const trailData = "../trail/testdata/invictus-aws_dataset/CloudTrail"

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Execute(t.Context(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestTrailHuntOutputs(t *testing.T) {
	code, out, stderr := runCLI(t, "trail", "hunt", trailData)
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d (high findings); stderr %s", code, ExitFindings, stderr)
	}
	if !strings.Contains(out, "ag_evasion_cloudtrail_tampering") || !strings.Contains(out, "vitaliy0x1") {
		t.Errorf("table lacks a rule or its author:\n%s", out)
	}
	code, out, _ = runCLI(t, "trail", "hunt", trailData, "-o", "csv", "--fail-on", "critical")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 10 || rows[0][9] != "author" {
		t.Fatalf("csv: %v, %d rows", err, len(rows))
	}
	if code != ExitFindings {
		t.Errorf("--fail-on critical: exit %d", code)
	}
	_, out, _ = runCLI(t, "trail", "hunt", trailData, "-o", "ocsf")
	var ocsf []map[string]any
	if err := json.Unmarshal([]byte(out), &ocsf); err != nil || len(ocsf) == 0 || ocsf[0]["class_uid"].(float64) != 2004 {
		t.Fatalf("ocsf: %v", err)
	}
	code, _, _ = runCLI(t, "trail", "hunt", trailData, "--since", "2030-01-01")
	if code != ExitOK {
		t.Errorf("empty window: exit %d", code)
	}
}

func TestTrailBadInputPartial(t *testing.T) {
	dir := t.TempDir()
	b, _ := os.ReadFile(filepath.Join(trailData, "218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json"))
	os.WriteFile(filepath.Join(dir, "good.json"), b, 0o644)
	os.WriteFile(filepath.Join(dir, "broken.json.gz"), []byte{0x1f, 0x8b, 8, 0, 0, 0}, 0o644)
	code, out, stderr := runCLI(t, "trail", "hunt", dir, "-o", "json")
	if code != ExitPartial {
		t.Fatalf("exit %d, want %d; stderr %s", code, ExitPartial, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "broken.json.gz") {
		t.Errorf("stderr should be one line naming the broken file: %q", stderr)
	}
	var fs []map[string]any
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("the good file's findings are still printed: %v", err)
	}
	for _, args := range [][]string{{"trail", "hunt"}, {"trail", "hunt", dir, "--since", "yesterday-ish"}, {"trail", "activity", "--in", dir}, {"trail", "hunt", dir, "-o", "sarif"}} {
		if code, _, _ := runCLI(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
}

func TestTrailWhoCreatedAndActivity(t *testing.T) {
	_, out, _ := runCLI(t, "trail", "hunt", trailData, "-o", "json")
	var fs []struct {
		RuleID     string            `json:"rule_id"`
		Attributes map[string]string `json:"attributes"`
	}
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "trail", "who-created", "--in", trailData, "-o", "json", "i-doesnotexist")
	if code != ExitOK || !strings.Contains(out, "i-doesnotexist") {
		t.Fatalf("who-created: exit %d %s %s", code, out, stderr)
	}
	code, out, _ = runCLI(t, "trail", "activity", "--in", trailData, "--user", "bert-jan", "-o", "json")
	var act struct {
		Created []map[string]any `json:"created"`
		Events  []map[string]any `json:"events"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &act) != nil || len(act.Events) == 0 || len(act.Created) == 0 {
		t.Fatalf("activity: exit %d, %d events, %d created", code, len(act.Events), len(act.Created))
	}
	id := act.Created[0]["id"].(string)
	code, out, _ = runCLI(t, "trail", "who-created", "--in", trailData, id)
	if code != ExitOK || !strings.Contains(out, "bert-jan") {
		t.Errorf("who-created %s: %s", id, out)
	}
}

// TestTrailTimelineLeakedKey: the leaked-key scenario's exported trail, through the CLI.
func TestTrailTimelineLeakedKey(t *testing.T) {
	srv := simtest.New(t, "leaked-key", awssim.Options{})
	dir, _ := simtest.ExportTrail(t, srv.Trail())
	gt := srv.GroundTruth()
	code, out, stderr := runCLI(t, "trail", "timeline", dir, "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var tl struct {
		Suspects []struct {
			Actor, ARN string
		} `json:"suspects"`
		Timeline []struct {
			Actor  string   `json:"actor"`
			Phase  string   `json:"phase"`
			IPs    []string `json:"source_ips"`
			Events []struct {
				IP string `json:"source_ip"`
			} `json:"events"`
		} `json:"timeline"`
	}
	if err := json.Unmarshal([]byte(out), &tl); err != nil {
		t.Fatal(err)
	}
	var actors []string
	for _, s := range tl.Suspects {
		actors = append(actors, s.Actor+" "+s.ARN)
	}
	all := strings.Join(actors, "\n")
	if !strings.Contains(all, gt.LeakedKey) || !strings.Contains(all, "user/support-admin") || strings.Contains(all, "minji.park") || strings.Contains(all, "dev.lee") {
		t.Fatalf("attacker principals:\n%s", all)
	}
	for _, g := range tl.Timeline {
		for _, e := range g.Events {
			if !slices.Contains(gt.IPs, e.IP) {
				t.Errorf("timeline group %s/%s holds a call from %s", g.Actor, g.Phase, e.IP)
			}
		}
	}
	code, out, _ = runCLI(t, "trail", "activity", "--in", dir, "--key", gt.LeakedKey)
	if code != ExitOK || !strings.Contains(out, "gpu-workers-asg") || !strings.Contains(out, "support-admin") {
		t.Errorf("activity --key: exit %d\n%s", code, out)
	}
}

// TestTrailExtraRules: a folder of extra Sigma rules runs with the built-in ones; a rule
// using an unsupported feature is named with the feature on stderr and skipped.
func TestTrailExtraRules(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine.yml"), []byte("title: Bert-jan Lists Buckets\nauthor: tester\nlevel: critical\ndetection:\n  s:\n    eventName: ListBuckets\n    userIdentity.userName: bert-jan\n  condition: s\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "odd.yml"), []byte("title: Uses Windash\nauthor: tester\ndetection:\n  s:\n    CommandLine|windash: '-x'\n  condition: s\n"), 0o644)
	code, out, stderr := runCLI(t, "trail", "hunt", trailData, "--rules", dir, "-o", "csv")
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "Uses Windash") || !strings.Contains(lines[0], "|windash") {
		t.Errorf("stderr %q: want one line naming the skipped rule and its feature", stderr)
	}
	if !strings.Contains(out, "Bert-jan Lists Buckets") || !strings.Contains(out, "tester") {
		t.Errorf("the extra rule's match (with its author) is missing:\n%s", out)
	}
}

// TestTrailFromS3AndLookupEvents: the CLI reads an S3 export bucket and the LookupEvents API
// of the simulator through the standard AWS environment, and the timeline's second pass
// reads the local copy made during the hunt.
func TestTrailFromS3AndLookupEvents(t *testing.T) {
	r := simtest.Start(t, "leaked-key", awssim.Options{})
	gt := r.GroundTruth()
	dir, files := simtest.ExportTrail(t, r.Trail())
	client := s3.NewFromConfig(r.Config("", ""), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("trail")}); err != nil {
		t.Fatal(err)
	}
	simtest.PutFiles(t, client, "trail", dir, files)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	for _, kv := range r.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	for _, args := range [][]string{
		{"trail", "timeline", "s3://trail/AWSLogs/", "-o", "json"},
		{"trail", "timeline", "--lookup", "-o", "json"},
	} {
		code, out, stderr := runCLI(t, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		if !strings.Contains(out, gt.LeakedKey) || !strings.Contains(out, "user/support-admin") || strings.Contains(out, "minji.park") {
			t.Errorf("%v: timeline does not name exactly the attacker's principals", args)
		}
		if !strings.Contains(out, `"phase": "impact"`) || !strings.Contains(out, "RunInstances") {
			t.Errorf("%v: the second pass found no impact calls", args)
		}
		if args[2] == "s3://trail/AWSLogs/" {
			gets := 0
			for _, rec := range r.Trail() {
				if rec.EventName == "GetObject" {
					gets++
				}
			}
			if gets != len(files) {
				t.Errorf("%d GetObject calls for %d objects: the second pass must read the local copy", gets, len(files))
			}
		}
	}
}

func TestTableCells(t *testing.T) {
	if got := shortPrincipal("arn:aws:iam::123456789012:user/bert", "123456789012"); got != "user/bert" {
		t.Errorf("shortPrincipal = %q", got)
	}
	if got := shortPrincipal("arn:aws:iam::999999999999:user/bert", "123456789012"); got != "arn:aws:iam::999999999999:user/bert" {
		t.Errorf("another account's ARN was shortened: %q", got)
	}
	if got := shortPrincipal("arn:aws:sts::123456789012:assumed-role/ci/s1", ""); got != "arn:aws:sts::123456789012:assumed-role/ci/s1" {
		t.Errorf("no account known, shortened anyway: %q", got)
	}
	if got := clipMiddle("assumed-role/stratus-red-team-ec2-get-password-data-role/aws-go-sdk-1688990082523310002", 40); len([]rune(got)) != 40 || !strings.HasPrefix(got, "assumed-role/") || !strings.HasSuffix(got, "523310002") {
		t.Errorf("clipMiddle = %q", got)
	}
	if got := clipMiddle("short", 40); got != "short" {
		t.Errorf("clipMiddle(short) = %q", got)
	}
}

func TestRenderTimelineLanguages(t *testing.T) {
	sus := []trail.Suspect{
		{Actor: "AKIAEXAMPLE", ARN: "arn:aws:iam::111122223333:user/ci", Compromised: true, NormalIPs: []string{"203.0.113.5"}, Reasons: []string{"ag-detect-new-source-ip"}},
		{Actor: "arn:aws:iam::111122223333:user/backdoor", ARN: "arn:aws:iam::111122223333:user/backdoor", Reasons: []string{"created by AKIAEXAMPLE"}},
	}
	groups := []trail.Group{{Actor: "AKIAEXAMPLE", Phase: "persistence", Count: 2, IPs: []string{"198.51.100.7"}, Regions: []string{"us-east-1"}}}
	for lang, want := range map[string][]string{
		"en": {"Attacker principals:", "compromised (normal sources: 203.0.113.5)", "2 calls", "IPs: 198.51.100.7"},
		"ko": {"공격자 주체:", "탈취됨 (평소 출발지: 203.0.113.5)", "호출 2건", "리전: us-east-1"},
	} {
		var b strings.Builder
		renderTimeline(&b, lang, sus, groups)
		for _, w := range want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: no %q in\n%s", lang, w, b.String())
			}
		}
		if strings.Count(b.String(), "user/backdoor") != 1 {
			t.Errorf("%s: an ARN that is the actor is printed twice:\n%s", lang, b.String())
		}
	}
}
