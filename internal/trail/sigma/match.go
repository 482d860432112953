package sigma

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/accountguard/accountguard/internal/trail/event"
	"github.com/accountguard/accountguard/internal/trail/jsonx"
)

// ctx is one worker's scratch space for evaluating rules against one event.
type ctx struct {
	ev  *event.Event
	low []byte
	txt []byte
	// memo holds the results of the fields tested on userIdentity, valid while epoch is
	// unchanged (a Matcher moves it on when a record's userIdentity differs from the last
	// one's); nil when not memoising. The current rule's nodes are at base+slot.
	memo  []memoEntry
	base  int32
	epoch uint32
}

type memoEntry struct {
	epoch uint32
	val   bool
}

// text is what patterns see: a string's content, or the JSON text of anything else with
// escapes decoded (so a policy document inside requestParameters reads as written).
func (c *ctx) text(v event.Value) []byte {
	if v.Kind() == '"' {
		return v.Text(c.txt[:0])
	}
	t := jsonx.Unescape(v.Raw, c.txt[:0])
	if len(t) > 0 && &t[0] != &v.Raw[0] {
		c.txt = t[:0]
	}
	return t
}

func (c *ctx) lower(b []byte) []byte {
	c.low = c.low[:0]
	for _, ch := range b {
		if ch >= 0x80 {
			c.low = bytes.ToLower(b)
			return c.low
		}
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		c.low = append(c.low, ch)
	}
	return c.low
}

type node interface {
	eval(c *ctx) bool
	// constrains returns the lower-cased values of field (eventName, eventSource) the node
	// can only be true for, with ok false when it may be true for any value.
	constrains(field string) (values []string, ok bool)
}

type andNode struct{ kids []node }
type orNode struct{ kids []node }
type notNode struct{ kid node }

func (n *andNode) eval(c *ctx) bool {
	for _, k := range n.kids {
		if !k.eval(c) {
			return false
		}
	}
	return true
}

func (n *orNode) eval(c *ctx) bool {
	for _, k := range n.kids {
		if k.eval(c) {
			return true
		}
	}
	return false
}

func (n *notNode) eval(c *ctx) bool { return !n.kid.eval(c) }

func (n *andNode) constrains(field string) ([]string, bool) {
	var (
		set []string
		ok  bool
	)
	for _, k := range n.kids {
		s, kok := k.constrains(field)
		if !kok {
			continue
		}
		if !ok {
			set, ok = s, true
			continue
		}
		set = slices.DeleteFunc(slices.Clone(set), func(x string) bool { return !slices.Contains(s, x) })
	}
	return set, ok
}

func (n *orNode) constrains(field string) ([]string, bool) {
	var set []string
	for _, k := range n.kids {
		s, ok := k.constrains(field)
		if !ok {
			return nil, false
		}
		for _, x := range s {
			if !slices.Contains(set, x) {
				set = append(set, x)
			}
		}
	}
	return set, len(n.kids) > 0
}

func (n *notNode) constrains(string) ([]string, bool) { return nil, false }

// op is what a pattern does with a value's text.
type op uint8

const (
	opEq op = iota
	opPrefix
	opSuffix
	opContains
	opGlob
	opRe
	opCIDR
	opLT
	opLTE
	opGT
	opGTE
)

type globTok struct {
	star, one bool
	lit       []byte
}

type pattern struct {
	op    op
	s     []byte // the literal, lower-cased unless cased
	cased bool
	glob  []globTok
	re    *regexp.Regexp
	reLit []byte // a literal every match contains: checked before the regexp runs
	cidr  netip.Prefix
	num   float64
	ref   event.PathID // fieldref: compare against this field's values
	isRef bool
}

func (p *pattern) matchText(c *ctx, t []byte) bool {
	switch p.op {
	case opEq, opPrefix, opSuffix, opContains, opGlob:
		return p.matchString(c, t, p.s)
	case opRe:
		if len(p.reLit) > 0 && !bytes.Contains(t, p.reLit) {
			return false
		}
		return p.re.Match(t)
	case opCIDR:
		a, err := netip.ParseAddr(string(t))
		return err == nil && p.cidr.Contains(a.Unmap())
	default:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return false
		}
		switch p.op {
		case opLT:
			return f < p.num
		case opLTE:
			return f <= p.num
		case opGT:
			return f > p.num
		}
		return f >= p.num
	}
}

func (p *pattern) matchString(c *ctx, t, s []byte) bool {
	switch p.op {
	case opEq:
		if p.cased {
			return bytes.Equal(t, s)
		}
		return bytes.EqualFold(t, s)
	case opPrefix:
		if p.cased {
			return bytes.HasPrefix(t, s)
		}
		return len(t) >= len(s) && bytes.EqualFold(t[:len(s)], s)
	case opSuffix:
		if p.cased {
			return bytes.HasSuffix(t, s)
		}
		return len(t) >= len(s) && bytes.EqualFold(t[len(t)-len(s):], s)
	case opContains:
		if p.cased {
			return bytes.Contains(t, s)
		}
		if len(t) < len(s) {
			return false
		}
		return bytes.Contains(c.lower(t), s)
	case opGlob:
		if !p.cased {
			t = c.lower(t)
		}
		return globMatch(p.glob, t)
	}
	return false
}

// match applies the pattern to one event value. Null never matches a pattern.
func (p *pattern) match(c *ctx, v event.Value) bool {
	if v.IsNull() {
		return false
	}
	if p.isRef {
		t := c.text(v)
		t = append([]byte(nil), t...) // text scratch is reused for the other field
		for _, rv := range c.ev.Values(p.ref) {
			if rv.IsNull() {
				continue
			}
			other := c.text(rv)
			if !p.cased {
				other = bytes.ToLower(other)
			}
			if p.matchString(c, t, other) {
				return true
			}
		}
		return false
	}
	return p.matchText(c, c.text(v))
}

// globMatch matches text against tokens: '*' any run, '?' one byte, literals exactly. It is
// the two-pointer wildcard algorithm (backtrack only to the last star), so it runs in
// O(len(text)·len(pattern)) whatever the pattern.
func globMatch(toks []globTok, t []byte) bool {
	ti, pi := 0, 0 // position in text; token index
	off := 0       // offset inside the current literal token
	starP, starT := -1, 0
	for ti < len(t) {
		if pi < len(toks) {
			tok := &toks[pi]
			switch {
			case tok.star:
				starP, starT = pi, ti
				pi++
				continue
			case tok.one:
				ti++
				pi++
				continue
			case t[ti] == tok.lit[off]:
				ti++
				off++
				if off == len(tok.lit) {
					pi, off = pi+1, 0
				}
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starT++
		ti, pi, off = starT, starP+1, 0
	}
	if off != 0 {
		return false
	}
	for pi < len(toks) && toks[pi].star {
		pi++
	}
	return pi == len(toks)
}

// parseWildcards splits a Sigma value into literal runs and wildcards: '*' and '?' are
// wildcards, a backslash escapes '*', '?' and itself, other backslashes are literal.
func parseWildcards(s string) []globTok {
	var (
		toks []globTok
		lit  []byte
	)
	flush := func() {
		if len(lit) > 0 {
			toks = append(toks, globTok{lit: lit})
			lit = nil
		}
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\'):
			lit = append(lit, s[i+1])
			i++
		case ch == '*':
			flush()
			if len(toks) == 0 || !toks[len(toks)-1].star {
				toks = append(toks, globTok{star: true})
			}
		case ch == '?':
			flush()
			toks = append(toks, globTok{one: true})
		default:
			lit = append(lit, ch)
		}
	}
	flush()
	return toks
}

// stringPattern turns wildcard tokens into the cheapest pattern that matches the same.
func stringPattern(toks []globTok, cased bool) pattern {
	low := func(b []byte) []byte {
		if cased {
			return b
		}
		return bytes.ToLower(b)
	}
	for i := range toks {
		toks[i].lit = low(toks[i].lit)
	}
	p := pattern{cased: cased}
	hasOne := slices.ContainsFunc(toks, func(t globTok) bool { return t.one })
	lits := 0
	for _, t := range toks {
		if !t.star && !t.one {
			lits++
		}
	}
	n := len(toks)
	switch {
	case hasOne || lits > 1:
		p.op, p.glob = opGlob, toks
	case n == 0:
		p.op, p.s = opEq, nil
	case n == 1 && toks[0].star:
		p.op, p.glob = opGlob, toks
	case n == 1:
		p.op, p.s = opEq, toks[0].lit
	case n == 2 && toks[1].star:
		p.op, p.s = opPrefix, toks[0].lit
	case n == 2:
		p.op, p.s = opSuffix, toks[1].lit
	default: // * lit *
		p.op, p.s = opContains, toks[1].lit
	}
	return p
}

// fieldNode matches one `field|modifiers: values` entry.
type fieldNode struct {
	field  string
	path   event.PathID
	all    bool
	pats   []pattern
	null   bool  // null among the values: true when the field is absent or null
	exists *bool // |exists
	refs   bool  // a pattern is a fieldref
	// slot, when > 0, numbers a test on userIdentity within its rule: its result depends
	// on userIdentity's text alone, and most records repeat the previous one's identity.
	slot int32
}

// numberIdentityNodes gives each fieldNode of n that reads only userIdentity (no
// fieldref, which reads another field) a slot after last, returning the last slot given.
func numberIdentityNodes(n node, last int32) int32 {
	switch n := n.(type) {
	case *andNode:
		for _, k := range n.kids {
			last = numberIdentityNodes(k, last)
		}
	case *orNode:
		for _, k := range n.kids {
			last = numberIdentityNodes(k, last)
		}
	case *notNode:
		last = numberIdentityNodes(n.kid, last)
	case *fieldNode:
		if n.slot == 0 && !n.refs && (n.field == "userIdentity" || strings.HasPrefix(n.field, "userIdentity.")) {
			last++
			n.slot = last
		}
	}
	return last
}

func (n *fieldNode) eval(c *ctx) bool {
	if n.slot > 0 && c.memo != nil {
		m := &c.memo[c.base+n.slot]
		if m.epoch != c.epoch {
			m.epoch, m.val = c.epoch, n.test(c)
		}
		return m.val
	}
	return n.test(c)
}

func (n *fieldNode) test(c *ctx) bool {
	vals := c.ev.Values(n.path)
	if n.exists != nil {
		return (len(vals) > 0) == *n.exists
	}
	if n.null && allNull(vals) {
		return true
	}
	if len(vals) == 1 && !n.refs {
		// The usual case, one value: its text is found once for all the patterns (no
		// fieldref pattern reuses the text scratch meanwhile).
		if vals[0].IsNull() {
			return false
		}
		t := c.text(vals[0])
		for i := range n.pats {
			if n.pats[i].matchText(c, t) != n.all {
				return !n.all
			}
		}
		return n.all && len(n.pats) > 0
	}
	if n.all {
		for i := range n.pats {
			if !anyValue(c, &n.pats[i], vals) {
				return false
			}
		}
		return len(n.pats) > 0
	}
	for i := range n.pats {
		if anyValue(c, &n.pats[i], vals) {
			return true
		}
	}
	return false
}

func allNull(vals []event.Value) bool {
	for _, v := range vals {
		if !v.IsNull() {
			return false
		}
	}
	return true
}

func anyValue(c *ctx, p *pattern, vals []event.Value) bool {
	for _, v := range vals {
		if p.match(c, v) {
			return true
		}
	}
	return false
}

func (n *fieldNode) constrains(field string) ([]string, bool) {
	if n.field != field || n.null || n.exists != nil || n.all || len(n.pats) == 0 {
		return nil, false
	}
	var names []string
	for _, p := range n.pats {
		if p.op != opEq || p.isRef || p.cased {
			return nil, false
		}
		names = append(names, strings.ToLower(string(p.s)))
	}
	return names, true
}

// keywordNode matches values anywhere in the record's text.
type keywordNode struct{ pats []pattern }

func (n *keywordNode) eval(c *ctx) bool {
	t := jsonx.Unescape(c.ev.Raw(), c.txt[:0])
	for i := range n.pats {
		if n.pats[i].matchText(c, t) {
			return true
		}
	}
	return false
}

func (n *keywordNode) constrains(string) ([]string, bool) { return nil, false }

type constNode bool

func (n constNode) eval(*ctx) bool                     { return bool(n) }
func (n constNode) constrains(string) ([]string, bool) { return nil, false }

// compileSelection compiles one named search identifier.
func compileSelection(name string, v *yaml.Node) (node, error) {
	switch v.Kind {
	case yaml.MappingNode:
		return compileMap(v)
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			return nil, fmt.Errorf("selection %s is empty", name)
		}
		if v.Content[0].Kind == yaml.MappingNode {
			var kids []node
			for _, m := range v.Content {
				if m.Kind != yaml.MappingNode {
					return nil, fmt.Errorf("selection %s mixes maps and values", name)
				}
				n, err := compileMap(m)
				if err != nil {
					return nil, err
				}
				kids = append(kids, n)
			}
			return &orNode{kids: kids}, nil
		}
		var pats []pattern
		for _, s := range v.Content {
			if s.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("selection %s: keyword list holds a non-scalar", name)
			}
			pats = append(pats, keywordPattern(s.Value))
		}
		return &keywordNode{pats: pats}, nil
	case yaml.ScalarNode:
		return &keywordNode{pats: []pattern{keywordPattern(v.Value)}}, nil
	case yaml.AliasNode:
		return nil, errUnsupported("YAML aliases")
	}
	return nil, fmt.Errorf("selection %s has an unknown shape", name)
}

func keywordPattern(s string) pattern {
	toks := append(append([]globTok{{star: true}}, parseWildcards(s)...), globTok{star: true})
	return stringPattern(mergeStars(toks), false)
}

func mergeStars(toks []globTok) []globTok {
	out := toks[:0:0]
	for _, t := range toks {
		if t.star && len(out) > 0 && out[len(out)-1].star {
			continue
		}
		out = append(out, t)
	}
	return out
}

func compileMap(m *yaml.Node) (node, error) {
	if len(m.Content) == 0 {
		return nil, fmt.Errorf("empty selection map")
	}
	var kids []node
	for i := 0; i+1 < len(m.Content); i += 2 {
		n, err := compileField(m.Content[i].Value, m.Content[i+1])
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return kids[0], nil
	}
	return &andNode{kids: kids}, nil
}

func compileField(key string, v *yaml.Node) (node, error) {
	parts := strings.Split(key, "|")
	field, mods := parts[0], parts[1:]
	if field == "" {
		return nil, errUnsupported("keyword search with modifiers (|%s)", strings.Join(mods, "|"))
	}
	n := &fieldNode{field: field, path: event.Intern(field)}
	var (
		kind                           = ""
		cased, b64, b64off, ref, wrapS bool
		reFlags                        string
	)
	for _, m := range mods {
		switch m {
		case "contains", "startswith", "endswith":
			if kind != "" && kind != m {
				return nil, errUnsupported("modifiers %s and %s together", kind, m)
			}
			kind, wrapS = m, true
		case "all":
			n.all = true
		case "re", "cidr", "exists", "lt", "lte", "gt", "gte":
			kind = m
		case "i", "m", "s":
			reFlags += m
		case "cased":
			cased = true
		case "base64":
			b64 = true
		case "base64offset":
			b64off = true
		case "fieldref":
			ref = true
		default:
			return nil, errUnsupported("modifier |%s", m)
		}
	}
	var values []*yaml.Node
	switch v.Kind {
	case yaml.ScalarNode:
		values = []*yaml.Node{v}
	case yaml.SequenceNode:
		values = v.Content
	default:
		return nil, fmt.Errorf("field %s: value is neither a scalar nor a list", field)
	}
	if len(values) == 0 {
		return constNode(false), nil
	}
	for _, val := range values {
		if val.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("field %s: nested value", field)
		}
		isNull := val.Tag == "!!null"
		switch kind {
		case "exists":
			b, err := strconv.ParseBool(val.Value)
			if err != nil || len(values) != 1 {
				return nil, fmt.Errorf("field %s|exists wants true or false", field)
			}
			n.exists = &b
			continue
		case "re":
			if isNull {
				return nil, fmt.Errorf("field %s|re: null", field)
			}
			p, err := regexPattern(val.Value, reFlags)
			if err != nil {
				return nil, fmt.Errorf("field %s|re: %w", field, err)
			}
			n.pats = append(n.pats, p)
			continue
		case "cidr":
			pfx, err := netip.ParsePrefix(val.Value)
			if err != nil {
				return nil, fmt.Errorf("field %s|cidr: %w", field, err)
			}
			n.pats = append(n.pats, pattern{op: opCIDR, cidr: pfx.Masked()})
			continue
		case "lt", "lte", "gt", "gte":
			f, err := strconv.ParseFloat(val.Value, 64)
			if err != nil {
				return nil, fmt.Errorf("field %s|%s wants a number: %w", field, kind, err)
			}
			o := map[string]op{"lt": opLT, "lte": opLTE, "gt": opGT, "gte": opGTE}[kind]
			n.pats = append(n.pats, pattern{op: o, num: f})
			continue
		}
		if isNull {
			if wrapS || ref || b64 || b64off {
				return nil, fmt.Errorf("field %s: null with a modifier", field)
			}
			n.null = true
			continue
		}
		if reFlags != "" {
			return nil, errUnsupported("modifiers |%s without |re", reFlags)
		}
		if ref {
			o := map[string]op{"": opEq, "startswith": opPrefix, "endswith": opSuffix, "contains": opContains}[kind]
			n.pats = append(n.pats, pattern{op: o, cased: cased, isRef: true, ref: event.Intern(val.Value)})
			continue
		}
		var variants []string
		switch {
		case b64 && b64off:
			return nil, errUnsupported("base64 with base64offset")
		case b64:
			variants = []string{base64.StdEncoding.EncodeToString([]byte(val.Value))}
		case b64off:
			if n.all {
				return nil, errUnsupported("base64offset with all")
			}
			variants = base64Offsets(val.Value)
		}
		if variants != nil {
			for _, s := range variants {
				toks := []globTok{{lit: []byte(s)}}
				n.pats = append(n.pats, stringPattern(wrap(toks, kind), true))
			}
			continue
		}
		n.pats = append(n.pats, stringPattern(wrap(parseWildcards(val.Value), kind), cased))
	}
	n.refs = slices.ContainsFunc(n.pats, func(p pattern) bool { return p.isRef })
	return n, nil
}

func wrap(toks []globTok, kind string) []globTok {
	star := globTok{star: true}
	switch kind {
	case "contains":
		toks = append(append([]globTok{star}, toks...), star)
	case "startswith":
		toks = append(toks, star)
	case "endswith":
		toks = append([]globTok{star}, toks...)
	}
	return mergeStars(toks)
}

// base64Offsets is the Sigma base64offset modifier as pySigma defines it: the encodings of
// s behind 0, 1 and 2 bytes of padding, cut to the characters that do not depend on the
// neighbouring bytes.
func base64Offsets(s string) []string {
	starts := [3]int{0, 2, 3}
	ends := [3]int{0, -3, -2}
	var out []string
	for i := range 3 {
		enc := base64.StdEncoding.EncodeToString(append([]byte(strings.Repeat(" ", i)), s...))
		a, b := starts[i], len(enc)+ends[(len(s)+i)%3]
		if a < b {
			out = append(out, enc[a:b])
		}
	}
	return out
}

func regexPattern(expr, flags string) (pattern, error) {
	prefix := ""
	if flags != "" {
		prefix = "(?" + flags + ")"
	}
	re, err := regexp.Compile(prefix + expr)
	if err != nil {
		return pattern{}, err
	}
	p := pattern{op: opRe, re: re, cased: true}
	// Find a literal every match must contain, so most values are rejected by a substring
	// search instead of the regexp engine.
	if st, err := syntax.Parse(prefix+expr, syntax.Perl); err == nil {
		p.reLit = requiredLiteral(st.Simplify())
	}
	return p, nil
}

func requiredLiteral(re *syntax.Regexp) []byte {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return []byte(string(re.Rune))
	case syntax.OpConcat, syntax.OpCapture:
		var best []byte
		for _, s := range re.Sub {
			if l := requiredLiteral(s); len(l) > len(best) {
				best = l
			}
		}
		return best
	case syntax.OpPlus:
		return requiredLiteral(re.Sub[0])
	}
	return nil
}
