package awssim

import (
	"encoding/xml"
)

// Operations the posture fixes need that belong to s3.go and that it does not serve yet. Each is registered only when absent, and this file sorts last
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
