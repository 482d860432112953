package awssim

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestS3ObjectsThroughSDK(t *testing.T) {
	r := start(t, "empty", Options{})
	ctx := t.Context()
	for _, pathStyle := range []bool{true, false} {
		client := s3.NewFromConfig(r.Config("", ""), func(o *s3.Options) { o.UsePathStyle = pathStyle })
		bucket := fmt.Sprintf("trail-bucket-%v", pathStyle)
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatalf("path style %v: %v", pathStyle, err)
		}
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); apiCode(err) != "BucketAlreadyOwnedByYou" {
			t.Fatalf("second CreateBucket: %v", err)
		}
		keys := []string{"AWSLogs/1/CloudTrail/us-east-1/2026/11/20/a.json.gz", "AWSLogs/1/CloudTrail/us-east-1/2026/11/21/b.json.gz",
			"AWSLogs/1/CloudTrail/us-west-2/2026/11/20/c.json.gz", "other/d.txt", "AWSLogs/1/CloudTrail/us-east-1/2026/11/22/e.json.gz"}
		for i, k := range keys {
			body := bytes.Repeat([]byte{byte('a' + i)}, 100*(i+1))
			if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
				t.Fatalf("PutObject %s: %v", k, err)
			}
		}
		var listed []string
		p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("AWSLogs/1/CloudTrail/us-east-1/"), MaxKeys: aws.Int32(2)})
		pages := 0
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, o := range page.Contents {
				listed = append(listed, aws.ToString(o.Key))
			}
		}
		if pages != 2 || len(listed) != 3 || listed[0] != keys[0] || listed[2] != keys[4] {
			t.Fatalf("pages %d listed %v", pages, listed)
		}
		del, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("AWSLogs/1/CloudTrail/"), Delimiter: aws.String("/")})
		if err != nil || len(del.CommonPrefixes) != 2 || aws.ToString(del.CommonPrefixes[1].Prefix) != "AWSLogs/1/CloudTrail/us-west-2/" {
			t.Fatalf("delimiter listing %+v, %v", del, err)
		}
		got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(keys[2])})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(got.Body)
		if len(data) != 300 || data[0] != 'c' {
			t.Fatalf("GetObject returned %d bytes", len(data))
		}
		if _, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("nope")}); apiCode(err) != "NoSuchKey" {
			t.Fatalf("missing key: %v", err)
		}
		if _, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket")}); apiCode(err) != "NoSuchBucket" {
			t.Fatalf("missing bucket: %v", err)
		}
	}
}
