package cost

import (
	"math"
	"slices"
)

// BaselineParams tune Expect. The zero value is replaced by DefaultBaseline's fields.
type BaselineParams struct {
	Window      int     // trailing points used (default 28: four weeks of days)
	MinHistory  int     // fewer known points than this: no expectation (default 7)
	Period      int     // seasonal period in points; 0 means 7 (a week of days), -1 turns it off
	MinCycles   int     // seasonality is fitted only with this many full periods in the window (default 3)
	K           float64 // the upper bound is Expected + K × Scale (default 3)
	MinScale    float64 // floor on Scale, so a perfectly flat line does not flag a cent (default 0)
	RelMinScale float64 // floor on Scale as a fraction of Expected (default 0.05)
}

// DefaultBaseline is what the cost detectors use on daily series.
var DefaultBaseline = BaselineParams{Window: 28, MinHistory: 7, Period: 7, MinCycles: 3, K: 3, RelMinScale: 0.05}

func (p BaselineParams) withDefaults() BaselineParams {
	d := DefaultBaseline
	if p.Window > 0 {
		d.Window = p.Window
	}
	if p.MinHistory > 0 {
		d.MinHistory = p.MinHistory
	}
	if p.Period != 0 {
		d.Period = p.Period
	}
	if p.MinCycles > 0 {
		d.MinCycles = p.MinCycles
	}
	if p.K > 0 {
		d.K = p.K
	}
	if p.MinScale > 0 {
		d.MinScale = p.MinScale
	}
	if p.RelMinScale > 0 {
		d.RelMinScale = p.RelMinScale
	}
	return d
}

// Expectation is what a line is expected to cost on the next point, from its past only.
type Expectation struct {
	OK       bool    // false: too little history to say
	Expected float64 // trend + seasonal level, never below 0
	Scale    float64 // robust spread of the residuals (1.4826 × MAD)
	Upper    float64 // Expected + K × Scale
	Seasonal bool    // a weekly pattern was fitted
}

// Expect estimates the value of the point right after history (NaN marks unknown points,
// which are skipped, never read as zero). The level is a Theil–Sen line over the trailing
// window, so steady growth is followed rather than flagged; the seasonal part is the median
// residual of the same phase of the period; the spread is the MAD of what is left. All three
// are medians, so a spike inside the window moves none of them much.
func Expect(history []float64, p BaselineParams) Expectation {
	p = p.withDefaults()
	w := history[max(0, len(history)-p.Window):]
	n := len(w)
	known := 0
	for _, v := range w {
		if !math.IsNaN(v) {
			known++
		}
	}
	if known < p.MinHistory {
		return Expectation{}
	}
	slope, intercept := theilSen(w)
	resid := make([]float64, n)
	for i, v := range w {
		resid[i] = v - (intercept + slope*float64(i))
	}
	// Seasonal offsets by phase relative to the target point at index n.
	var season []float64
	if p.Period > 1 && n >= p.Period*p.MinCycles {
		season = make([]float64, p.Period)
		buf := make([]float64, 0, n/p.Period+1)
		for ph := range p.Period {
			buf = buf[:0]
			for i := n - p.Period + ph; i >= 0; i -= p.Period {
				if !math.IsNaN(resid[i]) {
					buf = append(buf, resid[i])
				}
			}
			if len(buf) >= p.MinCycles-1 {
				season[ph] = median(buf)
			}
		}
		// Centre the offsets so the seasonal part does not shift the level.
		c := median(slices.Clone(season))
		for i := range season {
			season[i] -= c
		}
	}
	rest := make([]float64, 0, n)
	for i, r := range resid {
		if math.IsNaN(r) {
			continue
		}
		if season != nil {
			r -= season[((i-(n-p.Period))%p.Period+p.Period)%p.Period]
		}
		rest = append(rest, r)
	}
	level := intercept + slope*float64(n)
	if season != nil {
		level += season[0] // phase 0 is the target's own weekday
	}
	e := Expectation{OK: true, Expected: max(level, 0), Seasonal: season != nil}
	e.Scale = 1.4826 * mad(rest)
	e.Scale = max(e.Scale, p.MinScale, p.RelMinScale*e.Expected)
	e.Upper = e.Expected + p.K*e.Scale
	return e
}

// theilSen fits y = a + b·x over x = 0..n-1, skipping NaN: b is the median of the pairwise
// slopes, a the median of y − b·x. Its breakdown point is about 29%, so up to a week of
// spike in a four-week window does not bend the line.
func theilSen(y []float64) (slope, intercept float64) {
	n := len(y)
	slopes := make([]float64, 0, n*(n-1)/2)
	for i := range n {
		if math.IsNaN(y[i]) {
			continue
		}
		for j := i + 1; j < n; j++ {
			if math.IsNaN(y[j]) {
				continue
			}
			slopes = append(slopes, (y[j]-y[i])/float64(j-i))
		}
	}
	if len(slopes) > 0 {
		slope = median(slopes)
	}
	icpt := make([]float64, 0, n)
	for i, v := range y {
		if !math.IsNaN(v) {
			icpt = append(icpt, v-slope*float64(i))
		}
	}
	return slope, median(icpt)
}

// median sorts xs in place; 0 for none.
func median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	slices.Sort(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// mad is the median absolute deviation from the median; xs is reordered.
func mad(xs []float64) float64 {
	m := median(xs)
	dev := make([]float64, len(xs))
	for i, v := range xs {
		dev[i] = math.Abs(v - m)
	}
	return median(dev)
}
