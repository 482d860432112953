package trail

import (
	"bufio"
	"io"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/trail/event"
)

// cpuTime is the process's user+system time: on a shared machine wall time says more
// about the neighbours than about the code.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkHunt reads the folder in TRAIL_BENCH_DIR (bench/trail.sh makes one) with every
// rule and detector; BenchmarkReadOnly only reads. Skipped without the variable: the
// figures that count come from bench/trail.sh against the peers, not from here.
func BenchmarkHunt(b *testing.B) {
	dir := os.Getenv("TRAIL_BENCH_DIR")
	if dir == "" {
		b.Skip("TRAIL_BENCH_DIR not set")
	}
	srcs, _ := Files([]string{dir}, Window{})
	e := NewEngine()
	var recs int64
	c0 := cpuTime()
	for b.Loop() {
		res := e.Hunt(b.Context(), srcs, HuntOptions{})
		recs += res.Stats.Records
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(recs), "cpu-ns/record")
}

func BenchmarkReadOnly(b *testing.B) {
	dir := os.Getenv("TRAIL_BENCH_DIR")
	if dir == "" {
		b.Skip("TRAIL_BENCH_DIR not set")
	}
	srcs, _ := Files([]string{dir}, Window{})
	var recs int64
	c0 := cpuTime()
	for b.Loop() {
		st, _ := Read(b.Context(), srcs, ReadOptions{}, func(int, *event.Event) {})
		recs += st.Records
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(recs), "cpu-ns/record")
}

// BenchmarkGunzipOnly is the floor: decompress every file, look at nothing.
func BenchmarkGunzipOnly(b *testing.B) {
	dir := os.Getenv("TRAIL_BENCH_DIR")
	if dir == "" {
		b.Skip("TRAIL_BENCH_DIR not set")
	}
	srcs, _ := Files([]string{dir}, Window{})
	var recs int64
	c0 := cpuTime()
	for b.Loop() {
		var wg sync.WaitGroup
		var next atomic.Int64
		for range 2 {
			wg.Go(func() {
				buf := make([]byte, 256<<10)
				var zr *gzip.Reader
				for {
					i := int(next.Add(1) - 1)
					if i >= len(srcs) {
						return
					}
					f, _ := srcs[i].Open(b.Context())
					br := bufio.NewReaderSize(f, 64<<10)
					if zr == nil {
						zr, _ = gzip.NewReader(br)
					} else {
						zr.Reset(br)
					}
					for {
						if _, err := zr.Read(buf); err != nil {
							break
						}
					}
					f.Close()
				}
			})
		}
		wg.Wait()
		recs += 500 * int64(len(srcs))
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(recs), "cpu-ns/record")
}

// BenchmarkHuntInMemory hunts the first 100 files of TRAIL_BENCH_DIR decompressed in
// memory, on one worker: the hunt's own cost without gunzip, steadier than BenchmarkHunt
// on a shared machine when comparing small changes.
func BenchmarkHuntInMemory(b *testing.B) {
	dir := os.Getenv("TRAIL_BENCH_DIR")
	if dir == "" {
		b.Skip("TRAIL_BENCH_DIR not set")
	}
	srcs, _ := Files([]string{dir}, Window{})
	var mem []Source
	for _, s := range srcs[:min(100, len(srcs))] {
		f, err := s.Open(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		mem = append(mem, memSource{s.Name(), raw})
	}
	e := NewEngine()
	var recs int64
	c0 := cpuTime()
	for b.Loop() {
		res := e.Hunt(b.Context(), mem, HuntOptions{ReadOptions: ReadOptions{Workers: 1}})
		recs += res.Stats.Records
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(recs), "cpu-ns/record")
}
