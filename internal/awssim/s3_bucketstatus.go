package awssim

import "encoding/xml"

// S3 bucket exposure (REST-XML): GetBucketPolicyStatus and GetPublicAccessBlock. The
// buckets themselves are s3.go's; these answer from the posture state, so a trail bucket
// named in a scenario needs no objects.

func init() {
	route("s3", "GET", "/{bucket}", "GetBucketPolicyStatus", "policyStatus")
	route("s3", "GET", "/{bucket}", "GetPublicAccessBlock", "publicAccessBlock")
	register("s3", "GetBucketPolicyStatus", s3GetBucketPolicyStatus)
	register("s3", "GetPublicAccessBlock", s3GetPublicAccessBlock)
}

type xmlPolicyStatus struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	Xmlns    string   `xml:"xmlns,attr"`
	IsPublic bool     `xml:"IsPublic"`
}

type xmlPublicAccessBlock struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	Xmlns                 string   `xml:"xmlns,attr"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets"`
}

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// bucketKnown reports whether the bucket exists for this account: a trail's bucket or one
// named in the posture section.
func bucketKnown(c *Call, name string) bool {
	ps := c.Account.posture()
	if bucketExists(c, name) {
		return true
	}
	for _, t := range ps.Trails {
		if t.Bucket == name {
			return true
		}
	}
	return false
}

func s3GetBucketPolicyStatus(c *Call) (any, error) {
	b := c.PathParam(0)
	if !bucketKnown(c, b) {
		return nil, errorf(404, "NoSuchBucket", "The specified bucket does not exist")
	}
	ps := c.Account.posture() // every known bucket has a policy: a trail's grants CloudTrail delivery
	return xmlPolicyStatus{Xmlns: s3NS, IsPublic: ps.PublicBuckets[b] && !ps.BlockedBuckets[b]}, nil
}

func s3GetPublicAccessBlock(c *Call) (any, error) {
	b := c.PathParam(0)
	if !bucketKnown(c, b) {
		return nil, errorf(404, "NoSuchBucket", "The specified bucket does not exist")
	}
	if !c.Account.posture().BlockedBuckets[b] {
		return nil, errorf(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
	}
	return xmlPublicAccessBlock{Xmlns: s3NS, BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}, nil
}
