#!/bin/sh
# Code checks that the compiler cannot make (run by `make check`):
#  1. Page handlers and table-family files run SQL only through db_exec()
#     and the prepared-statement registry (lib/db_sql*.def): no PQexec*,
#     PQprepare or PQsendQuery anywhere in them.
#  2. Page handlers never write the response body themselves: HTML comes
#     from templates, which escape. A file that serves non-HTML (the JSON
#     export) marks each such line with "lint: raw-body".
#  3. No handler reaches a raw FastCGI stream.
# Prints TAP lines like the unit tests.
set -u
src=${HEARTH_SRCDIR:-$(dirname "$0")/..}
cd "$src" || exit 1
fail=0

bad=$(grep -n -E 'PQexec|PQprepare|PQsendQuery' fcgi/page*.c fcgi/screen.c lib/db_[a-z]*.c 2>/dev/null |
	grep -v '^lib/db\.c:')
if [ -n "$bad" ]; then
	echo "not ok - SQL only through the statement registry:"
	echo "$bad" | sed 's/^/#   /'
	fail=1
else
	echo "ok - SQL only through the statement registry"
fi

bad=$(grep -n -E 'resp->body|ctx->resp->body' fcgi/page_*.c 2>/dev/null | grep -v 'lint: raw-body')
if [ -n "$bad" ]; then
	echo "not ok - handlers do not write the body themselves:"
	echo "$bad" | sed 's/^/#   /'
	fail=1
else
	echo "ok - handlers do not write the body themselves"
fi

bad=$(grep -n -E 'FCGX_|fcgi_stdio' fcgi/page*.c fcgi/screen.c lib/*.c 2>/dev/null)
if [ -n "$bad" ]; then
	echo "not ok - no FastCGI calls outside fcgi/main.c:"
	echo "$bad" | sed 's/^/#   /'
	fail=1
else
	echo "ok - no FastCGI calls outside fcgi/main.c"
fi
exit $fail
