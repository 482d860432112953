package awssim

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// S3 (REST-XML, path-style: /{bucket}/{key}): buckets and objects, enough to hold CloudTrail's
// S3 export layout and read it back the way a trail reader does.

func init() {
	route("s3", "GET", "/", "ListBuckets", "")
	route("s3", "PUT", "/{bucket}", "CreateBucket", "")
	route("s3", "GET", "/{bucket}", "ListObjectsV2", "list-type")
	route("s3", "GET", "/{bucket}", "GetBucketLocation", "location")
	route("s3", "HEAD", "/{bucket}", "HeadBucket", "")
	route("s3", "GET", "/{bucket}/{+}", "GetObject", "")
	route("s3", "HEAD", "/{bucket}/{+}", "HeadObject", "")
	route("s3", "PUT", "/{bucket}/{+}", "PutObject", "")
	route("s3", "DELETE", "/{bucket}/{+}", "DeleteObject", "")
	register("s3", "ListBuckets", s3ListBuckets)
	register("s3", "CreateBucket", s3CreateBucket)
	register("s3", "ListObjectsV2", s3ListObjectsV2)
	register("s3", "GetBucketLocation", s3GetBucketLocation)
	register("s3", "HeadBucket", s3HeadBucket)
	register("s3", "GetObject", s3GetObject)
	register("s3", "HeadObject", s3HeadObject)
	register("s3", "PutObject", s3PutObject)
	register("s3", "DeleteObject", s3DeleteObject)
}

// Bucket is an S3 bucket.
type Bucket struct {
	Name   string
	Region string
	// Location is the LocationConstraint it was created with when that is not the region's
	// name: "EU", which old buckets in eu-west-1 still report.
	Location string
	Created  time.Time
	Objects  map[string]*Object
}

// Object is an S3 object.
type Object struct {
	Data         []byte
	LastModified time.Time
	ETag         string
}

// bucket returns the account's bucket, or a NoSuchBucket error. Like S3, it refuses a
// request signed for another region than the bucket's (see wrongRegion).
func (c *Call) bucket() (*Bucket, error) {
	name := c.PathParam(0)
	b := c.Account.Buckets[name]
	if b == nil {
		return nil, errorf(404, "NoSuchBucket", "The specified bucket does not exist")
	}
	if b.Region != "" && c.Region != b.Region {
		return nil, wrongRegion(c, b.Region)
	}
	return b, nil
}

// wrongRegion is S3's answer to a request signed for the wrong region: the bucket's region
// in the x-amz-bucket-region header and a <Region> element. The simulator has one endpoint
// for every region, like S3's global endpoint, which answers 400 AuthorizationHeaderMalformed
// (a regional endpoint would answer 301 PermanentRedirect); a HEAD gets the bare 400 with the
// header, since a HEAD reply has no body.
func wrongRegion(c *Call, region string) error {
	code, msg := "AuthorizationHeaderMalformed", "The authorization header is malformed"
	if c.HTTP != nil && c.HTTP.Header.Get("Authorization") == "" && c.HTTP.URL.Query().Has("X-Amz-Credential") {
		code, msg = "AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential parameter"
	}
	e := errorf(400, code, "%s; the region '%s' is wrong; expecting '%s'", msg, c.Region, region)
	e.Headers = map[string]string{"x-amz-bucket-region": region}
	e.Extra = [][2]string{{"Region", region}}
	return e
}

// bucketRegion is where a bucket lives and the LocationConstraint it reports; buckets
// named only in a scenario's posture section are in us-east-1.
func bucketRegion(c *Call, name string) (region, location string, err error) {
	if b := c.Account.Buckets[name]; b != nil {
		location = b.Location
		if location == "" && b.Region != "us-east-1" {
			location = b.Region
		}
		return b.Region, location, nil
	}
	if bucketKnown(c, name) {
		return "us-east-1", "", nil
	}
	return "", "", errorf(404, "NoSuchBucket", "The specified bucket does not exist")
}

// s3GetBucketLocation answers from any region (S3 does, so that a client can learn where to
// send the rest): the LocationConstraint as the document's root element, empty for us-east-1.
func s3GetBucketLocation(c *Call) (any, error) {
	name := c.PathParam(0)
	_, loc, err := bucketRegion(c, name)
	if err != nil {
		return nil, err
	}
	c.TrailRequest = map[string]any{"bucketName": name, "Host": c.host(), "location": ""}
	body := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<LocationConstraint xmlns="` + s3NS + `"/>`
	if loc != "" {
		body = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<LocationConstraint xmlns="` + s3NS + `">` + xmlEscape(loc) + `</LocationConstraint>`
	}
	return rawBody{contentType: "application/xml", data: []byte(body)}, nil
}

// s3HeadBucket names the bucket's region in x-amz-bucket-region, on success and (through
// bucket) on a request signed for the wrong region.
func s3HeadBucket(c *Call) (any, error) {
	name := c.PathParam(0)
	region, _, err := bucketRegion(c, name)
	if err != nil {
		return nil, err
	}
	if region != c.Region {
		return nil, wrongRegion(c, region)
	}
	c.TrailRequest = map[string]any{"bucketName": name, "Host": c.host()}
	return rawBody{headers: map[string]string{"x-amz-bucket-region": region, "x-amz-access-point-alias": "false"}}, nil
}

// host is the request's Host, for CloudTrail's requestParameters.Host.
func (c *Call) host() string {
	if c.HTTP == nil {
		return ""
	}
	return c.HTTP.Host
}

// objectKey is the key from the path, unescaped.
func (c *Call) objectKey() string {
	_, key, _ := strings.Cut(strings.TrimPrefix(c.HTTP.URL.Path, "/"), "/")
	return key
}

// PutObjectData stores an object directly (tests and scenarios), creating the bucket.
func (s *Server) PutObjectData(account, bucket, key string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.w.Accounts[account]
	if a.Buckets == nil {
		a.Buckets = map[string]*Bucket{}
	}
	b := a.Buckets[bucket]
	if b == nil {
		b = &Bucket{Name: bucket, Region: "us-east-1", Created: s.Now(), Objects: map[string]*Object{}}
		a.Buckets[bucket] = b
	}
	sum := md5.Sum(data)
	b.Objects[key] = &Object{Data: slices.Clone(data), LastModified: s.Now(), ETag: `"` + hex.EncodeToString(sum[:]) + `"`}
}

type xmlBucket struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion,omitempty"`
}

type xmlListBuckets struct {
	XMLName xml.Name    `xml:"ListAllMyBucketsResult"`
	Xmlns   string      `xml:"xmlns,attr"`
	Owner   xmlOwner    `xml:"Owner"`
	Buckets []xmlBucket `xml:"Buckets>Bucket"`
}

type xmlOwner struct {
	ID string `xml:"ID"`
}

func s3ListBuckets(c *Call) (any, error) {
	out := xmlListBuckets{Xmlns: s3NS, Owner: xmlOwner{ID: shortHash(c.Account.ID) + shortHash(c.Account.ID+"o")}}
	names := make([]string, 0, len(c.Account.Buckets))
	for n := range c.Account.Buckets {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		b := c.Account.Buckets[n]
		out.Buckets = append(out.Buckets, xmlBucket{Name: n, CreationDate: b.Created.UTC().Format(time.RFC3339), BucketRegion: b.Region})
	}
	return out, nil
}

func s3CreateBucket(c *Call) (any, error) {
	name := c.PathParam(0)
	if len(name) < 3 || len(name) > 63 || strings.ToLower(name) != name || strings.ContainsAny(name, "_ /") {
		return nil, errorf(400, "InvalidBucketName", "The specified bucket is not valid.")
	}
	if c.Account.Buckets[name] != nil {
		return nil, errorf(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
	}
	if c.Account.Buckets == nil {
		c.Account.Buckets = map[string]*Bucket{}
	}
	region := c.Region
	var cfg struct {
		LocationConstraint string `xml:"LocationConstraint"`
	}
	location := ""
	if len(c.Body) > 0 && xml.Unmarshal(c.Body, &cfg) == nil && cfg.LocationConstraint != "" {
		region = cfg.LocationConstraint
		if region == "EU" { // the legacy name of eu-west-1, still accepted and reported back
			region, location = "eu-west-1", "EU"
		}
	}
	c.Account.Buckets[name] = &Bucket{Name: name, Region: region, Location: location, Created: c.Now, Objects: map[string]*Object{}}
	c.TrailRequest = map[string]any{"bucketName": name, "Host": c.HTTP.Host}
	c.created("s3-bucket", name)
	return rawBody{headers: map[string]string{"Location": "/" + name}}, nil
}

type xmlObject struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int    `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
}

type xmlPrefix struct {
	Prefix string `xml:"Prefix"`
}

type xmlListObjectsV2 struct {
	XMLName               xml.Name    `xml:"ListBucketResult"`
	Xmlns                 string      `xml:"xmlns,attr"`
	Name                  string      `xml:"Name"`
	Prefix                string      `xml:"Prefix"`
	Delimiter             string      `xml:"Delimiter,omitempty"`
	StartAfter            string      `xml:"StartAfter,omitempty"`
	MaxKeys               int         `xml:"MaxKeys"`
	KeyCount              int         `xml:"KeyCount"`
	IsTruncated           bool        `xml:"IsTruncated"`
	ContinuationToken     string      `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string      `xml:"NextContinuationToken,omitempty"`
	Contents              []xmlObject `xml:"Contents"`
	CommonPrefixes        []xmlPrefix `xml:"CommonPrefixes"`
}

// s3ListObjectsV2 lists keys in UTF-8 order with prefix, delimiter, start-after, max-keys
// (at most 1000) and continuation tokens, as S3 does.
func s3ListObjectsV2(c *Call) (any, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	q := c.HTTP.URL.Query()
	if q.Get("list-type") != "2" {
		return nil, errorf(400, "InvalidArgument", "Invalid list-type %q", q.Get("list-type"))
	}
	prefix, delim, startAfter := q.Get("prefix"), q.Get("delimiter"), q.Get("start-after")
	maxKeys := 1000
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, errorf(400, "InvalidArgument", "Provided max-keys not an integer or within integer range")
		}
		maxKeys = min(n, 1000)
	}
	after := startAfter
	if tok := q.Get("continuation-token"); tok != "" {
		k, err := url.QueryUnescape(tok)
		if err != nil || !strings.HasPrefix(k, "k:") {
			return nil, errorf(400, "InvalidArgument", "The continuation token provided is incorrect")
		}
		after = k[2:]
	}
	keys := make([]string, 0, len(b.Objects))
	for k := range b.Objects {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := xmlListObjectsV2{Xmlns: s3NS, Name: b.Name, Prefix: prefix, Delimiter: delim, StartAfter: startAfter, MaxKeys: maxKeys, ContinuationToken: q.Get("continuation-token")}
	seenPrefix := map[string]bool{}
	last := ""
	for _, k := range keys {
		if out.KeyCount == maxKeys {
			out.IsTruncated = true
			out.NextContinuationToken = url.QueryEscape("k:" + last)
			break
		}
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				cp := k[:len(prefix)+i+len(delim)]
				last = k
				if !seenPrefix[cp] {
					seenPrefix[cp] = true
					out.CommonPrefixes = append(out.CommonPrefixes, xmlPrefix{Prefix: cp})
					out.KeyCount++
				}
				continue
			}
		}
		o := b.Objects[k]
		out.Contents = append(out.Contents, xmlObject{Key: k, LastModified: o.LastModified.UTC().Format("2006-01-02T15:04:05.000Z"), ETag: o.ETag, Size: len(o.Data), StorageClass: "STANDARD"})
		out.KeyCount++
		last = k
	}
	return out, nil
}

func s3GetObject(c *Call) (any, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	key := c.objectKey()
	o := b.Objects[key]
	if o == nil {
		return nil, errorf(404, "NoSuchKey", "The specified key does not exist.")
	}
	c.TrailRequest = map[string]any{"bucketName": b.Name, "key": key}
	// S3 returns the object's stored checksum when the client asks (x-amz-checksum-mode), which
	// SDKs do by default and then validate.
	sum := crc32.ChecksumIEEE(o.Data)
	crc := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
	return rawBody{contentType: "application/octet-stream", data: o.Data, headers: map[string]string{
		"ETag": o.ETag, "Last-Modified": o.LastModified.UTC().Format(http.TimeFormat), "Content-Length": strconv.Itoa(len(o.Data)),
		"x-amz-checksum-crc32": crc, "x-amz-checksum-type": "FULL_OBJECT"}}, nil
}

func s3HeadObject(c *Call) (any, error) {
	out, err := s3GetObject(c)
	if err != nil {
		return nil, err
	}
	raw := out.(rawBody)
	raw.data = nil
	return raw, nil
}

func s3PutObject(c *Call) (any, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	data, err := s3Payload(c)
	if err != nil {
		return nil, err
	}
	key := c.objectKey()
	sum := md5.Sum(data)
	o := &Object{Data: data, LastModified: c.Now, ETag: `"` + hex.EncodeToString(sum[:]) + `"`}
	b.Objects[key] = o
	c.TrailRequest = map[string]any{"bucketName": b.Name, "key": key}
	return rawBody{headers: map[string]string{"ETag": o.ETag}}, nil
}

func s3DeleteObject(c *Call) (any, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	delete(b.Objects, c.objectKey())
	return rawBody{}, nil
}

// s3Payload is the object's bytes: the body as sent, or decoded from the aws-chunked
// encoding SDKs use to stream a body with a trailing checksum.
func s3Payload(c *Call) ([]byte, error) {
	h := c.HTTP.Header
	if !strings.Contains(h.Get("Content-Encoding"), "aws-chunked") && !strings.HasPrefix(h.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		return c.Body, nil
	}
	var out bytes.Buffer
	r := bufio.NewReader(bytes.NewReader(c.Body))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, errorf(400, "IncompleteBody", "malformed aws-chunked body: %v", err)
		}
		sizeHex, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		size, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil || size < 0 {
			return nil, errorf(400, "IncompleteBody", "malformed aws-chunked size %q", sizeHex)
		}
		if size == 0 {
			return out.Bytes(), nil // trailers (checksums) follow; the simulator does not need them
		}
		if _, err := io.CopyN(&out, r, size); err != nil {
			return nil, errorf(400, "IncompleteBody", "short aws-chunked chunk: %v", err)
		}
		if _, err := r.ReadString('\n'); err != nil {
			return nil, errorf(400, "IncompleteBody", "malformed aws-chunked body: %v", err)
		}
	}
}
