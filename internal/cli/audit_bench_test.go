package cli

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/accountguard/accountguard/internal/audit"
	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
	"github.com/accountguard/accountguard/internal/awsx"
	"github.com/accountguard/accountguard/internal/finding"
)

// auditChain is the longest chain of dependent calls of a live audit, read from the call log:
// the inventory's (regions → paged regional lists; credential report generation → get;
// authorization details → access keys → last used) and the posture collectors' (regions →
// trails → trail status; regions → budgets → their notifications; regions → detectors →
// detector; regions → paged filters and alarms).
func auditChain(calls []awssim.CallStat) int {
	count := map[string]int{}
	pages := map[string]int{}
	maxPages := 0
	for _, c := range calls {
		count[c.Service+":"+c.Action]++
		switch c.Service {
		case "ec2", "autoscaling", "logs", "monitoring":
			if c.Action != "DescribeRegions" {
				k := c.Service + c.Region + c.Action
				pages[k]++
				maxPages = max(maxPages, pages[k])
			}
		}
	}
	has := func(k string) int {
		if count[k] > 0 {
			return 1
		}
		return 0
	}
	regions := has("ec2:DescribeRegions")
	report := count["iam:GenerateCredentialReport"] + count["iam:GetCredentialReport"]
	users := has("iam:GetAccountAuthorizationDetails") + has("iam:ListAccessKeys") + has("iam:GetAccessKeyLastUsed")
	trails := regions + has("cloudtrail:DescribeTrails") + has("cloudtrail:GetTrailStatus")
	budgets := regions + has("budgets:DescribeBudgets") + has("budgets:DescribeNotificationsForBudget")
	detectors := regions + has("guardduty:ListDetectors") + has("guardduty:GetDetector")
	return max(regions+maxPages, report, users, trails, budgets, detectors, 1)
}

// BenchmarkAuditLeakedKey is a full live audit of leaked-key (17 enabled regions) with 50 ms
// of latency on every call and the production rate limits: wall time, calls, and the wall
// time as a multiple of the longest dependent-call chain. Target: x-chain < 2.
func BenchmarkAuditLeakedKey(b *testing.B) {
	latency := 50 * time.Millisecond
	if v := os.Getenv("AUDIT_BENCH_LATENCY"); v != "" { // to see the CPU share: AUDIT_BENCH_LATENCY=1ms
		latency, _ = time.ParseDuration(v)
	}
	r := simtest.Start(b, "leaked-key", awssim.Options{Latency: latency})
	cfg := func() awsx.Config {
		c := r.Config("", "")
		awsx.AddRateLimits(&c, benchLimits()) // fresh limiters per run, as one invocation
		return c
	}
	collectForAudit(b.Context(), cfg(), nil, nil, "bench") // the credential report exists afterwards, as in an account checked twice
	var calls []awssim.CallStat
	var wall time.Duration
	for b.Loop() {
		c := cfg()
		r.ResetCalls()
		start := time.Now()
		snap := collectForAudit(b.Context(), c, nil, nil, "bench")
		if _, err := audit.Run(snap, audit.Options{}); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		if snap.Partial() {
			b.Fatalf("partial: %v", snap.Errors)
		}
		calls = r.Calls()
	}
	chain := auditChain(calls)
	b.ReportMetric(float64(len(calls)), "calls/op")
	b.ReportMetric(float64(chain), "chain-calls")
	b.ReportMetric(float64(wall)/float64(b.N)/float64(time.Duration(chain)*latency), "x-chain")
}

func statusKey(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s|%s|%s|%s", f.RuleID, f.Region, f.Resource, f.Status))
	}
	slices.Sort(out)
	return out
}

// With 20% of calls throttled and another share failing with 5xx, retries give the same
// findings as a faultless run.
func TestAuditSameFindingsUnderFaults(t *testing.T) {
	var want []string
	for _, opts := range []awssim.Options{{Seed: 7}, {ThrottleRate: 0.2, ErrorRate: 0.1, Seed: 7}} {
		r := simtest.Start(t, "leaked-key", opts)
		cfg := r.Config("", "")
		cfg.Retryer = nil
		loaded, err := awsx.Load(t.Context(), awsx.Options{Region: "us-east-1", MaxAttempts: 12, MaxBackoff: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Retryer = loaded.Retryer
		snap := collectForAudit(t.Context(), cfg, nil, nil, "test")
		faults := 0
		for _, c := range r.Calls() {
			if c.Status >= 400 {
				faults++
			}
		}
		r.Close()
		if snap.Partial() {
			t.Fatalf("faults %+v: partial: %v", opts, snap.Errors)
		}
		fs, _ := audit.Run(snap, audit.Options{})
		got := statusKey(fs)
		if want == nil {
			want = got
			continue
		}
		if faults < 20 {
			t.Fatalf("only %d faulty calls injected", faults)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("findings differ under faults (%d faulty calls):\n got %v\nwant %v", faults, got, want)
		}
		t.Logf("%d faulty calls retried, %d findings identical", faults, len(got))
	}
}

// benchLimits are the production limits, or with AUDIT_BENCH_IAM_RPS set, another IAM rate,
// to show how much of the wall time the IAM limiter accounts for.
func benchLimits() map[string]rate.Limit {
	v := os.Getenv("AUDIT_BENCH_IAM_RPS")
	if v == "" {
		return awsx.DefaultRateLimits
	}
	m := maps.Clone(awsx.DefaultRateLimits)
	n, _ := strconv.Atoi(v)
	m["IAM"] = rate.Limit(n)
	return m
}
