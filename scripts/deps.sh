#!/bin/sh
# Installs the Debian 12 packages sftpgw builds and tests with. Used by README and .ci/run.
# Runs apt-get only when something is missing; needs root (or sudo) then.
set -e
PKGS="build-essential autoconf automake pkg-config
libssh-dev libuv1-dev libsqlite3-dev libarchive-dev libcmocka-dev libssl-dev zlib1g-dev libjansson-dev libxxhash-dev
openssh-client openssh-server rsync lftp curl tmux expect sqlite3 zstd xz-utils procps
clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "deps: installing:$missing" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
