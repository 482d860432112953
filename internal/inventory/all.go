package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	clients.Extra = func(ctx context.Context, enabled []string, _ *Snapshot) {
		// Merged after Collect returns: nothing here writes the shared snapshot.
		svc, errs = ServicesOf(ctx, posture, enabled)
	}
	snap := Collect(ctx, clients, opts)
	snap.Services = svc
	snap.Errors = append(snap.Errors, errs...)
	snap.sort()
	return snap
}
