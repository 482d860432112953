package awssim

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// CostSpec is a scenario's `cost:` section: the daily cost series Cost Explorer serves. It is
// compact on purpose: a few lines, each a baseline with a weekly pattern, growth and a
// monthly charge, or an explicit run of amounts (a spike), all relative to "today" (the
// simulator's clock), so the series always ends yesterday whatever the date.
//
//	cost:
//	  days: 62            # the series covers [today-62d, today)
//	  estimated_days: 1   # the last N days are flagged Estimated, as AWS does
//	  lines:
//	    - {service: Amazon Elastic Compute Cloud - Compute, region: ap-northeast-2,
//	       usage_type: APN2-BoxUsage:m5.large, daily: 22, weekly: [1, 1.1, 1.05, 1, 0.95, 0.6, 0.55]}
//	    - {service: Amazon Elastic Compute Cloud - Compute, region: sa-east-1,
//	       usage_type: SAE1-BoxUsage:p3.16xlarge, start: -2d, amounts: [1500, 2900]}
type CostSpec struct {
	Days          int        `yaml:"days"`
	Currency      string     `yaml:"currency"` // default USD
	EstimatedDays int        `yaml:"estimated_days"`
	Lines         []CostLine `yaml:"lines"`
}

// CostLine is one (service, region, usage type, record type) line of the bill.
type CostLine struct {
	Service    string `yaml:"service"`     // Cost Explorer SERVICE value
	Region     string `yaml:"region"`      // "" or "global" for global charges (served as NoRegion)
	UsageType  string `yaml:"usage_type"`  // Cost Explorer USAGE_TYPE value
	RecordType string `yaml:"record_type"` // default Usage; Tax, Credit, RIFee … are served as such
	// A baseline: Daily dollars a day, times Weekly[weekday] (Monday first), growing by Growth
	// a day, with a deterministic wobble of ±Noise, plus Monthly on the first of each month.
	Daily   float64   `yaml:"daily"`
	Weekly  []float64 `yaml:"weekly"`
	Growth  float64   `yaml:"growth"`
	Noise   float64   `yaml:"noise"`
	Monthly float64   `yaml:"monthly"`
	// A run: Amounts[i] dollars on day Start+i. Start is relative ("-2d") or a date.
	Start   string    `yaml:"start"`
	End     string    `yaml:"end"` // baseline lines stop before End (relative or a date)
	Amounts []float64 `yaml:"amounts"`
}

// costPoint is one line's cost on one day.
type costPoint struct {
	line *CostLine
	cost float64
}

// costSeries is a scenario's bill, generated once per server.
type costSeries struct {
	start     time.Time // first day
	days      int
	currency  string
	estimated int
	byDay     [][]costPoint
}

// generate builds the series ending the day before today.
func (c *CostSpec) generate(now time.Time) (*costSeries, error) {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	cs := &costSeries{days: c.Days, currency: c.Currency, estimated: c.EstimatedDays}
	if cs.currency == "" {
		cs.currency = "USD"
	}
	if c.Days < 0 || c.Days > 5*366 {
		return nil, fmt.Errorf("cost.days %d: want 0 to %d", c.Days, 5*366)
	}
	cs.start = today.AddDate(0, 0, -c.Days)
	cs.byDay = make([][]costPoint, c.Days)
	day := func(what, v string, def time.Time) (time.Time, error) {
		if v == "" {
			return def, nil
		}
		if t, err := time.Parse("2006-01-02", v); err == nil {
			return t, nil
		}
		t, err := parseTime(v, today)
		if err != nil {
			return time.Time{}, fmt.Errorf("cost line %s: %w", what, err)
		}
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	for li := range c.Lines {
		l := &c.Lines[li]
		name := fmt.Sprintf("%d (%s %s %s)", li+1, l.Service, l.Region, l.UsageType)
		if l.Service == "" {
			return nil, fmt.Errorf("cost line %s: service is required", name)
		}
		if l.RecordType == "" {
			l.RecordType = "Usage"
		}
		if len(l.Weekly) != 0 && len(l.Weekly) != 7 {
			return nil, fmt.Errorf("cost line %s: weekly needs 7 factors (Monday first), got %d", name, len(l.Weekly))
		}
		if l.Daily < 0 || l.Noise < 0 || l.Noise >= 1 {
			return nil, fmt.Errorf("cost line %s: daily must not be negative and noise must be in [0, 1)", name)
		}
		from, err := day("start", l.Start, cs.start)
		if err != nil {
			return nil, err
		}
		until, err := day("end", l.End, today)
		if err != nil {
			return nil, err
		}
		for i := range c.Days {
			d := cs.start.AddDate(0, 0, i)
			if d.Before(from) || !d.Before(until) {
				continue
			}
			k := int(math.Round(d.Sub(from).Hours() / 24))
			v := 0.0
			if len(l.Amounts) > 0 {
				if k < len(l.Amounts) {
					v = l.Amounts[k]
				}
			} else {
				v = l.Daily * math.Pow(1+l.Growth, float64(k))
				if len(l.Weekly) == 7 {
					v *= l.Weekly[(int(d.Weekday())+6)%7]
				}
				v *= 1 + l.Noise*math.Sin(float64(i)*1.9+float64(li))
				if d.Day() == 1 {
					v += l.Monthly
				}
			}
			if v != 0 {
				cs.byDay[i] = append(cs.byDay[i], costPoint{line: l, cost: math.Round(v*1e6) / 1e6})
			}
		}
	}
	return cs, nil
}

// dimension returns a line's value of a Cost Explorer dimension, or false if not served.
func (l *CostLine) dimension(key string) (string, bool) {
	switch strings.ToUpper(key) {
	case "SERVICE":
		return l.Service, true
	case "REGION":
		if l.Region == "" || l.Region == "global" {
			return "NoRegion", true
		}
		return l.Region, true
	case "USAGE_TYPE":
		return l.UsageType, true
	case "RECORD_TYPE":
		return l.RecordType, true
	}
	return "", false
}
