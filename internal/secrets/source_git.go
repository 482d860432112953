package secrets

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/accountguard/accountguard/internal/secrets/detect"
)

// gitEnv keeps git from fetching missing objects of a partial clone from its promisor
// remote: a scan reads what is here and names what is not.
var gitEnv = append(os.Environ(), "GIT_NO_LAZY_FETCH=1", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")

func gitCmd(ctx context.Context, repo string, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, "git", append([]string{"-C", repo}, args...)...)
	c.Env = gitEnv
	return c
}

// firstLine is the first line of git's stderr, for one-line errors.
func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

type blobRef struct {
	sha  string
	size int64
}

// batchLen is how many blobs one git cat-file process streams: small enough to spread the
// work over the workers, large enough that git's delta-base cache stays useful.
const batchLen = 4096

// ScanGit scans every blob in the repository at repo exactly once: every ref, every
// branch, content first seen in a merge, stashes and unreachable objects alike. Each
// secret is reported once, at the first commit (author, date, path) that introduced it.
// Objects referenced by history but absent (partial clone, damaged pack) are counted and
// named in Stats.Missing; present but unreadable ones in Stats.Unreadable, which also makes
// the returned error an InputError while every readable object is still scanned.
func ScanGit(ctx context.Context, repo string, o Options) (Result, error) {
	if _, err := os.Stat(repo); err != nil {
		return Result{}, &InputError{Input: repo, Err: notExist(err)}
	}
	if out, err := gitCmd(ctx, repo, "rev-parse", "--git-dir").CombinedOutput(); err != nil {
		return Result{}, &InputError{Input: repo, Err: fmt.Errorf("not a git repository (%s)", firstLine(out))}
	}
	start := time.Now()
	e := o.engine()
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// The history's tree changes (for provenance: one cheap git log) are read beside the
	// objects themselves.
	var (
		prov    *provenance
		provErr error
		bg      sync.WaitGroup
		res     Result
		toRead  []blobRef
		present func(sha string) bool
	)
	bg.Go(func() { prov, provErr = readProvenance(ctx, repo) })
	if o.ReadAllBlobs {
		blobs, err := listBlobs(ctx, repo)
		if err != nil {
			bg.Wait()
			return Result{}, &InputError{Input: repo, Err: err}
		}
		toRead = blobs
		set := make(map[string]bool, len(blobs))
		for _, b := range blobs {
			set[b.sha] = true
		}
		present = func(sha string) bool { return set[sha] }
	} else {
		// Packed objects: only the new bytes (whole undeltified objects, delta inserts) are
		// examined here; the blobs they may hold a secret in, the loose objects and any
		// entry a pack could not yield are read whole through git below.
		ps, err := scanPacks(ctx, repo, e, workers, o)
		if err != nil {
			bg.Wait()
			return Result{}, &InputError{Input: repo, Err: err}
		}
		slog.Debug("packs read", "repo", repo, "skipped", len(ps.skipped), "candidates", len(ps.candidates), "loose", len(ps.loose), "new_bytes", ps.bytes, "at", time.Since(start))
		toRead = ps.toRead()
		res.Hits = append(res.Hits, ps.hits...)
		res.Stats.Bytes += ps.bytes
		res.Stats.SkippedBinary += ps.binary
		present = ps.present
	}
	batches := make(chan []blobRef)
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			var buf []byte
			for b := range batches {
				hits, st, nb := catBlobs(ctx, repo, b, e, o, buf)
				buf = nb
				mu.Lock()
				res.Hits = append(res.Hits, hits...)
				res.Stats.add(st)
				mu.Unlock()
			}
		})
	}
	// Spread a short list over every worker; keep long runs for git's delta-base cache.
	step := min(batchLen, max(64, (len(toRead)+workers-1)/workers))
	for i := 0; i < len(toRead) && ctx.Err() == nil; i += step {
		batches <- toRead[i:min(i+step, len(toRead))]
	}
	close(batches)
	wg.Wait()
	slog.Debug("blobs read whole", "repo", repo, "blobs", len(toRead), "at", time.Since(start))
	bg.Wait()
	if prov == nil { // git log could not start: no provenance, the error says why
		prov = &provenance{first: map[string]blobIntro{}}
	}
	slog.Debug("history read", "repo", repo, "commits", len(prov.commits), "at", time.Since(start))
	if err := ctx.Err(); err != nil {
		return res, err
	}
	// A damaged history still yields the provenance read before the damage; the error is
	// reported with the rest.

	if !o.ReadAllBlobs {
		res.Stats.Files = 0 // counted here: every blob history holds that is present
	}
	for sha, p := range prov.first {
		if !present(sha) {
			res.Stats.Missing = append(res.Stats.Missing, sha+" ("+p.path+")")
		} else if !o.ReadAllBlobs {
			res.Stats.Files++
		}
	}
	slices.Sort(res.Stats.Missing)
	res.Stats.Missing = slices.Compact(res.Stats.Missing)
	for i := range res.Hits {
		h := &res.Hits[i]
		h.Loc.Repo = repo
		if p, ok := prov.first[h.Loc.Blob]; ok {
			c := prov.commits[p.commit]
			h.Loc.Path, h.Loc.Commit, h.Loc.Author, h.Loc.Email, h.Loc.Date = p.path, c.sha, c.author, c.email, c.date
		} else {
			h.Loc.Path = "(unreachable blob " + h.Loc.Blob[:12] + ")"
		}
	}
	res.Hits = firstIntroductions(res.Hits, prov)
	slog.Debug("secrets de-duplicated", "repo", repo, "secrets", len(res.Hits), "at", time.Since(start))
	var errs []error
	if n := len(res.Stats.Unreadable); n > 0 {
		errs = append(errs, fmt.Errorf("%d objects unreadable (corrupt pack or object), every other object scanned: %s", n, strings.Join(res.Stats.Unreadable[:min(n, 5)], ", ")))
	}
	if provErr != nil {
		errs = append(errs, fmt.Errorf("history incomplete, commits and paths may be missing: %w", provErr))
	}
	if len(errs) > 0 {
		return res, &InputError{Input: repo, Err: errors.Join(errs...)}
	}
	return res, nil
}

// firstIntroductions keeps one hit per secret and detector: the one from the earliest
// commit (unreachable blobs last), then the lowest line. A secret in a file edited a
// thousand times is in a thousand blobs; it is reported once.
func firstIntroductions(hits []Hit, prov *provenance) []Hit {
	// Small keys are sorted, not the hits: a hit is a few hundred bytes.
	type keyed struct {
		key         string // rule and fingerprint, computed once per hit
		order, line int
		blob        string
		i           int
	}
	ks := make([]keyed, len(hits))
	for i, h := range hits {
		order := len(prov.commits)
		if p, ok := prov.first[h.Loc.Blob]; ok {
			order = p.commit
		}
		ks[i] = keyed{key: h.Rule + "\x00" + h.Secret.Fingerprint(), order: order, line: h.Loc.Line, blob: h.Loc.Blob, i: i}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		return cmp.Or(strings.Compare(a.key, b.key), cmp.Compare(a.order, b.order),
			cmp.Compare(a.line, b.line), strings.Compare(a.blob, b.blob), cmp.Compare(a.i, b.i))
	})
	var out []Hit
	for j, k := range ks {
		if j == 0 || k.key != ks[j-1].key {
			out = append(out, hits[k.i])
		}
	}
	return out
}

// listBlobs lists every blob in the object store in pack order (--unordered), which keeps
// git's delta-base cache effective when they are read back in that order.
func listBlobs(ctx context.Context, repo string) ([]blobRef, error) {
	c := gitCmd(ctx, repo, "cat-file", "--batch-all-objects", "--unordered", "--batch-check=%(objectname) %(objecttype) %(objectsize)")
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	var blobs []blobRef
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || f[1] != "blob" {
			continue
		}
		n, _ := strconv.ParseInt(f[2], 10, 64)
		blobs = append(blobs, blobRef{sha: f[0], size: n})
	}
	if err := c.Wait(); err != nil {
		return blobs, fmt.Errorf("listing objects failed, the object store may be corrupt: %s", firstLine(stderr.Bytes()))
	}
	return blobs, nil
}

// catBlobs streams the blobs of one batch through git cat-file --batch and scans each. If
// git dies on a corrupt object, that object is recorded as unreadable and a new process
// continues with the rest of the batch.
func catBlobs(ctx context.Context, repo string, batch []blobRef, e *detect.Engine, o Options, buf []byte) ([]Hit, Stats, []byte) {
	var (
		hits []Hit
		st   Stats
	)
	for len(batch) > 0 && ctx.Err() == nil {
		done, h, s, b, err := catBatch(ctx, repo, batch, e, o, buf)
		buf = b
		hits = append(hits, h...)
		st.add(s)
		if err == nil {
			break
		}
		if done < len(batch) {
			st.Unreadable = append(st.Unreadable, batch[done].sha)
			warnObject("unreadable object", repo, batch[done].sha, err)
		}
		batch = batch[min(done+1, len(batch)):]
	}
	return hits, st, buf
}

func catBatch(ctx context.Context, repo string, batch []blobRef, e *detect.Engine, o Options, buf []byte) (done int, hits []Hit, st Stats, _ []byte, _ error) {
	c := gitCmd(ctx, repo, "cat-file", "--batch")
	var stderr bytes.Buffer
	c.Stderr = &stderr
	in, err := c.StdinPipe()
	if err != nil {
		return 0, nil, st, buf, err
	}
	outPipe, err := c.StdoutPipe()
	if err != nil {
		return 0, nil, st, buf, err
	}
	if err := c.Start(); err != nil {
		return 0, nil, st, buf, fmt.Errorf("git cat-file: %w", err)
	}
	go func() {
		w := bufio.NewWriter(in)
		for _, b := range batch {
			w.WriteString(b.sha)
			w.WriteByte('\n')
		}
		w.Flush()
		in.Close()
	}()
	out := bufio.NewReaderSize(outPipe, 1<<20)
	maxSize := o.maxSize()
	fail := func(err error) (int, []Hit, Stats, []byte, error) {
		_ = c.Process.Kill()
		_ = c.Wait()
		if msg := firstLine(stderr.Bytes()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return done, hits, st, buf, err
	}
	for done < len(batch) {
		header, err := out.ReadString('\n')
		if err != nil {
			return fail(fmt.Errorf("git cat-file stopped: %w", err))
		}
		f := strings.Fields(header)
		if len(f) == 2 && f[1] == "missing" {
			st.Missing = append(st.Missing, f[0])
			done++
			continue
		}
		if len(f) != 3 || f[0] != batch[done].sha {
			return fail(fmt.Errorf("unexpected git cat-file output %q", strings.TrimSpace(header)))
		}
		size, _ := strconv.ParseInt(f[2], 10, 64)
		body := io.LimitReader(out, size)
		switch head, _ := out.Peek(int(min(size, sniffLen))); {
		case f[1] != "blob": // loose objects are listed without their type
		case maxSize > 0 && size > maxSize:
			st.SkippedLarge++
			o.Progress.Add(size)
		case isBinary(head):
			st.SkippedBinary++
			o.Progress.Add(size)
		default:
			var h []Hit
			var n int64
			h, n, buf, err = scanStream(e, body, Location{Kind: "git", Blob: f[0]}, buf, o.Progress)
			if err != nil {
				return fail(err)
			}
			hits = append(hits, h...)
			st.Files++
			st.Bytes += n
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return fail(err)
		}
		if b, err := out.ReadByte(); err != nil || b != '\n' {
			return fail(errors.New("git cat-file output out of step"))
		}
		done++
	}
	if err := c.Wait(); err != nil {
		return done, hits, st, buf, fmt.Errorf("git cat-file: %s", firstLine(stderr.Bytes()))
	}
	return done, hits, st, buf, nil
}

type commitInfo struct {
	sha, author, email string
	date               time.Time
}

type blobIntro struct {
	commit int // index into provenance.commits: lower is older
	path   string
}

// provenance maps each blob history references to the first commit and path that added it.
type provenance struct {
	commits []commitInfo
	first   map[string]blobIntro
}

// readProvenance reads one git log of tree changes over every ref, oldest first, with each
// merge compared against every parent (-m) so content new in a merge is attributed to it.
func readProvenance(ctx context.Context, repo string) (*provenance, error) {
	c := gitCmd(ctx, repo, "log", "--all", "-m", "--raw", "--no-abbrev", "--no-renames", "--reverse",
		"--format=%x01%H%x00%an%x00%ae%x00%aI")
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("git log: %w", err)
	}
	p := &provenance{first: map[string]blobIntro{}}
	r := bufio.NewReaderSize(out, 1<<20)
	cur := -1
	var lastSHA string
	for {
		line, err := r.ReadString('\n')
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "\x01"):
			f := strings.Split(line[1:], "\x00")
			if len(f) == 4 && f[0] != lastSHA { // -m repeats a merge once per parent
				d, _ := time.Parse(time.RFC3339, f[3])
				p.commits = append(p.commits, commitInfo{sha: f[0], author: f[1], email: f[2], date: d})
				cur, lastSHA = len(p.commits)-1, f[0]
			}
		case strings.HasPrefix(line, ":") && cur >= 0:
			// :100644 100644 <old> <new> M\t<path>
			meta, path, ok := strings.Cut(line, "\t")
			f := strings.Fields(meta)
			if !ok || len(f) < 5 || f[4] == "D" || strings.HasPrefix(f[1], "160000") {
				break
			}
			sha := f[3]
			if strings.Trim(sha, "0") == "" {
				break
			}
			if _, seen := p.first[sha]; !seen {
				if strings.HasPrefix(path, `"`) {
					if u, err := strconv.Unquote(path); err == nil {
						path = u
					}
				}
				p.first[sha] = blobIntro{commit: cur, path: path}
			}
		}
		if err != nil {
			break
		}
	}
	if err := c.Wait(); err != nil {
		msg := firstLine(stderr.Bytes())
		if strings.Contains(msg, "does not have any commits") || strings.Contains(msg, "bad default revision") {
			return p, nil // an empty repository has no history yet
		}
		return p, fmt.Errorf("git log: %s", msg)
	}
	return p, nil
}

func warnObject(msg, repo, sha string, err error) {
	slog.Warn(msg, "repo", repo, "object", sha, "err", err)
}

func slogWarn(msg, path string, err error) { slog.Warn(msg, "path", path, "err", err) }
