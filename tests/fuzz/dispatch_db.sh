#!/bin/bash
# tests/fuzz/dispatch_db.sh start STATEFILE | stop STATEFILE
#
# The throwaway database fuzz_dispatch runs against. "start" makes a
# temporary folder (its path goes in STATEFILE), starts a PostgreSQL
# cluster there (scripts/lib.sh: unix socket only, as the run user), writes
# a hearth.conf, runs `hearthctl migrate`, adds the category "general", the
# open group "fuzz-group" (fuzzmember its facilitator) and
# two accounts, fuzzmember (member) and fuzzmod (moderator), both with the
# password in $HEARTH_FUZZ_PASSWORD, and prints the conf's path. "stop"
# stops that cluster and removes the folder. hearthctl comes from
# $HEARTH_BUILD (default build-default). Progress goes to stderr.
set -eu
[ $# = 2 ] || { echo "usage: $0 start|stop STATEFILE" >&2; exit 2; }
case $2 in /*) state=$2 ;; *) state=$PWD/$2 ;; esac
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$HEARTH_SRC"
hearth_run_user_setup
: "${HEARTH_FUZZ_PASSWORD:=fuzz-password-only-for-a-throwaway-db}"

case $1 in
start)
	build=${HEARTH_BUILD:-$HEARTH_SRC/build-default}
	ctl=$build/hearthctl
	[ -x "$ctl" ] || hearth_die "$ctl is missing: build first (scripts/check, or make -C $build)"
	tmp=$(mktemp -d /tmp/hearth-fuzz-db.XXXXXX)
	printf '%s\n' "$tmp" >"$state"
	chmod 755 "$tmp"
	hearth_mkdir_run "$tmp"
	cd "$tmp"       # the run user may not be able to enter the source tree
	port=$(hearth_free_port)
	hearth_pg_start "$tmp/pg" "$tmp/sock" "$port" "$tmp/postgres.log" >&2
	# A fuzz run writes a lot and keeps nothing.
	hearth_pg psql -X -q -h "$tmp/sock" -p "$port" -U hearth -d hearth \
		-c "ALTER SYSTEM SET fsync = off" -c "ALTER SYSTEM SET synchronous_commit = off" \
		-c "SELECT pg_reload_conf()" >/dev/null
	conf=$tmp/hearth.conf
	{
		echo "# written by tests/fuzz/dispatch_db.sh"
		echo "database = host=$tmp/sock port=$port dbname=hearth user=hearth"
		echo "listen = $tmp/unused.sock"
		echo "workers = 1"
		echo "theme_dir = $HEARTH_SRC/themes/default"
		echo "rules_dir = $HEARTH_SRC/moderation/rules"
		echo "sql_dir = $HEARTH_SRC/sql"
		echo "crisis_file = $HEARTH_SRC/contrib/crisis-sg.conf"
		echo "site_name = Hearth fuzz"
		echo "base_url = http://127.0.0.1:1"
		echo "cache_dir = "
		# The fuzzer posts far faster than people do: no rate limits.
		for k in registrations_per_hour post_threads_per_hour post_replies_per_hour \
			post_per_minute new_member_threads_per_hour new_member_replies_per_hour \
			new_member_per_minute; do
			echo "$k = 0"
		done
	} >"$conf"
	chmod 644 "$conf"
	"$ctl" -c "$conf" migrate >&2
	"$ctl" -c "$conf" category add general "General" "Anything at all." >&2
	for who in fuzzmember:member fuzzmod:moderator; do
		printf '%s\n' "$HEARTH_FUZZ_PASSWORD" |
			"$ctl" -c "$conf" create-admin "${who%%:*}" --password-stdin >&2
		"$ctl" -c "$conf" user set-role "${who%%:*}" "${who#*:}" >&2
	done
	"$ctl" -c "$conf" group add fuzz-group "Fuzz group" "A peer group." --join open >&2
	"$ctl" -c "$conf" group member fuzz-group fuzzmember facilitator >&2
	printf '%s\n' "$conf"
	;;
stop)
	[ -s "$state" ] || exit 0
	tmp=$(cat "$state")
	case $tmp in /tmp/hearth-fuzz-db.*) ;; *) hearth_die "$state does not name a fuzz database" ;; esac
	cd /tmp
	hearth_pg_stop "$tmp/pg"
	rm -rf "$tmp"
	rm -f "$state"
	;;
*) hearth_die "usage: $0 start|stop STATEFILE" ;;
esac
