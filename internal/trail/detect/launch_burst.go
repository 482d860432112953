package detect

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
)

// burstWindow and burstRegions: instance launches by one identity in this many regions
// within this long, at least one of them new, is a burst.
const (
	burstWindow  = time.Hour
	burstRegions = 3
)

func init() {
	register(&Detector{
		ID:      "ag-detect-launch-burst",
		Title:   "Burst of Instance Launches Across Regions",
		TitleKo: "여러 리전에 걸친 인스턴스 대량 시작",
		Description: "One identity launched instances, spot requests, fleets or Auto Scaling groups in " +
			"three or more regions within an hour, at least one outside the baseline's regions: the shape of cryptomining.",
		Severity: finding.Critical,
		Phase:    Impact,
		Tags:     []string{"attack.impact", "attack.t1496"},
		Detect:   detectLaunchBurst,
	})
}

func detectLaunchBurst(s *State, b Baseline) []Alert {
	var out []Alert
	for _, a := range sortedActors(s) {
		calls := sortedCalls(a.Launches.Calls)
		for i := range calls {
			var regions, ids []string
			n := 0
			j := i
			for ; j < len(calls) && calls[j].Time.Sub(calls[i].Time) <= burstWindow; j++ {
				if !slices.Contains(regions, calls[j].Region) {
					regions = append(regions, calls[j].Region)
				}
				ids = append(ids, calls[j].ID)
				n += calls[j].Count
			}
			if len(regions) < burstRegions || !anyNew(s, regions, b) {
				continue
			}
			slices.Sort(regions)
			out = append(out, Alert{
				Actor: a, Time: calls[i].Time, Region: calls[i].Region, IP: calls[i].IP, EventIDs: ids,
				Detail: fmt.Sprintf("%d launch calls in %d regions (%s) within %s of %s%s", n, len(regions), strings.Join(regions, ", "), calls[j-1].Time.Sub(calls[i].Time).Round(time.Second), calls[i].Time.Format("2006-01-02 15:04"), a.Launches.note()),
			})
			break // one alert per identity: the first burst
		}
	}
	return out
}

func anyNew(s *State, regions []string, b Baseline) bool {
	for _, r := range regions {
		if seen := s.Regions[r]; seen == nil || seen.First.After(b.Until) {
			return true
		}
	}
	return false
}
