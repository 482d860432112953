package trail

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHuntMatchesBounded: a rule matched by more identities than maxMatches keeps one
// Match per identity up to it and counts the rest in one Match per rule, without an
// identity, and the hunt says so.
func TestHuntMatchesBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("60,000 records")
	}
	const n = maxMatches + 10_000
	path := filepath.Join(t.TempDir(), "many.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(w, `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:s%d","arn":"arn:aws:sts::111122223333:assumed-role/r/s%d","accountId":"111122223333"},`+
			`"eventTime":"%s","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7",`+
			`"userAgent":"aws-cli/2.15","requestParameters":{"name":"main"},"responseElements":null,"eventID":"00000000-0000-4000-8000-%012d","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`+"\n",
			i, i, t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	srcs, errs := Files([]string{path}, Window{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	res := NewEngine().Hunt(context.Background(), srcs, HuntOptions{})
	if res.Stats.Records != n {
		t.Fatalf("%d records read", res.Stats.Records)
	}
	if len(res.Matches) > maxMatches+len(NewEngine().Set.Rules) {
		t.Errorf("%d matches kept", len(res.Matches))
	}
	perRule := map[string]int{}
	others := 0
	for _, m := range res.Matches {
		perRule[m.Rule.File] += m.Count
		if m.Actor == "" {
			others++
			if len(m.EventIDs) == 0 || m.ARN != "" {
				t.Errorf("the others' match: %+v", m)
			}
		}
	}
	if others == 0 || len(perRule) == 0 {
		t.Fatalf("%d rules matched, %d matches of other identities", len(perRule), others)
	}
	for r, c := range perRule {
		if c != n {
			t.Errorf("%s: %d records counted, want %d", r, c, n)
		}
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "(rule, identity) matches") {
		t.Errorf("warnings: %q", w)
	}
	for _, f := range res.Findings("111122223333") {
		if f.Principal == "" && !strings.Contains(f.Detail.En, "identities past the") {
			t.Errorf("finding without principal: %s", f.Detail.En)
		}
	}
	for _, s := range res.Suspects() {
		if s.Actor == "" {
			t.Error("the others' match made a suspect")
		}
	}
}

// TestHuntCreatedBounded: past maxCreated created resources, attribution keeps no more,
// counts the rest, and the hunt says so; the resources kept are whole.
func TestHuntCreatedBounded(t *testing.T) {
	old := maxCreated
	maxCreated = 100
	t.Cleanup(func() { maxCreated = old })
	dir := t.TempDir()
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var srcs []Source
	for part := range 2 { // two inputs, two workers: the limit is the hunt's, not a worker's
		var b strings.Builder
		for i := part * 75; i < part*75+75; i++ {
			fmt.Fprintf(&b, `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/ci","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEKEY000001","userName":"ci"},`+
				`"eventTime":"%s","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2.15",`+
				`"requestParameters":{"userName":"u%03d"},"responseElements":{"user":{"path":"/","userName":"u%03d","userId":"AIDAUSER%012d","arn":"arn:aws:iam::111122223333:user/u%03d"}},`+
				`"eventID":"00000000-0000-4000-8000-%012d","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`+"\n",
				t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), i, i, i, i, i)
		}
		p := filepath.Join(dir, fmt.Sprintf("part%d.jsonl", part))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, File(p))
	}
	res := NewEngine().Hunt(context.Background(), srcs, HuntOptions{ReadOptions: ReadOptions{Workers: 2}})
	if res.Stats.Records != 150 {
		t.Fatalf("%d records read", res.Stats.Records)
	}
	if n := len(res.Created.All); n != 100 {
		t.Errorf("%d created resources kept, want 100", n)
	}
	for _, c := range res.Created.All {
		if c.ID == "" || c.Actor == "" || c.EventID == "" || c.Time.IsZero() {
			t.Errorf("a kept resource is not whole: %+v", c)
		}
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "more than 100 created resources: 50 more were not kept") {
		t.Errorf("warnings: %q", w)
	}
}
