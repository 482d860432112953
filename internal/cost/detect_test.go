package cost

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// line is a test cost line: a key (with region) and its cost on each day.
type line struct {
	key Key
	f   func(day int, date time.Time) float64
}

// build makes a Dataset with usage lines as given and SERVICE×REGION lines summed from them,
// the shape a CUR file yields.
func build(start string, days int, lines ...line) *Dataset {
	t0, _ := time.Parse(DayLayout, start)
	b := newBuilder(t0, days)
	for _, l := range lines {
		for i := range days {
			v := l.f(i, t0.AddDate(0, 0, i))
			if v == 0 {
				continue
			}
			b.add(b.byUsage, l.key, i, v)
			b.add(b.byRegion, Key{Service: l.key.Service, Region: l.key.Region}, i, v)
		}
	}
	return &Dataset{Source: "test", Currency: "USD", Start: t0, Days: days, Estimated: make([]bool, days),
		ByRegion: b.lines(b.byRegion), ByUsage: b.lines(b.byUsage)}
}

func weeklyF(mean float64) func(int, time.Time) float64 {
	return func(i int, d time.Time) float64 {
		s := weeklyShape[(int(d.Weekday())+6)%7]
		return mean * s * (1 + 0.04*math.Sin(float64(i)*1.9))
	}
}

const (
	ec2 = "Amazon Elastic Compute Cloud - Compute"
	rds = "Amazon Relational Database Service"
	s3  = "Amazon Simple Storage Service"
)

// leakedKeyLike is 60 quiet days in ap-northeast-2 and then two days of GPU instances in two
// regions the account never used: $1,500 + $2,300 on the first day, $2,900 + $3,100 on the second.
func leakedKeyLike(days int) (*Dataset, int) {
	const spike = 60
	gpu := func(d1, d2 float64) func(int, time.Time) float64 {
		return func(i int, _ time.Time) float64 {
			switch i {
			case spike:
				return d1
			case spike + 1:
				return d2
			}
			return 0
		}
	}
	return build("2026-08-20", days,
		line{Key{ec2, "ap-northeast-2", "APN2-BoxUsage:m5.large"}, weeklyF(22)},
		line{Key{rds, "ap-northeast-2", "APN2-InstanceUsage:db.t3.medium"}, weeklyF(12)},
		line{Key{s3, "ap-northeast-2", "APN2-TimedStorage-ByteHrs"}, func(int, time.Time) float64 { return 6 }},
		line{Key{ec2, "sa-east-1", "SAE1-BoxUsage:p3.16xlarge"}, gpu(1500, 2900)},
		line{Key{ec2, "ap-south-1", "APS3-BoxUsage:g4dn.12xlarge"}, gpu(2300, 3100)},
	), spike
}

func TestLeakedKeySpikeFoundOnFirstDay(t *testing.T) {
	for _, days := range []int{61, 62} { // judged on the spike's first day alone, and with both days
		d, spike := leakedKeyLike(days)
		as, err := Detect(t.Context(), d, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 1 {
			t.Fatalf("%d days: %d anomalies, want 1: %+v", days, len(as), as)
		}
		a := as[0]
		if !a.Start.Equal(d.Day(spike)) {
			t.Errorf("%d days: starts %s, want %s", days, a.Start.Format(DayLayout), d.Day(spike).Format(DayLayout))
		}
		want := 1500.0 + 2300
		if days == 62 {
			want += 2900 + 3100
		}
		if math.Abs(a.Impact-want) > 0.01*want {
			t.Errorf("%d days: impact $%.2f, want $%.2f ±1%%", days, a.Impact, want)
		}
		if len(a.Contributors) < 2 {
			t.Fatalf("%d days: contributors %+v", days, a.Contributors)
		}
		top := []string{a.Contributors[0].Description, a.Contributors[1].Description}
		wantTop := map[string]bool{"EC2: p3.16xlarge BoxUsage in sa-east-1": true, "EC2: g4dn.12xlarge BoxUsage in ap-south-1": true}
		for _, c := range top {
			if !wantTop[c] {
				t.Errorf("%d days: top contributors %q, want the attacker's GPU usage types", days, top)
			}
		}
		if a.RuleID != "cost.first-spend" || !a.FirstSpend {
			t.Errorf("%d days: rule %s first-spend %v, want cost.first-spend", days, a.RuleID, a.FirstSpend)
		}
		if strings.Join(a.NewRegions, ",") != "ap-south-1,sa-east-1" {
			t.Errorf("%d days: new regions %v", days, a.NewRegions)
		}
		// Month-to-date of October 30–31 plus November 1 … : the projection uses the last day's burn.
		if a.ProjectedMonthEnd <= a.MonthToDate {
			t.Errorf("%d days: projection %.2f not above month-to-date %.2f", days, a.ProjectedMonthEnd, a.MonthToDate)
		}
	}
}

func TestNoAnomalyOnNormalGrowth(t *testing.T) {
	grow := func(base float64) func(int, time.Time) float64 {
		return func(i int, d time.Time) float64 { return weeklyF(base)(i, d) * math.Pow(1.02, float64(i)) }
	}
	d := build("2026-07-01", 120,
		line{Key{ec2, "us-east-1", "BoxUsage:m5.xlarge"}, grow(25)},
		line{Key{rds, "us-east-1", "InstanceUsage:db.r5.large"}, grow(10)},
		// S3 bills a monthly charge on the first of each month on top of daily storage.
		line{Key{s3, "us-east-1", "TimedStorage-ByteHrs"}, func(i int, d time.Time) float64 {
			v := 5 * math.Pow(1.02, float64(i))
			if d.Day() == 1 {
				v += 80 * math.Pow(1.02, float64(i))
			}
			return v
		}},
		// A monthly RI fee on the first (a commitment fee, never a spike source).
		line{Key{ec2, "us-east-1", "HeavyUsage:m5.4xlarge"}, func(_ int, d time.Time) float64 {
			if d.Day() == 1 {
				return 1200
			}
			return 0
		}},
	)
	as, err := Detect(t.Context(), d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		t.Errorf("false anomaly on %s: impact %.2f, signals %+v", a.Start.Format(DayLayout), a.Impact, a.Signals)
	}
	// The same series with a real spike on the last day must still be caught.
	d2 := build("2026-07-01", 120,
		line{Key{ec2, "us-east-1", "BoxUsage:m5.xlarge"}, func(i int, dt time.Time) float64 {
			v := grow(25)(i, dt)
			if i == 119 {
				v *= 3
			}
			return v
		}})
	as, err = Detect(t.Context(), d2, Options{EvalDays: 1})
	if err != nil || len(as) != 1 {
		t.Fatalf("tripled last day on a growing line: %d anomalies, err %v", len(as), err)
	}
}

func TestFirstSpendFloor(t *testing.T) {
	for _, tc := range []struct {
		cost float64
		want int
	}{{3, 0}, {300, 1}} {
		d := build("2026-09-01", 41,
			line{Key{ec2, "us-east-1", "BoxUsage:m5.large"}, weeklyF(40)},
			line{Key{"Amazon SageMaker", "us-east-1", "USE1-Notebk:ml.t3.medium"}, func(i int, _ time.Time) float64 {
				if i == 40 {
					return tc.cost
				}
				return 0
			}})
		as, err := Detect(t.Context(), d, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != tc.want {
			t.Errorf("new service at $%.0f: %d anomalies, want %d: %+v", tc.cost, len(as), tc.want, as)
			continue
		}
		if tc.want == 1 && (as[0].RuleID != "cost.first-spend" || math.Abs(as[0].Impact-tc.cost) > 0.01) {
			t.Errorf("new service at $%.0f: rule %s impact %.2f", tc.cost, as[0].RuleID, as[0].Impact)
		}
	}
}

func TestThresholdsAreSettable(t *testing.T) {
	d := build("2026-09-01", 36, line{Key{ec2, "us-east-1", "BoxUsage:m5.large"}, func(i int, dt time.Time) float64 {
		if i == 35 {
			return 100 // twice the usual 50: +$50, +100%
		}
		return 50
	}})
	for _, tc := range []struct {
		o    Options
		want int
	}{
		{Options{MinImpact: 50, MinPercent: 30}, 1},
		{Options{MinImpact: 60, MinPercent: 30}, 0},
		{Options{MinImpact: 10, MinPercent: 150}, 0},
	} {
		as, err := Detect(t.Context(), d, tc.o)
		if err != nil || len(as) != tc.want {
			t.Errorf("%+v: %d anomalies (err %v), want %d", tc.o, len(as), err, tc.want)
		}
	}
}

func TestUnknownDaysAreNotZero(t *testing.T) {
	d, _ := leakedKeyLike(60)
	d.Unknown = make([]bool, d.Days)
	for i := 20; i < 59; i++ {
		d.Unknown[i] = true // a long hole must not make day 59 look like first spend
	}
	as, err := Detect(t.Context(), d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 0 {
		t.Errorf("anomalies across unknown days: %+v", as)
	}
}

func TestEmptyAndInvalidSeries(t *testing.T) {
	if _, err := Detect(t.Context(), &Dataset{}, Options{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty dataset: err %v, want ErrEmpty", err)
	}
	short, _ := leakedKeyLike(7)
	if _, err := Detect(t.Context(), short, Options{}); !errors.Is(err, ErrTooShort) || !strings.Contains(err.Error(), "7 days of cost data, 8 needed") {
		t.Errorf("a week of data: err %v, want ErrTooShort", err)
	}
	d, _ := leakedKeyLike(40)
	d.ByRegion[0].Values[3] = math.NaN()
	if _, err := Detect(t.Context(), d, Options{}); err == nil || !strings.Contains(err.Error(), "not a number") {
		t.Errorf("NaN cost: err %v", err)
	}
}

func TestAttributorIsAsked(t *testing.T) {
	d, _ := leakedKeyLike(62)
	var asked []string
	at := AttributorFunc(func(_ context.Context, q AttributionQuery) ([]string, error) {
		asked = append(asked, q.Region)
		if q.Region == "sa-east-1" {
			return []string{"arn:aws:iam::111122223333:user/ci-deploy"}, nil
		}
		return nil, errors.New("no trail for " + q.Region)
	})
	as, err := Detect(t.Context(), d, Options{Attributor: at})
	if err != nil || len(as) != 1 {
		t.Fatalf("%d anomalies, err %v", len(as), err)
	}
	if len(as[0].Principals) != 1 || as[0].Principals[0] != "arn:aws:iam::111122223333:user/ci-deploy" {
		t.Errorf("principals %v (asked %v)", as[0].Principals, asked)
	}
	if !strings.Contains(as[0].AttributionError, "ap-south-1") {
		t.Errorf("attribution error %q", as[0].AttributionError)
	}
}

func TestAnomalyFinding(t *testing.T) {
	d, _ := leakedKeyLike(62)
	as, err := Detect(t.Context(), d, Options{})
	if err != nil || len(as) != 1 {
		t.Fatal(len(as), err)
	}
	f := as[0].Finding("111122223333")
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if f.Source != "cost" || f.Status != "fail" || f.Severity.String() != "critical" || !strings.Contains(f.Title.En, "$9,800.") {
		t.Errorf("finding %+v", f)
	}
	if g := as[0].Finding("111122223333"); g.ID != f.ID {
		t.Errorf("unstable ID")
	}
	if Money(-1234567.891, "USD") != "-$1,234,567.89" || Money(12, "KRW") != "12.00 KRW" {
		t.Errorf("money %s %s", Money(-1234567.891, "USD"), Money(12, "KRW"))
	}
}

// An attacker who launches GPU instances in the account's own region uses no new region or
// service: the spike rule catches it on the service-in-region line, and the new usage type
// leads the contributors.
func TestAttackInHomeRegion(t *testing.T) {
	d := build("2026-08-20", 61,
		line{Key{ec2, "ap-northeast-2", "APN2-BoxUsage:m5.large"}, weeklyF(22)},
		line{Key{rds, "ap-northeast-2", "APN2-InstanceUsage:db.t3.medium"}, weeklyF(12)},
		line{Key{ec2, "ap-northeast-2", "APN2-BoxUsage:p3.16xlarge"}, func(i int, _ time.Time) float64 {
			if i == 60 {
				return 1400
			}
			return 0
		}})
	as, err := Detect(t.Context(), d, Options{})
	if err != nil || len(as) != 1 {
		t.Fatalf("%d anomalies, err %v", len(as), err)
	}
	a := as[0]
	if a.RuleID != "cost.spike" || a.FirstSpend || len(a.NewRegions) != 0 {
		t.Errorf("rule %s, first spend %v, new regions %v", a.RuleID, a.FirstSpend, a.NewRegions)
	}
	if math.Abs(a.Impact-1400) > 0.02*1400 {
		t.Errorf("impact %.2f, want about 1400", a.Impact)
	}
	if a.Contributors[0].Description != "EC2: p3.16xlarge BoxUsage in ap-northeast-2" || !a.Contributors[0].FirstSpend {
		t.Errorf("top contributor %+v", a.Contributors[0])
	}
}
