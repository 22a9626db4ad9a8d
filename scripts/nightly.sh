#!/usr/bin/env bash
# The nightly performance job: run a scenario, compare it with a baseline, keep the run's
# folder as the artifact, and exit non-zero on a regression.
#
#   scripts/nightly.sh [--scenario FILE] [--baseline FILE] [--threshold 5%] [--runs N]
#                      [--out DIR] [--update-baseline]
#
# Exit codes: 0 no regression (or a first baseline was recorded), 1 a regression or failed
# samples, 2 bad arguments, 3 environment. Set IMAGEBENCH to use a built binary.
set -euo pipefail
cd "$(dirname "$0")/.."

scenario=scenarios/demo.toml
baseline=results/baseline/results.json
threshold=5%
runs=""
out=""
update=0
while [ $# -gt 0 ]; do
    case "$1" in
        --scenario) scenario=$2; shift 2 ;;
        --baseline) baseline=$2; shift 2 ;;
        --threshold) threshold=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --update-baseline) update=1; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "nightly: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ -f "$scenario" ] || { echo "nightly: no scenario file $scenario" >&2; exit 2; }

log() { echo "[nightly] $*"; }
bash scripts/setup.sh
if [ -z "${IMAGEBENCH:-}" ]; then
    cargo build --release --quiet
    IMAGEBENCH=target/release/imagebench
fi
if [ "$scenario" = scenarios/demo.toml ]; then
    "$IMAGEBENCH" fixtures
fi

name=$(basename "$scenario" .toml)
out=${out:-results/nightly-$name-$(date -u +%Y%m%d-%H%M%S)}
args=(run "$scenario" --out "$out")
[ -n "$runs" ] && args+=(--runs "$runs")
log "running $scenario into $out"
set +e
"$IMAGEBENCH" "${args[@]}"
run_status=$?
set -e
if [ $run_status -ne 0 ]; then
    log "the run failed (exit $run_status); its folder is kept: $out"
    exit $run_status
fi

if [ $update = 1 ] || [ ! -f "$baseline" ]; then
    mkdir -p "$(dirname "$baseline")"
    cp "$out/results.json" "$baseline"
    log "baseline is now $out/results.json (copied to $baseline)"
    exit 0
fi

log "comparing with $baseline (threshold $threshold)"
set +e
"$IMAGEBENCH" compare "$baseline" "$out/results.json" --threshold "$threshold" --markdown "$out/compare.md"
status=$?
set -e
case $status in
    0) log "no regression; artifact: $out" ;;
    1) log "REGRESSION against $baseline; artifact: $out (see $out/compare.md)" ;;
    *) log "compare failed (exit $status)" ;;
esac
exit $status
