package cost

import (
	"os"
	"path/filepath"
	"testing"
)

// TestEachDayJudgedOnThePastOnly checks that what Detect says about a day does not change
// when later days are added: the anomalous days up to day k are the same whether the data
// ends at k or goes on.
func TestEachDayJudgedOnThePastOnly(t *testing.T) {
	d, _ := leakedKeyLike(62)
	anomalousDays := func(ds *Dataset) map[string]bool {
		as, err := Detect(t.Context(), ds, Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, a := range as {
			for day := a.Start; !day.After(a.End); day = day.AddDate(0, 0, 1) {
				out[day.Format(DayLayout)] = true
			}
		}
		return out
	}
	full := anomalousDays(d)
	for k := 20; k <= d.Days; k++ {
		part := anomalousDays(Slice(d, d.Start, d.Day(k)))
		for day := d.Start; day.Before(d.Day(k)); day = day.AddDate(0, 0, 1) {
			key := day.Format(DayLayout)
			if part[key] != full[key] {
				t.Fatalf("day %s: anomalous %v with data to %s, %v with all data", key, part[key], d.Day(k-1).Format(DayLayout), full[key])
			}
		}
	}
	if len(full) != 2 {
		t.Errorf("anomalous days %v, want the two spike days", full)
	}
}

// FuzzReadCUR feeds arbitrary bytes to the CUR reader: it may refuse them, never panic.
func FuzzReadCUR(f *testing.F) {
	f.Add([]byte("lineItem/UsageStartDate,lineItem/UnblendedCost,product/ProductName,lineItem/UsageType\n2026-09-01T00:00:00Z,1.5,AmazonEC2,BoxUsage:m5.large\n"))
	f.Add([]byte("line_item_usage_start_date,line_item_unblended_cost,line_item_product_code,line_item_usage_type,line_item_line_item_type\n2026-09-01 00:00:00,NaN,AmazonEC2,x,Usage\n"))
	f.Add([]byte("\x1f\x8b\x08\x00"))
	f.Add([]byte("PAR1\x00\x00PAR1"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Skip()
		}
		d, err := ReadCURFile(path)
		if err == nil {
			if verr := d.Validate(); verr != nil {
				t.Fatalf("accepted an invalid dataset: %v", verr)
			}
		}
	})
}
