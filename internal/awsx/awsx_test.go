package awsx_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
	"github.com/accountguard/accountguard/internal/awsx"
)

func startSim(t *testing.T) *awssim.Running {
	t.Helper()
	return simtest.Start(t, "empty", awssim.Options{})
}

// loadAndAsk loads a Config through the standard chain and asks STS who it is.
func loadAndAsk(t *testing.T, o awsx.Options) (aws.Config, awsx.Identity) {
	t.Helper()
	cfg, err := awsx.Load(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	id, err := awsx.WhoAmI(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, id
}

// isolate keeps the test from reading the developer's own AWS files and variables.
func isolate(t *testing.T) string {
	dir := t.TempDir()
	for _, v := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_EC2"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return dir
}

func TestLoadHonoursEndpointURLFromEnvironment(t *testing.T) {
	r := startSim(t)
	isolate(t)
	t.Setenv("AWS_ENDPOINT_URL", r.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", r.AdminKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", r.AdminSecret)
	t.Setenv("AWS_REGION", "ap-northeast-2")
	cfg, id := loadAndAsk(t, awsx.Options{})
	if id.Account != r.Account || id.AccessKeyID != r.AdminKeyID || cfg.Region != "ap-northeast-2" {
		t.Fatalf("identity %+v region %s", id, cfg.Region)
	}
}

func TestLoadHonoursServiceEndpointAndProfile(t *testing.T) {
	r := startSim(t)
	dir := isolate(t)
	// The profile names the credentials and region; the STS endpoint comes from its own variable.
	if err := os.WriteFile(filepath.Join(dir, "credentials"), []byte("[sim]\naws_access_key_id = "+r.AdminKeyID+"\naws_secret_access_key = "+r.AdminSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("[profile sim]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ENDPOINT_URL_STS", r.URL)
	cfg, id := loadAndAsk(t, awsx.Options{Profile: "sim"})
	if id.Account != r.Account || cfg.Region != "eu-west-1" {
		t.Fatalf("identity %+v region %s", id, cfg.Region)
	}
	if _, err := awsx.Load(t.Context(), awsx.Options{Profile: "nope"}); err == nil {
		t.Fatal("an unknown profile must fail")
	}
}

func TestLoadDefaultsRegion(t *testing.T) {
	isolate(t)
	cfg, err := awsx.Load(t.Context(), awsx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != awsx.DefaultRegion {
		t.Fatalf("region %q", cfg.Region)
	}
}

func TestEachCollectsErrorsAndBoundsConcurrency(t *testing.T) {
	var running, peak atomic.Int32
	keys := []string{"a", "b", "c", "d", "e", "f"}
	errs := awsx.Each(context.Background(), keys, 2, func(ctx context.Context, k string) error {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		running.Add(-1)
		if k == "b" || k == "e" {
			return errors.New("boom " + k)
		}
		return nil
	})
	if len(errs) != 2 || errs["b"] == nil || errs["e"] == nil {
		t.Fatalf("errors = %v", errs)
	}
	if peak.Load() > 2 {
		t.Fatalf("peak concurrency %d > 2", peak.Load())
	}
	if errs := awsx.Each(context.Background(), keys, 0, func(context.Context, string) error { return nil }); errs != nil {
		t.Fatalf("no errors expected, got %v", errs)
	}
}

func TestEachStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var calls atomic.Int32
	errs := awsx.Each(ctx, []string{"a", "b"}, 1, func(context.Context, string) error { calls.Add(1); return nil })
	if calls.Load() != 0 || len(errs) != 2 {
		t.Fatalf("calls %d errs %v", calls.Load(), errs)
	}
}
