#!/usr/bin/env bash
# Benchmark: accountguard trail hunt (all SigmaHQ + built-in rules and the detectors) against
# DuckDB read_json running the same rules as SQL, a plain encoding/json decoder, and gunzip
# alone, on one gzipped CloudTrail S3-export folder. Records per second from wall time and
# from CPU time (the machine is shared: CPU time is the steadier figure), peak memory of the
# hunt on the whole input and on half of it (streaming: it must not grow), and whether
# DuckDB's per-rule match counts equal the hunt's.
#
# usage: bench/trail.sh [RECORDS]      (default 2000000)
# env:   BENCH_WORK (default /tmp/accountguard-trail-bench): binaries and generated data
#        REPS (default 3): runs of the hunt and of gunzip only, alternating; medians shown
#
# The data replays the real records of internal/trail/testdata/invictus-aws_dataset (a
# Stratus Red Team attack) with fresh event IDs and times, 500 records a file as CloudTrail
# delivers them. DuckDB needs cgo, so its driver lives in its own module (bench/trail).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work=${BENCH_WORK:-/tmp/accountguard-trail-bench}
records=${1:-2000000}
mkdir -p "$work/bin"

echo "building accountguard and trailbench" >&2
(cd "$root" && go build -o "$work/bin/accountguard" ./cmd/accountguard)
(cd "$here/trail" && go build -o "$work/bin/trailbench" .)

data=$work/data-$records
half=$work/data-$((records / 2))
for d in "$data:$records" "$half:$((records / 2))"; do
	dir=${d%%:*} n=${d##*:}
	if [ ! -f "$dir/records.txt" ]; then
		echo "generating $n records in $dir" >&2
		rm -rf "$dir"
		"$work/bin/trailbench" gen -src "$root/internal/trail/testdata/invictus-aws_dataset/CloudTrail" -out "$dir" -records "$n"
	fi
done
"$work/bin/trailbench" run -data "$data" -half "$half" -bin "$work/bin/accountguard" -reps "${REPS:-3}"
