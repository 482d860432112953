package awssim

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func sessionConfig(r *Running, c *ststypes.Credentials) aws.Config {
	cfg := r.Config("", "")
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return cfg
}

func TestAssumeRoleThroughSDK(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	clock := now
	r := start(t, "leaked-key", Options{Now: func() time.Time { return clock }})
	ctx := t.Context()
	admin := sts.NewFromConfig(r.Config("", ""))
	// A role that trusts the account can be assumed by its admin.
	iamc := iam.NewFromConfig(r.Config("", ""))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`
	role, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("incident-responder"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := admin.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("ir-1"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	if id := aws.ToString(out.Credentials.AccessKeyId); id[:4] != "ASIA" {
		t.Fatalf("temporary key %s", id)
	}
	session := sessionConfig(r, out.Credentials)
	who, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:sts::111122223333:assumed-role/incident-responder/ir-1" {
		t.Fatalf("caller %v, %v", who, err)
	}
	// The session works in other services, and CloudTrail names the role behind it.
	if _, err := ec2.NewFromConfig(session).DescribeRegions(ctx, &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatal(err)
	}
	trail := r.Trail()
	last := trail[len(trail)-1]
	if last.UserIdentity.Type != "AssumedRole" || last.UserIdentity.SessionContext == nil || last.UserIdentity.SessionContext.SessionIssuer.UserName != "incident-responder" {
		t.Fatalf("userIdentity %+v", last.UserIdentity)
	}
	// Without its session token the key is unknown; after expiry it is refused.
	noToken := r.Config(aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey))
	if _, err := sts.NewFromConfig(noToken).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("without token: %v", err)
	}
	clock = now.Add(16 * time.Minute)
	if _, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "ExpiredToken" {
		t.Fatalf("expired: %v", err)
	}
	// A service role (trusts ec2.amazonaws.com only) cannot be assumed by a user.
	_, err = admin.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/web-instance-role"), RoleSessionName: aws.String("x1")})
	if apiCode(err) != "AccessDenied" {
		t.Fatalf("service role: %v", err)
	}
	if _, err := admin.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("bad name!")}); apiCode(err) != "ValidationError" {
		t.Fatalf("bad session name: %v", err)
	}
}

func TestGetSessionTokenThroughSDK(t *testing.T) {
	r := start(t, "leaked-key", Options{})
	ctx := t.Context()
	out, err := sts.NewFromConfig(r.Config("", "")).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	session := sessionConfig(r, out.Credentials)
	who, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:iam::111122223333:user/minji.park" {
		t.Fatalf("caller %v, %v", who, err)
	}
	if _, err := sts.NewFromConfig(session).GetSessionToken(ctx, &sts.GetSessionTokenInput{}); apiCode(err) != "AccessDenied" {
		t.Fatalf("session from a session: %v", err)
	}
	// Session keys are not the user's access keys.
	keys, err := iam.NewFromConfig(r.Config("", "")).ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("minji.park")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 {
		t.Fatalf("keys %v, %v", keys, err)
	}
}
