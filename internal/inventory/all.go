package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/accountguard/accountguard/internal/awsx"
)

// CollectAll collects everything a snapshot holds: identity, IAM, regional resources and the
// posture services (trails, alarms, detectors, budgets, contacts), all at once.
func CollectAll(ctx context.Context, cfg aws.Config, opts Options) *Snapshot {
	var (
		svc  *Services
		errs []CollectionError
	)
	clients := NewClients(cfg)
	posture := NewPostureClients(cfg)
	// Budgets needs the account ID: ask for it now, beside DescribeRegions, so it is not one
	// more step in the longest chain of dependent calls.
	account := make(chan string, 1)
	go func() {
		id, err := awsx.CallerIdentity(ctx, posture.STS)
		if err != nil {
			id.Account = "" // ServicesOf asks again and records the failure
		}
		account <- id.Account
	}()
	clients.Extra = func(ctx context.Context, enabled []string, _ *Snapshot) {
		posture.AccountID = <-account
		// Merged after Collect returns: nothing here writes the shared snapshot.
		svc, errs = ServicesOf(ctx, posture, enabled)
	}
	snap := Collect(ctx, clients, opts)
	snap.Services = svc
	snap.Errors = append(snap.Errors, errs...)
	snap.sort()
	return snap
}
