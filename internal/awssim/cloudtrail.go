package awssim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// CloudTrail LookupEvents (JSON 1.1): the last 90 days of management events recorded in the
// call's region, newest first, served from the simulator's own trail.

func init() {
	register("cloudtrail", "LookupEvents", ctLookupEvents)
}

// lookupWindow is how far back LookupEvents sees.
const lookupWindow = 90 * 24 * time.Hour

type ctEvent struct {
	EventID         string       `json:"EventId"`
	EventName       string       `json:"EventName"`
	ReadOnly        string       `json:"ReadOnly"`
	AccessKeyID     string       `json:"AccessKeyId,omitempty"`
	EventTime       float64      `json:"EventTime"`
	EventSource     string       `json:"EventSource"`
	Username        string       `json:"Username,omitempty"`
	Resources       []ctResource `json:"Resources"`
	CloudTrailEvent string       `json:"CloudTrailEvent"`
}

type ctResource struct {
	ResourceType string `json:"ResourceType,omitempty"`
	ResourceName string `json:"ResourceName,omitempty"`
}

type ctLookupOutput struct {
	Events    []ctEvent `json:"Events"`
	NextToken string    `json:"NextToken,omitempty"`
}

func ctLookupEvents(c *Call) (any, error) {
	maxResults := 50
	if v, ok := c.JSON["MaxResults"].(float64); ok {
		if v < 1 || v > 50 {
			return nil, errorf(400, "InvalidMaxResultsException", "MaxResults must be between 1 and 50")
		}
		maxResults = int(v)
	}
	end := c.Now
	start := c.Now.Add(-lookupWindow)
	if v, ok := jsonTime(c.JSON["StartTime"]); ok {
		start = v
	}
	if v, ok := jsonTime(c.JSON["EndTime"]); ok {
		end = v
	}
	if start.After(end) {
		return nil, errorf(400, "InvalidTimeRangeException", "Start time must be before end time")
	}
	var attrKey, attrValue string
	if attrs, ok := c.JSON["LookupAttributes"].([]any); ok {
		if len(attrs) > 1 {
			return nil, errorf(400, "InvalidLookupAttributesException", "You cannot specify more than one lookup attribute")
		}
		if len(attrs) == 1 {
			m, _ := attrs[0].(map[string]any)
			attrKey, _ = m["AttributeKey"].(string)
			attrValue, _ = m["AttributeValue"].(string)
			switch attrKey {
			case "EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId":
			default:
				return nil, errorf(400, "InvalidLookupAttributesException", "Lookup attribute key %q is not valid", attrKey)
			}
		}
	}
	offset := 0
	if tok := c.Str("NextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			return nil, errorf(400, "InvalidNextTokenException", "Invalid NextToken")
		}
		offset = n
	}
	var matched []Record
	for _, r := range c.srv.trail {
		t := r.Time()
		if r.RecipientAccountID != c.Account.ID || r.AWSRegion != c.Region || t.Before(start) || t.After(end) || t.Before(c.Now.Add(-lookupWindow)) {
			continue
		}
		if attrKey != "" && !lookupMatches(r, attrKey, attrValue) {
			continue
		}
		matched = append(matched, r)
	}
	slices.SortStableFunc(matched, func(a, b Record) int { return b.Time().Compare(a.Time()) })
	out := ctLookupOutput{Events: []ctEvent{}}
	for i := offset; i < len(matched) && len(out.Events) < maxResults; i++ {
		r := matched[i]
		raw, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encode event: %w", err)
		}
		out.Events = append(out.Events, ctEvent{EventID: r.EventID, EventName: r.EventName, ReadOnly: strconv.FormatBool(r.ReadOnly),
			AccessKeyID: r.UserIdentity.AccessKeyID, EventTime: float64(r.Time().Unix()), EventSource: r.EventSource,
			Username: lookupUsername(r), Resources: []ctResource{}, CloudTrailEvent: string(raw)})
		if i+1 < len(matched) && len(out.Events) == maxResults {
			out.NextToken = strconv.Itoa(i + 1)
		}
	}
	return out, nil
}

func lookupUsername(r Record) string {
	switch {
	case r.UserIdentity.UserName != "":
		return r.UserIdentity.UserName
	case r.UserIdentity.Type == "Root":
		return "root"
	}
	return ""
}

func lookupMatches(r Record, key, value string) bool {
	switch key {
	case "EventId":
		return r.EventID == value
	case "EventName":
		return r.EventName == value
	case "ReadOnly":
		return strconv.FormatBool(r.ReadOnly) == value
	case "Username":
		return lookupUsername(r) == value
	case "EventSource":
		return r.EventSource == value
	case "AccessKeyId":
		return r.UserIdentity.AccessKeyID == value
	}
	return false // resource lookups: the simulator does not index resources
}

// jsonTime reads a JSON 1.1 timestamp: epoch seconds as a number.
func jsonTime(v any) (time.Time, bool) {
	f, ok := v.(float64)
	if !ok {
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
}
