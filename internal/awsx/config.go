package awsx

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// Config is the SDK's configuration; an alias so callers need not import aws for it.
type Config = aws.Config

// DefaultRegion is used when neither --region, the profile nor the environment names one:
// global services (IAM, STS, Cost Explorer) answer there.
const DefaultRegion = "us-east-1"

// AppID is put into every request's User-Agent (as "app/accountguard"), so the tool's own
// calls can be told apart in CloudTrail.
const AppID = "accountguard"

// Options adjust Load. The zero value follows the standard chain with default retries.
type Options struct {
	Profile string // --profile
	Region  string // --region
	// MaxAttempts per call including the first; 0 means AWS_MAX_ATTEMPTS, else 10, enough to
	// ride out throttling.
	MaxAttempts int
	// MaxBackoff caps the delay between retries; 0 means 20 s. Tests set it low.
	MaxBackoff time.Duration
	// RateLimits per SDK service ID ("IAM", "EC2", "CloudTrail" …) in requests per second,
	// applied to every attempt. Nil means DefaultRateLimits.
	RateLimits map[string]rate.Limit
}

// DefaultRateLimits stay under AWS's documented or observed per-account limits, so a full
// collection is not slowed further by throttling and retries. Services not named are unlimited.
var DefaultRateLimits = map[string]rate.Limit{
	"IAM":             20,
	"STS":             50,
	"CloudTrail":      10,
	"Cost Explorer":   5,
	"Budgets":         5,
	"Organizations":   10,
	"EC2":             80,
	"Auto Scaling":    20,
	"CloudWatch":      20,
	"CloudWatch Logs": 10,
}

// LookupEventsRate is CloudTrail LookupEvents' own limit: 2 requests per second per account and region.
const LookupEventsRate rate.Limit = 2

// Load builds an aws.Config from the standard chain. The SDK itself reads AWS_ENDPOINT_URL
// and AWS_ENDPOINT_URL_<SERVICE> (and endpoint_url in profiles).
func Load(ctx context.Context, o Options) (aws.Config, error) {
	maxAttempts := o.MaxAttempts
	if n, err := strconv.Atoi(os.Getenv("AWS_MAX_ATTEMPTS")); maxAttempts == 0 && err == nil && n > 0 {
		maxAttempts = n // the AWS CLI's and SDKs' own variable
	}
	if maxAttempts == 0 {
		maxAttempts = 10
	}
	maxBackoff := o.MaxBackoff
	if maxBackoff == 0 {
		maxBackoff = 20 * time.Second
	}
	opts := []func(*config.LoadOptions) error{
		config.WithAppID(AppID),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = maxAttempts
				so.MaxBackoff = maxBackoff
				so.Backoff = retry.NewExponentialJitterBackoff(maxBackoff)
			})
		}),
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		if o.Profile != "" {
			return aws.Config{}, fmt.Errorf("load AWS config for profile %q: %w", o.Profile, err)
		}
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	limits := o.RateLimits
	if limits == nil {
		limits = DefaultRateLimits
	}
	AddRateLimits(&cfg, limits)
	return cfg, nil
}

// AddRateLimits makes every client built from cfg wait for a token of its service's limiter
// in the call's region before each attempt (retries included). Operations with their own AWS limit
// (CloudTrail LookupEvents) get a limiter of their own per region.
func AddRateLimits(cfg *aws.Config, perService map[string]rate.Limit) {
	rl := &rateLimits{perService: perService, limiters: map[string]*rate.Limiter{}}
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		return stack.Finalize.Add(rl, middleware.After)
	})
}

type rateLimits struct {
	perService map[string]rate.Limit
	mu         sync.Mutex
	limiters   map[string]*rate.Limiter
}

func (*rateLimits) ID() string { return "accountguard.RateLimit" }

func (r *rateLimits) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	if l := r.limiter(ctx); l != nil {
		if err := l.Wait(ctx); err != nil {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("rate limit wait: %w", err)
		}
	}
	return next.HandleFinalize(ctx, in)
}

func (r *rateLimits) limiter(ctx context.Context) *rate.Limiter {
	service := awsmiddleware.GetServiceID(ctx)
	op := awsmiddleware.GetOperationName(ctx)
	// AWS throttles per account and region (EC2's buckets, CloudTrail's 2/s), so limiters are too.
	key, limit := service+"/"+awsmiddleware.GetRegion(ctx), rate.Inf
	if l, ok := r.perService[service]; ok {
		limit = l
	}
	if service == "CloudTrail" && op == "LookupEvents" {
		key, limit = "LookupEvents/"+awsmiddleware.GetRegion(ctx), LookupEventsRate
	}
	if limit == rate.Inf {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.limiters[key]
	if !ok {
		// AWS's own buckets let a burst through before throttling; so does this one.
		burst := max(1, int(2*limit))
		l = rate.NewLimiter(limit, burst)
		r.limiters[key] = l
	}
	return l
}
