package cost

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
)

// Level is the grouping a line belongs to.
type Level string

const (
	LevelTotal         Level = "total"          // the account's daily cost
	LevelService       Level = "service"        // one service, all regions
	LevelRegion        Level = "region"         // one region, all services
	LevelServiceRegion Level = "service-region" // SERVICE × REGION
	LevelUsage         Level = "usage-type"     // SERVICE × USAGE_TYPE
)

// Input is one line judged on one day: only Values[:Day] may be read as the past.
type Input struct {
	Level  Level
	Key    Key
	Values []float64 // the whole line; NaN marks unknown days
	Day    int       // the index judged
	Date   time.Time // the date of Values[Day]
	Opts   *Options
}

// Signal is one detector's verdict that a line is anomalous on a day.
type Signal struct {
	Detector   string  `json:"detector"`
	Level      Level   `json:"level"`
	Key        Key     `json:"key"`
	Day        int     `json:"day"`
	Actual     float64 `json:"actual"`
	Expected   float64 `json:"expected"`
	FirstSpend bool    `json:"first_spend,omitempty"`
}

// Excess is what the line cost above its expectation.
func (s Signal) Excess() float64 { return s.Actual - s.Expected }

// Sample is a short series a detector must (Flag) or must not flag on its last day. Each
// detector carries its own, and the registry's test runs them all.
type Sample struct {
	Name   string
	Level  Level
	Start  string // date of Values[0], DayLayout
	Values []float64
	Flag   bool
}

// Detector is one family of anomaly: data (ID, title, levels, samples) and a function.
type Detector struct {
	ID      string // the finding's RuleID
	Title   finding.Text
	Levels  []Level
	Judge   func(Input) (Signal, bool)
	Samples []Sample
}

var detectors []Detector

// registerDetector adds d to the registry; a duplicate ID is a programming error.
func registerDetector(d Detector) {
	for _, o := range detectors {
		if o.ID == d.ID {
			panic(fmt.Sprintf("cost: detector %q registered twice", d.ID))
		}
	}
	detectors = append(detectors, d)
}

// Detectors returns the registered detectors in registration order.
func Detectors() []Detector { return append([]Detector(nil), detectors...) }

// expectAt is the baseline of a line on in.Day from the past only, with the month-start
// rule: on the first two days of a month, a charge that recurs there (S3 monthly fees,
// subscriptions) is expected at last month's amount, scaled by how the line grew since.
func expectAt(in Input) Expectation {
	p := in.Opts.Baseline
	e := Expect(in.Values[:in.Day], p)
	if !e.OK || in.Date.Day() > 2 {
		return e
	}
	prev := in.Date.AddDate(0, -1, 0)
	j := in.Day - int(math.Round(in.Date.Sub(prev).Hours()/24))
	if j < 0 || math.IsNaN(in.Values[j]) {
		return e
	}
	ratio := 1.0
	then := trendAt(in.Values, j-14, j+15, j, j)
	now := trendAt(in.Values, in.Day-14, in.Day, -1, in.Day)
	if then > 0 && now > 0 {
		ratio = now / then
	}
	if m := in.Values[j] * ratio; m > e.Expected {
		k := p.withDefaults().K
		e.Expected = m
		e.Scale = max(e.Scale, p.withDefaults().RelMinScale*m)
		e.Upper = e.Expected + k*e.Scale
	}
	return e
}

// trendAt is the Theil–Sen line fitted to values[lo:hi] (clamped; index skip left out),
// evaluated at index at; 0 when fewer than 3 points are known.
func trendAt(values []float64, lo, hi, skip, at int) float64 {
	lo, hi = max(lo, 0), min(hi, len(values))
	if hi-lo < 3 {
		return 0
	}
	w := slices.Clone(values[lo:hi])
	if skip >= lo && skip < hi {
		w[skip-lo] = math.NaN()
	}
	known := 0
	for _, v := range w {
		if !math.IsNaN(v) {
			known++
		}
	}
	if known < 3 {
		return 0
	}
	slope, icpt := theilSen(w)
	return icpt + slope*float64(at-lo)
}
