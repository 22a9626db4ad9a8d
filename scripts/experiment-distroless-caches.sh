#!/usr/bin/env bash
# Why do the Node.js and Python distroless demo images become ready later than their fat
# twins once pulled? Distroless images unpack packages without running their maintainer
# scripts, so they lack what those scripts make: compiled .pyc files, /etc/ld.so.cache and
# /etc/localtime (tzdata's). This script tests each suspect with imagebench, in one shuffled
# warm run where every fat image meets its distroless twin as built and as fixed:
#
#   node-ldcache   distroless + /etc/ld.so.cache (Debian's static ldconfig and ld.so.conf
#                  copied from the fat image and run once inside it; the copied binary stays,
#                  as /imagebench-ldconfig)
#   node-tz        distroless run with TZ=UTC (what /etc/localtime would say)
#   python-pyc     distroless + the standard library and app compiled to .pyc (compileall,
#                  run inside the image as root)
#
#   scripts/experiment-distroless-caches.sh [--runs N] [--out DIR] [--keep-images]
#
# Needs the demo fixtures (`imagebench fixtures`). Containers it creates are removed, and so
# are the two derived images unless --keep-images: while they exist, Docker cannot remove the
# distroless images they are built on, so cold runs of the demo would refuse to start.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=20
out=results/experiment-distroless-caches
keep=0
derived=(imagebench/python:distroless-pyc imagebench/node:distroless-ldcache)
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --keep-images) keep=1; shift ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "experiment: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
say() { echo "[experiment] $*"; }
for image in imagebench/node:fat imagebench/node:distroless imagebench/python:fat imagebench/python:distroless; do
    docker image inspect "$image" >/dev/null 2>&1 || {
        echo "experiment: $image is missing; build the fixtures first (imagebench fixtures)" >&2
        exit 3
    }
done
IMAGEBENCH=${IMAGEBENCH:-target/release/imagebench}
[ -x "$IMAGEBENCH" ] || cargo build --release --quiet

work=$(mktemp -d)
containers=()
cleanup() {
    for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
    if [ "$keep" = 0 ]; then docker rmi "${derived[@]}" >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# Runs COMMAND... as root in a container of IMAGE (after copying any --copy TAR into it) and
# commits the result as TAG, keeping the image's user, entrypoint and command.
derive() {
    local image=$1 tag=$2 tarball=$3
    shift 3
    local user entrypoint cmd c
    user=$(docker image inspect "$image" --format '{{.Config.User}}')
    entrypoint=$(docker image inspect "$image" --format '{{json .Config.Entrypoint}}')
    cmd=$(docker image inspect "$image" --format '{{json .Config.Cmd}}')
    c=$(docker create --pull never --network none --user 0 --entrypoint "$1" "$image" "${@:2}")
    containers+=("$c")
    [ -n "$tarball" ] && docker cp - "$c:/" <"$tarball"
    docker start -a "$c"
    docker commit --change "USER $user" --change "ENTRYPOINT $entrypoint" --change "CMD $cmd" \
        "$c" "$tag" >/dev/null
    say "$tag: $(docker image inspect "$tag" --format '{{.Size}}') bytes"
}

say "compiling the Python standard library and app to .pyc inside the distroless image"
derive imagebench/python:distroless imagebench/python:distroless-pyc "" \
    /usr/bin/python3.11 -m compileall -q /usr/lib/python3.11 /app

say "building /etc/ld.so.cache inside the node distroless image"
c=$(docker create --pull never --network none imagebench/node:fat)
containers+=("$c")
mkdir -p "$work/ld/etc"
docker cp -L "$c:/sbin/ldconfig" "$work/ld/imagebench-ldconfig"
docker cp -L "$c:/etc/ld.so.conf" "$work/ld/etc/ld.so.conf"
tar -C "$work/ld" -cf "$work/ld.tar" imagebench-ldconfig etc
derive imagebench/node:distroless imagebench/node:distroless-ldcache "$work/ld.tar" /imagebench-ldconfig

scenario=$work/caches.toml
pair() {
    printf '[[pair]]\nname = "%s"\nready = { http = "http://127.0.0.1:%s/" }\n' "$1" "$2"
    printf 'fat = { image = "%s" }\ndistroless = { image = "%s"%s }\n\n' "$3" "$4" "${5:-}"
}
{
    printf 'name = "distroless-caches"\nmodes = ["warm"]\nwarmup = 1\nseed = 2026\n\n'
    pair node-as-built 8082 imagebench/node:fat imagebench/node:distroless
    pair node-ldcache 8082 imagebench/node:fat imagebench/node:distroless-ldcache
    pair node-tz 8082 imagebench/node:fat imagebench/node:distroless ', env = ["TZ=UTC"]'
    pair python-as-built 8083 imagebench/python:fat imagebench/python:distroless
    pair python-pyc 8083 imagebench/python:fat imagebench/python:distroless-pyc
} >"$scenario"
mkdir -p "$out"
cp "$scenario" "$out/scenario.toml"
say "running $runs warm rounds into $out"
"$IMAGEBENCH" run "$scenario" --runs "$runs" --out "$out"
