package detect

import (
	"fmt"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
)

func init() {
	register(&Detector{
		ID:      "ag-detect-new-user-agent",
		Title:   "Identity Used With a Tool It Never Used Before",
		TitleKo: "처음 보는 도구(사용자 에이전트)로 자격 증명 사용",
		Description: "An access key or user that was active during the baseline called AWS with " +
			"user-agent products (aws-cli, Boto3, a browser …) it had not used then.",
		Severity: finding.Low,
		Phase:    Enumeration,
		Tags:     []string{"attack.initial-access", "attack.t1078.004"},
		Detect:   detectNewAgent,
	})
}

func detectNewAgent(s *State, b Baseline) []Alert {
	var out []Alert
	for _, a := range sortedActors(s) {
		al, ok := newValues(a, a.Agents, &a.AgentsNotKept, b)
		if !ok {
			continue
		}
		al.IP = ""
		if strings.HasPrefix(a.ID, "AKIA") {
			al.Severity = finding.Medium
		}
		al.Detail = fmt.Sprintf("%s called AWS with %s (%d calls); before %s it used only %s", a.ID, al.Detail, al.count, b.Until.Format("2006-01-02 15:04"), baselineValues(a.Agents, b))
		out = append(out, al.Alert)
	}
	return out
}
