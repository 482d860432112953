package awssim

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const iamTrustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestIAMRoleWrites(t *testing.T) {
	r, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	out := iamOK(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("backdoor"), AssumeRolePolicyDocument: aws.String(iamTrustEC2), Description: aws.String("x")})).get(t, "CreateRole")
	if aws.ToString(out.Role.Arn) != "arn:aws:iam::111122223333:role/backdoor" || !strings.HasPrefix(aws.ToString(out.Role.RoleId), "AROA") {
		t.Fatalf("role = %+v", out.Role)
	}
	if b, _ := json.Marshal(iamLastRecord(t, r, "CreateRole").ResponseElements); !strings.Contains(string(b), `"roleName":"backdoor"`) {
		t.Fatalf("responseElements = %s", b)
	}
	roles := iamOK(c.ListRoles(ctx, &iam.ListRolesInput{})).get(t, "ListRoles")
	if len(roles.Roles) != 2 {
		t.Fatalf("roles = %d", len(roles.Roles))
	}
	paged := iamOK(c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1)})).get(t, "paged")
	if !paged.IsTruncated || len(paged.Roles) != 1 {
		t.Fatalf("paged roles = %+v", paged)
	}
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("backdoor"), AssumeRolePolicyDocument: aws.String(iamTrustEC2)})
	iamWantCode(t, "duplicate", err, "EntityAlreadyExists")
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r2"), AssumeRolePolicyDocument: aws.String("{")})
	iamWantCode(t, "bad trust", err, "MalformedPolicyDocument")
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r2"), AssumeRolePolicyDocument: aws.String(iamTrustEC2), MaxSessionDuration: aws.Int32(60)})
	iamWantCode(t, "short session", err, "ValidationError")

	iamOK(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("backdoor"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Statement":[]}`)})).get(t, "put")
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("backdoor")})
	if err == nil || !strings.Contains(err.Error(), "must delete policies first") {
		t.Fatalf("role with inline policy: %v", err)
	}
	iamOK(c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("backdoor"), PolicyName: aws.String("p")})).get(t, "delete policy")
	_, err = c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("backdoor"), PolicyName: aws.String("p")})
	iamWantCode(t, "delete policy twice", err, "NoSuchEntity")
	iamOK(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("backdoor"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})).get(t, "attach")
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("backdoor")})
	if err == nil || !strings.Contains(err.Error(), "must detach all policies first") {
		t.Fatalf("role with attached policy: %v", err)
	}
	iamOK(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("backdoor"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})).get(t, "detach")
	iamOK(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("backdoor")})).get(t, "DeleteRole")
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("backdoor")})
	iamWantCode(t, "delete twice", err, "NoSuchEntity")
}

func TestIAMCustomerManagedPolicy(t *testing.T) {
	r, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	out := iamOK(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("OpsFull"), PolicyDocument: aws.String(doc), Path: aws.String("/ops/")})).get(t, "CreatePolicy")
	arn := aws.ToString(out.Policy.Arn)
	if arn != "arn:aws:iam::111122223333:policy/ops/OpsFull" || aws.ToString(out.Policy.DefaultVersionId) != "v1" || aws.ToInt32(out.Policy.AttachmentCount) != 0 {
		t.Fatalf("policy = %+v", out.Policy)
	}
	if b, _ := json.Marshal(iamLastRecord(t, r, "CreatePolicy").ResponseElements); !strings.Contains(string(b), `"arn":"`+arn+`"`) {
		t.Fatalf("responseElements = %s", b)
	}
	_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("OpsFull"), PolicyDocument: aws.String(doc)})
	iamWantCode(t, "duplicate", err, "EntityAlreadyExists")
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Bad"), PolicyDocument: aws.String("[")})
	iamWantCode(t, "malformed", err, "MalformedPolicyDocument")
	local := iamOK(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})).get(t, "local")
	if len(local.Policies) != 1 || aws.ToString(local.Policies[0].Arn) != arn {
		t.Fatalf("local = %+v", local.Policies)
	}
	iamOK(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String(arn)})).get(t, "attach")
	gaad := iamOK(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeLocalManagedPolicy}})).get(t, "GAAD")
	if len(gaad.Policies) != 1 || aws.ToInt32(gaad.Policies[0].AttachmentCount) != 1 {
		t.Fatalf("GAAD local = %+v", gaad.Policies)
	}
	if s := iamOK(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).get(t, "summary"); s.SummaryMap["Policies"] != 1 {
		t.Fatalf("summary Policies = %d", s.SummaryMap["Policies"])
	}
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	iamWantCode(t, "attached", err, "DeleteConflict")
	iamOK(c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String(arn)})).get(t, "detach")
	iamOK(c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})).get(t, "DeletePolicy")
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	iamWantCode(t, "delete twice", err, "NoSuchEntity")
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	iamWantCode(t, "AWS managed", err, "InvalidInput")
}

func TestIAMUserTags(t *testing.T) {
	_, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	iamOK(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []types.Tag{{Key: aws.String("quarantined-by"), Value: aws.String("accountguard")}}})).get(t, "TagUser")
	tags := iamOK(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice")})).get(t, "ListUserTags")
	var keys []string
	for _, tg := range tags.Tags {
		keys = append(keys, aws.ToString(tg.Key))
	}
	if !slices.Equal(keys, []string{"quarantined-by", "team"}) {
		t.Fatalf("tags = %v", keys)
	}
	iamOK(c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: []string{"team"}})).get(t, "UntagUser")
	tags = iamOK(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice"), MaxItems: aws.Int32(1)})).get(t, "after untag")
	if len(tags.Tags) != 1 || tags.IsTruncated {
		t.Fatalf("tags after untag = %+v", tags)
	}
	_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("nobody"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	iamWantCode(t, "no user", err, "NoSuchEntity")
	_, err = c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("nobody")})
	iamWantCode(t, "no user", err, "NoSuchEntity")
}

// An attacker's roles and policies are ground truth, and global: they add no region.
func TestIAMRoleGroundTruth(t *testing.T) {
	yaml := iamTestScenario + `
history:
  - name: roles
    attacker: true
    as: carol
    ip: 203.0.113.9
    at: -1h
    calls:
      - {service: iam, action: CreatePolicy, params: {PolicyName: Everything, PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'}}
      - {service: iam, action: CreateRole, params: {RoleName: backdoor, AssumeRolePolicyDocument: '` + iamTrustEC2 + `'}}
`
	r, _ := iamStartYAML(t, yaml, Options{})
	gt := r.GroundTruth()
	var kinds []string
	for _, cr := range gt.Created {
		kinds = append(kinds, cr.Type+":"+cr.ID)
	}
	if !slices.Equal(kinds, []string{"iam-policy:arn:aws:iam::111122223333:policy/Everything", "iam-role:backdoor"}) || len(gt.Regions) != 0 {
		t.Fatalf("ground truth: %v, regions %v", kinds, gt.Regions)
	}
}
