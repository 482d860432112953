package cost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// Fetcher reads days [start, end) from a billed source (CostExplorer).
type Fetcher interface {
	Fetch(ctx context.Context, start, end time.Time) (*Dataset, error)
}

// Cache keeps Cost Explorer results in a file, so re-running costs nothing while the data is
// fresh and only the unsettled tail is paid for again later. Settled days (older than
// SettleDays when fetched, not estimated) are kept; the rest is fetched anew.
type Cache struct {
	Path       string
	TTL        time.Duration // reuse the whole file when younger; default 6 h
	SettleDays int           // days AWS may still revise; default 3
	Now        func() time.Time
}

func (c Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Load reads the cache; a missing file is (nil, nil).
func (c Cache) Load() (*Dataset, error) {
	b, err := os.ReadFile(c.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cost cache %s: %w", c.Path, err)
	}
	var d Dataset
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("cost cache %s: %w", c.Path, err)
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("cost cache %s: %w", c.Path, err)
	}
	return &d, nil
}

// Save writes d atomically (a temporary file renamed over the old one), so a crash never
// leaves half a cache.
func (c Cache) Save(d *Dataset) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode cost cache: %w", err)
	}
	if dir := filepath.Dir(c.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("cost cache %s: %w", c.Path, err)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.Path), ".cost-cache-*")
	if err != nil {
		return fmt.Errorf("cost cache %s: %w", c.Path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write cost cache %s: %w", c.Path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write cost cache %s: %w", c.Path, err)
	}
	if err := os.Rename(tmp.Name(), c.Path); err != nil {
		return fmt.Errorf("cost cache %s: %w", c.Path, err)
	}
	return nil
}

// FetchFrom is what Fetch would request: the first day to fetch given the cache (start when
// nothing is usable, end when the cache is fresh and covers the period).
func (c Cache) FetchFrom(cached *Dataset, account string, start, end time.Time) time.Time {
	start, end = truncDay(start), truncDay(end)
	if cached == nil || (account != "" && cached.Account != "" && cached.Account != account) || cached.Start.After(start) {
		return start
	}
	ttl := c.TTL
	if ttl == 0 {
		ttl = 6 * time.Hour
	}
	if c.now().Sub(cached.FetchedAt) < ttl && !cached.End().Before(end) {
		return end
	}
	settle := c.SettleDays
	if settle == 0 {
		settle = 3
	}
	limit := truncDay(cached.FetchedAt).AddDate(0, 0, -settle)
	from := cached.Start
	for i := range cached.Days {
		day := cached.Day(i)
		if !day.Before(limit) || cached.Estimated[i] || cached.IsUnknown(i) {
			break
		}
		from = day.AddDate(0, 0, 1)
	}
	if from.Before(start) {
		return start
	}
	if from.After(end) {
		return end
	}
	return from
}

// Fetch returns days [start, end) for account, from the cache where it can and from f for the
// rest, and saves the merged result. A cache that cannot be read is reported and ignored.
func (c Cache) Fetch(ctx context.Context, f Fetcher, account string, start, end time.Time) (*Dataset, error) {
	start, end = truncDay(start), truncDay(end)
	cached, err := c.Load()
	if err != nil {
		slog.Warn("ignoring cost cache", "err", err)
		cached = nil
	}
	from := c.FetchFrom(cached, account, start, end)
	if !from.Before(end) {
		return Slice(cached, start, end), nil
	}
	fresh, err := f.Fetch(ctx, from, end)
	if err != nil {
		return nil, err
	}
	fresh.FetchedAt = c.now().UTC()
	merged := fresh
	if from.After(start) {
		if merged, err = Merge(Slice(cached, start, from), fresh); err != nil {
			return nil, err
		}
	}
	if err := c.Save(merged); err != nil {
		return merged, err
	}
	return merged, nil
}

// Slice returns the days [start, end) of d (clamped to what d has), sharing nothing with d.
func Slice(d *Dataset, start, end time.Time) *Dataset {
	from := max(0, d.Index(start))
	to := min(d.Days, d.Index(end))
	if to < from {
		to = from
	}
	out := *d
	out.Start, out.Days = d.Day(from), to-from
	out.Estimated = append([]bool(nil), d.Estimated[from:to]...)
	if d.Unknown != nil {
		out.Unknown = append([]bool(nil), d.Unknown[from:to]...)
	}
	cut := func(ls []Line) []Line {
		var res []Line
		for _, l := range ls {
			vs := append([]float64(nil), l.Values[from:to]...)
			res = append(res, Line{Key: l.Key, Values: vs})
		}
		return res
	}
	out.ByRegion, out.ByUsage = cut(d.ByRegion), cut(d.ByUsage)
	out.Requests = 0
	return &out
}
