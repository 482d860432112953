package awssim

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestIAMGroupsRead(t *testing.T) {
	_, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	gs := iamOK(c.ListGroups(ctx, &iam.ListGroupsInput{})).get(t, "ListGroups")
	var names []string
	for _, g := range gs.Groups {
		names = append(names, aws.ToString(g.GroupName))
	}
	if !slices.Equal(names, []string{"admins", "devs"}) {
		t.Fatalf("groups = %v", names)
	}
	pg := iamOK(c.ListGroups(ctx, &iam.ListGroupsInput{MaxItems: aws.Int32(1)})).get(t, "paged")
	if !pg.IsTruncated || len(pg.Groups) != 1 {
		t.Fatalf("paged = %+v", pg)
	}
	g := iamOK(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("admins")})).get(t, "GetGroup")
	if aws.ToString(g.Group.GroupName) != "admins" || len(g.Users) != 1 || aws.ToString(g.Users[0].UserName) != "alice" {
		t.Fatalf("GetGroup = %+v", g)
	}
	_, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("nope")})
	iamWantCode(t, "no group", err, "NoSuchEntity")
	gp := iamOK(c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("devs")})).get(t, "group policies")
	gap := iamOK(c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("admins")})).get(t, "group attached")
	if !slices.Equal(gp.PolicyNames, []string{"devpol"}) || len(gap.AttachedPolicies) != 1 || aws.ToString(gap.AttachedPolicies[0].PolicyName) != "AdministratorAccess" {
		t.Fatalf("group policies = %v / %+v", gp.PolicyNames, gap.AttachedPolicies)
	}
	_, err = c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("nope")})
	iamWantCode(t, "no group", err, "NoSuchEntity")
	_, err = c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("nope")})
	iamWantCode(t, "no group", err, "NoSuchEntity")
}

func TestIAMDeleteGroup(t *testing.T) {
	_, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	_, err := c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("admins")})
	if err == nil || !strings.Contains(err.Error(), "Cannot delete entity, must remove users from group first.") {
		t.Fatalf("group with a member: %v", err)
	}
	iamOK(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("admins"), UserName: aws.String("alice")})).get(t, "remove")
	_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("admins")})
	if err == nil || !strings.Contains(err.Error(), "must detach all policies first.") {
		t.Fatalf("group with a policy: %v", err)
	}
	iamOK(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("empty")})).get(t, "create")
	iamOK(c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("empty")})).get(t, "delete")
	_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("empty")})
	iamWantCode(t, "delete twice", err, "NoSuchEntity")
}

func TestIAMRoleAndPolicyLookups(t *testing.T) {
	_, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	role := iamOK(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app-role")})).get(t, "GetRole").Role
	if role.RoleLastUsed == nil || !aws.ToTime(role.RoleLastUsed.LastUsedDate).Equal(iamTestNow.AddDate(0, 0, -1)) {
		t.Fatalf("role = %+v", role)
	}
	_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("nope")})
	iamWantCode(t, "no role", err, "NoSuchEntity")

	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	p := iamOK(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(admin)})).get(t, "GetPolicy").Policy
	if aws.ToString(p.PolicyName) != "AdministratorAccess" || aws.ToInt32(p.AttachmentCount) != 2 || aws.ToString(p.DefaultVersionId) != "v1" {
		t.Fatalf("policy = %+v", p)
	}
	v := iamOK(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(admin), VersionId: aws.String("v1")})).get(t, "GetPolicyVersion").PolicyVersion
	if doc, _ := url.QueryUnescape(aws.ToString(v.Document)); doc != awsManagedPolicies["AdministratorAccess"] || !v.IsDefaultVersion {
		t.Fatalf("version = %+v (%s)", v, doc)
	}
	_, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(admin), VersionId: aws.String("v9")})
	iamWantCode(t, "no version", err, "NoSuchEntity")
	_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::111122223333:policy/nope")})
	iamWantCode(t, "no policy", err, "NoSuchEntity")
	_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("nope")})
	iamWantCode(t, "not an ARN", err, "InvalidInput")

	ents := iamOK(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(admin)})).get(t, "entities")
	if len(ents.PolicyGroups) != 1 || aws.ToString(ents.PolicyGroups[0].GroupName) != "admins" || len(ents.PolicyUsers) != 1 ||
		aws.ToString(ents.PolicyUsers[0].UserName) != "admin" || len(ents.PolicyRoles) != 0 {
		t.Fatalf("entities = %+v", ents)
	}
	users := iamOK(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(admin), EntityFilter: types.EntityTypeUser})).get(t, "users only")
	if len(users.PolicyGroups) != 0 || len(users.PolicyUsers) != 1 {
		t.Fatalf("filtered = %+v", users)
	}
	paged := iamOK(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(admin), MaxItems: aws.Int32(1)})).get(t, "paged")
	if !paged.IsTruncated || len(paged.PolicyGroups)+len(paged.PolicyUsers) != 1 {
		t.Fatalf("paged = %+v", paged)
	}
	_, err = c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(admin), EntityFilter: "Bucket"})
	iamWantCode(t, "bad filter", err, "ValidationError")
}

// A responder lists these before DeleteUser; the world has none of them.
func TestIAMOtherCredentialListings(t *testing.T) {
	_, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	certs := iamOK(c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("bob")})).get(t, "certs")
	ssh := iamOK(c.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("bob")})).get(t, "ssh")
	ssc := iamOK(c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("bob")})).get(t, "ssc")
	if len(certs.Certificates)+len(ssh.SSHPublicKeys)+len(ssc.ServiceSpecificCredentials) != 0 || certs.IsTruncated {
		t.Fatalf("listings = %+v %+v %+v", certs, ssh, ssc)
	}
	_, err := c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("nobody")})
	iamWantCode(t, "certs of nobody", err, "NoSuchEntity")
	_, err = c.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("nobody")})
	iamWantCode(t, "ssh of nobody", err, "NoSuchEntity")
	_, err = c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("nobody")})
	iamWantCode(t, "ssc of nobody", err, "NoSuchEntity")
}

func TestIAMGroupPolicyWrites(t *testing.T) {
	_, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`
	iamOK(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("admins"), PolicyName: aws.String("look"), PolicyDocument: aws.String(doc)})).get(t, "put")
	gp := iamOK(c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("admins")})).get(t, "list")
	if !slices.Equal(gp.PolicyNames, []string{"look"}) {
		t.Fatalf("group policies = %v", gp.PolicyNames)
	}
	_, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("admins"), PolicyName: aws.String("bad"), PolicyDocument: aws.String("{")})
	iamWantCode(t, "bad document", err, "MalformedPolicyDocument")
	_, err = c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("nope"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
	iamWantCode(t, "no group", err, "NoSuchEntity")
	iamOK(c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("admins"), PolicyName: aws.String("look")})).get(t, "delete")
	_, err = c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("admins"), PolicyName: aws.String("look")})
	iamWantCode(t, "delete twice", err, "NoSuchEntity")

	ro := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	iamOK(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(ro)})).get(t, "attach")
	ap := iamOK(c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs")})).get(t, "attached")
	if len(ap.AttachedPolicies) != 1 || aws.ToString(ap.AttachedPolicies[0].PolicyArn) != ro {
		t.Fatalf("attached = %+v", ap.AttachedPolicies)
	}
	_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String("arn:aws:iam::aws:policy/Nope")})
	iamWantCode(t, "unknown policy", err, "NoSuchEntity")
	iamOK(c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(ro)})).get(t, "detach")
	_, err = c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(ro)})
	iamWantCode(t, "detach twice", err, "NoSuchEntity")
}
