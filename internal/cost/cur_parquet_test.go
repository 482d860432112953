package cost

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// cur2Row is a CUR 2.0 row as Data Exports writes it in Parquet (a subset of its columns,
// plus the nested product map, which the reader must skip).
type cur2Row struct {
	Date      time.Time         `parquet:"line_item_usage_start_date,timestamp(millisecond)"`
	Type      string            `parquet:"line_item_line_item_type"`
	Service   string            `parquet:"product_product_name"`
	UsageType string            `parquet:"line_item_usage_type"`
	Region    string            `parquet:"product_region_code,optional"`
	Cost      float64           `parquet:"line_item_unblended_cost"`
	Currency  string            `parquet:"line_item_currency_code"`
	Account   string            `parquet:"line_item_usage_account_id"`
	Product   map[string]string `parquet:"product"`
}

type cur2BadRow struct {
	Date      string `parquet:"line_item_usage_start_date"`
	Service   string `parquet:"product_product_name"`
	UsageType string `parquet:"line_item_usage_type"`
	Cost      string `parquet:"line_item_unblended_cost"`
}

func writeParquet[T any](t testing.TB, name string, rows []T, opts ...parquet.WriterOption) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts) == 0 {
		opts = []parquet.WriterOption{parquet.MaxRowsPerRowGroup(64)} // several row groups even in small tests
	}
	w := parquet.NewGenericWriter[T](f, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

func TestCURParquetReadsLikeCSV(t *testing.T) {
	d, _ := leakedKeyLike(62)
	d.Account, d.Source, d.Unknown = "111122223333", "cur", make([]bool, d.Days)
	var rows []cur2Row
	for i := range d.Days {
		for _, l := range d.ByUsage {
			if l.Values[i] == 0 {
				continue
			}
			// Two half-day rows per line and day, as hourly CURs split a day.
			for h := range 2 {
				rows = append(rows, cur2Row{Date: d.Day(i).Add(time.Duration(h*12) * time.Hour), Type: "Usage", Service: l.Key.Service,
					UsageType: l.Key.UsageType, Region: l.Key.Region, Cost: l.Values[i] / 2, Currency: "USD", Account: d.Account,
					Product: map[string]string{"instance_type": "x"}})
			}
		}
		if d.Day(i).Day() == 1 {
			rows = append(rows, cur2Row{Date: d.Day(i), Type: "Tax", Service: "Tax", Cost: 99, Currency: "USD", Account: d.Account})
		}
	}
	got, err := ReadCURFile(writeParquet(t, "cur2.parquet", rows))
	if err != nil {
		t.Fatal(err)
	}
	// Halves of a float may not add up to the last bit: compare to the cent.
	if got.Days != d.Days || !got.Start.Equal(d.Start) || got.Account != d.Account || got.Currency != "USD" || len(got.ByUsage) != len(d.ByUsage) {
		t.Fatalf("parquet dataset %d days from %s, %d usage lines", got.Days, got.Start, len(got.ByUsage))
	}
	for i, l := range got.ByUsage {
		if l.Key != d.ByUsage[i].Key {
			t.Fatalf("line %d: key %v, want %v", i, l.Key, d.ByUsage[i].Key)
		}
		for day, v := range l.Values {
			if diff := v - d.ByUsage[i].Values[day]; diff > 0.005 || diff < -0.005 {
				t.Fatalf("%v on day %d: %v, want %v", l.Key, day, v, d.ByUsage[i].Values[day])
			}
		}
	}
	if !reflect.DeepEqual(got.Estimated, d.Estimated) {
		t.Error("estimated flags differ")
	}
	as, err := Detect(t.Context(), got, Options{})
	if err != nil || len(as) != 1 || as[0].Contributors[0].Description != "EC2: g4dn.12xlarge BoxUsage in ap-south-1" {
		t.Errorf("detect over parquet: %+v, %v", as, err)
	}
}

func TestCURParquetBadInput(t *testing.T) {
	path := writeParquet(t, "bad.parquet", []cur2BadRow{
		{Date: "2026-09-01T00:00:00Z", Service: "AmazonEC2", UsageType: "BoxUsage:m5.large", Cost: "1.5"},
		{Date: "2026-09-01T01:00:00Z", Service: "AmazonEC2", UsageType: "BoxUsage:m5.large", Cost: "lots"},
	})
	if _, err := ReadCURFile(path); err == nil || !strings.Contains(err.Error(), `bad.parquet row 2: line_item_unblended_cost "lots" is not a number`) {
		t.Errorf("err %v", err)
	}
	type noCost struct {
		Date string `parquet:"line_item_usage_start_date"`
	}
	path = writeParquet(t, "nocost.parquet", []noCost{{Date: "2026-09-01"}})
	if _, err := ReadCURFile(path); err == nil || !strings.Contains(err.Error(), "nocost.parquet: missing column") {
		t.Errorf("err %v", err)
	}
	trunc := filepath.Join(t.TempDir(), "trunc.parquet")
	os.WriteFile(trunc, []byte("PAR1 not really"), 0o644)
	if _, err := ReadCURFile(trunc); err == nil || !strings.Contains(err.Error(), "trunc.parquet: parquet") {
		t.Errorf("err %v", err)
	}
}
