package detect

import (
	"fmt"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
)

func init() {
	register(&Detector{
		ID:    "ag-detect-new-source-ip",
		Title: "Identity Used From a Source IP It Never Used Before",
		Description: "An access key or user that was active during the baseline made calls from an IP " +
			"address it had not used then. A leaked key shows up exactly like this.",
		Severity: finding.Medium,
		Phase:    Enumeration,
		Tags:     []string{"attack.initial-access", "attack.t1078.004"},
		Detect:   detectNewIP,
	})
}

func detectNewIP(s *State, b Baseline) []Alert {
	var out []Alert
	for _, a := range sortedActors(s) {
		if !activeInBaseline(a.IPs, b) {
			continue // a new identity has no normal to differ from
		}
		for _, ip := range sortedKeys(a.IPs) {
			seen := a.IPs[ip]
			if !seen.First.After(b.Until) {
				continue
			}
			sev := finding.Medium
			if strings.HasPrefix(a.ID, "AKIA") {
				sev = finding.High // long-term keys are what leaks; they rarely move
			}
			out = append(out, Alert{
				Actor: a, Time: seen.First, Region: seen.FirstRegion, IP: ip, EventIDs: []string{seen.FirstEventID},
				Severity: sev,
				Detail:   fmt.Sprintf("%s used from %s (%d calls, %s to %s); before %s it used only %s", a.ID, ip, seen.Count, seen.First.Format("2006-01-02 15:04"), seen.Last.Format("2006-01-02 15:04"), b.Until.Format("2006-01-02"), baselineValues(a.IPs, b)),
			})
		}
	}
	return out
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
		vals = append(vals[:5], fmt.Sprintf("and %d more", len(vals)-5))
	}
	return strings.Join(vals, ", ")
}
