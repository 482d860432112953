package cost

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"
	"github.com/klauspost/compress/gzip"

	"github.com/accountguard/accountguard/internal/awsx"
)

func TestCURRoundTrip(t *testing.T) {
	d, _ := leakedKeyLike(62)
	d.Account = "111122223333"
	d.Source = "cur"
	d.Unknown = make([]bool, d.Days)
	for _, tc := range []struct {
		name   string
		format CURFormat
		gz     bool
	}{{"legacy.csv", CURLegacy, false}, {"cur2.csv", CUR2, false}, {"legacy.csv.gz", CURLegacy, true}, {"cur2.csv.gz", CUR2, true}} {
		var buf bytes.Buffer
		if err := WriteCUR(&buf, d, tc.format); err != nil {
			t.Fatal(err)
		}
		data := buf.Bytes()
		if tc.gz {
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write(data)
			zw.Close()
			data = z.Bytes()
		}
		path := filepath.Join(t.TempDir(), tc.name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadCURFile(path)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !reflect.DeepEqual(got, d) {
			t.Errorf("%s: round trip differs:\n got %+v\nwant %+v", tc.name, got, d)
		}
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCURBadInput(t *testing.T) {
	const hdr = "lineItem/UsageStartDate,lineItem/LineItemType,product/ProductName,lineItem/UsageType,product/regionCode,lineItem/UnblendedCost\n"
	for _, tc := range []struct {
		name, content, want string
	}{
		{"missing.csv", "lineItem/UsageStartDate,lineItem/UsageType\n2026-09-01T00:00:00Z,BoxUsage\n", "missing column lineItem/UnblendedCost or line_item_unblended_cost"},
		{"nan.csv", hdr + "2026-09-01T00:00:00Z,Usage,AmazonEC2,BoxUsage:m5.large,us-east-1,1.5\n2026-09-01T01:00:00Z,Usage,AmazonEC2,BoxUsage:m5.large,us-east-1,abc\n", `line 3: lineItem/UnblendedCost "abc" is not a number`},
		{"date.csv", hdr + "yesterday,Usage,AmazonEC2,BoxUsage:m5.large,us-east-1,1.5\n", `line 2: lineItem/UsageStartDate "yesterday" is not a date`},
		{"empty.csv", "", "empty file"},
		{"onlyfees.csv", hdr + "2026-09-01T00:00:00Z,Tax,AmazonEC2,,us-east-1,1.5\n", "no usage rows"},
		{"notcsv.csv.gz", "\x1f\x8bnot gzip", "gzip"},
		{"span.csv", hdr + "0001-01-01T00:00:00Z,Usage,AmazonEC2,BoxUsage:m5.large,us-east-1,1\n9999-12-31T00:00:00Z,Usage,AmazonEC2,BoxUsage:m5.large,us-east-1,1\n", "more than 3660"},
	} {
		path := writeFile(t, tc.name, tc.content)
		_, err := ReadCURFile(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: err %v, want it to name the file and say %q", tc.name, err, tc.want)
		}
	}
}

func TestReadCURKeepsGoodFilesAndMarksGaps(t *testing.T) {
	const hdr = "line_item_usage_start_date,line_item_line_item_type,line_item_product_code,line_item_usage_type,product_region_code,line_item_unblended_cost,line_item_currency_code\n"
	sep := writeFile(t, "sep.csv", hdr+"2026-09-01 00:00:00,Usage,AmazonEC2,BoxUsage:m5.large,us-east-1,1.5\n2026-09-02 00:00:00,Usage,AmazonEC2,BoxUsage:m5.large,us-east-1,2\n2026-09-02 00:00:00,RIFee,AmazonEC2,HeavyUsage:m5.large,us-east-1,900\n")
	nov := writeFile(t, "nov.csv", hdr+"2026-09-05 00:00:00,Usage,AmazonEC2,BoxUsage:m5.large,us-east-1,3\n")
	bad := writeFile(t, "bad.csv", "x,y\n1,2\n")
	d, errs := ReadCUR([]string{sep, bad, nov}, CUROptions{})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "bad.csv") {
		t.Fatalf("errs %v, want one naming bad.csv", errs)
	}
	if d.Days != 5 || fmt.Sprint(d.Unknown) != "[false false true true false]" {
		t.Errorf("days %d unknown %v, want 5 days with 09-03 and 09-04 unknown", d.Days, d.Unknown)
	}
	if got := d.Total(); got[1] != 2 { // the RI fee is not usage
		t.Errorf("total %v: the RIFee row was counted", got)
	}
}

// fakeCE serves GetCostAndUsage from a dataset, pageSize groups per page, like AWS pages.
type fakeCE struct {
	mu       sync.Mutex // the two groupings are queried concurrently
	d        *Dataset
	pageSize int
	err      error
	calls    []costexplorer.GetCostAndUsageInput
	amount   string // overrides every amount when set
}

func (f *fakeCE) GetCostAndUsage(_ context.Context, in *costexplorer.GetCostAndUsageInput, _ ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	f.mu.Lock()
	f.calls = append(f.calls, *in)
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	lines := f.d.ByRegion
	if aws.ToString(in.GroupBy[1].Key) == "USAGE_TYPE" {
		lines = f.d.ByUsage
	}
	type item struct {
		day int
		g   types.Group
	}
	var all []item
	for i := range f.d.Days {
		for _, l := range lines {
			if l.Values[i] == 0 {
				continue
			}
			second := l.Key.Region
			if l.Key.UsageType != "" {
				second = l.Key.UsageType
			}
			amt := fmt.Sprint(l.Values[i])
			if f.amount != "" {
				amt = f.amount
			}
			all = append(all, item{i, types.Group{Keys: []string{l.Key.Service, second}, Metrics: map[string]types.MetricValue{Metric: {Amount: aws.String(amt), Unit: aws.String("USD")}}}})
		}
	}
	off := 0
	if in.NextPageToken != nil {
		fmt.Sscan(*in.NextPageToken, &off)
	}
	end := min(off+f.pageSize, len(all))
	out := &costexplorer.GetCostAndUsageOutput{}
	for i := range f.d.Days {
		day := f.d.Day(i)
		r := types.ResultByTime{TimePeriod: &types.DateInterval{Start: aws.String(day.Format(DayLayout)), End: aws.String(day.AddDate(0, 0, 1).Format(DayLayout))}, Estimated: f.d.Estimated[i]}
		for _, it := range all[off:end] {
			if it.day == i {
				r.Groups = append(r.Groups, it.g)
			}
		}
		out.ResultsByTime = append(out.ResultsByTime, r)
	}
	if end < len(all) {
		out.NextPageToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

func TestCostExplorerPagesAndFlags(t *testing.T) {
	d, _ := leakedKeyLike(62)
	d.Estimated[61] = true
	api := &fakeCE{d: d, pageSize: 50}
	ce := &CostExplorer{API: api, Account: "111122223333"}
	got, err := ce.Fetch(t.Context(), d.Start, d.End())
	if err != nil {
		t.Fatal(err)
	}
	if got.Requests != len(api.calls) || got.Requests <= CEQueries {
		t.Errorf("requests %d, calls %d: want paging beyond %d", got.Requests, len(api.calls), CEQueries)
	}
	for _, c := range api.calls {
		if c.Granularity != types.GranularityDaily || c.Metrics[0] != Metric || c.Filter == nil || c.Filter.Not == nil {
			t.Errorf("request %+v", c)
		}
	}
	if !got.Estimated[61] || got.Estimated[60] {
		t.Errorf("estimated flags %v", got.Estimated[58:])
	}
	if !reflect.DeepEqual(got.ByRegion, d.ByRegion) || !reflect.DeepEqual(got.ByUsage, d.ByUsage) {
		t.Errorf("lines differ")
	}
	as, err := Detect(t.Context(), got, Options{})
	if err != nil || len(as) != 1 || !as[0].Estimated {
		t.Errorf("detect over Cost Explorer data: %+v, err %v", as, err)
	}
}

func TestCostExplorerErrors(t *testing.T) {
	d, _ := leakedKeyLike(20)
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized to perform: ce:GetCostAndUsage"}
	_, err := (&CostExplorer{API: &fakeCE{d: d, pageSize: 100, err: denied}}).Fetch(t.Context(), d.Start, d.End())
	if !awsx.IsAccessDenied(err) || !strings.Contains(err.Error(), "ce:GetCostAndUsage") {
		t.Errorf("access denied: %v", err)
	}
	_, err = (&CostExplorer{API: &fakeCE{d: d, pageSize: 100, amount: "n/a"}}).Fetch(t.Context(), d.Start, d.End())
	if err == nil || !strings.Contains(err.Error(), `amount "n/a" is not a number`) {
		t.Errorf("bad amount: %v", err)
	}
}

type countingFetcher struct {
	f     Fetcher
	spans []string
}

func (c *countingFetcher) Fetch(ctx context.Context, start, end time.Time) (*Dataset, error) {
	c.spans = append(c.spans, start.Format(DayLayout)+".."+end.Format(DayLayout))
	return c.f.Fetch(ctx, start, end)
}

func TestCacheSavesRequests(t *testing.T) {
	d, _ := leakedKeyLike(62)
	now := d.End().Add(2 * time.Hour)
	api := &fakeCE{d: d, pageSize: 1000}
	cf := &countingFetcher{f: &CostExplorer{API: api}}
	c := Cache{Path: filepath.Join(t.TempDir(), "case", "cost.json"), Now: func() time.Time { return now }}
	first, err := c.Fetch(t.Context(), cf, "", d.Start, d.End())
	if err != nil || first.Requests != 2 {
		t.Fatalf("first fetch: requests %d err %v", first.Requests, err)
	}
	second, err := c.Fetch(t.Context(), cf, "", d.Start, d.End())
	if err != nil || second.Requests != 0 || len(cf.spans) != 1 {
		t.Fatalf("fresh cache: requests %d, fetches %v, err %v", second.Requests, cf.spans, err)
	}
	now = now.Add(24 * time.Hour) // stale: only the unsettled tail is fetched again
	third, err := c.Fetch(t.Context(), cf, "", d.Start, d.End())
	if err != nil {
		t.Fatal(err)
	}
	if len(cf.spans) != 2 || !strings.HasPrefix(cf.spans[1], d.Day(59).Format(DayLayout)) {
		t.Errorf("stale cache fetched %v, want only from %s", cf.spans, d.Day(59).Format(DayLayout))
	}
	if !reflect.DeepEqual(third.Total(), d.Total()) {
		t.Errorf("merged totals differ")
	}
	// A corrupt cache is ignored, not fatal.
	os.WriteFile(c.Path, []byte("{"), 0o644)
	if _, err := c.Fetch(t.Context(), cf, "", d.Start, d.End()); err != nil {
		t.Errorf("corrupt cache: %v", err)
	}
}

func TestReadCURPayerAccounts(t *testing.T) {
	const hdr = "lineItem/UsageAccountId,lineItem/UsageStartDate,lineItem/LineItemType,lineItem/ProductCode,lineItem/UsageType,lineItem/UnblendedCost\n"
	p := writeFile(t, "payer.csv", hdr+
		"111111111111,2026-09-01T00:00:00Z,Usage,AmazonEC2,BoxUsage:m5.large,10\n"+
		"222222222222,2026-09-01T00:00:00Z,Usage,AmazonEC2,BoxUsage:m5.large,5\n"+
		"222222222222,2026-09-02T00:00:00Z,Usage,AmazonEC2,BoxUsage:m5.large,7\n")
	d, errs := ReadCUR([]string{p}, CUROptions{})
	if len(errs) != 0 || d.Account != "" || fmt.Sprint(d.Accounts) != "[111111111111 222222222222]" || d.Total()[0] != 15 {
		t.Errorf("all accounts: %v %q %v %v", errs, d.Account, d.Accounts, d.Total())
	}
	d, errs = ReadCUR([]string{p}, CUROptions{Account: "222222222222"})
	if len(errs) != 0 || d.Account != "222222222222" || d.Accounts != nil || fmt.Sprint(d.Total()) != "[5 7]" {
		t.Errorf("one account: %v %q %v %v", errs, d.Account, d.Accounts, d.Total())
	}
	_, errs = ReadCUR([]string{p}, CUROptions{Account: "333333333333"})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "no usage rows of account 333333333333") {
		t.Errorf("absent account: %v", errs)
	}
}
