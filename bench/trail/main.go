// Command trailbench measures `accountguard trail hunt` against its peers on the same
// gzipped CloudTrail export folder: gunzip alone (the practical limit), gunzip plus a plain
// encoding/json decode into a typed struct, and DuckDB's read_json with the very rules as
// SQL. It lives in its own module so DuckDB (cgo) never enters the main binary.
//
//	trailbench gen -src DIR -out DIR -records N     replay real records into an export folder
//	trailbench run -data DIR -bin PATH              measure everything, print a table
package main

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/klauspost/compress/gzip"

	"github.com/accountguard/accountguard/internal/inflate"
	"github.com/accountguard/accountguard/internal/trail/rules"
	"github.com/accountguard/accountguard/internal/trail/sigma"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: trailbench gen|run [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "run":
		err = run(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "trailbench:", err)
		os.Exit(1)
	}
}

// ---- generation -----------------------------------------------------------------------

// gen replays the source records (any {"Records":[…]} files) with fresh event IDs and times
// shifted copy by copy, 500 records a file as CloudTrail delivers them.
func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	src := fs.String("src", "", "folder of CloudTrail export files to replay")
	out := fs.String("out", "", "folder to write")
	n := fs.Int("records", 2_000_000, "records to write")
	per := fs.Int("per-file", 500, "records per file")
	fs.Parse(args)
	files, _ := filepath.Glob(filepath.Join(*src, "*.json"))
	var base [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var doc struct{ Records []json.RawMessage }
		if err := json.Unmarshal(b, &doc); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for _, r := range doc.Records {
			base = append(base, []byte(r))
		}
	}
	if len(base) == 0 {
		return fmt.Errorf("no records in %s", *src)
	}
	type loc struct{ id, t int }
	locs := make([]loc, len(base))
	for i, r := range base {
		locs[i] = loc{valueAt(r, `"eventID":"`), valueAt(r, `"eventTime":"`)}
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	nfiles := (*n + *per - 1) / *per
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, runtime.GOMAXPROCS(0))
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var buf bytes.Buffer
			for {
				fi := int(next.Add(1) - 1)
				if fi >= nfiles {
					return
				}
				delivered := start.Add(time.Duration(fi) * 5 * time.Minute)
				dir := filepath.Join(*out, "AWSLogs", "123837392027", "CloudTrail", "us-east-1", delivered.Format("2006/01/02"))
				if err := os.MkdirAll(dir, 0o755); err != nil {
					errs <- err
					return
				}
				buf.Reset()
				zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
				io.WriteString(zw, `{"Records":[`)
				for k := 0; k < *per && fi**per+k < *n; k++ {
					g := fi**per + k
					r := slices.Clone(base[g%len(base)])
					if l := locs[g%len(base)]; l.id > 0 && l.t > 0 {
						copy(r[l.id:], fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", g, g>>16&0xffff, g&0xfff, (g>>4)&0xfff, g))
						t := delivered.Add(-time.Duration(k%300) * time.Second)
						copy(r[l.t:], t.Format("2006-01-02T15:04:05Z"))
					}
					if k > 0 {
						zw.Write([]byte{','})
					}
					zw.Write(r)
				}
				io.WriteString(zw, "]}")
				zw.Close()
				name := fmt.Sprintf("123837392027_CloudTrail_us-east-1_%s_%08d.json.gz", delivered.Format("20060102T1504Z"), fi)
				if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*out, "records.txt"), []byte(strconv.Itoa(*n)+"\n"), 0o644)
}

// valueAt returns the offset of the first byte of the string value after key, or -1.
func valueAt(r []byte, key string) int {
	i := bytes.Index(r, []byte(key))
	if i < 0 {
		return -1
	}
	return i + len(key)
}

// ---- measurement ----------------------------------------------------------------------

type result struct {
	name    string
	seconds float64
	cpu     float64 // user+system seconds
	maxRSS  int64   // KiB, -1 when not measured separately
	note    string
}

func run(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	data := fs.String("data", "", "export folder made by gen")
	bin := fs.String("bin", "", "accountguard binary")
	half := fs.String("half", "", "optional: a folder with half the records, to show memory does not grow")
	skipDuck := fs.Bool("skip-duckdb", false, "do not run DuckDB")
	reps := fs.Int("reps", 3, "runs of the hunt and of gunzip only, alternating; the median (by wall time) of each is shown: on a shared machine one run says little")
	fs.Parse(args)
	nb, err := os.ReadFile(filepath.Join(*data, "records.txt"))
	if err != nil {
		return err
	}
	records, _ := strconv.Atoi(strings.TrimSpace(string(nb)))
	files, err := listFiles(*data)
	if err != nil {
		return err
	}
	var sz int64
	for _, f := range files {
		st, _ := os.Stat(f)
		sz += st.Size()
	}
	fmt.Printf("input: %d records in %d .json.gz files (%.0f MB), GOMAXPROCS %d\n\n", records, len(files), float64(sz)/1e6, runtime.GOMAXPROCS(0))

	var res []result
	// The hunt runs in its own process, so its peak memory is its own. The hunt and gunzip
	// only alternate, so that both see the machine in the same states.
	var hunts, halves, gunzips, inflates []result
	var huntJSON []byte
	for range max(1, *reps) {
		hunt, out, err := runHunt(*bin, *data)
		if err != nil {
			return err
		}
		hunts, huntJSON = append(hunts, hunt), out
		if *half != "" {
			h, _, err := runHunt(*bin, *half)
			if err != nil {
				return err
			}
			h.name = "accountguard trail hunt (half the input)"
			halves = append(halves, h)
		}
		gunzips = append(gunzips, timeIt("gunzip only (klauspost/compress, all cores)", func() string { return gunzipOnly(files) }))
		inflates = append(inflates, timeIt("gunzip only (accountguard's inflate, all cores)", func() string { return inflateOnly(files) }))
	}
	res = append(res, median(hunts))
	if len(halves) > 0 {
		res = append(res, median(halves))
	}
	res = append(res, median(gunzips), median(inflates))
	res = append(res, timeIt("gunzip + encoding/json typed decode, all cores", func() string { return stdJSON(files) }))
	var duckCounts map[string]int64
	if !*skipDuck {
		var derr error
		res = append(res, timeIt("DuckDB read_json + rules as SQL (threads=GOMAXPROCS)", func() string {
			duckCounts, derr = duckdb(*data)
			if derr != nil {
				return "error: " + derr.Error()
			}
			return fmt.Sprintf("%d rules as SQL", len(duckCounts))
		}))
	}
	fmt.Printf("%-58s %9s %11s %9s %14s %9s  %s\n", "", "wall s", "records/s", "cpu s", "rec/cpu-s x2", "peak MiB", "")
	rate := map[string]float64{}
	crate := map[string]float64{}
	for _, r := range res {
		n := float64(records)
		if strings.Contains(r.name, "half") {
			n /= 2
		}
		rs := n / r.seconds
		rate[r.name] = rs
		// records per CPU-second, times the cores: the rate on 2 idle cores
		cr := n / r.cpu * float64(runtime.GOMAXPROCS(0))
		crate[r.name] = cr
		mem := "-"
		if r.maxRSS > 0 {
			mem = fmt.Sprintf("%.0f", float64(r.maxRSS)/1024)
		}
		fmt.Printf("%-58s %9.2f %11.0f %9.2f %14.0f %9s  %s\n", r.name, r.seconds, rs, r.cpu, cr, mem, r.note)
	}
	h, hc := rate[res[0].name], crate[res[0].name]
	fmt.Println()
	fmt.Printf("%-57s %8s %8s\n", "ratio", "wall", "cpu")
	for _, r := range res[1:] {
		if strings.Contains(r.name, "half") {
			continue
		}
		fmt.Printf("hunt / %-50s %8.2f %8.2f\n", r.name, h/rate[r.name], hc/crate[r.name])
	}
	if len(hunts) > 1 {
		// On a shared machine a run is as often slowed by its neighbours as not: the
		// fastest runs of each say most about the code.
		fmt.Printf("hunt / gunzip only, fastest run of each (wall, cpu): klauspost %.2f %.2f, inflate %.2f %.2f\n",
			best(gunzips, false)/best(hunts, false), best(gunzips, true)/best(hunts, true),
			best(inflates, false)/best(hunts, false), best(inflates, true)/best(hunts, true))
	}
	if duckCounts != nil {
		fmt.Println()
		compareCounts(huntJSON, duckCounts)
	}
	return nil
}

func listFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json.gz") {
			files = append(files, p)
		}
		return err
	})
	sort.Strings(files)
	return files, err
}

// median returns the run with the median wall time, noting how many runs there were.
func median(rs []result) result {
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b result) int { return cmp.Compare(a.seconds, b.seconds) })
	m := sorted[len(sorted)/2]
	if len(rs) > 1 {
		m.note += fmt.Sprintf(" (median of %d runs: %.2f–%.2f s)", len(rs), sorted[0].seconds, sorted[len(sorted)-1].seconds)
	}
	return m
}

// best is the shortest wall (or CPU) time of rs.
func best(rs []result, cpu bool) float64 {
	b := math.Inf(1)
	for _, r := range rs {
		if cpu {
			b = min(b, r.cpu)
		} else {
			b = min(b, r.seconds)
		}
	}
	return b
}

func timeIt(name string, fn func() string) result {
	runtime.GC()
	t, c := time.Now(), cpuSelf()
	note := fn()
	return result{name: name, seconds: time.Since(t).Seconds(), cpu: cpuSelf() - c, note: note}
}

func cpuSelf() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func runHunt(bin, dir string) (result, []byte, error) {
	cmd := exec.Command(bin, "trail", "hunt", dir, "-o", "json", "--fail-on", "critical", "--quiet")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	t := time.Now()
	err := cmd.Run()
	secs := time.Since(t).Seconds()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
		err = nil // findings
	}
	if err != nil {
		return result{}, nil, fmt.Errorf("hunt: %v: %s", err, errb.String())
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var fs []map[string]any
	json.Unmarshal(out.Bytes(), &fs)
	return result{name: "accountguard trail hunt (all rules + detectors)", seconds: secs, maxRSS: ru.Maxrss,
		cpu:  float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9,
		note: fmt.Sprintf("%d findings", len(fs))}, out.Bytes(), nil
}

// perWorker runs over files on GOMAXPROCS goroutines, each with the function newWorker
// makes for it (its own decoder and buffers), and sums what they return.
func perWorker(files []string, newWorker func() func(path string) int64) int64 {
	var next, total atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			fn := newWorker()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				total.Add(fn(files[i]))
			}
		})
	}
	wg.Wait()
	return total.Load()
}

// each runs fn over files on GOMAXPROCS goroutines, each file through a gzip reader.
func each(files []string, fn func(f string, gz *gzip.Reader) int64) int64 {
	return perWorker(files, func() func(string) int64 {
		var gz *gzip.Reader
		return func(path string) int64 {
			f, err := os.Open(path)
			if err != nil {
				panic(err)
			}
			defer f.Close()
			if gz == nil {
				gz, err = gzip.NewReader(f)
			} else {
				err = gz.Reset(f)
			}
			if err != nil {
				panic(err)
			}
			return fn(path, gz)
		}
	})
}

func gunzipOnly(files []string) string {
	var bufs sync.Pool
	n := each(files, func(_ string, gz *gzip.Reader) int64 {
		b, _ := bufs.Get().(*[]byte)
		if b == nil {
			nb := make([]byte, 256<<10)
			b = &nb
		}
		var n int64
		for {
			k, err := gz.Read(*b)
			n += int64(k)
			if err != nil {
				break
			}
		}
		bufs.Put(b)
		return n
	})
	return fmt.Sprintf("%.0f MB uncompressed", float64(n)/1e6)
}

// inflateOnly is gunzipOnly with the decoder the hunt uses for files it reads whole
// (internal/inflate): the hunt's own floor, shown beside the klauspost one.
func inflateOnly(files []string) string {
	n := perWorker(files, func() func(string) int64 {
		var (
			d       inflate.Decoder
			in, out []byte
		)
		return func(path string) int64 {
			f, err := os.Open(path)
			if err != nil {
				panic(err)
			}
			in = in[:0]
			for {
				if len(in) == cap(in) {
					in = slices.Grow(in, 64<<10)
				}
				n, err := f.Read(in[len(in):cap(in)])
				in = in[:len(in)+n]
				if err != nil {
					break
				}
			}
			f.Close()
			if out, err = d.Gunzip(out, in, 1<<30); err != nil {
				panic(fmt.Sprintf("%s: %v", path, err))
			}
			return int64(len(out))
		}
	})
	return fmt.Sprintf("%.0f MB uncompressed", float64(n)/1e6)
}

// ctRecord is what a typed decoder would keep: the fields the rules read.
type ctRecord struct {
	EventTime    string `json:"eventTime"`
	EventSource  string `json:"eventSource"`
	EventName    string `json:"eventName"`
	AWSRegion    string `json:"awsRegion"`
	SourceIP     string `json:"sourceIPAddress"`
	UserAgent    string `json:"userAgent"`
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
	EventID      string `json:"eventID"`
	EventType    string `json:"eventType"`
	UserIdentity struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		AccessKeyID    string `json:"accessKeyId"`
		UserName       string `json:"userName"`
		SessionContext struct {
			SessionIssuer struct {
				Type string `json:"type"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	RequestParameters   json.RawMessage `json:"requestParameters"`
	ResponseElements    json.RawMessage `json:"responseElements"`
	AdditionalEventData json.RawMessage `json:"additionalEventData"`
}

func stdJSON(files []string) string {
	n := each(files, func(name string, gz *gzip.Reader) int64 {
		var doc struct{ Records []ctRecord }
		if err := json.NewDecoder(gz).Decode(&doc); err != nil {
			panic(fmt.Sprintf("%s: %v", name, err))
		}
		return int64(len(doc.Records))
	})
	return fmt.Sprintf("%d records decoded", n)
}

// duckdb runs every loadable rule as one SQL query (a FILTERed count per rule) over the
// same files, each record's fields extracted once with one json_extract_string call.
func duckdb(dir string) (map[string]int64, error) {
	rs, _ := rules.Load()
	var (
		paths []string
		idx   = map[string]int{}
	)
	field := func(p string) string {
		i, ok := idx[p]
		if !ok {
			i = len(paths)
			idx[p] = i
			paths = append(paths, p)
		}
		return fmt.Sprintf("f[%d]", i+1)
	}
	var aggs, names []string
	for _, r := range rs {
		cond, err := r.SQL(field, "rec::VARCHAR")
		if err != nil {
			continue
		}
		names = append(names, ruleName(r))
		aggs = append(aggs, fmt.Sprintf("count(*) FILTER (WHERE coalesce(%s, false)) AS r%d", cond, len(aggs)))
	}
	var jp []string
	for _, p := range paths {
		jp = append(jp, "'$."+p+"'")
	}
	q := fmt.Sprintf(`WITH recs AS (
  SELECT unnest(Records) AS rec FROM read_json('%s/**/*.json.gz', columns={'Records': 'JSON[]'}, compression='gzip', format='auto', maximum_object_size=1073741824)
), f AS (SELECT rec, json_extract_string(rec, [%s]) AS f FROM recs)
SELECT count(*), %s FROM f`, dir, strings.Join(jp, ", "), strings.Join(aggs, ",\n  "))
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.Exec(fmt.Sprintf("SET threads=%d", runtime.GOMAXPROCS(0))); err != nil {
		return nil, err
	}
	os.WriteFile(filepath.Join(os.TempDir(), "trailbench.sql"), []byte(q), 0o644)
	row := db.QueryRowContext(context.Background(), q)
	vals := make([]any, len(aggs)+1)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := row.Scan(ptrs...); err != nil {
		return nil, err
	}
	out := map[string]int64{"_records": toInt(vals[0])}
	for i, n := range names {
		out[n] = toInt(vals[i+1])
	}
	return out, nil
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case uint64:
		return int64(x)
	}
	return -1
}

func ruleName(r *sigma.Rule) string {
	base := filepath.Base(r.File)
	return strings.TrimSuffix(base, ".yml")
}

// compareCounts sums the hunt's per-rule match counts and compares them with DuckDB's.
func compareCounts(huntJSON []byte, duck map[string]int64) {
	var fs []struct {
		RuleID     string            `json:"rule_id"`
		Attributes map[string]string `json:"attributes"`
	}
	json.Unmarshal(huntJSON, &fs)
	hunt := map[string]int64{}
	for _, f := range fs {
		if c, err := strconv.ParseInt(f.Attributes["count"], 10, 64); err == nil && f.Attributes["rule_file"] != "" {
			hunt[f.RuleID] += c
		}
	}
	fmt.Printf("DuckDB read %d records.\n", duck["_records"])
	var same, diff, matched int
	for name, d := range duck {
		if name == "_records" {
			continue
		}
		if d > 0 {
			matched++
		}
		if hunt[name] == d {
			same++
			continue
		}
		diff++
		fmt.Printf("  rule %-55s hunt %8d  duckdb %8d\n", name, hunt[name], d)
	}
	fmt.Printf("rules with the same match count in hunt and DuckDB: %d of %d (%d rules matched something)\n", same, same+diff, matched)
}
