package detect

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/accountguard/accountguard/internal/finding"
)

// Confidence says how sure a detector is that a match is a real secret.
type Confidence string

const (
	High   Confidence = "high"
	Medium Confidence = "medium"
	Low    Confidence = "low"
)

// Match is one secret found in a byte slice.
type Match struct {
	Rule       string     // detector ID
	Start, End int        // byte offsets of the secret in the scanned data
	Secret     Secret     // the value (redacts itself)
	Example    bool       // a documented example value (AWS docs), reported but not a leak
	Confidence Confidence // how sure the detector is
	KeyID      string     // AWS: the access key ID this match is, or is paired with
	Account    string     // AWS: the account ID decoded from KeyID
	Note       string     // one line for a person, never containing the secret
}

// Detector is one kind of secret: data (ID, keywords, samples) plus a function.
type Detector struct {
	ID       string
	Title    finding.Text
	Severity finding.Severity
	// Keywords gate the detector: Find runs only on windows around an occurrence of one of
	// them (ASCII case-insensitive) or of one of ExactKeywords (case-sensitive: "AKIA" is
	// always upper-case, and "asia" in "Asia/Seoul" must not wake the detector). Every
	// true positive must contain one.
	Keywords      []string
	ExactKeywords []string
	// Window is how many bytes on each side of a keyword hit Find sees (default 256).
	Window int
	// Find returns the matches in window, with offsets relative to it.
	Find func(window []byte) []Match
	// TruePositives must each yield at least one non-example match of this detector;
	// FalsePositives must yield none. Checked by the tests of this package.
	TruePositives  []string
	FalsePositives []string
}

var (
	regMu    sync.Mutex
	registry []*Detector
)

// Register adds d to the registry; it panics on a duplicate or incomplete detector, which
// is a programming error found by any test run.
func Register(d *Detector) {
	regMu.Lock()
	defer regMu.Unlock()
	if d.ID == "" || d.Find == nil || len(d.Keywords)+len(d.ExactKeywords) == 0 || d.Title.En == "" {
		panic(fmt.Sprintf("detect: incomplete detector %q", d.ID))
	}
	for _, o := range registry {
		if o.ID == d.ID {
			panic("detect: duplicate detector " + d.ID)
		}
	}
	if d.Window == 0 {
		d.Window = 256
	}
	registry = append(registry, d)
}

// All returns the registered detectors ordered by ID.
func All() []*Detector {
	regMu.Lock()
	defer regMu.Unlock()
	out := slices.Clone(registry)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup returns the detector with id, or nil.
func Lookup(id string) *Detector {
	for _, d := range All() {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// Engine runs a set of detectors over byte slices; safe for concurrent use.
type Engine struct {
	dets  []*Detector
	ac    *acDFA
	kwDet [][]int // keyword index -> detector indexes
}

// NewEngine compiles the keyword prefilter for dets (All() when nil).
func NewEngine(dets []*Detector) *Engine {
	if dets == nil {
		dets = All()
	}
	e := &Engine{dets: dets}
	idx := map[string]int{}
	var (
		kws   []string
		exact []bool
	)
	add := func(di int, kw string, ex bool) {
		if !ex {
			kw = strings.ToLower(kw)
		}
		key := fmt.Sprint(ex, kw)
		i, ok := idx[key]
		if !ok {
			i = len(kws)
			idx[key] = i
			kws = append(kws, kw)
			exact = append(exact, ex)
			e.kwDet = append(e.kwDet, nil)
		}
		if !slices.Contains(e.kwDet[i], di) {
			e.kwDet[i] = append(e.kwDet[i], di)
		}
	}
	for di, d := range dets {
		for _, kw := range d.Keywords {
			add(di, kw, false)
		}
		for _, kw := range d.ExactKeywords {
			add(di, kw, true)
		}
	}
	e.ac = newACDFA(kws, exact)
	return e
}

// Detectors returns the detectors the engine runs.
func (e *Engine) Detectors() []*Detector { return e.dets }

// maxExtend bounds how far a window edge moves outward to avoid cutting a token in two.
const maxExtend = 1024

func isTokenByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
		b == '+' || b == '/' || b == '=' || b == '_' || b == '-' || b == '\\'
}

// Scan returns every match in data, ordered by offset. Regular expressions run only on
// windows around keyword hits.
func (e *Engine) Scan(data []byte) []Match {
	hits := e.ac.scan(data, nil)
	if len(hits) == 0 {
		return nil
	}
	type span struct{ lo, hi int }
	windows := make([][]span, len(e.dets))
	for _, h := range hits {
		start := h.end - e.ac.lens[h.kw]
		for _, di := range e.kwDet[h.kw] {
			w := e.dets[di].Window
			lo, hi := max(0, start-w), min(len(data), h.end+w)
			ws := windows[di]
			if n := len(ws); n > 0 && lo <= ws[n-1].hi {
				ws[n-1].lo = min(ws[n-1].lo, lo)
				ws[n-1].hi = max(ws[n-1].hi, hi)
			} else {
				ws = append(ws, span{lo, hi})
			}
			windows[di] = ws
		}
	}
	var out []Match
	for di, ws := range windows {
		d := e.dets[di]
		for _, s := range ws {
			lo, hi := s.lo, s.hi
			for n := 0; lo > 0 && n < maxExtend && isTokenByte(data[lo-1]); n++ {
				lo--
			}
			for n := 0; hi < len(data) && n < maxExtend && isTokenByte(data[hi]); n++ {
				hi++
			}
			for _, m := range d.Find(data[lo:hi]) {
				m.Rule = d.ID
				m.Start += lo
				m.End += lo
				out = append(out, m)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Start != out[j].Start {
			return out[i].Start < out[j].Start
		}
		return out[i].Rule < out[j].Rule
	})
	// Windows of one detector may overlap after extension: keep each (rule, span) once.
	out = slices.CompactFunc(out, func(a, b Match) bool {
		return a.Rule == b.Rule && a.Start == b.Start && a.End == b.End
	})
	return out
}

// HasKeyword reports whether data contains any detector's keyword: a byte slice without
// one cannot hold a finding. It is the prefilter history scans use on new bytes.
func (e *Engine) HasKeyword(data []byte) bool { return e.ac.any(data) }

// EndsInKeyword reports whether data ends with the first minLen or more characters of a
// keyword, which the bytes after data might complete.
func (e *Engine) EndsInKeyword(data []byte, minLen int) bool {
	tail := data[max(0, len(data)-64):]
	return e.ac.tailDepth(tail) >= minLen
}
