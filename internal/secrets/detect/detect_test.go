package detect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Every detector's own samples: each true positive yields a non-example match of that
// detector through the whole engine (prefilter included), each false positive yields none.
func TestDetectorSamples(t *testing.T) {
	e := NewEngine(nil)
	if len(e.Detectors()) < 8 {
		t.Fatalf("registry has %d detectors, want the AWS, private key, GitHub, Slack, Google and Stripe families", len(e.Detectors()))
	}
	for _, d := range e.Detectors() {
		if len(d.TruePositives) == 0 || len(d.FalsePositives) == 0 {
			t.Errorf("%s: needs true- and false-positive samples", d.ID)
		}
		for i, s := range d.TruePositives {
			if !hasRule(e.Scan([]byte(s)), d.ID, false) {
				t.Errorf("%s: true positive %d not found: %q", d.ID, i, s)
			}
		}
		for i, s := range d.FalsePositives {
			if hasRule(e.Scan([]byte(s)), d.ID, true) {
				t.Errorf("%s: false positive %d matched: %q", d.ID, i, s)
			}
		}
	}
}

func hasRule(ms []Match, rule string, examplesToo bool) bool {
	for _, m := range ms {
		if m.Rule == rule && (examplesToo || !m.Example) {
			return true
		}
	}
	return false
}

func TestExamplesAreLabelled(t *testing.T) {
	e := NewEngine(nil)
	in := "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n# also AKIAI44QH8DHBEXAMPLE\n"
	ms := e.Scan([]byte(in))
	got := map[string]bool{}
	for _, m := range ms {
		if !m.Example {
			t.Errorf("%s %s: not labelled an example", m.Rule, m.Secret)
		}
		got[m.Rule] = true
	}
	if !got["aws-access-key-id"] || !got["aws-secret-access-key"] || len(ms) != 3 {
		t.Fatalf("want 2 example key IDs and 1 example secret, got %d: %v", len(ms), ms)
	}
}

func TestSecretPairedWithKeyID(t *testing.T) {
	e := NewEngine(nil)
	in := `{"Credentials":{"AccessKeyId":"AKIAUJZDEGXDNCF32EPF","SecretAccessKey":"TWDtkwtDDb\/xHKas1VOqg6YYZYn9ZhyiA4uoRgna"}}`
	var sec *Match
	ms := e.Scan([]byte(in))
	for i := range ms {
		if ms[i].Rule == "aws-secret-access-key" {
			sec = &ms[i]
		}
	}
	if sec == nil {
		t.Fatalf("secret not found in minified JSON: %v", ms)
	}
	if sec.KeyID != "AKIAUJZDEGXDNCF32EPF" || sec.Account != "295889548742" || sec.Secret.Reveal() != "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" {
		t.Errorf("pairing: key %q account %q secret %s", sec.KeyID, sec.Account, sec.Secret)
	}
}

func TestMinifiedJSONLine(t *testing.T) {
	// One long line, the key far from its start: windows keep the regex work local.
	var b bytes.Buffer
	for i := range 20000 {
		fmt.Fprintf(&b, `{"k%d":"v%d"},`, i, i)
	}
	b.WriteString(`{"aws_access_key_id":"AKIAGMXGEDN73U55XTPL","aws_secret_access_key":"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"}`)
	ms := NewEngine(nil).Scan(b.Bytes())
	if len(ms) != 2 || ms[0].Rule != "aws-access-key-id" || ms[1].Rule != "aws-secret-access-key" {
		t.Fatalf("got %v", ms)
	}
	if got := string(b.Bytes()[ms[0].Start:ms[0].End]); got != "AKIAGMXGEDN73U55XTPL" {
		t.Errorf("offsets point at %q", got)
	}
}

func TestKeySplitAcrossLines(t *testing.T) {
	in := "creds = {\n  'id': 'AKIAGMXGEDN7'\n         '3U55XTPL',\n}\n"
	ms := NewEngine(nil).Scan([]byte(in))
	if len(ms) != 1 || ms[0].KeyID != "AKIAGMXGEDN73U55XTPL" || !strings.Contains(ms[0].Note, "split") {
		t.Fatalf("got %v", ms)
	}
	if in[ms[0].Start:ms[0].Start+4] != "AKIA" || in[ms[0].End-4:ms[0].End] != "XTPL" {
		t.Errorf("span %d..%d is %q", ms[0].Start, ms[0].End, in[ms[0].Start:ms[0].End])
	}
}

func TestAccountFromKeyID(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"ASIAY34FZKBOKMUTVV7A", "609629065308"}, // the example in Tal Be'ery's note
		{"AKIAUJZDEGXDNCF32EPF", "295889548742"},
	} {
		got, ok := AccountFromKeyID(tc.key)
		if !ok || got != tc.want {
			t.Errorf("%s: got %q %v, want %s", tc.key, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"", "AKIA", "AKIAIOSFODNN7EXAMPL1", "XKIAUJZDEGXDNCF32EPF", "AKIAUJZDEGXDNCF32EPFQ"} {
		if _, ok := AccountFromKeyID(bad); ok {
			t.Errorf("%q: decoded", bad)
		}
	}
}

func TestSecretNeverPrintedWhole(t *testing.T) {
	const v = "TWDtkwtDDb/xHKas1VOqg6YYZYn9ZhyiA4uoRgna"
	s := NewSecret(v)
	type holder struct {
		secret Secret // unexported: fmt cannot call its methods
		Pub    Secret
	}
	h := holder{secret: s, Pub: s}
	var logBuf bytes.Buffer
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("x", "secret", s, "h", h)
	js, _ := json.Marshal(h)
	outs := []string{
		fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x %d", s, s, s, s, s, s, s),
		fmt.Sprintf("%v %+v %#v", h, h, h), fmt.Sprintf("%v", &h), string(js), logBuf.String(),
		fmt.Sprint(Match{Secret: s}), fmt.Sprintf("%+v", []Match{{Secret: s}}),
	}
	for _, o := range outs {
		if strings.Contains(o, v) || strings.Contains(o, v[4:36]) {
			t.Errorf("secret leaked: %s", o)
		}
	}
	if s.Redacted() != "TWDt…Rgna" {
		t.Errorf("redacted %q", s.Redacted())
	}
	if Redact("short") != "[5 chars]" {
		t.Errorf("short values must not be shown: %q", Redact("short"))
	}
}

func TestPrefilterCaseInsensitiveOverlapping(t *testing.T) {
	d := newACDFA([]string{"secret", "cre", "akia"}, nil)
	hits := d.scan([]byte("xSeCrEt AKIAkia"), nil)
	var got []string
	for _, h := range hits {
		got = append(got, fmt.Sprintf("%d@%d", h.kw, h.end))
	}
	if want := "1@6 0@7 2@12 2@15"; strings.Join(got, " ") != want {
		t.Errorf("hits %v, want %s", got, want)
	}
	// Exact keywords keep their case.
	d = newACDFA([]string{"AKIA", "secret"}, []bool{true, false})
	if hits := d.scan([]byte("Akia akia SECRET AKIA"), nil); len(hits) != 2 || hits[0].kw != 1 || hits[1].end != 21 {
		t.Errorf("exact: %v", hits)
	}
	if d.any([]byte("Asia/Seoul akia")) {
		t.Error("exact keyword matched another case")
	}
}

func BenchmarkEngineSourceText(b *testing.B) {
	// Real source text: the standard library's net/http, repeated to 4 MB.
	var src []byte
	for _, name := range []string{"server.go", "transport.go", "request.go", "client.go"} {
		data, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "net", "http", name))
		if err != nil {
			b.Fatal(err)
		}
		src = append(src, data...)
	}
	var buf bytes.Buffer
	for buf.Len() < 4<<20 {
		buf.Write(src)
	}
	e := NewEngine(nil)
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		e.Scan(buf.Bytes())
	}
}

// BenchmarkEngineDense is the worst case: a file full of keywords (this package's samples).
func BenchmarkEngineDense(b *testing.B) {
	data, err := os.ReadFile("aws.go")
	if err != nil {
		b.Fatal(err)
	}
	e := NewEngine(nil)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		e.Scan(data)
	}
}
