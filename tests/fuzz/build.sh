#!/bin/bash
# tests/fuzz/build.sh [DIR] [--run SECONDS] [--only TEXT]
#
# Builds every libFuzzer target (tests/fuzz/fuzz_*.c) into DIR (default
# build-fuzz) with clang -fsanitize=fuzzer,address,undefined. The library
# sources (lib/, fcgi/, moderation/) are compiled once into DIR/obj/ and
# archived; an object is rebuilt when its source or any header is newer.
#
# With --run SECONDS, runs each target for that long (libFuzzer's
# -max_total_time) from its committed seed corpus tests/fuzz/NAME/ (read
# only: new inputs go to DIR/corpus-NAME/, emptied first) and prints one TAP-like line per
# target: "ok - fuzz NAME: ..." or "not ok - fuzz NAME: WHY" followed by "#"
# lines from the report (the reproducer is kept in DIR/). A smoke run, not
# a campaign: fuzz for longer by hand, e.g.
#     build-fuzz/fuzz_markdown -max_total_time=600 build-fuzz/corpus-fuzz_markdown tests/fuzz/markdown
# fuzz_dispatch needs a database: --run starts a throwaway PostgreSQL
# cluster for it (tests/fuzz/dispatch_db.sh, which needs hearthctl from
# $HEARTH_BUILD, default build-default). --only TEXT runs only the targets
# whose name contains TEXT. Exits 1 when a target failed.
set -eu
cd "$(dirname "$0")/../.."
SRC=$(pwd)
out=build-fuzz
run=0
only=
while [ $# -gt 0 ]; do
	case "$1" in
	--run) run="$2"; shift 2 ;;
	--only) only="$2"; shift 2 ;;
	-h | --help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) out="$1"; shift ;;
	esac
done
case $out in /*) ;; *) out=$SRC/$out ;; esac
mkdir -p "$out/obj"
CC=${CC:-clang}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unknown-warning-option $SAN
	-Ilib -Ifcgi -Imoderation -DHEARTH_DATADIR=\"/nonexistent\" -DHEARTH_SYSCONFDIR=\"/nonexistent\""
PKGS="libxml-2.0 libcmark libpcre2-8 libutf8proc libpq libsodium"
PKG_CFLAGS=$(pkg-config --cflags $PKGS)
LIBS="$(pkg-config --libs $PKGS) -lfcgi"

build_failed() {
	echo "not ok - fuzz build: $1 failed (the errors are above)"
	exit 1
}

# ---- the library, once: every source but the programs' main files
lib_srcs=$(ls lib/*.c fcgi/*.c moderation/*.c |
	grep -v -e '^fcgi/main\.c$' -e '^fcgi/hearthctl\.c$' -e '^fcgi/bench_data\.c$' -e 'modtool\.c$')
newest_h=$(ls -t lib/*.h fcgi/*.h moderation/*.h lib/*.def | head -n 1)
objs=()
todo=()
for s in $lib_srcs; do
	o=$out/obj/$(echo "$s" | tr / _).o
	objs+=("$o")
	if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		todo+=("$s")
	fi
done
if [ ${#todo[@]} -gt 0 ]; then
	export CC CFLAGS PKG_CFLAGS out
	# shellcheck disable=SC2016
	printf '%s\n' "${todo[@]}" | xargs -P 2 -I{} sh -c \
		'$CC $CFLAGS -fsanitize=fuzzer-no-link $PKG_CFLAGS -c {} -o "$out/obj/$(echo {} | tr / _).o"' ||
		build_failed "compiling the library with $CC"
	rm -f "$out/obj/libfuzzhearth.a"
fi
if [ ! -f "$out/obj/libfuzzhearth.a" ]; then
	ar rcs "$out/obj/libfuzzhearth.a" "${objs[@]}" || build_failed "ar"
fi

# ---- the targets (fuzz_dispatch.c includes fcgi/main.c itself)
for t in tests/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	bin=$out/$name
	if [ ! -x "$bin" ] || [ "$t" -nt "$bin" ] || [ "$out/obj/libfuzzhearth.a" -nt "$bin" ] ||
		[ fcgi/main.c -nt "$bin" ]; then
		# shellcheck disable=SC2086
		$CC $CFLAGS -fsanitize=fuzzer $PKG_CFLAGS -o "$bin" "$t" "$out/obj/libfuzzhearth.a" $LIBS ||
			build_failed "building $name"
	fi
done

[ "$run" -gt 0 ] || exit 0

# ---- the smoke run
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
# usage: fuzz_one NAME [ENV=VALUE...]: runs out/NAME from tests/fuzz/SHORT/.
fuzz_one() {
	local name=$1 short=${1#fuzz_} log=$out/$1.log rc=0
	shift
	# A fresh work corpus each time: the run stays as long as it says.
	# (once more after a pause: a fuzzer child of an earlier run may still be writing there)
	rm -rf "$out/corpus-$name" 2>/dev/null || { sleep 2; rm -rf "$out/corpus-$name"; }
	mkdir -p "$out/corpus-$name"
	if [ ! -d "tests/fuzz/$short" ]; then
		echo "not ok - fuzz $name: no seed corpus tests/fuzz/$short/"
		failed=1
		return 0
	fi
	# -timeout: an input that takes over 20 s is a hang, reported as one.
	env HEARTH_RULES=moderation/rules "$@" "$out/$name" -max_total_time="$run" -max_len=8192 \
		-timeout=20 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/$name-" \
		"$out/corpus-$name" "tests/fuzz/$short" >"$log" 2>&1 </dev/null || rc=$?
	local execs seeds
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	seeds=$(ls "tests/fuzz/$short" | wc -l)
	if [ "$rc" = 0 ] && [ -n "$execs" ]; then
		echo "ok - fuzz $name: ${run}s, $execs inputs from $seeds seeds"
	else
		echo "not ok - fuzz $name: exit $rc (full report: ${log#"$SRC"/})"
		# The first report with a few frames, and where the input was kept.
		{
			grep -E -m 1 -A 8 '^==[0-9]+==ERROR|runtime error|^fuzz_[a-z]+: |ALARM|out-of-memory' "$log" |
				sed 's/ (BuildId: [0-9a-f]*)//'
			grep -E 'Test unit written' "$log"
		} | head -n 24 | sed 's/^/#   /'
		failed=1
	fi
}
for bin in "$out"/fuzz_*; do
	[ -x "$bin" ] && [ -f "$bin" ] || continue
	name=$(basename "$bin")
	case $name in *.log) continue ;; esac
	[ -f "tests/fuzz/$name.c" ] || continue
	case $name in *"$only"*) ;; *) continue ;; esac
	if [ "$name" = fuzz_dispatch ]; then
		# Its database: a cluster of its own, stopped whatever happens.
		trap 'tests/fuzz/dispatch_db.sh stop "$out/dispatch-db" >/dev/null 2>&1 || true' EXIT
		trap 'exit 130' INT TERM
		if ! conf=$(tests/fuzz/dispatch_db.sh start "$out/dispatch-db" 2>"$out/dispatch-db.log"); then
			echo "not ok - fuzz fuzz_dispatch: its test database did not start"
			sed 's/^/#   /' "$out/dispatch-db.log" | tail -n 20
			failed=1
			tests/fuzz/dispatch_db.sh stop "$out/dispatch-db" >/dev/null 2>&1 || true
			continue
		fi
		fuzz_one fuzz_dispatch "HEARTH_FUZZ_CONF=$conf"
		tests/fuzz/dispatch_db.sh stop "$out/dispatch-db" >>"$out/dispatch-db.log" 2>&1 || true
	else
		fuzz_one "$name"
	fi
done
exit $failed
