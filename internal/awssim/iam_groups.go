package awssim

import (
	"slices"
	"strings"
)

// Groups, and the lookups a responder needs before it deletes a user or judges a policy:
// who has a policy attached, what a role or policy says, which other credentials hang on a
// user. The simulated world has no signing certificates, SSH public keys or
// service-specific credentials, so those listings are truthfully empty (but still check
// the user exists, as IAM does).
func init() {
	register("iam", "ListGroups", iamListGroups)
	register("iam", "GetGroup", iamGetGroup)
	register("iam", "DeleteGroup", iamDeleteGroup)
	register("iam", "ListGroupPolicies", iamListGroupPolicies)
	register("iam", "ListAttachedGroupPolicies", iamListAttachedGroupPolicies)
	register("iam", "PutGroupPolicy", iamPutGroupPolicy)
	register("iam", "DeleteGroupPolicy", iamDeleteGroupPolicy)
	register("iam", "AttachGroupPolicy", iamAttachGroupPolicy)
	register("iam", "DetachGroupPolicy", iamDetachGroupPolicy)
	register("iam", "GetRole", iamGetRole)
	register("iam", "GetPolicy", iamGetPolicy)
	register("iam", "GetPolicyVersion", iamGetPolicyVersion)
	register("iam", "ListEntitiesForPolicy", iamListEntitiesForPolicy)
	register("iam", "ListSigningCertificates", iamListNoCredentials("Certificates"))
	register("iam", "ListSSHPublicKeys", iamListNoCredentials("SSHPublicKeys"))
	register("iam", "ListServiceSpecificCredentials", iamListNoCredentials("ServiceSpecificCredentials"))
}

func iamListGroups(c *Call) (any, error) {
	prefix := c.Param("PathPrefix")
	var all []iamXMLGroup
	for _, g := range c.Account.Groups {
		if strings.HasPrefix(g.Path, prefix) {
			all = append(all, c.Account.iamXMLGroup(g))
		}
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	return iamListGroupsResult{Groups: iamMemberList(items), IsTruncated: truncated, Marker: marker}, nil
}

type iamGetGroupResult struct {
	Group       iamXMLGroup            `xml:"Group"`
	Users       iamMembers[iamXMLUser] `xml:"Users"`
	IsTruncated bool                   `xml:"IsTruncated"`
	Marker      string                 `xml:"Marker,omitempty"`
}

// iamGetGroup returns the group and its members, paged over the members.
func iamGetGroup(c *Call) (any, error) {
	g, err := c.iamGroup("GroupName")
	if err != nil {
		return nil, err
	}
	var all []iamXMLUser
	for _, u := range c.Account.Users {
		if slices.Contains(u.Groups, g.Name) {
			all = append(all, c.Account.iamXMLUser(u, false))
		}
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	return iamGetGroupResult{Group: c.Account.iamXMLGroup(g), Users: iamMemberList(items), IsTruncated: truncated, Marker: marker}, nil
}

func iamDeleteGroup(c *Call) (any, error) {
	g, err := c.iamGroup("GroupName")
	if err != nil {
		return nil, err
	}
	a := c.Account
	conflict := func(what string) error {
		return errorf(409, "DeleteConflict", "Cannot delete entity, must %s first.", what)
	}
	switch {
	case slices.ContainsFunc(a.Users, func(u *User) bool { return slices.Contains(u.Groups, g.Name) }):
		return nil, conflict("remove users from group")
	case len(g.Inline) > 0:
		return nil, conflict("delete policies")
	case len(g.Attached) > 0:
		return nil, conflict("detach all policies")
	}
	a.Groups = slices.DeleteFunc(a.Groups, func(x *Group) bool { return x == g })
	return nil, nil
}

func iamListGroupPolicies(c *Call) (any, error) {
	g, err := c.iamGroup("GroupName")
	if err != nil {
		return nil, err
	}
	return iamInlineNames(c, g.Inline)
}

func iamListAttachedGroupPolicies(c *Call) (any, error) {
	g, err := c.iamGroup("GroupName")
	if err != nil {
		return nil, err
	}
	return iamListAttached(c, g.Attached)
}

func iamPutGroupPolicy(c *Call) (any, error) {
	g, err := c.iamGroup("GroupName")
	if err != nil {
		return nil, err
	}
	return nil, iamPutInline(c, &g.Inline, 5120, "Maximum policy size of 5120 bytes exceeded for group "+g.Name)
}

func iamDeleteGroupPolicy(c *Call) (any, error) {
	g, err := c.iamGroup("GroupName")
	if err != nil {
		return nil, err
	}
	name, err := c.iamName("PolicyName", 128)
	if err != nil {
		return nil, err
	}
	if _, ok := g.Inline[name]; !ok {
		return nil, noSuchEntity("The group policy with name %s cannot be found.", name)
	}
	delete(g.Inline, name)
	return nil, nil
}

func iamAttachGroupPolicy(c *Call) (any, error) {
	g, err := c.iamGroup("GroupName")
	if err != nil {
		return nil, err
	}
	_, err = iamAttach(c, &g.Attached, "Group")
	return nil, err
}

func iamDetachGroupPolicy(c *Call) (any, error) {
	g, err := c.iamGroup("GroupName")
	if err != nil {
		return nil, err
	}
	return nil, iamDetach(c, &g.Attached)
}

type iamGetRoleResult struct {
	Role iamXMLRole `xml:"Role"`
}

// iamGetRole returns the role with its last use, which ListRoles leaves out.
func iamGetRole(c *Call) (any, error) {
	r, err := c.iamRole("RoleName")
	if err != nil {
		return nil, err
	}
	x := c.Account.iamXMLRole(r)
	x.RoleLastUsed = &iamXMLRoleLastUsed{}
	if !r.LastUsed.IsZero() {
		x.RoleLastUsed = &iamXMLRoleLastUsed{LastUsedDate: iamTime(r.LastUsed), Region: r.LastUsedRegion}
	}
	return iamGetRoleResult{Role: x}, nil
}

// iamManagedPolicy reads PolicyArn and finds the policy, or AWS's "was not found".
func (c *Call) iamManagedPolicy() (*ManagedPolicy, error) {
	arn, err := c.iamRequired("PolicyArn")
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(arn, "arn:aws:iam::") || !strings.Contains(arn, ":policy/") {
		return nil, errorf(400, "InvalidInput", "ARN %s is not valid.", arn)
	}
	p := c.Account.Policy(arn)
	if p == nil {
		return nil, noSuchEntity("Policy %s was not found.", arn)
	}
	return p, nil
}

type iamGetPolicyResult struct {
	Policy iamXMLPolicy `xml:"Policy"`
}

func iamGetPolicy(c *Call) (any, error) {
	p, err := c.iamManagedPolicy()
	if err != nil {
		return nil, err
	}
	return iamGetPolicyResult{Policy: c.Account.iamXMLPolicy(p)}, nil
}

type iamGetPolicyVersionResult struct {
	PolicyVersion iamXMLPolicyVersion `xml:"PolicyVersion"`
}

// iamGetPolicyVersion serves the one version (v1) the simulator keeps of each policy.
func iamGetPolicyVersion(c *Call) (any, error) {
	p, err := c.iamManagedPolicy()
	if err != nil {
		return nil, err
	}
	v, err := c.iamRequired("VersionId")
	if err != nil {
		return nil, err
	}
	if v != "v1" {
		return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", p.ARN, v)
	}
	return iamGetPolicyVersionResult{PolicyVersion: iamXMLPolicyVersion{Document: iamUrlEncodeDoc(p.Document), VersionId: "v1", IsDefaultVersion: true, CreateDate: iamTime(p.Created)}}, nil
}

type iamXMLPolicyGroup struct {
	GroupName string `xml:"GroupName"`
	GroupId   string `xml:"GroupId"`
}

type iamXMLPolicyUser struct {
	UserName string `xml:"UserName"`
	UserId   string `xml:"UserId"`
}

type iamXMLPolicyRole struct {
	RoleName string `xml:"RoleName"`
	RoleId   string `xml:"RoleId"`
}

type iamEntitiesResult struct {
	PolicyGroups iamMembers[iamXMLPolicyGroup] `xml:"PolicyGroups"`
	PolicyUsers  iamMembers[iamXMLPolicyUser]  `xml:"PolicyUsers"`
	PolicyRoles  iamMembers[iamXMLPolicyRole]  `xml:"PolicyRoles"`
	IsTruncated  bool                          `xml:"IsTruncated"`
	Marker       string                        `xml:"Marker,omitempty"`
}

// iamListEntitiesForPolicy lists who has a managed policy attached (EntityFilter User,
// Group, Role or all), paged across the three lists.
func iamListEntitiesForPolicy(c *Call) (any, error) {
	p, err := c.iamManagedPolicy()
	if err != nil {
		return nil, err
	}
	filter := c.Param("EntityFilter")
	switch filter {
	case "", "User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy":
	default:
		return nil, validationError("1 validation error detected: Value '%s' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]", filter)
	}
	want := func(kind string) bool { return filter == "" || filter == kind }
	a := c.Account
	type entity struct {
		u *User
		g *Group
		r *Role
	}
	var all []entity
	if want("Group") {
		for _, g := range a.Groups {
			if slices.Contains(g.Attached, p.ARN) {
				all = append(all, entity{g: g})
			}
		}
	}
	if want("User") {
		for _, u := range a.Users {
			if slices.Contains(u.Attached, p.ARN) {
				all = append(all, entity{u: u})
			}
		}
	}
	if want("Role") {
		for _, r := range a.Roles {
			if slices.Contains(r.Attached, p.ARN) {
				all = append(all, entity{r: r})
			}
		}
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	out := iamEntitiesResult{IsTruncated: truncated, Marker: marker}
	for _, e := range items {
		switch {
		case e.g != nil:
			out.PolicyGroups.Member = append(out.PolicyGroups.Member, iamXMLPolicyGroup{GroupName: e.g.Name, GroupId: e.g.ID})
		case e.u != nil:
			out.PolicyUsers.Member = append(out.PolicyUsers.Member, iamXMLPolicyUser{UserName: e.u.Name, UserId: e.u.ID})
		case e.r != nil:
			out.PolicyRoles.Member = append(out.PolicyRoles.Member, iamXMLPolicyRole{RoleName: e.r.Name, RoleId: e.r.ID})
		}
	}
	return out, nil
}

// iamListNoCredentials serves a listing of credentials the simulated world never has
// (signing certificates, SSH public keys, service-specific credentials): an empty list
// under the element the SDK reads, after IAM's usual user check.
func iamListNoCredentials(element string) Handler {
	return func(c *Call) (any, error) {
		if _, _, err := c.iamUserOrCaller(); err != nil {
			return nil, err
		}
		if _, _, _, err := iamPage(c, []string(nil)); err != nil {
			return nil, err
		}
		return iamEmptyList{Inner: "<" + element + "></" + element + "><IsTruncated>false</IsTruncated>"}, nil
	}
}

// iamEmptyList writes its markup as it is.
type iamEmptyList struct {
	Inner string `xml:",innerxml"`
}
