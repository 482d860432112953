#!/usr/bin/env bash
# Benchmark: accountguard secrets --git vs gitleaks (built as its releases are) on the full
# history of one repository: wall time (median of RUNS), peak memory, AWS-key recall.
#
# usage: bench/secrets.sh [REPO]
#   REPO   any git repository (a clone of a public project, say). Without it, a repository
#          of 10,000+ commits is generated reproducibly by bench/secrets/gen.py (Go standard
#          library source edited commit by commit, branches, merges with content of their
#          own, planted keys) and repacked as a server would (git repack -adf).
# env: RUNS (default 3), DENSE=1 (generate with test fixtures full of keys, as in an AWS
#   mocking library), ACCOUNTGUARD_BIN (a built binary instead of building this tree), BENCH_WORK (default bench/secrets/_work: binaries, generated repo)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# "_work": go ./... ignores it (the generated repository holds .go files)
work=${BENCH_WORK:-$here/secrets/_work}
bin=$work/bin
runs=${RUNS:-3}
mkdir -p "$bin"

if [ -n "${ACCOUNTGUARD_BIN:-}" ]; then
	cp "$ACCOUNTGUARD_BIN" "$bin/accountguard"
else
	echo "building accountguard" >&2
	(cd "$root" && go build -o "$bin/accountguard" ./cmd/accountguard)
fi
if [ ! -x "$bin/gitleaks" ]; then
	# Release builds use RE2 through WebAssembly (-tags gore2regex); a plain go install uses
	# Go's regexp and is 2-4x slower, which would flatter us.
	echo "installing gitleaks v8.30.0 (release-style build)" >&2
	GOBIN="$bin" go install -tags gore2regex github.com/zricethezav/gitleaks/v8@v8.30.0
fi

repo=${1:-}
truth=""
if [ -z "$repo" ]; then
	name=repo
	[ -n "${DENSE:-}" ] && name=repo-dense
	repo=$work/$name
	if [ ! -d "$repo/.git" ]; then
		echo "generating $repo" >&2
		python3 "$here/secrets/gen.py" "$repo" ${DENSE:+--dense}
		git -C "$repo" repack -adf -q --window=10 --depth=50
	fi
	truth=$work/$name.truth.txt
fi
repo=$(cd "$repo" && pwd)
commits=$(git -C "$repo" rev-list --all | wc -l)
packsize=$(du -sk "$repo/.git/objects" | cut -f1)
echo "repository: $repo ($commits commits, objects $((packsize / 1024)) MiB); $(nproc) CPUs; runs: $runs" >&2

measure() { # name, output file, command...
	local name=$1 out=$2
	shift 2
	rm -f "$work/$name".time.*
	for i in $(seq "$runs"); do
		/usr/bin/time -f "%e %M %U %S" -o "$work/$name.time.$i" "$@" >"$out" 2>"$work/$name.stderr" || true
	done
	# median wall time, peak RSS over the runs, median CPU time (user+sys: what the tool
	# costs, less sensitive than wall time to other load on the machine)
	local lines mid
	lines=$(for f in "$work/$name".time.*; do tail -n1 "$f"; done)
	mid=$(((runs + 1) / 2))
	echo "$(echo "$lines" | awk '{print $1}' | sort -n | sed -n "${mid}p")" \
		"$(echo "$lines" | awk '{print $2}' | sort -n | tail -n1)" \
		"$(echo "$lines" | awk '{printf "%.2f\n", $3 + $4}' | sort -n | sed -n "${mid}p")"
}

read -r ag_t ag_m ag_c < <(measure accountguard "$work/accountguard.json" \
	"$bin/accountguard" secrets --git "$repo" -o json -q)
read -r gl_t gl_m gl_c < <(measure gitleaks "$work/gitleaks.stdout" \
	"$bin/gitleaks" git --no-banner -l error --report-format json --report-path "$work/gitleaks.json" "$repo")

echo
printf "%-14s %10s %10s %14s\n" tool "wall s" "CPU s" "peak RSS MiB"
printf "%-14s %10s %10s %14d\n" accountguard "$ag_t" "$ag_c" $((ag_m / 1024))
printf "%-14s %10s %10s %14d\n" gitleaks "$gl_t" "$gl_c" $((gl_m / 1024))
load=$(cut -d" " -f1-3 /proc/loadavg)
awk -v a="$ag_t" -v g="$gl_t" -v ac="$ag_c" -v gc="$gl_c" -v load="$load" 'BEGIN {
	printf "speed-up: %.1fx wall, %.1fx CPU (gitleaks / accountguard); load average now: %s\n", g / a, gc / ac, load
}'
python3 "$here/secrets/recall.py" "$work/accountguard.json" "$work/gitleaks.json" $truth
