package cost

import (
	"math"

	"github.com/accountguard/accountguard/internal/finding"
)

// The first-spend detector: money spent in a service, a region, or a service in a region
// that never cost anything in the history, above a small floor. This is the typical attack
// (GPU instances in a region the account never used) on its first day, when AWS Cost Anomaly
// Detection still lacks the ten days of history it needs and omits the percentage because
// the expected spend is zero.
func init() {
	registerDetector(Detector{
		ID:     "cost.first-spend",
		Title:  finding.Text{En: "Spend in a service or region never used before", Ko: "이전에 사용한 적 없는 서비스나 리전의 비용"},
		Levels: []Level{LevelService, LevelRegion, LevelServiceRegion},
		Judge:  judgeFirstSpend,
		Samples: []Sample{
			{Name: "new region at $300", Level: LevelRegion, Start: "2026-09-01", Values: append(make([]float64, 30), 300), Flag: true},
			{Name: "new service at $12 (above the $10 floor)", Level: LevelService, Start: "2026-09-01", Values: append(make([]float64, 30), 12), Flag: true},
			{Name: "new service at $3 (below the floor)", Level: LevelService, Start: "2026-09-01", Values: append(make([]float64, 30), 3), Flag: false},
			{Name: "service used before", Level: LevelService, Start: "2026-09-01", Values: append(weekly(30, 5, 0.2), 300), Flag: false},
			{Name: "used once, weeks ago", Level: LevelServiceRegion, Start: "2026-09-01", Values: append(append(make([]float64, 5), 2, 0), append(make([]float64, 20), 300)...), Flag: false},
			{Name: "too little history to call anything new", Level: LevelRegion, Start: "2026-09-01", Values: []float64{0, 0, 0, 300}, Flag: false},
		},
	})
}

// seenCents is the smallest daily cost that counts as "used": free-tier lines bill fractions
// of a cent, which do not make a region familiar.
const seenCents = 0.01

func judgeFirstSpend(in Input) (Signal, bool) {
	actual := in.Values[in.Day]
	if math.IsNaN(actual) || actual < in.Opts.FirstSpendFloor || IgnoredLine(in.Key) {
		return Signal{}, false
	}
	if in.Level == LevelRegion && isGlobalRegion(in.Key.Region) {
		return Signal{}, false
	}
	known := 0
	for _, v := range in.Values[:in.Day] {
		if math.IsNaN(v) {
			continue
		}
		if v >= seenCents {
			return Signal{}, false
		}
		known++
	}
	if known < in.Opts.Baseline.withDefaults().MinHistory {
		return Signal{}, false // a week of silence is needed before anything is "new"
	}
	return Signal{Detector: "cost.first-spend", Level: in.Level, Key: in.Key, Day: in.Day, Actual: actual, FirstSpend: true}, true
}

func isGlobalRegion(r string) bool { return r == "" || r == "global" || r == "NoRegion" }
