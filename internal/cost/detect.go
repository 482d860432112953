package cost

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"
)

// Options set the thresholds (the CLI's --min-impact, --min-percent, --first-spend-floor).
type Options struct {
	MinImpact       float64 // dollars above expected a day, default 50
	MinPercent      float64 // percent above expected, default 30
	FirstSpendFloor float64 // dollars a day in something new, default 10
	// EvalDays judges only the last EvalDays days (the rest is history); 0 judges every day
	// that has enough history.
	EvalDays     int
	Baseline     BaselineParams
	Contributors int        // top contributors kept per anomaly, default 5
	Attributor   Attributor // may be nil
}

// DefaultOptions are the CLI's defaults.
var DefaultOptions = Options{MinImpact: 50, MinPercent: 30, FirstSpendFloor: 10, Contributors: 5}

func (o Options) withDefaults() Options {
	d := DefaultOptions
	if o.MinImpact > 0 {
		d.MinImpact = o.MinImpact
	}
	if o.MinPercent > 0 {
		d.MinPercent = o.MinPercent
	}
	if o.FirstSpendFloor > 0 {
		d.FirstSpendFloor = o.FirstSpendFloor
	}
	if o.Contributors > 0 {
		d.Contributors = o.Contributors
	}
	d.EvalDays, d.Baseline, d.Attributor = o.EvalDays, o.Baseline.withDefaults(), o.Attributor
	return d
}

// Contributor is one line's share of an anomaly.
type Contributor struct {
	Key         Key     `json:"key"`
	Description string  `json:"description"` // "EC2: p3.16xlarge BoxUsage in sa-east-1"
	Actual      float64 `json:"actual"`
	Expected    float64 `json:"expected"`
	Impact      float64 `json:"impact"`
	FirstSpend  bool    `json:"first_spend,omitempty"`
}

// Anomaly is a run of consecutive anomalous days and its explanation.
type Anomaly struct {
	RuleID       string        `json:"rule_id"` // the detector behind the largest share
	Start        time.Time     `json:"start"`   // first anomalous day
	End          time.Time     `json:"end"`     // last anomalous day
	Days         int           `json:"days"`
	Actual       float64       `json:"actual"`   // total cost over the anomaly's days
	Expected     float64       `json:"expected"` // what those days were expected to cost
	Impact       float64       `json:"impact"`   // dollars above expected, over the anomaly's days
	Currency     string        `json:"currency"`
	Contributors []Contributor `json:"contributors"`
	Signals      []Signal      `json:"signals"`
	FirstSpend   bool          `json:"first_spend,omitempty"` // something was used for the first time
	NewRegions   []string      `json:"new_regions,omitempty"`
	Estimated    bool          `json:"estimated,omitempty"` // some of its days are not final
	// MonthToDate and ProjectedMonthEnd are the total of the month of the dataset's last day
	// so far and at the burn rate of that last day until the month ends.
	MonthToDate       float64  `json:"month_to_date"`
	ProjectedMonthEnd float64  `json:"projected_month_end"`
	Principals        []string `json:"principals,omitempty"` // from the Attributor, when there is one
	AttributionError  string   `json:"attribution_error,omitempty"`
}

// view holds a dataset's lines at every level, NaN on unknown days, ignored charges removed.
type view struct {
	levels map[Level][]Line
	total  []float64
}

func newView(d *Dataset) view {
	nan := func(vs []float64) []float64 {
		out := slices.Clone(vs)
		for i := range out {
			if d.IsUnknown(i) {
				out[i] = math.NaN()
			}
		}
		return out
	}
	keep := func(ls []Line) []Line {
		out := make([]Line, 0, len(ls))
		for _, l := range ls {
			if !IgnoredLine(l.Key) {
				out = append(out, Line{Key: l.Key, Values: nan(l.Values)})
			}
		}
		return out
	}
	sr := keep(d.ByRegion)
	usage := keep(d.ByUsage)
	if len(sr) == 0 {
		sr = aggregate(usage, d.Days, func(k Key) Key { return Key{Service: k.Service, Region: k.Region} })
	}
	total := make([]float64, d.Days)
	for i := range total {
		if d.IsUnknown(i) {
			total[i] = math.NaN()
		}
	}
	for _, l := range sr {
		for i, v := range l.Values {
			total[i] += v
		}
	}
	return view{total: total, levels: map[Level][]Line{
		LevelTotal:         {{Key: Key{Service: "Total"}, Values: total}},
		LevelServiceRegion: sr,
		LevelUsage:         usage,
		LevelService:       aggregate(sr, d.Days, func(k Key) Key { return Key{Service: k.Service} }),
		LevelRegion:        aggregate(sr, d.Days, func(k Key) Key { return Key{Region: k.Region} }),
	}}
}

func aggregate(ls []Line, days int, by func(Key) Key) []Line {
	b := newBuilder(time.Time{}, days)
	for _, l := range ls {
		k := by(l.Key)
		for i, v := range l.Values {
			b.add(b.byRegion, k, i, v)
		}
	}
	return b.lines(b.byRegion)
}

// Detect judges every day in range with every registered detector, each day on its past only,
// and explains each run of anomalous days. It fails on an invalid or empty dataset.
func Detect(ctx context.Context, d *Dataset, o Options) ([]Anomaly, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	if d.Days <= o.Baseline.MinHistory {
		return nil, fmt.Errorf("%w: %d days of cost data, %d needed before a day can be judged", ErrTooShort, d.Days, o.Baseline.MinHistory+1)
	}
	v := newView(d)
	from := o.Baseline.MinHistory
	if o.EvalDays > 0 {
		from = max(from, d.Days-o.EvalDays)
	}
	signals := make([][]Signal, d.Days)
	for day := from; day < d.Days; day++ {
		if d.IsUnknown(day) {
			continue
		}
		signals[day] = judgeDay(v, d, day, &o)
	}
	var out []Anomaly
	for day := from; day < d.Days; day++ {
		if len(signals[day]) == 0 {
			continue
		}
		end := day
		for end+1 < d.Days && len(signals[end+1]) > 0 {
			end++
		}
		a := explain(ctx, v, d, day, end, signals[day:end+1], &o)
		out = append(out, a)
		day = end
	}
	return out, nil
}

// judgeDay runs every detector on every line of its levels for one day. A line flagged by
// two detectors keeps the first-spend signal, which explains more.
func judgeDay(v view, d *Dataset, day int, o *Options) []Signal {
	type id struct {
		l Level
		k Key
	}
	seen := map[id]int{}
	var out []Signal
	date := d.Day(day)
	for _, det := range detectors {
		for _, lvl := range det.Levels {
			for _, l := range v.levels[lvl] {
				s, ok := det.Judge(Input{Level: lvl, Key: l.Key, Values: l.Values, Day: day, Date: date, Opts: o})
				if !ok {
					continue
				}
				if i, dup := seen[id{lvl, l.Key}]; dup {
					if s.FirstSpend {
						out[i] = s
					}
					continue
				}
				seen[id{lvl, l.Key}] = len(out)
				out = append(out, s)
			}
		}
	}
	return out
}

// explain turns days [start, end] and their signals into an Anomaly. The impact is the sum
// of the flagged SERVICE×REGION lines' excess (so lines that merely wobbled do not count),
// or the total's excess when only the total moved; contributors are the usage-type lines
// with the largest excess over the same days, so the attacker's instance types lead.
func explain(ctx context.Context, v view, d *Dataset, start, end int, sigs [][]Signal, o *Options) Anomaly {
	a := Anomaly{Start: d.Day(start), End: d.Day(end), Days: end - start + 1, Currency: d.Currency}
	newRegions := map[string]bool{}
	for i, daySigs := range sigs {
		day := start + i
		a.Actual += nz(v.total[day])
		if e := expectAt(Input{Level: LevelTotal, Values: v.total, Day: day, Date: d.Day(day), Opts: o}); e.OK {
			a.Expected += e.Expected
		} else {
			a.Expected += nz(v.total[day])
		}
		a.Estimated = a.Estimated || d.Estimated[day]
		var lineExcess, totalExcess float64
		lineFlagged := false
		for _, s := range daySigs {
			a.Signals = append(a.Signals, s)
			if s.FirstSpend {
				a.FirstSpend = true
				if s.Level == LevelRegion {
					newRegions[s.Key.Region] = true
				}
			}
			switch s.Level {
			case LevelServiceRegion:
				lineFlagged = true
				lineExcess += s.Excess()
			case LevelTotal:
				totalExcess = s.Excess()
			}
		}
		switch {
		case lineFlagged:
			a.Impact += lineExcess
		case totalExcess > 0:
			a.Impact += totalExcess
		default: // only usage types moved: their excess, as flagged
			for _, s := range daySigs {
				if s.Level == LevelUsage {
					a.Impact += s.Excess()
				}
			}
		}
	}
	// The rule is the detector behind the largest excess on the first day: "first spend"
	// stays the name of an attack that keeps spending on its second day.
	a.RuleID = "cost.spike"
	best := 0.0
	for _, s := range sigs[0] {
		if s.Level != LevelTotal && s.Excess() > best {
			a.RuleID, best = s.Detector, s.Excess()
		}
	}
	for r := range newRegions {
		a.NewRegions = append(a.NewRegions, r)
	}
	slices.Sort(a.NewRegions)
	a.Contributors = contributors(v, d, start, end, o)
	a.MonthToDate, a.ProjectedMonthEnd = projectMonth(v.total, d)
	if o.Attributor != nil {
		a.Principals, a.AttributionError = attribute(ctx, o.Attributor, a)
	}
	return a
}

// contributors ranks usage-type lines (SERVICE×REGION lines when the source had none) by
// their excess over days [start, end].
func contributors(v view, d *Dataset, start, end int, o *Options) []Contributor {
	lines := v.levels[LevelUsage]
	if len(lines) == 0 {
		lines = v.levels[LevelServiceRegion]
	}
	var out []Contributor
	for _, l := range lines {
		if l.Sum(start, end+1) < o.MinImpact/10 {
			continue // cannot be a top contributor; skip the baseline work
		}
		c := Contributor{Key: l.Key, Description: Describe(l.Key)}
		seen := false
		for _, x := range l.Values[:start] {
			if x >= seenCents {
				seen = true
				break
			}
		}
		c.FirstSpend = !seen
		for day := start; day <= end; day++ {
			x := nz(l.Values[day])
			c.Actual += x
			if e := expectAt(Input{Level: LevelUsage, Key: l.Key, Values: l.Values, Day: day, Date: d.Day(day), Opts: o}); e.OK {
				c.Expected += e.Expected
			} else if seen {
				c.Expected += x // too little history to say: assume usual
			}
		}
		c.Impact = c.Actual - c.Expected
		if c.Impact > 0 {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Contributor) int {
		return cmp.Or(cmp.Compare(b.Impact, a.Impact), cmp.Compare(a.Description, b.Description))
	})
	// A line that cost cents more than usual explains nothing: keep those worth at least a
	// dollar and 1% of the largest.
	keep := out[:0]
	for _, c := range out {
		if c.Impact >= 1 && c.Impact >= 0.01*out[0].Impact {
			keep = append(keep, c)
		}
	}
	return keep[:min(len(keep), o.Contributors)]
}

// projectMonth is the month-to-date total of the month of the last day and the month-end
// projection at that day's burn rate.
func projectMonth(total []float64, d *Dataset) (mtd, projected float64) {
	last := d.Days - 1
	for last >= 0 && math.IsNaN(total[last]) {
		last--
	}
	if last < 0 {
		return 0, 0
	}
	lastDay := d.Day(last)
	for i := last; i >= 0 && d.Day(i).Month() == lastDay.Month(); i-- {
		mtd += nz(total[i])
	}
	firstNext := time.Date(lastDay.Year(), lastDay.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	remaining := int(math.Round(firstNext.Sub(lastDay).Hours()/24)) - 1
	return mtd, mtd + float64(remaining)*total[last]
}

func attribute(ctx context.Context, at Attributor, a Anomaly) ([]string, string) {
	seen := map[string]bool{}
	var out []string
	var errs []string
	asked := map[Key]bool{}
	for _, c := range a.Contributors {
		q := Key{Service: c.Key.Service, Region: c.Key.Region}
		if asked[q] {
			continue
		}
		asked[q] = true
		ps, err := at.Principals(ctx, AttributionQuery{Service: q.Service, Region: q.Region, From: a.Start, To: a.End.AddDate(0, 0, 1)})
		if err != nil {
			slog.Debug("cost attribution failed", "service", q.Service, "region", q.Region, "err", err)
			errs = append(errs, fmt.Sprintf("%s: %v", Describe(q), err))
			continue
		}
		for _, p := range ps {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	if len(errs) > 0 {
		return out, errs[0]
	}
	return out, ""
}

func nz(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return x
}
