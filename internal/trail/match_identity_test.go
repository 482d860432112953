package trail

import (
	"fmt"
	"strings"
	"testing"
)

// A match names the key of its earliest record (the smaller key on a tie), whatever the
// order of the records and however they are split among workers: a role session that used
// several keys is then reported the same way on every run.
func TestMatchNamesEarliestKey(t *testing.T) {
	rec := func(tm, key string) string {
		return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:ops","arn":"arn:aws:sts::111122223333:assumed-role/ops/ops","accountId":"111122223333","accessKeyId":%q},"eventTime":%q,"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2.0","requestParameters":{"name":"main"},"responseElements":null,"eventID":"%s-%s","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`,
			key, tm, key, tm)
	}
	late, early, tie := rec("2024-05-01T10:00:00Z", "ASIAKEYBBBBBBBBBBBB"), rec("2024-05-01T09:00:00Z", "ASIAKEYZZZZZZZZZZZZ"), rec("2024-05-01T09:00:00Z", "ASIAKEYAAAAAAAAAAAA")
	e := NewEngine()
	for _, split := range [][]string{
		{late + "\n" + early + "\n" + tie},
		{tie + "\n" + early + "\n" + late},
		{late + "\n" + tie, early},
		{early, late + "\n" + tie},
		{late, tie, early},
	} {
		var srcs []Source
		for i, text := range split {
			srcs = append(srcs, memSource{fmt.Sprintf("part%d.jsonl", i), []byte(text)})
		}
		for _, workers := range []int{1, 2} {
			res := e.Hunt(t.Context(), srcs, HuntOptions{ReadOptions: ReadOptions{Workers: workers}})
			found := 0
			for _, m := range res.Matches {
				if !strings.Contains(m.Actor, "assumed-role/ops") {
					continue
				}
				found++
				if m.KeyID != "ASIAKEYAAAAAAAAAAAA" || m.Count != 3 {
					t.Errorf("%d inputs, %d workers, rule %s: key %s, %d records; want the earliest record's smaller key, 3", len(split), workers, RuleName(m.Rule), m.KeyID, m.Count)
				}
			}
			if found == 0 {
				t.Fatalf("no rule matched StopLogging")
			}
		}
	}
}
