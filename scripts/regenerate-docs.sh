#!/usr/bin/env bash
# Regenerates the figures under docs/ from fresh compare runs on this machine.
#
#   scripts/regenerate-docs.sh            every file (about 15 minutes on 2 cores)
#   scripts/regenerate-docs.sh http sweeps  only the named groups
#
# Groups: http sleep cpu noop burst sweeps. Each run writes into a scratch
# folder; the files are then copied to their names under docs/. Run it on a
# quiet machine, then update the figures the READMEs and lesson pages quote
# (the CPU model and date included: `lscpu | grep 'Model name'`).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(http sleep cpu noop burst sweeps)

cargo build --release -p compare
compare() { ./target/release/compare --out-dir "$scratch" "$@"; }

for group in "${groups[@]}"; do
    case "$group" in
    http)
        compare --jobs 100000
        cp "$scratch/results-http.csv" docs/compare-http-100k.csv
        cp "$scratch/results-http.json" docs/compare-http-100k.json
        cp "$scratch/chart-http.svg" docs/compare-http-100k.svg
        cp "$scratch/timeline-http.svg" docs/timeline-http-100k.svg
        ;;
    sleep)
        compare --workload sleep --jobs 100000
        cp "$scratch/results-sleep.csv" docs/compare-sleep-100k.csv
        cp "$scratch/chart-sleep.svg" docs/compare-sleep-100k.svg
        ;;
    cpu)
        compare --workload cpu
        cp "$scratch/results-cpu.csv" docs/compare-cpu-100k.csv
        cp "$scratch/chart-cpu.svg" docs/compare-cpu-100k.svg
        ;;
    noop)
        compare --workload noop --jobs 1000000
        cp "$scratch/results-noop.csv" docs/compare-noop-1m.csv
        ;;
    burst)
        compare --workload burst
        cp "$scratch/results-burst.csv" docs/compare-burst.csv
        ;;
    sweeps)
        # A sweep names its files after the workload and the strategy.
        compare sweep --workload cpu --strategy pool1000-queue
        compare sweep --workload cpu
        compare sweep --workload http
        cp "$scratch"/sweep-*.{csv,json,svg} docs/
        ;;
    *)
        echo "unknown group '$group': use http, sleep, cpu, noop, burst or sweeps" >&2
        exit 2
        ;;
    esac
done
echo "docs/ regenerated: ${groups[*]}"
