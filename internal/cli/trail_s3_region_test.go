package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
)

// TestTrailS3BucketInAnotherRegion: the trail bucket lives in eu-west-1 while the profile
// says us-east-1 and --region filters records for other regions; the CLI signs S3 requests
// for the bucket's region, through the AWS_ENDPOINT_URL override.
func TestTrailS3BucketInAnotherRegion(t *testing.T) {
	r := simtest.Start(t, "leaked-key", awssim.Options{})
	gt := r.GroundTruth()
	dir, files := simtest.ExportTrail(t, r.Trail())
	eu := s3.NewFromConfig(r.Config("", ""), func(o *s3.Options) { o.UsePathStyle = true; o.Region = "eu-west-1" })
	if _, err := eu.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("trail-eu"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatal(err)
	}
	simtest.PutFiles(t, eu, "trail-eu", dir, files)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	for _, kv := range r.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("AWS_REGION", "us-east-1")
	for _, args := range [][]string{
		{"trail", "timeline", "s3://trail-eu/AWSLogs/", "-o", "json"},
		{"trail", "timeline", "s3://trail-eu/AWSLogs/", "-o", "json", "--region", "us-east-1,sa-east-1"},
	} {
		code, out, stderr := runCLI(t, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		if !strings.Contains(out, gt.LeakedKey) || !strings.Contains(out, "RunInstances") {
			t.Errorf("%v: the timeline misses the attacker's records", args)
		}
	}
	// The S3-only endpoint override holds too.
	t.Setenv("AWS_ENDPOINT_URL_S3", os.Getenv("AWS_ENDPOINT_URL"))
	t.Setenv("AWS_ENDPOINT_URL", "")
	if code, out, stderr := runCLI(t, "trail", "timeline", "s3://trail-eu/AWSLogs/", "-o", "json"); code != ExitOK || !strings.Contains(out, gt.LeakedKey) {
		t.Fatalf("AWS_ENDPOINT_URL_S3: exit %d: %s", code, stderr)
	}
}
