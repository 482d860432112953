package jsonx

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system time: the machine is shared, so wall time says
// more about the neighbours than about the code.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSkipRecord skips whole CloudTrail records of the repository's dataset as nested
// values: the scan every record and every object looked into costs.
func BenchmarkSkipRecord(b *testing.B) {
	files, _ := filepath.Glob("../testdata/invictus-aws_dataset/CloudTrail/*.json")
	var recs [][]byte
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		var doc struct{ Records []json.RawMessage }
		if json.Unmarshal(raw, &doc) == nil {
			for _, r := range doc.Records {
				recs = append(recs, bytes.TrimSpace(r))
			}
		}
	}
	if len(recs) == 0 {
		b.Skip("no dataset")
	}
	n := 0
	for _, r := range recs {
		n += len(r)
	}
	b.SetBytes(int64(n / len(recs)))
	c0, ops := cpuTime(), 0
	for i := 0; b.Loop(); i++ {
		ops++
		r := recs[i%len(recs)]
		if end, err := SkipValue(r, 0); err != nil || end != len(r) {
			b.Fatal(end, err)
		}
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(ops), "cpu-ns/op")
}
