package cost

import (
	"context"
	"time"
)

// AttributionQuery asks who launched resources that cost money in a service and region
// within [From, To).
type AttributionQuery struct {
	Service string // Cost Explorer SERVICE value or CUR product name/code
	Region  string // "" when the cost line does not tell
	From    time.Time
	To      time.Time
}

// Attributor names the principals (ARNs or access key IDs) that created billable resources
// matching a query. The trail package satisfies it from CloudTrail's create events; Detect
// works without one (Options.Attributor nil), and an attribution error is reported on the
// anomaly, never fatal.
type Attributor interface {
	Principals(ctx context.Context, q AttributionQuery) ([]string, error)
}

// AttributorFunc lets a plain function be an Attributor.
type AttributorFunc func(ctx context.Context, q AttributionQuery) ([]string, error)

func (f AttributorFunc) Principals(ctx context.Context, q AttributionQuery) ([]string, error) {
	return f(ctx, q)
}

var _ Attributor = AttributorFunc(nil)
