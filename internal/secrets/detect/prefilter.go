package detect

// acDFA is an Aho-Corasick automaton compiled into a full byte-table DFA over ASCII
// case-folded input: one table load per input byte, no branches on the pattern set.
type acDFA struct {
	next []uint32 // state*256 + byte -> next state, with outFlag set when it ends a keyword
	out  [][]int  // state -> keyword indexes ending here (including via suffix links)
	lens []int    // keyword index -> length
	// kws and exact: the keywords, and which must match with their case
	kws   []string
	exact []bool
	// depth: state -> length of the keyword prefix it stands for
	depth []int
}

func fold(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// newACDFA compiles keywords; exact[i] makes keyword i case-sensitive (it is matched
// folded like the rest, then checked against the input).
func newACDFA(keywords []string, exact []bool) *acDFA {
	type node struct {
		child map[byte]int
		fail  int
		out   []int
	}
	nodes := []node{{child: map[byte]int{}}}
	lens := make([]int, len(keywords))
	for i, kw := range keywords {
		lens[i] = len(kw)
		s := 0
		for j := 0; j < len(kw); j++ {
			c := fold(kw[j])
			nx, ok := nodes[s].child[c]
			if !ok {
				nodes = append(nodes, node{child: map[byte]int{}})
				nx = len(nodes) - 1
				nodes[s].child[c] = nx
			}
			s = nx
		}
		nodes[s].out = append(nodes[s].out, i)
	}
	d := &acDFA{next: make([]uint32, len(nodes)*256), out: make([][]int, len(nodes)), lens: lens, depth: make([]int, len(nodes)), kws: keywords, exact: exact}
	if d.exact == nil {
		d.exact = make([]bool, len(keywords))
	}
	// Breadth-first: a state's failure target is complete before the state itself.
	queue := []int{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s != 0 {
			nodes[s].out = append(nodes[s].out, nodes[nodes[s].fail].out...)
		}
		d.out[s] = nodes[s].out
		for b := 0; b < 256; b++ {
			c := fold(byte(b))
			if nx, ok := nodes[s].child[c]; ok {
				if s != 0 {
					nodes[nx].fail = int(d.next[nodes[s].fail*256+int(c)])
				}
				d.next[s*256+b] = uint32(nx)
				d.depth[nx] = d.depth[s] + 1
				if byte(b) == c { // enqueue each child once (through its folded byte)
					queue = append(queue, nx)
				}
			} else if s != 0 {
				d.next[s*256+b] = d.next[nodes[s].fail*256+b]
			}
		}
	}
	// Flag transitions into states that end a keyword, so the scan loop tests one bit.
	for i, nx := range d.next {
		if len(d.out[nx]) > 0 {
			d.next[i] = nx | outFlag
		}
	}
	return d
}

const outFlag = 1 << 31

// hit is a keyword found at data[end-len(keyword):end].
type hit struct {
	kw  int
	end int
}

// scan appends every keyword occurrence in data to hits.
func (d *acDFA) scan(data []byte, hits []hit) []hit {
	next := d.next
	s := uint32(0)
	for i, b := range data {
		s = next[s<<8|uint32(b)]
		if s&outFlag != 0 {
			s &^= outFlag
			for _, kw := range d.out[s] {
				if d.matches(kw, data, i+1) {
					hits = append(hits, hit{kw: kw, end: i + 1})
				}
			}
		}
	}
	return hits
}

// any reports whether data holds a keyword; it stops at the first.
func (d *acDFA) any(data []byte) bool {
	next := d.next
	s := uint32(0)
	for i, b := range data {
		s = next[s<<8|uint32(b)]
		if s&outFlag != 0 {
			for _, kw := range d.out[s&^outFlag] {
				if d.matches(kw, data, i+1) {
					return true
				}
			}
		}
	}
	return false
}

// matches checks the case of an exact keyword found ending at end.
func (d *acDFA) matches(kw int, data []byte, end int) bool {
	return !d.exact[kw] || string(data[end-d.lens[kw]:end]) == d.kws[kw]
}

// tailDepth is the length of the longest suffix of data that begins a keyword.
func (d *acDFA) tailDepth(data []byte) int {
	s := uint32(0)
	for _, b := range data {
		s = d.next[s<<8|uint32(b)] &^ outFlag
	}
	return d.depth[s]
}
