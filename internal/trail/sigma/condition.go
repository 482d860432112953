package sigma

import (
	"fmt"
	"path"
	"strings"
)

// parseCondition parses a Sigma condition: identifiers, `and`, `or`, `not`, parentheses,
// and `1 of` / `all of` a wildcard pattern or `them`. Precedence: not > and > or.
func parseCondition(s string, sels map[string]node, order []string) (node, error) {
	if strings.Contains(s, "|") {
		return nil, errUnsupported("aggregation in condition (%q)", strings.TrimSpace(s[strings.Index(s, "|"):]))
	}
	p := &condParser{toks: tokenize(s), sels: sels, order: order, src: s}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("condition %q: unexpected %q", s, p.toks[p.i])
	}
	return n, nil
}

func tokenize(s string) []string {
	var toks []string
	cur := strings.Builder{}
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch r {
		case '(', ')':
			flush()
			toks = append(toks, string(r))
		case ' ', '\t', '\n', '\r':
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

type condParser struct {
	toks  []string
	i     int
	sels  map[string]node
	order []string
	src   string
}

func (p *condParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *condParser) or() (node, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	kids := []node{l}
	for strings.EqualFold(p.peek(), "or") {
		p.i++
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		kids = append(kids, r)
	}
	if len(kids) == 1 {
		return l, nil
	}
	return &orNode{kids: kids}, nil
}

func (p *condParser) and() (node, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	kids := []node{l}
	for strings.EqualFold(p.peek(), "and") {
		p.i++
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		kids = append(kids, r)
	}
	if len(kids) == 1 {
		return l, nil
	}
	return &andNode{kids: kids}, nil
}

func (p *condParser) not() (node, error) {
	if strings.EqualFold(p.peek(), "not") {
		p.i++
		k, err := p.not()
		if err != nil {
			return nil, err
		}
		return &notNode{kid: k}, nil
	}
	return p.primary()
}

func (p *condParser) primary() (node, error) {
	t := p.peek()
	switch {
	case t == "":
		return nil, fmt.Errorf("condition %q ends early", p.src)
	case t == "(":
		p.i++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, fmt.Errorf("condition %q: missing )", p.src)
		}
		p.i++
		return n, nil
	case t == ")":
		return nil, fmt.Errorf("condition %q: unexpected )", p.src)
	case (t == "1" || strings.EqualFold(t, "all") || strings.EqualFold(t, "any")) && p.i+1 < len(p.toks) && strings.EqualFold(p.toks[p.i+1], "of"):
		if p.i+2 >= len(p.toks) {
			return nil, fmt.Errorf("condition %q: `%s of` without a target", p.src, t)
		}
		target := p.toks[p.i+2]
		p.i += 3
		var kids []node
		for _, name := range p.order {
			if target == "them" {
				if strings.HasPrefix(name, "_") {
					continue
				}
			} else if ok, _ := path.Match(target, name); !ok {
				continue
			}
			kids = append(kids, p.sels[name])
		}
		if len(kids) == 0 {
			return nil, fmt.Errorf("condition %q: %q names no selection", p.src, target)
		}
		if t == "1" || strings.EqualFold(t, "any") {
			return &orNode{kids: kids}, nil
		}
		return &andNode{kids: kids}, nil
	case strings.EqualFold(t, "and") || strings.EqualFold(t, "or") || strings.EqualFold(t, "of"):
		return nil, fmt.Errorf("condition %q: unexpected %q", p.src, t)
	}
	if _, err := fmt.Sscanf(t, "%d", new(int)); err == nil && p.i+1 < len(p.toks) && strings.EqualFold(p.toks[p.i+1], "of") {
		return nil, errUnsupported("`%s of` (only 1 of and all of)", t)
	}
	n, ok := p.sels[t]
	if !ok {
		return nil, fmt.Errorf("condition %q names unknown selection %q", p.src, t)
	}
	p.i++
	return n, nil
}
