package awssim

import (
	"slices"
	"strings"
)

func init() {
	register("iam", "ListUsers", iamListUsers)
	register("iam", "GetUser", iamGetUser)
	register("iam", "CreateUser", iamCreateUser)
	register("iam", "DeleteUser", iamDeleteUser)
	register("iam", "ListGroupsForUser", iamListGroupsForUser)
	register("iam", "AddUserToGroup", iamAddUserToGroup)
	register("iam", "RemoveUserFromGroup", iamRemoveUserFromGroup)
	register("iam", "CreateGroup", iamCreateGroup)
}

type iamXMLUser struct {
	Path             string                 `xml:"Path,omitempty"`
	UserName         string                 `xml:"UserName,omitempty"`
	UserId           string                 `xml:"UserId"`
	Arn              string                 `xml:"Arn"`
	CreateDate       string                 `xml:"CreateDate"`
	PasswordLastUsed string                 `xml:"PasswordLastUsed,omitempty"`
	Tags             *iamMembers[iamXMLTag] `xml:"Tags,omitempty"`
}

func (a *Account) iamXMLUser(u *User, withTags bool) iamXMLUser {
	x := iamXMLUser{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: a.userARN(u), CreateDate: iamTime(u.Created), PasswordLastUsed: iamTime(u.PasswordLastUsed)}
	if withTags {
		x.Tags = iamTagList(u.Tags)
	}
	return x
}

type iamXMLGroup struct {
	Path       string `xml:"Path"`
	GroupName  string `xml:"GroupName"`
	GroupId    string `xml:"GroupId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

func (a *Account) iamXMLGroup(g *Group) iamXMLGroup {
	return iamXMLGroup{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: a.iamGroupARN(g), CreateDate: iamTime(g.Created)}
}

type iamListUsersResult struct {
	Users       iamMembers[iamXMLUser] `xml:"Users"`
	IsTruncated bool                   `xml:"IsTruncated"`
	Marker      string                 `xml:"Marker,omitempty"`
}

// iamListUsers lists users by path prefix; like AWS it leaves out tags and permission
// boundaries (GetUser has them).
func iamListUsers(c *Call) (any, error) {
	prefix := c.Param("PathPrefix")
	var all []iamXMLUser
	for _, u := range c.Account.Users {
		if strings.HasPrefix(u.Path, prefix) {
			all = append(all, c.Account.iamXMLUser(u, false))
		}
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	return iamListUsersResult{Users: iamMemberList(items), IsTruncated: truncated, Marker: marker}, nil
}

type iamGetUserResult struct {
	User iamXMLUser `xml:"User"`
}

// iamGetUser returns the named user, or the caller when no name is given; for the root
// user that is the account's root identity (no user name or path, the account ID as ID).
func iamGetUser(c *Call) (any, error) {
	u, root, err := c.iamUserOrCaller()
	if err != nil {
		return nil, err
	}
	if root {
		a := c.Account
		return iamGetUserResult{User: iamXMLUser{UserId: a.ID, Arn: a.iamRootARN(), CreateDate: iamTime(a.Root.Created), PasswordLastUsed: iamTime(a.Root.PasswordLastUsed)}}, nil
	}
	return iamGetUserResult{User: c.Account.iamXMLUser(u, true)}, nil
}

type iamTrailUser struct {
	Path       string `json:"path"`
	UserName   string `json:"userName"`
	UserID     string `json:"userId"`
	Arn        string `json:"arn"`
	CreateDate string `json:"createDate"`
}

func iamCreateUser(c *Call) (any, error) {
	name, err := c.iamName("UserName", 64)
	if err != nil {
		return nil, err
	}
	path, err := c.iamPath()
	if err != nil {
		return nil, err
	}
	tags, err := c.iamTagsParam()
	if err != nil {
		return nil, err
	}
	a := c.Account
	// IAM names are unique case-insensitively.
	for _, u := range a.Users {
		if strings.EqualFold(u.Name, name) {
			return nil, errorf(409, "EntityAlreadyExists", "User with name %s already exists.", name)
		}
	}
	if len(a.Users) >= 5000 {
		return nil, errorf(409, "LimitExceeded", "Cannot exceed quota for UsersPerAccount: 5000")
	}
	// Permission boundaries are checked to exist but not modelled further.
	if b := c.Param("PermissionsBoundary"); b != "" && a.Policy(b) == nil {
		return nil, noSuchEntity("Scope ARN: %s does not exist or is not attachable.", b)
	}
	u := &User{Name: name, ID: "AIDA" + c.srv.w.randUpper(17), Path: path, Created: c.Now, Tags: tags, Inline: map[string]string{}}
	a.Users = append(a.Users, u)
	a.sortUsers()
	c.created("iam-user", name)
	c.TrailResponse = map[string]any{"user": iamTrailUser{Path: path, UserName: name, UserID: u.ID, Arn: a.userARN(u), CreateDate: iamTrailTime(c.Now)}}
	return iamGetUserResult{User: a.iamXMLUser(u, true)}, nil
}

// iamDeleteUser refuses, as IAM does, while anything still hangs on the user; the checks
// run in the order IAM reports them.
func iamDeleteUser(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	conflict := func(what string) error {
		return errorf(409, "DeleteConflict", "Cannot delete entity, must %s first.", what)
	}
	switch {
	case u.Login != nil:
		return nil, conflict("delete login profile")
	case len(u.Keys) > 0:
		return nil, conflict("delete access keys")
	case len(u.MFA) > 0:
		return nil, conflict("delete MFA device")
	case len(u.Inline) > 0:
		return nil, conflict("delete policies")
	case len(u.Attached) > 0:
		return nil, conflict("detach all policies")
	case len(u.Groups) > 0:
		return nil, conflict("remove users from group")
	}
	a := c.Account
	a.Users = slices.DeleteFunc(a.Users, func(x *User) bool { return x == u })
	return nil, nil
}

type iamListGroupsResult struct {
	Groups      iamMembers[iamXMLGroup] `xml:"Groups"`
	IsTruncated bool                    `xml:"IsTruncated"`
	Marker      string                  `xml:"Marker,omitempty"`
}

func iamListGroupsForUser(c *Call) (any, error) {
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	var all []iamXMLGroup
	for _, name := range u.Groups {
		if g := c.Account.Group(name); g != nil {
			all = append(all, c.Account.iamXMLGroup(g))
		}
	}
	items, truncated, marker, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	return iamListGroupsResult{Groups: iamMemberList(items), IsTruncated: truncated, Marker: marker}, nil
}

func (c *Call) iamGroup(param string) (*Group, error) {
	name, err := c.iamName(param, 128)
	if err != nil {
		return nil, err
	}
	g := c.Account.Group(name)
	if g == nil {
		return nil, noSuchEntity("The group with name %s cannot be found.", name)
	}
	return g, nil
}

func iamAddUserToGroup(c *Call) (any, error) {
	g, err := c.iamGroup("GroupName")
	if err != nil {
		return nil, err
	}
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	if slices.Contains(u.Groups, g.Name) {
		return nil, nil // IAM accepts a repeated add
	}
	if len(u.Groups) >= 10 {
		return nil, errorf(409, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10")
	}
	u.Groups = append(u.Groups, g.Name)
	return nil, nil
}

func iamRemoveUserFromGroup(c *Call) (any, error) {
	g, err := c.iamGroup("GroupName")
	if err != nil {
		return nil, err
	}
	u, err := c.iamUser("UserName")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(u.Groups, g.Name) {
		return nil, noSuchEntity("User %s is not in group %s.", u.Name, g.Name)
	}
	u.Groups = slices.DeleteFunc(u.Groups, func(n string) bool { return n == g.Name })
	return nil, nil
}

type iamCreateGroupResult struct {
	Group iamXMLGroup `xml:"Group"`
}

func iamCreateGroup(c *Call) (any, error) {
	name, err := c.iamName("GroupName", 128)
	if err != nil {
		return nil, err
	}
	path, err := c.iamPath()
	if err != nil {
		return nil, err
	}
	a := c.Account
	for _, g := range a.Groups {
		if strings.EqualFold(g.Name, name) {
			return nil, errorf(409, "EntityAlreadyExists", "Group with name %s already exists.", name)
		}
	}
	if len(a.Groups) >= 300 {
		return nil, errorf(409, "LimitExceeded", "Cannot exceed quota for GroupsPerAccount: 300")
	}
	g := &Group{Name: name, ID: "AGPA" + c.srv.w.randUpper(17), Path: path, Created: c.Now, Inline: map[string]string{}}
	a.Groups = append(a.Groups, g)
	slices.SortFunc(a.Groups, func(x, y *Group) int { return strings.Compare(x.Name, y.Name) })
	c.TrailResponse = map[string]any{"group": map[string]string{"path": path, "groupName": name, "groupId": g.ID, "arn": a.iamGroupARN(g), "createDate": iamTrailTime(c.Now)}}
	return iamCreateGroupResult{Group: a.iamXMLGroup(g)}, nil
}
