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
	// Quiet is how many normal points end an episode: an anomalous point alerts only when at
	// least this many normal points came before it. The cost detector reports a run of
	// anomalous days as one anomaly and judges whole days; on 5-minute metrics a day (288
	// points) is the same grain. 0 or 1 alerts on every new run.
	Quiet int
}

// DefaultParams: a trailing window of 64 points (5⅓ hours at 5 minutes), no seasonality
// (a day is 288 points, more than the window holds), K = 4, episodes ended by a quiet day.
var DefaultParams = Params{
	Baseline:   cost.BaselineParams{Window: 64, MinHistory: 16, Period: -1, K: 4, RelMinScale: 0.02},
	MinPercent: 10,
	Quiet:      288,
}

// Stream returns an anomaly score per point, each computed from the points before it only:
// 1 where an episode of anomalous points starts (the cost detector reports an episode as one
// anomaly, so it alerts once per episode), else 0. An episode ends after p.Quiet normal points.
func Stream(values []float64, p Params) []float64 {
	out := make([]float64, len(values))
	quiet := max(p.Quiet, 1)
	sinceAnomaly := quiet // the series starts quiet
	for i := range values {
		e := cost.Expect(values[:i], p.Baseline)
		anomalous := false
		if e.OK {
			x := values[i]
			up := x > e.Upper && (e.Expected == 0 || 100*(x-e.Expected)/math.Abs(e.Expected) >= p.MinPercent)
			down := p.TwoSided && x < e.Expected-(e.Upper-e.Expected) && (e.Expected == 0 || 100*(e.Expected-x)/math.Abs(e.Expected) >= p.MinPercent)
			anomalous = up || down
		}
		if anomalous && sinceAnomaly >= quiet {
			out[i] = 1
		}
		if anomalous {
			sinceAnomaly = 0
		} else {
			sinceAnomaly++
		}
	}
	return out
}
