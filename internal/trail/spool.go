package trail

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/gzip"
)

// Spool keeps a copy of every record a hunt reads, as gzipped JSON lines (one file per
// reader goroutine), so a second pass over remote input (S3, LookupEvents) reads local
// files instead of downloading or calling the API again. Memory stays flat: records go
// straight to the compressor.
type Spool struct {
	dir   string
	files []*spoolFile
	errs  []error // per worker: each goroutine touches only its own slot
}

type spoolFile struct {
	f  *os.File
	bw *bufio.Writer
	zw *gzip.Writer
}

// NewSpool writes into dir (which must exist) for up to workers goroutines.
func NewSpool(dir string, workers int) *Spool {
	return &Spool{dir: dir, files: make([]*spoolFile, workers), errs: make([]error, workers)}
}

// write appends one record; only goroutine worker writes to its file.
func (s *Spool) write(worker int, raw []byte) {
	if worker >= len(s.files) || s.errs[worker] != nil {
		return
	}
	sf := s.files[worker]
	if sf == nil {
		f, err := os.Create(filepath.Join(s.dir, fmt.Sprintf("records-%02d.jsonl.gz", worker)))
		if err != nil {
			s.errs[worker] = fmt.Errorf("spool: %w", err)
			return
		}
		bw := bufio.NewWriterSize(f, 256<<10)
		sf = &spoolFile{f: f, bw: bw, zw: gzip.NewWriter(bw)}
		s.files[worker] = sf
	}
	if _, err := sf.zw.Write(raw); err != nil {
		s.errs[worker] = fmt.Errorf("spool: %w", err)
		return
	}
	_, _ = sf.zw.Write([]byte{'\n'})
}

// Close finishes the files and returns them as sources.
func (s *Spool) Close() ([]Source, error) {
	var (
		out  []Source
		errs []error
	)
	for _, sf := range s.files {
		if sf == nil {
			continue
		}
		errs = append(errs, sf.zw.Close(), sf.bw.Flush(), sf.f.Close())
		out = append(out, File(sf.f.Name()))
	}
	errs = append(errs, s.errs...)
	return out, errors.Join(errs...)
}
