package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
	for _, k := range []string{"", "e", "eventID2", "eventid", "EventName", "userIdentitx", "requestParameters\x00", "a\\u0065",
		"requestPXrameters", "recipienXAccountId", "additionaXEventData", "sessionCredeXtialFromConsole"} {
		if got := topSlot([]byte(k)); got != -1 {
			t.Errorf("topSlot(%q) = %d, want -1", k, got)
		}
	}
}

// TestStructuredSequenceMatchesScan reads the real dataset's records in order, as a reader
// does (runs by one identity, whose keys are then kept from record to record), and checks
// that every field the rules ask for reads the same as from a byte scan of each record alone.
func TestStructuredSequenceMatchesScan(t *testing.T) {
	files, _ := filepath.Glob("../testdata/invictus-aws_dataset/CloudTrail/*.json")
	if len(files) == 0 {
		t.Fatal("no dataset")
	}
	paths := []PathID{Intern("userIdentity.arn"), Intern("userIdentity.type"), Intern("userIdentity.sessionContext.sessionIssuer.type"),
		Intern("userIdentity.accessKeyId"), Intern("requestParameters.userName"), Intern("eventName"), Intern("responseElements"),
		Intern("userIdentity.sessionContext.attributes.mfaAuthenticated"), Intern("sourceIPAddress")}
	var fast Event
	var st jsonx.Structure
	records := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Records []json.RawMessage }
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		// one buffer per file, as the reader's window holds many records
		buf := []byte(`{"Records":[`)
		var starts []int
		for i, r := range doc.Records {
			if i > 0 {
				buf = append(buf, ',')
			}
			starts = append(starts, len(buf))
			buf = append(buf, r...)
		}
		st.Reset()
		st.Update(buf)
		for k, at := range starts {
			var slow Event
			if _, err := slow.Index(doc.Records[k], 0); err != nil {
				t.Fatal(err)
			}
			if _, err := fast.IndexWith(buf, at, &st); err != nil {
				t.Fatal(err)
			}
			records++
			// a different order of lookups each time
			for j := range paths {
				p := paths[(j+k)%len(paths)]
				a, b := slow.Values(p), fast.Values(p)
				if len(a) != len(b) {
					t.Fatalf("%s record %d: %s has %d values, structured %d", f, k, p.Name(), len(a), len(b))
				}
				for v := range a {
					if a[v].String() != b[v].String() {
						t.Fatalf("%s record %d: %s = %q, structured %q", f, k, p.Name(), a[v].String(), b[v].String())
					}
				}
			}
			if a, b := fmt.Sprint(slow.Identity()), fmt.Sprint(fast.Identity()); a != b {
				t.Fatalf("%s record %d: Identity %s, structured %s", f, k, a, b)
			}
		}
	}
	t.Logf("%d records", records)
}
