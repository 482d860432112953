// Package ui holds what every command shares for talking to a person on a terminal:
// a progress bar that stays silent when stderr is not a terminal or --quiet is set.
package ui

import (
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress is safe for concurrent use; a nil or disabled Progress does nothing.
type Progress struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

// NewProgress returns a bar writing to w when enabled (see cli.Globals.Interactive).
// total < 0 draws a spinner with a count; unit "bytes" shows sizes and rates.
func NewProgress(w io.Writer, enabled bool, total int64, desc, unit string) *Progress {
	if !enabled {
		return &Progress{}
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(24),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionShowElapsedTimeOnFinish(),
	}
	if unit == "bytes" {
		opts = append(opts, progressbar.OptionShowBytes(true))
	} else if unit != "" {
		opts = append(opts, progressbar.OptionSetItsString(unit), progressbar.OptionShowIts())
	}
	return &Progress{bar: progressbar.NewOptions64(total, opts...)}
}

// Add advances the bar by n.
func (p *Progress) Add(n int64) {
	if p == nil || p.bar == nil {
		return
	}
	p.mu.Lock()
	_ = p.bar.Add64(n)
	p.mu.Unlock()
}

// Describe changes the text before the bar.
func (p *Progress) Describe(desc string) {
	if p == nil || p.bar == nil {
		return
	}
	p.mu.Lock()
	p.bar.Describe(desc)
	p.mu.Unlock()
}

// Finish clears the bar.
func (p *Progress) Finish() {
	if p == nil || p.bar == nil {
		return
	}
	p.mu.Lock()
	_ = p.bar.Finish()
	p.mu.Unlock()
}
