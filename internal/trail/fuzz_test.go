package trail

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/accountguard/accountguard/internal/trail/event"
	"github.com/accountguard/accountguard/internal/trail/jsonx"
)

type memSource struct {
	name string
	b    []byte
}

func (m memSource) Name() string { return m.name }
func (m memSource) Open(context.Context) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(m.b)), nil
}

// FuzzRead feeds arbitrary bytes to the reader and asks every record for nested fields:
// errors are fine, panics and records delivered twice are not.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"Records":[{"eventTime":"2023-07-10T11:42:36Z","eventName":"ListUsers","userIdentity":{"arn":"a","sessionContext":{"sessionIssuer":{"type":"Role"}}},"requestParameters":{"layers":["x",{"a":1}]}}]}`))
	f.Add([]byte(`{"eventTime":"x","eventName":"y"}` + "\n" + `{"eventTime":"x","eventSource":"y","resources":[{"ARN":"z"}]}`))
	f.Add([]byte(`{"Events":[{"CloudTrailEvent":"{\"eventTime\":\"t\",\"eventName\":\"n\\u00e9\"}"}]}`))
	f.Add([]byte(`[{"eventTime":"t","eventName":"n"},{"eventTime":"t","eventName":"n"}]`))
	f.Add([]byte(`{"Records":[{"eventTime":"t","eventName":"n","x":"\"}]`))
	f.Add([]byte("\x1f\x8b\x08\x00"))
	// whole gzip files: inflated whole (package inflate), or streamed once damaged
	for _, plain := range []string{`{"Records":[{"eventTime":"2023-07-10T11:42:36Z","eventName":"ListUsers","userIdentity":{"arn":"a"}}]}`,
		`{"eventTime":"x","eventName":"y"}` + "\n" + `{"eventTime":"x","eventSource":"y","resources":[{"ARN":"z"}]}`} {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte(plain))
		zw.Close()
		f.Add(gz.Bytes())
	}
	f.Add([]byte(`{"eventTime":"t","eventName":"n","userIdentity":{"type":"Root","arn" "a"}}`))
	f.Add([]byte(`{"eventTime":"t","eventName":"CreateUser\u0041bcdefgh","userIdentity":{"type":"Ro\u006ft"}}`))
	f.Add([]byte(`{"eventTime":"t","eventName":"\0"}`))
	f.Add([]byte(`{"eventTime":"t","eventName":"n","userIdentity":{"type":"Root","arn":"a",}}`))
	f.Add([]byte(`{"eventTime":"t","eventName":"n","userIdentity":{"type":"Root","x":[}],"arn":"a"}}`))
	paths := []event.PathID{
		event.Intern("userIdentity.arn"), event.Intern("userIdentity.sessionContext.sessionIssuer.type"),
		event.Intern("requestParameters.layers"), event.Intern("requestParameters.layers.a"),
		event.Intern("resources.ARN"), event.Intern("unknownTop.key"), event.Intern("eventName"),
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Read(t.Context(), []Source{memSource{"fuzz", b}}, ReadOptions{Workers: 1, MaxRecord: 1 << 16}, func(_ int, e *event.Event) {
			for _, p := range paths {
				for _, v := range e.Values(p) {
					_ = v.Text(nil)
				}
			}
			// strings known to hold no escape read as Unquote reads them
			if raw := e.Top(event.EventName); len(raw) > 0 && raw[0] == '"' {
				s, ok := jsonx.Unquote(raw, nil)
				text := s // Value.Text falls back to the raw JSON when the string is malformed
				if !ok {
					text = raw
				}
				if string(s) != string(e.Str(event.EventName)) || string(text) != string(e.First(paths[6])) {
					t.Fatalf("eventName %q: Str %q, First %q", raw, e.Str(event.EventName), e.First(paths[6]))
				}
			}
			// userIdentity's keys, read while the record is framed, are those ObjectEach reads
			if ui := e.Top(event.UserIdentity); len(ui) > 0 && ui[0] == '{' {
				if end, err := jsonx.SkipValue(ui, 0); err != nil || end != len(ui) {
					t.Fatalf("userIdentity %q: SkipValue ends at %d (%v)", ui, end, err)
				}
				var typ, arn []byte
				_ = jsonx.ObjectEach(ui, func(k, v []byte) bool {
					// Identity reads a malformed string as missing
					s, ok := jsonx.Unquote(v, nil)
					if !ok || len(v) == 0 || v[0] != '"' {
						s = nil
					}
					switch {
					case jsonx.KeyIs(k, "type") && string(k) == `"type"`:
						typ = s
					case jsonx.KeyIs(k, "arn") && string(k) == `"arn"`:
						arn = s
					}
					return true
				})
				if id := e.Identity(); string(id.Type) != string(typ) || string(id.ARN) != string(arn) {
					t.Fatalf("userIdentity %q: Identity type %q arn %q, ObjectEach %q %q", ui, id.Type, id.ARN, typ, arn)
				}
			}
		})
	})
}
