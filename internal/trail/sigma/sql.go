package sigma

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/accountguard/accountguard/internal/trail/event"
)

// SQL renders the rule's condition as a SQL boolean expression (DuckDB dialect, close to
// Trino's), so the same detection can run in a SQL engine over a CloudTrail table: the
// benchmark checks that such a query finds what the engine finds. field maps a dotted
// CloudTrail path to a SQL expression of its text (NULL when absent or JSON null); record
// is an expression of the whole record's JSON text, for keyword searches.
//
// Paths are treated as single values (a path through an array takes its first element),
// and cidr has no SQL form here: such a rule is reported as an error.
func (r *Rule) SQL(field func(path string) string, record string) (string, error) {
	return sqlNode(r.cond, field, record)
}

func sqlNode(n node, field func(string) string, record string) (string, error) {
	join := func(kids []node, op string) (string, error) {
		parts := make([]string, 0, len(kids))
		for _, k := range kids {
			s, err := sqlNode(k, field, record)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return "(" + strings.Join(parts, " "+op+" ") + ")", nil
	}
	switch n := n.(type) {
	case *andNode:
		return join(n.kids, "AND")
	case *orNode:
		return join(n.kids, "OR")
	case *notNode:
		s, err := sqlNode(n.kid, field, record)
		return "(NOT coalesce(" + s + ", false))", err
	case constNode:
		return strings.ToUpper(strconv.FormatBool(bool(n))), nil
	case *keywordNode:
		var parts []string
		for _, p := range n.pats {
			s, err := sqlPattern(&p, "lower("+record+")", field)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return "(" + strings.Join(parts, " OR ") + ")", nil
	case *fieldNode:
		x := field(n.field)
		if n.exists != nil {
			if *n.exists {
				return "(" + x + " IS NOT NULL)", nil
			}
			return "(" + x + " IS NULL)", nil
		}
		var parts []string
		for _, p := range n.pats {
			subject := "lower(" + x + ")"
			if p.cased || p.op == opRe || p.op >= opLT {
				subject = x
			}
			s, err := sqlPattern(&p, subject, field)
			if err != nil {
				return "", err
			}
			parts = append(parts, "coalesce("+s+", false)")
		}
		op := " OR "
		if n.all {
			op = " AND "
		}
		expr := strings.Join(parts, op)
		if n.null {
			if expr == "" {
				return "(" + x + " IS NULL)", nil
			}
			expr = "(" + x + " IS NULL) OR " + expr
		}
		if expr == "" {
			return "FALSE", nil
		}
		return "(" + expr + ")", nil
	}
	return "", fmt.Errorf("sql: unknown node %T", n)
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func sqlPattern(p *pattern, x string, field func(string) string) (string, error) {
	lit := sqlString(string(p.s))
	if p.isRef {
		other := field(event.PathID(p.ref).Name())
		if !p.cased {
			other = "lower(" + other + ")"
		}
		lit = other
	}
	switch p.op {
	case opEq:
		return x + " = " + lit, nil
	case opPrefix:
		return "starts_with(" + x + ", " + lit + ")", nil
	case opSuffix:
		return "ends_with(" + x + ", " + lit + ")", nil
	case opContains:
		return "contains(" + x + ", " + lit + ")", nil
	case opGlob:
		var b strings.Builder
		for _, t := range p.glob {
			switch {
			case t.star:
				b.WriteByte('%')
			case t.one:
				b.WriteByte('_')
			default:
				r := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)
				b.WriteString(r.Replace(string(t.lit)))
			}
		}
		return x + " LIKE " + sqlString(b.String()) + ` ESCAPE '\'`, nil
	case opRe:
		return "regexp_matches(" + x + ", " + sqlString(p.re.String()) + ")", nil
	case opLT, opLTE, opGT, opGTE:
		ops := map[op]string{opLT: "<", opLTE: "<=", opGT: ">", opGTE: ">="}
		return "TRY_CAST(" + x + " AS DOUBLE) " + ops[p.op] + " " + strconv.FormatFloat(p.num, 'g', -1, 64), nil
	}
	return "", fmt.Errorf("sql: modifier without a SQL form")
}

// Fields lists the dotted paths the rule reads, for building a projection once.
func (r *Rule) Fields() []string {
	var out []string
	seen := map[string]bool{}
	var walk func(n node)
	walk = func(n node) {
		switch n := n.(type) {
		case *andNode:
			for _, k := range n.kids {
				walk(k)
			}
		case *orNode:
			for _, k := range n.kids {
				walk(k)
			}
		case *notNode:
			walk(n.kid)
		case *fieldNode:
			for _, f := range append([]string{n.field}, refs(n)...) {
				if !seen[f] {
					seen[f] = true
					out = append(out, f)
				}
			}
		}
	}
	walk(r.cond)
	return out
}

func refs(n *fieldNode) []string {
	var out []string
	for _, p := range n.pats {
		if p.isRef {
			out = append(out, p.ref.Name())
		}
	}
	return out
}
