"""The anonymous page cache (fcgi/cache.h): nginx serves a thread's first
page from a file while no session cookie is present. These tests show the
file is used, that a write reaches anonymous readers within a second, that
held and hidden posts never appear in it, whoever makes the change (the
forum or an operator's psql), and that members never get the cached page."""

import os
import time

from client import Client, parse, post_id_from

STACK_OPTIONS = {"cache": True}


def _slug(handle):
    return "cache-" + handle.lower().replace("_", "-")


def _setup(stack, handle):
    stack.hearthctl("category", "add", _slug(handle), "Cache " + handle, "")
    c = Client(stack)
    st, _, _ = c.register(handle)
    assert st == 303, "register %s: %d" % (handle, st)
    return c


def _thread(stack, c, handle, body="The first post, calm and ordinary."):
    st, loc, html = c.new_thread(_slug(handle), "Thread of " + handle, body)
    assert st in (200, 303), "new thread: %d" % st
    pid = post_id_from(loc, html)
    tid = stack.psql("select thread_id from posts where id = %d" % int(pid)).strip()
    return int(tid), int(pid)


def _anon(stack, tid):
    st, hd, body = stack.http("GET", "/t/%d" % tid)
    assert st == 200, "anonymous GET /t/%d: %d" % (tid, st)
    return body.decode("utf-8")


def _cache_file(stack, tid):
    return os.path.join(stack.tmp, "cache", "t", "%d.html" % tid)


def _wait_for(pred, timeout):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if pred():
            return time.monotonic() - start
        time.sleep(0.02)
    return None


def test_anonymous_page_is_served_from_the_cache(stack):
    c = _setup(stack, "cache_one")
    tid, _ = _thread(stack, c, "cache_one")
    first = _anon(stack, tid)
    assert _wait_for(lambda: os.path.exists(_cache_file(stack, tid)), 2.0) is not None, \
        "the first anonymous view did not store %s" % _cache_file(stack, tid)
    log_before = stack.fcgi_log().count("GET /t/%d " % tid)
    second = _anon(stack, tid)
    log_after = stack.fcgi_log().count("GET /t/%d " % tid)
    assert second == first, "the cached page differs from the rendered one"
    assert log_after == log_before, "the second anonymous view reached hearth-fcgi (not served by nginx)"
    st, hd, _ = stack.http("GET", "/t/%d" % tid)
    csp = hd.get("content-security-policy", "")
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, "cached page lacks the CSP: %r" % csp
    assert hd.get("x-content-type-options") == "nosniff"


def test_reply_reaches_anonymous_readers_within_a_second(stack):
    c = _setup(stack, "cache_two")
    tid, pid = _thread(stack, c, "cache_two")
    _anon(stack, tid)
    assert _wait_for(lambda: os.path.exists(_cache_file(stack, tid)), 2.0) is not None
    marker = "fresh-reply-%d" % time.time_ns()
    st, _, _ = c.reply(pid, "A new reply: " + marker)
    assert st in (200, 303), "reply: %d" % st
    lag = _wait_for(lambda: marker in _anon(stack, tid), 1.0)
    assert lag is not None, "an anonymous reader still had the old page one second after the reply"


def test_edit_reaches_anonymous_readers_within_a_second(stack):
    c = _setup(stack, "cache_edit")
    tid, pid = _thread(stack, c, "cache_edit")
    _anon(stack, tid)
    marker = "edited-%d" % time.time_ns()
    st, _, _ = c.edit(pid, "Changed my mind: " + marker, title="Thread of cache_edit")
    assert st in (200, 303), "edit: %d" % st
    assert _wait_for(lambda: marker in _anon(stack, tid), 1.0) is not None, "edit not visible within 1 s"


def test_held_post_never_in_the_cached_page(stack):
    c = _setup(stack, "cache_held")
    tid, pid = _thread(stack, c, "cache_held")
    _anon(stack, tid)
    secret = "I have saved up 60 of my sleeping pills and I am taking all of them tonight"
    st, loc, html = c.reply(pid, secret)
    assert st in (200, 303), "reply: %d" % st
    state = stack.psql("select state from posts where thread_id = %d and body_md = '%s'"
                       % (tid, secret.replace("'", "''"))).strip()
    assert state == "held", "the filter did not hold a post with method and means (state %r)" % state
    time.sleep(0.3)
    page = _anon(stack, tid)
    assert "sleeping pills" not in page, "a held post reached the anonymous page"
    if os.path.exists(_cache_file(stack, tid)):
        with open(_cache_file(stack, tid), encoding="utf-8") as f:
            assert "sleeping pills" not in f.read(), "a held post reached the cache file"


def test_hidden_by_psql_leaves_the_cache_within_a_second(stack):
    c = _setup(stack, "cache_hide")
    tid, pid = _thread(stack, c, "cache_hide")
    marker = "soon-hidden-%d" % time.time_ns()
    st, loc, html = c.reply(pid, "This reply will be hidden: " + marker)
    assert st in (200, 303)
    assert marker in _anon(stack, tid)
    assert _wait_for(lambda: os.path.exists(_cache_file(stack, tid)), 2.0) is not None
    # An operator's change outside the forum must invalidate too.
    stack.psql("update posts set state = 'hidden', hide_reason = 'test' where body_md like '%%%s%%'" % marker)
    lag = _wait_for(lambda: marker not in _anon(stack, tid), 1.0)
    assert lag is not None, "a hidden post was still served to anonymous readers after one second"


def test_members_never_get_the_cached_page(stack):
    c = _setup(stack, "cache_member")
    tid, _ = _thread(stack, c, "cache_member")
    _anon(stack, tid)
    assert _wait_for(lambda: os.path.exists(_cache_file(stack, tid)), 2.0) is not None
    st, _, body = c.get("/t/%d" % tid)
    assert st == 200
    text = body.decode("utf-8")
    assert "cache_member" in text and "Log out" in text, "a member got the anonymous page"
    assert 'name="csrf"' in text, "a member's page has no reply form token"


def test_every_write_moves_the_thread_version(stack):
    """sql/027: a reply moves its thread's version once (its statement updates
    the thread; the posts trigger adds no second update), and every other
    way of changing a post still moves it: a post inserted by psql, an edit,
    a post changed in a transaction that changed the thread's title first, a
    thread made and posted in in one transaction."""
    c = _setup(stack, "cache_version")
    tid, pid = _thread(stack, c, "cache_version")

    def version():
        return int(stack.psql("select version from threads where id = %d" % tid).strip())

    v = version()
    st, _, _ = c.reply(pid, "A reply that moves the version once.")
    assert st == 303, "reply: %d" % st
    assert version() == v + 1, "a reply moved the version from %d to %d, want %d" % (v, version(), v + 1)
    v = version()
    uid = int(stack.psql("select user_id from posts where id = %d" % pid).strip())
    stack.psql("insert into posts (thread_id, parent_id, path, user_id, body_md, body_html) "
               "values (%d, %d, array[%d], %d, 'by psql', '<p>by psql</p>')" % (tid, pid, pid, uid))
    assert version() == v + 1, "a post inserted by psql: version %d, want %d" % (version(), v + 1)
    v = version()
    stack.psql("update posts set body_md = 'edited', body_html = '<p>edited</p>' where id = %d" % pid)
    assert version() == v + 1, "an edit by psql: version %d, want %d" % (version(), v + 1)
    v = version()
    stack.psql("begin; update threads set title = 'Renamed by psql' where id = %d; "
               "update posts set body_html = '<p>edited again</p>' where id = %d; commit" % (tid, pid))
    assert version() > v, "title and post changed in one transaction: version %d, was %d" % (version(), v)
    cat = stack.psql("select category_id from threads where id = %d" % tid).strip()
    new = stack.psql("with t as (insert into threads (category_id, user_id, title) values (%s, %d, 'Made by psql') "
                     "returning id), p as (insert into posts (thread_id, parent_id, path, user_id, body_md, "
                     "body_html) select id, null, array[]::bigint[], %d, 'x', '<p>x</p>' from t) select id from t"
                     % (cat, uid, uid)).strip()
    assert int(stack.psql("select version from threads where id = %s" % new).strip()) >= 1, \
        "a thread made and posted in by one statement kept version 0"
