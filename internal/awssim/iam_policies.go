package awssim

import (
	"maps"
	"slices"
	"strings"
)

func init() {
	register("iam", "ListUserPolicies", iamListUserPolicies)
	register("iam", "GetUserPolicy", iamGetUserPolicy)
	register("iam", "PutUserPolicy", iamPutUserPolicy)
	register("iam", "DeleteUserPolicy", iamDeleteUserPolicy)
	register("iam", "ListAttachedUserPolicies", iamListAttachedUserPolicies)
	register("iam", "AttachUserPolicy", iamAttachUserPolicy)
	register("iam", "DetachUserPolicy", iamDetachUserPolicy)
	register("iam", "ListRoles", iamListRoles)
	register("iam", "ListRolePolicies", iamListRolePolicies)
	register("iam", "PutRolePolicy", iamPutRolePolicy)
	register("iam", "ListAttachedRolePolicies", iamListAttachedRolePolicies)
	register("iam", "AttachRolePolicy", iamAttachRolePolicy)
	register("iam", "DetachRolePolicy", iamDetachRolePolicy)
	register("iam", "ListPolicies", iamListPolicies)
	register("iam", "GetAccountAuthorizationDetails", iamGetAccountAuthorizationDetails)
}

// iamAttachmentLists are the managed policy ARNs attached to each user, group and role.
func (a *Account) iamAttachmentLists() [][]string {
	var out [][]string
	for _, u := range a.Users {
		out = append(out, u.Attached)
	}
	for _, g := range a.Groups {
		out = append(out, g.Attached)
	}
	for _, r := range a.Roles {
		out = append(out, r.Attached)
	}
	return out
}

// iamAttachmentCount is how many users, groups and roles have the managed policy attached.
func (a *Account) iamAttachmentCount(arn string) int {
	n := 0
	for _, arns := range a.iamAttachmentLists() {
		n += iamB2i(slices.Contains(arns, arn))
	}
	return n
}

type iamPolicyNamesResult struct {
	PolicyNames iamMembers[string] `xml:"PolicyNames"`
	IsTruncated bool               `xml:"IsTruncated"`
	Marker      string             `xml:"Marker,omitempty"`
}

func iamInlineNames(c *Call, inline map[string]string) (any, error) {
	names := slices.Sorted(maps.Keys(inline))
	items, truncated, marker, err := iamPage(c, names)
	if err != nil {
		return nil, err
	}
	return iamPolicyNamesResult{PolicyNames: iamMemberList(items), IsTruncated: truncated, Marker: marker}, nil
}

func iamListUserPolicies(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	return iamInlineNames(c, u.Inline)
}

type iamUserPolicyResult struct {
	UserName       string `xml:"UserName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func iamGetUserPolicy(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	name, err := c.iamName("PolicyName", 128)
	if err != nil {
		return nil, err
	}
	doc, ok := u.Inline[name]
	if !ok {
		return nil, noSuchEntity("The user policy with name %s cannot be found.", name)
	}
	return iamUserPolicyResult{UserName: u.Name, PolicyName: name, PolicyDocument: iamUrlEncodeDoc(doc)}, nil
}

// iamPutInline stores an inline policy after checking the document and the size quota.
func iamPutInline(c *Call, inline *map[string]string, quota int, limitMsg string) error {
	name, err := c.iamName("PolicyName", 128)
	if err != nil {
		return err
	}
	doc, err := c.iamRequired("PolicyDocument")
	if err != nil {
		return err
	}
	if err := iamPolicyDocument(doc, quota, limitMsg); err != nil {
		return err
	}
	if *inline == nil {
		*inline = map[string]string{}
	}
	(*inline)[name] = doc
	return nil
}

func iamPutUserPolicy(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	return nil, iamPutInline(c, &u.Inline, 2048, "Maximum policy size of 2048 bytes exceeded for user "+u.Name)
}

func iamDeleteUserPolicy(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	name, err := c.iamName("PolicyName", 128)
	if err != nil {
		return nil, err
	}
	if _, ok := u.Inline[name]; !ok {
		return nil, noSuchEntity("The user policy with name %s cannot be found.", name)
	}
	delete(u.Inline, name)
	return nil, nil
}

type iamXMLAttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type iamAttachedPoliciesResult struct {
	AttachedPolicies iamMembers[iamXMLAttachedPolicy] `xml:"AttachedPolicies"`
	IsTruncated      bool                             `xml:"IsTruncated"`
	Marker           string                           `xml:"Marker,omitempty"`
}

func (a *Account) iamAttachedList(arns []string) []iamXMLAttachedPolicy {
	var out []iamXMLAttachedPolicy
	for _, arn := range arns {
		name := arn[strings.LastIndex(arn, "/")+1:]
		if p := a.Policy(arn); p != nil {
			name = p.Name
		}
		out = append(out, iamXMLAttachedPolicy{PolicyName: name, PolicyArn: arn})
	}
	return out
}

func iamListAttached(c *Call, arns []string) (any, error) {
	all := c.Account.iamAttachedList(arns)
	if prefix := c.Param("PathPrefix"); prefix != "" {
		all = slices.DeleteFunc(all, func(p iamXMLAttachedPolicy) bool {
			mp := c.Account.Policy(p.PolicyArn)
			return mp == nil || !strings.HasPrefix(mp.Path, prefix)
		})
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	return iamAttachedPoliciesResult{AttachedPolicies: iamMemberList(items), IsTruncated: truncated, Marker: marker}, nil
}

func iamListAttachedUserPolicies(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	return iamListAttached(c, u.Attached)
}

// iamPolicyARN reads PolicyArn and finds the managed policy it names.
func (c *Call) iamPolicyARN() (string, error) {
	arn, err := c.iamRequired("PolicyArn")
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(arn, "arn:aws:iam::") || !strings.Contains(arn, ":policy/") {
		return "", errorf(400, "InvalidInput", "ARN %s is not valid.", arn)
	}
	if c.Account.Policy(arn) == nil {
		return "", noSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	return arn, nil
}

// iamAttach adds a managed policy to an attachment list; attaching twice is not an error.
func iamAttach(c *Call, list *[]string, kind string) (string, error) {
	arn, err := c.iamPolicyARN()
	if err != nil {
		return "", err
	}
	if slices.Contains(*list, arn) {
		return arn, nil
	}
	if len(*list) >= 10 {
		return "", errorf(409, "LimitExceeded", "Cannot exceed quota for PoliciesPer%s: 10", kind)
	}
	*list = append(*list, arn)
	return arn, nil
}

func iamDetach(c *Call, list *[]string) error {
	arn, err := c.iamRequired("PolicyArn")
	if err != nil {
		return err
	}
	if !slices.Contains(*list, arn) {
		return noSuchEntity("Policy %s was not found.", arn)
	}
	*list = slices.DeleteFunc(*list, func(x string) bool { return x == arn })
	return nil
}

func iamAttachUserPolicy(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	arn, err := iamAttach(c, &u.Attached, "User")
	if err != nil {
		return nil, err
	}
	c.created("policy-attachment", u.Name+"|"+arn)
	return nil, nil
}

func iamDetachUserPolicy(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	return nil, iamDetach(c, &u.Attached)
}

func (c *Call) iamRole(param string) (*Role, error) {
	name, err := c.iamName(param, 64)
	if err != nil {
		return nil, err
	}
	r := c.Account.Role(name)
	if r == nil {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	return r, nil
}

type iamXMLRoleLastUsed struct {
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	Region       string `xml:"Region,omitempty"`
}

type iamXMLRole struct {
	Path                     string              `xml:"Path"`
	RoleName                 string              `xml:"RoleName"`
	RoleId                   string              `xml:"RoleId"`
	Arn                      string              `xml:"Arn"`
	CreateDate               string              `xml:"CreateDate"`
	AssumeRolePolicyDocument string              `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string              `xml:"Description,omitempty"`
	MaxSessionDuration       int                 `xml:"MaxSessionDuration"`
	RoleLastUsed             *iamXMLRoleLastUsed `xml:"RoleLastUsed,omitempty"`
}

func (a *Account) iamXMLRole(r *Role) iamXMLRole {
	return iamXMLRole{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: a.iamRoleARN(r), CreateDate: iamTime(r.Created),
		AssumeRolePolicyDocument: iamUrlEncodeDoc(r.AssumeRolePolicy), Description: r.Description, MaxSessionDuration: 3600}
}

type iamListRolesResult struct {
	Roles       iamMembers[iamXMLRole] `xml:"Roles"`
	IsTruncated bool                   `xml:"IsTruncated"`
	Marker      string                 `xml:"Marker,omitempty"`
}

// iamListRoles lists roles; like AWS it leaves out RoleLastUsed (GetRole and
// GetAccountAuthorizationDetails have it).
func iamListRoles(c *Call) (any, error) {
	prefix := c.Param("PathPrefix")
	var all []iamXMLRole
	for _, r := range c.Account.Roles {
		if strings.HasPrefix(r.Path, prefix) {
			all = append(all, c.Account.iamXMLRole(r))
		}
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	return iamListRolesResult{Roles: iamMemberList(items), IsTruncated: truncated, Marker: marker}, nil
}

func iamListRolePolicies(c *Call) (any, error) {
	r, err := c.iamRole("RoleName")
	if err != nil {
		return nil, err
	}
	return iamInlineNames(c, r.Inline)
}

func iamPutRolePolicy(c *Call) (any, error) {
	r, err := c.iamRole("RoleName")
	if err != nil {
		return nil, err
	}
	return nil, iamPutInline(c, &r.Inline, 10240, "Maximum policy size of 10240 bytes exceeded for role "+r.Name)
}

func iamListAttachedRolePolicies(c *Call) (any, error) {
	r, err := c.iamRole("RoleName")
	if err != nil {
		return nil, err
	}
	return iamListAttached(c, r.Attached)
}

func iamAttachRolePolicy(c *Call) (any, error) {
	r, err := c.iamRole("RoleName")
	if err != nil {
		return nil, err
	}
	_, err = iamAttach(c, &r.Attached, "Role")
	return nil, err
}

func iamDetachRolePolicy(c *Call) (any, error) {
	r, err := c.iamRole("RoleName")
	if err != nil {
		return nil, err
	}
	return nil, iamDetach(c, &r.Attached)
}

type iamXMLPolicy struct {
	PolicyName                    string `xml:"PolicyName"`
	PolicyId                      string `xml:"PolicyId"`
	Arn                           string `xml:"Arn"`
	Path                          string `xml:"Path"`
	DefaultVersionId              string `xml:"DefaultVersionId"`
	AttachmentCount               int    `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int    `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool   `xml:"IsAttachable"`
	CreateDate                    string `xml:"CreateDate"`
	UpdateDate                    string `xml:"UpdateDate"`
}

func (a *Account) iamXMLPolicy(p *ManagedPolicy) iamXMLPolicy {
	return iamXMLPolicy{PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: "v1",
		AttachmentCount: a.iamAttachmentCount(p.ARN), IsAttachable: true, CreateDate: iamTime(p.Created), UpdateDate: iamTime(p.Updated)}
}

type iamListPoliciesResult struct {
	Policies    iamMembers[iamXMLPolicy] `xml:"Policies"`
	IsTruncated bool                     `xml:"IsTruncated"`
	Marker      string                   `xml:"Marker,omitempty"`
}

// iamKnownPolicies is every managed policy of the account plus every AWS managed policy the
// simulator knows, sorted by name.
func (a *Account) iamKnownPolicies() []*ManagedPolicy {
	for _, name := range slices.Sorted(maps.Keys(awsManagedPolicies)) {
		a.Policy("arn:aws:iam::aws:policy/" + name)
	}
	ps := slices.Clone(a.Policies)
	slices.SortStableFunc(ps, func(x, y *ManagedPolicy) int { return strings.Compare(x.Name, y.Name) })
	return ps
}

func iamListPolicies(c *Call) (any, error) {
	scope := c.Param("Scope")
	if scope == "" {
		scope = "All"
	}
	if scope != "All" && scope != "AWS" && scope != "Local" {
		return nil, validationError("1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", scope)
	}
	onlyAttached, err := iamBoolParam(c, "OnlyAttached")
	if err != nil {
		return nil, err
	}
	prefix := c.Param("PathPrefix")
	a := c.Account
	var all []iamXMLPolicy
	for _, p := range a.iamKnownPolicies() {
		switch {
		case scope == "AWS" && !p.AWSManaged, scope == "Local" && p.AWSManaged:
			continue
		case !strings.HasPrefix(p.Path, prefix):
			continue
		}
		x := a.iamXMLPolicy(p)
		if onlyAttached && x.AttachmentCount == 0 {
			continue
		}
		all = append(all, x)
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	return iamListPoliciesResult{Policies: iamMemberList(items), IsTruncated: truncated, Marker: marker}, nil
}

type iamXMLPolicyDetail struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func iamPolicyDetails(inline map[string]string) iamMembers[iamXMLPolicyDetail] {
	var out []iamXMLPolicyDetail
	for _, name := range slices.Sorted(maps.Keys(inline)) {
		out = append(out, iamXMLPolicyDetail{PolicyName: name, PolicyDocument: iamUrlEncodeDoc(inline[name])})
	}
	return iamMemberList(out)
}

type iamXMLUserDetail struct {
	Path                    string                           `xml:"Path"`
	UserName                string                           `xml:"UserName"`
	UserId                  string                           `xml:"UserId"`
	Arn                     string                           `xml:"Arn"`
	CreateDate              string                           `xml:"CreateDate"`
	UserPolicyList          iamMembers[iamXMLPolicyDetail]   `xml:"UserPolicyList"`
	GroupList               iamMembers[string]               `xml:"GroupList"`
	AttachedManagedPolicies iamMembers[iamXMLAttachedPolicy] `xml:"AttachedManagedPolicies"`
	Tags                    *iamMembers[iamXMLTag]           `xml:"Tags,omitempty"`
}

type iamXMLGroupDetail struct {
	Path                    string                           `xml:"Path"`
	GroupName               string                           `xml:"GroupName"`
	GroupId                 string                           `xml:"GroupId"`
	Arn                     string                           `xml:"Arn"`
	CreateDate              string                           `xml:"CreateDate"`
	GroupPolicyList         iamMembers[iamXMLPolicyDetail]   `xml:"GroupPolicyList"`
	AttachedManagedPolicies iamMembers[iamXMLAttachedPolicy] `xml:"AttachedManagedPolicies"`
}

type iamXMLRoleDetail struct {
	Path                     string                           `xml:"Path"`
	RoleName                 string                           `xml:"RoleName"`
	RoleId                   string                           `xml:"RoleId"`
	Arn                      string                           `xml:"Arn"`
	CreateDate               string                           `xml:"CreateDate"`
	AssumeRolePolicyDocument string                           `xml:"AssumeRolePolicyDocument"`
	InstanceProfileList      iamMembers[string]               `xml:"InstanceProfileList"`
	RolePolicyList           iamMembers[iamXMLPolicyDetail]   `xml:"RolePolicyList"`
	AttachedManagedPolicies  iamMembers[iamXMLAttachedPolicy] `xml:"AttachedManagedPolicies"`
	RoleLastUsed             iamXMLRoleLastUsed               `xml:"RoleLastUsed"`
}

type iamXMLPolicyVersion struct {
	Document         string `xml:"Document"`
	VersionId        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

type iamXMLManagedPolicyDetail struct {
	PolicyName                    string                          `xml:"PolicyName"`
	PolicyId                      string                          `xml:"PolicyId"`
	Arn                           string                          `xml:"Arn"`
	Path                          string                          `xml:"Path"`
	DefaultVersionId              string                          `xml:"DefaultVersionId"`
	AttachmentCount               int                             `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int                             `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool                            `xml:"IsAttachable"`
	CreateDate                    string                          `xml:"CreateDate"`
	UpdateDate                    string                          `xml:"UpdateDate"`
	PolicyVersionList             iamMembers[iamXMLPolicyVersion] `xml:"PolicyVersionList"`
}

type iamAuthDetailsResult struct {
	UserDetailList  iamMembers[iamXMLUserDetail]          `xml:"UserDetailList"`
	GroupDetailList iamMembers[iamXMLGroupDetail]         `xml:"GroupDetailList"`
	RoleDetailList  iamMembers[iamXMLRoleDetail]          `xml:"RoleDetailList"`
	Policies        iamMembers[iamXMLManagedPolicyDetail] `xml:"Policies"`
	IsTruncated     bool                                  `xml:"IsTruncated"`
	Marker          string                                `xml:"Marker,omitempty"`
}

// iamGetAccountAuthorizationDetails returns users, groups, roles and managed policies with
// their documents URL-encoded, filtered by Filter.member.N and paged across all four lists.
// Like AWS it includes the AWS managed policies only when something has them attached.
func iamGetAccountAuthorizationDetails(c *Call) (any, error) {
	filter := c.List("Filter")
	for _, f := range filter {
		switch f {
		case "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
		default:
			return nil, validationError("1 validation error detected: Value '[%s]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]]", strings.Join(filter, ", "))
		}
	}
	want := func(kind string) bool { return len(filter) == 0 || slices.Contains(filter, kind) }
	a := c.Account
	type item struct {
		user   *User
		group  *Group
		role   *Role
		policy *ManagedPolicy
	}
	var all []item
	if want("User") {
		for _, u := range a.Users {
			all = append(all, item{user: u})
		}
	}
	if want("Group") {
		for _, g := range a.Groups {
			all = append(all, item{group: g})
		}
	}
	if want("Role") {
		for _, r := range a.Roles {
			all = append(all, item{role: r})
		}
	}
	// Scenario groups and roles may name AWS managed policies not yet materialised.
	for _, arns := range a.iamAttachmentLists() {
		for _, arn := range arns {
			a.Policy(arn)
		}
	}
	for _, p := range a.Policies {
		if p.AWSManaged && want("AWSManagedPolicy") && a.iamAttachmentCount(p.ARN) > 0 || !p.AWSManaged && want("LocalManagedPolicy") {
			all = append(all, item{policy: p})
		}
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	out := iamAuthDetailsResult{IsTruncated: truncated, Marker: marker}
	for _, it := range items {
		switch {
		case it.user != nil:
			u := it.user
			out.UserDetailList.Member = append(out.UserDetailList.Member, iamXMLUserDetail{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: a.userARN(u),
				CreateDate: iamTime(u.Created), UserPolicyList: iamPolicyDetails(u.Inline), GroupList: iamMemberList(slices.Clone(u.Groups)),
				AttachedManagedPolicies: iamMemberList(a.iamAttachedList(u.Attached)), Tags: iamTagList(u.Tags)})
		case it.group != nil:
			g := it.group
			out.GroupDetailList.Member = append(out.GroupDetailList.Member, iamXMLGroupDetail{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: a.iamGroupARN(g),
				CreateDate: iamTime(g.Created), GroupPolicyList: iamPolicyDetails(g.Inline), AttachedManagedPolicies: iamMemberList(a.iamAttachedList(g.Attached))})
		case it.role != nil:
			r := it.role
			d := iamXMLRoleDetail{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: a.iamRoleARN(r), CreateDate: iamTime(r.Created),
				AssumeRolePolicyDocument: iamUrlEncodeDoc(r.AssumeRolePolicy), RolePolicyList: iamPolicyDetails(r.Inline),
				AttachedManagedPolicies: iamMemberList(a.iamAttachedList(r.Attached))}
			if !r.LastUsed.IsZero() {
				d.RoleLastUsed = iamXMLRoleLastUsed{LastUsedDate: iamTime(r.LastUsed), Region: r.LastUsedRegion}
			}
			out.RoleDetailList.Member = append(out.RoleDetailList.Member, d)
		case it.policy != nil:
			p := it.policy
			x := a.iamXMLPolicy(p)
			out.Policies.Member = append(out.Policies.Member, iamXMLManagedPolicyDetail{PolicyName: x.PolicyName, PolicyId: x.PolicyId, Arn: x.Arn, Path: x.Path,
				DefaultVersionId: x.DefaultVersionId, AttachmentCount: x.AttachmentCount, IsAttachable: true, CreateDate: x.CreateDate, UpdateDate: x.UpdateDate,
				PolicyVersionList: iamMemberList([]iamXMLPolicyVersion{{Document: iamUrlEncodeDoc(p.Document), VersionId: "v1", IsDefaultVersion: true, CreateDate: x.CreateDate}})})
		}
	}
	return out, nil
}
