package awssim

import (
	"encoding/csv"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// iamTestScenario is an account with something of every kind IAM reports: root with a key
// and no MFA, a password policy, groups, a role, users with and without console access,
// MFA, inline and attached policies, active, inactive and never-used keys.
const iamTestScenario = `
name: iamtest
account: {id: "111122223333", alias: acme-test}
admin: admin
root:
  created: 2023-01-01T00:00:00Z
  password_last_used: -3d
  keys: [{created: 2024-01-01T00:00:00Z, last_used: -2d, last_used_service: ec2, last_used_region: us-east-1}]
password_policy: {minimum_password_length: 12, require_symbols: true, require_numbers: true, require_uppercase: true, require_lowercase: true, max_password_age: 90}
groups:
  - name: admins
    attached: [arn:aws:iam::aws:policy/AdministratorAccess]
  - name: devs
    inline: {devpol: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'}
roles:
  - name: app-role
    created: -100d
    description: the app
    trust: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    attached: [arn:aws:iam::aws:policy/ReadOnlyAccess]
    inline: {logs: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}'}
    last_used: -1d
users:
  - name: admin
    created: -300d
    attached: [arn:aws:iam::aws:policy/AdministratorAccess]
    keys: [{created: -30d}]
  - name: alice
    created: 2024-02-01T00:00:00Z
    console: {created: 2024-02-01T00:00:00Z, password_last_used: 2024-06-01T10:00:00Z}
    mfa: [{virtual: true, enabled: 2024-02-02T00:00:00Z}]
    groups: [admins]
    tags: {team: platform}
  - name: bob
    created: 2024-03-01T00:00:00Z
    console: {created: 2024-03-01T00:00:00Z}
    groups: [devs]
    inline: {bobpol: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}'}
    keys:
      - {created: 2024-03-01T00:00:00Z, status: Inactive}
      - {created: 2024-05-01T00:00:00Z, last_used: 2024-06-02T08:00:00Z, last_used_service: s3, last_used_region: eu-west-1}
  - name: carol
    created: 2024-04-01T00:00:00Z
    keys: [{created: 2024-04-01T00:00:00Z}]
`

// iamClock is a settable simulator clock, for expiry tests.
type iamClock struct{ ns atomic.Int64 }

func iamNewClock(t time.Time) *iamClock { c := &iamClock{}; c.ns.Store(t.UnixNano()); return c }
func (c *iamClock) Now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *iamClock) Add(d time.Duration) {
	c.ns.Add(int64(d))
}

var iamTestNow = time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC)

// iamStartIAM serves iamTestScenario at iamTestNow and returns it with an IAM client as admin.
func iamStartIAM(t *testing.T, opts Options) (*Running, *iam.Client) {
	t.Helper()
	return iamStartYAML(t, iamTestScenario, opts)
}

func iamStartYAML(t *testing.T, yaml string, opts Options) (*Running, *iam.Client) {
	t.Helper()
	sc, err := ParseScenario("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return iamTestNow }
	}
	r, err := Start(sc, opts, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r, iamClientAs(r, "", "")
}

// iamRootClient is an IAM client signing with the root user's first access key.
func iamRootClient(t *testing.T, r *Running) *iam.Client {
	t.Helper()
	var id, secret string
	r.Inspect(func(w *World) {
		k := w.Accounts[r.Account].Root.Keys[0]
		id, secret = k.ID, k.Secret
	})
	return iamClientAs(r, id, secret)
}

// iamClientAs is an IAM client signing with the given key (the admin's when empty) that
// does not retry, so an error reply is seen as it is.
func iamClientAs(r *Running, keyID, secret string) *iam.Client {
	cfg := r.Config(keyID, secret)
	cfg.RetryMaxAttempts = 1
	return iam.NewFromConfig(cfg)
}

func iamWantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := apiCode(err); got != code {
		t.Fatalf("%s: err = %v, want %s", what, err, code)
	}
}

// iamRes holds a call's result until the test checks its error: iamOK(c.Op(…)).get(t, "Op").
type iamRes[T any] struct {
	v   T
	err error
}

func iamOK[T any](v T, err error) iamRes[T] { return iamRes[T]{v, err} }

func (r iamRes[T]) get(t *testing.T, what string) T {
	t.Helper()
	if r.err != nil {
		t.Fatalf("%s: %v", what, r.err)
	}
	return r.v
}

func TestIAMListUsersPaging(t *testing.T) {
	r, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	first := iamOK(c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(3)})).get(t, "ListUsers")
	if !first.IsTruncated || aws.ToString(first.Marker) == "" || len(first.Users) != 3 {
		t.Fatalf("first page: truncated=%v marker=%q users=%d", first.IsTruncated, aws.ToString(first.Marker), len(first.Users))
	}
	var names []string
	p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{MaxItems: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		out := iamOK(p.NextPage(ctx)).get(t, "page")
		pages++
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.UserName))
		}
	}
	if want := []string{"admin", "alice", "bob", "carol"}; !slices.Equal(names, want) || pages != 4 {
		t.Fatalf("users = %v in %d pages, want %v in 4", names, pages, want)
	}
	all := iamOK(c.ListUsers(ctx, &iam.ListUsersInput{})).get(t, "ListUsers")
	alice := all.Users[1]
	if aws.ToString(alice.Arn) != "arn:aws:iam::111122223333:user/alice" || !strings.HasPrefix(aws.ToString(alice.UserId), "AIDA") ||
		!aws.ToTime(alice.CreateDate).Equal(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)) ||
		!aws.ToTime(alice.PasswordLastUsed).Equal(time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)) || aws.ToString(alice.Path) != "/" {
		t.Fatalf("alice = %+v", alice)
	}
	if all.IsTruncated || all.Marker != nil {
		t.Fatalf("single page truncated")
	}
	_, err := c.ListUsers(ctx, &iam.ListUsersInput{Marker: aws.String("garbage")})
	iamWantCode(t, "bad marker", err, "ValidationError")
	_, err = c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(0)})
	iamWantCode(t, "MaxItems 0", err, "ValidationError")
	// A marker of another listing is refused too.
	keys := iamOK(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bob"), MaxItems: aws.Int32(1)})).get(t, "ListAccessKeys")
	_, err = c.ListUsers(ctx, &iam.ListUsersInput{Marker: keys.Marker})
	iamWantCode(t, "foreign marker", err, "ValidationError")
	if none := iamOK(c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/none/")})).get(t, "ListUsers prefix"); none.Users == nil || len(none.Users) != 0 {
		t.Fatalf("empty listing = %#v", none.Users)
	}
	// Read calls are in the trail as read-only IAM events, recorded in us-east-1.
	trail := r.Trail()
	last := trail[len(trail)-1]
	if last.EventSource != "iam.amazonaws.com" || last.EventName != "ListUsers" || !last.ReadOnly || last.AWSRegion != "us-east-1" {
		t.Fatalf("trail record = %+v", last)
	}
}

func TestIAMGetUser(t *testing.T) {
	r, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	me := iamOK(c.GetUser(ctx, &iam.GetUserInput{})).get(t, "GetUser self")
	if aws.ToString(me.User.UserName) != "admin" {
		t.Fatalf("caller = %v", aws.ToString(me.User.UserName))
	}
	alice := iamOK(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})).get(t, "GetUser alice")
	if len(alice.User.Tags) != 1 || aws.ToString(alice.User.Tags[0].Key) != "team" || aws.ToString(alice.User.Tags[0].Value) != "platform" {
		t.Fatalf("tags = %+v", alice.User.Tags)
	}
	_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	iamWantCode(t, "unknown user", err, "NoSuchEntity")
	var nse *types.NoSuchEntityException
	if !errors.As(err, &nse) || !strings.Contains(nse.ErrorMessage(), "The user with name nobody cannot be found.") {
		t.Fatalf("typed error = %v", err)
	}
	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bad name!")})
	iamWantCode(t, "bad name", err, "ValidationError")
	root := iamOK(iamRootClient(t, r).GetUser(ctx, &iam.GetUserInput{})).get(t, "GetUser root")
	if aws.ToString(root.User.Arn) != "arn:aws:iam::111122223333:root" || aws.ToString(root.User.UserId) != "111122223333" || root.User.UserName != nil {
		t.Fatalf("root = %+v", root.User)
	}
}

func TestIAMAccessKeysRead(t *testing.T) {
	r, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	bob := iamOK(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bob")})).get(t, "ListAccessKeys bob")
	if len(bob.AccessKeyMetadata) != 2 || bob.AccessKeyMetadata[0].Status != types.StatusTypeInactive || bob.AccessKeyMetadata[1].Status != types.StatusTypeActive ||
		aws.ToString(bob.AccessKeyMetadata[0].UserName) != "bob" || !aws.ToTime(bob.AccessKeyMetadata[1].CreateDate).Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("bob keys = %+v", bob.AccessKeyMetadata)
	}
	mine := iamOK(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})).get(t, "ListAccessKeys self")
	if len(mine.AccessKeyMetadata) != 1 || aws.ToString(mine.AccessKeyMetadata[0].AccessKeyId) != r.AdminKeyID {
		t.Fatalf("own keys = %+v", mine.AccessKeyMetadata)
	}
	rootKeys := iamOK(iamRootClient(t, r).ListAccessKeys(ctx, &iam.ListAccessKeysInput{})).get(t, "ListAccessKeys root")
	if len(rootKeys.AccessKeyMetadata) != 1 || rootKeys.AccessKeyMetadata[0].UserName != nil {
		t.Fatalf("root keys = %+v", rootKeys.AccessKeyMetadata)
	}
	_, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("nobody")})
	iamWantCode(t, "unknown user", err, "NoSuchEntity")
	paged := iamOK(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bob"), MaxItems: aws.Int32(1)})).get(t, "paged")
	next := iamOK(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bob"), MaxItems: aws.Int32(1), Marker: paged.Marker})).get(t, "page 2")
	if !paged.IsTruncated || next.IsTruncated || aws.ToString(next.AccessKeyMetadata[0].AccessKeyId) != aws.ToString(bob.AccessKeyMetadata[1].AccessKeyId) {
		t.Fatalf("paging: %+v / %+v", paged, next)
	}

	used := iamOK(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: bob.AccessKeyMetadata[1].AccessKeyId})).get(t, "last used")
	lu := used.AccessKeyLastUsed
	if aws.ToString(used.UserName) != "bob" || !aws.ToTime(lu.LastUsedDate).Equal(time.Date(2024, 6, 2, 8, 0, 0, 0, time.UTC)) ||
		aws.ToString(lu.ServiceName) != "s3" || aws.ToString(lu.Region) != "eu-west-1" {
		t.Fatalf("last used = %+v %+v", used, lu)
	}
	carol := iamOK(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("carol")})).get(t, "carol keys")
	never := iamOK(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: carol.AccessKeyMetadata[0].AccessKeyId})).get(t, "never used")
	if never.AccessKeyLastUsed.LastUsedDate != nil || aws.ToString(never.AccessKeyLastUsed.ServiceName) != "N/A" || aws.ToString(never.AccessKeyLastUsed.Region) != "N/A" {
		t.Fatalf("never used = %+v", never.AccessKeyLastUsed)
	}
	_, err = c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
	iamWantCode(t, "unknown key", err, "AccessDenied")
}

func TestIAMLoginProfileAndMFARead(t *testing.T) {
	r, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	lp := iamOK(c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice")})).get(t, "GetLoginProfile")
	if aws.ToString(lp.LoginProfile.UserName) != "alice" || !aws.ToTime(lp.LoginProfile.CreateDate).Equal(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)) || lp.LoginProfile.PasswordResetRequired {
		t.Fatalf("login profile = %+v", lp.LoginProfile)
	}
	_, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("carol")})
	iamWantCode(t, "no profile", err, "NoSuchEntity")
	_, err = c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("nobody")})
	iamWantCode(t, "no user", err, "NoSuchEntity")

	mfa := iamOK(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice")})).get(t, "ListMFADevices")
	if len(mfa.MFADevices) != 1 || aws.ToString(mfa.MFADevices[0].SerialNumber) != "arn:aws:iam::111122223333:mfa/alice" ||
		!aws.ToTime(mfa.MFADevices[0].EnableDate).Equal(time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("alice mfa = %+v", mfa.MFADevices)
	}
	none := iamOK(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("bob")})).get(t, "bob mfa")
	if len(none.MFADevices) != 0 {
		t.Fatalf("bob mfa = %+v", none.MFADevices)
	}
	rootMFA := iamOK(iamRootClient(t, r).ListMFADevices(ctx, &iam.ListMFADevicesInput{})).get(t, "root mfa")
	if len(rootMFA.MFADevices) != 0 {
		t.Fatalf("root has no MFA, got %+v", rootMFA.MFADevices)
	}
	_, err = c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("nobody")})
	iamWantCode(t, "no user", err, "NoSuchEntity")

	v := iamOK(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{})).get(t, "virtual")
	if len(v.VirtualMFADevices) != 1 || aws.ToString(v.VirtualMFADevices[0].User.UserName) != "alice" {
		t.Fatalf("virtual = %+v", v.VirtualMFADevices)
	}
	un := iamOK(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned})).get(t, "unassigned")
	if len(un.VirtualMFADevices) != 0 {
		t.Fatalf("unassigned = %+v", un.VirtualMFADevices)
	}
	_, err = c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: "Sometimes"})
	iamWantCode(t, "bad status", err, "ValidationError")
}

func TestIAMGroupsPoliciesRoles(t *testing.T) {
	_, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	g := iamOK(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")})).get(t, "groups")
	if len(g.Groups) != 1 || aws.ToString(g.Groups[0].GroupName) != "admins" || aws.ToString(g.Groups[0].Arn) != "arn:aws:iam::111122223333:group/admins" {
		t.Fatalf("groups = %+v", g.Groups)
	}
	_, err := c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("nobody")})
	iamWantCode(t, "no user", err, "NoSuchEntity")

	up := iamOK(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("bob")})).get(t, "user policies")
	if !slices.Equal(up.PolicyNames, []string{"bobpol"}) {
		t.Fatalf("inline = %v", up.PolicyNames)
	}
	_, err = c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("nobody")})
	iamWantCode(t, "no user", err, "NoSuchEntity")
	doc := iamOK(c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("bobpol")})).get(t, "GetUserPolicy")
	if d, _ := url.QueryUnescape(aws.ToString(doc.PolicyDocument)); !strings.Contains(d, `"ec2:Describe*"`) || strings.Contains(aws.ToString(doc.PolicyDocument), "{") {
		t.Fatalf("document = %s", aws.ToString(doc.PolicyDocument))
	}
	ap := iamOK(c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("admin")})).get(t, "attached")
	if len(ap.AttachedPolicies) != 1 || aws.ToString(ap.AttachedPolicies[0].PolicyArn) != "arn:aws:iam::aws:policy/AdministratorAccess" || aws.ToString(ap.AttachedPolicies[0].PolicyName) != "AdministratorAccess" {
		t.Fatalf("attached = %+v", ap.AttachedPolicies)
	}
	_, err = c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("nobody")})
	iamWantCode(t, "no user", err, "NoSuchEntity")

	roles := iamOK(c.ListRoles(ctx, &iam.ListRolesInput{})).get(t, "roles")
	if len(roles.Roles) != 1 {
		t.Fatalf("roles = %+v", roles.Roles)
	}
	role := roles.Roles[0]
	trust, _ := url.QueryUnescape(aws.ToString(role.AssumeRolePolicyDocument))
	if aws.ToString(role.RoleName) != "app-role" || !strings.Contains(trust, "ec2.amazonaws.com") || aws.ToString(role.Description) != "the app" || aws.ToInt32(role.MaxSessionDuration) != 3600 {
		t.Fatalf("role = %+v (trust %s)", role, trust)
	}
	rp := iamOK(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("app-role")})).get(t, "role policies")
	rap := iamOK(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app-role")})).get(t, "role attached")
	if !slices.Equal(rp.PolicyNames, []string{"logs"}) || len(rap.AttachedPolicies) != 1 || aws.ToString(rap.AttachedPolicies[0].PolicyName) != "ReadOnlyAccess" {
		t.Fatalf("role policies = %v / %+v", rp.PolicyNames, rap.AttachedPolicies)
	}
	_, err = c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("nope")})
	iamWantCode(t, "no role", err, "NoSuchEntity")
	_, err = c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("nope")})
	iamWantCode(t, "no role", err, "NoSuchEntity")

	attached := iamOK(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true})).get(t, "ListPolicies")
	counts := map[string]int32{}
	for _, p := range attached.Policies {
		counts[aws.ToString(p.PolicyName)] = aws.ToInt32(p.AttachmentCount)
	}
	if len(counts) != 2 || counts["AdministratorAccess"] != 2 || counts["ReadOnlyAccess"] != 1 {
		t.Fatalf("attached AWS policies = %v", counts)
	}
	allAWS := iamOK(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws})).get(t, "ListPolicies AWS")
	if len(allAWS.Policies) <= 2 {
		t.Fatalf("all AWS policies = %d", len(allAWS.Policies))
	}
	local := iamOK(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})).get(t, "ListPolicies Local")
	if len(local.Policies) != 0 {
		t.Fatalf("local = %+v", local.Policies)
	}
	pg := iamOK(c.ListPolicies(ctx, &iam.ListPoliciesInput{MaxItems: aws.Int32(2)})).get(t, "ListPolicies paged")
	if len(pg.Policies) != 2 || !pg.IsTruncated {
		t.Fatalf("paged policies = %d truncated=%v", len(pg.Policies), pg.IsTruncated)
	}
	_, err = c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Mine"})
	iamWantCode(t, "bad scope", err, "ValidationError")
}

func TestIAMAuthorizationDetails(t *testing.T) {
	_, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	all := iamOK(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})).get(t, "GAAD")
	if len(all.UserDetailList) != 4 || len(all.GroupDetailList) != 2 || len(all.RoleDetailList) != 1 || len(all.Policies) != 2 || all.IsTruncated {
		t.Fatalf("GAAD sizes: users %d groups %d roles %d policies %d", len(all.UserDetailList), len(all.GroupDetailList), len(all.RoleDetailList), len(all.Policies))
	}
	bob := all.UserDetailList[2]
	if aws.ToString(bob.UserName) != "bob" || !slices.Equal(bob.GroupList, []string{"devs"}) || len(bob.UserPolicyList) != 1 {
		t.Fatalf("bob = %+v", bob)
	}
	if d, _ := url.QueryUnescape(aws.ToString(bob.UserPolicyList[0].PolicyDocument)); !strings.HasPrefix(d, `{"Version":"2012-10-17"`) {
		t.Fatalf("bob's inline document = %s", d)
	}
	role := all.RoleDetailList[0]
	if role.RoleLastUsed == nil || !aws.ToTime(role.RoleLastUsed.LastUsedDate).Equal(iamTestNow.Add(-24*time.Hour)) || len(role.RolePolicyList) != 1 || len(role.AttachedManagedPolicies) != 1 {
		t.Fatalf("role = %+v", role)
	}
	for _, p := range all.Policies {
		if len(p.PolicyVersionList) != 1 || !p.PolicyVersionList[0].IsDefaultVersion {
			t.Fatalf("policy %s versions = %+v", aws.ToString(p.PolicyName), p.PolicyVersionList)
		}
		if d, err := url.QueryUnescape(aws.ToString(p.PolicyVersionList[0].Document)); err != nil || !strings.Contains(d, "Statement") {
			t.Fatalf("policy document = %q", d)
		}
	}
	users := iamOK(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeUser}})).get(t, "GAAD users")
	if len(users.UserDetailList) != 4 || len(users.GroupDetailList)+len(users.RoleDetailList)+len(users.Policies) != 0 {
		t.Fatalf("filtered GAAD = %+v", users)
	}
	// Paging walks across the four lists.
	var n int
	p := iam.NewGetAccountAuthorizationDetailsPaginator(c, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(3)})
	for p.HasMorePages() {
		out := iamOK(p.NextPage(ctx)).get(t, "GAAD page")
		n += len(out.UserDetailList) + len(out.GroupDetailList) + len(out.RoleDetailList) + len(out.Policies)
	}
	if n != 9 {
		t.Fatalf("paged GAAD items = %d, want 9", n)
	}
	_, err := c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{"Bucket"}})
	iamWantCode(t, "bad filter", err, "ValidationError")
}

func TestIAMAccountSummaryPolicyAliases(t *testing.T) {
	_, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	sum := iamOK(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).get(t, "summary")
	want := map[string]int32{"Users": 4, "UsersQuota": 5000, "Groups": 2, "Roles": 1, "Policies": 0, "AccountMFAEnabled": 0,
		"AccountAccessKeysPresent": 1, "AccountSigningCertificatesPresent": 0, "MFADevices": 1, "MFADevicesInUse": 1, "AccessKeysPerUserQuota": 2}
	for k, v := range want {
		if got, ok := sum.SummaryMap[k]; !ok || got != v {
			t.Errorf("SummaryMap[%s] = %d (present %v), want %d", k, got, ok, v)
		}
	}
	pp := iamOK(c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})).get(t, "password policy")
	if aws.ToInt32(pp.PasswordPolicy.MinimumPasswordLength) != 12 || !pp.PasswordPolicy.RequireSymbols || !pp.PasswordPolicy.ExpirePasswords || aws.ToInt32(pp.PasswordPolicy.MaxPasswordAge) != 90 {
		t.Fatalf("password policy = %+v", pp.PasswordPolicy)
	}
	aliases := iamOK(c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})).get(t, "aliases")
	if !slices.Equal(aliases.AccountAliases, []string{"acme-test"}) {
		t.Fatalf("aliases = %v", aliases.AccountAliases)
	}

	// A new account has no password policy.
	_, empty := iamStartYAML(t, `{account: {id: "123456789012"}}`, Options{})
	_, err := empty.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	iamWantCode(t, "no policy", err, "NoSuchEntity")
	none := iamOK(empty.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})).get(t, "no alias")
	if len(none.AccountAliases) != 0 {
		t.Fatalf("aliases = %v", none.AccountAliases)
	}
}

func TestIAMCredentialReport(t *testing.T) {
	clk := iamNewClock(iamTestNow)
	_, c := iamStartIAM(t, Options{Now: clk.Now})
	ctx := t.Context()
	_, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	iamWantCode(t, "before generation", err, "ReportNotPresent")
	gen := iamOK(c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})).get(t, "generate")
	if gen.State != types.ReportStateTypeStarted {
		t.Fatalf("first state = %s", gen.State)
	}
	gen = iamOK(c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})).get(t, "generate again")
	if gen.State != types.ReportStateTypeComplete {
		t.Fatalf("second state = %s", gen.State)
	}
	rep := iamOK(c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})).get(t, "get")
	if rep.ReportFormat != types.ReportFormatTypeTextCsv || !aws.ToTime(rep.GeneratedTime).Equal(iamTestNow) {
		t.Fatalf("format %s generated %v", rep.ReportFormat, rep.GeneratedTime)
	}
	rows, err := csv.NewReader(strings.NewReader(string(rep.Content))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], CredentialReportColumns) || len(rows) != 6 {
		t.Fatalf("header = %v, %d rows", rows[0], len(rows))
	}
	byUser := map[string]string{}
	for _, row := range rows[1:] {
		byUser[row[0]] = strings.Join(row, ",")
	}
	rootKey := "true,2024-01-01T00:00:00+00:00,2024-06-29T12:00:00+00:00,us-east-1,ec2"
	want := map[string]string{
		"<root_account>": "<root_account>,arn:aws:iam::111122223333:root,2023-01-01T00:00:00+00:00,not_supported,2024-06-28T12:00:00+00:00,not_supported,not_supported,false," +
			rootKey + ",false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
		"alice": "alice,arn:aws:iam::111122223333:user/alice,2024-02-01T00:00:00+00:00,true,2024-06-01T10:00:00+00:00,2024-02-01T00:00:00+00:00,2024-05-01T00:00:00+00:00,true," +
			"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
		"bob": "bob,arn:aws:iam::111122223333:user/bob,2024-03-01T00:00:00+00:00,true,no_information,2024-03-01T00:00:00+00:00,2024-05-30T00:00:00+00:00,false," +
			"false,2024-03-01T00:00:00+00:00,N/A,N/A,N/A,true,2024-05-01T00:00:00+00:00,2024-06-02T08:00:00+00:00,eu-west-1,s3,false,N/A,false,N/A",
		"carol": "carol,arn:aws:iam::111122223333:user/carol,2024-04-01T00:00:00+00:00,false,N/A,N/A,N/A,false," +
			"true,2024-04-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
	}
	for user, line := range want {
		if byUser[user] != line {
			t.Errorf("row %s:\n got %s\nwant %s", user, byUser[user], line)
		}
	}
	if rows[1][0] != "<root_account>" {
		t.Errorf("first row is %s, want <root_account>", rows[1][0])
	}
	// Four hours on, the report has expired and a new one starts.
	clk.Add(4 * time.Hour)
	_, err = c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	iamWantCode(t, "expired", err, "ReportExpired")
	gen = iamOK(c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})).get(t, "regenerate")
	if gen.State != types.ReportStateTypeStarted {
		t.Fatalf("state after expiry = %s", gen.State)
	}
	iamOK(c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})).get(t, "get new")
}
