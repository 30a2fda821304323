"""The master (fcgi/supervise.h), issue 9's hardening: a worker that dies at
once keeps being restarted with a growing pause while the master stays up;
SIGHUP drops restarts still waiting and starts the new generation; a
SIGHUP with a broken theme keeps the old workers serving and the log names
the file and line.

One worker and no cache, so every child of the master is a worker."""

import os
import re
import shutil
import signal
import subprocess
import time

from harness import wait_for

STACK_OPTIONS = {"workers": 1}
TIMEOUT = 120

BACKOFF_RE = re.compile(r"a worker died (\d+) times? in a row within \d+ ms of its start: next start in (\d+) ms")


FORK_FAILED_RE = re.compile(r"fork\b.*: Resource temporarily unavailable")


def _serves(stack):
    st, _, _ = stack.http("GET", "/")
    return st == 200


def _kill_new_workers(stack, until, limit=30):
    """SIGKILLs every worker as soon as it appears, until until() is true
    (checked between kills); returns the pids killed."""
    killed = []
    deadline = time.monotonic() + limit
    while not until() and time.monotonic() < deadline:
        for pid in stack.worker_pids() - set(killed):
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass
        time.sleep(0.01)
    return killed


def _backoffs(log):
    return [(int(n), int(ms)) for n, ms in BACKOFF_RE.findall(log)]


def test_crash_loop_backs_off_and_the_master_stays_up(stack):
    assert wait_for(lambda: _serves(stack), 20), "the site does not answer before the test"
    before = len(_backoffs(stack.fcgi_log()))
    killed = _kill_new_workers(stack, lambda: len(_backoffs(stack.fcgi_log())) - before >= 4)
    seen = _backoffs(stack.fcgi_log())[before:]
    assert len(seen) >= 4, "after %d workers killed at start, the log shows %d pauses: %r\n%s" % (
        len(killed), len(seen), seen, stack.fcgi_log()[-1500:])
    counts = [n for n, _ in seen]
    delays = [ms for _, ms in seen]
    assert counts == list(range(1, len(seen) + 1)), "deaths in a row counted %r" % counts
    assert all(b > a for a, b in zip(delays, delays[1:])), "the pauses do not grow: %r ms" % delays
    assert stack.fcgi_alive(), "the master died in the crash loop"
    # Left alone, the next worker lives: the site comes back.
    assert wait_for(lambda: _serves(stack), 30), "no worker serves after the crash loop ended"
    assert len(stack.worker_pids()) == 1, "workers after the crash loop: %r" % stack.worker_pids()


def test_sighup_drops_pending_restarts(stack):
    assert wait_for(lambda: _serves(stack), 30), "the site does not answer before the test"
    before = len(_backoffs(stack.fcgi_log()))
    # Two deaths at start: the next start waits a second.
    _kill_new_workers(stack, lambda: len(_backoffs(stack.fcgi_log())) - before >= 2)
    reloads = stack.fcgi_log().count("reloaded: generation")
    os.kill(stack.fcgi_pid, signal.SIGHUP)
    assert wait_for(lambda: stack.fcgi_log().count("reloaded: generation") > reloads, 10), \
        "no reload logged after SIGHUP:\n%s" % stack.fcgi_log()[-1000:]
    assert wait_for(lambda: _serves(stack), 10), "the new generation does not serve"
    # Past the pause the old restart would have ended: still one worker.
    time.sleep(2.5)
    pids = stack.worker_pids()
    assert len(pids) == 1, "%d workers after a SIGHUP during a crash-loop pause (want 1): %r" % (
        len(pids), sorted(pids))


def test_sighup_with_a_broken_theme_keeps_the_old_workers(stack):
    assert wait_for(lambda: _serves(stack), 30), "the site does not answer before the test"
    theme = os.path.join(stack.tmp, "theme-broken")
    shutil.rmtree(theme, ignore_errors=True)
    shutil.copytree(stack.conf["theme_dir"], theme)
    layout = os.path.join(theme, "layout.html")
    with open(layout, encoding="utf-8") as f:
        lines = f.read().split("\n")
    lines.insert(4, "<p>Fish & chips</p>")     # a bare "&": not well-formed, on line 5
    with open(layout, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    stack.user.chown(theme, *[os.path.join(theme, n) for n in os.listdir(theme)])
    workers = stack.worker_pids()
    conf = open(stack.conf_path).read()
    try:
        with open(stack.conf_path, "w") as f:
            f.write(conf + "theme_dir = %s\n" % theme)
        failed = stack.fcgi_log().count("reload failed")
        os.kill(stack.fcgi_pid, signal.SIGHUP)
        assert wait_for(lambda: stack.fcgi_log().count("reload failed") > failed, 10), \
            "no failed reload logged:\n%s" % stack.fcgi_log()[-1000:]
        log = stack.fcgi_log()
        assert "%s:5:" % layout in log, "the log does not name %s:5:\n%s" % (layout, log[-1000:])
        for _ in range(5):
            assert _serves(stack), "the site stopped serving after a failed reload"
        assert stack.worker_pids() == workers, "the workers changed after a failed reload: %r -> %r" % (
            workers, stack.worker_pids())
    finally:
        with open(stack.conf_path, "w") as f:
            f.write(conf)
    # The theme fixed, a reload works again and replaces the workers.
    os.kill(stack.fcgi_pid, signal.SIGHUP)
    assert wait_for(lambda: _serves(stack) and not (stack.worker_pids() & workers), 15), \
        "a good reload after the failed one did not replace the workers %r" % workers


def _nproc(stack, soft=None):
    """The master's soft RLIMIT_NPROC, read or set with prlimit(1) run as
    the servers' user (whose limits it may change)."""
    args = ["prlimit", "--pid", str(stack.fcgi_pid), "--nproc" + ("=%s:" % soft if soft else ""),
            "--output", "SOFT", "--noheadings"]
    r = subprocess.run(args if soft is None else args[:4], capture_output=True, text=True,
                       **stack.user.popen_kwargs())
    assert r.returncode == 0, "%s: %s" % (" ".join(args), r.stderr)
    return r.stdout.strip()


def test_a_failed_fork_is_retried(stack):
    assert wait_for(lambda: _serves(stack), 30), "the site does not answer before the test"
    soft = _nproc(stack)
    _nproc(stack, "1")          # the servers' user has more processes than that: every fork fails
    try:
        old = stack.worker_pids()
        failures = len(FORK_FAILED_RE.findall(stack.fcgi_log()))
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        assert wait_for(lambda: len(FORK_FAILED_RE.findall(stack.fcgi_log())) >= failures + 1, 10), \
            "no failed fork in the log:\n%s" % stack.fcgi_log()[-1000:]
    finally:
        _nproc(stack, soft)
    assert wait_for(lambda: _serves(stack), 10), "no worker came back once fork worked again"
    pids = stack.worker_pids()
    assert len(pids) == 1 and not (pids & old), "workers after the fork failures: %r (before %r)" % (pids, old)
    assert stack.fcgi_alive(), "the master died when fork failed"
