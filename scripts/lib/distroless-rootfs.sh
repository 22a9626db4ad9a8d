#!/bin/bash
# Assemble a distroless root filesystem from Debian packages, the way Google's distroless does.
#
# Runs INSIDE a helper container of imagebench/base:bookworm (it needs apt-cache, apt-get,
# dpkg-deb and tar, which the distroless result must not contain), started by
# build-fixtures.sh with the apt cache folders of the host bind-mounted:
#
#   distroless-rootfs.sh OUT_DIR DENY_LIST SEED_PACKAGE...
#
# 1. Walks Depends/Pre-Depends from the seed packages (first alternative of each group, no
#    Recommends), skipping the packages of DENY_LIST and whatever only they would pull in.
# 2. Downloads each package's .deb into /var/cache/apt/archives (the shared cache), unless
#    already there.
# 3. Unpacks the files of every .deb into OUT_DIR (dpkg-deb --fsys-tarfile | tar -x): the
#    package's own file list, nothing found by ldd. Maintainer scripts are NOT run.
# 4. Adds what maintainer scripts or distroless would add: the CA bundle, /etc/passwd and
#    /etc/group with root, nobody and nonroot (65532), /tmp 1777, /home/nonroot, and a
#    per-package control file in /var/lib/dpkg/status.d/ (as distroless does, for scanners).
#
# If KEEP_ONLY is set (space-separated paths relative to OUT_DIR), only those paths (and the
# skeleton: passwd, group, tmp, home) are kept: the static image wants CA certificates only.
set -euo pipefail

out=${1:?usage: distroless-rootfs.sh OUT_DIR DENY_LIST SEED...}
deny_file=${2:?deny list}
shift 2
archives=/var/cache/apt/archives

say() { echo "[distroless] $*"; }

declare -A DENY=() SEEN=()
while IFS= read -r line; do
    line=${line%%#*}
    for word in $line; do DENY[$word]=1; done
done <"$deny_file"

# Package lists: refresh them; if the archive is unreachable, go on with cached ones.
if ! apt-get -qq update >/tmp/apt-update.log 2>&1; then
    if compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
        say "warning: apt-get update failed, using cached package lists"
    else
        cat /tmp/apt-update.log >&2
        echo "error: apt-get update failed and no cached package lists" >&2
        exit 1
    fi
fi

# STANZA[name]: candidate stanza of a real package, empty for virtual/unknown names.
# Filled by load() in this shell (not in $(...) subshells): each apt-cache call loads the
# whole package cache, so every name is looked up once.
declare -A STANZA=()
load() {
    [[ -v STANZA[$1] ]] || STANZA[$1]=$(apt-cache show --no-all-versions "$1" 2>/dev/null | sed '/^$/q' || true)
}
field() { sed -n "s/^$1: //p" <<<"$2" | head -n1; }

# Pick the package that satisfies one dependency group ("a (>= 1) | b:any") into CHOSEN:
# the first alternative that is a real package; "-" if the group reaches a denied package
# first; empty if nothing resolves.
choose() {
    local alt name
    CHOSEN=""
    IFS='|' read -ra alts <<<"$1"
    for alt in "${alts[@]}"; do
        name=$(sed -e 's/([^)]*)//g' -e 's/\[[^]]*\]//g' -e 's/:[a-z0-9]*//' <<<"$alt" | tr -d ' ')
        [[ -z $name ]] && continue
        if [[ -n ${DENY[$name]:-} ]]; then CHOSEN=-; return; fi
        load "$name"
        if [[ -n ${STANZA[$name]} ]]; then CHOSEN=$name; return; fi
    done
}

# 1. Closure walk (breadth first).
queue=("$@")
closure=()
while ((${#queue[@]})); do
    pkg=${queue[0]}
    queue=("${queue[@]:1}")
    [[ -n ${SEEN[$pkg]:-} ]] && continue
    SEEN[$pkg]=1
    load "$pkg"
    info=${STANZA[$pkg]}
    if [[ -z $info ]]; then
        echo "error: package '$pkg' not found in the package lists" >&2
        exit 1
    fi
    closure+=("$pkg")
    deps=$( (field Pre-Depends "$info"; field Depends "$info") | tr '\n' ',')
    IFS=',' read -ra groups <<<"$deps"
    for group in "${groups[@]}"; do
        [[ -z ${group// /} ]] && continue
        choose "$group"
        case $CHOSEN in
            -) say "drop '${group# }' (needed by $pkg; deny-listed)" ;;
            '') say "warning: cannot resolve '${group# }' (needed by $pkg), skipped" ;;
            *) queue+=("$CHOSEN") ;;
        esac
    done
done
say "closure of $*: ${#closure[@]} packages: ${closure[*]}"

# 2. Download missing .debs into the shared cache (apt's own file naming).
debs=()
missing=()
for pkg in "${closure[@]}"; do
    info=${STANZA[$pkg]}
    version=$(field Version "$info")
    arch=$(field Architecture "$info")
    deb="$archives/${pkg}_${version//:/%3a}_${arch}.deb"
    debs+=("$deb")
    [[ -f $deb ]] || missing+=("$pkg=$version")
done
if ((${#missing[@]})); then
    say "downloading ${#missing[@]} packages"
    (cd "$archives" && apt-get -qq download "${missing[@]}" 2>&1 | grep -v 'unsandboxed' || true)
fi
for deb in "${debs[@]}"; do
    [[ -f $deb ]] || { echo "error: download failed: $deb" >&2; exit 1; }
done

# 3. Unpack: merged /usr like a bookworm system (bin, lib, lib64, sbin -> usr/...).
mkdir -p "$out"/usr/{bin,lib,lib64,sbin} "$out/var/lib/dpkg/status.d"
for d in bin lib lib64 sbin; do ln -sfn "usr/$d" "$out/$d"; done
for i in "${!closure[@]}"; do
    dpkg-deb --fsys-tarfile "${debs[$i]}" | tar -x --keep-directory-symlink -C "$out"
    dpkg-deb --field "${debs[$i]}" >"$out/var/lib/dpkg/status.d/${closure[$i]}"
done

# 4. What maintainer scripts would have done, and the distroless skeleton.
if [[ -d $out/usr/share/ca-certificates ]]; then
    mkdir -p "$out/etc/ssl/certs"
    find "$out/usr/share/ca-certificates" -name '*.crt' -print0 | sort -z |
        xargs -0 cat >"$out/etc/ssl/certs/ca-certificates.crt"
fi
mkdir -p "$out/etc"
cat >"$out/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
cat >"$out/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
EOF
chmod 0644 "$out/etc/passwd" "$out/etc/group"
install -d -m 1777 "$out/tmp"
install -d -m 0700 "$out/root"
install -d -m 0700 -o 65532 -g 65532 "$out/home/nonroot"

# Documentation is not runtime: keep only the copyright files (licences), as distroless does.
rm -rf "$out/usr/share/man" "$out/usr/share/info" "$out/usr/share/lintian"
if [[ -d $out/usr/share/doc ]]; then
    find "$out/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "$out/usr/share/doc" -mindepth 1 -type d -empty -delete
fi

if [[ -n ${KEEP_ONLY:-} ]]; then
    keep=$(mktemp -d)
    for path in $KEEP_ONLY etc/passwd etc/group tmp root home; do
        mkdir -p "$keep/$(dirname "$path")"
        cp -a "$out/$path" "$keep/$path"
    done
    find "$out" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
    cp -a "$keep/." "$out/"
    rm -rf "$keep"
fi
say "rootfs ready: $(du -sh "$out" | cut -f1)"
