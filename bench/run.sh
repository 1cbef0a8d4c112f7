#!/usr/bin/env bash
# The performance benchmark (issue 7): builds release binaries, generates the data set
# deterministically, and measures whole-process wall time (median of N runs) and peak memory.
# Usage: bench/run.sh [RUNS]   (default 5). Needs about 1.5 GB free in $TMPDIR.
# Not a test: CI never runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
cargo build --release --quiet --bin rehearse --example gen_bench
data="${BENCH_DIR:-${TMPDIR:-/tmp}/rehearse-bench}"
rm -rf "$data"
./target/release/examples/gen_bench "$data"
python3 bench/bench.py "$data" ./target/release/rehearse "$runs"
