package awssim

import (
	"maps"
	"slices"
	"strings"
)

// Roles and customer managed policies an attacker (or an administrator) creates and
// deletes, and user tags. MaxSessionDuration and role tags are validated but not kept:
// the world model has no place for them, and nothing reads them yet.
func init() {
	register("iam", "CreateRole", iamCreateRole)
	register("iam", "DeleteRole", iamDeleteRole)
	register("iam", "DeleteRolePolicy", iamDeleteRolePolicy)
	register("iam", "CreatePolicy", iamCreatePolicy)
	register("iam", "DeletePolicy", iamDeletePolicy)
	register("iam", "TagUser", iamTagUser)
	register("iam", "UntagUser", iamUntagUser)
	register("iam", "ListUserTags", iamListUserTags)
}

func iamCreateRole(c *Call) (any, error) {
	name, err := c.iamName("RoleName", 64)
	if err != nil {
		return nil, err
	}
	p, err := c.iamPath()
	if err != nil {
		return nil, err
	}
	trust, err := c.iamRequired("AssumeRolePolicyDocument")
	if err != nil {
		return nil, err
	}
	if err := iamPolicyDocument(trust, 2048, "Cannot exceed quota for ACLSizePerRole: 2048"); err != nil {
		return nil, err
	}
	if d, err := c.Int("MaxSessionDuration", 3600); err != nil || d < 3600 || d > 43200 {
		return nil, validationError("1 validation error detected: Value '%s' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200", c.Param("MaxSessionDuration"))
	}
	if _, err := c.iamTagsParam(); err != nil {
		return nil, err
	}
	a := c.Account
	if slices.ContainsFunc(a.Roles, func(r *Role) bool { return strings.EqualFold(r.Name, name) }) {
		return nil, errorf(409, "EntityAlreadyExists", "Role with name %s already exists.", name)
	}
	if len(a.Roles) >= 1000 {
		return nil, errorf(409, "LimitExceeded", "Cannot exceed quota for RolesPerAccount: 1000")
	}
	r := &Role{Name: name, ID: "AROA" + c.srv.w.randUpper(17), Path: p, Created: c.Now, Description: c.Param("Description"), AssumeRolePolicy: trust, Inline: map[string]string{}}
	a.Roles = append(a.Roles, r)
	slices.SortFunc(a.Roles, func(x, y *Role) int { return strings.Compare(x.Name, y.Name) })
	c.created("iam-role", name)
	c.TrailResponse = map[string]any{"role": map[string]string{"path": p, "roleName": name, "roleId": r.ID, "arn": a.iamRoleARN(r),
		"createDate": iamTrailTime(c.Now), "assumeRolePolicyDocument": iamUrlEncodeDoc(trust)}}
	return iamGetRoleResult{Role: a.iamXMLRole(r)}, nil
}

func iamDeleteRole(c *Call) (any, error) {
	r, err := c.iamRole("RoleName")
	if err != nil {
		return nil, err
	}
	switch {
	case len(r.Inline) > 0:
		return nil, errorf(409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	case len(r.Attached) > 0:
		return nil, errorf(409, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	}
	c.Account.Roles = slices.DeleteFunc(c.Account.Roles, func(x *Role) bool { return x == r })
	return nil, nil
}

func iamDeleteRolePolicy(c *Call) (any, error) {
	r, err := c.iamRole("RoleName")
	if err != nil {
		return nil, err
	}
	name, err := c.iamName("PolicyName", 128)
	if err != nil {
		return nil, err
	}
	if _, ok := r.Inline[name]; !ok {
		return nil, noSuchEntity("The role policy with name %s cannot be found.", name)
	}
	delete(r.Inline, name)
	return nil, nil
}

func iamCreatePolicy(c *Call) (any, error) {
	name, err := c.iamName("PolicyName", 128)
	if err != nil {
		return nil, err
	}
	p, err := c.iamPath()
	if err != nil {
		return nil, err
	}
	doc, err := c.iamRequired("PolicyDocument")
	if err != nil {
		return nil, err
	}
	if err := iamPolicyDocument(doc, 6144, "Cannot exceed quota for PolicySize: 6144"); err != nil {
		return nil, err
	}
	a := c.Account
	arn := "arn:aws:iam::" + a.ID + ":policy" + p + name
	if slices.ContainsFunc(a.Policies, func(x *ManagedPolicy) bool { return !x.AWSManaged && strings.EqualFold(x.Name, name) }) {
		return nil, errorf(409, "EntityAlreadyExists", "A policy called %s already exists. Duplicate names are not allowed.", name)
	}
	mp := &ManagedPolicy{ARN: arn, Name: name, ID: "ANPA" + c.srv.w.randUpper(17), Path: p, Document: doc, Created: c.Now, Updated: c.Now}
	a.Policies = append(a.Policies, mp)
	c.created("iam-policy", arn)
	c.TrailResponse = map[string]any{"policy": map[string]any{"policyName": name, "defaultVersionId": "v1", "policyId": mp.ID, "path": p, "arn": arn,
		"attachmentCount": 0, "permissionsBoundaryUsageCount": 0, "isAttachable": true, "createDate": iamTrailTime(c.Now), "updateDate": iamTrailTime(c.Now)}}
	return iamGetPolicyResult{Policy: a.iamXMLPolicy(mp)}, nil
}

func iamDeletePolicy(c *Call) (any, error) {
	p, err := c.iamManagedPolicy()
	if err != nil {
		return nil, err
	}
	a := c.Account
	if p.AWSManaged {
		return nil, errorf(400, "InvalidInput", "ARN %s is not valid.", p.ARN)
	}
	if a.iamAttachmentCount(p.ARN) > 0 {
		return nil, errorf(409, "DeleteConflict", "Cannot delete a policy attached to entities.")
	}
	a.Policies = slices.DeleteFunc(a.Policies, func(x *ManagedPolicy) bool { return x == p })
	return nil, nil
}

func iamTagUser(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	tags, err := c.iamTagsParam()
	if err != nil {
		return nil, err
	}
	merged := maps.Clone(u.Tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tags)
	if len(merged) > 50 {
		return nil, errorf(409, "LimitExceeded", "The number of tags has reached the maximum limit.")
	}
	u.Tags = merged
	return nil, nil
}

func iamUntagUser(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	for _, k := range c.List("TagKeys") {
		delete(u.Tags, k)
	}
	return nil, nil
}

type iamListTagsResult struct {
	Tags        iamMembers[iamXMLTag] `xml:"Tags"`
	IsTruncated bool                  `xml:"IsTruncated"`
	Marker      string                `xml:"Marker,omitempty"`
}

func iamListUserTags(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	var all []iamXMLTag
	if l := iamTagList(u.Tags); l != nil {
		all = l.Member
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	return iamListTagsResult{Tags: iamMemberList(items), IsTruncated: truncated, Marker: marker}, nil
}
