package awssim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/klauspost/compress/gzip"
)

// Record is a CloudTrail record as CloudTrail writes it (eventVersion 1.09).
type Record struct {
	EventVersion       string         `json:"eventVersion"`
	UserIdentity       UserIdentity   `json:"userIdentity"`
	EventTime          string         `json:"eventTime"`
	EventSource        string         `json:"eventSource"`
	EventName          string         `json:"eventName"`
	AWSRegion          string         `json:"awsRegion"`
	SourceIPAddress    string         `json:"sourceIPAddress"`
	UserAgent          string         `json:"userAgent"`
	ErrorCode          string         `json:"errorCode,omitempty"`
	ErrorMessage       string         `json:"errorMessage,omitempty"`
	RequestParameters  any            `json:"requestParameters"`
	ResponseElements   any            `json:"responseElements"`
	AdditionalData     map[string]any `json:"additionalEventData,omitempty"`
	RequestID          string         `json:"requestID"`
	EventID            string         `json:"eventID"`
	ReadOnly           bool           `json:"readOnly"`
	EventType          string         `json:"eventType"`
	ManagementEvent    bool           `json:"managementEvent"`
	RecipientAccountID string         `json:"recipientAccountId"`
	EventCategory      string         `json:"eventCategory"`
	TLSDetails         *TLSDetails    `json:"tlsDetails,omitempty"`
}

// UserIdentity is CloudTrail's userIdentity element.
type UserIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName,omitempty"`
	InvokedBy   string `json:"invokedBy,omitempty"`
	// SessionContext is present for calls made with temporary credentials.
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext is CloudTrail's userIdentity.sessionContext.
type SessionContext struct {
	SessionIssuer *SessionIssuer    `json:"sessionIssuer,omitempty"`
	Attributes    map[string]string `json:"attributes"`
}

// TLSDetails is CloudTrail's tlsDetails element.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
}

// Time parses the record's eventTime.
func (r Record) Time() time.Time {
	t, _ := time.Parse(time.RFC3339, r.EventTime)
	return t
}

// record appends the CloudTrail record of a served call. The world is locked.
func (s *Server) record(c *Call, readOnly bool, out any, err error) {
	if c.RequestID == "" {
		c.RequestID = requestID(s.rng)
	}
	acct := c.Identity.AccountID
	if acct == "" && c.Account != nil {
		acct = c.Account.ID
	}
	rec := Record{
		EventVersion: "1.09",
		UserIdentity: UserIdentity{
			Type: c.Identity.Type, PrincipalID: c.Identity.PrincipalID, ARN: c.Identity.ARN,
			AccountID: c.Identity.AccountID, UserName: c.Identity.UserName, InvokedBy: c.Identity.InvokedBy,
		},
		EventTime:          c.Now.UTC().Format("2006-01-02T15:04:05Z"),
		EventSource:        c.Service.EventSource,
		EventName:          c.Action,
		AWSRegion:          c.recordRegion(),
		SourceIPAddress:    c.SourceIP,
		UserAgent:          c.UserAgent,
		RequestParameters:  c.TrailRequest,
		ResponseElements:   nil,
		RequestID:          c.RequestID,
		EventID:            requestID(s.rng),
		ReadOnly:           readOnly,
		EventType:          "AwsApiCall",
		ManagementEvent:    true,
		RecipientAccountID: acct,
		EventCategory:      "Management",
	}
	if k := c.Identity.Key; k != nil {
		rec.UserIdentity.AccessKeyID = k.ID
		if k.SessionToken != "" {
			rec.UserIdentity.SessionContext = &SessionContext{SessionIssuer: c.Identity.Issuer,
				Attributes: map[string]string{"creationDate": k.Created.UTC().Format("2006-01-02T15:04:05Z"), "mfaAuthenticated": "false"}}
		}
	}
	if rec.RequestParameters == nil {
		rec.RequestParameters = c.defaultTrailRequest()
	}
	if err != nil {
		ae := asAPIError(err)
		rec.ErrorCode, rec.ErrorMessage = ae.Code, ae.Message
		if c.Service.Protocol == ProtoEC2 && ae.Code == "UnauthorizedOperation" {
			rec.ErrorCode = "Client.UnauthorizedOperation"
		}
	} else if !readOnly {
		rec.ResponseElements = c.TrailResponse
	}
	if c.HTTP != nil {
		rec.TLSDetails = &TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ClientProvidedHostHeader: c.HTTP.Host}
	}
	s.trail = append(s.trail, rec)
}

// defaultTrailRequest derives requestParameters from the input: query parameters become
// lowerCamelCase keys (lists become arrays), JSON bodies are kept as they are. AWS records
// null for most read-only calls with no input.
func (c *Call) defaultTrailRequest() any {
	if c.JSON != nil {
		if len(c.JSON) == 0 {
			return nil
		}
		return c.JSON
	}
	if len(c.Params) == 0 {
		return nil
	}
	out := map[string]any{}
	for k, vs := range c.Params {
		if k == "Action" || k == "Version" {
			continue
		}
		top, _, nested := strings.Cut(k, ".")
		key := lowerCamel(top)
		if nested {
			if _, done := out[key]; !done {
				if list := c.List(top); len(list) > 0 {
					out[key] = list
				} else {
					var items []map[string]string
					for _, st := range c.Structs(top) {
						m := map[string]string{}
						for f, v := range st {
							m[lowerCamel(f)] = v[0]
						}
						items = append(items, m)
					}
					out[key] = items
				}
			}
			continue
		}
		out[key] = vs[0]
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func lowerCamel(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	// "MFADevice" → "mFADevice" would be wrong; AWS lowers the leading run of capitals.
	i := 0
	for i < len(r) && unicode.IsUpper(r[i]) {
		i++
	}
	if i > 1 && i < len(r) {
		i-- // keep the capital that starts the next word
	}
	for j := 0; j < i; j++ {
		r[j] = unicode.ToLower(r[j])
	}
	if i == 0 {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

// ExportTrail writes records in CloudTrail's S3 export layout under dir:
// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<id>.json.gz,
// one file per account, region and five-minute delivery window, as CloudTrail delivers them.
// It returns the files written.
func ExportTrail(records []Record, dir string) ([]string, error) {
	type fileKey struct{ account, region, window string }
	groups := map[fileKey][]Record{}
	for _, r := range records {
		t := r.Time().Truncate(5 * time.Minute)
		k := fileKey{r.RecipientAccountID, r.AWSRegion, t.Format("20060102T1504Z")}
		groups[k] = append(groups[k], r)
	}
	keys := make([]fileKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b fileKey) int {
		return strings.Compare(a.account+a.region+a.window, b.account+b.region+b.window)
	})
	var written []string
	for i, k := range keys {
		t, _ := time.Parse("20060102T1504Z", k.window)
		sub := filepath.Join(dir, "AWSLogs", k.account, "CloudTrail", k.region, t.Format("2006"), t.Format("01"), t.Format("02"))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return written, fmt.Errorf("export trail: %w", err)
		}
		name := fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", k.account, k.region, k.window, fileID(i))
		path := filepath.Join(sub, name)
		if err := writeGzipJSON(path, map[string]any{"Records": groups[k]}); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

// fileID makes the 16-character suffix CloudTrail gives each delivered file, deterministically.
func fileID(i int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	x := uint64(i)*0x9E3779B97F4A7C15 + 0x1234567
	b := make([]byte, 16)
	for j := range b {
		x ^= x >> 13
		x *= 0xff51afd7ed558ccd
		b[j] = alphabet[x%uint64(len(alphabet))]
	}
	return string(b)
}

// writeGzipJSON writes v as gzipped JSON to path atomically (temp file, then rename).
func writeGzipJSON(path string, v any) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}
