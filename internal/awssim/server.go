package awssim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options tune the simulator for benchmarks and fault tests. The zero value is a fast,
// faultless server.
type Options struct {
	Latency      time.Duration // added to every call
	ThrottleRate float64       // fraction of calls answered with the service's throttling error
	ErrorRate    float64       // fraction of calls answered with a 500/503 server error
	Seed         uint64        // for the fault injection and generated IDs; 0 means 1
	// Now is the simulator's clock; nil means time.Now. Scenario times are relative to it.
	Now func() time.Time
	// SkipSignatureCheck accepts requests whose SigV4 signature does not match the secret
	// (the access key must still be known and active). Off by default, as in AWS.
	SkipSignatureCheck bool
	// Deny lists "service:Action" pairs answered with AccessDenied, to test missing permissions.
	Deny []string
	// FailRegions answers every call to these regions with a 503, to test partial collection.
	FailRegions []string
}

// Protocol is how a service's requests and replies are encoded on the wire.
type Protocol int

const (
	ProtoQuery    Protocol = iota // form-encoded Action=…, XML reply with <ActionResult> (IAM, STS, Auto Scaling)
	ProtoEC2                      // form-encoded Action=…, EC2's own XML reply without a Result element
	ProtoJSON                     // JSON body, operation named by X-Amz-Target
	ProtoRESTXML                  // S3
	ProtoRESTJSON                 // Lambda, GuardDuty, Account
)

// Service describes one AWS service the simulator speaks.
type Service struct {
	Name        string // SigV4 signing name: "iam", "ec2", "ce" …
	EventSource string // CloudTrail eventSource: "iam.amazonaws.com"
	Protocol    Protocol
	XMLNS       string // XML namespace of replies (query protocols)
	Global      bool   // IAM, STS global endpoint: events are recorded in us-east-1
	// TargetPrefix is the X-Amz-Target prefix before the '.' for JSON services.
	TargetPrefix string
	// JSONVersion is "1.0" or "1.1" for JSON services.
	JSONVersion string
	// Route maps a REST request to an operation name (REST protocols only).
	Route func(r *http.Request) (action string, ok bool)
}

// Handler serves one operation. It returns the reply (an XML- or JSON-serialisable value)
// or an *APIError.
type Handler func(c *Call) (any, error)

type operation struct {
	handler  Handler
	readOnly bool
}

// operations holds every served operation: service → action → op.
var operations = map[string]map[string]operation{}

// registerService adds a service that services.go does not already describe. Services are
// described once, in services.go, so operations of one service may live in several files.
func registerService(s *Service) {
	if _, ok := services[s.Name]; !ok {
		services[s.Name] = s
	}
}

// register adds an operation of a service described in services.go. Read-only operations are
// recorded in CloudTrail with readOnly true; by AWS convention those are Get*, List*,
// Describe*, Lookup*.
func register(service, action string, h Handler) {
	if _, ok := services[service]; !ok {
		panic("awssim: operation for unknown service " + service)
	}
	ops := operations[service]
	if ops == nil {
		ops = map[string]operation{}
		operations[service] = ops
	}
	if _, dup := ops[action]; dup {
		panic("awssim: operation registered twice: " + service + ":" + action)
	}
	ro := false
	for _, p := range []string{"Get", "List", "Describe", "Lookup"} {
		if strings.HasPrefix(action, p) {
			ro = true
		}
	}
	ops[action] = operation{handler: h, readOnly: ro}
}

// Operations lists "service:Action" for every operation served, sorted.
func Operations() []string {
	var out []string
	for s, ops := range operations {
		for a := range ops {
			out = append(out, s+":"+a)
		}
	}
	slices.Sort(out)
	return out
}

// Server is the simulator. It is safe for concurrent use.
type Server struct {
	opts Options
	mu   sync.Mutex // guards world, trail, rng, calls
	w    *World
	rng  *rand.Rand
	fr   *rand.Rand // fault injection; separate so faults do not shift generated IDs
	// trail is every CloudTrail record, history and served calls alike, in serving order.
	trail []Record
	calls []CallStat

	scenario *Scenario
	truth    GroundTruth
	created  []Created // objects made by the call being replayed
}

// CallStat is one call served over HTTP, for benchmarks that count calls and find repeats.
type CallStat struct {
	Service, Region, Action string
	Params                  string // canonical encoding of the request parameters
	Status                  int
	Received, Answered      time.Time // wall-clock, for benchmarks that study overlap
}

// New returns a simulator holding the world of sc (which may be nil for an empty account).
func New(sc *Scenario, opts Options) (*Server, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 1
	}
	s := &Server{opts: opts, rng: rand.New(rand.NewPCG(seed, 0x5eed)), fr: rand.New(rand.NewPCG(seed, 0xfa17))}
	if sc == nil {
		sc = &Scenario{Account: AccountSpec{ID: "111122223333"}}
	}
	if err := s.load(sc); err != nil {
		return nil, err
	}
	return s, nil
}

// Now is the simulator's clock.
func (s *Server) Now() time.Time { return s.opts.Now().UTC() }

// Calls returns the calls served over HTTP so far.
func (s *Server) Calls() []CallStat {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// ResetCalls forgets the call log (not the trail).
func (s *Server) ResetCalls() {
	s.mu.Lock()
	s.calls = nil
	s.mu.Unlock()
}

// Trail returns a copy of every CloudTrail record, in the order recorded.
func (s *Server) Trail() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.trail)
}

// Inspect runs f with the world locked, for tests that check state directly.
func (s *Server) Inspect(f func(w *World)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.w)
}

// ServeHTTP authenticates, dispatches and records one AWS API call.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	received := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		http.Error(rw, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if s.opts.Latency > 0 {
		select {
		case <-time.After(s.opts.Latency):
		case <-r.Context().Done():
			return
		}
	}
	auth, aerr := parseAuth(r)
	svc := services[auth.service]
	if aerr == nil && svc == nil {
		aerr = errorf(400, "UnknownService", "the simulator does not serve service %q", auth.service)
	}
	if svc == nil {
		svc = &Service{Name: auth.service, Protocol: guessProtocol(r)}
	}
	c := &Call{srv: s, Service: svc, Region: auth.region, HTTP: r, Body: body, SourceIP: sourceIP(r), UserAgent: r.UserAgent()}
	if aerr == nil {
		aerr = c.decode()
	}
	var out any
	s.mu.Lock()
	c.Now = s.Now()
	if aerr == nil {
		c.Account, c.Identity, aerr = s.authenticate(auth, r, body)
	}
	if aerr == nil {
		aerr = s.injectFault(c)
	}
	if aerr == nil {
		out, aerr = s.dispatch(c)
	}
	status := http.StatusOK
	if aerr != nil {
		status = asAPIError(aerr).Status
	}
	s.calls = append(s.calls, CallStat{Service: svc.Name, Region: c.Region, Action: c.Action, Params: c.canonicalParams(), Status: status, Received: received, Answered: time.Now()})
	s.mu.Unlock()
	c.write(rw, out, aerr)
}

// Invoke serves a call made inside the process (scenario history), as the given key at time t.
// The world must be locked by the caller.
func (s *Server) invoke(acct *Account, key *AccessKey, service, region, action string, params url.Values, jsonBody []byte, t time.Time, ip, ua string) (any, error) {
	svc := services[service]
	if svc == nil {
		return nil, fmt.Errorf("unknown service %q", service)
	}
	if region == "" {
		region = "us-east-1"
	}
	c := &Call{srv: s, Service: svc, Region: region, Action: action, Params: params, Body: jsonBody, Now: t, SourceIP: ip, UserAgent: ua, Account: acct}
	c.Identity = acct.identityOf(key)
	if key == nil { // AWS acting on the account itself
		c.Identity = Identity{Type: "AWSService", AccountID: acct.ID, InvokedBy: "AWS Internal"}
		c.SourceIP, c.UserAgent = "AWS Internal", "AWS Internal"
	}
	if svc.Protocol == ProtoJSON && len(jsonBody) > 0 {
		if err := json.Unmarshal(jsonBody, &c.JSON); err != nil {
			return nil, fmt.Errorf("%s:%s: bad JSON body: %w", service, action, err)
		}
	}
	return s.dispatch(c)
}

func (s *Server) dispatch(c *Call) (any, error) {
	op, ok := operations[c.Service.Name][c.Action]
	var out any
	var err error
	switch {
	case c.Action == "":
		err = errorf(400, "MissingAction", "the request names no action")
	case !ok:
		err = errorf(400, "InvalidAction", "the action %s is not valid for this web service (not simulated)", c.Action)
	case s.denied(c):
		err = errorf(403, accessDeniedCode(c.Service), "User: %s is not authorized to perform: %s:%s", c.Identity.ARN, c.Service.Name, c.Action)
	default:
		if err = iamExplicitDeny(c); err == nil { // the caller's own Deny policies (iam_deny.go)
			out, err = op.handler(c)
		}
	}
	if c.Identity.ARN != "" || c.Account != nil {
		s.record(c, op.readOnly, out, err)
	}
	if c.Identity.Key != nil && err == nil {
		k := c.Identity.Key
		k.LastUsed = c.Now
		k.LastUsedService = c.Service.Name
		k.LastUsedRegion = c.recordRegion()
	}
	return out, err
}

func (s *Server) denied(c *Call) bool {
	return slices.Contains(s.opts.Deny, c.Service.Name+":"+c.Action) || slices.Contains(s.opts.Deny, c.Service.Name+":*")
}

func accessDeniedCode(svc *Service) string {
	switch svc.Protocol {
	case ProtoEC2:
		return "UnauthorizedOperation"
	case ProtoJSON, ProtoRESTJSON:
		return "AccessDeniedException"
	}
	return "AccessDenied"
}

func (s *Server) injectFault(c *Call) error {
	if slices.Contains(s.opts.FailRegions, c.Region) {
		return errorf(503, "ServiceUnavailable", "region %s is unavailable (injected)", c.Region)
	}
	if s.opts.ThrottleRate > 0 && s.fr.Float64() < s.opts.ThrottleRate {
		switch c.Service.Protocol {
		case ProtoEC2:
			return errorf(503, "RequestLimitExceeded", "Request limit exceeded.")
		case ProtoJSON, ProtoRESTJSON:
			return errorf(400, "ThrottlingException", "Rate exceeded")
		case ProtoRESTXML:
			return errorf(503, "SlowDown", "Please reduce your request rate.")
		}
		return errorf(400, "Throttling", "Rate exceeded")
	}
	if s.opts.ErrorRate > 0 && s.fr.Float64() < s.opts.ErrorRate {
		if c.Service.Protocol == ProtoEC2 {
			return errorf(500, "InternalError", "An internal error has occurred (injected)")
		}
		return errorf(500, "InternalFailure", "The request processing has failed because of an unknown error (injected)")
	}
	return nil
}

func sourceIP(r *http.Request) string {
	if xf := r.Header.Get("X-Forwarded-For"); xf != "" {
		return strings.TrimSpace(strings.Split(xf, ",")[0])
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func guessProtocol(r *http.Request) Protocol {
	if r.Header.Get("X-Amz-Target") != "" {
		return ProtoJSON
	}
	return ProtoQuery
}

// APIError is an AWS error reply.
type APIError struct {
	Status  int
	Code    string
	Message string
	// Headers go out with the error, and Extra are further elements of a REST-XML <Error>
	// after <Message>: S3 names a bucket's region both ways (x-amz-bucket-region, <Region>).
	Headers map[string]string
	Extra   [][2]string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func errorf(status int, code, format string, args ...any) *APIError {
	return &APIError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func asAPIError(err error) *APIError {
	if ae, ok := err.(*APIError); ok {
		return ae
	}
	return &APIError{Status: 500, Code: "InternalFailure", Message: err.Error()}
}

// Common errors.
func noSuchEntity(format string, args ...any) error {
	return errorf(404, "NoSuchEntity", format, args...)
}

func validationError(format string, args ...any) error {
	return errorf(400, "ValidationError", format, args...)
}

func requestID(rng *rand.Rand) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 36)
	for i := range b {
		switch i {
		case 8, 13, 18, 23:
			b[i] = '-'
		default:
			b[i] = hex[rng.IntN(16)]
		}
	}
	return string(b)
}

// write encodes the reply in the service's protocol.
func (c *Call) write(rw http.ResponseWriter, out any, err error) {
	rid := c.RequestID
	if rid == "" {
		rid = "00000000-0000-0000-0000-000000000000"
	}
	rw.Header().Set("X-Amzn-RequestId", rid)
	if err != nil {
		ae := asAPIError(err)
		c.writeError(rw, ae, rid)
		return
	}
	switch c.Service.Protocol {
	case ProtoJSON, ProtoRESTJSON:
		rw.Header().Set("Content-Type", "application/x-amz-json-"+c.Service.jsonVersion())
		if out == nil {
			out = struct{}{}
		}
		if raw, ok := out.(rawBody); ok {
			rw.Header().Set("Content-Type", raw.contentType)
			_, _ = rw.Write(raw.data)
			return
		}
		_ = json.NewEncoder(rw).Encode(out)
	case ProtoRESTXML:
		if raw, ok := out.(rawBody); ok {
			if raw.contentType != "" {
				rw.Header().Set("Content-Type", raw.contentType)
			}
			for k, v := range raw.headers {
				rw.Header().Set(k, v)
			}
			_, _ = rw.Write(raw.data)
			return
		}
		rw.Header().Set("Content-Type", "application/xml")
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		if out != nil {
			if err := xml.NewEncoder(&buf).Encode(out); err != nil {
				c.writeError(rw, asAPIError(err), rid)
				return
			}
		}
		_, _ = rw.Write(buf.Bytes())
	case ProtoEC2:
		rw.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		var buf bytes.Buffer
		fmt.Fprintf(&buf, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<%sResponse xmlns="%s"><requestId>%s</requestId>`, c.Action, c.Service.XMLNS, rid)
		if out != nil {
			if err := encodeInner(&buf, out); err != nil {
				c.writeError(rw, asAPIError(err), rid)
				return
			}
		}
		fmt.Fprintf(&buf, "</%sResponse>", c.Action)
		_, _ = rw.Write(buf.Bytes())
	default: // query
		rw.Header().Set("Content-Type", "text/xml")
		var buf bytes.Buffer
		fmt.Fprintf(&buf, `<%sResponse xmlns="%s">`, c.Action, c.Service.XMLNS)
		if out != nil {
			fmt.Fprintf(&buf, "<%sResult>", c.Action)
			if err := encodeInner(&buf, out); err != nil {
				c.writeError(rw, asAPIError(err), rid)
				return
			}
			fmt.Fprintf(&buf, "</%sResult>", c.Action)
		}
		fmt.Fprintf(&buf, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>", rid, c.Action)
		_, _ = rw.Write(buf.Bytes())
	}
}

func (c *Call) writeError(rw http.ResponseWriter, ae *APIError, rid string) {
	for k, v := range ae.Headers {
		rw.Header().Set(k, v)
	}
	switch c.Service.Protocol {
	case ProtoJSON, ProtoRESTJSON:
		rw.Header().Set("Content-Type", "application/x-amz-json-"+c.Service.jsonVersion())
		rw.Header().Set("X-Amzn-Errortype", ae.Code)
		rw.WriteHeader(ae.Status)
		_ = json.NewEncoder(rw).Encode(map[string]string{"__type": ae.Code, "message": ae.Message})
	case ProtoRESTXML:
		rw.Header().Set("Content-Type", "application/xml")
		rw.WriteHeader(ae.Status)
		var extra strings.Builder
		for _, kv := range ae.Extra {
			fmt.Fprintf(&extra, "<%s>%s</%s>", kv[0], xmlEscape(kv[1]), kv[0])
		}
		fmt.Fprintf(rw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Error><Code>%s</Code><Message>%s</Message>%s<RequestId>%s</RequestId></Error>`, ae.Code, xmlEscape(ae.Message), extra.String(), rid)
	case ProtoEC2:
		rw.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		rw.WriteHeader(ae.Status)
		fmt.Fprintf(rw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>`, ae.Code, xmlEscape(ae.Message), rid)
	default:
		rw.Header().Set("Content-Type", "text/xml")
		rw.WriteHeader(ae.Status)
		typ := "Sender"
		if ae.Status >= 500 {
			typ = "Receiver"
		}
		fmt.Fprintf(rw, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`, c.Service.XMLNS, typ, ae.Code, xmlEscape(ae.Message), rid)
	}
}

func (s *Service) jsonVersion() string {
	if s.JSONVersion == "" {
		return "1.1"
	}
	return s.JSONVersion
}

// rawBody is a reply written as is (S3 objects, CSV reports).
type rawBody struct {
	contentType string
	headers     map[string]string
	data        []byte
}

// encodeInner writes the XML elements of v's fields without a wrapping element of v's own:
// the query protocols put them inside <ActionResult> or <ActionResponse>.
func encodeInner(w io.Writer, v any) error {
	b, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	open := bytes.IndexByte(b, '>')
	close := bytes.LastIndex(b, []byte("</"))
	if open < 0 || b[open-1] == '/' { // an empty struct marshals as <T></T>
		return nil
	}
	if close > open {
		b = b[open+1 : close]
	} else {
		b = nil
	}
	_, err = w.Write(b)
	return err
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
