#!/usr/bin/env bash
# Scores the cost detector on the Numenta Anomaly Benchmark's realAWSCloudwatch series with
# NAB's standard profile, in streaming mode (each point judged on the points before it only).
#
#   bench/nab.sh /path/to/NAB [extra flags for bench/nab, e.g. -two-sided or -corpus all]
#
# NAB is not vendored or downloaded here: pass a checkout of numenta/NAB (data/ and labels/).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [ ! -f "$1/labels/combined_windows.json" ]; then
  echo "usage: bench/nab.sh NAB_DIR [flags]  (NAB_DIR must hold labels/combined_windows.json and data/)" >&2
  exit 2
fi
dir=$1
shift
go run ./bench/nab -nab "$dir" "$@"
