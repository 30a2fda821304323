# Hearth: shell helpers shared by scripts/demo and scripts/check.
#
# Sourced, never run. Callers set -eu first. Everything here either works or
# stops with a message that says what to do next; progress lines are printed
# only when stdout is a terminal, errors always go to stderr.
#
# Provides:
#   hearth_root                 absolute path of the source tree ($HEARTH_SRC)
#   hearth_say MSG / hearth_warn MSG / hearth_die MSG
#   hearth_need_packages        install the Debian packages Hearth needs
#   hearth_need_axe             axe-core for tests/browser/test_a11y.py (npm, into tests/browser/axe/)
#   hearth_run_user_setup       pick the user servers run as ($HEARTH_RUN_USER)
#   hearth_as_run_user CMD...   run CMD as that user ("${HEARTH_AS[@]}" CMD & for servers)
#   hearth_run_user_can_read PATH / hearth_check_readable PATH (dies naming the closed folder)
#   hearth_stage DEST           copy programs, theme, rules, SQL, contrib/ for the run user
#   hearth_build DIR [configure args...]
#   hearth_pg_start DATADIR SOCKDIR PORT [LOG]   / hearth_pg_stop DATADIR
#   hearth_free_port            print a free TCP port on 127.0.0.1
#   hearth_port_free PORT       true if nothing listens on 127.0.0.1:PORT
#   hearth_tail FILE [N]        print the last N lines of FILE, indented

HEARTH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HEARTH_AS=()
export HEARTH_SRC
HEARTH_PGBIN=${HEARTH_PGBIN:-}
if [ -z "$HEARTH_PGBIN" ]; then
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && HEARTH_PGBIN=$d
	done
fi
# Build products and the var/ tree are read by the unprivileged run user.
umask 022

hearth_root() { printf '%s\n' "$HEARTH_SRC"; }

hearth_say() {
	if [ -t 1 ]; then printf '%s\n' "$*"; fi
}
hearth_warn() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
hearth_die() {
	printf '%s: error: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

# Prints the last lines of a log file so that an error shows its cause.
hearth_tail() {
	local f=$1 n=${2:-25}
	if [ -s "$f" ]; then
		printf '    --- last lines of %s ---\n' "$f" >&2
		tail -n "$n" "$f" | sed 's/^/    /' >&2
	else
		printf '    (%s is empty or missing)\n' "$f" >&2
	fi
}

# ---------------------------------------------------------------- packages

HEARTH_PACKAGES="build-essential autoconf automake libtool pkg-config
libpq-dev libxml2-dev libpcre2-dev libcmark-dev libsodium-dev libutf8proc-dev
libfcgi-dev libfcgi-bin systemd postgresql python3 curl chromium clang libclang-rt-14-dev"

# Prints the names from HEARTH_PACKAGES that are not installed. nginx counts
# as present when any nginx flavour is (nginx, nginx-light, nginx-core...).
hearth_missing_packages() {
	local p status
	for p in $HEARTH_PACKAGES; do
		status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		case $status in ii*) ;; *) printf '%s\n' "$p" ;; esac
	done
	# Any nginx flavour will do (nginx, nginx-light, nginx-full...).
	if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
		printf '%s\n' nginx
	fi
}

hearth_need_packages() {
	[ "${HEARTH_SKIP_PACKAGES:-}" = 1 ] && return 0
	command -v dpkg-query >/dev/null 2>&1 ||
		hearth_die "dpkg-query not found: these scripts expect Debian 12 (or Ubuntu). Install by hand: $HEARTH_PACKAGES nginx (set HEARTH_SKIP_PACKAGES=1 to skip this check)"
	local missing
	missing=$(hearth_missing_packages | tr '\n' ' ')
	missing=${missing% }
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		printf '%s: missing Debian packages. Install them, then run this again:\n' "${0##*/}" >&2
		printf '    sudo apt-get install -y --no-install-recommends %s\n' "$missing" >&2
		exit 1
	fi
	hearth_say "Installing Debian packages: $missing"
	local log
	log=$(mktemp /tmp/hearth-apt.XXXXXX)
	local install="apt-get install -y --no-install-recommends $missing"
	# An image whose package lists were cleaned has nothing to install from.
	if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e '^lock$' -e '^partial$' -e '^auxfiles$')" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update >>"$log" 2>&1 || true
	fi
	# shellcheck disable=SC2086
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >>"$log" 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get update >>"$log" 2>&1 || true
		# shellcheck disable=SC2086
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >>"$log" 2>&1; then
			hearth_tail "$log" 30
			hearth_die "'$install' failed (full output in $log). Fix the cause above and run this again."
		fi
	fi
	rm -f "$log"
}

# axe-core, the accessibility rules the browser test tests/browser/test_a11y.py
# injects into each page: installed from the npm registry into
# tests/browser/axe/ (git-ignored), pinned. nodejs and npm come from Debian
# when they are missing (as root; otherwise the apt-get line is printed).
HEARTH_AXE_VERSION=${HEARTH_AXE_VERSION:-4.10.3}
HEARTH_AXE_DIR=$HEARTH_SRC/tests/browser/axe
hearth_need_axe() {
	local js=$HEARTH_AXE_DIR/node_modules/axe-core/axe.min.js
	local pkg=$HEARTH_AXE_DIR/node_modules/axe-core/package.json
	if [ -f "$js" ] && grep -q "\"version\": *\"$HEARTH_AXE_VERSION\"" "$pkg" 2>/dev/null; then
		return 0
	fi
	if ! command -v npm >/dev/null 2>&1; then
		HEARTH_PACKAGES="nodejs npm" hearth_need_packages
		command -v npm >/dev/null 2>&1 || hearth_die "npm is still missing after installing nodejs and npm"
	fi
	hearth_say "Installing axe-core $HEARTH_AXE_VERSION into tests/browser/axe (npm)"
	mkdir -p "$HEARTH_AXE_DIR"
	local log
	log=$(mktemp /tmp/hearth-npm.XXXXXX)
	if ! npm install --prefix "$HEARTH_AXE_DIR" --no-save --no-audit --no-fund --no-package-lock \
		"axe-core@$HEARTH_AXE_VERSION" >>"$log" 2>&1 || [ ! -f "$js" ]; then
		hearth_tail "$log" 20
		hearth_die "npm install axe-core@$HEARTH_AXE_VERSION failed (full output in $log)"
	fi
	rm -f "$log"
}

# ---------------------------------------------------------------- users

# Sets HEARTH_RUN_USER and HEARTH_RUN_HOME. As root, servers run as the
# system user "hearth" (PostgreSQL refuses root), created once here.
hearth_run_user_setup() {
	if [ "$(id -u)" != 0 ]; then
		HEARTH_RUN_USER=$(id -un)
		HEARTH_RUN_HOME=${HOME:-/tmp}
		export HEARTH_RUN_USER HEARTH_RUN_HOME
		HEARTH_AS=()
		return 0
	fi
	HEARTH_RUN_USER=${HEARTH_RUN_USER:-hearth}
	if ! id -u "$HEARTH_RUN_USER" >/dev/null 2>&1; then
		hearth_say "Creating system user $HEARTH_RUN_USER (servers do not run as root)"
		useradd --system --user-group --create-home --home-dir /var/lib/hearth-dev \
			--shell /usr/sbin/nologin "$HEARTH_RUN_USER" 2>/dev/null ||
			id -u "$HEARTH_RUN_USER" >/dev/null 2>&1 ||
			hearth_die "could not create the system user '$HEARTH_RUN_USER' (useradd failed); create it by hand or set HEARTH_RUN_USER to an existing unprivileged user"
	fi
	HEARTH_RUN_HOME=$(getent passwd "$HEARTH_RUN_USER" | cut -d: -f6)
	HEARTH_RUN_UID=$(id -u "$HEARTH_RUN_USER")
	HEARTH_RUN_GID=$(id -g "$HEARTH_RUN_USER")
	[ "$HEARTH_RUN_UID" != 0 ] ||
		hearth_die "HEARTH_RUN_USER=$HEARTH_RUN_USER is root; PostgreSQL refuses to run as root, pick an unprivileged user"
	[ -d "$HEARTH_RUN_HOME" ] || HEARTH_RUN_HOME=/tmp
	export HEARTH_RUN_USER HEARTH_RUN_HOME
	HEARTH_AS=(env "HOME=$HEARTH_RUN_HOME" "USER=$HEARTH_RUN_USER" "LOGNAME=$HEARTH_RUN_USER"
		setpriv "--reuid=$HEARTH_RUN_UID" "--regid=$HEARTH_RUN_GID" --init-groups --)
}

# Runs a command as the run user. For a server started in the background
# use "${HEARTH_AS[@]}" CMD... & directly: env and setpriv exec in place, so
# "$!" is then the server's own pid (a function would add a subshell).
hearth_as_run_user() {
	"${HEARTH_AS[@]}" "$@"
}

# Fails with a clear message when the run user cannot read PATH, naming the
# first folder from / down that it cannot enter (for example /root, whose
# mode 700 keeps other users out), or PATH itself when only that is closed.
hearth_check_readable() {
	local path=$1 d= part rest
	hearth_run_user_can_read "$path" && return 0
	rest=${path#/}
	while [ -n "$rest" ]; do
		part=${rest%%/*}
		[ "$part" = "$rest" ] && rest= || rest=${rest#*/}
		d=$d/$part
		[ -n "$rest" ] || break
		if ! hearth_as_run_user test -x "$d" 2>/dev/null; then
			hearth_die "user '$HEARTH_RUN_USER' cannot enter $d (mode $(stat -c %a "$d"), owner $(stat -c %U "$d")), so it cannot read $path"
		fi
	done
	hearth_die "user '$HEARTH_RUN_USER' cannot read $path (mode $(stat -c %a "$path" 2>/dev/null || echo '?')); make it readable: chmod -R o+rX $path"
}

# True when the run user can enter every folder down to PATH and read it
# (and search it, for a folder). No message: callers decide what to do.
hearth_run_user_can_read() {
	hearth_as_run_user test -r "$1" 2>/dev/null || return 1
	[ ! -d "$1" ] || hearth_as_run_user test -x "$1" 2>/dev/null
}

# hearth_stage DEST: copies what the servers read (the built programs from
# build-default, the theme, the moderation rules, the migrations, contrib/)
# into DEST, afresh, owned by the current user and readable by everyone.
# For a clone the run user cannot reach (under /root, mode 700): the servers
# then run from DEST and nobody's permissions change. DEST gets bin/,
# themes/default, moderation/rules, sql/ and contrib/ like the source tree.
hearth_stage() {
	local dest=$1 new=$1.new p
	rm -rf "$new"
	mkdir -p "$new/bin" "$new/themes" "$new/moderation"
	for p in hearth-fcgi hearthctl; do
		cp -p "$HEARTH_SRC/build-default/$p" "$new/bin/$p" ||
			hearth_die "could not copy build-default/$p into $new/bin"
	done
	cp -R "$HEARTH_SRC/themes/default" "$new/themes/default" &&
		cp -R "$HEARTH_SRC/moderation/rules" "$new/moderation/rules" &&
		cp -R "$HEARTH_SRC/sql" "$new/sql" &&
		cp -R "$HEARTH_SRC/contrib" "$new/contrib" ||
		hearth_die "could not copy the theme, rules, migrations and contrib/ into $new"
	chmod -R u+rwX,go+rX,go-w "$new"
	rm -rf "$dest"
	mv "$new" "$dest"
}

# mkdir -p DIR... owned by the run user.
hearth_mkdir_run() {
	mkdir -p "$@"
	if [ "$(id -u)" = 0 ]; then
		chown "$HEARTH_RUN_UID:$HEARTH_RUN_GID" "$@"
	fi
}

# ---------------------------------------------------------------- build

# hearth_build DIR [configure args...]: autogen when there is no configure
# script, configure when DIR has no Makefile or the arguments changed since
# the last configure (a bare "hearth_build DIR" reuses any configuration),
# then make. Logs go to DIR/build.log.
hearth_build() {
	local dir=$1
	shift
	local src=$HEARTH_SRC
	case $dir in /*) ;; *) dir=$src/$dir ;; esac
	mkdir -p "$dir"
	local log=$dir/build.log
	: >"$log"
	if [ ! -x "$src/configure" ] || [ ! -f "$src/Makefile.in" ]; then
		hearth_say "  autogen.sh"
		if ! (cd "$src" && ./autogen.sh) >>"$log" 2>&1; then
			hearth_tail "$log" 30
			hearth_warn "./autogen.sh failed; full output in $log"
			return 1
		fi
	fi
	local want have=
	want=$(printf '%s\n' "$@")
	[ -f "$dir/.hearth-configure-args" ] && have=$(cat "$dir/.hearth-configure-args")
	if [ ! -f "$dir/Makefile" ] || { [ $# -gt 0 ] && [ "$want" != "$have" ]; }; then
		hearth_say "  configure $*"
		if ! (cd "$dir" && "$src/configure" "$@") >>"$log" 2>&1; then
			hearth_tail "$log" 20
			hearth_warn "configure failed in $dir; full output in $log (details in $dir/config.log)"
			return 1
		fi
		printf '%s\n' "$@" >"$dir/.hearth-configure-args"
	fi
	hearth_say "  make -j2 in ${dir#"$src"/}"
	if ! make -C "$dir" -j2 >>"$log" 2>&1; then
		# The first errors are the ones to read; the rest often follow from them.
		if grep -qE 'error:|warning:|\*\*\*' "$log"; then
			grep -E 'error:|warning:|\*\*\*' "$log" | head -n 25 | sed 's/^/    /' >&2
		else
			hearth_tail "$log" 20
		fi
		hearth_warn "make failed in $dir; full output in $log"
		return 1
	fi
}

# ---------------------------------------------------------------- ports

hearth_free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

hearth_port_free() {
	python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

# ---------------------------------------------------------------- postgres

hearth_pg() {
	local tool=$1
	shift
	[ -n "$HEARTH_PGBIN" ] && [ -x "$HEARTH_PGBIN/$tool" ] ||
		hearth_die "PostgreSQL's $tool was not found under /usr/lib/postgresql/*/bin; install the postgresql package (or set HEARTH_PGBIN)"
	hearth_as_run_user "$HEARTH_PGBIN/$tool" "$@"
}

# hearth_pg_start DATADIR SOCKDIR PORT [LOG]: initdb when DATADIR is new,
# start a server that listens only on SOCKDIR (no TCP), create the database
# "hearth" when missing. The run user owns DATADIR and SOCKDIR.
hearth_pg_start() {
	local data=$1 sock=$2 port=$3 log=${4:-$1/../postgres.log}
	if [ ${#sock} -gt 90 ]; then
		hearth_die "the socket directory $sock is too long for a unix socket path (over 90 characters); move the checkout to a shorter path"
	fi
	hearth_mkdir_run "$sock" "$(dirname "$log")"
	if [ ! -s "$data/PG_VERSION" ]; then
		hearth_mkdir_run "$data"
		chmod 700 "$data"
		hearth_say "  initdb $data"
		if ! hearth_pg initdb -D "$data" -A trust -U hearth --encoding=UTF8 \
			--locale=C.UTF-8 >"$log.initdb" 2>&1; then
			hearth_tail "$log.initdb"
			hearth_die "initdb failed; full output in $log.initdb"
		fi
	fi
	if hearth_pg pg_ctl -D "$data" status >/dev/null 2>&1; then
		hearth_say "  PostgreSQL already running in $data"
	else
		hearth_say "  starting PostgreSQL (socket in $sock)"
		if ! hearth_pg pg_ctl -D "$data" -w -t 60 -l "$log" \
			-o "-k $sock -p $port -c listen_addresses=''" start >/dev/null 2>&1; then
			hearth_tail "$log"
			hearth_die "PostgreSQL did not start; read $log"
		fi
	fi
	if [ "$(hearth_pg psql -X -h "$sock" -p "$port" -U hearth -d postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname = 'hearth'")" != 1 ]; then
		hearth_pg createdb -h "$sock" -p "$port" -U hearth -E UTF8 hearth ||
			hearth_die "createdb hearth failed; read $log"
	fi
}

hearth_pg_stop() {
	local data=$1
	if [ -s "$data/postmaster.pid" ] &&
		hearth_pg pg_ctl -D "$data" status >/dev/null 2>&1; then
		hearth_pg pg_ctl -D "$data" -w -t 60 -m fast stop >/dev/null 2>&1 ||
			hearth_warn "pg_ctl stop failed for $data"
	fi
}

# ---------------------------------------------------------------- nginx

# hearth_nginx_conf DIR LISTEN SOCKET STATIC: writes DIR/nginx.conf around
# contrib/nginx/hearth.conf with the @...@ words replaced. DIR is nginx's
# prefix: pid, logs and temp files stay in it. nginx's own error pages are
# looked for in $HEARTH_ERRORS_DIR (default DIR/errors; write them with
# `hearthctl render-errors`).
hearth_nginx_conf() {
	local dir=$1 listen=$2 socket=$3 static=$4
	local block=$HEARTH_SRC/contrib/nginx/hearth.conf
	[ -f "$block" ] || hearth_die "$block is missing"
	hearth_mkdir_run "$dir" "$dir/tmp"
	cp /etc/nginx/fastcgi_params "$dir/fastcgi_params" 2>/dev/null ||
		hearth_die "/etc/nginx/fastcgi_params is missing: is nginx installed?"
	{
		printf 'daemon off;\nworker_processes 1;\npid %s/nginx.pid;\n' "$dir"
		printf 'error_log %s/error.log;\nevents { worker_connections 512; }\n' "$dir"
		printf 'http {\n    include /etc/nginx/mime.types;\n'
		printf '    default_type application/octet-stream;\n'
		for t in client_body proxy fastcgi uwsgi scgi; do
			printf '    %s_temp_path %s/tmp/%s;\n' "$t" "$dir" "$t"
		done
		sed -e "s|@LISTEN@|$listen|g" -e "s|@SOCKET@|$socket|g" \
			-e "s|@STATIC@|$static|g" -e "s|@CACHE@|${HEARTH_CACHE_DIR:-}|g" \
			-e "s|@ERRORS@|${HEARTH_ERRORS_DIR:-$dir/errors}|g" \
			-e 's/^/    /' "$block"
		printf '}\n'
	} >"$dir/nginx.conf"
	if [ "$(id -u)" = 0 ]; then
		chown -R "$HEARTH_RUN_UID:$HEARTH_RUN_GID" "$dir"
	fi
}
