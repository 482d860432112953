package trail

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/accountguard/accountguard/internal/trail/event"
)

// The hand-made inputs of testdata/shapes (see its README).
const (
	shapesBucket = "testdata/shapes/bucket"
	shapesFiles  = "testdata/shapes/files"
)

// bucketLogs are the CloudTrail files of the bucket tree, and the records in each.
var bucketLogs = map[string][]string{
	"AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz":                 {"00001", "00002"},
	"AWSLogs/111122223333/CloudTrail/us-west-2/2015/08/01/111122223333_CloudTrail_us-west-2_20150801T0215Z_Zx9Ks1htH1ar15QQ.json.gz":                 {"00003"},
	"AWSLogs/111122223333/CloudTrail-Insight/us-east-2/2015/08/01/111122223333_CloudTrail-Insight_us-east-2_20150801T0230Z_Ab3dEf6hIj9kLm2N.json.gz": {"00004", "00005"},
	"AWSLogs/o-aa111bb222/444455556666/CloudTrail/eu-west-1/2015/08/01/444455556666_CloudTrail_eu-west-1_20150801T0220Z_Qw3rTy6uIo9pAs2D.json.gz":    {"00006"},
	"AWSLogs/o-aa111bb222/444455556666/CloudTrail/eu-west-1/2015/08/03/444455556666_CloudTrail_eu-west-1_20150803T1105Z_Zx8cVb7nMl6kJh5G.json.gz":    {"00007"},
}

// wantBucket is what reading the bucket tree within w must give: the kept files (keys,
// sorted) and their records' eventID suffixes (sorted).
func wantBucket(keep func(key string) bool) (keys, ids []string) {
	for k, recs := range bucketLogs {
		if keep(k) {
			keys = append(keys, k)
			ids = append(ids, recs...)
		}
	}
	slices.Sort(keys)
	slices.Sort(ids)
	return keys, ids
}

func idSuffixes(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id[len(id)-5:]
	}
	return out
}

var bucketWindows = []struct {
	name string
	w    Window
	keep func(key string) bool // which log files the names alone keep
}{
	{"open", Window{}, func(string) bool { return true }},
	{"org region", Window{Regions: []string{"eu-west-1"}}, func(k string) bool { return strings.Contains(k, "/eu-west-1/") }},
	{"insight region", Window{Regions: []string{"us-east-2"}}, func(k string) bool { return strings.Contains(k, "/us-east-2/") }},
	{"org day", Window{Since: time.Date(2015, 8, 3, 0, 0, 0, 0, time.UTC), Until: time.Date(2015, 8, 3, 23, 59, 59, 0, time.UTC)},
		func(k string) bool { return strings.Contains(k, "/2015/08/03/") }},
	{"first day", Window{Since: time.Date(2015, 8, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2015, 8, 1, 23, 59, 59, 0, time.UTC)},
		func(k string) bool { return strings.Contains(k, "/2015/08/01/") }},
}

// A folder copied from a trail bucket holds digests, Insights, organization trails and other
// services' files: CloudTrail's are read, digests and foreign files skipped without a word,
// and pruning by name still works below an organization ID.
func TestFilesTrailBucketFolder(t *testing.T) {
	for _, c := range bucketWindows {
		t.Run(c.name, func(t *testing.T) {
			srcs, errs := Files([]string{shapesBucket}, c.w)
			if len(errs) > 0 {
				t.Fatalf("Files: %v", errs)
			}
			var got []string
			for _, s := range srcs {
				rel, _ := filepath.Rel(shapesBucket, s.Name())
				got = append(got, filepath.ToSlash(rel))
			}
			slices.Sort(got)
			wantKeys, wantIDs := wantBucket(c.keep)
			if !slices.Equal(got, wantKeys) {
				t.Fatalf("files\n got %q\nwant %q", got, wantKeys)
			}
			ids, st, errs := collect(t, srcs, ReadOptions{Window: c.w})
			if len(errs) > 0 {
				t.Fatalf("read: %v", errs)
			}
			if !slices.Equal(idSuffixes(ids), wantIDs) || st.Records != int64(len(wantIDs)) {
				t.Errorf("records %v (stats %+v), want %v", ids, st, wantIDs)
			}
		})
	}
}

// fakeS3 serves a folder as a bucket (keys are slash paths below it), with ListObjectsV2's
// prefix, delimiter and paging, plus extra in-memory objects.
type fakeS3 struct {
	objects map[string][]byte
	mu      sync.Mutex // the lister calls from several goroutines
	lists   []string   // the prefixes listed, for checking pruning
}

func newFakeS3(t *testing.T, root string, extra map[string]string) *fakeS3 {
	t.Helper()
	f := &fakeS3{objects: map[string][]byte{}}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		f.objects[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range extra {
		f.objects[k] = []byte(v)
	}
	return f
}

func (f *fakeS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	prefix, delim := aws.ToString(in.Prefix), aws.ToString(in.Delimiter)
	f.mu.Lock()
	f.lists = append(f.lists, prefix+"|"+delim)
	f.mu.Unlock()
	var keys []string
	for k := range f.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := &s3.ListObjectsV2Output{}
	seen := map[string]bool{}
	for _, k := range keys {
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				cp := k[:len(prefix)+i+len(delim)]
				if !seen[cp] {
					seen[cp] = true
					out.CommonPrefixes = append(out.CommonPrefixes, s3types.CommonPrefix{Prefix: aws.String(cp)})
				}
				continue
			}
		}
		out.Contents = append(out.Contents, s3types.Object{Key: aws.String(k), Size: aws.Int64(int64(len(f.objects[k])))})
	}
	return out, nil
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	b, ok := f.objects[aws.ToString(in.Key)]
	if !ok {
		return nil, fmt.Errorf("NoSuchKey: %s", aws.ToString(in.Key))
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}, nil
}

// The same bucket listed from S3, from its root and from AWSLogs/: the Insights folder is
// walked like CloudTrail's, digests and other services' folders are not listed at all.
func TestS3SourcesTrailBucket(t *testing.T) {
	extra := map[string]string{
		// AWS Config's history file names hold the resource type, colons included
		"AWSLogs/111122223333/Config/us-east-2/2015/8/1/ConfigHistory/111122223333_Config_us-east-2_ConfigHistory_AWS::EC2::Instance_20150801T020000Z_20150801T030000Z_1.json.gz": `{"fileVersion":"1.0","configurationItems":[]}`,
		"AWSLogs/111122223333/vpcflowlogs/us-east-2/2015/08/01/111122223333_vpcflowlogs_us-east-2_fl-1234abcd_20150801T0210Z_hash.log.gz":                                         "2 111122223333 eni-1235b8ca 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK",
	}
	for _, c := range bucketWindows {
		for _, prefix := range []string{"", "AWSLogs/"} {
			t.Run(c.name+" "+prefix, func(t *testing.T) {
				api := newFakeS3(t, shapesBucket, extra)
				srcs, errs := S3Sources(t.Context(), api, "amzn-s3-demo-bucket", prefix, c.w)
				if len(errs) > 0 {
					t.Fatalf("S3Sources: %v", errs)
				}
				var got []string
				for _, s := range srcs {
					got = append(got, s.(S3Object).Key)
				}
				wantKeys, wantIDs := wantBucket(c.keep)
				if !slices.Equal(got, wantKeys) {
					t.Fatalf("objects\n got %q\nwant %q", got, wantKeys)
				}
				for _, l := range api.lists {
					if strings.Contains(l, "Digest") || strings.Contains(l, "/Config/") || strings.Contains(l, "GuardDuty") || strings.Contains(l, "elasticloadbalancing") {
						t.Errorf("listed %q", l)
					}
				}
				ids, _, errs := collect(t, srcs, ReadOptions{Window: c.w})
				if len(errs) > 0 {
					t.Fatalf("read: %v", errs)
				}
				if !slices.Equal(idSuffixes(ids), wantIDs) {
					t.Errorf("records %v, want %v", ids, wantIDs)
				}
			})
		}
	}
}

// A file named on the command line is read whatever its name, so one that is not CloudTrail
// is an error naming it, digests included.
func TestReadNamedForeignFiles(t *testing.T) {
	for _, p := range []string{
		"AWSLogs/111122223333/Config/us-east-2/2015/8/1/ConfigSnapshot/111122223333_Config_us-east-2_ConfigSnapshot_20150801T021012Z_1f6f1a0e-2f9b-4b8c-9d3e-EXAMPLEc0d1e.json.gz",
		"AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/01/111122223333_CloudTrail-Digest_us-east-2_my-trail_us-east-2_20150801T030000Z.json.gz",
		"AWSLogs/111122223333/GuardDuty/us-east-2/2015/08/01/8c0f2b64-6f3a-3b7e-9d1c-EXAMPLE4e5f6.jsonl.gz",
		"sync.log",
	} {
		name := filepath.Join(shapesBucket, p)
		srcs, errs := Files([]string{name}, Window{})
		if len(errs) > 0 || len(srcs) != 1 {
			t.Fatalf("%s: Files %v %v", p, srcs, errs)
		}
		ids, _, errs := collect(t, srcs, ReadOptions{})
		if len(ids) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Error(), name) || !strings.Contains(errs[0].Error(), "not") {
			t.Errorf("%s: records %v, errors %v", filepath.Base(p), ids, errs)
		}
	}
}

// Insights events have no eventName or eventSource of their own (they are inside
// insightDetails) and are records all the same.
func TestReadInsightsEvents(t *testing.T) {
	p := filepath.Join(shapesBucket, "AWSLogs/111122223333/CloudTrail-Insight/us-east-2/2015/08/01/111122223333_CloudTrail-Insight_us-east-2_20150801T0230Z_Ab3dEf6hIj9kLm2N.json.gz")
	state, name := event.Intern("insightDetails.state"), event.Intern("insightDetails.eventName")
	var got []string
	_, errs := Read(t.Context(), []Source{File(p)}, ReadOptions{Workers: 1}, func(_ int, e *event.Event) {
		got = append(got, string(e.Str(event.EventType))+" "+string(e.First(state))+" "+string(e.First(name)))
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if want := []string{"AwsCloudTrailInsight Start StartInstances", "AwsCloudTrailInsight End StartInstances"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	// also as LookupEvents returns them (--event-category insight), and as JSON lines
	raw := `{"eventVersion":"1.07","eventTime":"2015-08-01T02:10:00Z","awsRegion":"us-east-2","eventID":"i-1","eventType":"AwsCloudTrailInsight","insightDetails":{"state":"Start","eventSource":"ec2.amazonaws.com","eventName":"RunInstances"},"eventCategory":"Insight"}`
	quoted := strings.ReplaceAll(raw, `"`, `\"`)
	for _, b := range []string{
		`{"Events":[{"EventId":"i-1","EventName":"RunInstances","CloudTrailEvent":"` + quoted + `"}]}`,
		raw + "\n" + strings.Replace(raw, `"i-1"`, `"i-2"`, 1),
	} {
		ids, _, errs := collect(t, []Source{memSource{"insight", []byte(b)}}, ReadOptions{Workers: 1})
		if len(errs) > 0 || len(ids) == 0 || ids[0] != "i-1" {
			t.Errorf("%.40s…: %v %v", b, ids, errs)
		}
	}
	// a record that is not an Insights event and lacks eventName is still refused, and a
	// broken Insights event is a syntax error, not a record
	for _, b := range []string{
		`{"eventTime":"2015-08-01T02:10:00Z","eventType":"AwsApiCall"}`,
		`{"eventTime":"2015-08-01T02:10:00Z","eventType":"AwsCloudTrailInsight" "insightDetails":{}}`,
		`{"Events":[{"CloudTrailEvent":"{\"eventTime\":\"2015-08-01T02:10:00Z\",\"eventType\":\"AwsCloudTrailInsight\",\"x\":}"}]}`,
	} {
		ids, _, errs := collect(t, []Source{memSource{"bad", []byte(b)}}, ReadOptions{Workers: 1})
		if len(ids) != 0 || len(errs) != 1 {
			t.Errorf("%s: records %v, errors %v", b, ids, errs)
		}
	}
}

// Each hand-made shape: the records it must give, or the error it must give.
func TestReadShapes(t *testing.T) {
	span := func(a, b int) (out []string) {
		for i := a; i <= b; i++ {
			out = append(out, fmt.Sprintf("f0000000-0000-4000-8000-%012d", i))
		}
		return out
	}
	for _, c := range []struct {
		file string
		want []string
		err  string
	}{
		{"bom.json", span(1, 1), ""},
		{"pretty-crlf.json", span(2, 3), ""},
		{"lookup-events.json", span(4, 5), ""},
		{"lookup-events-token-first.json", span(6, 6), ""},
		{"multi-member.json.gz", span(7, 9), ""},
		{"not-gzipped.json.gz", span(10, 10), ""},
		{"gzipped.json", span(11, 11), ""},
		{"empty-delivery.json", nil, ""},
		{"empty-array.json", nil, ""},
		{"concatenated.json", span(30, 32), ""},
		{"whitespace.json", nil, "empty"},
		{"times.jsonl", span(12, 15), ""},
		{"source-ips.jsonl", span(16, 25), ""},
		{"lines.jsonl", span(26, 28), ""},
		{"lines-no-final-newline.jsonl", span(26, 28), ""},
		{"lines-crlf.jsonl", span(26, 28), ""},
		{"splunk-raw.jsonl", nil, "not a CloudTrail record"},
		{"utf16le.json", nil, "UTF-16"},
	} {
		t.Run(c.file, func(t *testing.T) {
			p := filepath.Join(shapesFiles, c.file)
			srcs, errs := Files([]string{p}, Window{})
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			ids, st, errs := collect(t, srcs, ReadOptions{Workers: 1})
			if !slices.Equal(ids, c.want) || st.Records != int64(len(c.want)) {
				t.Errorf("records %v, want %v", ids, c.want)
			}
			switch {
			case c.err == "" && len(errs) > 0:
				t.Errorf("errors: %v", errs)
			case c.err != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), c.err) || !strings.Contains(errs[0].Error(), p) || strings.Contains(errs[0].Error(), "\n")):
				t.Errorf("errors %v, want one line naming the file and saying %q", errs, c.err)
			}
		})
	}
	// the same shapes found by a folder walk (the names are all CloudTrail-like)
	srcs, errs := Files([]string{shapesFiles}, Window{})
	if len(errs) > 0 || len(srcs) != 18 {
		t.Errorf("folder: %d files, errors %v", len(srcs), errs)
	}
}

// eventTime in other RFC 3339 forms, and as CloudTrail Lake and Athena print it, is read as
// the same instant, so windows and the timeline order them right.
func TestEventTimeForms(t *testing.T) {
	want := time.Date(2015, 8, 1, 2, 3, 11, 0, time.UTC)
	for _, s := range []string{
		"2015-08-01T02:03:11Z", "2015-08-01T02:03:11+00:00", "2015-08-01T04:03:11+02:00",
		"2015-08-01T02:03:11.000Z", "2015-08-01 02:03:11.000", "2015-08-01 02:03:11", "2015-08-01T02:03:11",
	} {
		got, ok := ParseTime([]byte(s))
		if !ok || !got.Equal(want) {
			t.Errorf("%q: %v %v", s, got, ok)
		}
		var p timeParser
		if got, ok := p.parse([]byte(s)); !ok || !got.Equal(want) {
			t.Errorf("timeParser %q: %v %v", s, got, ok)
		}
	}
	if got, ok := ParseTime([]byte("2015-08-01T02:03:11.250Z")); !ok || got.Sub(want) != 250*time.Millisecond {
		t.Errorf("fractional seconds: %v %v", got, ok)
	}
	for _, s := range []string{"2015-08-01", "1438394591", "2015-08-01 02:03:11Z junk", "2015-08-01 2:03:11", ""} {
		if got, ok := ParseTime([]byte(s)); ok {
			t.Errorf("%q read as %v", s, got)
		}
	}
	// a window keeps every form of the same instant
	w := Window{Since: want.Add(-time.Minute), Until: want.Add(time.Minute)}
	ids, _, errs := collect(t, []Source{File(filepath.Join(shapesFiles, "times.jsonl"))}, ReadOptions{Window: w})
	if len(errs) > 0 || len(ids) != 4 {
		t.Errorf("window kept %d of 4: %v", len(ids), errs)
	}
}

// IPv6, mapped, zoned, service names and malformed source addresses, Insights events (no
// identity, no eventName) and an organization trail go through the whole hunt (rules,
// detectors, attribution, findings) and the timeline without an error.
func TestHuntShapes(t *testing.T) {
	srcs, errs := Files([]string{shapesBucket, filepath.Join(shapesFiles, "source-ips.jsonl"), filepath.Join(shapesFiles, "times.jsonl")}, Window{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	res := NewEngine().Hunt(t.Context(), srcs, HuntOptions{})
	if len(res.Errors) > 0 || res.Stats.Records != 7+10+4 {
		t.Fatalf("stats %+v, errors %v", res.Stats, res.Errors)
	}
	for _, f := range res.Findings(res.Account) {
		if err := f.Validate(); err != nil {
			t.Error(err)
		}
	}
	es, _, errs := Collect(t.Context(), srcs, ReadOptions{}, func([]byte, *event.Identity, []byte) bool { return true })
	if len(errs) > 0 || len(es) != 21 {
		t.Fatalf("timeline: %d entries, errors %v", len(es), errs)
	}
	for _, e := range es {
		if e.Time.IsZero() {
			t.Errorf("%s: no time", e.EventID)
		}
	}
	if gs := Timeline(es); len(gs) == 0 {
		t.Error("empty timeline")
	}
}
