package cli

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/accountguard/accountguard/internal/awsx"
	"github.com/accountguard/accountguard/internal/trail"
)

// s3Sources lists an s3://bucket/prefix input in the export layout.
func s3Sources(ctx context.Context, g *Globals, u string, w trail.Window) ([]trail.Source, []error) {
	bucket, prefix, err := trail.ParseS3URL(u)
	if err != nil {
		return nil, []error{err}
	}
	cfg, err := g.AWS(ctx)
	if err != nil {
		return nil, []error{fmt.Errorf("%s: %w", u, err)}
	}
	// --region filters records here (it may be a list); the first calls go to its first
	// region, or the profile's.
	if first, _, ok := strings.Cut(cfg.Region, ","); ok {
		cfg.Region = first
	}
	// A custom endpoint (a simulator, MinIO) serves buckets by path, not by host name.
	custom := cfg.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
	pathStyle := func(o *s3.Options) { o.UsePathStyle = custom }
	client := s3.NewFromConfig(cfg, pathStyle)
	// S3 refuses requests signed for another region than the bucket's: sign for the bucket's.
	// Only the signing region changes, so endpoint overrides still hold. When the region
	// cannot be found, the configured one is tried and its errors name the prefix.
	if region, err := trail.BucketRegion(ctx, client, bucket); err == nil && region != cfg.Region {
		client = s3.NewFromConfig(cfg, pathStyle, func(o *s3.Options) { o.Region = region })
	}
	return trail.S3Sources(ctx, client, bucket, prefix, w)
}

// lookupSources reads LookupEvents in every enabled region (or the --region ones).
func lookupSources(ctx context.Context, g *Globals, w trail.Window) ([]trail.Source, []error) {
	cfg, err := g.AWS(ctx)
	if err != nil {
		return nil, []error{fmt.Errorf("lookup-events: %w", err)}
	}
	regions := w.Regions
	if len(regions) == 0 {
		if regions, err = awsx.EnabledRegions(ctx, ec2.NewFromConfig(cfg)); err != nil {
			return nil, []error{fmt.Errorf("lookup-events: %w", err)}
		}
	}
	var out []trail.Source
	for _, r := range regions {
		c := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.Region = r })
		out = append(out, trail.Lookup{API: c, Region: r, Since: w.Since, Until: w.Until})
	}
	return out, nil
}

// remoteWorkers: S3 and API inputs wait on the network, so more of them are read at once
// than there are cores.
func remoteWorkers() int { return max(runtime.GOMAXPROCS(0), 16) }
