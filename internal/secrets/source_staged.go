package secrets

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ScanStaged scans what a commit in the repository at repo would add: each staged file is
// scanned whole (so a secret on a new line is paired with a key ID on an old one), and
// only matches on added lines are kept. It is what the pre-commit hook runs.
func ScanStaged(ctx context.Context, repo string, o Options) (Result, error) {
	if _, err := os.Stat(repo); err != nil {
		return Result{}, &InputError{Input: repo, Err: notExist(err)}
	}
	if out, err := gitCmd(ctx, repo, "rev-parse", "--git-dir").CombinedOutput(); err != nil {
		return Result{}, &InputError{Input: repo, Err: fmt.Errorf("not a git repository (%s)", firstLine(out))}
	}
	diff, err := gitCmd(ctx, repo, "diff", "--cached", "-U0", "--no-color", "--no-ext-diff", "--no-renames", "--diff-filter=ACMRT").Output()
	if err != nil {
		return Result{}, &InputError{Input: repo, Err: fmt.Errorf("git diff --cached: %w", err)}
	}
	added := addedLines(diff)
	e := o.engine()
	var res Result
	for path, lines := range added {
		// ":path" names the staged (stage 0) version of path.
		data, err := gitCmd(ctx, repo, "cat-file", "blob", ":"+path).Output()
		if err != nil {
			return res, &InputError{Input: repo, Err: fmt.Errorf("read staged %s: %w", path, err)}
		}
		if isBinary(data) {
			res.Stats.SkippedBinary++
			continue
		}
		res.Stats.Files++
		res.Stats.Bytes += int64(len(data))
		o.Progress.Add(int64(len(data)))
		for _, h := range scanBytes(e, data, 1, Location{Kind: "staged", Repo: repo, Path: path}, nil) {
			if lines[h.Loc.Line] {
				res.Hits = append(res.Hits, h)
			}
		}
	}
	return res, nil
}

// addedLines reads a -U0 unified diff: for each new path, the line numbers it adds.
func addedLines(diff []byte) map[string]map[int]bool {
	out := map[string]map[int]bool{}
	var cur map[int]bool
	sc := bufio.NewScanner(bytes.NewReader(diff))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "+++ "):
			p := strings.TrimPrefix(l, "+++ ")
			if strings.HasPrefix(p, `"`) {
				if u, err := strconv.Unquote(p); err == nil {
					p = u
				}
			}
			p = strings.TrimPrefix(p, "b/")
			cur = map[int]bool{}
			out[p] = cur
		case strings.HasPrefix(l, "@@ ") && cur != nil:
			// @@ -a,b +c,d @@
			f := strings.Fields(l)
			if len(f) < 3 {
				continue
			}
			start, count, _ := strings.Cut(strings.TrimPrefix(f[2], "+"), ",")
			s, _ := strconv.Atoi(start)
			n := 1
			if count != "" {
				n, _ = strconv.Atoi(count)
			}
			for i := s; i < s+n; i++ {
				cur[i] = true
			}
		}
	}
	return out
}
