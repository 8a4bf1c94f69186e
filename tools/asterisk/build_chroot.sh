#!/usr/bin/env bash
# Build (or restore) a Debian sid chroot holding a real Asterisk for the
# eldercare telephony tests, and cache it as a tarball outside the repo.
#
#   tools/asterisk/build_chroot.sh            build the cache tarball if missing
#   tools/asterisk/build_chroot.sh --force    rebuild it
#   tools/asterisk/build_chroot.sh --print    print the tarball path only
#
# Cache: ${EC_CACHE_DIR:-$HOME/.cache/eldercare}/asterisk-chroot.tar.gz
# Needs root and debootstrap. Network: only the Debian mirror apt already uses.
set -euo pipefail

CACHE_DIR="${EC_CACHE_DIR:-$HOME/.cache/eldercare}"
TARBALL="$CACHE_DIR/asterisk-chroot.tar.gz"
SUITE="${EC_ASTERISK_SUITE:-sid}"

if [[ "${1:-}" == "--print" ]]; then
    echo "$TARBALL"
    exit 0
fi
if [[ -s "$TARBALL" && "${1:-}" != "--force" ]]; then
    echo "asterisk chroot cached: $TARBALL"
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "build_chroot: needs root (debootstrap/chroot)" >&2
    exit 2
fi
if ! command -v debootstrap >/dev/null; then
    echo "build_chroot: debootstrap not installed (apt-get install debootstrap)" >&2
    exit 2
fi

# The Debian mirror the host already uses (deb822 or one-line sources).
MIRROR="${EC_DEBIAN_MIRROR:-}"
if [[ -z "$MIRROR" ]]; then
    MIRROR=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
fi
if [[ -z "$MIRROR" ]]; then
    MIRROR=$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
fi
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

mkdir -p "$CACHE_DIR"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ec-asterisk-build.XXXXXX")
ROOT="$WORK/root"
cleanup() {
    for m in proc dev/pts dev sys; do
        mountpoint -q "$ROOT/$m" 2>/dev/null && umount -l "$ROOT/$m" || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "build_chroot: debootstrap $SUITE from $MIRROR into $ROOT"
KEYRING_OPT=()
if [[ -r /usr/share/keyrings/debian-archive-keyring.gpg ]]; then
    KEYRING_OPT=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
fi
if ! debootstrap --variant=minbase "${KEYRING_OPT[@]}" "$SUITE" "$ROOT" "$MIRROR"; then
    echo "build_chroot: debootstrap with keyring failed, retrying with --no-check-gpg" >&2
    rm -rf "$ROOT"
    debootstrap --variant=minbase --no-check-gpg "$SUITE" "$ROOT" "$MIRROR"
fi

mount -t proc proc "$ROOT/proc"
mount --bind /dev "$ROOT/dev"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
APT_OPTS=(-o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root)
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" \
    install -y --no-install-recommends asterisk asterisk-modules \
    asterisk-core-sounds-en-gsm asterisk-moh-opsound-gsm
chroot "$ROOT" apt-get clean
rm -rf "$ROOT"/var/lib/apt/lists/*
umount -l "$ROOT/dev" || true
umount -l "$ROOT/proc" || true
# The shipped config replaces Debian's sample files at every start.
rm -f "$ROOT"/etc/asterisk/*.conf
chroot "$ROOT" asterisk -V > "$WORK/version.txt" 2>/dev/null || true
echo "build_chroot: $(cat "$WORK/version.txt")"

tar -C "$ROOT" -czf "$TARBALL.tmp" .
mv "$TARBALL.tmp" "$TARBALL"
echo "asterisk chroot cached: $TARBALL ($(du -h "$TARBALL" | cut -f1))"
