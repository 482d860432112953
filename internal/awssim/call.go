package awssim

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Call is one API call being served: who made it, where, with what, and what CloudTrail
// should record about it.
type Call struct {
	srv       *Server
	Service   *Service
	Region    string
	Action    string
	HTTP      *http.Request // nil for calls replayed from a scenario's history
	Body      []byte
	Params    url.Values     // query protocols
	JSON      map[string]any // JSON protocols
	Now       time.Time
	SourceIP  string
	UserAgent string
	Account   *Account
	Identity  Identity
	RequestID string

	// TrailRequest and TrailResponse, when set by the handler, are CloudTrail's
	// requestParameters and responseElements; otherwise they are derived from the input.
	TrailRequest  any
	TrailResponse any
}

// Identity is the principal a call is made as.
type Identity struct {
	Type        string // "IAMUser", "Root"
	PrincipalID string
	ARN         string
	AccountID   string
	UserName    string
	InvokedBy   string // "AWS Internal" when AWS itself acts
	Key         *AccessKey
	Issuer      *SessionIssuer // the role behind an assumed-role session
}

// SessionIssuer is the role (or user) whose temporary credentials a call is made with.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

type authInfo struct {
	keyID, date, region, service, signature string
	signedHeaders                           []string
}

// parseAuth reads the SigV4 Authorization header:
// AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/iam/aws4_request, SignedHeaders=a;b, Signature=hex
func parseAuth(r *http.Request) (authInfo, error) {
	h := r.Header.Get("Authorization")
	var a authInfo
	if h == "" {
		if q := r.URL.Query(); q.Get("X-Amz-Credential") != "" { // presigned URL
			parts := strings.Split(q.Get("X-Amz-Credential"), "/")
			if len(parts) == 5 {
				a.keyID, a.date, a.region, a.service = parts[0], parts[1], parts[2], parts[3]
				a.signature = q.Get("X-Amz-Signature")
				a.signedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
				return a, nil
			}
		}
		return a, errorf(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	alg, rest, ok := strings.Cut(h, " ")
	if !ok || alg != "AWS4-HMAC-SHA256" {
		return a, errorf(400, "IncompleteSignature", "unsupported authorization: %q", alg)
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			cp := strings.Split(v, "/")
			if len(cp) != 5 {
				return a, errorf(400, "IncompleteSignature", "malformed credential scope %q", v)
			}
			a.keyID, a.date, a.region, a.service = cp[0], cp[1], cp[2], cp[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.keyID == "" || a.signature == "" {
		return a, errorf(400, "IncompleteSignature", "authorization header lacks Credential or Signature")
	}
	return a, nil
}

// authenticate finds the key, checks it is active and the signature matches its secret.
func (s *Server) authenticate(a authInfo, r *http.Request, body []byte) (*Account, Identity, error) {
	svc := services[a.service]
	invalid := func() error {
		switch svc.Protocol {
		case ProtoEC2:
			return errorf(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
		case ProtoRESTXML:
			return errorf(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
		case ProtoJSON, ProtoRESTJSON:
			return errorf(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
		}
		return errorf(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	acct, key := s.w.keyOwner(a.keyID)
	if key == nil || key.Status != "Active" {
		return nil, Identity{}, invalid()
	}
	if key.SessionToken != "" { // temporary credentials: the token must come with the key
		if r.Header.Get("X-Amz-Security-Token") != key.SessionToken {
			return nil, Identity{}, invalid()
		}
		if !s.Now().Before(key.Expires) {
			return nil, Identity{}, errorf(400, "ExpiredToken", "The security token included in the request is expired")
		}
	}
	if !s.opts.SkipSignatureCheck && !signatureMatches(r, body, a, key.Secret) {
		if svc.Protocol == ProtoEC2 {
			return nil, Identity{}, errorf(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
		}
		return nil, Identity{}, errorf(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return acct, acct.identityOf(key), nil
}

// signatureMatches re-signs the request with the key's secret, using only the headers the
// client signed, and compares signatures.
func signatureMatches(r *http.Request, body []byte, a authInfo, secret string) bool {
	t, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return false
	}
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	req, err := http.NewRequestWithContext(context.Background(), r.Method, u.String(), nil)
	if err != nil {
		return false
	}
	req.ContentLength = int64(len(body))
	for _, h := range a.signedHeaders {
		if h == "host" || h == "content-length" {
			continue
		}
		for _, v := range r.Header.Values(h) {
			req.Header.Add(h, v)
		}
	}
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	if payloadHash == "" {
		sum := sha256.Sum256(body)
		payloadHash = hex.EncodeToString(sum[:])
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = a.service == "s3" })
	creds := aws.Credentials{AccessKeyID: a.keyID, SecretAccessKey: secret, SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := signer.SignHTTP(context.Background(), creds, req, payloadHash, a.service, a.region, t); err != nil {
		return false
	}
	got, err := parseAuth(req)
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(got.signature), []byte(a.signature))
}

// decode reads the action and parameters from the request in the service's protocol.
func (c *Call) decode() error {
	r := c.HTTP
	switch c.Service.Protocol {
	case ProtoQuery, ProtoEC2:
		vals, err := url.ParseQuery(string(c.Body))
		if err != nil {
			return errorf(400, "MalformedQueryString", "cannot parse the form body: %v", err)
		}
		for k, vs := range r.URL.Query() {
			if _, ok := vals[k]; !ok {
				vals[k] = vs
			}
		}
		c.Params = vals
		c.Action = vals.Get("Action")
	case ProtoJSON:
		target := r.Header.Get("X-Amz-Target")
		_, action, ok := strings.Cut(target, ".")
		if !ok {
			return errorf(400, "UnknownOperationException", "missing or malformed X-Amz-Target %q", target)
		}
		c.Action = action
		c.JSON = map[string]any{}
		if len(c.Body) > 0 {
			if err := json.Unmarshal(c.Body, &c.JSON); err != nil {
				return errorf(400, "SerializationException", "cannot parse the JSON body: %v", err)
			}
		}
	case ProtoRESTXML, ProtoRESTJSON:
		if c.Service.Route == nil {
			return errorf(400, "InvalidAction", "no routes for %s", c.Service.Name)
		}
		action, ok := c.Service.Route(r)
		if !ok {
			return errorf(400, "InvalidAction", "no operation matches %s %s", r.Method, r.URL.Path)
		}
		c.Action = action
		if c.Service.Protocol == ProtoRESTJSON && len(c.Body) > 0 {
			c.JSON = map[string]any{}
			_ = json.Unmarshal(c.Body, &c.JSON)
		}
	}
	return nil
}

// Param returns a query parameter.
func (c *Call) Param(name string) string { return c.Params.Get(name) }

// Has reports whether a query parameter was sent.
func (c *Call) Has(name string) bool { return c.Params.Has(name) }

// Int returns an integer query parameter, or def when absent; a malformed one is a ValidationError.
func (c *Call) Int(name string, def int) (int, error) {
	v := c.Params.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, validationError("%s: %q is not an integer", name, v)
	}
	return n, nil
}

// List returns a list parameter in either query form: Name.member.N (IAM, STS, Auto Scaling)
// or Name.N (EC2), ordered by N.
func (c *Call) List(name string) []string {
	type item struct {
		n int
		v string
	}
	var items []item
	for k, vs := range c.Params {
		rest, ok := strings.CutPrefix(k, name+".")
		if !ok {
			continue
		}
		rest = strings.TrimPrefix(rest, "member.")
		n, err := strconv.Atoi(rest)
		if err != nil {
			continue
		}
		items = append(items, item{n, vs[0]})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// Structs returns the members of a list of structures (Name.N.Field or Name.member.N.Field),
// each as its own url.Values with the prefix removed, ordered by N.
func (c *Call) Structs(name string) []url.Values {
	return structsOf(c.Params, name)
}

func structsOf(params url.Values, name string) []url.Values {
	byN := map[int]url.Values{}
	for k, vs := range params {
		rest, ok := strings.CutPrefix(k, name+".")
		if !ok {
			continue
		}
		rest = strings.TrimPrefix(rest, "member.")
		num, field, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			continue
		}
		if byN[n] == nil {
			byN[n] = url.Values{}
		}
		byN[n][field] = vs
	}
	ns := make([]int, 0, len(byN))
	for n := range byN {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	out := make([]url.Values, len(ns))
	for i, n := range ns {
		out[i] = byN[n]
	}
	return out
}

// Str returns a string member of a JSON request.
func (c *Call) Str(name string) string {
	v, _ := c.JSON[name].(string)
	return v
}

// canonicalParams encodes the call's parameters so identical calls compare equal.
func (c *Call) canonicalParams() string {
	switch {
	case c.Params != nil:
		p := url.Values{}
		for k, v := range c.Params {
			switch {
			case k == "Action" || k == "Version":
			case strings.Contains(k, "Password") || strings.Contains(k, "Secret"):
				p[k] = []string{"REDACTED"} // the call log must not hold credentials
			default:
				p[k] = v
			}
		}
		return p.Encode()
	case c.JSON != nil:
		b, _ := json.Marshal(c.JSON)
		return string(b)
	case c.HTTP != nil:
		return c.HTTP.Method + " " + c.HTTP.URL.RequestURI()
	}
	return ""
}

// recordRegion is the awsRegion CloudTrail gives the call: global services record us-east-1.
func (c *Call) recordRegion() string {
	if c.Service.Global {
		return "us-east-1"
	}
	return c.Region
}
