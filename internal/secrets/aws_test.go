package secrets

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
	"github.com/accountguard/accountguard/internal/secrets/detect"
)

// leakedKey starts the simulator with an empty account and, through the real IAM API,
// makes the CI user whose key leaks, with AWS's quarantine policy attached as AWS does.
func leakedKey(t *testing.T) (*awssim.Running, string, string) {
	t.Helper()
	r := simtest.Start(t, "empty", awssim.Options{})
	ctx := t.Context()
	c := iam.NewFromConfig(r.Config("", ""))
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ci-deploy")}); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ci-deploy")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ci-deploy"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3")}); err != nil {
		t.Fatal(err)
	}
	return r, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
}

// Verification and ownership against the simulator, through the real SDK clients: the
// leaked CI key is live and is the account's own (user, status, last use, quarantine); a
// key unknown to AWS is invalid; a key without a secret is not sent anywhere.
func TestVerifyAndMineAgainstSimulator(t *testing.T) {
	r, id, secret := leakedKey(t)
	in := "[ci]\naws_access_key_id = " + id + "\naws_secret_access_key = " + secret + "\n" +
		"[old]\naws_access_key_id = AKIAUJZDEGXDNCF32EPF\naws_secret_access_key = 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\n" +
		"lonely = AKIAGMXGEDN73U55XTPL\n"
	res, err := ScanReader(strings.NewReader(in), "(stdin)", Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := VerifyKeys(t.Context(), STSVerifier{Base: r.Config("", "")}, res.Hits)
	if err != nil {
		t.Fatal(err)
	}
	if got := v[id]; got.Status != "active" || !strings.HasSuffix(got.ARN, ":user/ci-deploy") || got.Account != r.Account {
		t.Errorf("leaked key: %+v", got)
	}
	if got := v["AKIAUJZDEGXDNCF32EPF"]; got.Status != "invalid" {
		t.Errorf("unknown key: %+v", got)
	}
	if got := v["AKIAGMXGEDN73U55XTPL"]; got.Status != "no-secret" {
		t.Errorf("key without secret: %+v", got)
	}
	owners, err := MyKeys(t.Context(), iam.NewFromConfig(r.Config("", "")), KeyIDs(res.Hits))
	if err != nil {
		t.Fatal(err)
	}
	o, ok := owners[id]
	// The verification call above was the key's last use.
	if !ok || o.User != "ci-deploy" || o.Status != "Active" || !o.Quarantined || o.LastUsed.IsZero() || o.LastService != "sts" {
		t.Errorf("owner of the leaked key: %+v (found %v)", o, ok)
	}
	if len(owners) != 1 {
		t.Errorf("owners: %d keys, want only the account's own", len(owners))
	}
	fs := Findings(res.Hits, &Facts{Verify: v, Owners: owners})
	var seen bool
	for _, f := range fs {
		if f.Attributes["mine"] == "true" && f.RuleID == "aws-access-key-id" {
			seen = true
			if f.Attributes["owner"] != "ci-deploy" || f.Attributes["quarantined"] != "true" || f.Attributes["verified"] != "active" || f.Severity.String() != "critical" {
				t.Errorf("finding: %+v", f.Attributes)
			}
			if strings.Contains(f.Detail.En, secret) || strings.Contains(f.Detail.En, id) {
				t.Error("finding detail holds the key")
			}
		}
	}
	if !seen {
		t.Error("no finding says the key is ours")
	}
}

// fakeVerifier counts calls: examples and keys without secrets must never reach AWS.
type fakeVerifier struct{ calls []string }

func (f *fakeVerifier) Verify(_ context.Context, keyID string, _, _ detect.Secret) (VerifyResult, error) {
	f.calls = append(f.calls, keyID)
	return VerifyResult{Status: "invalid"}, nil
}

func TestVerifyNeverSendsExamples(t *testing.T) {
	in := "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
	res, _ := ScanReader(strings.NewReader(in), "x", Options{})
	f := &fakeVerifier{}
	if _, err := VerifyKeys(t.Context(), f, res.Hits); err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 0 {
		t.Errorf("verified documentation examples: %v", f.calls)
	}
}

// The simulator's leaked-key story: the CI user's 400-day-old key leaked, the attacker used
// it days ago, and AWS attached its quarantine policy. --mine says all of it.
func TestMineLeakedKeyScenario(t *testing.T) {
	r := simtest.Start(t, "leaked-key", awssim.Options{})
	var id, secret string
	r.Inspect(func(w *awssim.World) {
		for _, a := range w.Accounts {
			if u := a.User("ci-deploy"); u != nil && len(u.Keys) > 0 {
				id, secret = u.Keys[0].ID, u.Keys[0].Secret
			}
		}
	})
	if id == "" {
		t.Fatal("scenario has no ci-deploy key")
	}
	res, err := ScanReader(strings.NewReader("AWS_ACCESS_KEY_ID="+id+"\nAWS_SECRET_ACCESS_KEY="+secret+"\n"), "leak.env", Options{})
	if err != nil {
		t.Fatal(err)
	}
	owners, err := MyKeys(t.Context(), iam.NewFromConfig(r.Config("", "")), KeyIDs(res.Hits))
	if err != nil {
		t.Fatal(err)
	}
	o := owners[id]
	if o.User != "ci-deploy" || !o.Quarantined || o.Status != "Active" || o.LastService == "" || r.Now().Sub(o.LastUsed) > 7*24*time.Hour || r.Now().Sub(o.Created) < 399*24*time.Hour {
		t.Errorf("owner: %+v", o)
	}
}
