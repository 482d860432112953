package detect

import (
	"fmt"

	"github.com/accountguard/accountguard/internal/finding"
)

func init() {
	register(&Detector{
		ID:      "ag-detect-first-region-activity",
		Title:   "First Activity in a Region the Account Never Used",
		TitleKo: "계정이 쓴 적 없는 리전에서 처음 활동",
		Description: "A regional service was used successfully in a region with no activity during the " +
			"baseline. Attackers launch in regions nobody watches.",
		Severity: finding.High,
		Phase:    Impact,
		Tags:     []string{"attack.defense-evasion", "attack.t1535"},
		Detect:   detectFirstRegion,
	})
}

func detectFirstRegion(s *State, b Baseline) []Alert {
	used := 0
	for _, r := range s.Regions {
		if !r.First.After(b.Until) {
			used++
		}
	}
	if used == 0 {
		return nil // no regional activity to learn from
	}
	var out []Alert
	for _, region := range sortedKeys(s.Regions) {
		r := s.Regions[region]
		if !r.First.After(b.Until) {
			continue
		}
		out = append(out, Alert{
			Actor: s.Actors[r.FirstBy], Time: r.First, Region: region, EventIDs: []string{r.FirstEventID},
			Detail: fmt.Sprintf("first call in %s at %s by %s (%d calls since); the baseline used %d other region(s)", region, r.First.Format("2006-01-02 15:04"), r.FirstBy, r.Count, used),
		})
	}
	return out
}
