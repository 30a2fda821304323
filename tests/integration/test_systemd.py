"""contrib/systemd: hearth-healthz (the health check hearth.service waits for
and hearth-health.service runs every 30 s) against a real stack: exit 0 on
200, 1 with the reasons on 503, 2 when nothing answers (over the FastCGI
socket with cgi-fcgi, and through nginx with --url), --starting accepting a
503 but not silence; and the unit files pass `systemd-analyze verify`."""

import os
import shutil
import subprocess
import tempfile

import harness

STACK_OPTIONS = {"cache": True, "admin": None}
TIMEOUT = 120

SCRIPT = os.path.join(harness.SRC, "contrib", "systemd", "hearth-healthz")


def _need_cgi_fcgi():
    if not shutil.which("cgi-fcgi"):
        raise harness.Skip("cgi-fcgi is not installed (apt-get install libfcgi-bin)")


def _run(*args, env=None):
    r = subprocess.run([SCRIPT] + list(args), capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, **(env or {})))
    return r.returncode, r.stdout + r.stderr


def _healthy(stack):
    assert harness.wait_for(lambda: stack.http("GET", "/healthz")[0] == 200, 20), \
        "GET /healthz never answered 200: %r" % (stack.http("GET", "/healthz"),)


def test_healthy_stack_exits_0_over_the_socket_and_through_nginx(stack):
    _need_cgi_fcgi()
    _healthy(stack)
    rc, out = _run("--socket", stack.socket)
    assert rc == 0, "over the socket: exit %d, %r" % (rc, out)
    rc, out = _run("--url", stack.url("/healthz"))
    assert rc == 0, "through nginx: exit %d, %r" % (rc, out)
    # Without --socket: the listen line of HEARTH_CONF.
    rc, out = _run(env={"HEARTH_CONF": stack.conf_path})
    assert rc == 0, "socket from %s: exit %d, %r" % (stack.conf_path, rc, out)


def test_database_down_exits_1_with_the_reason_and_starting_accepts_it(stack):
    _need_cgi_fcgi()
    _healthy(stack)
    stack.stop_postgres()
    try:
        rc, out = _run("--socket", stack.socket)
        assert rc == 1 and "answered 503" in out and "database: unreachable" in out, \
            "PostgreSQL stopped, over the socket: exit %d, %r" % (rc, out)
        rc, out = _run("--url", stack.url("/healthz"))
        assert rc == 1 and "database: unreachable" in out, \
            "PostgreSQL stopped, through nginx: exit %d, %r" % (rc, out)
        rc, out = _run("--socket", stack.socket, "--wait", "1", "--starting")
        assert rc == 0 and "database: unreachable" in out, \
            "--starting with a 503: exit %d, %r (it should log the reason and go on)" % (rc, out)
    finally:
        stack.start_postgres()
    rc, out = _run("--socket", stack.socket, "--wait", "20")
    assert rc == 0, "PostgreSQL is back, --wait 20: exit %d, %r" % (rc, out)


def test_no_answer_exits_2_even_when_starting(stack):
    _need_cgi_fcgi()
    _healthy(stack)
    stack.stop_fcgi()
    try:
        rc, out = _run("--socket", stack.socket)
        assert rc == 2 and "no answer" in out, "hearth-fcgi stopped: exit %d, %r" % (rc, out)
        rc, out = _run("--url", stack.url("/healthz"))
        assert rc == 2 and "nginx answered 502" in out, \
            "hearth-fcgi stopped, through nginx: exit %d, %r" % (rc, out)
        rc, out = _run("--socket", stack.socket, "--wait", "1", "--starting")
        assert rc == 2, "--starting with no answer: exit %d, %r (the start must fail)" % (rc, out)
    finally:
        stack.start_fcgi()
    _healthy(stack)


def test_unit_files_pass_systemd_analyze_verify(stack):
    if not shutil.which("systemd-analyze"):
        raise harness.Skip("systemd-analyze is not installed")
    units = os.path.join(harness.SRC, "contrib", "systemd")
    root = tempfile.mkdtemp(prefix="hearth-units-")
    try:
        # A root with the programs the units start (stubs) and systemd's own
        # units, so that verify checks our files and nothing of this host.
        for d in ("usr/local/bin", "etc/systemd/system", "bin", "lib/systemd"):
            os.makedirs(os.path.join(root, d))
        for b in ("hearth-fcgi", "hearthctl", "hearth-healthz"):
            p = os.path.join(root, "usr/local/bin", b)
            with open(p, "w") as f:
                f.write("#!/bin/sh\n")
            os.chmod(p, 0o755)
        for b in ("/bin/sh", "/bin/kill"):
            shutil.copy(b, os.path.join(root, "bin"))
        if os.path.isdir("/lib/systemd/system"):
            shutil.copytree("/lib/systemd/system", os.path.join(root, "lib/systemd/system"),
                            symlinks=True)
        names = sorted(n for n in os.listdir(units) if n.endswith((".service", ".timer")))
        for n in names:
            shutil.copy(os.path.join(units, n), os.path.join(root, "etc/systemd/system"))
        args = [n.replace("@.service", "@hearth-health.service.service") for n in names]
        r = subprocess.run(["systemd-analyze", "verify", "--root=" + root, "--man=no"] + args,
                           capture_output=True, text=True, timeout=60)
        # Units we do not ship (postgresql, nginx) may be missing here.
        lines = [l for l in (r.stdout + r.stderr).splitlines()
                 if l.strip() and "postgresql" not in l and "nginx" not in l]
        assert r.returncode == 0 and not lines, \
            "systemd-analyze verify %s: exit %d\n%s" % (" ".join(args), r.returncode,
                                                      "\n".join(lines))
    finally:
        shutil.rmtree(root, ignore_errors=True)
