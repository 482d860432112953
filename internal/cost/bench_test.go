package cost

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// bigAccount is an account with many usage types: 40 services × 5 regions × 10 usage types
// (2,000 lines) over 120 days, the shape of a large CUR.
func bigAccount() *Dataset {
	var lines []line
	for s := range 40 {
		for r, region := range []string{"us-east-1", "us-west-2", "eu-west-1", "ap-northeast-2", "sa-east-1"} {
			for u := range 10 {
				mean := float64(1 + (s*7+r*3+u)%50)
				lines = append(lines, line{Key{fmt.Sprintf("Service %02d", s), region, fmt.Sprintf("%s-Usage%d", RegionCode(region), u)}, weeklyF(mean)})
			}
		}
	}
	return build("2026-07-01", 120, lines...)
}

// BenchmarkDetect judges the last 30 days of a 2,000-line account with every detector.
func BenchmarkDetect(b *testing.B) {
	d := bigAccount()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Detect(b.Context(), d, Options{EvalDays: 30}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadCUR reads that account as a legacy CUR CSV (240,000 rows), against the peer
// encoding/csv reading the same file without interpreting it: the ratio is the cost of
// parsing numbers and dates and building the series.
func BenchmarkReadCUR(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteCUR(&buf, bigAccount(), CURLegacy); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "cur.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("accountguard", func(b *testing.B) {
		b.SetBytes(int64(buf.Len()))
		for b.Loop() {
			if _, err := ReadCURFile(path); err != nil {
				b.Fatal(err)
			}
		}
	})
	d := bigAccount()
	var rows []cur2Row
	for i := range d.Days {
		for _, l := range d.ByUsage {
			rows = append(rows, cur2Row{Date: d.Day(i), Type: "Usage", Service: l.Key.Service, UsageType: l.Key.UsageType,
				Region: l.Key.Region, Cost: l.Values[i], Currency: "USD", Account: "111122223333"})
		}
	}
	pq := writeParquet(b, "cur.parquet", rows, parquet.MaxRowsPerRowGroup(100_000))
	b.Run("accountguard-parquet", func(b *testing.B) {
		for b.Loop() {
			if _, err := ReadCURFile(pq); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-csv", func(b *testing.B) {
		b.SetBytes(int64(buf.Len()))
		for b.Loop() {
			f, _ := os.Open(path)
			r := csv.NewReader(f)
			r.ReuseRecord = true
			for {
				if _, err := r.Read(); err == io.EOF {
					break
				}
			}
			f.Close()
		}
	})
}
