package secrets

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/accountguard/accountguard/internal/secrets/detect"
)

// ScanPath scans a file or a directory tree. A directory honours .gitignore (through git
// itself, so its exact rules apply, inside or outside a work tree) unless NoIgnore is set;
// .git folders are never scanned. Binary files and files over MaxSize are skipped and
// counted.
func ScanPath(ctx context.Context, path string, o Options) (Result, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Result{}, &InputError{Input: path, Err: notExist(err)}
	}
	var files []string
	if !fi.IsDir() {
		files = []string{path}
	} else if files, err = listFiles(ctx, path, o.NoIgnore); err != nil {
		return Result{}, &InputError{Input: path, Err: err}
	}
	return scanFiles(ctx, files, o)
}

func notExist(err error) error {
	if os.IsNotExist(err) {
		return fmt.Errorf("no such file or directory")
	}
	return err
}

// listFiles returns the regular files under root to scan.
func listFiles(ctx context.Context, root string, noIgnore bool) ([]string, error) {
	if !noIgnore {
		if files, err := gitListFiles(ctx, root); err == nil {
			return files, nil
		}
		// No git on PATH: fall back to every file (said in the doc of --no-ignore).
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	return files, err
}

// gitListFiles lets git apply .gitignore: inside a work tree, tracked plus untracked files
// not ignored; outside one, a throw-away empty git directory lends git's ignore rules.
func gitListFiles(ctx context.Context, root string) ([]string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	args := []string{"-C", abs, "ls-files", "-z", "--cached", "--others", "--exclude-standard"}
	if out, err := exec.CommandContext(ctx, "git", "-C", abs, "rev-parse", "--is-inside-work-tree").Output(); err != nil || !bytes.HasPrefix(out, []byte("true")) {
		tmp, err := os.MkdirTemp("", "accountguard-ignore-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		if err := exec.CommandContext(ctx, "git", "init", "-q", "--bare", tmp).Run(); err != nil {
			return nil, fmt.Errorf("git init: %w", err)
		}
		args = []string{"--git-dir", tmp, "--work-tree", abs, "-C", abs, "ls-files", "-z", "--others", "--exclude-standard"}
	}
	out, err := exec.CommandContext(ctx, "git", args...).Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files: %w", err)
	}
	var files []string
	for _, p := range bytes.Split(out, []byte{0}) {
		if len(p) == 0 {
			continue
		}
		full := filepath.Join(root, string(p))
		if fi, err := os.Lstat(full); err == nil && fi.Mode().IsRegular() {
			files = append(files, full)
		}
	}
	return files, nil
}

// scanFiles scans files with one worker per CPU.
func scanFiles(ctx context.Context, files []string, o Options) (Result, error) {
	e := o.engine()
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var (
		mu  sync.Mutex
		res Result
		wg  sync.WaitGroup
		ch  = make(chan string)
	)
	for range workers {
		wg.Go(func() {
			var buf []byte
			for p := range ch {
				hits, st, b := scanFile(e, p, o, buf)
				buf = b
				mu.Lock()
				res.Hits = append(res.Hits, hits...)
				res.Stats.add(st)
				mu.Unlock()
			}
		})
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		ch <- f
	}
	close(ch)
	wg.Wait()
	return res, ctx.Err()
}

// scanFile scans one file; unreadable files are logged and skipped (a directory tree may
// hold sockets or files that vanish while it is walked).
func scanFile(e *detect.Engine, p string, o Options, buf []byte) ([]Hit, Stats, []byte) {
	f, err := os.Open(p)
	if err != nil {
		slog.Warn("skip unreadable file", "path", p, "err", err)
		return nil, Stats{}, buf
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		slog.Warn("skip unreadable file", "path", p, "err", err)
		return nil, Stats{}, buf
	}
	if max := o.maxSize(); max > 0 && fi.Size() > max {
		return nil, Stats{SkippedLarge: 1}, buf
	}
	br := bufio.NewReaderSize(f, sniffLen)
	head, _ := br.Peek(sniffLen)
	if isBinary(head) {
		o.Progress.Add(fi.Size())
		return nil, Stats{SkippedBinary: 1}, buf
	}
	hits, n, buf, err := scanStream(e, br, Location{Kind: "file", Path: p}, buf, o.Progress)
	if err != nil {
		slog.Warn("read error", "path", p, "err", err)
	}
	return hits, Stats{Files: 1, Bytes: n}, buf
}

// ScanReader scans r (standard input) under the name given.
func ScanReader(r io.Reader, name string, o Options) (Result, error) {
	br := bufio.NewReaderSize(r, sniffLen)
	head, _ := br.Peek(sniffLen)
	if isBinary(head) {
		return Result{Stats: Stats{SkippedBinary: 1}}, nil
	}
	hits, n, _, err := scanStream(o.engine(), br, Location{Kind: "stdin", Path: name}, nil, o.Progress)
	if err != nil {
		return Result{}, &InputError{Input: name, Err: err}
	}
	return Result{Hits: hits, Stats: Stats{Files: 1, Bytes: n}}, nil
}
