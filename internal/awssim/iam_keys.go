package awssim

import (
	"slices"
	"strings"
	"unicode"
)

func init() {
	register("iam", "ListAccessKeys", iamListAccessKeys)
	register("iam", "GetAccessKeyLastUsed", iamGetAccessKeyLastUsed)
	register("iam", "CreateAccessKey", iamCreateAccessKey)
	register("iam", "UpdateAccessKey", iamUpdateAccessKey)
	register("iam", "DeleteAccessKey", iamDeleteAccessKey)
	register("iam", "GetLoginProfile", iamGetLoginProfile)
	register("iam", "CreateLoginProfile", iamCreateLoginProfile)
	register("iam", "UpdateLoginProfile", iamUpdateLoginProfile)
	register("iam", "DeleteLoginProfile", iamDeleteLoginProfile)
	register("iam", "ListMFADevices", iamListMFADevices)
	register("iam", "ListVirtualMFADevices", iamListVirtualMFADevices)
	register("iam", "DeactivateMFADevice", iamDeactivateMFADevice)
	register("iam", "DeleteVirtualMFADevice", iamDeleteVirtualMFADevice)
}

// iamKeysOf is the key list of a user, or of root when u is nil.
func (a *Account) iamKeysOf(u *User) *[]*AccessKey {
	if u == nil {
		return &a.Root.Keys
	}
	return &u.Keys
}

func iamUserNameOf(u *User) string {
	if u == nil {
		return ""
	}
	return u.Name
}

type iamXMLKeyMeta struct {
	UserName    string `xml:"UserName,omitempty"`
	AccessKeyId string `xml:"AccessKeyId"`
	Status      string `xml:"Status"`
	CreateDate  string `xml:"CreateDate"`
}

type iamListAccessKeysResult struct {
	AccessKeyMetadata iamMembers[iamXMLKeyMeta] `xml:"AccessKeyMetadata"`
	IsTruncated       bool                      `xml:"IsTruncated"`
	Marker            string                    `xml:"Marker,omitempty"`
}

func iamListAccessKeys(c *Call) (any, error) {
	u, _, err := c.iamUserOrCaller()
	if err != nil {
		return nil, err
	}
	var all []iamXMLKeyMeta
	for _, k := range *c.Account.iamKeysOf(u) {
		all = append(all, iamXMLKeyMeta{UserName: iamUserNameOf(u), AccessKeyId: k.ID, Status: k.Status, CreateDate: iamTime(k.Created)})
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	return iamListAccessKeysResult{AccessKeyMetadata: iamMemberList(items), IsTruncated: truncated, Marker: marker}, nil
}

type iamXMLKeyLastUsed struct {
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	ServiceName  string `xml:"ServiceName"`
	Region       string `xml:"Region"`
}

type iamKeyLastUsedResult struct {
	UserName          string            `xml:"UserName,omitempty"`
	AccessKeyLastUsed iamXMLKeyLastUsed `xml:"AccessKeyLastUsed"`
}

// iamGetAccessKeyLastUsed answers for keys of the caller's account only. A key that was
// never used has no LastUsedDate and "N/A" as service and region, as in AWS.
func iamGetAccessKeyLastUsed(c *Call) (any, error) {
	id, err := c.iamRequired("AccessKeyId")
	if err != nil {
		return nil, err
	}
	k := c.srv.w.keys[id]
	if k == nil || k.AccountID != c.Account.ID {
		// AWS authorizes against the key's owner, so an unknown key is a denial, not a 404.
		return nil, errorf(403, "AccessDenied", "User: %s is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key %s", c.Identity.ARN, id)
	}
	out := iamKeyLastUsedResult{UserName: iamUserNameOf(k.User), AccessKeyLastUsed: iamXMLKeyLastUsed{ServiceName: "N/A", Region: "N/A"}}
	if !k.LastUsed.IsZero() {
		out.AccessKeyLastUsed = iamXMLKeyLastUsed{LastUsedDate: iamTime(k.LastUsed), ServiceName: iamOrNA(k.LastUsedService), Region: iamOrNA(k.LastUsedRegion)}
	}
	return out, nil
}

func iamOrNA(s string) string {
	if s == "" {
		return "N/A"
	}
	return s
}

type iamXMLAccessKey struct {
	UserName        string `xml:"UserName,omitempty"`
	AccessKeyId     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	CreateDate      string `xml:"CreateDate"`
}

type iamCreateAccessKeyResult struct {
	AccessKey iamXMLAccessKey `xml:"AccessKey"`
}

// iamCreateAccessKey makes a key for the named user or the caller. The secret is in this
// reply only; CloudTrail records the key without it.
func iamCreateAccessKey(c *Call) (any, error) {
	u, _, err := c.iamUserOrCaller()
	if err != nil {
		return nil, err
	}
	a := c.Account
	keys := a.iamKeysOf(u)
	if len(*keys) >= 2 {
		return nil, errorf(409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
	}
	w := c.srv.w
	k := &AccessKey{ID: w.newAccessKeyID("AKIA", a.ID), Secret: w.newSecret(), Status: "Active", Created: c.Now, User: u}
	a.addKey(k)
	*keys = append(*keys, k)
	c.created("access-key", k.ID)
	trail := map[string]string{"accessKeyId": k.ID, "status": "Active", "createDate": iamTrailTime(c.Now)}
	if u != nil {
		trail["userName"] = u.Name
	}
	c.TrailResponse = map[string]any{"accessKey": trail}
	return iamCreateAccessKeyResult{AccessKey: iamXMLAccessKey{UserName: iamUserNameOf(u), AccessKeyId: k.ID, Status: k.Status, SecretAccessKey: k.Secret, CreateDate: iamTime(k.Created)}}, nil
}

// iamOwnKey finds AccessKeyId among the keys of UserName (or the caller).
func (c *Call) iamOwnKey() (*AccessKey, *User, error) {
	id, err := c.iamRequired("AccessKeyId")
	if err != nil {
		return nil, nil, err
	}
	if len(id) < 16 || len(id) > 128 {
		return nil, nil, validationError("1 validation error detected: Value '%s' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16", id)
	}
	u, _, err := c.iamUserOrCaller()
	if err != nil {
		return nil, nil, err
	}
	for _, k := range *c.Account.iamKeysOf(u) {
		if k.ID == id {
			return k, u, nil
		}
	}
	return nil, nil, iamKeyNotFound(id)
}

// iamUpdateAccessKey changes a key's status. An inactive key authenticates nothing: the
// server checks the status on every request, so this locks the key out at once.
func iamUpdateAccessKey(c *Call) (any, error) {
	status, err := c.iamRequired("Status")
	if err != nil {
		return nil, err
	}
	if status != "Active" && status != "Inactive" {
		return nil, validationError("1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	k, _, err := c.iamOwnKey()
	if err != nil {
		return nil, err
	}
	k.Status = status
	return nil, nil
}

// iamDeleteAccessKey removes the key from its owner and from the world's key index, so
// requests signed with it get InvalidClientTokenId.
func iamDeleteAccessKey(c *Call) (any, error) {
	k, u, err := c.iamOwnKey()
	if err != nil {
		return nil, err
	}
	keys := c.Account.iamKeysOf(u)
	*keys = slices.DeleteFunc(*keys, func(x *AccessKey) bool { return x == k })
	delete(c.srv.w.keys, k.ID)
	return nil, nil
}

type iamXMLLoginProfile struct {
	UserName              string `xml:"UserName"`
	CreateDate            string `xml:"CreateDate"`
	PasswordResetRequired bool   `xml:"PasswordResetRequired"`
}

type iamLoginProfileResult struct {
	LoginProfile iamXMLLoginProfile `xml:"LoginProfile"`
}

func iamLoginNotFound(user string) error {
	return noSuchEntity("Login Profile for User %s cannot be found.", user)
}

func iamGetLoginProfile(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	if u.Login == nil {
		return nil, iamLoginNotFound(u.Name)
	}
	return iamLoginProfileResult{LoginProfile: iamXMLLoginProfile{UserName: u.Name, CreateDate: iamTime(u.Login.Created), PasswordResetRequired: u.Login.ResetRequired}}, nil
}

// iamCheckPassword applies the account password policy, or AWS's default one when the
// account has none (at least 8 characters and three of the four character kinds).
func iamCheckPassword(pp *PasswordPolicy, pw string) error {
	violation := func(msg string) error { return errorf(400, "PasswordPolicyViolation", "%s", msg) }
	if len(pw) > 128 {
		return validationError("1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128")
	}
	var upper, lower, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case strings.ContainsRune("!@#$%^&*()_+-=[]{}|'", r):
			symbol = true
		}
	}
	if pp == nil {
		if len(pw) < 8 {
			return violation("Password should have a minimum length of 8")
		}
		kinds := 0
		for _, ok := range []bool{upper, lower, digit, symbol} {
			if ok {
				kinds++
			}
		}
		if kinds < 3 {
			return violation("Password should have at least three of the following: uppercase letters, lowercase letters, numbers, symbols")
		}
		return nil
	}
	minLen := max(pp.MinimumPasswordLength, 6) // IAM's floor and default
	switch {
	case len(pw) < minLen:
		return violation("Password should have a minimum length of " + iamItoa(minLen))
	case pp.RequireUppercaseCharacters && !upper:
		return violation("Password should have at least one uppercase letter")
	case pp.RequireLowercaseCharacters && !lower:
		return violation("Password should have at least one lowercase letter")
	case pp.RequireNumbers && !digit:
		return violation("Password should have at least one number")
	case pp.RequireSymbols && !symbol:
		return violation("Password should have at least one symbol")
	}
	return nil
}

func iamItoa(n int) string { return uintString(uint64(max(n, 0))) }

// iamLoginTrailRequest is what CloudTrail records for login profile calls: never the password.
func iamLoginTrailRequest(user string, reset *bool) map[string]any {
	m := map[string]any{"userName": user}
	if reset != nil {
		m["passwordResetRequired"] = *reset
	}
	return m
}

// iamCreateLoginProfile gives a user a console password. Without UserName it is the
// caller's; root's password is not managed through IAM.
func iamCreateLoginProfile(c *Call) (any, error) {
	u, root, err := c.iamUserOrCaller()
	if err != nil {
		return nil, err
	}
	if root {
		return nil, validationError("1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null")
	}
	reset, err := iamBoolParam(c, "PasswordResetRequired")
	if err != nil {
		return nil, err
	}
	c.TrailRequest = iamLoginTrailRequest(u.Name, &reset)
	pw, err := c.iamRequired("Password")
	if err != nil {
		return nil, err
	}
	if u.Login != nil {
		return nil, errorf(409, "EntityAlreadyExists", "Login Profile for user %s already exists.", u.Name)
	}
	if err := iamCheckPassword(c.Account.PasswordPolicy, pw); err != nil {
		return nil, err
	}
	u.Login = &LoginProfile{Created: c.Now, ResetRequired: reset, PasswordChanged: c.Now}
	c.created("login-profile", u.Name)
	c.TrailResponse = map[string]any{"loginProfile": map[string]any{"userName": u.Name, "createDate": iamTrailTime(c.Now), "passwordResetRequired": reset}}
	return iamLoginProfileResult{LoginProfile: iamXMLLoginProfile{UserName: u.Name, CreateDate: iamTime(c.Now), PasswordResetRequired: reset}}, nil
}

func iamUpdateLoginProfile(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	var reset *bool
	if c.Has("PasswordResetRequired") {
		r, err := iamBoolParam(c, "PasswordResetRequired")
		if err != nil {
			return nil, err
		}
		reset = &r
	}
	c.TrailRequest = iamLoginTrailRequest(u.Name, reset)
	if u.Login == nil {
		return nil, iamLoginNotFound(u.Name)
	}
	if c.Has("Password") {
		if err := iamCheckPassword(c.Account.PasswordPolicy, c.Param("Password")); err != nil {
			return nil, err
		}
		u.Login.PasswordChanged = c.Now
	}
	if reset != nil {
		u.Login.ResetRequired = *reset
	}
	return nil, nil
}

func iamDeleteLoginProfile(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	if u.Login == nil {
		return nil, iamLoginNotFound(u.Name)
	}
	u.Login = nil
	return nil, nil
}

type iamXMLMFADevice struct {
	UserName     string `xml:"UserName,omitempty"`
	SerialNumber string `xml:"SerialNumber"`
	EnableDate   string `xml:"EnableDate"`
}

type iamListMFAResult struct {
	MFADevices  iamMembers[iamXMLMFADevice] `xml:"MFADevices"`
	IsTruncated bool                        `xml:"IsTruncated"`
	Marker      string                      `xml:"Marker,omitempty"`
}

// iamRootMFA is the root user's MFA device as IAM lists it, or nil.
func (a *Account) iamRootMFA() *MFADevice {
	if !a.Root.MFA {
		return nil
	}
	d := &MFADevice{Serial: "arn:aws:iam::" + a.ID + ":mfa/root-account-mfa-device", Enabled: a.Root.Created, Virtual: !a.Root.HardwareMFA}
	if a.Root.HardwareMFA {
		d.Serial = "GAHT" + a.ID[4:]
	}
	return d
}

func iamListMFADevices(c *Call) (any, error) {
	u, _, err := c.iamUserOrCaller()
	if err != nil {
		return nil, err
	}
	var all []iamXMLMFADevice
	if u == nil {
		if d := c.Account.iamRootMFA(); d != nil {
			all = append(all, iamXMLMFADevice{SerialNumber: d.Serial, EnableDate: iamTime(d.Enabled)})
		}
	} else {
		for _, d := range u.MFA {
			all = append(all, iamXMLMFADevice{UserName: u.Name, SerialNumber: d.Serial, EnableDate: iamTime(d.Enabled)})
		}
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	return iamListMFAResult{MFADevices: iamMemberList(items), IsTruncated: truncated, Marker: marker}, nil
}

type iamXMLVirtualMFA struct {
	SerialNumber string      `xml:"SerialNumber"`
	EnableDate   string      `xml:"EnableDate,omitempty"`
	User         *iamXMLUser `xml:"User,omitempty"`
}

type iamListVirtualMFAResult struct {
	VirtualMFADevices iamMembers[iamXMLVirtualMFA] `xml:"VirtualMFADevices"`
	IsTruncated       bool                         `xml:"IsTruncated"`
	Marker            string                       `xml:"Marker,omitempty"`
}

// iamListVirtualMFADevices lists the account's virtual devices: the root user's (when it
// is virtual), the users', and the unassigned ones, filtered by AssignmentStatus.
func iamListVirtualMFADevices(c *Call) (any, error) {
	status := c.Param("AssignmentStatus")
	if status == "" {
		status = "Any"
	}
	if status != "Assigned" && status != "Unassigned" && status != "Any" {
		return nil, validationError("1 validation error detected: Value '%s' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Assigned, Unassigned, Any]", status)
	}
	a := c.Account
	var all []iamXMLVirtualMFA
	if status != "Unassigned" {
		if d := a.iamRootMFA(); d != nil && d.Virtual {
			all = append(all, iamXMLVirtualMFA{SerialNumber: d.Serial, EnableDate: iamTime(d.Enabled),
				User: &iamXMLUser{UserId: a.ID, Arn: a.iamRootARN(), CreateDate: iamTime(a.Root.Created), PasswordLastUsed: iamTime(a.Root.PasswordLastUsed)}})
		}
		for _, u := range a.Users {
			for _, d := range u.MFA {
				if d.Virtual {
					x := a.iamXMLUser(u, false)
					all = append(all, iamXMLVirtualMFA{SerialNumber: d.Serial, EnableDate: iamTime(d.Enabled), User: &x})
				}
			}
		}
	}
	if status != "Assigned" {
		for _, d := range a.VirtualMFA {
			all = append(all, iamXMLVirtualMFA{SerialNumber: d.Serial})
		}
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	return iamListVirtualMFAResult{VirtualMFADevices: iamMemberList(items), IsTruncated: truncated, Marker: marker}, nil
}

func iamMfaNotFound(serial string) error {
	return noSuchEntity("MFA Device with serial number %s does not exist.", serial)
}

// iamDeactivateMFADevice takes a device from a user; a virtual device stays in the account,
// unassigned, until DeleteVirtualMFADevice.
func iamDeactivateMFADevice(c *Call) (any, error) {
	serial, err := c.iamRequired("SerialNumber")
	if err != nil {
		return nil, err
	}
	u, root, err := c.iamUserOrCaller()
	if err != nil {
		return nil, err
	}
	a := c.Account
	if root {
		d := a.iamRootMFA()
		if d == nil || d.Serial != serial {
			return nil, iamMfaNotFound(serial)
		}
		a.Root.MFA, a.Root.HardwareMFA = false, false
		if d.Virtual {
			a.VirtualMFA = append(a.VirtualMFA, d)
		}
		return nil, nil
	}
	i := slices.IndexFunc(u.MFA, func(d *MFADevice) bool { return d.Serial == serial })
	if i < 0 {
		return nil, iamMfaNotFound(serial)
	}
	d := u.MFA[i]
	u.MFA = slices.Delete(u.MFA, i, i+1)
	if d.Virtual {
		a.VirtualMFA = append(a.VirtualMFA, &MFADevice{Serial: d.Serial, Virtual: true})
	}
	return nil, nil
}

func iamDeleteVirtualMFADevice(c *Call) (any, error) {
	serial, err := c.iamRequired("SerialNumber")
	if err != nil {
		return nil, err
	}
	a := c.Account
	if d := a.iamRootMFA(); d != nil && d.Serial == serial {
		return nil, errorf(409, "DeleteConflict", "MFA VirtualDevice in use. Must deactivate first.")
	}
	for _, u := range a.Users {
		for _, d := range u.MFA {
			if d.Serial == serial {
				return nil, errorf(409, "DeleteConflict", "MFA VirtualDevice in use. Must deactivate first.")
			}
		}
	}
	i := slices.IndexFunc(a.VirtualMFA, func(d *MFADevice) bool { return d.Serial == serial })
	if i < 0 {
		return nil, noSuchEntity("VirtualMFADevice with serial number %s doesn't exist.", serial)
	}
	a.VirtualMFA = slices.Delete(a.VirtualMFA, i, i+1)
	return nil, nil
}
