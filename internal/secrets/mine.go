package secrets

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"golang.org/x/sync/errgroup"
)

// IAMAPI is the part of the IAM client --mine needs; tests fake it or use the simulator.
type IAMAPI interface {
	ListUsers(context.Context, *iam.ListUsersInput, ...func(*iam.Options)) (*iam.ListUsersOutput, error)
	ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	GetAccessKeyLastUsed(context.Context, *iam.GetAccessKeyLastUsedInput, ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
	ListAttachedUserPolicies(context.Context, *iam.ListAttachedUserPoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error)
}

// KeyOwner is what the current account knows about one of its access keys.
type KeyOwner struct {
	User        string
	UserARN     string
	Status      string // "Active" or "Inactive"
	Created     time.Time
	LastUsed    time.Time
	LastService string
	LastRegion  string
	Quarantined bool // an AWSCompromisedKeyQuarantine* managed policy is attached to the user
}

// quarantinePrefix names the managed policies AWS attaches to a user whose key it found
// exposed (AWSCompromisedKeyQuarantine, …V2, …V3).
const quarantinePrefix = "AWSCompromisedKeyQuarantine"

// MyKeys finds which of keyIDs belong to users of the account api is signed into.
func MyKeys(ctx context.Context, api IAMAPI, keyIDs []string) (map[string]KeyOwner, error) {
	want := map[string]bool{}
	for _, k := range keyIDs {
		want[k] = true
	}
	out := map[string]KeyOwner{}
	if len(want) == 0 {
		return out, nil
	}
	var users []struct{ name, arn string }
	pu := iam.NewListUsersPaginator(api, &iam.ListUsersInput{})
	for pu.HasMorePages() {
		page, err := pu.NextPage(ctx)
		if err != nil {
			return out, fmt.Errorf("iam:ListUsers: %w", err)
		}
		for _, u := range page.Users {
			users = append(users, struct{ name, arn string }{aws.ToString(u.UserName), aws.ToString(u.Arn)})
		}
	}
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, u := range users {
		g.Go(func() error {
			pk := iam.NewListAccessKeysPaginator(api, &iam.ListAccessKeysInput{UserName: aws.String(u.name)})
			for pk.HasMorePages() {
				page, err := pk.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("iam:ListAccessKeys %s: %w", u.name, err)
				}
				for _, k := range page.AccessKeyMetadata {
					id := aws.ToString(k.AccessKeyId)
					if !want[id] {
						continue
					}
					o := KeyOwner{User: u.name, UserARN: u.arn, Status: string(k.Status), Created: aws.ToTime(k.CreateDate)}
					lu, err := api.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)})
					if err != nil {
						return fmt.Errorf("iam:GetAccessKeyLastUsed: %w", err)
					}
					if l := lu.AccessKeyLastUsed; l != nil {
						o.LastUsed = aws.ToTime(l.LastUsedDate)
						o.LastService, o.LastRegion = aws.ToString(l.ServiceName), aws.ToString(l.Region)
					}
					pp := iam.NewListAttachedUserPoliciesPaginator(api, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(u.name)})
					for pp.HasMorePages() {
						pol, err := pp.NextPage(ctx)
						if err != nil {
							return fmt.Errorf("iam:ListAttachedUserPolicies %s: %w", u.name, err)
						}
						for _, ap := range pol.AttachedPolicies {
							if strings.HasPrefix(aws.ToString(ap.PolicyName), quarantinePrefix) {
								o.Quarantined = true
							}
						}
					}
					mu.Lock()
					out[id] = o
					mu.Unlock()
				}
			}
			return nil
		})
	}
	return out, g.Wait()
}

// KeyIDs lists the distinct non-example AWS key IDs among hits.
func KeyIDs(hits []Hit) []string {
	_, keys := pairs(hits)
	return keys
}
