#!/bin/sh
# The pty menu driven through a real terminal (tmux): environments, then
# nodes; stopped/down ones refused; q leaves with 0; a resize redraws; the
# chosen node gets the terminal's current size.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fwd_nodes.inc"
command -v tmux >/dev/null || skip "no tmux"

gw_setup
gw_key bob
admin key add demo "$T/id_bob.pub" >/dev/null
admin env add blog >/dev/null
admin user grant bob blog >/dev/null
node_start n1
node_start n2
node_add demo web1 n1 --primary --role app
node_add demo web2 n2 --role db
gw_start
admin env stop blog >/dev/null
admin node set demo web2 --status down >/dev/null

TMUX_SOCK=$T/tmux.sock
tm() { tmux -S "$TMUX_SOCK" "$@"; }
menu_cleanup() {
	local rc=$?
	set +e # (exit "$rc") below must not end the handler early
	tm kill-server 2>/dev/null || true
	(exit "$rc")
	fwd_cleanup
}
trap menu_cleanup EXIT

# screen: the pane's text.
screen() { tm capture-pane -p -J -S -200 -t "$1"; }
# wait_for WIN TEXT [SECONDS]: until TEXT shows in the pane.
wait_for() {
	local n=$(( ${3:-5} * 50 ))
	for _ in $(seq 1 "$n"); do
		screen "$1" | grep -qF -- "$2" && return 0
		sleep 0.02
	done
	fail "\"$2\" did not show in $1; screen: $(screen "$1")"
}
SSHCMD="ssh $SSH_COMMON -tt -p $PORT -i $T/id_bob bob@127.0.0.1"

# --- menu, refusals, choice, size on the node ---
t0=$(now_ms)
tm -f /dev/null new-session -d -s m1 -x 100 -y 30 "$SSHCMD; echo EXIT=\$?; sleep 60"
wait_for m1 "environments of bob"
t1=$(now_ms)
echo "menu's first line after $((t1 - t0)) ms (tmux + ssh + menu)"
screen m1 | grep -q "blog .*stopped" || fail "stopped environment not listed: $(screen m1)"
screen m1 | grep -q "bob+demo" || fail "no direct login shown"
tm send-keys -t m1 1 Enter
wait_for m1 "environment blog is stopped"
# a resize redraws the menu
before=$(screen m1 | grep -c "environments of bob")
tm resize-window -t m1 -x 120 -y 40
for _ in $(seq 1 100); do
	[ "$(screen m1 | grep -c "environments of bob")" -gt "$before" ] && break
	sleep 0.02
done
[ "$(screen m1 | grep -c "environments of bob")" -gt "$before" ] || fail "no redraw on resize"
tm send-keys -t m1 2 Enter
wait_for m1 "nodes of demo"
screen m1 | grep -q "bob+demo+web1" || fail "node direct login not shown"
tm send-keys -t m1 2 Enter
wait_for m1 "node demo/web2 is down"
tm send-keys -t m1 1 Enter
wait_for m1 "connecting to demo/web1"
sleep 0.5
tm send-keys -t m1 'echo "node=$NODE_NAME size=$(stty size)"' Enter
wait_for m1 "node=n1 size=40 120"
tm resize-window -t m1 -x 90 -y 25
sleep 0.3
tm send-keys -t m1 'echo "now=$(stty size)"' Enter
wait_for m1 "now=25 90"
tm send-keys -t m1 'exit 0' Enter
wait_for m1 "EXIT=0"

# --- q leaves with status 0; so does Ctrl-C ---
tm new-session -d -s m2 -x 100 -y 30 "$SSHCMD; echo EXIT=\$?; sleep 60"
wait_for m2 "environments of bob"
tm send-keys -t m2 q
wait_for m2 "EXIT=0"
tm new-session -d -s m3 -x 100 -y 30 "$SSHCMD; echo EXIT=\$?; sleep 60"
wait_for m3 "environments of bob"
tm send-keys -t m3 C-c
wait_for m3 "EXIT=0"

# --- USER+ENV with a pty goes to the node by policy, no menu ---
tm new-session -d -s m4 -x 100 -y 30 "ssh $SSH_COMMON -tt -p $PORT -i $T/id_bob bob+demo@127.0.0.1; echo EXIT=\$?; sleep 60"
sleep 1
tm send-keys -t m4 'echo "at=$NODE_NAME"' Enter
wait_for m4 "at=n1"
screen m4 | grep -q "environments of" && fail "menu shown for USER+ENV"
tm send-keys -t m4 'exit 4' Enter
wait_for m4 "EXIT=4"

pass
