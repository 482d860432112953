package trail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithy "github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// S3API is the part of the S3 client the export reader needs.
type S3API interface {
	ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// BucketLocator is the part of the S3 client that finds where a bucket lives.
type BucketLocator interface {
	GetBucketLocation(context.Context, *s3.GetBucketLocationInput, ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
	HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
}

// BucketRegion is the region a bucket lives in. S3 requests must be signed for it: a trail
// bucket usually sits in one region while the hunt runs with another, and S3 answers such
// requests with 301 PermanentRedirect or 400 AuthorizationHeaderMalformed. Like the AWS CLI
// it asks GetBucketLocation first (any region answers it; "" is us-east-1, "EU" eu-west-1).
// Where that is refused (outside its home region a bucket policy cannot grant it across
// accounts) it asks HeadBucket, whose x-amz-bucket-region header S3 sends on success and on
// a wrong-region or denied answer alike. It fails only when neither names a region; the
// caller then keeps its configured region.
func BucketRegion(ctx context.Context, api BucketLocator, bucket string) (string, error) {
	loc, err := api.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
	if err == nil {
		switch c := string(loc.LocationConstraint); c {
		case "":
			return "us-east-1", nil
		case "EU":
			return "eu-west-1", nil
		default:
			return c, nil
		}
	}
	if r := regionHeader(err); r != "" {
		return r, nil
	}
	if code := errorCode(err); code == "NoSuchBucket" {
		return "", fmt.Errorf("s3:GetBucketLocation %s: %w", bucket, err)
	}
	head, herr := api.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if herr == nil && aws.ToString(head.BucketRegion) != "" {
		return aws.ToString(head.BucketRegion), nil
	}
	if r := regionHeader(herr); r != "" {
		return r, nil
	}
	if herr == nil {
		herr = errors.New("no x-amz-bucket-region in the reply")
	}
	return "", fmt.Errorf("region of bucket %s: s3:GetBucketLocation: %w; s3:HeadBucket: %w", bucket, err, herr)
}

// regionHeader is the x-amz-bucket-region header of a failed S3 call's response, if any.
func regionHeader(err error) string {
	var re *smithyhttp.ResponseError
	if err == nil || !errors.As(err, &re) || re.Response == nil {
		return ""
	}
	return re.Response.Header.Get("X-Amz-Bucket-Region")
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// S3Object is one object of a CloudTrail export bucket.
type S3Object struct {
	API    S3API
	Bucket string
	Key    string
	Size   int64
}

func (o S3Object) Name() string { return "s3://" + o.Bucket + "/" + o.Key }

func (o S3Object) Open(ctx context.Context) (io.ReadCloser, error) {
	out, err := o.API.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key)})
	if err != nil {
		return nil, fmt.Errorf("s3:GetObject: %w", err)
	}
	return out.Body, nil
}

// ParseS3URL splits s3://bucket/prefix.
func ParseS3URL(u string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok || rest == "" || strings.HasPrefix(rest, "/") {
		return "", "", fmt.Errorf("%q is not s3://bucket/prefix", u)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	return bucket, prefix, nil
}

// maxDayPrefixes bounds listing day by day; a longer window lists each region whole.
const maxDayPrefixes = 400

// S3Sources lists the CloudTrail objects under bucket/prefix. It walks the export layout
// (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/) with delimiters, so regions outside
// w are never listed and, for a bounded window, only its days are; the object names are
// then pruned by w again before any object is read. Listing runs concurrently; a failed
// listing is one error naming the prefix, and the others still count.
func S3Sources(ctx context.Context, api S3API, bucket, prefix string, w Window) ([]Source, []error) {
	l := &s3Lister{api: api, bucket: bucket, w: w}
	l.walk(ctx, prefix, 0)
	l.wg.Wait()
	slices.SortFunc(l.out, func(a, b Source) int { return strings.Compare(a.Name(), b.Name()) })
	return l.out, l.errs
}

type s3Lister struct {
	api    S3API
	bucket string
	w      Window
	wg     sync.WaitGroup
	mu     sync.Mutex
	out    []Source
	errs   []error
}

// walk descends through folders until it reaches a CloudTrail/ or CloudTrail-Insight/
// folder (at most 5 levels: prefix, AWSLogs, organization ID, account, CloudTrail), leaving
// out digests and other services' folders.
func (l *s3Lister) walk(ctx context.Context, prefix string, depth int) {
	for _, svc := range []string{"CloudTrail/", "CloudTrail-Insight/"} {
		if strings.HasSuffix(prefix, "/"+svc) || prefix == svc {
			l.regions(ctx, prefix)
			return
		}
	}
	if depth > 5 || (prefix != "" && !strings.HasSuffix(prefix, "/")) {
		l.listAll(ctx, prefix)
		return
	}
	dirs, ok := l.list(ctx, prefix, "/")
	if !ok {
		return
	}
	for _, d := range dirs {
		if skipFolder(d) {
			continue
		}
		l.wg.Go(func() { l.walk(ctx, d, depth+1) })
	}
}

// regions lists the region folders of a CloudTrail/ folder and each kept region's days.
func (l *s3Lister) regions(ctx context.Context, prefix string) {
	dirs, ok := l.list(ctx, prefix, "/")
	if !ok {
		return
	}
	for _, d := range dirs {
		region := strings.TrimSuffix(strings.TrimPrefix(d, prefix), "/")
		if !l.w.keepRegion(region) {
			continue
		}
		days := l.days()
		if days == nil {
			l.wg.Go(func() { l.listAll(ctx, d) })
			continue
		}
		for _, day := range days {
			l.wg.Go(func() { l.listAll(ctx, d+day.Format("2006/01/02/")) })
		}
	}
}

// days are the date folders that can hold records of the window: from the day of Since to
// the day after Until (delivery lags), or nil when the window is open or too long.
func (l *s3Lister) days() []time.Time {
	if l.w.Since.IsZero() || l.w.Until.IsZero() {
		return nil
	}
	from := l.w.Since.UTC().Truncate(24 * time.Hour)
	to := l.w.Until.UTC().Add(deliverySlack).Truncate(24 * time.Hour)
	if to.Sub(from) > maxDayPrefixes*24*time.Hour {
		return nil
	}
	var out []time.Time
	for d := from; !d.After(to); d = d.Add(24 * time.Hour) {
		out = append(out, d)
	}
	return out
}

// listAll lists every object under prefix and keeps CloudTrail files the window keeps.
func (l *s3Lister) listAll(ctx context.Context, prefix string) {
	l.list(ctx, prefix, "")
}

// list pages through ListObjectsV2; with a delimiter it returns the sub-folders, and it
// adds the objects at this level either way.
func (l *s3Lister) list(ctx context.Context, prefix, delim string) ([]string, bool) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(l.bucket), Prefix: aws.String(prefix)}
	if delim != "" {
		in.Delimiter = aws.String(delim)
	}
	var dirs []string
	p := s3.NewListObjectsV2Paginator(l.api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			l.mu.Lock()
			l.errs = append(l.errs, &InputError{Name: "s3://" + l.bucket + "/" + prefix, Err: fmt.Errorf("s3:ListObjectsV2: %w", err)})
			l.mu.Unlock()
			return nil, false
		}
		for _, cp := range page.CommonPrefixes {
			dirs = append(dirs, aws.ToString(cp.Prefix))
		}
		var keep []Source
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if !isTrailFile(key) || !l.w.keepKey(key) {
				continue
			}
			keep = append(keep, S3Object{API: l.api, Bucket: l.bucket, Key: key, Size: aws.ToInt64(o.Size)})
		}
		l.mu.Lock()
		l.out = append(l.out, keep...)
		l.mu.Unlock()
	}
	return dirs, true
}
