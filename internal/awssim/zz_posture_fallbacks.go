package awssim

import (
	"encoding/xml"
	"net/url"
	"time"
)

// Operations the posture fixes need that belong to other files (s3.go, iam*.go) and that
// those files do not serve yet. Each is registered only when absent, and this file sorts last
// so its init runs after theirs: when the owner adds the operation, the owner's wins and this
// one is skipped, with no duplicate registration.

func registerIfAbsent(service, action string, h Handler, routes ...restRoute) {
	if _, ok := operations[service][action]; ok {
		return
	}
	for _, r := range routes {
		route(service, r.method, r.pattern, r.action, r.query)
	}
	register(service, action, h)
}

func init() {
	registerIfAbsent("s3", "CreateBucket", fbCreateBucket, restRoute{method: "PUT", pattern: "/{bucket}", action: "CreateBucket"})
	registerIfAbsent("s3", "DeleteBucket", fbDeleteBucket, restRoute{method: "DELETE", pattern: "/{bucket}", action: "DeleteBucket"})
	registerIfAbsent("s3", "PutBucketPolicy", fbPutBucketPolicy, restRoute{method: "PUT", pattern: "/{bucket}", action: "PutBucketPolicy", query: "policy"})
	registerIfAbsent("s3", "PutPublicAccessBlock", fbPutPublicAccessBlock, restRoute{method: "PUT", pattern: "/{bucket}", action: "PutPublicAccessBlock", query: "publicAccessBlock"})
	registerIfAbsent("iam", "CreateRole", fbCreateRole)
	registerIfAbsent("iam", "DeleteRole", fbDeleteRole)
	registerIfAbsent("iam", "DeleteRolePolicy", fbDeleteRolePolicy)
}

// bucketExists reports whether the account has the bucket: made by s3.go's CreateBucket,
// by the fallback one, or named in the scenario's posture section.
func bucketExists(c *Call, name string) bool {
	ps := c.Account.posture()
	return c.Account.Buckets[name] != nil || ps.Buckets[name] || ps.PublicBuckets[name] || ps.BlockedBuckets[name]
}

func fbCreateBucket(c *Call) (any, error) {
	b := c.PathParam(0)
	ps := c.Account.posture()
	if len(b) < 3 || len(b) > 63 {
		return nil, errorf(400, "InvalidBucketName", "The specified bucket is not valid.")
	}
	if bucketExists(c, b) {
		return nil, errorf(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
	}
	if ps.Buckets == nil {
		ps.Buckets = map[string]bool{}
	}
	ps.Buckets[b] = true
	c.created("s3-bucket", b)
	return rawBody{headers: map[string]string{"Location": "/" + b}}, nil
}

func fbDeleteBucket(c *Call) (any, error) {
	b := c.PathParam(0)
	ps := c.Account.posture()
	if !bucketExists(c, b) {
		return nil, errorf(404, "NoSuchBucket", "The specified bucket does not exist")
	}
	if bk := c.Account.Buckets[b]; bk != nil {
		if len(bk.Objects) > 0 {
			return nil, errorf(409, "BucketNotEmpty", "The bucket you tried to delete is not empty")
		}
		delete(c.Account.Buckets, b)
	}
	delete(ps.Buckets, b)
	delete(ps.PublicBuckets, b)
	delete(ps.BlockedBuckets, b)
	return rawBody{}, nil
}

func fbPutBucketPolicy(c *Call) (any, error) {
	b := c.PathParam(0)
	if !bucketExists(c, b) {
		return nil, errorf(404, "NoSuchBucket", "The specified bucket does not exist")
	}
	if len(c.Body) == 0 {
		return nil, errorf(400, "MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'")
	}
	return rawBody{}, nil
}

func fbPutPublicAccessBlock(c *Call) (any, error) {
	b := c.PathParam(0)
	ps := c.Account.posture()
	if !bucketExists(c, b) {
		return nil, errorf(404, "NoSuchBucket", "The specified bucket does not exist")
	}
	var cfg xmlPublicAccessBlock
	if err := xml.Unmarshal(c.Body, &cfg); err != nil {
		return nil, errorf(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	if cfg.BlockPublicAcls && cfg.IgnorePublicAcls && cfg.BlockPublicPolicy && cfg.RestrictPublicBuckets {
		ps.BlockedBuckets[b] = true
	} else {
		delete(ps.BlockedBuckets, b)
	}
	return rawBody{}, nil
}

type xmlCreateRole struct {
	Role struct {
		Path                     string `xml:"Path"`
		RoleName                 string `xml:"RoleName"`
		RoleId                   string `xml:"RoleId"`
		Arn                      string `xml:"Arn"`
		CreateDate               string `xml:"CreateDate"`
		AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument"`
	} `xml:"Role"`
}

func fbCreateRole(c *Call) (any, error) {
	name, doc := c.Param("RoleName"), c.Param("AssumeRolePolicyDocument")
	if name == "" || doc == "" {
		return nil, validationError("RoleName and AssumeRolePolicyDocument are required")
	}
	if c.Account.Role(name) != nil {
		return nil, errorf(409, "EntityAlreadyExists", "Role with name %s already exists.", name)
	}
	path := c.Param("Path")
	if path == "" {
		path = "/"
	}
	r := &Role{Name: name, ID: "AROA" + c.srv.w.randUpper(17), Path: path, Created: c.Now, Description: c.Param("Description"), AssumeRolePolicy: doc}
	c.Account.Roles = append(c.Account.Roles, r)
	c.created("iam-role", name)
	var out xmlCreateRole
	out.Role.Path, out.Role.RoleName, out.Role.RoleId = r.Path, r.Name, r.ID
	out.Role.Arn = "arn:aws:iam::" + c.Account.ID + ":role" + r.Path + r.Name
	out.Role.CreateDate = r.Created.UTC().Format(time.RFC3339)
	out.Role.AssumeRolePolicyDocument = url.QueryEscape(doc)
	c.TrailResponse = map[string]any{"role": map[string]any{"roleName": r.Name, "roleId": r.ID, "arn": out.Role.Arn, "path": r.Path, "createDate": out.Role.CreateDate}}
	return out, nil
}

func fbDeleteRole(c *Call) (any, error) {
	name := c.Param("RoleName")
	r := c.Account.Role(name)
	if r == nil {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	if len(r.Inline) > 0 || len(r.Attached) > 0 {
		return nil, errorf(409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	}
	for i, x := range c.Account.Roles {
		if x == r {
			c.Account.Roles = append(c.Account.Roles[:i], c.Account.Roles[i+1:]...)
			break
		}
	}
	return nil, nil
}

func fbDeleteRolePolicy(c *Call) (any, error) {
	name, pol := c.Param("RoleName"), c.Param("PolicyName")
	r := c.Account.Role(name)
	if r == nil {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	if _, ok := r.Inline[pol]; !ok {
		return nil, noSuchEntity("The role policy with name %s cannot be found.", pol)
	}
	delete(r.Inline, pol)
	return nil, nil
}
