package awssim

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// iamLastRecord is the newest CloudTrail record of the named event.
func iamLastRecord(t *testing.T, r *Running, event string) Record {
	t.Helper()
	trail := r.Trail()
	for i := len(trail) - 1; i >= 0; i-- {
		if trail[i].EventName == event {
			return trail[i]
		}
	}
	t.Fatalf("no %s record in the trail", event)
	return Record{}
}

func iamRecordJSON(t *testing.T, rec Record) string {
	t.Helper()
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestIAMCreateUser(t *testing.T) {
	r, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	out := iamOK(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dave"), Path: aws.String("/ops/"),
		Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("sec")}}})).get(t, "CreateUser")
	u := out.User
	if aws.ToString(u.Arn) != "arn:aws:iam::111122223333:user/ops/dave" || !strings.HasPrefix(aws.ToString(u.UserId), "AIDA") || !aws.ToTime(u.CreateDate).Equal(iamTestNow) || len(u.Tags) != 1 {
		t.Fatalf("created = %+v", u)
	}
	got := iamOK(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("dave")})).get(t, "GetUser")
	if aws.ToString(got.User.UserId) != aws.ToString(u.UserId) {
		t.Fatalf("GetUser after create = %+v", got.User)
	}
	rec := iamLastRecord(t, r, "CreateUser")
	wantResp := fmt.Sprintf(`{"user":{"path":"/ops/","userName":"dave","userId":"%s","arn":"arn:aws:iam::111122223333:user/ops/dave","createDate":"Jul 1, 2024, 12:00:00 PM"}}`, aws.ToString(u.UserId))
	if b, _ := json.Marshal(rec.ResponseElements); string(b) != wantResp || rec.ReadOnly {
		t.Fatalf("responseElements = %s, want %s", b, wantResp)
	}
	if b, _ := json.Marshal(rec.RequestParameters); !strings.Contains(string(b), `"userName":"dave"`) {
		t.Fatalf("requestParameters = %s", b)
	}

	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dave")})
	iamWantCode(t, "duplicate", err, "EntityAlreadyExists")
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("DAVE")})
	iamWantCode(t, "duplicate in another case", err, "EntityAlreadyExists")
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("no spaces")})
	iamWantCode(t, "bad name", err, "ValidationError")
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(strings.Repeat("x", 65))})
	iamWantCode(t, "long name", err, "ValidationError")
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("eve"), Path: aws.String("ops")})
	iamWantCode(t, "bad path", err, "ValidationError")
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("eve"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/NoSuchPolicy")})
	iamWantCode(t, "unknown boundary", err, "NoSuchEntity")
	if rec := iamLastRecord(t, r, "CreateUser"); rec.ErrorCode != "NoSuchEntity" || rec.ResponseElements != nil {
		t.Fatalf("failed call record = %+v", rec)
	}
}

func TestIAMDeleteUserPreconditions(t *testing.T) {
	_, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	// bob has a login profile, keys, an inline policy and a group; each must go first, in
	// the order IAM reports them.
	steps := []struct {
		msg    string
		remove func() error
	}{
		{"Cannot delete entity, must delete login profile first.", func() error {
			_, err := c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("bob")})
			return err
		}},
		{"Cannot delete entity, must delete access keys first.", func() error {
			keys, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bob")})
			for _, k := range keys.AccessKeyMetadata {
				if _, err = c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: k.AccessKeyId}); err != nil {
					return err
				}
			}
			return err
		}},
		{"Cannot delete entity, must delete policies first.", func() error {
			_, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("bobpol")})
			return err
		}},
		{"Cannot delete entity, must detach all policies first.", func() error {
			_, err := c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}},
		{"Cannot delete entity, must remove users from group first.", func() error {
			_, err := c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: aws.String("bob"), GroupName: aws.String("devs")})
			return err
		}},
	}
	iamOK(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})).get(t, "attach")
	for _, s := range steps {
		_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("bob")})
		var dc *types.DeleteConflictException
		if !iamErrorsAs(err, &dc) || dc.ErrorMessage() != s.msg {
			t.Fatalf("DeleteUser: err = %v, want DeleteConflict %q", err, s.msg)
		}
		if err := s.remove(); err != nil {
			t.Fatalf("clearing for %q: %v", s.msg, err)
		}
	}
	iamOK(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("bob")})).get(t, "DeleteUser")
	_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
	iamWantCode(t, "deleted user", err, "NoSuchEntity")
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("bob")})
	iamWantCode(t, "delete twice", err, "NoSuchEntity")
	// alice's MFA device blocks her deletion until deactivated.
	iamOK(c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("alice")})).get(t, "alice login")
	iamOK(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: aws.String("alice"), GroupName: aws.String("admins")})).get(t, "alice group")
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	if err == nil || !strings.Contains(err.Error(), "must delete MFA device first") {
		t.Fatalf("alice with MFA: %v", err)
	}
	iamOK(c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String("arn:aws:iam::111122223333:mfa/alice")})).get(t, "deactivate")
	iamOK(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})).get(t, "delete alice")
}

func TestIAMAccessKeyLifecycle(t *testing.T) {
	r, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	made := iamOK(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")})).get(t, "CreateAccessKey")
	k := made.AccessKey
	id, secret := aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey)
	if !strings.HasPrefix(id, "AKIA") || len(secret) != 40 || k.Status != types.StatusTypeActive || aws.ToString(k.UserName) != "carol" {
		t.Fatalf("key = %+v", k)
	}
	if acct, _ := AccountFromKeyID(id); acct != "111122223333" {
		t.Fatalf("key ID %s encodes account %s", id, acct)
	}
	// The secret is in the reply only: the trail records the key without it.
	rec := iamLastRecord(t, r, "CreateAccessKey")
	if js := iamRecordJSON(t, rec); strings.Contains(js, secret) {
		t.Fatalf("the trail holds the secret: %s", js)
	}
	if b, _ := json.Marshal(rec.ResponseElements); string(b) != fmt.Sprintf(`{"accessKey":{"accessKeyId":"%s","createDate":"Jul 1, 2024, 12:00:00 PM","status":"Active","userName":"carol"}}`, id) {
		t.Fatalf("responseElements = %s", b)
	}
	// The new key works.
	carolSTS := sts.NewFromConfig(r.Config(id, secret))
	who := iamOK(carolSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).get(t, "new key")
	if aws.ToString(who.Arn) != "arn:aws:iam::111122223333:user/carol" {
		t.Fatalf("new key is %s", aws.ToString(who.Arn))
	}
	_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")})
	var le *types.LimitExceededException
	if !iamErrorsAs(err, &le) || le.ErrorMessage() != "Cannot exceed quota for AccessKeysPerUser: 2" {
		t.Fatalf("third key: %v", err)
	}
	_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})
	iamWantCode(t, "no user", err, "NoSuchEntity")
	// Without a user name the key is the caller's own; root has one key, so one more fits.
	rootC := iamRootClient(t, r)
	rk := iamOK(rootC.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})).get(t, "root key")
	if rk.AccessKey.UserName != nil {
		t.Fatalf("root key names a user: %+v", rk.AccessKey)
	}
	_, err = rootC.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	iamWantCode(t, "root third key", err, "LimitExceeded")

	// Deactivated: every request signed with it is refused, through any service.
	iamOK(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String(id), Status: types.StatusTypeInactive})).get(t, "deactivate")
	_, err = carolSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	iamWantCode(t, "inactive key on STS", err, "InvalidClientTokenId")
	_, err = iamClientAs(r, id, secret).ListUsers(ctx, &iam.ListUsersInput{})
	iamWantCode(t, "inactive key on IAM", err, "InvalidClientTokenId")
	keys := iamOK(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("carol")})).get(t, "list")
	if keys.AccessKeyMetadata[1].Status != types.StatusTypeInactive {
		t.Fatalf("status after deactivation = %s", keys.AccessKeyMetadata[1].Status)
	}
	iamOK(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String(id), Status: types.StatusTypeActive})).get(t, "reactivate")
	iamOK(carolSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).get(t, "reactivated key")
	_, err = c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String(id), Status: "Paused"})
	iamWantCode(t, "bad status", err, "ValidationError")
	_, err = c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(id), Status: types.StatusTypeInactive})
	iamWantCode(t, "another user's key", err, "NoSuchEntity")

	// Deleted: gone from the user and from the key index.
	iamOK(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String(id)})).get(t, "delete")
	_, err = carolSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	iamWantCode(t, "deleted key", err, "InvalidClientTokenId")
	r.Inspect(func(w *World) {
		if w.Key(id) != nil {
			t.Errorf("deleted key still indexed")
		}
	})
	_, err = c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String(id)})
	var nse *types.NoSuchEntityException
	if !iamErrorsAs(err, &nse) || nse.ErrorMessage() != "The Access Key with id "+id+" cannot be found." {
		t.Fatalf("delete twice: %v", err)
	}
	if rec := iamLastRecord(t, r, "UpdateAccessKey"); rec.ResponseElements != nil {
		t.Fatalf("UpdateAccessKey responseElements = %v, want null", rec.ResponseElements)
	}
}

func TestIAMLoginProfileWrites(t *testing.T) {
	r, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	// The account policy wants 12 characters of all four kinds.
	for pw, msg := range map[string]string{
		"Short1!a":          "Password should have a minimum length of 12",
		"nouppercase1!aaaa": "Password should have at least one uppercase letter",
		"NOLOWERCASE1!AAAA": "Password should have at least one lowercase letter",
		"NoNumbers!aaaaaaa": "Password should have at least one number",
		"NoSymbols1aaaaaaa": "Password should have at least one symbol",
	} {
		_, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String(pw)})
		var pv *types.PasswordPolicyViolationException
		if !iamErrorsAs(err, &pv) || pv.ErrorMessage() != msg {
			t.Errorf("password %q: err = %v, want %q", pw, err, msg)
		}
	}
	const good = "Correct-Horse-42"
	out := iamOK(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String(good), PasswordResetRequired: true})).get(t, "CreateLoginProfile")
	if aws.ToString(out.LoginProfile.UserName) != "carol" || !out.LoginProfile.PasswordResetRequired || !aws.ToTime(out.LoginProfile.CreateDate).Equal(iamTestNow) {
		t.Fatalf("profile = %+v", out.LoginProfile)
	}
	rec := iamLastRecord(t, r, "CreateLoginProfile")
	if js := iamRecordJSON(t, rec); strings.Contains(js, good) || !strings.Contains(js, `"requestParameters":{"passwordResetRequired":true,"userName":"carol"}`) ||
		!strings.Contains(js, `"responseElements":{"loginProfile":{"createDate":"Jul 1, 2024, 12:00:00 PM","passwordResetRequired":true,"userName":"carol"}}`) {
		t.Fatalf("record = %s", js)
	}
	for _, rec := range r.Trail() {
		if strings.Contains(iamRecordJSON(t, rec), "Short1!a") {
			t.Fatalf("a rejected password is in the trail: %+v", rec)
		}
	}
	_, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String(good)})
	iamWantCode(t, "second profile", err, "EntityAlreadyExists")
	_, err = c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("nobody"), Password: aws.String(good)})
	iamWantCode(t, "no user", err, "NoSuchEntity")

	iamOK(c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("carol"), PasswordResetRequired: aws.Bool(false)})).get(t, "update reset")
	lp := iamOK(c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("carol")})).get(t, "get")
	if lp.LoginProfile.PasswordResetRequired {
		t.Fatalf("reset flag not cleared")
	}
	_, err = c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String("weak")})
	iamWantCode(t, "weak new password", err, "PasswordPolicyViolation")
	iamOK(c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Another-Good-43")})).get(t, "update password")
	_, err = c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("admin"), Password: aws.String(good)})
	iamWantCode(t, "update without profile", err, "NoSuchEntity")

	// The report shows alice's password changed now, and the next rotation 90 days on.
	iamOK(c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})).get(t, "generate")
	rep := iamOK(c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})).get(t, "report")
	if !strings.Contains(string(rep.Content), "\nalice,arn:aws:iam::111122223333:user/alice,2024-02-01T00:00:00+00:00,true,2024-06-01T10:00:00+00:00,2024-07-01T12:00:00+00:00,2024-09-29T12:00:00+00:00,") {
		t.Fatalf("report:\n%s", rep.Content)
	}

	iamOK(c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("carol")})).get(t, "delete")
	_, err = c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("carol")})
	var nse *types.NoSuchEntityException
	if !iamErrorsAs(err, &nse) || nse.ErrorMessage() != "Login Profile for User carol cannot be found." {
		t.Fatalf("delete twice: %v", err)
	}

	// Without an account policy, AWS's default applies: 8 characters, three kinds.
	_, bare := iamStartYAML(t, `{account: {id: "123456789012"}, users: [{name: admin, keys: [{}]}, {name: u}], admin: admin}`, Options{})
	_, err = bare.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("u"), Password: aws.String("alllowercase")})
	iamWantCode(t, "default policy", err, "PasswordPolicyViolation")
	iamOK(bare.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("u"), Password: aws.String("Mixed123")})).get(t, "default policy ok")
}

func TestIAMPolicyWrites(t *testing.T) {
	r, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	iamOK(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String(admin)})).get(t, "attach")
	iamOK(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String(admin)})).get(t, "attach again")
	ap := iamOK(c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("carol")})).get(t, "list")
	if len(ap.AttachedPolicies) != 1 {
		t.Fatalf("attached = %+v", ap.AttachedPolicies)
	}
	if b, _ := json.Marshal(iamLastRecord(t, r, "AttachUserPolicy").RequestParameters); string(b) != `{"policyArn":"`+admin+`","userName":"carol"}` {
		t.Fatalf("requestParameters = %s", b)
	}
	_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchThing")})
	iamWantCode(t, "unknown policy", err, "NoSuchEntity")
	_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String("AdministratorAccess")})
	iamWantCode(t, "not an ARN", err, "InvalidInput")
	_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("nobody"), PolicyArn: aws.String(admin)})
	iamWantCode(t, "no user", err, "NoSuchEntity")
	var known []string
	for name := range awsManagedPolicies {
		if !strings.Contains(name, "/") {
			known = append(known, "arn:aws:iam::aws:policy/"+name)
		}
	}
	slices.Sort(known)
	var limitErr error
	for _, arn := range known {
		if _, limitErr = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String(arn)}); limitErr != nil {
			break
		}
	}
	iamWantCode(t, "eleventh policy", limitErr, "LimitExceeded")
	iamOK(c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String(admin)})).get(t, "detach")
	_, err = c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String(admin)})
	iamWantCode(t, "detach twice", err, "NoSuchEntity")

	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	iamOK(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("deny-all"), PolicyDocument: aws.String(doc)})).get(t, "put")
	gp := iamOK(c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("deny-all")})).get(t, "get")
	if aws.ToString(gp.PolicyDocument) != iamUrlEncodeDoc(doc) {
		t.Fatalf("document = %s", aws.ToString(gp.PolicyDocument))
	}
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Version":`)})
	var mp *types.MalformedPolicyDocumentException
	if !iamErrorsAs(err, &mp) || mp.ErrorMessage() != "Syntax errors in policy." {
		t.Fatalf("bad JSON: %v", err)
	}
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Repeat("s3:GetObject\",\"", 200) + `"],"Resource":"*"}]}`
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	iamWantCode(t, "too big", err, "LimitExceeded")
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("nobody"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
	iamWantCode(t, "no user", err, "NoSuchEntity")
	iamOK(c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("deny-all")})).get(t, "delete")
	_, err = c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("deny-all")})
	iamWantCode(t, "delete twice", err, "NoSuchEntity")
	_, err = c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("deny-all")})
	iamWantCode(t, "get deleted", err, "NoSuchEntity")

	// Roles.
	iamOK(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app-role"), PolicyName: aws.String("deny-all"), PolicyDocument: aws.String(doc)})).get(t, "put role")
	rp := iamOK(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("app-role")})).get(t, "role policies")
	if !slices.Equal(rp.PolicyNames, []string{"deny-all", "logs"}) {
		t.Fatalf("role policies = %v", rp.PolicyNames)
	}
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("nope"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
	iamWantCode(t, "no role", err, "NoSuchEntity")
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app-role"), PolicyName: aws.String("p"), PolicyDocument: aws.String("not json")})
	iamWantCode(t, "bad role document", err, "MalformedPolicyDocument")
	iamOK(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app-role"), PolicyArn: aws.String(admin)})).get(t, "attach role")
	rap := iamOK(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app-role")})).get(t, "role attached")
	if len(rap.AttachedPolicies) != 2 {
		t.Fatalf("role attached = %+v", rap.AttachedPolicies)
	}
	iamOK(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app-role"), PolicyArn: aws.String(admin)})).get(t, "detach role")
	_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app-role"), PolicyArn: aws.String(admin)})
	iamWantCode(t, "detach role twice", err, "NoSuchEntity")
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app-role"), PolicyArn: aws.String("arn:aws:iam::aws:policy/Nope")})
	iamWantCode(t, "attach unknown to role", err, "NoSuchEntity")
}

func TestIAMGroupWrites(t *testing.T) {
	_, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	g := iamOK(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("auditors")})).get(t, "CreateGroup")
	if aws.ToString(g.Group.Arn) != "arn:aws:iam::111122223333:group/auditors" || !strings.HasPrefix(aws.ToString(g.Group.GroupId), "AGPA") {
		t.Fatalf("group = %+v", g.Group)
	}
	_, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("auditors")})
	iamWantCode(t, "duplicate group", err, "EntityAlreadyExists")
	iamOK(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("auditors"), UserName: aws.String("carol")})).get(t, "add")
	iamOK(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("auditors"), UserName: aws.String("carol")})).get(t, "add again")
	gs := iamOK(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("carol")})).get(t, "groups")
	if len(gs.Groups) != 1 || aws.ToString(gs.Groups[0].GroupName) != "auditors" {
		t.Fatalf("groups = %+v", gs.Groups)
	}
	_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("nope"), UserName: aws.String("carol")})
	iamWantCode(t, "no group", err, "NoSuchEntity")
	_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("auditors"), UserName: aws.String("nobody")})
	iamWantCode(t, "no user", err, "NoSuchEntity")
	iamOK(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("auditors"), UserName: aws.String("carol")})).get(t, "remove")
	_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("auditors"), UserName: aws.String("carol")})
	iamWantCode(t, "remove twice", err, "NoSuchEntity")
}

func TestIAMMFAWrites(t *testing.T) {
	r, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	serial := "arn:aws:iam::111122223333:mfa/alice"
	_, err := c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	var dc *types.DeleteConflictException
	if !iamErrorsAs(err, &dc) || dc.ErrorMessage() != "MFA VirtualDevice in use. Must deactivate first." {
		t.Fatalf("delete assigned: %v", err)
	}
	_, err = c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(serial)})
	iamWantCode(t, "another user's device", err, "NoSuchEntity")
	iamOK(c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial)})).get(t, "deactivate")
	if m := iamOK(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice")})).get(t, "list"); len(m.MFADevices) != 0 {
		t.Fatalf("still listed: %+v", m.MFADevices)
	}
	un := iamOK(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned})).get(t, "unassigned")
	if len(un.VirtualMFADevices) != 1 || aws.ToString(un.VirtualMFADevices[0].SerialNumber) != serial || un.VirtualMFADevices[0].User != nil {
		t.Fatalf("unassigned = %+v", un.VirtualMFADevices)
	}
	as := iamOK(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned})).get(t, "assigned")
	if len(as.VirtualMFADevices) != 0 {
		t.Fatalf("assigned = %+v", as.VirtualMFADevices)
	}
	sum := iamOK(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).get(t, "summary")
	if sum.SummaryMap["MFADevices"] != 1 || sum.SummaryMap["MFADevicesInUse"] != 0 {
		t.Fatalf("summary MFA = %d / %d", sum.SummaryMap["MFADevices"], sum.SummaryMap["MFADevicesInUse"])
	}
	iamOK(c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})).get(t, "delete")
	_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	iamWantCode(t, "delete twice", err, "NoSuchEntity")

	// Root's virtual MFA device is listed as root's, and deactivating it turns MFA off.
	_, rc := iamStartYAML(t, `{account: {id: "123456789012"}, root: {mfa: true, keys: [{}]}}`, Options{})
	v := iamOK(rc.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{})).get(t, "root virtual")
	if len(v.VirtualMFADevices) != 1 || aws.ToString(v.VirtualMFADevices[0].User.Arn) != "arn:aws:iam::123456789012:root" {
		t.Fatalf("root virtual = %+v", v.VirtualMFADevices)
	}
	rootSerial := v.VirtualMFADevices[0].SerialNumber
	iamOK(rc.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{SerialNumber: rootSerial})).get(t, "root deactivate")
	if s := iamOK(rc.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).get(t, "summary"); s.SummaryMap["AccountMFAEnabled"] != 0 {
		t.Fatalf("root MFA still enabled")
	}
	_ = r
}

func TestIAMPasswordPolicyWrites(t *testing.T) {
	_, c := iamStartIAM(t, Options{})
	ctx := t.Context()
	iamOK(c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(16), RequireNumbers: true, PasswordReusePrevention: aws.Int32(24)})).get(t, "update")
	pp := iamOK(c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})).get(t, "get").PasswordPolicy
	// Parameters left out take IAM's defaults, not the old values.
	if aws.ToInt32(pp.MinimumPasswordLength) != 16 || !pp.RequireNumbers || pp.RequireSymbols || pp.ExpirePasswords || pp.MaxPasswordAge != nil || aws.ToInt32(pp.PasswordReusePrevention) != 24 {
		t.Fatalf("policy = %+v", pp)
	}
	_, err := c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(5)})
	iamWantCode(t, "too short", err, "ValidationError")
	_, err = c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(2000)})
	iamWantCode(t, "too old", err, "ValidationError")
	iamOK(c.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})).get(t, "delete")
	_, err = c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	var nse *types.NoSuchEntityException
	if !iamErrorsAs(err, &nse) || nse.ErrorMessage() != "The Password Policy with domain name 111122223333 cannot be found." {
		t.Fatalf("after delete: %v", err)
	}
	_, err = c.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})
	iamWantCode(t, "delete twice", err, "NoSuchEntity")
}

// TestIAMGroundTruth replays an attacker's persistence through the handlers and checks the
// scenario's ground truth lists what it created, with the kinds later tests compare against.
func TestIAMGroundTruth(t *testing.T) {
	yaml := iamTestScenario + `
history:
  - name: persistence
    attacker: true
    as: carol
    ip: 203.0.113.9
    user_agent: aws-cli/2.15.0
    at: -2h
    calls:
      - {service: iam, action: CreateUser, params: {UserName: support-admin}}
      - {service: iam, action: AttachUserPolicy, params: {UserName: support-admin, PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess"}}
      - {service: iam, action: CreateAccessKey, params: {UserName: support-admin}}
      - {service: iam, action: CreateLoginProfile, params: {UserName: support-admin, Password: "Sup3r-Secret-Pass!"}}
      - {service: iam, action: CreateUser, params: {UserName: support-admin}, fail: EntityAlreadyExists}
`
	r, c := iamStartYAML(t, yaml, Options{})
	gt := r.GroundTruth()
	var kinds []string
	for _, cr := range gt.Created {
		kinds = append(kinds, cr.Type+":"+cr.ID)
		if cr.EventID == "" || cr.By == "" {
			t.Errorf("created %+v lacks its event or key", cr)
		}
	}
	keys := iamOK(c.ListAccessKeys(t.Context(), &iam.ListAccessKeysInput{UserName: aws.String("support-admin")})).get(t, "keys")
	want := []string{"iam-user:support-admin", "policy-attachment:support-admin|arn:aws:iam::aws:policy/AdministratorAccess",
		"access-key:" + aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId), "login-profile:support-admin"}
	if !slices.Equal(kinds, want) || !slices.Equal(gt.Users, []string{"support-admin"}) || len(gt.Regions) != 0 {
		t.Fatalf("ground truth: created %v users %v regions %v", kinds, gt.Users, gt.Regions)
	}
	for _, rec := range r.Trail() {
		if strings.Contains(iamRecordJSON(t, rec), "Sup3r-Secret-Pass!") {
			t.Fatalf("the password is in the trail: %s", iamRecordJSON(t, rec))
		}
	}
}

func iamErrorsAs[E error](err error, target *E) bool { return errors.As(err, target) }
