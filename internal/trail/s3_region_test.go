package trail_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithy "github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
	"github.com/accountguard/accountguard/internal/trail"
)

// regionClient is an S3 client of the simulator that signs for region.
func regionClient(r *awssim.Running, region string) *s3.Client {
	return s3.NewFromConfig(r.Config("", ""), func(o *s3.Options) { o.UsePathStyle = true; o.Region = region })
}

// TestS3BucketInAnotherRegion: the trail bucket is in eu-west-1, the client is configured for
// us-east-1. The simulator refuses the wrong signing region as S3 does; BucketRegion finds
// the bucket's region and a client signing for it reads every record.
func TestS3BucketInAnotherRegion(t *testing.T) {
	r := simtest.Start(t, "leaked-key", awssim.Options{})
	records := len(r.Trail())
	dir, files := simtest.ExportTrail(t, r.Trail())
	ctx := t.Context()
	eu := regionClient(r, "eu-west-1")
	bucket := "acme-trail-eu"
	if _, err := eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatal(err)
	}
	simtest.PutFiles(t, eu, bucket, dir, files)

	us := regionClient(r, "us-east-1")
	// What real S3 answers a request signed for the wrong region.
	_, err := us.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	var ae smithy.APIError
	var re *smithyhttp.ResponseError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AuthorizationHeaderMalformed" || !strings.Contains(ae.ErrorMessage(), "expecting 'eu-west-1'") ||
		!errors.As(err, &re) || re.HTTPStatusCode() != 400 || re.Response.Header.Get("x-amz-bucket-region") != "eu-west-1" {
		t.Fatalf("ListObjectsV2 signed for us-east-1 on an eu-west-1 bucket: %v", err)
	}
	if _, err := us.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); !errors.As(err, &re) || re.Response.Header.Get("x-amz-bucket-region") != "eu-west-1" {
		t.Fatalf("HeadBucket signed for us-east-1: %v", err)
	}
	if _, errs := trail.S3Sources(ctx, us, bucket, "AWSLogs/", trail.Window{}); len(errs) == 0 {
		t.Fatal("listing with the wrong signing region succeeded")
	}

	region, err := trail.BucketRegion(ctx, us, bucket)
	if err != nil || region != "eu-west-1" {
		t.Fatalf("BucketRegion = %q, %v", region, err)
	}
	fixed := s3.NewFromConfig(r.Config("", ""), func(o *s3.Options) { o.UsePathStyle = true; o.Region = "us-east-1" },
		func(o *s3.Options) { o.Region = region })
	srcs, errs := trail.S3Sources(ctx, fixed, bucket, "AWSLogs/", trail.Window{})
	if len(errs) > 0 || len(srcs) != len(files) {
		t.Fatalf("%d of %d objects listed, %v", len(srcs), len(files), errs)
	}
	res := trail.NewEngine().Hunt(ctx, srcs, trail.HuntOptions{ReadOptions: trail.ReadOptions{Workers: 4}})
	if len(res.Errors) > 0 || res.Stats.Records != int64(records) {
		t.Fatalf("read %d records of %d: %v", res.Stats.Records, records, res.Errors)
	}
}

// TestBucketRegionAnswers: GetBucketLocation's empty and "EU" constraints, NoSuchBucket, and
// HeadBucket's header when GetBucketLocation is denied.
func TestBucketRegionAnswers(t *testing.T) {
	for _, deny := range []bool{false, true} {
		opts := awssim.Options{}
		if deny {
			opts.Deny = []string{"s3:GetBucketLocation"}
		}
		r, err := awssim.Start(nil, opts, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Close() })
		ctx := t.Context()
		for bucket, c := range map[string]struct {
			create s3types.BucketLocationConstraint
			signer string
			want   string
		}{
			"old-eu-trail":  {"EU", "us-east-1", "eu-west-1"},
			"virginia":      {"", "us-east-1", "us-east-1"},
			"seoul-trail":   {"ap-northeast-2", "ap-northeast-2", "ap-northeast-2"},
			"sao-paulo-log": {"sa-east-1", "us-east-1", "sa-east-1"},
		} {
			in := &s3.CreateBucketInput{Bucket: aws.String(bucket)}
			if c.create != "" {
				in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: c.create}
			}
			if _, err := regionClient(r, c.signer).CreateBucket(ctx, in); err != nil {
				t.Fatal(err)
			}
			if loc, err := regionClient(r, "us-west-2").GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)}); !deny && (err != nil || loc.LocationConstraint != c.create) {
				t.Errorf("%s: LocationConstraint %q, %v; want %q", bucket, loc.LocationConstraint, err, c.create)
			}
			for _, from := range []string{"us-east-1", "eu-central-1", c.want} {
				got, err := trail.BucketRegion(ctx, regionClient(r, from), bucket)
				if err != nil || got != c.want {
					t.Errorf("deny %v: BucketRegion(%s) from %s = %q, %v; want %q", deny, bucket, from, got, err, c.want)
				}
			}
		}
		if got, err := trail.BucketRegion(ctx, regionClient(r, "us-east-1"), "no-such-bucket"); err == nil || !strings.Contains(err.Error(), "no-such-bucket") {
			t.Errorf("missing bucket: %q, %v", got, err)
		}
	}
}
