package inventory_test

import (
	"strings"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awsx"
	"github.com/accountguard/accountguard/internal/inventory"
)

// BenchmarkInventoryLeakedKey collects leaked-key (17 enabled regions) with 50 ms of latency
// on every call and the production rate limits. It reports the calls made, calls repeated
// with identical parameters, and the wall time as a multiple of the longest chain of
// dependent calls (the floor: everything independent overlapped). Target: x-chain < 2, no repeats.
func BenchmarkInventoryLeakedKey(b *testing.B) {
	const latency = 50 * time.Millisecond
	r := startScenario(b, "leaked-key", awssim.Options{Latency: latency})
	// Each run gets fresh rate limiters, as one invocation of the tool would.
	clients := func() inventory.Clients {
		cfg := r.Config("", "")
		awsx.AddRateLimits(&cfg, awsx.DefaultRateLimits)
		return inventory.NewClients(cfg)
	}
	opts := inventory.Options{CredentialReportWait: time.Millisecond, HomeRegion: "us-east-1"}
	// AWS keeps a credential report for 4 hours; like a real account checked twice, the first
	// generation is not part of what is measured.
	inventory.Collect(b.Context(), clients(), opts)
	var calls []awssim.CallStat
	var wall time.Duration
	for b.Loop() {
		c := clients()
		r.ResetCalls()
		start := time.Now()
		snap := inventory.Collect(b.Context(), c, opts)
		wall += time.Since(start)
		if snap.Partial() {
			b.Fatalf("partial: %v", snap.Errors)
		}
		calls = r.Calls()
	}
	chain := longestChain(calls)
	b.ReportMetric(float64(len(calls)), "calls/op")
	b.ReportMetric(float64(repeated(calls)), "repeated/op")
	b.ReportMetric(float64(chain), "chain-calls")
	b.ReportMetric(float64(wall)/float64(b.N)/float64(time.Duration(chain)*latency), "x-chain")
}

// repeated counts calls identical to an earlier one (same service, region, action, parameters).
func repeated(calls []awssim.CallStat) int {
	seen := map[string]bool{}
	n := 0
	for _, c := range calls {
		k := c.Service + "|" + c.Region + "|" + c.Action + "|" + c.Params
		if seen[k] {
			n++
		}
		seen[k] = true
	}
	return n
}

// longestChain is the longest sequence of calls that must wait for each other, read from the
// call log: pages of one listing are sequential, and each stage needs the one before.
func longestChain(calls []awssim.CallStat) int {
	count := map[string]int{}
	pagesPerRegionalList := 0
	keysPages := map[string]int{}
	for _, c := range calls {
		count[c.Service+":"+c.Action]++
		if c.Service == "ec2" && c.Action != "DescribeRegions" || c.Service == "autoscaling" {
			k := c.Region + c.Action
			count["page:"+k]++
			pagesPerRegionalList = max(pagesPerRegionalList, count["page:"+k])
		}
		if c.Action == "ListAccessKeys" {
			user := c.Params[strings.Index(c.Params, "UserName="):]
			keysPages[user]++
		}
	}
	maxKeyPages := 0
	for _, n := range keysPages {
		maxKeyPages = max(maxKeyPages, n)
	}
	regions := count["ec2:DescribeRegions"] + pagesPerRegionalList
	report := count["iam:GenerateCredentialReport"] + count["iam:GetCredentialReport"]
	users := count["iam:GetAccountAuthorizationDetails"] + maxKeyPages
	if count["iam:GetAccessKeyLastUsed"] > 0 {
		users++
	}
	return max(regions, report, users, 1)
}
