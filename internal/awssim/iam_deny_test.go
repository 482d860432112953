package awssim

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestIAMDocDenies(t *testing.T) {
	for _, tc := range []struct {
		doc, action string
		want        bool
	}{
		{`{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, "iam:ListUsers", true},
		{`{"Statement":{"Effect":"Deny","Action":"iam:Create*","Resource":"*"}}`, "iam:CreateUser", true},
		{`{"Statement":[{"Effect":"Deny","Action":["ec2:RunInstances","iam:createuser"],"Resource":"*"}]}`, "iam:CreateUser", true},
		{`{"Statement":[{"Effect":"Deny","NotAction":["iam:ChangePassword"],"Resource":"*"}]}`, "ec2:RunInstances", true},
		{`{"Statement":[{"Effect":"Deny","Action":"ec2:Run?nstances","Resource":"*"}]}`, "ec2:RunInstances", true},
		// Not denied: allows, other actions, NotAction naming the action, conditions, garbage.
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "iam:ListUsers", false},
		{`{"Statement":[{"Effect":"Deny","Action":"iam:Create*","Resource":"*"}]}`, "iam:ListUsers", false},
		{`{"Statement":[{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}]}`, "iam:ListUsers", false},
		{`{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`, "iam:ListUsers", false},
		{`not json`, "iam:ListUsers", false},
	} {
		if got := iamDocDenies(tc.doc, tc.action); got != tc.want {
			t.Errorf("%s on %s = %v, want %v", tc.doc, tc.action, got, tc.want)
		}
	}
}

// A deny-all inline policy, as a responder attaches it, locks the user out of everything
// but GetCallerIdentity, in every service; taking it away restores access.
func TestIAMExplicitDenyThroughSDK(t *testing.T) {
	r, admin := iamStartIAM(t, Options{})
	ctx := t.Context()
	key := iamOK(admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")})).get(t, "key")
	id, secret := aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)
	carol := iamClientAs(r, id, secret)
	cfg := r.Config(id, secret)
	cfg.RetryMaxAttempts = 1
	carolEC2 := ec2.NewFromConfig(cfg)
	iamOK(carol.ListUsers(ctx, &iam.ListUsersInput{})).get(t, "before")

	iamOK(admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("deny-all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)})).get(t, "deny")
	_, err := carol.ListUsers(ctx, &iam.ListUsersInput{})
	iamWantCode(t, "IAM after deny", err, "AccessDenied")
	if !strings.Contains(err.Error(), "with an explicit deny in an identity-based policy") {
		t.Fatalf("message: %v", err)
	}
	_, err = carolEC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	iamWantCode(t, "EC2 after deny", err, "UnauthorizedOperation")
	iamOK(sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).get(t, "GetCallerIdentity is never denied")
	if rec := iamLastRecord(t, r, "DescribeInstances"); rec.ErrorCode != "Client.UnauthorizedOperation" || rec.UserIdentity.AccessKeyID != id {
		t.Fatalf("trail = %+v", rec)
	}

	iamOK(admin.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("deny-all")})).get(t, "undo")
	iamOK(carol.ListUsers(ctx, &iam.ListUsersInput{})).get(t, "after undo")

	// A Deny through a group counts too.
	iamOK(admin.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("carol"), GroupName: aws.String("devs")})).get(t, "join")
	iamOK(admin.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("no-list"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:List*","Resource":"*"}]}`)})).get(t, "group deny")
	_, err = carol.ListUsers(ctx, &iam.ListUsersInput{})
	iamWantCode(t, "group deny", err, "AccessDenied")
	iamOK(admin.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: aws.String("carol"), GroupName: aws.String("devs")})).get(t, "leave")

	// AWS's quarantine policy denies what it lists and nothing else.
	iamOK(admin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2")})).get(t, "quarantine")
	_, err = carol.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("backdoor")})
	iamWantCode(t, "quarantined CreateUser", err, "AccessDenied")
	iamOK(carol.ListUsers(ctx, &iam.ListUsersInput{})).get(t, "quarantined ListUsers")
}
