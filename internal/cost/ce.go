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
	"golang.org/x/sync/errgroup"
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
	// OnRequest, if set, is called after every billed request (for progress and counting);
	// the two queries run concurrently, so it must be safe for concurrent use.
	OnRequest func()
}

// Fetch reads the days [start, end) (end exclusive, as Cost Explorer takes it) grouped
// SERVICE×REGION and SERVICE×USAGE_TYPE, without non-usage charges.
func (c *CostExplorer) Fetch(ctx context.Context, start, end time.Time) (*Dataset, error) {
	start, end = truncDay(start), truncDay(end)
	days := int(math.Round(end.Sub(start).Hours() / 24))
	if days <= 0 || days > MaxDays {
		return nil, fmt.Errorf("cost explorer: period %s..%s: want 1 to %d days", start.Format(DayLayout), end.Format(DayLayout), MaxDays)
	}
	d := &Dataset{Account: c.Account, Source: "cost-explorer", Start: start, Days: days, Estimated: make([]bool, days), Unknown: make([]bool, days), FetchedAt: time.Now().UTC()}
	b := newBuilder(start, days)
	// The two queries are independent: run them at the same time.
	parts := []*cePart{{second: "REGION", into: b.byRegion}, {second: "USAGE_TYPE", into: b.byUsage}}
	var g errgroup.Group
	for _, p := range parts {
		p.estimated, p.seen = make([]bool, days), make([]bool, days)
		g.Go(func() error { return c.query(ctx, d, b, p) })
	}
	err := g.Wait()
	for _, p := range parts {
		d.Requests += p.requests
	}
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		if p.currency != "" {
			if d.Currency != "" && d.Currency != p.currency {
				return nil, fmt.Errorf("ce:GetCostAndUsage: currency %s by %s, %s by the other grouping", p.currency, p.second, d.Currency)
			}
			d.Currency = p.currency
		}
		for i := range days {
			d.Estimated[i] = d.Estimated[i] || p.estimated[i]
			d.Unknown[i] = d.Unknown[i] || !p.seen[i] // a day Cost Explorer did not return is unknown, not free
		}
	}
	d.ByRegion, d.ByUsage = b.lines(b.byRegion), b.lines(b.byUsage)
	inferUSEast1(d)
	return d, nil
}

// cePart is what one grouping's query collects, apart from the other's.
type cePart struct {
	second    string
	into      map[Key][]float64
	estimated []bool
	seen      []bool
	currency  string
	requests  int
}

func (c *CostExplorer) query(ctx context.Context, d *Dataset, b *builder, p *cePart) error {
	second := p.second
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
	for {
		out, err := c.API.GetCostAndUsage(ctx, in)
		if err != nil {
			return fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s, %s..%s): %w", second, d.Start.Format(DayLayout), d.End().Format(DayLayout), err)
		}
		p.requests++
		if c.OnRequest != nil {
			c.OnRequest()
		}
		for _, r := range out.ResultsByTime {
			if r.TimePeriod == nil || r.TimePeriod.Start == nil {
				return fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s): a result without a time period", second)
			}
			day, err := time.Parse(DayLayout, aws.ToString(r.TimePeriod.Start))
			if err != nil {
				return fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s): time period start %q: %w", second, aws.ToString(r.TimePeriod.Start), err)
			}
			i := b.index(day)
			if i < 0 || i >= d.Days {
				continue
			}
			p.seen[i] = true
			p.estimated[i] = p.estimated[i] || r.Estimated
			for _, g := range r.Groups {
				if len(g.Keys) != 2 {
					return fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s) on %s: group with %d keys, want 2", second, day.Format(DayLayout), len(g.Keys))
				}
				m, ok := g.Metrics[Metric]
				if !ok || m.Amount == nil {
					return fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s) on %s: group %v has no %s", second, day.Format(DayLayout), g.Keys, Metric)
				}
				amount, err := strconv.ParseFloat(aws.ToString(m.Amount), 64)
				if err != nil || math.IsNaN(amount) || math.IsInf(amount, 0) {
					return fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s) on %s: group %v: amount %q is not a number", second, day.Format(DayLayout), g.Keys, aws.ToString(m.Amount))
				}
				if unit := aws.ToString(m.Unit); unit != "" {
					if p.currency == "" {
						p.currency = unit
					} else if p.currency != unit {
						return fmt.Errorf("ce:GetCostAndUsage (SERVICE×%s) on %s: currency %s after %s", second, day.Format(DayLayout), unit, p.currency)
					}
				}
				k := Key{Service: g.Keys[0]}
				if second == "REGION" {
					k.Region = normRegion(g.Keys[1])
				} else {
					k.UsageType = g.Keys[1]
					k.Region = RegionOfUsageType(k.UsageType)
				}
				b.add(p.into, k, i, amount)
			}
		}
		if aws.ToString(out.NextPageToken) == "" {
			return nil
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
