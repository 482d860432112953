package awssim

import "slices"

func init() {
	register("iam", "GetAccountSummary", iamGetAccountSummary)
	register("iam", "GetAccountPasswordPolicy", iamGetAccountPasswordPolicy)
	register("iam", "UpdateAccountPasswordPolicy", iamUpdateAccountPasswordPolicy)
	register("iam", "DeleteAccountPasswordPolicy", iamDeleteAccountPasswordPolicy)
	register("iam", "ListAccountAliases", iamListAccountAliases)
}

type iamXMLEntry struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

type iamAccountSummaryResult struct {
	SummaryMap struct {
		Entry []iamXMLEntry `xml:"entry"`
	} `xml:"SummaryMap"`
}

// iamAccountQuotas are the IAM quotas GetAccountSummary reports, at their defaults.
var iamAccountQuotas = map[string]int{
	"AccessKeysPerUserQuota":          2,
	"AttachedPoliciesPerGroupQuota":   10,
	"AttachedPoliciesPerRoleQuota":    10,
	"AttachedPoliciesPerUserQuota":    10,
	"GlobalEndpointTokenVersion":      1,
	"GroupPolicySizeQuota":            5120,
	"GroupsPerUserQuota":              10,
	"GroupsQuota":                     300,
	"InstanceProfilesQuota":           1000,
	"PoliciesQuota":                   1500,
	"PolicySizeQuota":                 6144,
	"PolicyVersionsInUseQuota":        10000,
	"RolePolicySizeQuota":             10240,
	"RolesQuota":                      1000,
	"ServerCertificatesQuota":         20,
	"SigningCertificatesPerUserQuota": 2,
	"UserPolicySizeQuota":             2048,
	"UsersQuota":                      5000,
	"VersionsPerPolicyQuota":          5,
}

func iamB2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func iamGetAccountSummary(c *Call) (any, error) {
	a := c.Account
	counts := map[string]int{
		"Users":                             len(a.Users),
		"Groups":                            len(a.Groups),
		"Roles":                             len(a.Roles),
		"AccountMFAEnabled":                 iamB2i(a.Root.MFA),
		"AccountAccessKeysPresent":          iamB2i(len(a.Root.Keys) > 0),
		"AccountSigningCertificatesPresent": 0,
		"InstanceProfiles":                  0,
		"Providers":                         0,
		"ServerCertificates":                0,
	}
	inUse := iamB2i(a.Root.MFA)
	for _, u := range a.Users {
		inUse += len(u.MFA)
	}
	counts["MFADevicesInUse"] = inUse
	counts["MFADevices"] = inUse + len(a.VirtualMFA)
	policies, versionsInUse := 0, 0
	for _, p := range a.Policies {
		if !p.AWSManaged {
			policies++
			if a.iamAttachmentCount(p.ARN) > 0 {
				versionsInUse++
			}
		}
	}
	counts["Policies"] = policies
	counts["PolicyVersionsInUse"] = versionsInUse
	var out iamAccountSummaryResult
	for k, v := range iamAccountQuotas {
		counts[k] = v
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out.SummaryMap.Entry = append(out.SummaryMap.Entry, iamXMLEntry{Key: k, Value: counts[k]})
	}
	return out, nil
}

type iamXMLPasswordPolicy struct {
	MinimumPasswordLength      int  `xml:"MinimumPasswordLength"`
	RequireSymbols             bool `xml:"RequireSymbols"`
	RequireNumbers             bool `xml:"RequireNumbers"`
	RequireUppercaseCharacters bool `xml:"RequireUppercaseCharacters"`
	RequireLowercaseCharacters bool `xml:"RequireLowercaseCharacters"`
	AllowUsersToChangePassword bool `xml:"AllowUsersToChangePassword"`
	ExpirePasswords            bool `xml:"ExpirePasswords"`
	MaxPasswordAge             int  `xml:"MaxPasswordAge,omitempty"`
	PasswordReusePrevention    int  `xml:"PasswordReusePrevention,omitempty"`
	HardExpiry                 bool `xml:"HardExpiry"`
}

type iamPasswordPolicyResult struct {
	PasswordPolicy iamXMLPasswordPolicy `xml:"PasswordPolicy"`
}

func iamNoPasswordPolicy(a *Account) error {
	return noSuchEntity("The Password Policy with domain name %s cannot be found.", a.ID)
}

func iamGetAccountPasswordPolicy(c *Call) (any, error) {
	pp := c.Account.PasswordPolicy
	if pp == nil {
		return nil, iamNoPasswordPolicy(c.Account)
	}
	return iamPasswordPolicyResult{PasswordPolicy: iamXMLPasswordPolicy{
		MinimumPasswordLength: max(pp.MinimumPasswordLength, 6), RequireSymbols: pp.RequireSymbols, RequireNumbers: pp.RequireNumbers,
		RequireUppercaseCharacters: pp.RequireUppercaseCharacters, RequireLowercaseCharacters: pp.RequireLowercaseCharacters,
		AllowUsersToChangePassword: pp.AllowUsersToChangePassword, ExpirePasswords: pp.MaxPasswordAge > 0, MaxPasswordAge: pp.MaxPasswordAge,
		PasswordReusePrevention: pp.PasswordReusePrevention, HardExpiry: pp.HardExpiry,
	}}, nil
}

// iamUpdateAccountPasswordPolicy replaces the policy; parameters left out take IAM's
// defaults (not the previous values), as AWS documents.
func iamUpdateAccountPasswordPolicy(c *Call) (any, error) {
	minLen, err := c.Int("MinimumPasswordLength", 6)
	if err != nil {
		return nil, err
	}
	if minLen < 6 || minLen > 128 {
		return nil, validationError("1 validation error detected: Value '%d' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value between 6 and 128", minLen)
	}
	maxAge, err := c.Int("MaxPasswordAge", 0)
	if err != nil {
		return nil, err
	}
	if c.Has("MaxPasswordAge") && (maxAge < 1 || maxAge > 1095) {
		return nil, validationError("1 validation error detected: Value '%d' at 'maxPasswordAge' failed to satisfy constraint: Member must have value between 1 and 1095", maxAge)
	}
	reuse, err := c.Int("PasswordReusePrevention", 0)
	if err != nil {
		return nil, err
	}
	if c.Has("PasswordReusePrevention") && (reuse < 1 || reuse > 24) {
		return nil, validationError("1 validation error detected: Value '%d' at 'passwordReusePrevention' failed to satisfy constraint: Member must have value between 1 and 24", reuse)
	}
	pp := &PasswordPolicy{MinimumPasswordLength: minLen, MaxPasswordAge: maxAge, PasswordReusePrevention: reuse}
	for name, dst := range map[string]*bool{
		"RequireSymbols": &pp.RequireSymbols, "RequireNumbers": &pp.RequireNumbers,
		"RequireUppercaseCharacters": &pp.RequireUppercaseCharacters, "RequireLowercaseCharacters": &pp.RequireLowercaseCharacters,
		"AllowUsersToChangePassword": &pp.AllowUsersToChangePassword, "HardExpiry": &pp.HardExpiry,
	} {
		if *dst, err = iamBoolParam(c, name); err != nil {
			return nil, err
		}
	}
	c.Account.PasswordPolicy = pp
	return nil, nil
}

func iamDeleteAccountPasswordPolicy(c *Call) (any, error) {
	if c.Account.PasswordPolicy == nil {
		return nil, iamNoPasswordPolicy(c.Account)
	}
	c.Account.PasswordPolicy = nil
	return nil, nil
}

type iamListAliasesResult struct {
	AccountAliases iamMembers[string] `xml:"AccountAliases"`
	IsTruncated    bool               `xml:"IsTruncated"`
	Marker         string             `xml:"Marker,omitempty"`
}

// iamListAccountAliases lists the alias (an account has at most one).
func iamListAccountAliases(c *Call) (any, error) {
	var all []string
	if c.Account.Alias != "" {
		all = []string{c.Account.Alias}
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	return iamListAliasesResult{AccountAliases: iamMemberList(items), IsTruncated: truncated, Marker: marker}, nil
}
