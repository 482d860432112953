package awsx

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Identity is who the credentials in use belong to.
type Identity struct {
	Account     string `json:"account"`
	ARN         string `json:"arn"`
	UserID      string `json:"user_id"`
	AccessKeyID string `json:"access_key_id,omitempty"` // the key the tool runs with: never to be removed
}

// STSAPI is the part of the STS client CallerIdentity needs.
type STSAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// CallerIdentity asks STS who the credentials belong to.
func CallerIdentity(ctx context.Context, api STSAPI) (Identity, error) {
	out, err := api.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	return Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}, nil
}

// WhoAmI is CallerIdentity for a Config, with the access key ID of its credentials filled in.
func WhoAmI(ctx context.Context, cfg aws.Config) (Identity, error) {
	id, err := CallerIdentity(ctx, sts.NewFromConfig(cfg))
	if err != nil {
		return id, err
	}
	if cfg.Credentials != nil {
		if creds, err := cfg.Credentials.Retrieve(ctx); err == nil {
			id.AccessKeyID = creds.AccessKeyID
		}
	}
	return id, nil
}

// RegionsAPI is the part of the EC2 client EnabledRegions needs.
type RegionsAPI interface {
	DescribeRegions(context.Context, *ec2.DescribeRegionsInput, ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
}

// EnabledRegions lists the regions the account can use: those that need no opt-in and
// those opted in. Regions "not-opted-in" are left out, since no resource can live there.
func EnabledRegions(ctx context.Context, api RegionsAPI) ([]string, error) {
	out, err := api.DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("ec2:DescribeRegions: %w", err)
	}
	var regions []string
	for _, r := range out.Regions {
		if aws.ToString(r.OptInStatus) == "not-opted-in" {
			continue
		}
		regions = append(regions, aws.ToString(r.RegionName))
	}
	slices.Sort(regions)
	return regions, nil
}
