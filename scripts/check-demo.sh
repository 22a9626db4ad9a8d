#!/usr/bin/env bash
# A short demo run, checked as CI wants it: every sample ok, distroless pulls fewer
# compressed bytes than fat for every pair, the registry listens on 127.0.0.1 only,
# nothing is left running or labelled, and the demo images' tags are still there.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${IMAGEBENCH:-target/release/imagebench}
out=${1:-$(mktemp -d)/demo}
fail() { echo "[check-demo] FAIL: $*" >&2; exit 1; }
log() { echo "[check-demo] $*"; }

[ -x "$bin" ] || cargo build --release --quiet
"$bin" fixtures
bash scripts/check-fixtures.sh   # the apps answer; distroless: no shell, no dpkg/apt, user 65532
tags="static node python"
declare -A before
for pair in $tags; do
    for variant in fat distroless; do
        ref=imagebench/$pair:$variant
        before[$ref]=$(docker image inspect -f '{{.Id}}' "$ref")
    done
done

# Watch the listening sockets of registry processes while the demo runs.
listen_log=$(mktemp)
(
    while sleep 0.5; do
        ss -H -ltnp 2>/dev/null | grep -E 'docker-registr|"registry"' >>"$listen_log" || true
    done
) &
watcher=$!
trap 'kill $watcher 2>/dev/null || true; rm -f "$listen_log"' EXIT

log "imagebench run --runs 2 --warmup 0 into $out"
"$bin" run scenarios/demo.toml --runs 2 --warmup 0 --out "$out"
kill $watcher 2>/dev/null || true

[ -s "$listen_log" ] || fail "never saw the registry listening"
if awk '{print $4}' "$listen_log" | grep -v '^127\.0\.0\.1:' >/dev/null; then
    fail "the registry listened beyond 127.0.0.1: $(awk '{print $4}' "$listen_log" | sort -u | tr '\n' ' ')"
fi
log "registry listened on $(awk '{print $4}' "$listen_log" | sort -u | tr '\n' ' ')"

python3 - "$out/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bad = [s for s in r["samples"] if s["outcome"] != "ok"]
assert not bad, f"failed samples: {[(s['pair'], s['variant'], s['mode'], s['message']) for s in bad]}"
cold = [s for s in r["samples"] if s["mode"] == "cold"]
assert cold and all(s["pull_bytes"] and s["pull_layers"] >= 1 for s in cold), "a cold sample pulled nothing"
facts = {(f["pair"], f["variant"]): f for f in r["images"]}
for pair in {s["pair"] for s in r["samples"]}:
    fat, dl = facts[(pair, "fat")], facts[(pair, "distroless")]
    assert dl["compressed_bytes"] < fat["compressed_bytes"], f"{pair}: distroless not smaller"
    print(f"[check-demo] {pair}: compressed {fat['compressed_bytes']} -> {dl['compressed_bytes']} bytes")
print(f"[check-demo] {len(r['samples'])} samples ok")
PY

pgrep -x docker-registry >/dev/null && fail "a registry process is still running"
left=$(docker ps -aq --filter label=imagebench.run)
[ -z "$left" ] || fail "containers left behind: $left"
for ref in "${!before[@]}"; do
    now=$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null) || fail "tag $ref is gone"
    [ "$now" = "${before[$ref]}" ] || fail "tag $ref points elsewhere now"
done
log "ok: nothing left behind, all demo tags restored"
