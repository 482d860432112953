package cost

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// DayLayout is how days are written everywhere in this package (Cost Explorer's own format).
const DayLayout = "2006-01-02"

// Key names one cost line. A line from the SERVICE×REGION grouping has UsageType "";
// a line from the SERVICE×USAGE_TYPE grouping has the usage type and, when it can be told,
// the region (from the CUR's region column or the usage type's region prefix).
type Key struct {
	Service   string `json:"service"`
	Region    string `json:"region,omitempty"`
	UsageType string `json:"usage_type,omitempty"`
}

func (k Key) String() string {
	s := k.Service
	if k.UsageType != "" {
		s += ": " + k.UsageType
	}
	if k.Region != "" {
		s += " in " + k.Region
	}
	return s
}

// Line is the daily cost of one Key; Values[i] is the cost on Dataset.Day(i).
type Line struct {
	Key    Key       `json:"key"`
	Values []float64 `json:"values"`
}

// Sum is the line's cost over days [from, to).
func (l Line) Sum(from, to int) float64 {
	var s float64
	for _, v := range l.Values[max(from, 0):min(to, len(l.Values))] {
		s += v
	}
	return s
}

// Dataset is the daily, unblended cost of one account over consecutive days, in two groupings
// (Cost Explorer allows two group-by keys per query, so the region and the usage type come
// from two queries; a CUR file yields both). Charges that are not usage (credits, refunds,
// tax, commitment fees) are left out at the source; see NonUsageRecordTypes.
type Dataset struct {
	Account string `json:"account,omitempty"`
	// Accounts lists the usage accounts when the input held several (a payer's CUR read
	// without an account filter); Account is then empty.
	Accounts  []string  `json:"accounts,omitempty"`
	Source    string    `json:"source"` // "cost-explorer", "cur", "sim" …
	Currency  string    `json:"currency"`
	Start     time.Time `json:"start"` // the first day, 00:00 UTC
	Days      int       `json:"days"`
	Estimated []bool    `json:"estimated"` // per day: the figures may still change
	// Unknown marks days whose cost could not be read; they are never scored as zero.
	Unknown  []bool `json:"unknown,omitempty"`
	ByRegion []Line `json:"by_region"` // SERVICE × REGION
	ByUsage  []Line `json:"by_usage"`  // SERVICE × USAGE_TYPE (region filled in when known)
	// Requests is how many billed API requests produced this dataset (0 when read from a cache or file).
	Requests  int       `json:"requests,omitempty"`
	FetchedAt time.Time `json:"fetched_at,omitzero"`
}

// MaxDays bounds a dataset (ten years), so a stray date in an input cannot make the series
// (lines × days) too large to hold.
const MaxDays = 3660

// ErrEmpty is returned for a dataset without days or without any cost line.
var ErrEmpty = errors.New("empty cost series")

// ErrTooShort is returned when the series is too short for any day to be judged: the
// answer is "unknown", not "no anomaly".
var ErrTooShort = errors.New("cost series too short")

// Day is the date of day index i.
func (d *Dataset) Day(i int) time.Time { return d.Start.AddDate(0, 0, i) }

// Index is the day index of t (truncated to its UTC day); it may be out of range.
func (d *Dataset) Index(t time.Time) int {
	t = truncDay(t)
	return int(math.Round(t.Sub(d.Start).Hours() / 24))
}

// End is the day after the last day.
func (d *Dataset) End() time.Time { return d.Day(d.Days) }

// Total is the account's daily cost (the sum of the SERVICE×REGION lines, or of the usage
// lines when a source only had those).
func (d *Dataset) Total() []float64 {
	lines := d.ByRegion
	if len(lines) == 0 {
		lines = d.ByUsage
	}
	t := make([]float64, d.Days)
	for _, l := range lines {
		for i, v := range l.Values {
			t[i] += v
		}
	}
	return t
}

// IsUnknown reports whether day i could not be read.
func (d *Dataset) IsUnknown(i int) bool { return i >= 0 && i < len(d.Unknown) && d.Unknown[i] }

// Validate checks the shape every detector relies on.
func (d *Dataset) Validate() error {
	if d.Days <= 0 || (len(d.ByRegion) == 0 && len(d.ByUsage) == 0) {
		return ErrEmpty
	}
	if d.Days > MaxDays {
		return fmt.Errorf("cost series: %d days, more than %d", d.Days, MaxDays)
	}
	if len(d.Estimated) != d.Days {
		return fmt.Errorf("cost series: %d estimated flags for %d days", len(d.Estimated), d.Days)
	}
	if d.Unknown != nil && len(d.Unknown) != d.Days {
		return fmt.Errorf("cost series: %d unknown flags for %d days", len(d.Unknown), d.Days)
	}
	for _, ls := range [][]Line{d.ByRegion, d.ByUsage} {
		for _, l := range ls {
			if len(l.Values) != d.Days {
				return fmt.Errorf("cost series: line %s has %d values for %d days", l.Key, len(l.Values), d.Days)
			}
			for i, v := range l.Values {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("cost series: line %s on %s: cost is not a number", l.Key, d.Day(i).Format(DayLayout))
				}
			}
		}
	}
	return nil
}

// builder accumulates costs by key and day before they become a Dataset.
type builder struct {
	start    time.Time
	days     int
	byRegion map[Key][]float64
	byUsage  map[Key][]float64
}

func newBuilder(start time.Time, days int) *builder {
	return &builder{start: truncDay(start), days: days, byRegion: map[Key][]float64{}, byUsage: map[Key][]float64{}}
}

func (b *builder) add(m map[Key][]float64, k Key, day int, v float64) {
	vs, ok := m[k]
	if !ok {
		vs = make([]float64, b.days)
		m[k] = vs
	}
	vs[day] += v
}

func (b *builder) lines(m map[Key][]float64) []Line {
	out := make([]Line, 0, len(m))
	for k, vs := range m {
		out = append(out, Line{Key: k, Values: vs})
	}
	slices.SortFunc(out, func(a, b Line) int {
		return cmp.Or(cmp.Compare(a.Key.Service, b.Key.Service), cmp.Compare(a.Key.Region, b.Key.Region), cmp.Compare(a.Key.UsageType, b.Key.UsageType))
	})
	return out
}

// Merge returns d with the days of newer replacing or extending d's from newer.Start on.
// Both must be in the same currency; lines are matched by key.
func Merge(d, newer *Dataset) (*Dataset, error) {
	if d == nil || d.Days == 0 {
		return newer, nil
	}
	if d.Currency != "" && newer.Currency != "" && d.Currency != newer.Currency {
		return nil, fmt.Errorf("merge cost series: currency %s vs %s", d.Currency, newer.Currency)
	}
	start := d.Start
	if newer.Start.Before(start) {
		start = newer.Start
	}
	end := d.End()
	if newer.End().After(end) {
		end = newer.End()
	}
	days := int(math.Round(end.Sub(start).Hours() / 24))
	b := newBuilder(start, days)
	cut := b.index(newer.Start)
	out := &Dataset{Account: cmp.Or(newer.Account, d.Account), Source: newer.Source, Currency: cmp.Or(newer.Currency, d.Currency),
		Start: start, Days: days, Estimated: make([]bool, days), Unknown: make([]bool, days),
		Requests: newer.Requests, FetchedAt: newer.FetchedAt}
	covered := make([]bool, days)
	copyIn := func(src *Dataset, keep func(day int) bool) {
		off := b.index(src.Start)
		for i := range src.Days {
			if !keep(off + i) {
				continue
			}
			covered[off+i] = true
			out.Estimated[off+i] = src.Estimated[i]
			out.Unknown[off+i] = src.IsUnknown(i)
			for _, l := range src.ByRegion {
				b.add(b.byRegion, l.Key, off+i, l.Values[i])
			}
			for _, l := range src.ByUsage {
				b.add(b.byUsage, l.Key, off+i, l.Values[i])
			}
		}
	}
	copyIn(d, func(day int) bool { return day < cut })
	copyIn(newer, func(int) bool { return true })
	for i, c := range covered {
		if !c {
			out.Unknown[i] = true // a gap between the two: never read, so not zero
		}
	}
	out.ByRegion, out.ByUsage = b.lines(b.byRegion), b.lines(b.byUsage)
	return out, nil
}

func (b *builder) index(t time.Time) int {
	return int(math.Round(truncDay(t).Sub(b.start).Hours() / 24))
}

func truncDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
