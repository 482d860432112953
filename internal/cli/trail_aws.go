package cli

import (
	"context"
	"fmt"
	"os"
	"runtime"

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
	// --region filters records here; the bucket's own region comes from the profile.
	// A custom endpoint (a simulator, MinIO) serves buckets by path, not by host name.
	custom := cfg.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = custom })
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
