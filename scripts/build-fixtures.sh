#!/usr/bin/env bash
# build-fixtures.sh: build imagebench's demo image pairs into the local Docker daemon, offline
# from any container registry (Debian's package archive is the only network source).
#
#   imagebench/static:fat        bookworm minbase + a static C HTTP server   (127.0.0.1:8081)
#   imagebench/static:distroless scratch + the same binary + CA bundle + passwd + /tmp
#   imagebench/node:fat          bookworm + nodejs + npm + node:18's developer tools (:8082)
#   imagebench/node:distroless   nodejs's Debian packages + run-time closure, no shell/apt/dpkg
#   imagebench/python:fat        bookworm + python3 + pip + venv                       (:8083)
#   imagebench/python:distroless python3.11-minimal + libpython3.11-stdlib closure
#
# Layering: the fat images share one imported debootstrap base (imagebench/base:bookworm,
# one layer), then one layer with the packages (apt-get in a container from the base,
# `docker commit`), then one layer with the app (`docker build`, classic builder, FROM the
# committed image). Distroless images are one imported layer each (the assembled rootfs).
#
# Idempotent and cached: an image is reused when it carries the labels
# imagebench.fixture.version=$FIXTURE_VERSION and imagebench.fixture.recipe=<hash of the
# recipe files>. The debootstrap rootfs, the .debs and apt's package lists are kept under
# ${IMAGEBENCH_CACHE:-$HOME/.cache/imagebench}/fixtures.
#
# Only images named imagebench/* are ever created, retagged or removed.
set -euo pipefail

FIXTURE_VERSION=1 # bump when the recipe changes in a way the hash below cannot see
SUITE=bookworm
ALL_PAIRS=(static node python)
BASE_IMAGE=imagebench/base:$SUITE
LABEL_PREFIX=imagebench.fixture

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${IMAGEBENCH_CACHE:-$HOME/.cache/imagebench}/fixtures
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)

# --- per-pair recipes -------------------------------------------------------------------

# Packages added to the base for the fat image (empty: the base itself).
# node:18 is buildpack-deps:bookworm + node; these are the tools of that image people use.
FAT_PACKAGES_static=""
FAT_PACKAGES_node="nodejs npm git curl wget ca-certificates gnupg dirmngr openssh-client
  procps xz-utils bzip2 unzip make g++ libc6-dev python3"
FAT_PACKAGES_python="python3 python3-pip python3-venv ca-certificates"

# Seeds of the distroless closure. base-files/netbase/tzdata/ca-certificates: as distroless.
DISTROLESS_COMMON="base-files netbase tzdata ca-certificates"
DISTROLESS_SEEDS_static="ca-certificates"
DISTROLESS_SEEDS_node="nodejs $DISTROLESS_COMMON"
DISTROLESS_SEEDS_python="python3.11-minimal libpython3.11-stdlib $DISTROLESS_COMMON"
# static: scratch + binary + CA bundle (+ passwd, group, /tmp from the skeleton).
DISTROLESS_KEEP_static="etc/ssl/certs/ca-certificates.crt"

# App file (in fixtures/app, built first if it is the static server) and commands.
APP_static=server
APP_node=server.js
APP_python=server.py
PORT_static=8081
PORT_node=8082
PORT_python=8083
FAT_CMD_static='["/app/server"]'
FAT_CMD_node='["node", "/app/server.js"]'
FAT_CMD_python='["python3", "/app/server.py"]'
DL_ENTRYPOINT_static='["/app/server"]'
DL_ENTRYPOINT_node='["/usr/bin/node"]'
DL_ENTRYPOINT_python='["/usr/bin/python3.11"]'
DL_CMD_static='[]'
DL_CMD_node='["/app/server.js"]'
DL_CMD_python='["/app/server.py"]'

recipe() { local var="${1}_${2}"; printf '%s' "${!var-}"; }

# --- output, errors, cleanup ------------------------------------------------------------

log() { echo "[fixtures] $*"; }
# die STEP MESSAGE [HINT]: name the step that failed and what to do, exit non-zero.
die() {
    echo "[fixtures] error: $1: $2" >&2
    [[ -n ${3:-} ]] && echo "[fixtures]   what to do: $3" >&2
    exit "${DIE_CODE:-1}"
}
# Exit codes (as DESIGN.md): 1 a build step failed, 2 bad arguments, 3 environment
# (not root, no daemon, no mirror). Callers set DIE_CODE for the latter two.
# Show the tail of a log file, then die.
die_log() {
    local logfile=$1
    shift
    [[ -f $logfile ]] && tail -n 25 "$logfile" | sed 's/^/    | /' >&2
    die "$@"
}

TMP=""
CONTAINERS=()
cleanup() {
    local c
    for c in "${CONTAINERS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
    if [[ -n $TMP && -d $TMP ]]; then
        # debootstrap may leave proc/sys mounted in its target if it was interrupted.
        { grep -o " $TMP/[^ ]*" /proc/mounts || true; } | sort -r |
            while read -r m; do umount -l "$m" || true; done
        rm -rf --one-file-system "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

usage() {
    cat <<EOF
usage: build-fixtures.sh [--only static|node|python]... [--force] [--no-check]

Builds imagebench's demo image pairs (fat and distroless) into the local Docker daemon.
  --only PAIR   build only this pair (repeatable, or comma-separated)
  --force       rebuild the images even if current ones exist (downloads stay cached)
  --no-check    do not run scripts/check-fixtures.sh on the images built
Cache: \$IMAGEBENCH_CACHE/fixtures (now $CACHE); delete it to start from nothing.
Mirror: taken from /etc/apt/sources.list*, or \$IMAGEBENCH_DEBIAN_MIRROR.
EOF
}

# --- preflight --------------------------------------------------------------------------

require_root() {
    [[ $(id -u) -eq 0 ]] ||
        DIE_CODE=3 die "preflight" "must run as root (debootstrap, and files owned by root in the images)" \
            "run it with sudo: sudo bash scripts/build-fixtures.sh ${ORIG_ARGS[*]}"
}

require_docker() {
    command -v docker >/dev/null ||
        DIE_CODE=3 die "preflight" "the docker CLI is not installed" "apt-get install docker.io"
    docker info >/dev/null 2>&1 ||
        DIE_CODE=3 die "preflight" "cannot reach the Docker daemon" \
            "start it (systemctl start docker) and check that 'docker info' works"
}

# Install the host tools a build needs, if missing (CI starts from a fresh machine).
ensure_host_tools() {
    local missing=() tool pkg
    for tool in debootstrap:debootstrap gcc:gcc curl:curl dpkg-deb:dpkg flock:util-linux; do
        command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
    done
    # gcc -static needs the static libc (libc.a) from libc6-dev.
    [[ -f /usr/lib/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)/libc.a ]] ||
        missing+=(libc6-dev)
    [[ -d /usr/share/keyrings && -f /usr/share/keyrings/debian-archive-keyring.gpg ]] ||
        missing+=(debian-archive-keyring)
    ((${#missing[@]})) || return 0
    log "host: apt-get install ${missing[*]}"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$TMP/host-apt.log" 2>&1 ||
        die_log "$TMP/host-apt.log" "host tools" "apt-get install ${missing[*]} failed" \
            "check that the Debian archive in /etc/apt/sources.list* is reachable"
}

# Print "URI SUITE" for every deb source of /etc/apt/sources.list* (one-line and deb822).
apt_source_entries() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] || continue
        sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { print $2, $3 }'
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        awk '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && enabled != "no")
                    for (u = 1; u <= nu; u++) for (s = 1; s <= ns; s++) print uris[u], suites[s]
                types = ""; enabled = ""; nu = 0; ns = 0
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            tolower($1) == "types:"   { types = substr($0, index($0, ":") + 1) }
            tolower($1) == "enabled:" { enabled = tolower($2) }
            tolower($1) == "uris:"    { nu = 0; for (i = 2; i <= NF; i++) uris[++nu] = $i }
            tolower($1) == "suites:"  { ns = 0; for (i = 2; i <= NF; i++) suites[++ns] = $i }
            END { flush() }' "$f"
    done
}

# Set MIRROR (serves $SUITE) and, if the machine has them, UPDATES/SECURITY mirrors.
find_mirrors() {
    local entries
    entries=$(apt_source_entries | sed 's#/*\( \)#\1#')
    MIRROR=${IMAGEBENCH_DEBIAN_MIRROR:-$(awk -v s="$SUITE" '$2 == s { print $1; exit }' <<<"$entries")}
    SECURITY_MIRROR=$(awk -v s="$SUITE-security" '$2 == s || $2 == s "/updates" { print $1; exit }' <<<"$entries")
    UPDATES_MIRROR=$(awk -v s="$SUITE-updates" '$2 == s { print $1; exit }' <<<"$entries")
    [[ -n $MIRROR ]] ||
        DIE_CODE=3 die "mirror" "no Debian mirror for '$SUITE' in /etc/apt/sources.list*" \
            "add one there, or set IMAGEBENCH_DEBIAN_MIRROR=http://<mirror>/debian"
}

# A hash of everything that defines the images (not the docs): changes to it rebuild them.
recipe_hash() {
    (cd "$ROOT" && cat scripts/build-fixtures.sh scripts/lib/*.sh \
        fixtures/app/server.{c,js,py} fixtures/distroless-deny.txt) | sha256sum | cut -c1-12
}

# --- image helpers ----------------------------------------------------------------------

# True if IMAGE exists and was built by this recipe.
image_is_current() {
    local got
    got=$(docker image inspect -f \
        "{{index .Config.Labels \"$LABEL_PREFIX.version\"}} {{index .Config.Labels \"$LABEL_PREFIX.recipe\"}}" \
        "$1" 2>/dev/null) || return 1
    [[ $got == "$FIXTURE_VERSION $RECIPE" ]]
}

image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }

# After retagging, remove the image a tag pointed to before, if nothing else uses it.
# Only ever called with ids that were tagged imagebench/*; a still-used image stays.
drop_previous() {
    local old=$1 new
    new=$(image_id "$2")
    [[ -n $old && $old != "$new" ]] || return 0
    [[ -z $(docker image inspect -f '{{join .RepoTags ","}}' "$old" 2>/dev/null) ]] || return 0
    docker image rm "$old" >/dev/null 2>&1 || true
}

# The --change options every fixture carries (labels, and the app port for documentation).
label_changes() { # PAIR VARIANT
    printf '%s\n' --change "LABEL $LABEL_PREFIX.version=$FIXTURE_VERSION" \
        --change "LABEL $LABEL_PREFIX.recipe=$RECIPE" \
        --change "LABEL $LABEL_PREFIX.pair=$1 $LABEL_PREFIX.variant=$2" \
        --change "LABEL $LABEL_PREFIX.port=$(recipe PORT "$1")"
}

# Start a named helper container (removed by the EXIT trap, and here when it succeeds).
# Usage: helper_run NAME LOGFILE [docker run options...] IMAGE COMMAND...
helper_run() {
    local name=$1 logfile=$2
    shift 2
    CONTAINERS+=("$name")
    docker rm -f "$name" >/dev/null 2>&1 || true
    docker run --name "$name" --network host \
        -v "$CACHE/apt/archives:/var/cache/apt/archives" \
        -v "$CACHE/apt/lists:/var/lib/apt/lists" \
        "$@" >"$logfile" 2>&1
}

# Shell snippet run in helper containers: refresh package lists, or fall back to cached ones.
APT_UPDATE='export DEBIAN_FRONTEND=noninteractive
if ! apt-get -qq update; then
  ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || { echo "apt-get update failed" >&2; exit 1; }
  echo "warning: apt-get update failed, using cached package lists" >&2
fi'

# --- base: debootstrap rootfs and imagebench/base:bookworm ------------------------------

ensure_base_rootfs() {
    BASE_TAR=$CACHE/rootfs/$SUITE-minbase-$ARCH.tar
    [[ -f $BASE_TAR ]] && return 0
    local target=$TMP/debootstrap
    log "base: debootstrap --variant=minbase $SUITE from $MIRROR (takes a minute or two)"
    mkdir -p "$CACHE/debootstrap-debs" "$CACHE/rootfs"
    debootstrap --variant=minbase --arch="$ARCH" --cache-dir="$CACHE/debootstrap-debs" \
        "$SUITE" "$target" "$MIRROR" >"$TMP/debootstrap.log" 2>&1 ||
        die_log "$TMP/debootstrap.log" "debootstrap" \
            "could not bootstrap Debian $SUITE from $MIRROR (last lines of its log above)" \
            "check the network to the Debian archive ($MIRROR), or set IMAGEBENCH_DEBIAN_MIRROR"
    # apt sources of the images: the machine's mirrors, main only (like the debian image).
    {
        echo "deb $MIRROR $SUITE main"
        [[ -z $UPDATES_MIRROR ]] || echo "deb $UPDATES_MIRROR $SUITE-updates main"
        [[ -z $SECURITY_MIRROR ]] || echo "deb $SECURITY_MIRROR $SUITE-security main"
    } >"$target/etc/apt/sources.list"
    # Like the official debian image: no downloaded debs, no package lists, no logs.
    rm -rf "$target"/var/cache/apt/archives/*.deb "$target"/var/lib/apt/lists/* \
        "$target"/var/log/*.log "$target"/var/log/apt/* "$target/debootstrap"
    # /dev, /proc, /sys: the container runtime provides them; ship empty folders.
    tar -C "$target" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' \
        --exclude='./sys/*' -cf "$BASE_TAR.part" . ||
        die "base" "could not write $BASE_TAR" "check free space in $CACHE"
    mv "$BASE_TAR.part" "$BASE_TAR"
    rm -rf --one-file-system "$target"
}

ensure_base_image() {
    if [[ $FORCE -eq 0 ]] && image_is_current "$BASE_IMAGE"; then return 0; fi
    ensure_base_rootfs
    local old
    old=$(image_id "$BASE_IMAGE")
    log "base: docker import $BASE_IMAGE"
    local changes
    mapfile -t changes < <(label_changes base fat)
    docker import "${changes[@]}" --change 'CMD ["bash"]' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        "$BASE_TAR" "$BASE_IMAGE" >/dev/null ||
        die "base" "docker import of $BASE_TAR failed" "check 'docker info' and free disk space"
    drop_previous "$old" "$BASE_IMAGE"
}

# --- app --------------------------------------------------------------------------------

# Stage the app of PAIR into DIR/app (compiling the static server).
stage_app() {
    local pair=$1 dir=$2 app
    app=$(recipe APP "$pair")
    mkdir -p "$dir/app"
    if [[ $pair == static ]]; then
        # Compiled once per run, so both images get the very same binary.
        if [[ ! -f $TMP/static-server ]]; then
            gcc -static -O2 -s -o "$TMP/static-server" "$ROOT/fixtures/app/server.c" 2>"$TMP/gcc.log" ||
                die_log "$TMP/gcc.log" "static: compile" "gcc -static failed on fixtures/app/server.c" \
                    "install gcc and libc6-dev"
        fi
        cp "$TMP/static-server" "$dir/app/server"
    else
        cp "$ROOT/fixtures/app/$app" "$dir/app/$app"
    fi
    chmod -R a+rX "$dir/app"
}

# --- fat image: base + packages layer + app layer ---------------------------------------

build_fat() {
    local pair=$1 image=imagebench/$1:fat packages from old ctx t=$SECONDS
    packages=$(recipe FAT_PACKAGES "$pair" | xargs)
    from=$BASE_IMAGE
    old=$(image_id "$image")
    if [[ -n $packages ]]; then
        log "$pair: fat: apt-get install $packages"
        local ctr=imagebench-fixtures-$pair-fat-$$
        helper_run "$ctr" "$TMP/$pair-fat-apt.log" "$BASE_IMAGE" bash -euc "$APT_UPDATE
            apt-get install -y -q --no-install-recommends -o DPkg::Options::=--force-unsafe-io \
                $packages" ||
            die_log "$TMP/$pair-fat-apt.log" "$pair: fat: apt-get install" \
                "installing the packages in a container of $BASE_IMAGE failed" \
                "check the network to the Debian archive; the log's last lines are above"
        from=$(docker commit --change 'CMD ["bash"]' "$ctr") ||
            die "$pair: fat: commit" "docker commit of the package layer failed"
        docker rm -f "$ctr" >/dev/null
    fi
    ctx=$TMP/$pair-fat
    stage_app "$pair" "$ctx"
    cat >"$ctx/Dockerfile" <<EOF
FROM $from
COPY app/ /app/
LABEL $LABEL_PREFIX.version="$FIXTURE_VERSION" $LABEL_PREFIX.recipe="$RECIPE" \\
      $LABEL_PREFIX.pair="$pair" $LABEL_PREFIX.variant="fat" $LABEL_PREFIX.port="$(recipe PORT "$pair")"
CMD $(recipe FAT_CMD "$pair")
EOF
    log "$pair: fat: docker build $image"
    DOCKER_BUILDKIT=0 docker build -q -t "$image" "$ctx" >"$TMP/$pair-fat-build.log" 2>&1 ||
        die_log "$TMP/$pair-fat-build.log" "$pair: fat: docker build" "building $image failed"
    drop_previous "$old" "$image"
    log "$pair: fat: $image ready ($((SECONDS - t))s)"
}

# --- distroless image: one imported layer of Debian package files -----------------------

build_distroless() {
    local pair=$1 image=imagebench/$1:distroless seeds keep old out t=$SECONDS
    seeds=$(recipe DISTROLESS_SEEDS "$pair")
    keep=$(recipe DISTROLESS_KEEP "$pair")
    old=$(image_id "$image")
    out=$TMP/$pair-distroless
    mkdir -p "$out/rootfs"
    log "$pair: distroless: package closure of: $seeds"
    helper_run "imagebench-fixtures-$pair-dl-$$" "$TMP/$pair-distroless.log" \
        -v "$ROOT/scripts/lib:/imagebench/lib:ro" -v "$ROOT/fixtures:/imagebench/fixtures:ro" \
        -v "$out:/out" -e KEEP_ONLY="$keep" \
        "$BASE_IMAGE" bash /imagebench/lib/distroless-rootfs.sh /out/rootfs \
        /imagebench/fixtures/distroless-deny.txt $seeds ||
        die_log "$TMP/$pair-distroless.log" "$pair: distroless: assemble rootfs" \
            "downloading or unpacking the packages failed" \
            "check the network to the Debian archive; the log's last lines are above"
    docker rm -f "imagebench-fixtures-$pair-dl-$$" >/dev/null
    grep -E '^\[distroless\] (closure|rootfs|warning)' "$TMP/$pair-distroless.log" |
        sed "s/^\[distroless\]/[fixtures] $pair: distroless:/" | cut -c1-200
    stage_app "$pair" "$out/rootfs"
    # Distroless extras per pair.
    [[ $pair != python ]] || ln -sfn python3.11 "$out/rootfs/usr/bin/python3"

    log "$pair: distroless: docker import $image"
    local changes
    mapfile -t changes < <(label_changes "$pair" distroless)
    tar -C "$out/rootfs" --numeric-owner -cf - . |
        docker import "${changes[@]}" \
            --change 'USER 65532' --change 'WORKDIR /' \
            --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
            --change "ENTRYPOINT $(recipe DL_ENTRYPOINT "$pair")" \
            --change "CMD $(recipe DL_CMD "$pair")" - "$image" >/dev/null ||
        die "$pair: distroless: import" "docker import of the assembled rootfs failed"
    drop_previous "$old" "$image"
    rm -rf --one-file-system "$out"
    log "$pair: distroless: $image ready ($((SECONDS - t))s)"
}

# --- main -------------------------------------------------------------------------------

# Set todo to the pairs among "$@" that need building (both images current: reuse).
select_todo() {
    local p
    todo=()
    for p in "$@"; do
        if [[ $FORCE -eq 0 ]] && image_is_current "imagebench/$p:fat" &&
            image_is_current "imagebench/$p:distroless"; then
            log "$p: reusing imagebench/$p:fat and imagebench/$p:distroless (fixture version $FIXTURE_VERSION, recipe $RECIPE)"
        else
            todo+=("$p")
        fi
    done
}

main() {
    FORCE=0
    CHECK=1
    local pairs=() todo=() arg p
    while (($#)); do
        arg=$1
        shift
        case $arg in
            --force) FORCE=1 ;;
            --no-check) CHECK=0 ;;
            --only)
                (($#)) || DIE_CODE=2 die "arguments" "--only needs a pair (${ALL_PAIRS[*]})"
                IFS=, read -ra more <<<"$1"
                pairs+=("${more[@]}")
                shift
                ;;
            --only=*) IFS=, read -ra more <<<"${arg#--only=}" && pairs+=("${more[@]}") ;;
            -h | --help) usage && exit 0 ;;
            *) usage >&2 && DIE_CODE=2 die "arguments" "unknown argument '$arg'" ;;
        esac
    done
    ((${#pairs[@]})) || pairs=("${ALL_PAIRS[@]}")
    local wanted=()
    for p in "${pairs[@]}"; do
        [[ " ${ALL_PAIRS[*]} " == *" $p "* ]] ||
            DIE_CODE=2 die "arguments" "unknown pair '$p' (known: ${ALL_PAIRS[*]})"
        [[ " ${wanted[*]} " == *" $p "* ]] || wanted+=("$p")
    done

    local started=$SECONDS
    require_root
    require_docker
    RECIPE=$(recipe_hash)

    # Fast path: every requested image is current.
    select_todo "${wanted[@]}"
    if ((${#todo[@]} == 0)); then
        log "all fixtures current, nothing to build ($((SECONDS - started))s); --force rebuilds"
        return 0
    fi

    mkdir -p "$CACHE/apt/archives/partial" "$CACHE/apt/lists/partial" "$CACHE/rootfs"
    exec 9>"$CACHE/.lock"
    if ! flock -n 9; then
        log "waiting for another build-fixtures run to finish"
        flock 9
        ((FORCE)) || select_todo "${todo[@]}" # it may have built them meanwhile
        ((${#todo[@]})) || return 0
    fi
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/imagebench-fixtures.XXXXXX")
    ensure_host_tools
    find_mirrors
    ensure_base_image

    for p in "${todo[@]}"; do
        build_fat "$p"
        build_distroless "$p"
    done
    log "fixtures built in $((SECONDS - started))s"
    # Untag the base: a tagged base would keep the fat images' first layer on the machine
    # after a cold sample removes them, and their cold pulls would skip it. The layer stays
    # as long as a fat image uses it; the tarball in the cache re-imports it when needed.
    docker rmi "$BASE_IMAGE" >/dev/null 2>&1 || true

    if ((CHECK)); then
        local only=()
        for p in "${todo[@]}"; do only+=(--only "$p"); done
        bash "$ROOT/scripts/check-fixtures.sh" "${only[@]}"
    fi
}

ORIG_ARGS=("$@")
main "$@"
