package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/accountguard/accountguard/internal/trail/jsonx"
)

var structureSeeds = []string{
	`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIA"},"eventTime":"2024-01-01T00:00:00Z","eventName":"ListUsers","requestParameters":{"a":["}",{"b":"\\"}],"c":null},"responseElements":null,"readOnly":true}`,
	`{"eventName":"x\"y\\","userIdentity":{},"requestParameters":{"k":"{[\"]}"},"n":-1.5e3,"t":true}`,
	`{ "eventTime" : "2024" , "eventName" : "A" , "userIdentity" : { "type" : "Root" } }`,
	`{"userIdentity":"not an object","eventName":"\u0041\\\\\"","x":[[[[]]]],"y":{}}`,
	`{}`,
}

// FuzzIndexWithStructure checks that indexing with the structural bitmaps finds exactly
// what the byte-by-byte scan finds, on every valid JSON object, whole or cut short, and
// never panics on anything.
func FuzzIndexWithStructure(f *testing.F) {
	for _, s := range structureSeeds {
		f.Add([]byte(s), uint16(0))
		f.Add([]byte(s), uint16(len(s)/2))
		f.Add([]byte("garbage\\\"{"+s), uint16(3))
	}
	f.Fuzz(func(t *testing.T, rec []byte, cut uint16) {
		// as a reader sees it: the record somewhere in a buffer, maybe cut short
		buf := append([]byte(`{"Records":[`), rec...)
		start := 12
		if int(cut) > 0 && int(cut) < len(rec) {
			buf = buf[:start+int(cut)]
		}
		var st jsonx.Structure
		st.Update(buf)
		var a, b Event
		ea, erra := a.Index(buf, start)
		eb, errb := b.IndexWith(buf, start, &st)
		if !json.Valid(rec) || len(rec) == 0 || rec[0] != '{' {
			return // malformed: no panic is all that is asked
		}
		if (erra == nil) != (errb == nil) || errors.Is(erra, jsonx.ErrShort) != errors.Is(errb, jsonx.ErrShort) {
			t.Fatalf("errors differ: scan %v, structure %v", erra, errb)
		}
		if erra != nil {
			return
		}
		if ea != eb {
			t.Fatalf("end %d, with structure %d", ea, eb)
		}
		for i := range a.top {
			sa, sb := a.top[i], b.top[i]
			if sa.start != sb.start || sa.end != sb.end {
				t.Fatalf("field %s at %d-%d, with structure %d-%d", topNames[i], sa.start, sa.end, sb.start, sb.end)
			}
			// plain is a hint: true must be right; the scan may not know when it is
			if sa.plain && !sb.plain || sb.plain && bytes.IndexByte(b.raw[sb.start:sb.end], '\\') >= 0 {
				t.Fatalf("field %s: plain %v, with structure %v", topNames[i], sa.plain, sb.plain)
			}
		}
		if len(a.kvs) != len(b.kvs) {
			t.Fatalf("identity keys: %d vs %d", len(a.kvs), len(b.kvs))
		}
		for i := range a.kvs {
			if string(a.kvs[i].key) != string(b.kvs[i].key) || string(a.kvs[i].val) != string(b.kvs[i].val) {
				t.Fatalf("identity key %d: %q=%q vs %q=%q", i, a.kvs[i].key, a.kvs[i].val, b.kvs[i].key, b.kvs[i].val)
			}
		}
	})
}

func TestTopSlot(t *testing.T) {
	for slot, name := range topNames {
		if got := topSlot([]byte(name)); got != slot {
			t.Errorf("topSlot(%q) = %d, want %d", name, got, slot)
		}
	}
	for _, k := range []string{"", "e", "eventID2", "eventid", "EventName", "userIdentitx", "requestParameters\x00", "a\\u0065"} {
		if got := topSlot([]byte(k)); got != -1 {
			t.Errorf("topSlot(%q) = %d, want -1", k, got)
		}
	}
}
