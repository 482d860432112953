package cost

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

// curColumns names, for each field read, the column in the legacy CUR and in CUR 2.0 (and
// the alternatives AWS has used); the first present is read. Files are read by header name,
// never by position, since AWS adds columns over time.
var curColumns = map[string][]string{
	"date":      {"lineItem/UsageStartDate", "line_item_usage_start_date"},
	"cost":      {"lineItem/UnblendedCost", "line_item_unblended_cost"},
	"service":   {"product/ProductName", "product_product_name", "lineItem/ProductCode", "line_item_product_code"},
	"usageType": {"lineItem/UsageType", "line_item_usage_type"},
	"region":    {"product/regionCode", "product_region_code", "product/region", "product_region"},
	"type":      {"lineItem/LineItemType", "line_item_line_item_type"},
	"currency":  {"lineItem/CurrencyCode", "line_item_currency_code"},
	"account":   {"lineItem/UsageAccountId", "line_item_usage_account_id"},
}

var curRequired = []string{"date", "cost", "service", "usageType"}

// curTimeLayouts are the timestamp forms seen in CUR files (legacy, 2.0, and spreadsheets).
var curTimeLayouts = []string{time.RFC3339, "2006-01-02T15:04:05.000Z", "2006-01-02T15:04Z", "2006-01-02 15:04:05", "2006-01-02 15:04:05.000", DayLayout}

// curFile is what one file yielded. CUR rows (hourly, per resource) are summed into cells
// of (line, day) as they are read, so memory grows with lines × days, not with rows; lines
// are interned to small IDs so a row costs one hash of its strings.
type curFile struct {
	ids        map[Key]int32
	keys       []Key
	sums       map[[2]int32]float64 // (line ID, day number) → cost
	rows       int                  // usage rows read
	first      time.Time
	last       time.Time
	currency   string
	accounts   map[string]int // usage rows per usage account
	skippedFee int            // non-usage rows left out
	otherAcct  int            // rows of accounts other than the one asked for
}

func newCURFile() *curFile {
	return &curFile{ids: map[Key]int32{}, sums: map[[2]int32]float64{}, accounts: map[string]int{}}
}

// add sums cost into the cell of k on day; k's strings are copied when first seen, since the
// CSV reader's fields share one string per record and a kept key would keep the whole line.
func (cf *curFile) add(k Key, day time.Time, cost float64) {
	id, ok := cf.ids[k]
	if !ok {
		k = Key{Service: strings.Clone(k.Service), Region: strings.Clone(k.Region), UsageType: strings.Clone(k.UsageType)}
		id = int32(len(cf.keys))
		cf.ids[k] = id
		cf.keys = append(cf.keys, k)
	}
	cf.sums[[2]int32{id, int32(day.Unix() / 86400)}] += cost
}

// ReadCURFile reads one CUR file (CSV or gzipped CSV, legacy or 2.0). A missing required
// column, a cost or date that does not parse, or a file without a single usable row is an
// error naming the file (and line); the whole file is then left out, never half read.
func ReadCURFile(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("CUR %s: %w", path, err)
	}
	defer f.Close()
	cf, err := readCUR(path, f, "")
	if err != nil {
		return nil, err
	}
	return cf.dataset(), nil
}

// CUROptions adjust ReadCUR.
type CUROptions struct {
	// Account keeps only the rows of this usage account (a payer's CUR holds every member's).
	Account string
	// OnFile is called after each file, read or not (for progress).
	OnFile func(path string)
}

// ReadCUR reads several CUR files into one dataset. A file that fails is reported in errs
// (one error per file) and the others are still read; the days no file covers are unknown.
func ReadCUR(paths []string, o CUROptions) (*Dataset, []error) {
	done := func(p string) {
		if o.OnFile != nil {
			o.OnFile(p)
		}
	}
	var files []*curFile
	var errs []error
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("CUR %s: %w", p, err))
			done(p)
			continue
		}
		cf, err := readCUR(p, f, o.Account)
		f.Close()
		done(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files = append(files, cf)
	}
	if len(files) == 0 {
		if len(errs) == 0 {
			errs = append(errs, fmt.Errorf("CUR: no files given: %w", ErrEmpty))
		}
		return nil, errs
	}
	all := newCURFile()
	all.first, all.last, all.currency = files[0].first, files[0].last, files[0].currency
	covered := map[time.Time]bool{}
	for i, cf := range files {
		if cf.currency != "" && all.currency != "" && cf.currency != all.currency {
			errs = append(errs, fmt.Errorf("CUR %s: currency %s differs from %s in %s; file left out", paths[i], cf.currency, all.currency, paths[0]))
			continue
		}
		for c, v := range cf.sums {
			all.add(cf.keys[c[0]], time.Unix(int64(c[1])*86400, 0).UTC(), v)
		}
		for a, n := range cf.accounts {
			all.accounts[a] += n
		}
		all.rows += cf.rows
		if cf.first.Before(all.first) {
			all.first = cf.first
		}
		if cf.last.After(all.last) {
			all.last = cf.last
		}
		for d := cf.first; !d.After(cf.last); d = d.AddDate(0, 0, 1) {
			covered[d] = true
		}
	}
	if err := checkSpan(all.first, all.last); err != nil {
		return nil, append(errs, fmt.Errorf("CUR files together: %w", err))
	}
	d := all.dataset()
	for i := range d.Days {
		if !covered[d.Day(i)] {
			d.Unknown[i] = true
		}
	}
	return d, errs
}

func readCUR(path string, f *os.File, account string) (*curFile, error) {
	var magic [4]byte
	if n, _ := f.ReadAt(magic[:], 0); n == 4 && string(magic[:]) == "PAR1" {
		return readParquetCUR(path, f, account)
	}
	br := bufio.NewReaderSize(f, 1<<16)
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("CUR %s: gzip: %w", path, err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 1<<16)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("CUR %s: empty file: %w", path, ErrEmpty)
	}
	if err != nil {
		return nil, fmt.Errorf("CUR %s: header: %w", path, err)
	}
	header = append([]string(nil), header...) // ReuseRecord: the next Read overwrites it
	return parseCURRows(path, header, account, func() ([]string, string, error) {
		rec, err := cr.Read()
		if err != nil {
			return nil, "", err
		}
		line, _ := cr.FieldPos(0)
		return rec, "line " + strconv.Itoa(line), nil
	})
}

// parseCURRows reads rows by header name, whatever the file format: next returns a row (as
// text), where it is ("line 3", "row 17"), or io.EOF.
func parseCURRows(path string, header []string, account string, next func() ([]string, string, error)) (*curFile, error) {
	col := map[string]int{}
	for field, names := range curColumns {
		col[field] = -1
		for _, n := range names {
			for i, h := range header {
				if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), n) {
					col[field] = i
					break
				}
			}
			if col[field] >= 0 {
				break
			}
		}
	}
	for _, field := range curRequired {
		if col[field] < 0 {
			return nil, fmt.Errorf("CUR %s: missing column %s (is this a Cost and Usage Report?)", path, strings.Join(curColumns[field], " or "))
		}
	}
	cf := newCURFile()
	get := func(rec []string, field string) string {
		if i := col[field]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for {
		rec, where, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("CUR %s: %w", path, err)
		}
		acct := get(rec, "account")
		if account != "" && acct != account {
			cf.otherAcct++
			continue
		}
		if IsNonUsage(get(rec, "type")) {
			cf.skippedFee++
			continue
		}
		rawCost := get(rec, "cost")
		cost, err := strconv.ParseFloat(rawCost, 64)
		if err != nil || math.IsNaN(cost) || math.IsInf(cost, 0) {
			return nil, fmt.Errorf("CUR %s %s: %s %q is not a number", path, where, header[col["cost"]], rawCost)
		}
		rawDate := get(rec, "date")
		ts, err := parseCURTime(rawDate)
		if err != nil {
			return nil, fmt.Errorf("CUR %s %s: %s %q is not a date", path, where, header[col["date"]], rawDate)
		}
		service := get(rec, "service")
		if service == "" {
			return nil, fmt.Errorf("CUR %s %s: empty %s", path, where, header[col["service"]])
		}
		ut := get(rec, "usageType")
		region := get(rec, "region")
		if region == "" {
			region = RegionOfUsageType(ut)
		}
		if cur := get(rec, "currency"); cur != "" {
			if cf.currency == "" {
				cf.currency = cur
			} else if cf.currency != cur {
				return nil, fmt.Errorf("CUR %s %s: currency %s after %s", path, where, cur, cf.currency)
			}
		}
		if _, ok := cf.accounts[acct]; !ok {
			acct = strings.Clone(acct)
		}
		cf.accounts[acct]++
		day := truncDay(ts)
		if cf.rows == 0 || day.Before(cf.first) {
			cf.first = day
		}
		if cf.rows == 0 || day.After(cf.last) {
			cf.last = day
		}
		cf.rows++
		cf.add(Key{Service: service, Region: normRegion(region), UsageType: ut}, day, cost)
	}
	if cf.rows == 0 {
		if account != "" && cf.otherAcct > 0 {
			return nil, fmt.Errorf("CUR %s: no usage rows of account %s (%d rows of other accounts): %w", path, account, cf.otherAcct, ErrEmpty)
		}
		return nil, fmt.Errorf("CUR %s: no usage rows (%d non-usage rows left out): %w", path, cf.skippedFee, ErrEmpty)
	}
	if err := checkSpan(cf.first, cf.last); err != nil {
		return nil, fmt.Errorf("CUR %s: %w", path, err)
	}
	return cf, nil
}

func parseCURTime(s string) (time.Time, error) {
	// Legacy CUR can hold an interval "start/end" in identity/TimeInterval; the usage start
	// column holds one instant, but be lenient with a trailing "/…".
	s, _, _ = strings.Cut(s, "/")
	for _, l := range curTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unknown time format %q", s)
}

func (cf *curFile) dataset() *Dataset {
	days := int(math.Round(cf.last.Sub(cf.first).Hours()/24)) + 1
	first := int32(cf.first.Unix() / 86400)
	usage := make([][]float64, len(cf.keys))
	for c, v := range cf.sums {
		if usage[c[0]] == nil {
			usage[c[0]] = make([]float64, days)
		}
		usage[c[0]][c[1]-first] += v
	}
	b := newBuilder(cf.first, days)
	for id, vs := range usage {
		if vs == nil {
			continue
		}
		k := cf.keys[id]
		b.byUsage[k] = vs
		rk := Key{Service: k.Service, Region: k.Region}
		acc, ok := b.byRegion[rk]
		if !ok {
			acc = make([]float64, days)
			b.byRegion[rk] = acc
		}
		for i, v := range vs {
			acc[i] += v
		}
	}
	var accounts []string
	for a := range cf.accounts {
		if a != "" {
			accounts = append(accounts, a)
		}
	}
	slices.Sort(accounts)
	account := ""
	if len(accounts) == 1 {
		account, accounts = accounts[0], nil
	}
	return &Dataset{Account: account, Accounts: accounts, Source: "cur", Currency: cf.currency, Start: cf.first, Days: days,
		Estimated: make([]bool, days), Unknown: make([]bool, days), ByRegion: b.lines(b.byRegion), ByUsage: b.lines(b.byUsage)}
}

// CURFormat picks the column names WriteCUR uses.
type CURFormat int

const (
	CURLegacy CURFormat = iota // lineItem/UnblendedCost …
	CUR2                       // line_item_unblended_cost …
)

// WriteCUR writes d's usage-type lines as a minimal CUR CSV (one row per line and day with a
// cost), which ReadCURFile reads back to the same dataset. Used for exports and tests.
func WriteCUR(w io.Writer, d *Dataset, format CURFormat) error {
	fields := []string{"date", "account", "type", "service", "usageType", "region", "cost", "currency"}
	pick := 0
	if format == CUR2 {
		pick = 1
	}
	header := make([]string, len(fields))
	for i, f := range fields {
		names := curColumns[f]
		header[i] = names[min(pick, len(names)-1)]
		if f == "service" && format == CUR2 {
			header[i] = "product_product_name"
		}
		if f == "region" {
			header[i] = map[CURFormat]string{CURLegacy: "product/regionCode", CUR2: "product_region_code"}[format]
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write CUR: %w", err)
	}
	lines := d.ByUsage
	if len(lines) == 0 {
		lines = d.ByRegion
	}
	currency := d.Currency
	if currency == "" {
		currency = "USD"
	}
	for i := range d.Days {
		ts := d.Day(i).Format("2006-01-02T15:04:05Z")
		for _, l := range lines {
			if l.Values[i] == 0 {
				continue
			}
			region := l.Key.Region
			if region == "global" {
				region = ""
			}
			rec := []string{ts, d.Account, "Usage", l.Key.Service, l.Key.UsageType, region, strconv.FormatFloat(l.Values[i], 'f', -1, 64), currency}
			if err := cw.Write(rec); err != nil {
				return fmt.Errorf("write CUR: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CUR: %w", err)
	}
	return nil
}

// checkSpan refuses usage dates more than MaxDays apart.
func checkSpan(first, last time.Time) error {
	if days := int(last.Sub(first).Hours()/24) + 1; days > MaxDays {
		return fmt.Errorf("usage dates span %d days (%s to %s), more than %d", days, first.Format(DayLayout), last.Format(DayLayout), MaxDays)
	}
	return nil
}
