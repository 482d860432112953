package nab

import (
	"math"

	"github.com/accountguard/accountguard/internal/cost"
)

// Params tune the streaming detector for NAB's series (5-minute metrics, not daily dollars):
// the same robust baseline as the cost detector, with the thresholds a unitless series allows.
type Params struct {
	Baseline   cost.BaselineParams
	MinPercent float64 // relative excess over expected, as the cost detector's --min-percent
	TwoSided   bool    // also flag drops (the cost detector flags rises only)
}

// DefaultParams: a trailing window of 64 points (5⅓ hours at 5 minutes), no seasonality
// (a day is 288 points, more than the window holds), K = 4.
var DefaultParams = Params{
	Baseline:   cost.BaselineParams{Window: 64, MinHistory: 16, Period: -1, K: 4, RelMinScale: 0.02},
	MinPercent: 10,
}

// Stream returns an anomaly score per point, each computed from the points before it only:
// 1 where a run of anomalous points starts (the cost detector reports a run of anomalous days
// as one anomaly, so it alerts once per run), else 0.
func Stream(values []float64, p Params) []float64 {
	out := make([]float64, len(values))
	inRun := false
	for i := range values {
		e := cost.Expect(values[:i], p.Baseline)
		anomalous := false
		if e.OK {
			x := values[i]
			up := x > e.Upper && (e.Expected == 0 || 100*(x-e.Expected)/math.Abs(e.Expected) >= p.MinPercent)
			down := p.TwoSided && x < e.Expected-(e.Upper-e.Expected) && (e.Expected == 0 || 100*(e.Expected-x)/math.Abs(e.Expected) >= p.MinPercent)
			anomalous = up || down
		}
		if anomalous && !inRun {
			out[i] = 1
		}
		inRun = anomalous
	}
	return out
}
