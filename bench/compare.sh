#!/usr/bin/env bash
# rehearse against its peers in one session (issue 18): rehearse's own benchmark
# (bench/run.sh), then the peer benchmark (Anki's library and raw SQLite on 100k questions,
# with a 1M-row review log for Anki), one after the other, then the ratio table.
# Usage: bench/compare.sh [RUNS]   (runs per rehearse figure; default 5)
# Env:   PEERS=/tmp/peers (peer data, venv and results; outside the repo)
#        PEER_BENCH=../shared/bench/peers (the peer scripts)  PEER_RUNS=2 (runs of each)
# Not a test: CI never runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
peers="${PEERS:-${TMPDIR:-/tmp}/peers}"
peer_bench="${PEER_BENCH:-$(pwd)/../shared/bench/peers}"
out="$peers/compare"
# Results of this session only (the venv and the generated banks are kept).
rm -rf "$peers/results" "$out"
mkdir -p "$out"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' (with changes)')"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "rustc: $(rustc --version)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/session.txt"
BENCH_JSON="$out/rehearse.json" bench/run.sh "$runs" | tee "$out/rehearse.txt"
echo "load between: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/session.txt"
# PEER_RUNS: runs of each peer script (default 2).
RUNS="${PEER_RUNS:-2}" PEERS="$peers" bash "$peer_bench/run_all.sh" 100000 2> >(tee "$out/peers.log" >&2) > "$out/peers.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/session.txt"
python3 bench/compare.py "$out/session.txt" "$out/rehearse.json" "$peers/results" "$out/peers.log" | tee "$out/ratios.md"
