package secrets

import (
	"cmp"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/accountguard/accountguard/internal/secrets/detect"
	"github.com/accountguard/accountguard/internal/secrets/gitpack"
)

// packScan is what reading the packs directly found.
type packScan struct {
	indexes    []*gitpack.Index
	order      map[string]int64 // candidates' and skipped objects' offsets: read in pack order
	loose      []string         // loose objects (any type): read whole through git
	skipped    map[string]bool  // packed objects not examined (unreadable, too large): read whole later
	candidates map[string]bool  // objects whose new bytes may hold a secret: read whole later
	hits       []Hit            // found in undeltified blobs, which are whole already
	bytes      int64            // new bytes examined
	binary     int64            // undeltified binary blobs skipped
}

// inPack reports whether a pack holds the object named sha (hex).
func (ps *packScan) inPack(sha string) bool {
	name, err := hex.DecodeString(sha)
	if err != nil {
		return false
	}
	for _, ix := range ps.indexes {
		if ix.Contains(name) {
			return true
		}
	}
	return false
}

// present reports whether the repository holds the object named sha.
func (ps *packScan) present(sha string) bool {
	return ps.inPack(sha) || ps.isLoose(sha)
}

// toRead lists what must be read whole through git: candidates and unexamined packed
// objects in pack order (git's delta-base cache likes it), then loose objects.
func (ps *packScan) toRead() []blobRef {
	var out []blobRef
	for sha := range ps.candidates {
		out = append(out, blobRef{sha: sha})
	}
	for sha := range ps.skipped {
		if !ps.candidates[sha] {
			out = append(out, blobRef{sha: sha})
		}
	}
	slices.SortFunc(out, func(a, b blobRef) int { return cmp.Compare(ps.order[a.sha], ps.order[b.sha]) })
	for _, sha := range ps.loose {
		out = append(out, blobRef{sha: sha})
	}
	return out
}

// objectDirs returns the repository's object directory and those it borrows from
// (objects/info/alternates, followed transitively), and the hash length in bytes.
func objectDirs(ctx context.Context, repo string) ([]string, int, error) {
	out, err := gitCmd(ctx, repo, "rev-parse", "--git-path", "objects", "--show-object-format").Output()
	if err != nil {
		return nil, 0, fmt.Errorf("git rev-parse: %w", err)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		return nil, 0, fmt.Errorf("git rev-parse: unexpected output %q", out)
	}
	hashLen := 20
	if f[1] == "sha256" {
		hashLen = 32
	}
	dir := f[0]
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(repo, dir)
	}
	dirs, seen := []string{}, map[string]bool{}
	var add func(d string)
	add = func(d string) {
		d = filepath.Clean(d)
		if seen[d] {
			return
		}
		seen[d] = true
		dirs = append(dirs, d)
		b, err := os.ReadFile(filepath.Join(d, "info", "alternates"))
		if err != nil {
			return
		}
		for _, l := range strings.Split(string(b), "\n") {
			l = strings.TrimSpace(l)
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			if !filepath.IsAbs(l) {
				l = filepath.Join(d, l)
			}
			add(l)
		}
	}
	add(dir)
	return dirs, hashLen, nil
}

// looseObjects lists the loose objects in an object directory.
func looseObjects(dir string, hashLen int) []string {
	var out []string
	subs, _ := os.ReadDir(dir)
	for _, s := range subs {
		if len(s.Name()) != 2 || !s.IsDir() || !isHex(s.Name()) {
			continue
		}
		files, _ := os.ReadDir(filepath.Join(dir, s.Name()))
		for _, f := range files {
			if n := s.Name() + f.Name(); len(n) == 2*hashLen && isHex(f.Name()) {
				out = append(out, n)
			}
		}
	}
	return out
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// maxPackContent bounds the undeltified objects inflated in memory; larger blobs are
// streamed through git cat-file instead.
const maxPackContent = 32 << 20

// scanPacks examines the new bytes of every object in the repository's packs. Objects it
// could not read (corrupt entries) are simply not covered: the caller reads them through
// git, which names what is wrong.
func scanPacks(ctx context.Context, repo string, e *detect.Engine, workers int, o Options) (*packScan, error) {
	dirs, hashLen, err := objectDirs(ctx, repo)
	if err != nil {
		return nil, err
	}
	var idxs []string
	for _, d := range dirs {
		found, _ := filepath.Glob(filepath.Join(d, "pack", "*.idx"))
		idxs = append(idxs, found...)
	}
	ps := &packScan{skipped: map[string]bool{}, candidates: map[string]bool{}, order: map[string]int64{}}
	for _, d := range dirs {
		ps.loose = append(ps.loose, looseObjects(d, hashLen)...)
	}
	slices.Sort(ps.loose)
	maxContent := int64(maxPackContent)
	if m := o.maxSize(); m > 0 {
		maxContent = min(maxContent, m)
	}
	type local struct {
		skipped, candidates []int
		hits                []Hit
		bytes, binary       int64
	}
	for _, idxPath := range idxs {
		ix, err := gitpack.ReadIndex(idxPath, hashLen)
		if err != nil {
			slogWarn("skip pack index", idxPath, err)
			continue
		}
		locals := make([]local, workers) // one per Walk worker: no locking in the callback
		err = gitpack.Walk(ctx, strings.TrimSuffix(idxPath, ".idx")+".pack", ix,
			gitpack.Options{Workers: workers, MaxContent: maxContent, HeadLen: sniffLen, SkipTypes: map[int]bool{gitpack.Commit: true, gitpack.Tree: true, gitpack.Tag: true}},
			func(w int, obj *gitpack.Object) {
				l := &locals[w]
				if obj.Err != nil {
					l.skipped = append(l.skipped, obj.Index) // git will read it, or say why it cannot
					return
				}
				switch obj.Type {
				case gitpack.Commit, gitpack.Tree, gitpack.Tag:
					return
				case gitpack.Blob:
					if obj.Content == nil && obj.Size > 0 {
						if isBinary(obj.Head) { // a large binary: its first bytes tell
							l.binary++
							return
						}
						l.skipped = append(l.skipped, obj.Index) // too large to inflate here: streamed by git
						return
					}
					l.bytes += int64(len(obj.Content))
					o.Progress.Add(int64(len(obj.Content)))
					if isBinary(obj.Content) {
						l.binary++
						return
					}
					if e.HasKeyword(obj.Content) {
						l.hits = scanBytes(e, obj.Content, 1, Location{Kind: "git", Blob: ix.Name(obj.Index)}, l.hits)
					}
					return
				}
				var n int64
				for i, ins := range obj.Inserts {
					n += int64(len(ins))
					if mayStraddle(e, ins, obj.CopyBefore[i], obj.CopyAfter[i]) {
						l.candidates = append(l.candidates, obj.Index)
						break
					}
				}
				l.bytes += n
				o.Progress.Add(n)
			})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// Git reads what it can of this pack and names the rest as unreadable.
			slogWarn("pack not readable here, reading its objects through git", idxPath, err)
			for i := range ix.Len() {
				ps.skipped[ix.Name(i)] = true
				ps.order[ix.Name(i)] = ix.Offset(i)
			}
		}
		ps.indexes = append(ps.indexes, ix)
		for _, l := range locals {
			for _, i := range l.skipped {
				ps.skipped[ix.Name(i)] = true
				ps.order[ix.Name(i)] = ix.Offset(i)
			}
			for _, i := range l.candidates {
				ps.candidates[ix.Name(i)] = true
				ps.order[ix.Name(i)] = ix.Offset(i)
			}
			ps.hits = append(ps.hits, l.hits...)
			ps.bytes += l.bytes
			ps.binary += l.binary
		}
	}
	return ps, nil
}

// mayStraddle decides whether a delta's inserted bytes can be part of a secret: they hold
// a keyword; or copied bytes before them may hold the start of a token they continue (a
// key rotated in place keeps "AKIA" or "aws_secret_access_key = " from the old version);
// or they end in the start of a keyword the copied bytes after them complete; or they hold
// a 40-character base64 token (a secret key whose name was copied).
func mayStraddle(e *detect.Engine, ins []byte, copyBefore, copyAfter bool) bool {
	if e.HasKeyword(ins) {
		return true
	}
	if copyBefore && tokenHead(ins) {
		return true
	}
	if copyAfter && e.EndsInKeyword(ins, 3) {
		return true
	}
	return hasSecretToken(ins)
}

// tokenHead: ins starts with what can finish a token whose start was copied: 8 to 16
// characters of a key ID's alphabet (A-Z, 2-7; the "AKIA" was copied), or a run of mixed
// base64 the length of a secret's remainder (20-64: secret keys, GitHub, Slack, Stripe and
// Google tokens, private key lines) or of a session token (100+). Runs of 65-99 are the
// SHA-384/512 digests of lock files, whose every version would otherwise be read whole.
func tokenHead(ins []byte) bool {
	n, keyAlpha, keyDigit := 0, true, false
	var up, low, dig bool
	for _, b := range ins {
		switch {
		case 'A' <= b && b <= 'Z':
			up = true
		case '2' <= b && b <= '7':
			dig, keyDigit = true, true
		case '0' <= b && b <= '9':
			dig, keyAlpha = true, false
		case 'a' <= b && b <= 'z':
			low, keyAlpha = true, false
		case b == '+' || b == '/':
			dig, keyAlpha = true, false
		default:
			return headRun(n, keyAlpha, keyDigit, up, low, dig, true)
		}
		n++
		if n > 100 {
			return up && low && dig
		}
	}
	return headRun(n, keyAlpha, keyDigit, up, low, dig, false)
}

// headRun judges the leading run of an insert; closed says a non-token byte ended it
// (else the insert ended and copied bytes may continue it). A key ID's tail is the whole
// 16 characters, or 8-15 of them with a digit (upper-case words like GOTPCREL have none).
func headRun(n int, keyAlpha, keyDigit, up, low, dig, closed bool) bool {
	if keyAlpha && (n == 16 || n >= 8 && n < 16 && keyDigit || n >= 8 && !closed) {
		return true
	}
	mixed := up && low && dig
	return mixed && (n >= 20 && n <= 64 || n >= 100 || !closed && n >= 20)
}

// hasSecretToken: a run of exactly 40 base64 characters mixing upper, lower and digits.
func hasSecretToken(ins []byte) bool {
	n := 0
	var up, low, dig bool
	check := func() bool { return n == 40 && up && low && dig }
	for _, b := range ins {
		switch {
		case 'A' <= b && b <= 'Z':
			up = true
		case 'a' <= b && b <= 'z':
			low = true
		case '0' <= b && b <= '9', b == '+', b == '/':
			dig = true
		default:
			if check() {
				return true
			}
			n, up, low, dig = 0, false, false, false
			continue
		}
		n++
	}
	return check()
}

// isLoose: ps.loose is sorted.
func (ps *packScan) isLoose(sha string) bool {
	_, ok := slices.BinarySearch(ps.loose, sha)
	return ok
}
