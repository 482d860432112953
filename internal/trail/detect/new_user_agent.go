package detect

import (
	"fmt"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
)

func init() {
	register(&Detector{
		ID:    "ag-detect-new-user-agent",
		Title: "Identity Used With a Tool It Never Used Before",
		Description: "An access key or user that was active during the baseline called AWS with a " +
			"user-agent product (aws-cli, Boto3, a browser …) it had not used then.",
		Severity: finding.Low,
		Phase:    Enumeration,
		Tags:     []string{"attack.initial-access", "attack.t1078.004"},
		Detect:   detectNewAgent,
	})
}

func detectNewAgent(s *State, b Baseline) []Alert {
	var out []Alert
	for _, a := range sortedActors(s) {
		if !activeInBaseline(a.Agents, b) {
			continue
		}
		for _, ua := range sortedKeys(a.Agents) {
			seen := a.Agents[ua]
			if !seen.First.After(b.Until) {
				continue
			}
			sev := finding.Low
			if strings.HasPrefix(a.ID, "AKIA") {
				sev = finding.Medium
			}
			out = append(out, Alert{
				Actor: a, Time: seen.First, Region: seen.FirstRegion, EventIDs: []string{seen.FirstEventID}, Severity: sev,
				Detail: fmt.Sprintf("%s called AWS with %q (%d calls from %s); before %s it used only %s", a.ID, ua, seen.Count, seen.First.Format("2006-01-02 15:04"), b.Until.Format("2006-01-02"), baselineValues(a.Agents, b)),
			})
		}
	}
	return out
}
