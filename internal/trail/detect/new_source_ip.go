package detect

import (
	"fmt"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
)

func init() {
	register(&Detector{
		ID:      "ag-detect-new-source-ip",
		Title:   "Identity Used From a Source IP It Never Used Before",
		TitleKo: "처음 보는 출발지 IP에서 자격 증명 사용",
		Description: "An access key or user that was active during the baseline made calls from IP " +
			"addresses it had not used then. A leaked key shows up exactly like this.",
		Severity: finding.Medium,
		Phase:    Enumeration,
		Tags:     []string{"attack.initial-access", "attack.t1078.004"},
		Detect:   detectNewIP,
	})
}

func detectNewIP(s *State, b Baseline) []Alert {
	var out []Alert
	for _, a := range sortedActors(s) {
		al, ok := newValues(a, a.IPs, &a.IPsNotKept, b)
		if !ok {
			continue
		}
		if strings.HasPrefix(a.ID, "AKIA") {
			al.Severity = finding.High // long-term keys are what leaks; they rarely move
		}
		al.Detail = fmt.Sprintf("%s used from %s (%d calls); before %s it used only %s", a.ID, al.Detail, al.count, b.Until.Format("2006-01-02 15:04"), baselineValues(a.IPs, b))
		out = append(out, al.Alert)
	}
	return out
}

type newAlert struct {
	Alert
	count int
}

// newValues gathers the values of m first seen after the baseline, for an actor that was
// active in it (a new identity has no normal to differ from). Detail holds the values.
// Values a full map did not keep (over) were all first seen after every kept one: when
// that is after the baseline they are new too and counted; when it is not, the baseline
// alone had more values than kept and which later ones are new is not known.
func newValues(a *Actor, m map[string]*Seen, over *Overflow, b Baseline) (newAlert, bool) {
	if !activeInBaseline(m, b) {
		return newAlert{}, false
	}
	var (
		al   newAlert
		vals []string
	)
	for _, v := range sortedKeys(m) {
		seen := m[v]
		if !seen.First.After(b.Until) {
			continue
		}
		if len(vals) == 0 || seen.First.Before(al.Time) {
			al.Time, al.Region = seen.First, seen.FirstRegion
			al.IP = v
		}
		vals = append(vals, v)
		al.EventIDs = append(al.EventIDs, seen.FirstEventID)
		al.count += seen.Count
	}
	newOver := over.Count > 0 && over.First.After(b.Until)
	if newOver && (len(vals) == 0 || over.First.Before(al.Time)) {
		al.Time, al.Region, al.IP = over.First, over.FirstRegion, over.FirstValue
	}
	if len(vals) == 0 && !newOver {
		return newAlert{}, false
	}
	al.Actor = a
	if len(vals) > 5 {
		vals = append(vals[:5], fmt.Sprintf("%d more", len(vals)-5))
	}
	if newOver {
		vals = append(vals, fmt.Sprintf("about %d more values not kept", over.Distinct()))
		al.EventIDs = append(al.EventIDs, over.FirstEventID)
		al.count += over.Count
	}
	al.Detail = strings.Join(vals, ", ")
	return al, true
}

func activeInBaseline(m map[string]*Seen, b Baseline) bool {
	for _, s := range m {
		if !s.First.After(b.Until) {
			return true
		}
	}
	return false
}

func baselineValues(m map[string]*Seen, b Baseline) string {
	var vals []string
	for _, k := range sortedKeys(m) {
		if !m[k].First.After(b.Until) {
			vals = append(vals, k)
		}
	}
	if len(vals) > 5 {
		vals = append(vals[:5], fmt.Sprintf("%d more", len(vals)-5))
	}
	return strings.Join(vals, ", ")
}
