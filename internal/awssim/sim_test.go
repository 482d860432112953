package awssim

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// start runs a scenario's simulator for one test.
func start(t *testing.T, name string, opts Options) *Running {
	t.Helper()
	sc, err := LoadScenario(name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Start(sc, opts, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestSTSCallerIdentityAndAuth(t *testing.T) {
	r := start(t, "empty", Options{})
	ctx := context.Background()
	out, err := sts.NewFromConfig(r.Config("", "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != "123456789012" || aws.ToString(out.Arn) != "arn:aws:iam::123456789012:user/admin" {
		t.Fatalf("identity = %s %s", aws.ToString(out.Account), aws.ToString(out.Arn))
	}
	// A wrong secret fails the signature check; an unknown key is an invalid token.
	_, err = sts.NewFromConfig(r.Config(r.AdminKeyID, "wrong"+r.AdminSecret[5:])).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if apiCode(err) != "SignatureDoesNotMatch" {
		t.Fatalf("wrong secret: err = %v", err)
	}
	_, err = sts.NewFromConfig(r.Config("AKIAIOSFODNN7EXAMPLE", "x")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("unknown key: err = %v", err)
	}
	info, err := sts.NewFromConfig(r.Config("", "")).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(r.AdminKeyID)})
	if err != nil || aws.ToString(info.Account) != "123456789012" {
		t.Fatalf("GetAccessKeyInfo = %v, %v", info, err)
	}
	trail := r.Trail()
	if len(trail) != 2 || trail[0].EventName != "GetCallerIdentity" || trail[0].UserIdentity.AccessKeyID != r.AdminKeyID {
		t.Fatalf("trail = %+v", trail)
	}
}

func TestAccountFromKeyID(t *testing.T) {
	// Published example: ASIAY34FZKBOKMUTVV7A belongs to 609629065308.
	if got, _ := AccountFromKeyID("ASIAY34FZKBOKMUTVV7A"); got != "609629065308" {
		t.Fatalf("got %s", got)
	}
}
