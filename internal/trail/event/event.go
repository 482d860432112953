package event

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/accountguard/accountguard/internal/trail/jsonx"
)

// Top-level CloudTrail fields indexed when a record is read; any other top-level field is
// found by a scan of the record when a rule asks for it.
const (
	EventVersion = iota
	UserIdentity
	EventTime
	EventSource
	EventName
	AWSRegion
	SourceIPAddress
	UserAgent
	RequestParameters
	ResponseElements
	AdditionalEventData
	ErrorCode
	ErrorMessage
	RequestID
	EventID
	EventType
	ReadOnly
	Resources
	RecipientAccountID
	ServiceEventDetails
	SharedEventID
	VPCEndpointID
	EventCategory
	TLSDetails
	ManagementEvent
	APIVersion
	SessionCredentialFromConsole
	CloudTrailEvent // the LookupEvents shape: the record as a JSON string
	numTop
)

var topNames = [numTop]string{
	"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
	"sourceIPAddress", "userAgent", "requestParameters", "responseElements", "additionalEventData",
	"errorCode", "errorMessage", "requestID", "eventID", "eventType", "readOnly", "resources",
	"recipientAccountId", "serviceEventDetails", "sharedEventID", "vpcEndpointId", "eventCategory",
	"tlsDetails", "managementEvent", "apiVersion", "sessionCredentialFromConsole", "CloudTrailEvent",
}

// topSlot finds a key's slot with a perfect hash of its length and first and last eight
// bytes, then compares those words (and the middle of a longer key): a switch on the string
// compiled to a search over lengths and comparisons, and a map lookup hashes every byte.
func topSlot(key []byte) int {
	a, z := jsonx.Words(key)
	e := &topTable[(a^z^uint64(len(key)))*topMul>>58]
	if e.a != a || e.z != z || e.n != len(key) {
		return -1
	}
	if len(key) > 16 {
		// the bytes between the two words: a third word covers keys up to 24 bytes
		if len(key) <= 24 {
			if binary.LittleEndian.Uint64(key[8:]) != e.mid {
				return -1
			}
		} else if string(key[8:len(key)-8]) != e.name[8:len(e.name)-8] {
			return -1
		}
	}
	return int(e.slot)
}

const topMul = 0x20012170d418f7af // makes the hash distinct for topNames (checked at init)

type topEntry struct {
	a, z uint64
	mid  uint64 // bytes 8 to 16 of a name longer than 16
	n    int    // -1: no name hashes here
	slot int8
	name string
}

var topTable = func() (t [64]topEntry) {
	for i := range t {
		t[i].n = -1
	}
	for slot, name := range topNames {
		a, z := jsonx.Words([]byte(name))
		h := (a ^ z ^ uint64(len(name))) * topMul >> 58
		if t[h].n >= 0 {
			panic("event: topMul no longer separates " + name + " from " + t[h].name) // caught by any test
		}
		t[h] = topEntry{a: a, z: z, n: len(name), slot: int8(slot), name: name}
		if len(name) > 16 {
			t[h].mid = binary.LittleEndian.Uint64([]byte(name[8:]))
		}
	}
	return t
}()

// PathID names an interned dotted field path.
type PathID int32

type path struct {
	name string
	top  int      // slot, or -1 when the first element is not an indexed field
	head string   // the first element
	rest []string // the elements after the first
}

var registry struct {
	sync.Mutex
	byName map[string]PathID
	paths  []path
	// snapshot is paths as last published: read lock-free on every field lookup, since a
	// lock there costs a cache-line transfer between cores per record.
	snapshot atomic.Pointer[[]path]
}

func paths() []path {
	if p := registry.snapshot.Load(); p != nil {
		return *p
	}
	return nil
}

// Intern returns the PathID of a dotted CloudTrail path such as "userIdentity.arn".
func Intern(name string) PathID {
	registry.Lock()
	defer registry.Unlock()
	if id, ok := registry.byName[name]; ok {
		return id
	}
	if registry.byName == nil {
		registry.byName = map[string]PathID{}
	}
	parts := strings.Split(name, ".")
	p := path{name: name, top: -1, head: parts[0], rest: parts[1:]}
	for i, n := range topNames {
		if n == parts[0] {
			p.top = i
		}
	}
	id := PathID(len(registry.paths))
	registry.paths = append(registry.paths, p)
	registry.byName[name] = id
	snap := slices.Clone(registry.paths)
	registry.snapshot.Store(&snap)
	return id
}

// Name returns the dotted path of id.
func (id PathID) Name() string { return paths()[id].name }

// Value is one JSON value of a record, as its raw text.
type Value struct {
	Raw   []byte
	plain bool // a string known to hold no escape (found while indexing)
}

// Kind is the first byte of the value: '"' string, '{' object, '[' array, 'n' null,
// 't'/'f' booleans, anything else a number.
func (v Value) Kind() byte {
	if len(v.Raw) == 0 {
		return 'n'
	}
	return v.Raw[0]
}

// IsNull reports whether the value is JSON null.
func (v Value) IsNull() bool { return len(v.Raw) == 0 || v.Raw[0] == 'n' }

// Text is what rules match against: a string's content (unescaped into scratch when it has
// escapes), or the JSON text of anything else, so `responseElements|contains: Failure`
// searches an object's text and `publiclyAccessible: 'true'` matches a boolean.
func (v Value) Text(scratch []byte) []byte {
	if v.plain {
		return v.Raw[1 : len(v.Raw)-1]
	}
	if len(v.Raw) > 0 && v.Raw[0] == '"' {
		if s, ok := jsonx.Unquote(v.Raw, scratch); ok {
			return s
		}
	}
	return v.Raw
}

// String is Text as a fresh string, for keeping beyond the event's life.
func (v Value) String() string {
	if v.IsNull() {
		return ""
	}
	return string(v.Text(nil))
}

type span struct {
	start, end int32
	plain      bool // a string known to hold no escape: Str needs no second look
}

type cached struct {
	gen        uint32
	start, end int32 // into Event.arena
}

// Event is one CloudTrail record. The zero value is ready for Index; an Event is reused
// record after record by one reader goroutine.
type Event struct {
	objs    []objIndex // objects whose keys were read, so the next lookup in them is a search
	members []jsonx.Member
	// idText is the last userIdentity read by indexMembers, and objs[0] and kvs[:idKvs] its
	// keys while idValid; idShared says the current record's identity is that text, so Top
	// returns it. idMemo says identity holds Identity() of it.
	idText   []byte
	idKvs    int32
	idValid  bool
	idShared bool
	idMemo   bool
	identity Identity
	idGen    uint64 // see IdentityGen
	kvs      []kv
	raw      []byte
	top      [numTop]span
	gen      uint32
	cache    []cached
	arena    []Value
	scratch  []byte
}

// Raw is the record's JSON text.
func (e *Event) Raw() []byte { return e.raw }

// Has reports whether the top-level field slot is present.
func (e *Event) Has(slot int) bool { return e.top[slot].end > 0 }

// IdentityGen changes whenever the record's userIdentity may differ from the previous
// record's: equal values mean the same identity text, so whatever was worked out from it
// still holds.
func (e *Event) IdentityGen() uint64 {
	if e.idGen == 0 {
		// each Event counts in a range of its own, so a new Event at a recycled address
		// does not repeat another's values
		e.idGen = genRanges.Add(1 << 32)
	}
	if !e.idShared {
		e.idGen++ // not known to be the same
	}
	return e.idGen
}

var genRanges atomic.Uint64

// Top returns the raw value of a top-level field slot, or nil.
func (e *Event) Top(slot int) []byte {
	s := e.top[slot]
	if s.end == 0 {
		return nil
	}
	if slot == UserIdentity && e.idShared {
		return e.idText
	}
	return e.raw[s.start:s.end]
}

// Str returns a top-level string field's content ("" when missing, null or not a string).
// The result aliases the record unless the string had escapes.
func (e *Event) Str(slot int) []byte {
	if sp := e.top[slot]; sp.plain {
		return e.raw[sp.start+1 : sp.end-1]
	}
	raw := e.Top(slot)
	if len(raw) == 0 || raw[0] != '"' {
		return nil
	}
	s, _ := jsonx.Unquote(raw, nil)
	return s
}

// Index reads the record starting at b[i] == '{' and returns the index just past it. The
// Event then refers to b until the next Index. ErrShort means b ends inside the record.
func (e *Event) Index(b []byte, i int) (int, error) { return e.IndexWith(b, i, nil) }

// IndexWith is Index helped by a structural index of b (nil for none): strings and nested
// values are then skipped by a look at its bitmaps rather than at their bytes. Both give
// the same result on valid JSON; malformed text is scanned byte by byte, for its message.
func (e *Event) IndexWith(b []byte, i int, s *jsonx.Structure) (int, error) {
	if s != nil {
		end, err := e.indexMembers(b, i, s)
		if err == nil || err == jsonx.ErrShort {
			return end, err
		}
	}
	return e.indexScan(b, i)
}

func (e *Event) reset() {
	e.gen++
	if e.gen == 0 { // wrapped: old cache entries could look current
		clear(e.cache)
		e.gen = 1
	}
	e.arena = e.arena[:0]
	e.objs, e.kvs = e.objs[:0], e.kvs[:0]
	e.top = [numTop]span{}
}

func (e *Event) indexMembers(b []byte, start int, s *jsonx.Structure) (int, error) {
	e.reset()
	ms, end, err := s.Members(b, start, e.members[:0])
	e.members = ms
	if err != nil {
		return end, err
	}
	for _, m := range ms {
		if slot := topSlot(b[m.KeyStart:m.KeyEnd]); slot >= 0 {
			e.top[slot] = span{m.ValStart - int32(start), m.ValEnd - int32(start), m.Plain}
		}
	}
	e.raw = b[start:end]
	e.idShared = false
	// Every record's identity is read (detectors, most rules), and records come in runs by
	// one identity: its keys are read once per run, from a copy that outlives the window.
	if sp := e.top[UserIdentity]; sp.end > 0 && b[start+int(sp.start)] == '{' {
		text := b[start+int(sp.start) : start+int(sp.end)]
		if !e.idValid || !bytes.Equal(text, e.idText) {
			if e.idGen == 0 {
				e.idGen = genRanges.Add(1 << 32)
			}
			e.idGen++
			e.idText = append(e.idText[:0], text...)
			e.idMemo = false
			end, ok := e.indexAt(e.idText, 0)
			e.idValid = ok && end == len(e.idText)
			e.idKvs = int32(len(e.kvs))
		}
		if e.idValid {
			// the identity's entries are the first ones, kept from the record that read them
			e.objs, e.kvs = e.objs[:1], e.kvs[:e.idKvs]
			e.idShared = true
		} else {
			e.objs, e.kvs = e.objs[:0], e.kvs[:0]
		}
	} else {
		e.idValid = false // lookups in this record will overwrite the kept entries
	}
	return end, nil
}

// indexScan is Index by a scan of the bytes.
func (e *Event) indexScan(b []byte, i int) (int, error) {
	e.reset()
	e.idValid, e.idShared = false, false // the kept identity entries are overwritten below
	start := i
	if i >= len(b) {
		return i, jsonx.ErrShort
	}
	if b[i] != '{' {
		return i, &jsonx.SyntaxError{Off: i, Msg: "record is not a JSON object"}
	}
	i = jsonx.SkipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		e.raw = b[start : i+1]
		return i + 1, nil
	}
	for {
		if i >= len(b) {
			return i, jsonx.ErrShort
		}
		if b[i] != '"' {
			return i, &jsonx.SyntaxError{Off: i, Msg: "expected a key in record"}
		}
		ke, err := jsonx.SkipString(b, i)
		if err != nil {
			return ke, err
		}
		slot := topSlot(b[i+1 : ke-1])
		i = jsonx.SkipSpace(b, ke)
		if i >= len(b) {
			return i, jsonx.ErrShort
		}
		if b[i] != ':' {
			return i, &jsonx.SyntaxError{Off: i, Msg: "expected colon in record"}
		}
		i = jsonx.SkipSpace(b, i+1)
		ve, ok := 0, false
		if slot == UserIdentity {
			// Every record's identity is read (detectors, most rules): reading its keys
			// here spares a second scan of it.
			ve, ok = e.indexAt(b, i)
		}
		plain := false
		if !ok {
			ve, plain, err = skipValue(b, i)
			if err != nil {
				return ve, err
			}
		}
		if slot >= 0 {
			e.top[slot] = span{int32(i - start), int32(ve - start), plain}
		}
		i = jsonx.SkipSpace(b, ve)
		if i >= len(b) {
			return i, jsonx.ErrShort
		}
		switch b[i] {
		case '}':
			e.raw = b[start : i+1]
			return i + 1, nil
		case ',':
			i = jsonx.SkipSpace(b, i+1)
		default:
			return i, &jsonx.SyntaxError{Off: i, Msg: "expected comma in record"}
		}
	}
}

// skipValue returns the index past the value at b[i] and, for a string, whether it is
// known to hold no escape.
func skipValue(b []byte, i int) (int, bool, error) {
	if i < len(b) && b[i] == '"' {
		return jsonx.SkipStringPlain(b, i)
	}
	ve, err := jsonx.SkipValue(b, i)
	return ve, false, err
}

// Values returns the values at path id: none when the path is missing, several when it
// passes through arrays (an array at the end is expanded into its elements). The slice is
// valid until the next Index.
func (e *Event) Values(id PathID) []Value {
	// Rules ask for the same few fields again and again: a cached answer costs a compare.
	if int(id) < len(e.cache) {
		if c := &e.cache[id]; c.gen == e.gen {
			return e.arena[c.start:c.end:c.end]
		}
	}
	ps := paths()
	if int(id) >= len(e.cache) {
		e.cache = append(e.cache, make([]cached, len(ps)-len(e.cache))...)
	}
	c := &e.cache[id]
	if c.gen == e.gen {
		return e.arena[c.start:c.end:c.end]
	}
	p := &ps[id]
	start := len(e.arena)
	var (
		root  []byte
		plain bool
	)
	if p.top >= 0 {
		root, plain = e.Top(p.top), e.top[p.top].plain
	} else {
		root, plain = e.lookupKey(e.raw, p.head)
	}
	if root != nil {
		e.resolve(root, plain, p.rest)
	}
	c.gen, c.start, c.end = e.gen, int32(start), int32(len(e.arena))
	return e.arena[start:len(e.arena):len(e.arena)]
}

// First returns the text of the first value at id, or nil.
func (e *Event) First(id PathID) []byte {
	vs := e.Values(id)
	if len(vs) == 0 || vs[0].IsNull() {
		return nil
	}
	return vs[0].Text(nil)
}

func (e *Event) resolve(v []byte, plain bool, rest []string) {
	if len(v) == 0 {
		return
	}
	if len(rest) == 0 {
		if v[0] == '[' {
			_ = jsonx.ArrayEach(v, func(el []byte) bool {
				e.arena = append(e.arena, Value{Raw: el})
				return true
			})
			return
		}
		e.arena = append(e.arena, Value{Raw: v, plain: plain})
		return
	}
	switch v[0] {
	case '{':
		if child, plain := e.lookupKey(v, rest[0]); child != nil {
			e.resolve(child, plain, rest[1:])
		}
	case '[':
		_ = jsonx.ArrayEach(v, func(el []byte) bool {
			if len(el) > 0 && el[0] == '{' {
				if child, plain := e.lookupKey(el, rest[0]); child != nil {
					e.resolve(child, plain, rest[1:])
				}
			}
			return true
		})
	}
}

// objIndex is the keys of one object of the record, read once: rules ask for several
// fields of the same object (userIdentity.type, .arn, .sessionContext …).
type objIndex struct {
	start      *byte // the object's first byte, as its identity
	kvs0, kvs1 int32 // its entries in Event.kvs
}

type kv struct {
	key, val []byte // key without quotes, as written
	plain    bool   // val is a string known to hold no escape
}

func (e *Event) lookupKey(obj []byte, key string) ([]byte, bool) {
	if len(obj) == 0 {
		return nil, false
	}
	ix := e.index(obj)
	for _, p := range e.kvs[ix.kvs0:ix.kvs1] {
		if string(p.key) == key {
			return p.val, p.plain
		}
	}
	// a key written with escapes (never seen in CloudTrail, but valid JSON)
	for _, p := range e.kvs[ix.kvs0:ix.kvs1] {
		if bytes.IndexByte(p.key, '\\') >= 0 && jsonx.KeyIs(append(append([]byte{'"'}, p.key...), '"'), key) {
			return p.val, p.plain
		}
	}
	return nil, false
}

// indexAt reads the keys of the object at b[i] as index would, returning the index just
// past it. It reports false, having recorded nothing, when b[i] is not an object, the
// object is malformed or b ends inside it: the caller then skips the value as any other,
// and a lookup in it indexes it with ObjectEach's tolerance of malformed input. On a
// well-formed object it stops where SkipValue would: both balance the same brackets and
// strings.
func (e *Event) indexAt(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '{' {
		return 0, false
	}
	o := objIndex{start: &b[i], kvs0: int32(len(e.kvs))}
	fail := func() (int, bool) {
		e.kvs = e.kvs[:o.kvs0]
		return 0, false
	}
	j := jsonx.SkipSpace(b, i+1)
	if j < len(b) && b[j] == '}' {
		o.kvs1 = o.kvs0
		e.objs = append(e.objs, o)
		return j + 1, true
	}
	for {
		if j >= len(b) || b[j] != '"' {
			return fail()
		}
		ke, err := jsonx.SkipString(b, j)
		if err != nil {
			return fail()
		}
		key := b[j+1 : ke-1]
		j = jsonx.SkipSpace(b, ke)
		if j >= len(b) || b[j] != ':' {
			return fail()
		}
		j = jsonx.SkipSpace(b, j+1)
		ve, plain, err := skipValue(b, j)
		if err != nil {
			return fail()
		}
		e.kvs = append(e.kvs, kv{key: key, val: b[j:ve], plain: plain})
		j = jsonx.SkipSpace(b, ve)
		if j >= len(b) {
			return fail()
		}
		switch b[j] {
		case '}':
			o.kvs1 = int32(len(e.kvs))
			e.objs = append(e.objs, o)
			return j + 1, true
		case ',':
			j = jsonx.SkipSpace(b, j+1)
		default:
			return fail()
		}
	}
}

func (e *Event) index(obj []byte) objIndex {
	for _, o := range e.objs {
		if o.start == &obj[0] {
			return o
		}
	}
	o := objIndex{start: &obj[0], kvs0: int32(len(e.kvs))}
	_ = jsonx.ObjectEach(obj, func(k, v []byte) bool {
		e.kvs = append(e.kvs, kv{key: k[1 : len(k)-1], val: v})
		return true
	})
	o.kvs1 = int32(len(e.kvs))
	e.objs = append(e.objs, o)
	return o
}

// Unwrap turns the LookupEvents shape (the record as a JSON string in CloudTrailEvent) into
// the record itself, re-indexed; into is the buffer to decode the string into. It reports
// false when the event has no CloudTrailEvent string.
func (e *Event) Unwrap(into *[]byte) (bool, error) {
	raw := e.Top(CloudTrailEvent)
	if len(raw) < 2 || raw[0] != '"' {
		return false, nil
	}
	s, ok := jsonx.Unquote(raw, (*into)[:0])
	if !ok {
		return true, &jsonx.SyntaxError{Msg: "CloudTrailEvent is not a valid JSON string"}
	}
	// Unquote may alias raw; the record must not alias the buffer it was decoded from twice.
	*into = append((*into)[:0], s...)
	b := bytes.TrimSpace(*into)
	end, err := e.Index(b, 0)
	if err != nil {
		return true, err
	}
	if jsonx.SkipSpace(b, end) != len(b) {
		return true, &jsonx.SyntaxError{Off: end, Msg: "CloudTrailEvent has text after the record"}
	}
	return true, nil
}

// IsRecord reports whether the event has the fields every CloudTrail record has.
func (e *Event) IsRecord() bool {
	// An Insights event has its eventName and eventSource inside insightDetails.
	return e.Has(EventTime) && (e.Has(EventName) || e.Has(EventSource) || string(e.Str(EventType)) == "AwsCloudTrailInsight")
}
