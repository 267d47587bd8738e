# lib.sh — shared by the integration tests: a real sftpgwd on a loopback port
# with a temporary store, driven by real OpenSSH clients.
#
#   . "$top_srcdir/tests/integration/lib.sh"
#   gw_setup            # store, env "demo", mount /pub/media -> $T/media, key of alice
#   gw_start            # daemon on 127.0.0.1:<free port>, sets $PORT
#   ssh_gw true         # ssh as alice
#   pass                # or: fail "reason", skip "reason"
set -eu
: "${top_builddir:?run through make check}" "${top_srcdir:?run through make check}"

SFTPGWD=$top_builddir/sftpgwd
ADMIN=$top_builddir/sftpgw-admin
T=$(mktemp -d "${TMPDIR:-/tmp}/sftpgw-test.XXXXXX")
DB=$T/state/sftpgw.db
GW_PID=
GW_LOG=$T/gw.log
export LC_ALL=C.UTF-8

# A hung test fails after TEST_LIMIT seconds instead of holding the suite (and
# CI) until its own limit: the watchdog stops the test's children, then the test.
TEST_LIMIT=${TEST_LIMIT:-600}
(
	trap 'kill "$wd_sleep" 2>/dev/null; exit 0' TERM
	sleep "$TEST_LIMIT" &
	wd_sleep=$!
	wait "$wd_sleep"
	echo "FAIL: the test ran longer than $TEST_LIMIT s (hung?)" >&2
	pkill -TERM -P $$ 2>/dev/null
	kill -TERM $$ 2>/dev/null
) &
WATCHDOG=$!

gw_cleanup() {
	local rc=$?
	kill "$WATCHDOG" 2>/dev/null || true
	if [ -n "$GW_PID" ]; then
		kill "$GW_PID" 2>/dev/null || true
		wait "$GW_PID" 2>/dev/null || true
	fi
	if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ -f "$GW_LOG" ]; then
		echo "--- last lines of sftpgwd's log ---"
		tail -n 40 "$GW_LOG"
	fi
	chmod -R u+rwx "$T" 2>/dev/null || true
	rm -rf "$T"
	exit "$rc"
}
trap gw_cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
# need_disk MIB: skips the test (with the reason) when $T's file system has less free space.
need_disk() {
	local free
	free=$(df -Pm "$T" | awk 'NR == 2 {print $4}')
	[ "${free:-0}" -ge "$1" ] || skip "needs $1 MiB free under $T, has ${free:-0}"
}
pass() { echo "PASS"; exit 0; }
# check DESCRIPTION COMMAND...: runs COMMAND, fails the test with DESCRIPTION if it fails.
check() { local d=$1; shift; "$@" || fail "$d"; }

admin() { "$ADMIN" --db "$DB" "$@"; }

# gw_key NAME [COMMENT]: makes an ed25519 key $T/id_NAME with comment NAME@test.
gw_key() {
	ssh-keygen -q -t ed25519 -N '' -C "${2:-$1@test}" -f "$T/id_$1" >/dev/null
}

gw_setup() {
	admin init >/dev/null
	admin env add demo >/dev/null
	mkdir -p "$T/media"
	admin mount add demo /pub/media "$T/media" >/dev/null
	gw_key alice
	admin key add demo "$T/id_alice.pub" >/dev/null
}

# gw_start [EXTRA FLAGS]: starts the daemon, waits until it listens, sets $PORT.
gw_start() {
	rm -f "$T/ready"
	"$SFTPGWD" --db "$DB" --listen 127.0.0.1:0 --ready-file "$T/ready" --workers 2 "$@" \
		>>"$GW_LOG" 2>&1 &
	GW_PID=$!
	for _ in $(seq 1 100); do
		[ -s "$T/ready" ] && break
		kill -0 "$GW_PID" 2>/dev/null || fail "sftpgwd exited at start: $(tail -n 5 "$GW_LOG")"
		sleep 0.05
	done
	[ -s "$T/ready" ] || fail "sftpgwd did not become ready"
	PORT=$(awk 'NR==1 {print $2}' "$T/ready")
}

gw_stop() {
	[ -n "$GW_PID" ] || return 0
	kill "$GW_PID" 2>/dev/null || true
	wait "$GW_PID" 2>/dev/null || true
	GW_PID=
}

SSH_COMMON="-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
-o IdentitiesOnly=yes -o LogLevel=ERROR -o ConnectTimeout=10"
# ssh_as USER KEYNAME ARGS...: ssh to the gateway.
ssh_as() { local u=$1 k=$2; shift 2; ssh $SSH_COMMON -p "$PORT" -i "$T/id_$k" "$u@127.0.0.1" "$@"; }
ssh_gw() { ssh_as alice alice "$@"; }
# sftp_gw [ARGS]: batch sftp as alice; commands on stdin.
sftp_gw() { sftp $SSH_COMMON -P "$PORT" -i "$T/id_alice" -b - "$@" alice@127.0.0.1; }
scp_gw() { scp $SSH_COMMON -P "$PORT" -i "$T/id_alice" "$@"; }
RSYNC_SSH() { echo "ssh $SSH_COMMON -p $PORT -i $T/id_alice"; }
