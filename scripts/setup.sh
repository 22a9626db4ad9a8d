#!/usr/bin/env bash
# Installs what imagebench's tests and demo need on a Debian machine, and makes sure a
# Docker daemon answers. Idempotent: quick when everything is already there.
set -euo pipefail

log() { echo "[setup] $*"; }

if ! command -v cargo >/dev/null 2>&1; then
    echo "[setup] cargo not found: install a Rust toolchain 1.85 or newer (rustup) and retry" >&2
    exit 3
fi

need_pkgs=()
command -v docker-registry >/dev/null 2>&1 || command -v registry >/dev/null 2>&1 || need_pkgs+=(docker-registry)
[ -x /bin/busybox ] && file /bin/busybox 2>/dev/null | grep -q static || need_pkgs+=(busybox-static)
command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
command -v gcc >/dev/null 2>&1 || need_pkgs+=(gcc libc6-dev)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
command -v file >/dev/null 2>&1 || need_pkgs+=(file)
command -v ss >/dev/null 2>&1 || need_pkgs+=(iproute2)
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
command -v docker >/dev/null 2>&1 || need_pkgs+=(docker.io)

if [ ${#need_pkgs[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "[setup] missing packages: ${need_pkgs[*]}; run as root or: sudo apt-get install ${need_pkgs[*]}" >&2
        exit 3
    fi
    log "installing ${need_pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

# The registry package starts its own service on :5000 on some systems; imagebench runs
# its own on a free loopback port, so that service is not needed.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
    systemctl stop docker-registry || true
fi

if ! docker info >/dev/null 2>&1; then
    log "no Docker daemon answers: starting dockerd"
    if command -v systemctl >/dev/null 2>&1 && systemctl start docker 2>/dev/null; then
        :
    else
        (dockerd >/tmp/imagebench-dockerd.log 2>&1 &)
    fi
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    docker info >/dev/null 2>&1 || { echo "[setup] dockerd did not start; see /tmp/imagebench-dockerd.log" >&2; exit 3; }
fi
log "docker $(docker version --format '{{.Server.Version}}' 2>/dev/null), registry $(command -v docker-registry || command -v registry)"
