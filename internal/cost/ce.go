package cost

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
)

// CostExplorerAPI is the part of the Cost Explorer client the source needs.
type CostExplorerAPI interface {
	GetCostAndUsage(context.Context, *costexplorer.GetCostAndUsageInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error)
}

// PricePerRequest is what AWS bills for each Cost Explorer API request, in USD.
const PricePerRequest = 0.01

// CEQueries is how many GetCostAndUsage queries Fetch makes (SERVICE×REGION and
// SERVICE×USAGE_TYPE); each is at least one billed request, more when AWS pages the answer.
const CEQueries = 2

// Metric is the cost measure read: unblended cost is what each day was actually charged.
const Metric = "UnblendedCost"

// CostExplorer reads daily costs from the Cost Explorer API.
type CostExplorer struct {
	API     CostExplorerAPI
	Account string
	// OnRequest, if set, is called after every billed request (for progress and counting).
	OnRequest func()
}

// Fetch reads the days [start, end) (end exclusive, as Cost Explorer takes it) grouped
// SERVICE×REGION and SERVICE×USAGE_TYPE, without non-usage charges.
func (c *CostExplorer) Fetch(ctx context.Context, start, end time.Time) (*Dataset, error) {
	start, end = truncDay(start), truncDay(end)
	days := int(math.Round(end.Sub(start).Hours() / 24))
	if days <= 0 {
		return nil, fmt.Errorf("cost explorer: empty period %s..%s", start.Format(DayLayout), end.Format(DayLayout))
	}
	d := &Dataset{Account: c.Account, Source: "cost-explorer", Start: start, Days: days, Estimated: make([]bool, days), FetchedAt: time.Now().UTC()}
	b := newBuilder(start, days)
	seenDay := make([]bool, days)
	for _, g := range []struct {
		second string
		into   map[Key][]float64
	}{{"REGION", b.byRegion}, {"USAGE_TYPE", b.byUsage}} {
		n, err := c.query(ctx, d, b, g.second, g.into, seenDay)
		d.Requests += n
		if err != nil {
			return nil, err
		}
	}
	d.ByRegion, d.ByUsage = b.lines(b.byRegion), b.lines(b.byUsage)
	inferUSEast1(d)
	d.Unknown = make([]bool, days)
	for i, ok := range seenDay {
		d.Unknown[i] = !ok // a day Cost Explorer did not return is unknown, not free
	}
	return d, nil
}

func (c *CostExplorer) query(ctx context.Context, d *Dataset, b *builder, second string, into map[Key][]float64, seenDay []bool) (int, error) {
	in := &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &types.DateInterval{Start: aws.String(d.Start.Format(DayLayout)), End: aws.String(d.End().Format(DayLayout))},
		Granularity: types.GranularityDaily,
		Metrics:     []string{Metric},
		GroupBy: []types.GroupDefinition{
			{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")},
			{Type: types.GroupDefinitionTypeDimension, Key: aws.String(second)},
		},
		Filter: &types.Expression{Not: &types.Expression{Dimensions: &types.DimensionValues{
			Key: types.DimensionRecordType, Values: NonUsageRecordTypes}}},
	}
	requests := 0
	for {
		out, err := c.API.GetCostAndUsage(ctx, in)
		if err != nil {
			return requests, fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s, %s..%s): %w", second, d.Start.Format(DayLayout), d.End().Format(DayLayout), err)
		}
		requests++
		if c.OnRequest != nil {
			c.OnRequest()
		}
		for _, r := range out.ResultsByTime {
			if r.TimePeriod == nil || r.TimePeriod.Start == nil {
				return requests, fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s): a result without a time period", second)
			}
			day, err := time.Parse(DayLayout, aws.ToString(r.TimePeriod.Start))
			if err != nil {
				return requests, fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s): time period start %q: %w", second, aws.ToString(r.TimePeriod.Start), err)
			}
			i := b.index(day)
			if i < 0 || i >= d.Days {
				continue
			}
			seenDay[i] = true
			d.Estimated[i] = d.Estimated[i] || r.Estimated
			for _, g := range r.Groups {
				if len(g.Keys) != 2 {
					return requests, fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s) on %s: group with %d keys, want 2", second, day.Format(DayLayout), len(g.Keys))
				}
				m, ok := g.Metrics[Metric]
				if !ok || m.Amount == nil {
					return requests, fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s) on %s: group %v has no %s", second, day.Format(DayLayout), g.Keys, Metric)
				}
				amount, err := strconv.ParseFloat(aws.ToString(m.Amount), 64)
				if err != nil || math.IsNaN(amount) || math.IsInf(amount, 0) {
					return requests, fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s) on %s: group %v: amount %q is not a number", second, day.Format(DayLayout), g.Keys, aws.ToString(m.Amount))
				}
				if unit := aws.ToString(m.Unit); unit != "" {
					if d.Currency == "" {
						d.Currency = unit
					} else if d.Currency != unit {
						return requests, fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s) on %s: currency %s after %s", second, day.Format(DayLayout), unit, d.Currency)
					}
				}
				k := Key{Service: g.Keys[0]}
				if second == "REGION" {
					k.Region = normRegion(g.Keys[1])
				} else {
					k.UsageType = g.Keys[1]
					k.Region = RegionOfUsageType(k.UsageType)
				}
				b.add(into, k, i, amount)
			}
		}
		if aws.ToString(out.NextPageToken) == "" {
			return requests, nil
		}
		in.NextPageToken = out.NextPageToken
	}
}

// normRegion names global charges "global" (Cost Explorer says "NoRegion" or "global").
func normRegion(r string) string {
	if r == "" || r == "NoRegion" {
		return "global"
	}
	return r
}

// inferUSEast1 gives usage types without a region prefix the region us-east-1 when their
// service has spend there: AWS names US East (N. Virginia) usage types without a prefix
// ("BoxUsage:p3.16xlarge"), while global charges have no SERVICE×REGION line in us-east-1.
func inferUSEast1(d *Dataset) {
	inUSE1 := map[string]bool{}
	for _, l := range d.ByRegion {
		if l.Key.Region == "us-east-1" {
			inUSE1[l.Key.Service] = true
		}
	}
	for i, l := range d.ByUsage {
		if l.Key.Region == "" && inUSE1[l.Key.Service] {
			d.ByUsage[i].Key.Region = "us-east-1"
		}
	}
}
