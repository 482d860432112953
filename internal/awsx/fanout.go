package awsx

import (
	"context"
	"sync"

	"golang.org/x/sync/errgroup"
)

// DefaultConcurrency bounds fan-out; AWS calls are I/O bound, so this is far above the core count.
const DefaultConcurrency = 32

// Each runs fn for every key concurrently, at most limit at a time (0 means DefaultConcurrency),
// and returns the errors by key. One key failing does not stop the others; a cancelled ctx does.
func Each(ctx context.Context, keys []string, limit int, fn func(ctx context.Context, key string) error) map[string]error {
	if limit <= 0 {
		limit = DefaultConcurrency
	}
	var (
		mu   sync.Mutex
		errs = map[string]error{}
	)
	g := new(errgroup.Group)
	g.SetLimit(limit)
	for _, k := range keys {
		g.Go(func() error {
			var err error
			if err = ctx.Err(); err == nil {
				err = fn(ctx, k)
			}
			if err != nil {
				mu.Lock()
				errs[k] = err
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	if len(errs) == 0 {
		return nil
	}
	return errs
}
