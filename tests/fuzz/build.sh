#!/bin/sh
# Builds every libFuzzer target into DIR (default build-fuzz) and, with
# --run SECONDS, runs each for that long on its seed corpus (a smoke run:
# real fuzzing campaigns run longer, by hand).
#   tests/fuzz/build.sh [DIR] [--run SECONDS]
set -eu
cd "$(dirname "$0")/../.."
out=build-fuzz
run=0
while [ $# -gt 0 ]; do
	case "$1" in
	--run) run="$2"; shift 2 ;;
	*) out="$1"; shift ;;
	esac
done
mkdir -p "$out"
CC=${CC:-clang}
CFLAGS="-g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Ilib -Ifcgi -Imoderation"
PKG="$(pkg-config --cflags --libs libxml-2.0 libcmark libpcre2-8 libutf8proc)"
LIB="lib/arena.c lib/buf.c lib/utf8.c lib/html.c"
MOD="$(ls moderation/*.c | grep -v -e modtool.c -e cli.c)"

$CC $CFLAGS -o "$out/fuzz_request" tests/fuzz/fuzz_request.c fcgi/request.c $LIB
$CC $CFLAGS -o "$out/fuzz_tpl" tests/fuzz/fuzz_tpl.c lib/tpl.c $LIB $PKG
$CC $CFLAGS -o "$out/fuzz_skeleton" tests/fuzz/fuzz_skeleton.c fcgi/skeleton.c $LIB
[ -f tests/fuzz/fuzz_markdown.c ] &&
	$CC $CFLAGS -o "$out/fuzz_markdown" tests/fuzz/fuzz_markdown.c lib/markdown.c lib/sanitize.c $LIB $PKG
[ -f tests/fuzz/fuzz_moderation.c ] &&
	$CC $CFLAGS -o "$out/fuzz_moderation" tests/fuzz/fuzz_moderation.c $MOD $LIB $PKG

if [ "$run" -gt 0 ]; then
	failed=0
	for f in "$out"/fuzz_*; do
		[ -x "$f" ] || continue
		name=$(basename "$f")
		mkdir -p "$out/corpus-$name"
		if HEARTH_RULES=moderation/rules "$f" -max_total_time="$run" -max_len=8192 \
			"$out/corpus-$name" >"$out/$name.log" 2>&1; then
			echo "ok - fuzz $name for ${run}s"
		else
			echo "not ok - fuzz $name: crash, see $out/$name.log"
			failed=1
		fi
	done
	exit $failed
fi
