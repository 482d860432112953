package detect

import (
	"fmt"
	"strings"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
)

// A storm: at least stormCalls denied calls of at least stormNames different APIs by one
// identity within stormWindow. A job retrying one forbidden call is not a storm.
const (
	stormWindow = 10 * time.Minute
	stormCalls  = 10
	stormNames  = 3
)

func init() {
	register(&Detector{
		ID:      "ag-detect-access-denied-storm",
		Title:   "Storm of Access-Denied Errors",
		TitleKo: "접근 거부 오류 폭주",
		Description: "One identity was refused many different API calls within minutes: someone probing " +
			"what a stolen credential may do.",
		Severity: finding.Medium,
		Phase:    Enumeration,
		Tags:     []string{"attack.discovery", "attack.t1580"},
		Detect:   detectDeniedStorm,
	})
}

func detectDeniedStorm(s *State, _ Baseline) []Alert {
	var out []Alert
	for _, a := range sortedActors(s) {
		denied := sortedCalls(a.Denied.Calls)
		total := 0
		for _, c := range denied {
			total += c.Count
		}
		if total < stormCalls {
			continue
		}
		for i := range denied {
			names := map[string]bool{}
			var ids []string
			calls := 0
			j := i
			for ; j < len(denied) && denied[j].Time.Sub(denied[i].Time) <= stormWindow; j++ {
				names[denied[j].Name] = true
				ids = append(ids, denied[j].ID)
				calls += denied[j].Count
			}
			if calls < stormCalls || len(names) < stormNames {
				continue
			}
			out = append(out, Alert{
				Actor: a, Time: denied[i].Time, Region: denied[i].Region, IP: denied[i].IP, EventIDs: ids,
				Detail: fmt.Sprintf("%d denied calls of %d APIs (%s) within %s%s", calls, len(names), strings.Join(sortedKeys(names), ", "), stormWindow, a.Denied.note()),
			})
			break
		}
	}
	return out
}
