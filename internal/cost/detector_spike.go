package cost

import (
	"math"

	"github.com/accountguard/accountguard/internal/finding"
)

// The spike detector: a line costs more than its robust baseline allows, by at least
// --min-impact dollars and --min-percent percent. Both thresholds must hold, since a %-only
// rule fires on pennies and a $-only rule fires on every large line's normal noise.
func init() {
	registerDetector(Detector{
		ID:     "cost.spike",
		Title:  finding.Text{En: "Cost spike above the usual daily spend", Ko: "평소 일일 비용을 넘는 급증"},
		Levels: []Level{LevelTotal, LevelServiceRegion, LevelUsage},
		Judge:  judgeSpike,
		Samples: []Sample{
			{Name: "tenfold day after four weekly weeks", Level: LevelServiceRegion, Start: "2026-09-01",
				Values: append(weekly(28, 40, 0.3), 400), Flag: true},
			{Name: "new usage type worth $120 (expected zero)", Level: LevelUsage, Start: "2026-09-01",
				Values: append(make([]float64, 20), 120), Flag: true},
			{Name: "weekday peak of a weekly pattern", Level: LevelServiceRegion, Start: "2026-09-01",
				Values: weekly(36, 40, 0.3), Flag: false},
			{Name: "steady growth of 2% a day for 90 days", Level: LevelTotal, Start: "2026-08-01",
				Values: growth(91, 40, 0.02), Flag: false},
			{Name: "tenfold on a small line is below --min-impact", Level: LevelUsage, Start: "2026-09-01",
				Values: append(weekly(28, 2, 0.1), 20), Flag: false},
			{Name: "recurring month-start charge", Level: LevelServiceRegion, Start: "2026-09-01",
				Values: monthStart("2026-09-01", 62, 12, 90), Flag: false},
			{Name: "month-start charge five times last month's", Level: LevelServiceRegion, Start: "2026-09-01",
				Values: withLast(monthStart("2026-09-01", 62, 12, 90), 450), Flag: true},
			{Name: "unknown day is not judged", Level: LevelTotal, Start: "2026-09-01",
				Values: append(weekly(28, 40, 0.3), math.NaN()), Flag: false},
		},
	})
}

func judgeSpike(in Input) (Signal, bool) {
	actual := in.Values[in.Day]
	if math.IsNaN(actual) || actual < in.Opts.MinImpact || IgnoredLine(in.Key) {
		return Signal{}, false // the excess can never reach --min-impact
	}
	e := expectAt(in)
	if !e.OK {
		return Signal{}, false
	}
	excess := actual - e.Expected
	if actual <= e.Upper || excess < in.Opts.MinImpact {
		return Signal{}, false
	}
	if e.Expected > 0 && 100*excess/e.Expected < in.Opts.MinPercent {
		return Signal{}, false
	}
	return Signal{Detector: "cost.spike", Level: in.Level, Key: in.Key, Day: in.Day, Actual: actual, Expected: e.Expected}, true
}
