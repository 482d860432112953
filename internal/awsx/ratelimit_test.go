package awsx_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/time/rate"

	"github.com/accountguard/accountguard/internal/awsx"
)

type stsReply struct{ calls int }

func (s *stsReply) RoundTrip(r *http.Request) (*http.Response, error) {
	s.calls++
	body := `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/x</Arn><UserId>AIDAX</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/xml"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// The limiter spaces calls of a service at its rate after a burst of twice the rate: 4 calls at
// 1/s take 2 s of (fake) time.
func TestRateLimitsSpaceCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := &stsReply{}
		cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
			HTTPClient: &http.Client{Transport: rt}}
		awsx.AddRateLimits(&cfg, map[string]rate.Limit{"STS": 1})
		client := sts.NewFromConfig(cfg)
		start := time.Now()
		for range 4 {
			if _, err := client.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got < 2*time.Second || got > 3*time.Second {
			t.Fatalf("4 calls at 1/s took %v", got)
		}
		if rt.calls != 4 {
			t.Fatalf("calls = %d", rt.calls)
		}
	})
}
