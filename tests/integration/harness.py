"""Hearth integration harness: a real PostgreSQL, hearth-fcgi and nginx.

Stack starts, in a fresh temporary folder, a private PostgreSQL cluster
(unix socket only), writes hearth.conf, runs `hearthctl migrate` and
`create-admin`, starts hearth-fcgi and an nginx on a free port of 127.0.0.1
in front of it, and waits until `/` answers. close() tears everything down,
also after a failure, killing whole process groups so that nothing is left
running, and returns the problems it saw (non-zero exit on SIGTERM, workers
that outlived the master, sanitizer reports in the logs).

As root, every server runs as the unprivileged user `hearth` (PostgreSQL
refuses root); otherwise as the current user.

Environment:
  HEARTH_BUILD     build directory with hearth-fcgi and hearthctl
                   (default: build-default under the source tree)
  HEARTH_KEEP=1    keep the temporary folder (it is kept anyway on problems)
  HEARTH_RUN_USER  the unprivileged user servers run as when root (hearth)
  HEARTH_PGBIN     PostgreSQL's bin directory (default: newest installed)

run_suite() is the test runner shared by tests/integration/run and
tests/browser/run: see tests/README.
"""

import glob
import html.parser
import http.client
import importlib.util
import inspect
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SANITIZER_RE = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer|MemorySanitizer|ThreadSanitizer)"
    r"|runtime error:|SUMMARY: UndefinedBehaviorSanitizer")


LIVE_STACKS = []      # stacks not yet closed, for the signal handler of run_suite


def _kill_leftovers(tmp):
    """Kills what a stack in `tmp` may have left running: the process groups
    listed in tmp/.pgids and the PostgreSQL of tmp/pg. For when the runner
    cannot tear down in order (a signal, or SIGKILL: see _reaper_main)."""
    try:
        with open(os.path.join(tmp, ".pgids")) as f:
            pgids = [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        pgids = []
    for g in pgids:
        try:
            os.killpg(g, signal.SIGKILL)
        except OSError:
            pass
    # The stack's PostgreSQL (pg/) and any other cluster a test made in
    # the folder (a replica: test_replica.py).
    for pidfile in glob.glob(os.path.join(tmp, "*", "postmaster.pid")):
        try:
            with open(pidfile) as f:
                pid = int(f.readline())
        except (OSError, ValueError):
            continue
        try:
            os.kill(pid, signal.SIGQUIT)            # PostgreSQL's immediate shutdown
            for _ in range(50):
                time.sleep(0.1)
                os.kill(pid, 0)
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _reaper_main(tmp):
    """Runs in a process of its own, started with each stack: waits until the
    runner closes the pipe on our stdin (or dies, even by SIGKILL), then
    cleans up unless the stack was closed in order."""
    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    try:
        sys.stdin.buffer.read()
    except OSError:
        pass
    if not os.path.isdir(tmp) or os.path.exists(os.path.join(tmp, ".closed")):
        return
    _kill_leftovers(tmp)
    if os.environ.get("HEARTH_KEEP") != "1":
        shutil.rmtree(tmp, ignore_errors=True)


class StackError(Exception):
    """A server of the stack could not be started; the message says why."""


def build_dir():
    b = os.environ.get("HEARTH_BUILD") or "build-default"
    if os.path.isabs(b):
        return b
    if os.path.isdir(b):
        return os.path.abspath(b)
    return os.path.join(SRC, b)


def pg_bin():
    d = os.environ.get("HEARTH_PGBIN")
    if d:
        return d
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return os.path.dirname(found[-1])
    p = shutil.which("initdb")
    if p:
        return os.path.dirname(p)
    raise StackError("PostgreSQL's initdb was not found: apt-get install -y postgresql")


def nginx_bin():
    p = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not p:
        raise StackError("nginx was not found: apt-get install -y nginx")
    return p


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, n=25):
    """The last n lines of a file, for error messages."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        return "(%s: %s)" % (path, e.strerror)
    if not lines:
        return "(%s is empty)" % path
    return "--- last lines of %s ---\n%s" % (path, "\n".join(lines[-n:]))


def wait_for(predicate, timeout, interval=0.1):
    """Calls predicate until it returns something true; returns that or None."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


# ---------------------------------------------------------------- run user

class RunUser:
    """Who the servers run as: `hearth` when we are root, else ourselves."""

    def __init__(self):
        self.root = os.geteuid() == 0
        if not self.root:
            pw = pwd.getpwuid(os.geteuid())
        else:
            name = os.environ.get("HEARTH_RUN_USER", "hearth")
            try:
                pw = pwd.getpwnam(name)
            except KeyError:
                r = subprocess.run(
                    ["useradd", "--system", "--user-group", "--create-home",
                     "--home-dir", "/var/lib/hearth-dev", "--shell", "/usr/sbin/nologin", name],
                    capture_output=True, text=True)
                try:
                    pw = pwd.getpwnam(name)
                except KeyError:
                    raise StackError("could not create the system user %r: %s"
                                     % (name, r.stderr.strip())) from None
            if pw.pw_uid == 0:
                raise StackError("HEARTH_RUN_USER must not be root: PostgreSQL refuses to run as root")
        self.name, self.uid, self.gid = pw.pw_name, pw.pw_uid, pw.pw_gid
        self.home = pw.pw_dir if os.path.isdir(pw.pw_dir) else "/tmp"

    def popen_kwargs(self):
        if not self.root:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def env(self, extra=None):
        """The environment for servers: ours without HEARTH_* (they would
        override hearth.conf keys) and with the run user's HOME."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("HEARTH_")}
        if self.root:
            env.update(HOME=self.home, USER=self.name, LOGNAME=self.name)
        env.setdefault("LC_ALL", "C.UTF-8")
        if extra:
            env.update(extra)
        return env

    def chown(self, *paths):
        if self.root:
            for p in paths:
                os.chown(p, self.uid, self.gid)

    def can_read(self, path):
        if not self.root:
            return os.access(path, os.R_OK | (os.X_OK if os.path.isdir(path) else 0))
        return subprocess.run(["test", "-r", path], **self.popen_kwargs()).returncode == 0 and (
            not os.path.isdir(path)
            or subprocess.run(["test", "-x", path], **self.popen_kwargs()).returncode == 0)


# ---------------------------------------------------------------- HTTP

class Headers(dict):
    """Response headers: lower-case names. h[name] joins repeated headers
    with ", " (Set-Cookie with "\\n", since cookies may hold commas);
    h.get_all(name) gives each value."""

    def __init__(self, pairs):
        super().__init__()
        self.pairs = [(k.lower(), v) for k, v in pairs]
        for k, v in self.pairs:
            if k in self:
                self[k] += ("\n" if k == "set-cookie" else ", ") + v
            else:
                self[k] = v

    def get_all(self, name):
        name = name.lower()
        return [v for k, v in self.pairs if k == name]


class _RawConnection(http.client.HTTPConnection):
    """Sends the request target exactly as given: broken escapes, raw bytes
    (as latin-1) and very long paths go out untouched."""

    def _validate_path(self, url):
        pass

    def _encode_request(self, request):
        return request.encode("latin-1")


class Page(html.parser.HTMLParser):
    """A parsed HTML page: the tags seen (name, attrs dict), the text, the
    text of each <h1>, and whether the theme's stylesheet is linked."""

    def __init__(self, body):
        super().__init__(convert_charrefs=True)
        self.tags, self.text_parts, self.h1, self._in = [], [], [], []
        self.feed(body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body)
        self.close()
        self.text = " ".join(" ".join(self.text_parts).split())

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "title", "style", "script"):
            self._in.append(tag)
            if tag == "h1":
                self.h1.append("")

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if "h1" in self._in and self.h1:
            self.h1[-1] += data
        if not (set(self._in) & {"title", "style", "script"}):
            self.text_parts.append(data)

    def find(self, tag, **attrs):
        """Tags named `tag` whose attributes include attrs."""
        return [a for t, a in self.tags
                if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def stylesheets(self):
        return [a.get("href", "") for t, a in self.tags
                if t == "link" and "stylesheet" in (a.get("rel") or "").split()]


# ---------------------------------------------------------------- the stack

# The tests' PostgreSQL: fast and small (nothing needs to survive a crash of
# the test machine; shared_buffers is far below an operator's, README
# "PostgreSQL settings").
PG_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off",
               "max_connections=50", "shared_buffers=32MB")


class Stack:
    """PostgreSQL + hearth-fcgi + nginx in a temporary folder.

    Options (a test module sets them with STACK_OPTIONS = {...}):
      fcgi=True      start hearth-fcgi (False: PostgreSQL and nginx only)
      migrate=True   run `hearthctl migrate` (needs hearthctl)
      admin="admin"  handle for `hearthctl create-admin` (None: no admin)
      workers=2      hearth-fcgi workers
      cache=False    give hearth-fcgi a cache_dir
      conf={}        more hearth.conf keys
      env={}         more environment for hearth-fcgi and hearthctl
      static=None    directory nginx serves as /static/ (default: the theme's)
      pg_settings=() more PostgreSQL settings ("name=value"), after PG_SETTINGS
                     (later ones win; tests/bench/run --pg-memory passes memory settings)
    """

    def __init__(self, fcgi=True, migrate=True, admin="admin", workers=2, cache=False,
                 conf=None, env=None, static=None, pg_settings=()):
        self.opt_fcgi, self.opt_migrate, self.admin = fcgi, migrate and fcgi, admin if fcgi else None
        self.workers, self.cache, self.extra_conf = workers, cache, dict(conf or {})
        self.extra_env, self.static = dict(env or {}), static
        self.pg_settings = tuple(pg_settings)
        self.user = RunUser()
        self.build = build_dir()
        self.src = SRC
        self.tmp = None
        self.pg_port = self.port = None
        self.fcgi = self.nginx = None
        self.fcgi_exits = []          # return codes of stopped hearth-fcgi masters
        self.problems = []
        self.admin_password = None
        self._pg_running = False
        self.started = False
        self.fcgi_died_early = None
        self._reaper = None
        self.cleanups = []            # callables close() runs first, newest first

    # -- context manager ------------------------------------------------

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- start-up -------------------------------------------------------

    def start(self):
        self.tmp = tempfile.mkdtemp(prefix="hearth-test-")
        LIVE_STACKS.append(self)
        # If this process dies without close(), the reaper cleans up.
        self._reaper = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--reap", self.tmp],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True)
        os.chmod(self.tmp, 0o755)
        self.user.chown(self.tmp)
        for d in ("pg", "pgsock", "run", "nginx", "nginx/tmp", "cache", "log"):
            os.mkdir(os.path.join(self.tmp, d))
            self.user.chown(os.path.join(self.tmp, d))
        os.chmod(os.path.join(self.tmp, "pg"), 0o700)
        self.pg_sock = os.path.join(self.tmp, "pgsock")
        self.pg_data = os.path.join(self.tmp, "pg")
        self.pg_log = os.path.join(self.tmp, "log", "postgres.log")
        self.fcgi_log_path = os.path.join(self.tmp, "log", "hearth-fcgi.log")
        self.nginx_log = os.path.join(self.tmp, "log", "nginx-error.log")
        self.socket = os.path.join(self.tmp, "run", "hearth-fcgi.sock")
        self.conf_path = os.path.join(self.tmp, "hearth.conf")
        self._locate_programs()
        self._start_pg()
        self._write_conf()
        if self.opt_migrate:
            r = self.hearthctl("migrate")
            if r.returncode != 0:
                raise StackError("hearthctl migrate failed (exit %d):\n%s%s"
                                 % (r.returncode, r.stdout, r.stderr))
        if self.admin:
            r = self.hearthctl("create-admin", self.admin)
            m = re.search(r"^password: (\S+)", r.stdout, re.M)
            if r.returncode != 0 or not m:
                raise StackError("hearthctl create-admin %s failed (exit %d) or printed no "
                                 "'password: ' line:\n%s%s"
                                 % (self.admin, r.returncode, r.stdout, r.stderr))
            self.admin_password = m.group(1)
        if self.opt_fcgi:
            # nginx's own error pages (502, 504, 413...), from the theme.
            r = self.hearthctl("render-errors", os.path.join(self.tmp, "errors"))
            if r.returncode != 0:
                raise StackError("hearthctl render-errors failed (exit %d):\n%s%s"
                                 % (r.returncode, r.stdout, r.stderr))
            self._start_fcgi()
        self._start_nginx()
        if self.opt_fcgi:
            self._wait_ready()
        self.started = True
        return self

    def _locate_programs(self):
        """Finds the binaries and data directories; copies them into the
        temporary folder when the run user cannot read them in place."""
        self.fcgi_bin = os.path.join(self.build, "hearth-fcgi")
        self.ctl_bin = os.path.join(self.build, "hearthctl")
        need = [self.fcgi_bin, self.ctl_bin] if self.opt_fcgi else []
        for b in need:
            if not os.access(b, os.X_OK):
                raise StackError("%s is missing: build first (scripts/check, or make -C %s), "
                                 "or point HEARTH_BUILD at a build directory" % (b, self.build))
        self.data = {k: os.path.join(SRC, v) for k, v in {
            "theme": "themes/default", "rules": "moderation/rules", "sql": "sql",
            "contrib": "contrib"}.items()}
        if not self.opt_fcgi:
            return
        paths = need + [p for p in self.data.values() if os.path.exists(p)]
        if all(self.user.can_read(p) for p in paths):
            return
        # A clone under /root (mode 700) is out of the run user's reach.
        stage = os.path.join(self.tmp, "stage")
        sys.stderr.write("# note: user %s cannot read %s; running from copies in %s\n"
                         % (self.user.name, SRC, stage))
        os.makedirs(os.path.join(stage, "bin"))
        for b in need:
            shutil.copy2(b, os.path.join(stage, "bin"))
        self.fcgi_bin = os.path.join(stage, "bin", "hearth-fcgi")
        self.ctl_bin = os.path.join(stage, "bin", "hearthctl")
        for k, p in self.data.items():
            if os.path.exists(p):
                dst = os.path.join(stage, os.path.relpath(p, SRC))
                shutil.copytree(p, dst)
                self.data[k] = dst
        if self.user.root:
            subprocess.run(["chown", "-R", "%d:%d" % (self.user.uid, self.user.gid), stage],
                           check=True)

    def _pg(self, tool, *args, **kw):
        return subprocess.run([os.path.join(pg_bin(), tool)] + list(args),
                              capture_output=True, text=True, env=self.user.env(),
                              cwd=self.tmp, **self.user.popen_kwargs(), **kw)

    def _start_pg(self):
        r = self._pg("initdb", "-D", self.pg_data, "-A", "trust", "-U", "hearth",
                     "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        if r.returncode != 0:
            raise StackError("initdb failed (exit %d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
        self.pg_port = free_port()
        self.start_postgres()
        r = self._pg("createdb", "-h", self.pg_sock, "-p", str(self.pg_port), "-U", "hearth",
                     "-E", "UTF8", "hearth")
        if r.returncode != 0:
            raise StackError("createdb failed: %s" % r.stderr)

    def start_postgres(self):
        """Starts (again) the stack's PostgreSQL; same port and socket."""
        opts = ("-k %s -p %d -c listen_addresses='' %s"
                % (self.pg_sock, self.pg_port,
                   " ".join("-c " + kv for kv in PG_SETTINGS + self.pg_settings)))
        r = self._pg("pg_ctl", "-D", self.pg_data, "-w", "-t", "60", "-l", self.pg_log,
                     "-o", opts, "start")
        if r.returncode != 0:
            raise StackError("PostgreSQL did not start (pg_ctl exit %d): %s\n%s"
                             % (r.returncode, r.stdout + r.stderr, tail(self.pg_log)))
        self._pg_running = True

    def stop_postgres(self, mode="fast"):
        r = self._pg("pg_ctl", "-D", self.pg_data, "-w", "-t", "60", "-m", mode, "stop")
        if r.returncode != 0:
            raise StackError("pg_ctl stop failed: %s\n%s" % (r.stdout + r.stderr, tail(self.pg_log)))
        self._pg_running = False

    def postgres_running(self):
        return self._pg("pg_ctl", "-D", self.pg_data, "status").returncode == 0

    @property
    def database(self):
        return "host=%s port=%d dbname=hearth user=hearth" % (self.pg_sock, self.pg_port)

    def _write_conf(self):
        self.port = free_port()
        conf = {
            "database": self.database,
            "listen": self.socket,
            "listen_mode": "0660",
            "workers": str(self.workers),
            "theme_dir": self.data["theme"],
            "rules_dir": self.data["rules"],
            "sql_dir": self.data["sql"],
            "site_name": "Hearth test",
            "base_url": "http://127.0.0.1:%d" % self.port,
            "cache_dir": os.path.join(self.tmp, "cache") if self.cache else "",
            "crisis_file": os.path.join(self.data["contrib"], "crisis-sg.conf"),
        }
        # Tests register and post far faster than people do, all from
        # 127.0.0.1: the rate limits are off unless a module sets them
        # (test_abuse.py tests them).
        for k in ("registrations_per_hour", "post_threads_per_hour", "post_replies_per_hour",
                  "post_per_minute", "new_member_threads_per_hour", "new_member_replies_per_hour",
                  "new_member_per_minute"):
            conf[k] = "0"
        conf.update(self.extra_conf)
        with open(self.conf_path, "w") as f:
            f.write("# written by tests/integration/harness.py\n")
            for k, v in conf.items():
                f.write("%s = %s\n" % (k, v))
        os.chmod(self.conf_path, 0o644)
        self.conf = conf

    def track_pgid(self, pgid):
        """Records a process group that must not outlive the stack (servers,
        and fixtures such as the browser): _kill_leftovers kills it."""
        if self.tmp:
            with open(os.path.join(self.tmp, ".pgids"), "a") as f:
                f.write("%d\n" % pgid)

    def _start_fcgi(self):
        log = open(self.fcgi_log_path, "ab")
        try:
            self.fcgi = subprocess.Popen(
                [self.fcgi_bin, "-c", self.conf_path], stdin=subprocess.DEVNULL,
                stdout=log, stderr=log, cwd=self.tmp, start_new_session=True,
                env=self.user.env(self.extra_env), **self.user.popen_kwargs())
        finally:
            log.close()
        self.track_pgid(self.fcgi.pid)

    def _start_nginx(self):
        d = os.path.join(self.tmp, "nginx")
        shutil.copy("/etc/nginx/fastcgi_params", os.path.join(d, "fastcgi_params"))
        block_path = os.path.join(SRC, "contrib", "nginx", "hearth.conf")
        try:
            with open(block_path) as f:
                block = f.read()
        except OSError as e:
            raise StackError("%s: %s" % (block_path, e.strerror)) from None
        static = self.static or os.path.join(self.data["theme"], "static")
        block = (block.replace("@LISTEN@", "127.0.0.1:%d" % self.port)
                      .replace("@SOCKET@", self.socket)
                      .replace("@STATIC@", static.rstrip("/"))
                      .replace("@CACHE@", os.path.join(self.tmp, "cache"))
                      .replace("@ERRORS@", os.path.join(self.tmp, "errors")))
        temps = "".join("    %s_temp_path %s/tmp/%s;\n" % (t, d, t)
                        for t in ("client_body", "fastcgi", "proxy", "uwsgi", "scgi"))
        conf = ("daemon off;\nmaster_process on;\nworker_processes 1;\npid %s/nginx.pid;\n"
                "error_log %s notice;\nevents { worker_connections 256; }\n"
                "http {\n    include /etc/nginx/mime.types;\n"
                "    default_type application/octet-stream;\n%s%s\n}\n"
                % (d, self.nginx_log, temps, "\n".join("    " + l for l in block.splitlines())))
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)
        for p in (os.path.join(d, "nginx.conf"), os.path.join(d, "fastcgi_params")):
            self.user.chown(p)
        log = open(os.path.join(self.tmp, "log", "nginx.out"), "ab")
        try:
            self.nginx = subprocess.Popen(
                [nginx_bin(), "-p", d + "/", "-c", os.path.join(d, "nginx.conf"),
                 "-e", self.nginx_log],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=self.tmp,
                start_new_session=True, env=self.user.env(), **self.user.popen_kwargs())
        finally:
            log.close()
        self.track_pgid(self.nginx.pid)

        def listening():
            if self.nginx.poll() is not None:
                raise StackError("nginx exited with %d at start-up:\n%s\n%s" % (
                    self.nginx.returncode, tail(self.nginx_log),
                    tail(os.path.join(self.tmp, "log", "nginx.out"))))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False
        if not wait_for(listening, 15):
            raise StackError("nginx is not listening on 127.0.0.1:%d after 15 s:\n%s"
                             % (self.port, tail(self.nginx_log)))

    def _wait_ready(self, timeout=30):
        """Waits until hearth-fcgi answers `/` through nginx (anything but
        nginx's own 502/504 for a missing upstream)."""
        last = [None]

        def answered():
            if self.fcgi.poll() is not None:
                raise StackError("hearth-fcgi exited with %d at start-up:\n%s"
                                 % (self.fcgi.returncode, tail(self.fcgi_log_path)))
            try:
                st, _, _ = self.http("GET", "/")
            except OSError as e:
                last[0] = str(e)
                return False
            last[0] = "HTTP %d" % st
            return st not in (502, 504)
        if not wait_for(answered, timeout, 0.1):
            raise StackError("/ did not answer within %d s (last: %s)\n%s\n%s"
                             % (timeout, last[0], tail(self.fcgi_log_path), tail(self.nginx_log)))

    # -- for tests ------------------------------------------------------

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def http(self, method, path, headers=None, body=None, timeout=30):
        """One request through nginx: (status, Headers, body bytes). The path
        goes out untouched; bytes are sent as they are."""
        if isinstance(path, bytes):
            path = path.decode("latin-1")
        if isinstance(body, str):
            body = body.encode("utf-8")
        conn = _RawConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=dict(headers or {}))
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, Headers(resp.getheaders()), data
        finally:
            conn.close()

    def raw(self, request, timeout=30):
        """Sends raw bytes to nginx and returns every byte of the answer
        (add "Connection: close" so that the server closes)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(request)
            chunks = []
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
        return b"".join(chunks)

    def hearthctl(self, *args, input=None, timeout=120):
        """Runs hearthctl -c hearth.conf ARGS as the run user; returns a
        subprocess.CompletedProcess with text stdout and stderr."""
        r = subprocess.run([self.ctl_bin, "-c", self.conf_path] + [str(a) for a in args],
                           input=input, capture_output=True, text=True, timeout=timeout,
                           cwd=self.tmp, env=self.user.env(self.extra_env),
                           **self.user.popen_kwargs())
        self._check_sanitizers("hearthctl " + " ".join(map(str, args)), r.stderr)
        return r

    def psql(self, sql):
        """Runs SQL with psql over the unix socket; returns its unaligned,
        tuples-only output. Raises RuntimeError on an SQL error."""
        r = self._pg("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.pg_sock,
                     "-p", str(self.pg_port), "-U", "hearth", "-d", "hearth", "-c", sql)
        if r.returncode != 0:
            raise RuntimeError("psql failed: %s" % r.stderr.strip())
        return r.stdout.rstrip("\n")

    def fcgi_log(self):
        try:
            with open(self.fcgi_log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def nginx_error_log(self):
        try:
            with open(self.nginx_log, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    @property
    def fcgi_pid(self):
        return self.fcgi.pid if self.fcgi else None

    def fcgi_alive(self):
        return self.fcgi is not None and self.fcgi.poll() is None

    def worker_pids(self):
        """The pids of the master's children (its workers)."""
        pids = set()
        for f in glob.glob("/proc/%d/task/*/children" % self.fcgi.pid):
            try:
                with open(f) as fh:
                    pids.update(int(p) for p in fh.read().split())
            except OSError:
                pass
        return pids

    def stop_fcgi(self, timeout=20):
        """SIGTERM to the master; returns its exit code (None if it had to
        be killed). Whatever is left of its process group is killed."""
        if not self.fcgi:
            return None
        p, self.fcgi = self.fcgi, None
        rc = p.poll()
        self.fcgi_died_early = rc
        if rc is None:
            p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.problems.append("hearth-fcgi did not exit within %d s of SIGTERM" % timeout)
                rc = None
        left = self._killpg(p.pid)
        if left and rc is not None:
            self.problems.append("processes of hearth-fcgi were still running after the master "
                                 "exited: %s" % ", ".join("%d %s" % x for x in left))
        if rc is None:
            p.wait()
        self.fcgi_exits.append(rc)
        return rc

    def start_fcgi(self):
        self._start_fcgi()
        self._wait_ready()

    def restart_fcgi(self):
        """Stops hearth-fcgi with SIGTERM and starts it again; returns the
        old master's exit code (0 is right; None: it had to be killed)."""
        rc = self.stop_fcgi()
        self.start_fcgi()
        return rc

    def ensure_running(self):
        """Between tests: brings back what a failed test left stopped.
        Returns what had to be repaired."""
        fixed = []
        if self.tmp and not self._pg_running:
            self.start_postgres()
            fixed.append("PostgreSQL was stopped")
        if self.opt_fcgi and not self.fcgi_alive():
            if self.fcgi is not None:
                fixed.append("hearth-fcgi had exited with %s" % self.fcgi.returncode)
                self.fcgi_exits.append(self.fcgi.returncode)
                self._killpg(self.fcgi.pid)
                self.fcgi = None
            else:
                fixed.append("hearth-fcgi was stopped")
            self.start_fcgi()
        return fixed

    # -- teardown -------------------------------------------------------

    @staticmethod
    def _group_members(pgid):
        """Live (not zombie) processes of a process group: [(pid, cmdline)]."""
        out = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
                fields = st[st.rindex(")") + 2:].split()
                if int(fields[2]) != pgid or fields[0] == "Z":
                    continue
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
                out.append((int(d), cmd))
            except (OSError, ValueError, IndexError):
                pass
        return out

    @classmethod
    def _killpg(cls, pgid):
        """SIGKILLs a process group; returns the live processes that were
        still in it (a zombie waiting for init does not count)."""
        left = cls._group_members(pgid)
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        return left

    def _check_sanitizers(self, what, text):
        m = SANITIZER_RE.search(text or "")
        if m:
            lines = text[m.start():].splitlines()[:12]
            self.problems.append("sanitizer report from %s:\n%s" % (what, "\n".join(lines)))

    def close(self):
        """Stops everything (also what a failed start left half-running) and
        returns the list of problems seen. Idempotent."""
        if self.tmp is None:
            return self.problems
        while self.cleanups:
            fn = self.cleanups.pop()
            try:
                fn()
            except Exception as e:
                self.problems.append("a test's clean-up failed: %s: %s" % (type(e).__name__, e))
        if self.nginx:
            n, self.nginx = self.nginx, None
            if n.poll() is None:
                n.send_signal(signal.SIGTERM)
                try:
                    n.wait(10)
                except subprocess.TimeoutExpired:
                    pass
            self._killpg(n.pid)
            n.wait()
        if self.fcgi:
            rc = self.stop_fcgi()
            if self.fcgi_died_early is not None:
                if self.started:
                    self.problems.append("hearth-fcgi had exited by itself with %s\n%s"
                                         % (rc, tail(self.fcgi_log_path, 10)))
            elif rc is not None and rc != 0:
                self.problems.append("hearth-fcgi exited with %d on SIGTERM (want 0)\n%s"
                                     % (rc, tail(self.fcgi_log_path, 10)))
        if os.path.exists(os.path.join(self.pg_data, "postmaster.pid")):
            r = self._pg("pg_ctl", "-D", self.pg_data, "-w", "-t", "30", "-m", "immediate", "stop")
            if r.returncode != 0:
                try:
                    with open(os.path.join(self.pg_data, "postmaster.pid")) as f:
                        pid = int(f.readline())
                    os.kill(pid, signal.SIGKILL)
                except (OSError, ValueError):
                    pass
        self._pg_running = False
        self._check_sanitizers("hearth-fcgi (%s)" % self.fcgi_log_path, self.fcgi_log())
        keep = os.environ.get("HEARTH_KEEP") == "1" or self.problems
        if keep:
            open(os.path.join(self.tmp, ".closed"), "w").close()
            sys.stderr.write("# kept %s\n" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self._release_reaper()
        if self in LIVE_STACKS:
            LIVE_STACKS.remove(self)
        self.tmp = None
        return self.problems

    def _release_reaper(self):
        r, self._reaper = self._reaper, None
        if r:
            r.stdin.close()
            try:
                r.wait(10)
            except subprocess.TimeoutExpired:
                r.kill()
                r.wait()

    def emergency_stop(self):
        """Kills everything at once (from a signal handler): no draining."""
        if self.tmp is None:
            return
        _kill_leftovers(self.tmp)
        if os.environ.get("HEARTH_KEEP") != "1":
            shutil.rmtree(self.tmp, ignore_errors=True)
        self._release_reaper()
        self.tmp = None


# ---------------------------------------------------------------- the runner

class TestTimeout(Exception):
    pass


class Skip(Exception):
    """Raised by a test that cannot run here (for example, it needs root):
    the runner prints "ok - module.test # SKIP <message>"."""


def _short_traceback(tb, test_file):
    """The frames of a failure inside the tests and this harness, as '#' lines."""
    out = []
    for fr in traceback.extract_tb(tb):
        if fr.name == "run_suite":
            continue
        if fr.filename in (test_file, __file__) or "/tests/" in fr.filename:
            out.append("#   %s:%d: %s" % (os.path.relpath(fr.filename, SRC), fr.lineno,
                                          (fr.line or "").strip()))
    return out[-4:]


def _load(path):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _print(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _not_ok(name, message, extra=()):
    lines = str(message).strip().splitlines() or ["(no message)"]
    _print("not ok - %s: %s" % (name, lines[0]))
    for l in list(lines[1:30]) + list(extra):
        _print(l if l.startswith("#") else "#   " + l)


def run_suite(directory, argv, fixtures=None, default_timeout=120):
    """Runs every test_*(...) function of directory/test_*.py whose
    "module.function" contains argv[1] (when given). One Stack per module,
    built with the module's STACK_OPTIONS; each test gets the fixtures its
    parameters name: `stack`, and those of `fixtures` ({name: factory(stack)
    returning an object with close()}), made once per module. A module may
    set TIMEOUT (seconds per test). Prints ok / not ok lines and returns the
    exit code: 1 if anything failed."""
    pattern = argv[1] if len(argv) > 1 else ""
    fixtures = fixtures or {}
    passed = failed = 0

    live_fixtures = []

    def on_term(signum, frame):
        # Tests may be blocked in threads or long calls: do not unwind, kill
        # the servers and the fixtures at once and leave.
        signal.signal(signum, signal.SIG_DFL)
        for obj in live_fixtures:
            try:
                (getattr(obj, "kill", None) or obj.close)()
            except Exception:
                pass
        for st in list(LIVE_STACKS):
            st.emergency_stop()
        _print("# interrupted by signal %d: servers killed" % signum)
        os._exit(128 + signum)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGHUP, on_term)

    def on_alarm(signum, frame):
        raise TestTimeout("timed out")
    signal.signal(signal.SIGALRM, on_alarm)

    for path in sorted(glob.glob(os.path.join(directory, "test_*.py"))):
        modname = os.path.splitext(os.path.basename(path))[0]
        try:
            mod = _load(path)
        except Exception as e:
            if pattern in modname or not pattern:
                _not_ok(modname + ".(import)", "%s: %s" % (type(e).__name__, e),
                        _short_traceback(e.__traceback__, path))
                failed += 1
            continue
        tests = [(n, f) for n, f in vars(mod).items()
                 if n.startswith("test_") and inspect.isfunction(f) and f.__module__ == mod.__name__]
        tests.sort(key=lambda t: t[1].__code__.co_firstlineno)
        tests = [(n, f) for n, f in tests if pattern in "%s.%s" % (modname, n)]
        if not tests:
            continue
        timeout = int(getattr(mod, "TIMEOUT", default_timeout))
        stack = Stack(**getattr(mod, "STACK_OPTIONS", {}))
        made = {}
        try:
            try:
                signal.alarm(180)
                stack.start()
                signal.alarm(0)
            except Exception as e:
                signal.alarm(0)
                _not_ok(modname + ".(stack)", "the test stack did not start: %s" % e,
                        () if isinstance(e, StackError) else _short_traceback(e.__traceback__, path))
                failed += 1
                continue
            for name, fn in tests:
                full = "%s.%s" % (modname, name)
                try:
                    args = []
                    for p in inspect.signature(fn).parameters:
                        if p == "stack":
                            args.append(stack)
                        elif p in fixtures:
                            if p not in made:
                                made[p] = fixtures[p](stack)
                                live_fixtures.append(made[p])
                                if getattr(made[p], "pgid", None):
                                    stack.track_pgid(made[p].pgid)
                            args.append(made[p])
                        else:
                            raise TypeError("no fixture named %r" % p)
                    signal.alarm(timeout)
                    try:
                        fn(*args)
                    finally:
                        signal.alarm(0)
                    passed += 1
                    _print("ok - " + full)
                except Skip as e:
                    passed += 1
                    _print("ok - %s # SKIP %s" % (full, e))
                except AssertionError as e:
                    failed += 1
                    msg = str(e) or "assertion failed"
                    _not_ok(full, msg, _short_traceback(e.__traceback__, path))
                except TestTimeout:
                    failed += 1
                    _not_ok(full, "timed out after %d s" % timeout)
                except Exception as e:
                    failed += 1
                    _not_ok(full, "%s: %s" % (type(e).__name__, e),
                            _short_traceback(e.__traceback__, path))
                try:
                    fixed = stack.ensure_running()
                    if fixed:
                        _print("# after %s: %s; restarted" % (full, ", ".join(fixed)))
                except Exception as e:
                    _not_ok(modname + ".(stack)", "could not restore the stack: %s" % e)
                    failed += 1
                    break
        finally:
            for obj in made.values():
                try:
                    obj.close()
                except Exception as e:
                    _print("# closing a fixture failed: %s" % e)
                live_fixtures.remove(obj)
            problems = stack.close()
            for p in problems:
                _not_ok(modname + ".(teardown)", p)
                failed += 1
    _print("# %d passed, %d failed" % (passed, failed))
    if passed + failed == 0:
        _print("# no test matched %r" % pattern if pattern else "# no tests found")
        return 1 if not pattern else 0
    return 1 if failed else 0


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--reap":
    _reaper_main(sys.argv[2])
