package event

import (
	"strings"
	"testing"
)

const rec = `{"eventTime":"2026-11-01T10:00:00Z","eventName":"RunInstances","sourceIPAddress":"1.2.3.4.5",
 "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIAX","userName":"a"},
 "requestParameters":{"instancesSet":{"items":[{"imageId":"ami-1"},{"imageId":"ami-2"}]},"tags":["x","y"],"n":null},
 "responseElements":{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-\u0032"}]}},
 "custom":{"k":"v"}} trailing`

func TestIndexAndValues(t *testing.T) {
	var e Event
	end, err := e.Index([]byte(rec), 0)
	if err != nil || !strings.HasPrefix(rec[end:], " trailing") {
		t.Fatalf("end %d err %v", end, err)
	}
	if string(e.Str(EventName)) != "RunInstances" || string(e.Str(SourceIPAddress)) != "1.2.3.4.5" || !e.IsRecord() {
		t.Fatal("top-level fields")
	}
	texts := func(p string) []string {
		var out []string
		for _, v := range e.Values(Intern(p)) {
			out = append(out, v.String())
		}
		return out
	}
	for p, want := range map[string]string{
		"responseElements.instancesSet.items.instanceId": "i-1,i-2", // through an array, escapes decoded
		"requestParameters.instancesSet.items.imageId":   "ami-1,ami-2",
		"requestParameters.tags":                         "x,y", // an array at the end is expanded
		"requestParameters.n":                            "",    // JSON null
		"custom.k":                                       "v",   // a top-level field not indexed
		"requestParameters.missing":                      "",
	} {
		if got := strings.Join(texts(p), ","); got != want {
			t.Errorf("%s: %q, want %q", p, got, want)
		}
	}
	if len(e.Values(Intern("requestParameters.missing"))) != 0 || len(e.Values(Intern("requestParameters.n"))) != 1 {
		t.Error("missing and null must differ")
	}
	id := e.Identity()
	if string(id.AccessKeyID) != "AKIAX" || string(id.UserName) != "a" || string(id.Type) != "IAMUser" {
		t.Errorf("identity %+v", id)
	}
	// the same Event reused for the next record forgets the previous one
	if _, err := e.Index([]byte(`{"eventTime":"t","eventName":"Other"}`), 0); err != nil {
		t.Fatal(err)
	}
	if len(e.Values(Intern("responseElements.instancesSet.items.instanceId"))) != 0 || len(e.Identity().ARN) != 0 {
		t.Error("values leaked from the previous record")
	}
}

func TestUnwrapLookupEventsShape(t *testing.T) {
	var e Event
	var buf []byte
	in := `{"EventId":"x","CloudTrailEvent":"{\"eventTime\":\"2026-11-01T10:00:00Z\",\"eventName\":\"ListUsers\",\"userIdentity\":{\"arn\":\"a\\\"b\"}}"}`
	if _, err := e.Index([]byte(in), 0); err != nil {
		t.Fatal(err)
	}
	ok, err := e.Unwrap(&buf)
	if !ok || err != nil || string(e.Str(EventName)) != "ListUsers" || string(e.First(Intern("userIdentity.arn"))) != `a"b` {
		t.Fatalf("unwrap: %v %v %q", ok, err, e.Raw())
	}
	for _, bad := range []string{`{"CloudTrailEvent":"{\"eventTime\":"}`, `{"CloudTrailEvent":"{} extra"}`} {
		if _, err := e.Index([]byte(bad), 0); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Unwrap(&buf); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
