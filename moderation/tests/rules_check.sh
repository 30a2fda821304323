#!/bin/sh
# rules_check.sh: "hearthctl rules check" over the default rule set, as make check runs it
# (from the build directory, with HEARTH_SRCDIR set to the absolute source directory).
srcdir=${HEARTH_SRCDIR:-${srcdir:-.}}
tool=./hearthctl
[ -x "$tool" ] || tool=./moderation/modtool
if [ "$tool" = ./hearthctl ]; then
	exec "$tool" rules check --rules "$srcdir/moderation/rules"
fi
exec "$tool" check --rules "$srcdir/moderation/rules"
