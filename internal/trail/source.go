package trail

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Source is one input object: a local file or an S3 object.
type Source interface {
	// Name is how errors and findings refer to the input (a path or s3://bucket/key).
	Name() string
	Open(ctx context.Context) (io.ReadCloser, error)
}

// File is a local file.
type File string

func (f File) Name() string { return string(f) }

func (f File) Open(context.Context) (io.ReadCloser, error) { return os.Open(string(f)) }

// trailExts are the names a folder walk or an S3 listing reads.
var trailExts = []string{".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"}

// awsName is the start of the names AWS gives the files it delivers to S3:
// <account>_<service>_… (CloudTrail, CloudTrail-Digest, CloudTrail-Insight, Config,
// elasticloadbalancing, vpcflowlogs …).
var awsName = regexp.MustCompile(`^\d{12}_([A-Za-z-]+)_`)

// orgID is an AWS Organizations ID, the folder an organization trail adds above the accounts.
var orgID = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

// isTrailService says whether a service folder (or name part) of the AWSLogs layout holds
// CloudTrail records: log files and Insights events do; digest files (hash chains) do not.
func isTrailService(s string) bool { return s == "CloudTrail" || s == "CloudTrail-Insight" }

// awsLogsService is the service folder of a slash path in the AWSLogs layout
// (…/AWSLogs/[o-…/]<account>/<service>/…), or false when the path does not reach it.
func awsLogsService(p string) (string, bool) {
	i := strings.Index(p, "AWSLogs/")
	if i < 0 || (i > 0 && p[i-1] != '/') {
		return "", false
	}
	seg := strings.SplitN(p[i+len("AWSLogs/"):], "/", 4)
	if len(seg) > 0 && orgID.MatchString(seg[0]) {
		seg = seg[1:]
	}
	if len(seg) < 3 || !isAccount(seg[0]) || seg[1] == "" {
		return "", false
	}
	return seg[1], true
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isTrailFile reports whether a file found by a folder walk or an S3 listing (a slash path)
// is CloudTrail's. A trail bucket also holds digest files, other services' logs (Config,
// GuardDuty, ELB …) and whatever tools left beside them: inside the AWSLogs layout the service
// folder decides, outside it AWS's own file names still do, and any other file is read when
// its extension is one of trailExts. Hidden files are never read (.DS_Store, macOS "._" copies).
func isTrailFile(p string) bool {
	base := p[strings.LastIndexByte(p, '/')+1:]
	if base == "" || base[0] == '.' || !slices.ContainsFunc(trailExts, func(ext string) bool { return strings.HasSuffix(base, ext) }) {
		return false
	}
	if svc, ok := awsLogsService(p); ok {
		return isTrailService(svc)
	}
	if m := awsName.FindStringSubmatch(base); m != nil {
		return isTrailService(m[1])
	}
	return true
}

// skipFolder reports whether a folder walk or an S3 listing need not descend into the folder
// (a slash path ending in "/"): hidden folders and other services' folders of the AWSLogs layout.
func skipFolder(dir string) bool {
	name := dir[strings.LastIndexByte(strings.TrimSuffix(dir, "/"), '/')+1:]
	if strings.HasPrefix(name, ".") && name != "./" && name != "../" {
		return true
	}
	svc, ok := awsLogsService(dir)
	return ok && !isTrailService(svc)
}

// Files expands paths (files or folders, walked recursively) into sources, pruning files
// whose CloudTrail export names fall outside the window. A missing path is an error of its
// own; the others are still returned.
func Files(paths []string, w Window) ([]Source, []error) {
	var (
		out  []Source
		errs []error
	)
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, unwrapPathErr(err)))
			continue
		}
		if !st.IsDir() {
			out = append(out, File(p)) // named explicitly: read whatever its name
			continue
		}
		root := p
		if r, err := filepath.EvalSymlinks(p); err == nil {
			root = r // WalkDir does not follow a symlinked root
		}
		found := 0
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", path, unwrapPathErr(err)))
				return nil
			}
			slash := filepath.ToSlash(path)
			if d.IsDir() {
				if path != root && skipFolder(slash+"/") {
					return filepath.SkipDir
				}
				return nil
			}
			if !isTrailFile(slash) {
				return nil
			}
			found++
			if w.keepKey(path) {
				out = append(out, File(path))
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
		} else if found == 0 {
			errs = append(errs, fmt.Errorf("%s: no CloudTrail files in this folder (.json, .json.gz, .jsonl …; digests and other services' files are skipped)", p))
		}
	}
	return out, errs
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// Window selects records by time and region. The zero value keeps everything.
type Window struct {
	Since, Until time.Time // inclusive bounds; zero means open
	Regions      []string  // empty means all
}

func (w Window) keepRegion(r string) bool {
	return len(w.Regions) == 0 || slices.Contains(w.Regions, r)
}

// exportName matches CloudTrail's S3 object names, of log files and of Insights events:
// <account>_CloudTrail[-Insight]_<region>_<YYYYMMDDTHHMMZ>_<unique>.json.gz
var exportName = regexp.MustCompile(`(?:^|/)\d{12}_CloudTrail(?:-Insight)?_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json(?:\.gz)?$`)

// deliverySlack is how much later than its newest record CloudTrail may deliver a file;
// pruning keeps files delivered up to this long after Until.
const deliverySlack = 24 * time.Hour

// keepKey prunes by the region and delivery time in an export object's name, before the
// object is read. Names that are not in the export layout are kept.
func (w Window) keepKey(key string) bool {
	m := exportName.FindStringSubmatch(key)
	if m == nil {
		return true
	}
	if !w.keepRegion(m[1]) {
		return false
	}
	t, err := time.Parse("20060102T1504Z", m[2])
	if err != nil {
		return true
	}
	// A file holds records from before its delivery time, so one delivered before Since
	// holds nothing in the window.
	if !w.Since.IsZero() && t.Add(5*time.Minute).Before(w.Since) {
		return false
	}
	if !w.Until.IsZero() && t.After(w.Until.Add(deliverySlack)) {
		return false
	}
	return true
}

// keepTime checks a record's eventTime (RFC 3339 text) against the window. A record whose
// time cannot be read is kept when the window is open, dropped otherwise.
func (w Window) keepTime(et []byte) bool {
	if w.Since.IsZero() && w.Until.IsZero() {
		return true
	}
	t, ok := ParseTime(et)
	if !ok {
		return false
	}
	return (w.Since.IsZero() || !t.Before(w.Since)) && (w.Until.IsZero() || !t.After(w.Until))
}

// timeParser is ParseTime for one goroutine, remembering the last day it parsed: records
// come in time order within a file, so most share their day with the one before, and
// adding the time of day to that day's start is cheaper than time.Date.
type timeParser struct {
	day   [10]byte // "2023-07-10"
	start time.Time
	valid bool // day and start are set
}

func (p *timeParser) parse(b []byte) (time.Time, bool) {
	if p.valid && len(b) == 20 && string(b[:10]) == string(p.day[:]) && b[13] == ':' && b[16] == ':' && b[19] == 'Z' && b[10] == 'T' {
		h, mi, s := digits2(b[11], b[12]), digits2(b[14], b[15]), digits2(b[17], b[18])
		// the ranges ParseTime accepts; time.Date normalises the rest the same way Add does
		if h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 61 {
			return p.start.Add(time.Duration(h*3600+mi*60+s) * time.Second), true
		}
	}
	t, ok := ParseTime(b)
	if ok && len(b) == 20 {
		// A day ParseTime reads at midnight: any time of it is that start plus the time of
		// day, as time.Date computes it.
		var midnight [20]byte
		copy(midnight[:], b[:11])
		copy(midnight[11:], "00:00:00Z")
		if d, ok := ParseTime(midnight[:]); ok {
			copy(p.day[:], b[:10])
			p.start, p.valid = d, true
		}
	}
	return t, ok
}

// digits2 reads two ASCII digits, or returns -1.
func digits2(a, b byte) int {
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return -1
	}
	return int(a-'0')*10 + int(b-'0')
}

// ParseTime reads CloudTrail's eventTime ("2023-07-10T11:42:36Z"), with a fast path for
// that exact shape, RFC 3339 otherwise (an offset, fractional seconds), and the zoneless
// "2023-07-10 11:42:36.000" of CloudTrail Lake and Athena results, which is UTC.
func ParseTime(b []byte) (time.Time, bool) {
	if len(b) == 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' && b[19] == 'Z' {
		n := func(s []byte) int {
			v := 0
			for _, c := range s {
				if c < '0' || c > '9' {
					return -1
				}
				v = v*10 + int(c-'0')
			}
			return v
		}
		y, mo, d, h, mi, s := n(b[0:4]), n(b[5:7]), n(b[8:10]), n(b[11:13]), n(b[14:16]), n(b[17:19])
		if y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 61 {
			return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC), true
		}
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil && len(b) >= 19 && (b[10] == ' ' || b[10] == 'T') {
		// time.Parse takes the fractional seconds after 05 without the layout naming them
		layout := "2006-01-02T15:04:05"
		if b[10] == ' ' {
			layout = "2006-01-02 15:04:05"
		}
		t, err = time.Parse(layout, string(b))
	}
	return t, err == nil
}
