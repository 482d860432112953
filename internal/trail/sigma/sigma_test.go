package sigma

import (
	"errors"
	"strings"
	"testing"

	"github.com/accountguard/accountguard/internal/trail/event"
	"github.com/accountguard/accountguard/internal/trail/jsonx"
)

const rec = `{"eventTime":"2026-11-01T10:00:00Z","eventName":"PutUserPolicy","eventSource":"iam.amazonaws.com",
"sourceIPAddress":"203.0.113.9","userAgent":"Boto3/1.34 md/Botocore","errorCode":null,
"userIdentity":{"type":"IAMUser","userName":"alice","arn":"arn:aws:iam::111122223333:user/alice"},
"requestParameters":{"userName":"alice","policyDocument":"{\"Action\":\"*\",\"Resource\":\"*\"}","tags":[{"key":"a","value":"x1"},{"key":"b","value":"y2"}],"count":12}}`

func rule(t *testing.T, detection string) *Rule {
	t.Helper()
	r, err := Parse("t.yml", []byte("title: t\nauthor: me\ndetection:\n"+detection))
	if err != nil {
		t.Fatalf("%s: %v", detection, err)
	}
	return r
}

func TestModifiersAndConditions(t *testing.T) {
	var ev event.Event
	if _, err := ev.Index([]byte(rec), 0); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		det  string
		want bool
	}{
		{"  s:\n    eventName: putuserpolicy\n  condition: s", true}, // case-insensitive
		{"  s:\n    eventName|cased: putuserpolicy\n  condition: s", false},
		{"  s:\n    eventName: Put*Policy\n  condition: s", true},
		{"  s:\n    eventName: Put?serPolicy\n  condition: s", true},
		{"  s:\n    eventName: 'Put\\*'\n  condition: s", false},
		{"  s:\n    userAgent|startswith: boto3\n  condition: s", true},
		{"  s:\n    userAgent|endswith: BOTOCORE\n  condition: s", true},
		{"  s:\n    userAgent|contains: '1.34'\n  condition: s", true},
		{"  s:\n    userAgent|contains|all: [boto3, nope]\n  condition: s", false},
		{"  s:\n    userAgent|contains|all: [boto3, botocore]\n  condition: s", true},
		{"  s:\n    userAgent|re: '^Boto3/\\d+\\.'\n  condition: s", true},
		{"  s:\n    userAgent|re|i: '^boto3/'\n  condition: s", true},
		{"  s:\n    sourceIPAddress|cidr: 203.0.113.0/24\n  condition: s", true},
		{"  s:\n    sourceIPAddress|cidr: [10.0.0.0/8, '2001:db8::/32']\n  condition: s", false},
		{"  s:\n    errorCode: null\n  condition: s", true},
		{"  s:\n    missing.field: null\n  condition: s", true},
		{"  s:\n    userAgent: null\n  condition: s", false},
		{"  s:\n    errorCode|exists: true\n  condition: s", true}, // present, though null
		{"  s:\n    errorMessage|exists: false\n  condition: s", true},
		{"  s:\n    requestParameters.tags.value: y2\n  condition: s", true}, // through an array
		{"  s:\n    requestParameters.count|gt: 10\n  condition: s", true},
		{"  s:\n    requestParameters.count|lte: 11\n  condition: s", false},
		{"  s:\n    requestParameters.userName|fieldref: userIdentity.userName\n  condition: s", true},
		{"  s:\n    userIdentity.arn|fieldref|endswith: requestParameters.userName\n  condition: s", true},
		{"  s:\n    requestParameters|contains: '\"Action\":\"*\"'\n  condition: s", true}, // embedded document unescaped
		{"  s:\n    requestParameters.policyDocument|re: '\"Resource\":\"\\*\"'\n  condition: s", true},
		{"  k:\n    - 'arn:aws:iam::111122223333'\n  condition: k", true}, // keywords
		{"  k:\n    - nowhere\n  condition: k", false},
		{"  a:\n    eventName: PutUserPolicy\n  b:\n    userAgent: x\n  condition: a and not b", true},
		{"  a:\n    eventName: PutUserPolicy\n  b:\n    userAgent: x\n  condition: a and b", false},
		{"  a:\n    eventName: X\n  b:\n    userAgent: x\n  c:\n    errorCode: null\n  condition: (a or b) or c", true},
		{"  a:\n    eventName: X\n  b:\n    userAgent: x\n  c:\n    errorCode: null\n  condition: (a or b) and c", false},
		{"  sel_1:\n    eventName: X\n  sel_2:\n    eventSource: iam.amazonaws.com\n  condition: 1 of sel_*", true},
		{"  sel_1:\n    eventName: X\n  sel_2:\n    eventSource: iam.amazonaws.com\n  condition: all of sel_*", false},
		{"  sel_1:\n    eventName: PutUserPolicy\n  sel_2:\n    eventSource: iam.amazonaws.com\n  condition: all of them", true},
		{"  s:\n    - eventName: X\n    - userIdentity.type: IAMUser\n  condition: s", true}, // list of maps: OR
		{"  s:\n    eventName: [X, Y, PutUserPolicy]\n  condition: s", true},
		{"  s:\n    userAgent|base64offset|contains: Boto3\n  condition: s", false},
		{"  s:\n    eventName: X\n  t:\n    eventName: PutUserPolicy\n  condition:\n    - s\n    - t", true},
	}
	for _, c := range cases {
		r := rule(t, c.det)
		if got := r.Matches(&ev); got != c.want {
			t.Errorf("%q: got %v, want %v", c.det, got, c.want)
		}
	}
}

func TestEventNameIndex(t *testing.T) {
	r := rule(t, "  a:\n    eventName: [CreateUser, CreateAccessKey]\n  b:\n    eventName: CreateUser\n  f:\n    userAgent: x\n  condition: a and b and not f")
	if got := r.EventNames(); len(got) != 1 || got[0] != "createuser" {
		t.Errorf("eventNames %v", got)
	}
	r = rule(t, "  a:\n    eventName: CreateUser\n  b:\n    userAgent: x\n  condition: a or b")
	if r.EventNames() != nil {
		t.Errorf("or with an unconstrained side must not be indexed: %v", r.EventNames())
	}
}

func TestUnsupportedFeaturesNamed(t *testing.T) {
	for det, feature := range map[string]string{
		"  s:\n    eventName|wide: x\n  condition: s":               "modifier |wide",
		"  s:\n    eventName: x\n  condition: s | count() by x > 5": "aggregation",
		"  s:\n    eventName: x\n  timeframe: 5m\n  condition: s":   "timeframe",
		"  s:\n    eventName|windash: x\n  condition: s":            "modifier |windash",
		"  s_1:\n    eventName: x\n  condition: 2 of s_*":           "`2 of`",
	} {
		_, err := Parse("u.yml", []byte("title: Unsupported One\ndetection:\n"+det))
		var se *Error
		if !errors.As(err, &se) || !strings.Contains(se.Feature, feature) || !strings.Contains(err.Error(), "Unsupported One") {
			t.Errorf("%q: error %v, want the rule named with feature %q", det, err, feature)
		}
	}
	for _, bad := range []string{"detection: [1]", "detection:\n  s:\n    a: b\n", "detection:\n  condition: nothere", "title: x\ndetection:\n  s:\n    a: b\n  condition: s and (", "{{"} {
		if _, err := Parse("bad.yml", []byte("title: x\n"+bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// FuzzParse: no rule text makes the parser or an evaluation panic.
func FuzzParse(f *testing.F) {
	f.Add("title: t\ndetection:\n  s:\n    eventName|contains|all: [a, b]\n  condition: s and not 1 of f*\n  f1:\n    x: null\n")
	f.Add("title: t\ndetection:\n  s:\n    - 'a*b?c'\n  condition: all of them\n")
	f.Add("title: t\ndetection:\n  s:\n    a|re: '(x'\n  condition: (s\n")
	f.Add("title: t\ndetection:\n  s:\n    a|cidr: 10.0.0.0/8\n    b|base64offset: xyz\n  condition: not not s or s and s\n")
	var ev event.Event
	if _, err := ev.Index([]byte(rec), 0); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse("fuzz.yml", []byte(s))
		if err != nil {
			return
		}
		_ = r.Matches(&ev)
		NewSet([]*Rule{r}).Matcher().Match(&ev, func(*Rule) {})
	})
}

// The Set's memo of userIdentity tests answers as the rule alone does, however identities
// interleave.
func TestIdentityMemo(t *testing.T) {
	r, err := Parse("t.yml", []byte("title: t\ndetection:\n  s:\n    userIdentity.type: Root\n    userIdentity.sessionContext.sessionIssuer.type: Role\n  n:\n    userIdentity.arn|endswith: x\n  condition: s or not n\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := NewSet([]*Rule{r}).Matcher()
	ids := []string{
		`{"type":"Root","sessionContext":{"sessionIssuer":{"type":"Role"}}}`, `{"type":"Root"}`, `{"arn":"ax"}`,
		`{"arn":"ay"}`, `{"type":"Root","arn":"x","sessionContext":{"sessionIssuer":{"type":"Role"}}}`, ``, `{"arn":"bx"}`,
	}
	var ev event.Event
	var st jsonx.Structure
	for i := range 1000 {
		// runs of one identity and changes, read by a byte scan and (second half) with the
		// structural index, which keeps an identity from record to record
		id := ids[(i*i+i/3)%len(ids)]
		if i%7 < 3 {
			id = ids[(i/7)%len(ids)]
		}
		rec := `{"eventTime":"2024-01-01T00:00:00Z","eventName":"X"`
		if id != "" {
			rec += `,"userIdentity":` + id
		}
		rec += "}"
		var err error
		if i < 500 {
			_, err = ev.Index([]byte(rec), 0)
		} else {
			st.Reset()
			st.Update([]byte(rec))
			_, err = ev.IndexWith([]byte(rec), 0, &st)
		}
		if err != nil {
			t.Fatal(err)
		}
		got := false
		m.Match(&ev, func(*Rule) { got = true })
		if want := r.Matches(&ev); got != want {
			t.Fatalf("record %d (%s): Set %v, rule %v", i, id, got, want)
		}
	}
}
