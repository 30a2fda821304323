"""Outages (issue 9, finding 4 and hardening): a PostgreSQL restart costs no
request a 500, every worker's connection is idle after each request, and
nginx's own error pages are the theme's."""

import re
import socket
import subprocess
import urllib.parse
import uuid

from client import Client, form_value, parse, post_id_from

STACK_OPTIONS = {"workers": 2}

_LINE = re.compile(r"^hearth-fcgi\[(\d+)\]: .*?(GET|POST) (\S+) (\d{3}) \d+us$", re.M)


def _member(stack, prefix):
    c = Client(stack)
    handle = "%s_%s" % (prefix, uuid.uuid4().hex[:8])
    st, _, body = c.register(handle)
    assert st == 303, "register %s: %d %s" % (handle, st, body[:300])
    return c


def _thread(stack, c, slug):
    stack.hearthctl("category", "add", slug, "Outage " + slug, "")
    st, loc, html = c.new_thread(slug, "An outage thread", "The opening post.")
    assert st == 303, "new thread: %d %s" % (st, html[:300])
    return int(post_id_from(loc, html))


def _thread_of(stack, pid):
    return int(stack.psql("select thread_id from posts where id = %d" % pid))


def _served_since(stack, offset):
    """(pid, method, path, status) of every request logged after offset."""
    return [(int(m.group(1)), m.group(2), m.group(3), int(m.group(4)))
            for m in _LINE.finditer(stack.fcgi_log()[offset:])]


def test_postgres_restart_no_request_fails(stack):
    c = _member(stack, "restart")
    pid = _thread(stack, c, "o-restart")
    workers = stack.worker_pids()
    assert len(workers) == 2, "want 2 workers, have %r" % workers

    def register():
        handle = "fresh_%s" % uuid.uuid4().hex[:8]
        st, _, body = Client(stack).register(handle)
        return st, 303, "register (an anonymous write)", body

    def reply():
        st, _, html = c.reply(pid, "A reply after a restart %s." % uuid.uuid4().hex[:6])
        return st, 303, "reply (a member's write)", html

    tid = _thread_of(stack, pid)

    def member_get():
        st, _, body = c.get("/t/%d" % tid)
        return st, 200, "member GET /t/%d" % tid, body

    def anonymous_get():
        st, _, body = stack.http("GET", "/")
        return st, 200, "anonymous GET /", body

    kinds = [register, reply, member_get, anonymous_get]
    # Touch both workers' connections first, so that each has one to lose.
    for _ in range(6):
        assert stack.http("GET", "/")[0] == 200
    for mode in ("fast", "immediate"):
        for first in range(len(kinds)):
            offset = len(stack.fcgi_log())
            stack.stop_postgres(mode)
            stack.start_postgres()
            # No request in between: every worker still holds its dead
            # connection, and the first request each serves must succeed.
            seen = set()
            for i in range(30):
                st, want, what, body = kinds[(first + i) % len(kinds)]()
                assert st == want, "PostgreSQL stopped (%s) and started, request %d (%s): %d, want " \
                    "%d\n%s" % (mode, i, what, st, want, body[:300])
                seen = {p for p, _, _, _ in _served_since(stack, offset)}
                if i >= 3 and workers <= seen:
                    break
            assert workers <= seen, "after 30 requests not every worker had served one: %r of %r" % (
                seen, workers)
            statuses = [s for _, _, _, s in _served_since(stack, offset)]
            assert 500 not in statuses and 503 not in statuses, \
                "a 500 or 503 in the log after the restart: %r" % statuses
    assert stack.worker_pids() == workers, "workers were replaced: %r -> %r" % (
        workers, stack.worker_pids())


def test_postgres_down_503_never_500(stack):
    c = _member(stack, "down")
    pid = _thread(stack, c, "o-down")
    tid = _thread_of(stack, pid)
    stack.stop_postgres()
    try:
        for i in range(4):
            st, _, _ = stack.http("GET", "/")
            assert st == 503, "anonymous GET / #%d with PostgreSQL down: %d, want 503" % (i, st)
            st, _, _ = c.get("/t/%d" % tid)
            assert st == 503, "member GET /t/%d #%d with PostgreSQL down: %d, want 503" % (tid, i, st)
            st, _, html = c.reply(pid, "Written during the outage %d." % i)
            assert st == 503, "reply #%d with PostgreSQL down: %d, want 503\n%s" % (i, st, html[:300])
    finally:
        stack.start_postgres()


def test_connect_timeout_on_a_silent_server(stack):
    """A server that takes the TCP connection and never answers: without a
    connect_timeout libpq waits for it forever (the subprocess timeout below
    is a hang detector, far above the 5 s connect_timeout)."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        env = stack.user.env(dict(stack.extra_env, HEARTH_DATABASE="host=127.0.0.1 port=%d dbname=hearth "
                                  "user=hearth" % silent.getsockname()[1]))
        env.pop("PGCONNECT_TIMEOUT", None)
        try:
            r = subprocess.run([stack.ctl_bin, "-c", stack.conf_path, "migrate"], capture_output=True,
                               text=True, timeout=90, cwd=stack.tmp, env=env, **stack.user.popen_kwargs())
        except subprocess.TimeoutExpired:
            raise AssertionError("hearthctl migrate against a server that never answers was still "
                                 "waiting after 90 s: no connect_timeout") from None
        assert r.returncode != 0, "hearthctl migrate against a silent server exited 0: %s" % r.stdout
        assert "timeout" in r.stderr.lower(), \
            "hearthctl's error does not say it timed out:\n%s" % r.stderr[-500:]
    finally:
        silent.close()


# ---------------------------------------------------------------- idle at the end

def test_end_of_request_rolls_back_an_open_transaction(stack):
    """db_end_request (called by the worker after every request) through
    `hearthctl test-end-request`: no path of hearth-fcgi leaves a
    transaction open on purpose, so the function is driven directly."""
    r = stack.hearthctl("test-end-request")
    assert r.returncode == 0, "test-end-request: exit %d\n%s%s" % (r.returncode, r.stdout, r.stderr)
    lines = r.stdout.splitlines()
    assert lines == ["open: rolled back, idle", "failed: rolled back, idle", "none: idle, idle"], \
        "test-end-request printed %r" % lines
    logged = [l for l in r.stderr.splitlines() if "ended with a transaction" in l]
    assert len(logged) == 2, "want two error lines about a transaction left open, got:\n%s" % r.stderr
    assert "open (last statement: CATEGORY_LIST)" in logged[0], "first log line: %s" % logged[0]
    assert "open and failed (last statement: CATEGORY_ADD)" in logged[1], "second log line: %s" % logged[1]
    # The rolled-back statement left nothing behind.
    assert stack.psql("select count(*) from categories where name = 'x'") == "0"


def test_workers_end_every_request_idle(stack):
    """After a burst of reads and writes, no connection of a worker sits in
    a transaction (pg_stat_activity sees each one idle)."""
    c = _member(stack, "idle")
    pid = _thread(stack, c, "o-idle")
    tid = _thread_of(stack, pid)
    for i in range(6):
        st, _, html = c.reply(pid, "An idle check %d." % i)
        assert st == 303, "reply %d: %d\n%s" % (i, st, html[:300])
        st = c.get("/t/%d" % tid)[0]
        assert st == 200, "GET /t/%d: %d" % (tid, st)
        assert stack.http("GET", "/")[0] == 200
    states = stack.psql("select state from pg_stat_activity where datname = 'hearth' "
                        "and pid <> pg_backend_pid() and backend_type = 'client backend'")
    assert states and all(s == "idle" for s in states.splitlines()), \
        "connections of hearth-fcgi not idle between requests: %r" % states
    assert "ended with a transaction" not in stack.fcgi_log(), \
        "a request of this test left a transaction open:\n%s" % stack.fcgi_log()[-1500:]


# ---------------------------------------------------------------- typed getters

def _check_refusal_page(st, body, what):
    assert st == 500, "%s: %d, want 500\n%s" % (what, st, body[:300])
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    assert "Something went wrong" in text and "/static/" in text, \
        "%s: not the themed 'something went wrong' page:\n%s" % (what, text[:600])


def test_null_where_a_value_is_needed_is_a_500_page(stack):
    """A NULL in a column the code needs (here: a schema drifted by hand)
    answers a themed 500 page and a log line naming statement, row and
    column; the worker does not crash, and nothing is written after it."""
    c = _member(stack, "nulls")
    pid = _thread(stack, c, "o-nulls")
    workers = stack.worker_pids()
    slug = "o-null-%s" % uuid.uuid4().hex[:6]
    stack.hearthctl("category", "add", slug, "Soon without a name", "")
    offset = len(stack.fcgi_log())
    stack.psql("alter table categories alter column name drop not null; "
               "update categories set name = null where slug = '%s'" % slug)
    try:
        for i in range(3):   # whichever worker answers
            st, _, body = stack.http("GET", "/")
            _check_refusal_page(st, body, "GET / #%d with a category without a name" % i)
        log = stack.fcgi_log()[offset:]
        assert re.search(r"CATEGORY_LIST: row \d+, column 2 \(name\): NULL where the code needs a value",
                         log), "no log line naming CATEGORY_LIST, its row and column 2 (name):\n%s" % log[-1500:]
    finally:
        stack.psql("update categories set name = 'Named again' where slug = '%s'; "
                   "alter table categories alter column name set not null" % slug)
    assert stack.http("GET", "/")[0] == 200, "GET / after the name came back"

    # A member whose role is NULL: the session cannot be read, the reply is
    # refused with a 500 page and no post is stored.
    before = stack.psql("select count(*) from posts where thread_id = (select thread_id from posts "
                        "where id = %d)" % pid)
    stack.psql("alter table users alter column role drop not null; "
               "update users set role = null where handle = '%s'" % c.handle)
    try:
        st, _, html = c.reply(pid, "Written by a member without a role.")
        _check_refusal_page(st, html, "reply by a member whose role is NULL")
    finally:
        stack.psql("update users set role = 'member' where handle = '%s'; "
                   "alter table users alter column role set not null" % c.handle)
    after = stack.psql("select count(*) from posts where thread_id = (select thread_id from posts "
                       "where id = %d)" % pid)
    assert after == before, "a post was stored on a refused session: %s -> %s posts" % (before, after)
    assert c.reply(pid, "Written once the role is back.")[0] == 303, "reply after the role came back"
    assert stack.worker_pids() == workers, "a worker crashed on a NULL: %r -> %r" % (
        workers, stack.worker_pids())


# ---------------------------------------------------------------- nginx's own pages

def _check_themed_nginx_page(st, h, body, want, what):
    assert st == want, "%s: %d, want %d" % (what, st, want)
    text = body.decode("utf-8", "replace")
    assert 'href="/static/hearth.css"' in text and "<h1>" in text, \
        "%s: not the theme's error page:\n%s" % (what, text[:500])
    assert "nginx" not in text.lower(), "%s: nginx's own page:\n%s" % (what, text[:500])
    assert h.get("content-type", "").startswith("text/html"), "%s: Content-Type %r" % (
        what, h.get("content-type"))
    assert "default-src 'none'" in h.get("content-security-policy", ""), \
        "%s: no Content-Security-Policy header" % what
    return text


def test_nginx_502_is_the_themed_page(stack):
    c = _member(stack, "gone")
    stack.stop_fcgi()
    try:
        st, h, body = stack.http("GET", "/")
        text = _check_themed_nginx_page(st, h, body, 502, "GET / with hearth-fcgi stopped")
        assert "We will be right back" in text, "502 page: %s" % text[:500]
        st, h, body = c.request("POST", "/c/anything/new", form=[("title", "t"), ("body", "b")])
        _check_themed_nginx_page(st, h, body, 502, "POST with hearth-fcgi stopped")
    finally:
        stack.start_fcgi()
    assert stack.http("GET", "/")[0] == 200, "GET / once hearth-fcgi is back"


def test_post_over_the_limit_gets_422_with_text_kept(stack):
    """60,000 characters of CJK text: 540 KB once percent-encoded, over the
    50,000-character limit but under nginx's body limit: hearth-fcgi answers
    its 422 with the text in the textarea."""
    c = _member(stack, "long")
    stack.hearthctl("category", "add", "o-long", "Outage long", "")
    text = "\u60b2" * 59990 + " marker-%s" % uuid.uuid4().hex[:8]
    st, _, html = c.new_thread("o-long", "A long one", text)
    assert st == 422, "a 60,000-character post (%d bytes encoded): %d, want 422\n%s" % (
        len(urllib.parse.quote(text)), st, html[:300])
    doc = parse(html)
    areas = [n for n in doc.find_all("textarea") if n.get("name") == "body"]
    assert areas and areas[0].text().strip("\n") == text, "the 422 page does not hold the text " \
        "in its body textarea (%d textareas)" % len(areas)
    assert "50,000" in html, "the 422 page does not say what the limit is"


def test_body_over_nginx_limit_is_the_themed_413(stack):
    c = _member(stack, "huge")
    c.refresh_csrf()
    raw = ("title=Huge&action=post&csrf=%s&body=" % c.csrf).encode() + b"h" * (1100 * 1024)
    st, h, body = c.request("POST", "/c/anything/new", raw_body=raw)
    text = _check_themed_nginx_page(st, h, body, 413, "a 1.1 MB form")
    assert "too long" in text, "413 page: %s" % text[:500]


def test_every_write_form_keeps_its_text_on_503(stack):
    """Issue 9, finding 4: the 503 page said nothing was lost while it
    dropped the form. Every write form comes back with what was typed (a
    password never), and sending it again after the outage works."""
    c = _member(stack, "keep503")
    pid = _thread(stack, c, "o-keep503")
    c.refresh_csrf("/")
    typed = "Written while the database was away \u2014 every word %s" % c.handle
    forms = [
        ("/c/o-keep503/new", [("title", "Outage title"), ("body", typed), ("action", "post")], "body"),
        ("/p/%d/reply" % pid, [("body", typed), ("action", "post")], "body"),
        ("/p/%d/edit" % pid, [("body", typed), ("action", "post")], "body"),
        ("/p/%d/report" % pid, [("reason", "other"), ("details", typed)], "details"),
        ("/login", [("handle", "someone_typed"), ("password", "typed password 123")], "handle"),
    ]
    given_back = {}
    stack.stop_postgres()
    try:
        for path, fields, field in forms:
            st, _, body = c.post(path, fields)
            assert st == 503, "POST %s with PostgreSQL down: %d, want 503" % (path, st)
            want = dict(fields)[field]
            got = form_value(body, field)
            assert got == want, "POST %s on 503: the form holds %r for %s, want %r" % (path, got, field, want)
            assert b"typed password 123" not in body, "POST %s on 503 echoed a password" % path
            given_back[path] = body
    finally:
        stack.start_postgres()
    # The reply form given back, sent again as it is once the database is
    # back (its own fields and token), is saved.
    page = given_back["/p/%d/reply" % pid]
    fields = [("body", form_value(page, "body")), ("csrf", form_value(page, "csrf"))]
    action = form_value(page, "action")
    if action:
        fields.append(("action", action))
    st, _, _ = c.request("POST", "/p/%d/reply" % pid, form=fields)
    assert st == 303, "the reply sent again after the outage: %d" % st


def _refuse_posts_with(stack, marker, sqlstate):
    """A trigger that fails any new post whose text holds marker with sqlstate, as a deadlock
    or serialization failure would (PostgreSQL picks the victim; here the test does)."""
    stack.psql(
        "create or replace function test_refuse_%s() returns trigger language plpgsql as $$ "
        "begin if new.body_md like '%%%s%%' then "
        "raise exception 'test: refused' using errcode = '%s'; end if; return new; end $$; "
        "create trigger test_refuse_%s before insert on posts for each row "
        "execute function test_refuse_%s()" % (sqlstate.lower(), marker, sqlstate,
                                               sqlstate.lower(), sqlstate.lower()))


def test_busy_database_keeps_the_text(stack):
    """A write that loses to another transaction (deadlock 40P01, serialization failure 40001)
    is answered 503 with the text kept in the form and Retry-After, and nothing half-written;
    any other failure of the write keeps the text too. Sent again, it is saved."""
    c = _member(stack, "busy")
    pid = _thread(stack, c, "o-busy")
    cases = (("40P01", 503), ("40001", 503), ("XX000", 422))
    for state, want in cases:
        marker = "BUSYMARK%s%s" % (state, uuid.uuid4().hex[:6])
        _refuse_posts_with(stack, marker, state)
        text = "My reply that must not be lost %s, with its own words." % marker
        st, _, html = c.reply(pid, text)
        assert st == want, "%s: want %d, got %d: %s" % (state, want, st, html[:400])
        assert text in html, "%s: the reply's text is not kept in the form: %s" % (state, html[:600])
        if want == 503:
            assert "send it again" in html or "try again" in html, html[:600]
            assert c.last[1].get("retry-after"), "%s: no Retry-After header" % state
        n = stack.psql("select count(*) from posts where body_md like '%%%s%%'" % marker)
        assert int(n) == 0, "%s: %s posts were written" % (state, n)
        stack.psql("drop trigger test_refuse_%s on posts" % state.lower())
        st, loc, html = c.reply(pid, text)
        assert st == 303, "%s: sent again after the conflict: %d %s" % (state, st, html[:300])
        n = stack.psql("select count(*) from posts where body_md like '%%%s%%'" % marker)
        assert int(n) == 1, "%s: sent again, %s posts" % (state, n)
