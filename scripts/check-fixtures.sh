#!/usr/bin/env bash
# check-fixtures.sh: verify imagebench's demo image pairs in the local Docker daemon.
#
#   check-fixtures.sh [--only static|node|python]...
#
# For every image of the pairs checked:
#   - it exists and carries the imagebench.fixture.* labels;
#   - started with its default ENTRYPOINT/CMD (docker run -d --network host), its app answers
#     HTTP 200 on 127.0.0.1:<port> within the timeout;
#   - distroless images run as user 65532 and contain no shell (sh, bash, dash) and no package
#     manager (dpkg, apt, apt-get), checked on the exported filesystem (docker create + export).
# Exits non-zero with a message naming the image and the check that failed.
# Leaves no container behind.
set -euo pipefail

ALL_PAIRS=(static node python)
TIMEOUT_S=${IMAGEBENCH_CHECK_TIMEOUT:-30}

port_of() { case $1 in static) echo 8081 ;; node) echo 8082 ;; python) echo 8083 ;; esac; }

CONTAINERS=()
cleanup() {
    local c
    for c in "${CONTAINERS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

FAILED=0
ok() { echo "[check] ok    $1: $2"; }
fail() {
    echo "[check] FAIL  $1: $2" >&2
    FAILED=1
}

# Create a container that cleanup will remove; prints nothing.
track() { CONTAINERS+=("$1"); }

check_labels() {
    local image=$1 version
    version=$(docker image inspect -f '{{index .Config.Labels "imagebench.fixture.version"}}' "$image" 2>/dev/null) ||
        { fail "$image" "image missing (build it: bash scripts/build-fixtures.sh)"; return 1; }
    [[ -n $version ]] || { fail "$image" "no imagebench.fixture.version label: not built by build-fixtures.sh"; return 1; }
    ok "$image" "present, fixture version $version"
}

check_answers() {
    local image=$1 port=$2 name body i
    if curl -s -m 1 -o /dev/null "http://127.0.0.1:$port/"; then
        fail "$image" "port $port already answers before the container starts: free it and re-run"
        return 1
    fi
    name=imagebench-check-$$-${image//[^a-zA-Z0-9]/-}
    track "$name"
    docker run -d --name "$name" --network host "$image" >/dev/null ||
        { fail "$image" "docker run failed"; return 1; }
    for ((i = 0; i < TIMEOUT_S * 10; i++)); do
        if body=$(curl -sf -m 1 "http://127.0.0.1:$port/" 2>/dev/null); then
            ok "$image" "answers on 127.0.0.1:$port: ${body%%$'\n'*}"
            docker rm -f "$name" >/dev/null
            return 0
        fi
        [[ $(docker inspect -f '{{.State.Running}}' "$name") == true ]] || break
        sleep 0.1
    done
    fail "$image" "app did not answer on 127.0.0.1:$port (container log below)"
    docker logs --tail 20 "$name" 2>&1 | sed 's/^/    | /' >&2
    docker rm -f "$name" >/dev/null
    return 1
}

check_distroless() {
    local image=$1 user name files bad
    user=$(docker image inspect -f '{{.Config.User}}' "$image")
    if [[ $user == 65532 || $user == nonroot || $user == 65532:65532 ]]; then
        ok "$image" "runs as user $user"
    else
        fail "$image" "runs as user '${user:-root}', expected 65532 (nonroot)"
    fi
    name=imagebench-check-$$-export
    track "$name"
    docker create --name "$name" "$image" >/dev/null
    files=$(docker export "$name" | tar -t)
    passwd=$(docker cp "$name:/etc/passwd" - 2>/dev/null | tar -xO 2>/dev/null || true)
    docker rm -f "$name" >/dev/null
    # With merged /usr, /bin is a symlink to usr/bin: both spellings are searched.
    bad=$(grep -E '^(usr/)?(s?bin)/(sh|bash|dash|ash|busybox|dpkg|dpkg-deb|apt|apt-get|apt-cache)$' <<<"$files" || true)
    if [[ -n $bad ]]; then
        fail "$image" "contains a shell or package manager: $(tr '\n' ' ' <<<"$bad")"
    else
        ok "$image" "no shell, no dpkg/apt ($(wc -l <<<"$files") entries)"
    fi
    if grep -qx 'tmp/' <<<"$files"; then ok "$image" "has /tmp"; else fail "$image" "no /tmp"; fi
    if grep -q '^nonroot:x:65532:65532:' <<<"$passwd"; then
        ok "$image" "/etc/passwd has nonroot 65532"
    else
        fail "$image" "/etc/passwd lacks the nonroot user 65532"
    fi
}

main() {
    local pairs=() arg p
    while (($#)); do
        arg=$1
        shift
        case $arg in
            --only) IFS=, read -ra more <<<"${1:?--only needs a pair}"; pairs+=("${more[@]}"); shift ;;
            --only=*) IFS=, read -ra more <<<"${arg#--only=}"; pairs+=("${more[@]}") ;;
            -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
            *) echo "[check] error: unknown argument '$arg'" >&2; exit 2 ;;
        esac
    done
    ((${#pairs[@]})) || pairs=("${ALL_PAIRS[@]}")
    command -v curl >/dev/null || { echo "[check] error: curl is not installed (apt-get install curl)" >&2; exit 3; }
    docker info >/dev/null 2>&1 ||
        { echo "[check] error: cannot reach the Docker daemon (start it: systemctl start docker)" >&2; exit 3; }

    for p in "${pairs[@]}"; do
        [[ -n $(port_of "$p") ]] || { echo "[check] error: unknown pair '$p'" >&2; exit 2; }
        for variant in fat distroless; do
            local image=imagebench/$p:$variant
            check_labels "$image" || continue
            check_answers "$image" "$(port_of "$p")" || true
            [[ $variant == fat ]] || check_distroless "$image"
        done
    done
    if ((FAILED)); then
        echo "[check] some fixture checks FAILED" >&2
        exit 1
    fi
    echo "[check] all fixture checks passed (${pairs[*]})"
}

main "$@"
