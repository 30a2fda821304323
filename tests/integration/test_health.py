"""GET /healthz (fcgi/page_health.c): 200 "ok" while PostgreSQL answers, the
cache keeper beats and the newest migration applied is the newest file in
sql_dir; otherwise 503 with the reason in plain text. Each answer comes from
hearth-fcgi itself: a change shows on the very next request."""

import os
import signal

import harness

STACK_OPTIONS = {"cache": True}
TIMEOUT = 120


def _health(stack):
    st, hd, body = stack.http("GET", "/healthz")
    return st, hd, body.decode("utf-8", "replace")


def _newest_file(stack):
    names = [n for n in os.listdir(os.path.join(stack.src, "sql"))
             if n[:3].isdigit() and n[3] == "_" and n.endswith(".sql")]
    return max(names)


def _keeper_pid(stack):
    """The master's child that does not catch SIGUSR1: the cache keeper
    (fcgi/supervise.c spawn_keeper). Workers do: libfcgi's FCGX_Init
    installs a SIGUSR1 handler in each."""
    found = []
    for pid in stack.worker_pids():
        try:
            with open("/proc/%d/status" % pid) as f:
                caught = [int(l.split()[1], 16) for l in f if l.startswith("SigCgt:")][0]
        except (OSError, IndexError):
            continue
        if not caught & (1 << (signal.SIGUSR1 - 1)):
            found.append(pid)
    assert len(found) == 1, "expected one keeper among the children %s, found %s" \
        % (sorted(stack.worker_pids()), found)
    return found[0]


def test_healthy_stack_answers_ok_in_plain_text_never_stored(stack):
    assert harness.wait_for(lambda: _health(stack)[0] == 200, 10), \
        "GET /healthz never answered 200: %r" % (_health(stack),)
    st, hd, body = _health(stack)
    assert body == "ok\n", "body %r" % body
    assert hd.get("content-type", "").startswith("text/plain"), "content-type %r" % hd.get("content-type")
    assert "no-store" in hd.get("cache-control", ""), "cache-control %r" % hd.get("cache-control")
    st, hd, body = stack.http("HEAD", "/healthz")
    assert st == 200 and body == b"", "HEAD /healthz: %d %r" % (st, body)


def test_migrations_behind_or_ahead_give_503_naming_both(stack):
    newest = _newest_file(stack)
    stack.psql("delete from schema_migrations where name = '%s'" % newest)
    try:
        st, hd, body = _health(stack)
        assert st == 503, "with %s not applied: %d %r" % (newest, st, body)
        assert "migrations:" in body and newest in body and "hearthctl migrate" in body, \
            "the reason does not name the missing migration: %r" % body
        assert hd.get("content-type", "").startswith("text/plain"), hd.get("content-type")
        assert "<" not in body, "a plain-text reason, not a page: %r" % body
    finally:
        stack.psql("insert into schema_migrations (name) values ('%s')" % newest)
    st, _, body = _health(stack)
    assert st == 200, "after restoring %s: %d %r" % (newest, st, body)
    stack.psql("insert into schema_migrations (name) values ('999_from_the_future.sql')")
    try:
        st, _, body = _health(stack)
        assert st == 503 and "999_from_the_future.sql" in body and newest in body, \
            "a database ahead of sql_dir: %d %r" % (st, body)
    finally:
        stack.psql("delete from schema_migrations where name = '999_from_the_future.sql'")
    assert _health(stack)[0] == 200, "after removing the future row: %r" % (_health(stack),)


def test_stopped_keeper_gives_503_then_recovers(stack):
    # The master replaces a keeper silent for a second (fcgi/cache.h), so
    # stop the master too: then nothing stands in for the keeper, and the
    # workers, still serving, must say so.
    pid = _keeper_pid(stack)
    os.kill(stack.fcgi_pid, signal.SIGSTOP)
    os.kill(pid, signal.SIGSTOP)
    try:
        got = harness.wait_for(lambda: (lambda r: r if r[0] == 503 else None)(_health(stack)), 15)
        assert got, "the keeper stopped, yet /healthz kept answering %r" % (_health(stack),)
        assert "keeper:" in got[2] and "database" not in got[2], "reason %r" % got[2]
    finally:
        for p in (pid, stack.fcgi_pid):
            try:
                os.kill(p, signal.SIGCONT)
            except ProcessLookupError:
                pass
    assert harness.wait_for(lambda: _health(stack)[0] == 200, 15), \
        "the keeper runs again, yet /healthz answers %r" % (_health(stack),)


def test_database_down_gives_503_in_plain_text(stack):
    stack.stop_postgres()
    try:
        st, hd, body = _health(stack)
        assert st == 503, "PostgreSQL stopped, /healthz answered %d %r" % (st, body)
        assert "database: unreachable" in body, "reason %r" % body
        assert hd.get("content-type", "").startswith("text/plain"), hd.get("content-type")
    finally:
        stack.start_postgres()
    assert harness.wait_for(lambda: _health(stack)[0] == 200, 20), \
        "PostgreSQL is back, yet /healthz answers %r" % (_health(stack),)
