// Package simtest holds test helpers for the AWS simulator: start a scenario for one test and
// close it when the test ends, export its CloudTrail to a temporary folder, upload that export
// to a simulated bucket. It is apart from awssim because it imports "testing", and awssim is
// also built into the accountguard binary (`accountguard sim`, cli/sim.go).
package simtest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/accountguard/accountguard/internal/awssim"
)

// Start loads scenario (an embedded name or a path), serves it on 127.0.0.1 and closes it
// when t ends. Any error ends the test.
func Start(t testing.TB, scenario string, opt awssim.Options) *awssim.Running {
	t.Helper()
	r, err := awssim.Start(load(t, scenario), opt, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// New loads scenario into a simulator that is not served: for tests that only read its
// trail or ground truth, and need no listener.
func New(t testing.TB, scenario string, opt awssim.Options) *awssim.Server {
	t.Helper()
	srv, err := awssim.New(load(t, scenario), opt)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func load(t testing.TB, scenario string) *awssim.Scenario {
	t.Helper()
	sc, err := awssim.LoadScenario(scenario)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// ExportTrail writes records in CloudTrail's S3 export layout under a new temporary folder
// and returns the folder and the files written. Pass the trail taken when it is wanted:
// calls a test makes to the simulator are recorded too.
func ExportTrail(t testing.TB, records []awssim.Record) (dir string, files []string) {
	t.Helper()
	dir = t.TempDir()
	files, err := awssim.ExportTrail(records, dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, files
}

// PutFiles uploads files (from ExportTrail) to bucket, each under its path below dir with
// forward slashes, so that the bucket holds the export layout as a trail bucket does.
func PutFiles(t testing.TB, client *s3.Client, bucket, dir string, files []string) {
	t.Helper()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, err := filepath.Rel(dir, f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(filepath.ToSlash(rel)), Body: bytes.NewReader(b)}); err != nil {
			t.Fatalf("put %s in bucket %s: %v", rel, bucket, err)
		}
	}
}
