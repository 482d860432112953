#!/usr/bin/env bash
# Benchmark: a full live `accountguard audit` of the leaked-key scenario (17 enabled regions)
# on the simulator with 50 ms of latency on every call and the production rate limits, beside
# the inventory collection alone (the peer: the same account collected without the posture
# services), in the same run. Both report wall time, calls, the longest chain of dependent
# calls, and the wall time as a multiple of that chain (x-chain; the floor is 1, the target
# under 2).
#
# usage: bench/audit.sh [RUNS]   (default 10)
# env:   AUDIT_BENCH_IAM_RPS=N   run the audit again with IAM limited to N requests/s instead
#                                of 20, to show the IAM limiter's share of the wall time
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-10}
cd "$root"
echo "== audit (inventory + posture services + checks)"
AUDIT_BENCH_IAM_RPS= go test ./internal/cli/ -run '^$' -bench BenchmarkAuditLeakedKey -benchtime "${runs}x" -count 1 | grep Benchmark
echo "== peer: inventory only"
go test ./internal/inventory/ -run '^$' -bench BenchmarkInventoryLeakedKey -benchtime "${runs}x" -count 1 | grep Benchmark
if [ -n "${AUDIT_BENCH_IAM_RPS:-}" ]; then
	echo "== audit with IAM at ${AUDIT_BENCH_IAM_RPS} requests/s"
	go test ./internal/cli/ -run '^$' -bench BenchmarkAuditLeakedKey -benchtime "${runs}x" -count 1 | grep Benchmark
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
