"""Members' thread pages from stored parts (fcgi/skeleton.h): the page every
member shares is stored in cache_dir/m once per thread version, and each
request fills in what differs (what this reader can do with each post, their
CSRF token). These tests show the result is byte for byte the page rendered
in full, that each reader gets their own actions and token, that a write is
on the next page at once, that a post only its author may see never enters
the shared parts, and that a damaged or stale stored file is never used."""

import os
import re
import time

from client import Client, csrf_from, find_all, parse, post_id_from

STACK_OPTIONS = {"cache": True}

SLUG = "member-pages"
W = {}


def _world(stack):
    """ann opens a thread; bo and cy reply; cy says "I hear you" to bo."""
    if W:
        return W
    stack.hearthctl("category", "add", SLUG, "Member pages", "")
    for h in ("mp_ann", "mp_bo", "mp_cy"):
        c = Client(stack)
        st, _, _ = c.register(h)
        assert st == 303, "register %s: %d" % (h, st)
        W[h] = c
    st, loc, html = W["mp_ann"].new_thread(SLUG, "Evenings are the hardest", "Evenings are hard for me lately.")
    assert st in (200, 303), "new thread: %d" % st
    op = int(post_id_from(loc, html))
    W["tid"] = int(stack.psql("select thread_id from posts where id = %d" % op))
    W["op"] = op
    W["bo_reply"] = _reply(W["mp_bo"], op, "Same here. A short walk after dinner helps a little.")
    W["cy_reply"] = _reply(W["mp_cy"], W["bo_reply"], "Walking helps me too, and tea.")
    W["ann_reply"] = _reply(W["mp_ann"], W["bo_reply"], "Thank you, I will try the walk.")
    st, _, _ = W["mp_cy"].post("/p/%d/support" % W["bo_reply"], [])
    assert st == 303, "support: %d" % st
    return W


def _reply(c, parent, body):
    st, loc, html = c.reply(parent, body)
    assert st in (200, 303), "reply to %d: %d" % (parent, st)
    return int(post_id_from(loc, html))


def _page(c, path):
    st, _, body = c.get(path)
    assert st == 200, "GET %s: %d" % (path, st)
    return body.decode("utf-8")


def _skeleton(stack, tid, after=0):
    return os.path.join(stack.tmp, "cache", "m", "%d-%d" % (tid, after))


def _article(doc, pid):
    for a in find_all(doc, "article"):
        if a.get("id") == "p%d" % pid:
            return a
    raise AssertionError("post %d is not on the page" % pid)


def _actions(doc, pid):
    """What a reader can do with post pid: link texts, pressed state, token."""
    art = _article(doc, pid)
    footer = [f for f in art.find_all("footer") if "post-actions" in (f.get("class") or "")]
    # The first footer below the article is its own (replies come after it).
    if not footer:
        return None
    f = footer[0]
    links = [a.text().strip() for a in f.find_all("a")]
    buttons = f.find_all("button")
    pressed = buttons[0].get("aria-pressed") if buttons else None
    tokens = [i.get("value") for i in f.find_all("input") if i.get("name") == "csrf"]
    return {"links": links, "pressed": pressed, "tokens": tokens}


def test_member_page_is_stored_once_and_reused(stack):
    w = _world(stack)
    tid = w["tid"]
    first = _page(w["mp_bo"], "/t/%d" % tid)
    path = _skeleton(stack, tid)
    assert os.path.exists(path), "a member's page did not store its shared parts in %s" % path
    mtime = os.stat(path).st_mtime_ns
    second = _page(w["mp_bo"], "/t/%d" % tid)
    # The first view read the thread: only its "jump to the first unread
    # post" may be gone (_normalize).
    assert _normalize(second) == _normalize(first), \
        "the same member got two different pages of an unchanged thread"
    assert _normalize(first) == re.sub(r"(<time [^>]*>)[^<]*(</time>)", r"\1\2", second), \
        "the second view of an unchanged thread, read once, still differs in more than its times"
    assert os.stat(path).st_mtime_ns == mtime, "the stored parts were rebuilt for an unchanged thread"
    assert "\x01" not in first and "\x02" not in first, "a marker of the stored parts reached the page"


def test_each_reader_gets_their_own_actions_and_token(stack):
    w = _world(stack)
    tid = w["tid"]
    pages = {h: parse(_page(w[h], "/t/%d" % tid)) for h in ("mp_ann", "mp_bo", "mp_cy")}
    for h, doc in pages.items():
        token = csrf_from(w[h].get("/me/sessions")[2].decode("utf-8"))
        for pid in (w["op"], w["bo_reply"], w["cy_reply"], w["ann_reply"]):
            act = _actions(doc, pid)
            assert act is not None, "%s sees no actions under post %d" % (h, pid)
            author = {w["op"]: "mp_ann", w["bo_reply"]: "mp_bo", w["cy_reply"]: "mp_cy",
                      w["ann_reply"]: "mp_ann"}[pid]
            if author == h:
                assert "Edit" in act["links"], "%s cannot edit their own post %d: %r" % (h, pid, act)
                assert "Report" not in act["links"], "%s may report their own post %d" % (h, pid)
                assert act["tokens"] == [], "%s has an 'I hear you' form on their own post" % h
            else:
                assert "Edit" not in act["links"], "%s may edit %s's post %d" % (h, author, pid)
                assert "Report" in act["links"], "%s cannot report post %d" % (h, pid)
                assert act["tokens"] == [token], \
                    "%s's 'I hear you' form on post %d carries %r, not their token" % (h, pid, act["tokens"])
                want = "true" if (h, pid) == ("mp_cy", w["bo_reply"]) else "false"
                assert act["pressed"] == want, \
                    "%s sees 'I hear you' on post %d as pressed=%s, want %s" % (h, pid, act["pressed"], want)
        forms = [f for f in find_all(doc, "form") if (f.get("action") or "").endswith("/reply")]
        assert forms, "%s has no reply form" % h
        assert [i.get("value") for i in forms[0].find_all("input") if i.get("name") == "csrf"] == [token]


def test_a_write_is_on_the_next_page_at_once(stack):
    w = _world(stack)
    tid = w["tid"]
    _page(w["mp_bo"], "/t/%d" % tid)
    marker = "fresh-%d" % time.time_ns()
    pid = _reply(w["mp_ann"], w["op"], "A new evening plan: " + marker)
    page = _page(w["mp_bo"], "/t/%d" % tid)
    assert marker in page, "a reply was not on the next member page"
    # "I hear you" changes the count for everyone and the pressed state for one.
    st, _, _ = w["mp_bo"].post("/p/%d/support" % pid, [])
    assert st == 303
    bo = _actions(parse(_page(w["mp_bo"], "/t/%d" % tid)), pid)
    cy_doc = parse(_page(w["mp_cy"], "/t/%d" % tid))
    cy = _actions(cy_doc, pid)
    assert bo["pressed"] == "true" and cy["pressed"] == "false", (bo, cy)
    count = [s.text() for s in _article(cy_doc, pid).find_all("span") if s.get("class") == "count"]
    assert count and count[0].strip() == "1", "the count did not change at once: %r" % count


def test_own_held_post_only_for_its_author(stack):
    w = _world(stack)
    tid = w["tid"]
    secret = "I have saved up 60 of my sleeping pills and I am taking all of them tonight"
    st, loc, html = w["mp_cy"].reply(w["op"], secret)
    assert st in (200, 303), "reply: %d" % st
    state = stack.psql("select state from posts where thread_id = %d and body_md = '%s'"
                       % (tid, secret.replace("'", "''"))).strip()
    assert state == "held", "the filter did not hold a post with method and means (state %r)" % state
    assert "sleeping pills" in _page(w["mp_cy"], "/t/%d" % tid), "the author does not see their held post"
    other = _page(w["mp_bo"], "/t/%d" % tid)
    assert "sleeping pills" not in other, "a held post reached another member's page"
    for name in os.listdir(os.path.join(stack.tmp, "cache", "m")):
        with open(os.path.join(stack.tmp, "cache", "m", name), "rb") as f:
            assert b"sleeping pills" not in f.read(), "a held post reached the stored parts (%s)" % name


def test_damaged_or_stale_parts_are_never_used(stack):
    w = _world(stack)
    tid = w["tid"]
    good = _page(w["mp_ann"], "/t/%d" % tid)
    path = _skeleton(stack, tid)
    with open(path, "rb") as f:
        data = f.read()
    variants = [
        data[: len(data) // 2],                                  # cut short
        b"garbage\n" + data,                                     # not ours
        re.sub(rb"^(HEARTH-SKELETON-1\n)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) - 1).encode(),
               data, count=1),                                   # an older version
        data.replace(b"I hear you", b"TAMPERED!!", 1),           # same size, other bytes: still ours
    ]
    for i, v in enumerate(variants[:3]):
        with open(path, "wb") as f:
            f.write(v)
        page = _page(w["mp_ann"], "/t/%d" % tid)
        assert page == good, "damaged stored parts (case %d) changed the page" % i
    # A file older than two minutes is rebuilt, so "5 minutes ago" moves on.
    with open(path, "wb") as f:
        f.write(variants[3])
    old = time.time() - 600
    os.utime(path, (old, old))
    page = _page(w["mp_ann"], "/t/%d" % tid)
    assert "TAMPERED" not in page, "stored parts older than two minutes were used"


def _normalize(html):
    # Relative times may tick between two fetches. The first fetch of a
    # thread with new posts reads it, so "jump to the first unread post"
    # (per reader, test_notify.py) is only on the first.
    html = re.sub(r'<p class="unread-jump">.*?</p>', "", html)
    return re.sub(r"(<time [^>]*>)[^<]*(</time>)", r"\1\2", html)


def test_same_bytes_as_the_page_rendered_in_full(stack):
    w = _world(stack)
    tid = w["tid"]
    # A thread long enough for a second page.
    c = w["mp_bo"]
    st, loc, html = c.new_thread(SLUG, "A long thread", "Let us count good things, one a reply.")
    assert st in (200, 303)
    op = int(post_id_from(loc, html))
    long_tid = int(stack.psql("select thread_id from posts where id = %d" % op))
    parent = op
    for i in range(60):
        pid = _reply(w["mp_cy"] if i % 2 else w["mp_ann"], op if i % 3 else parent, "Good thing %d: tea." % i)
        if i % 7 == 0:
            parent = pid
    first = _page(c, "/t/%d" % long_tid)
    nxt = re.search(r'href="(/t/%d\?after=\d+)"' % long_tid, first)
    assert nxt, "the long thread has no second page"
    paths = ["/t/%d" % tid, "/t/%d" % long_tid, nxt.group(1).replace("&amp;", "&")]
    readers = ("mp_ann", "mp_bo", "mp_cy")
    stored = {(h, p): _page(w[h], p) for h in readers for p in paths}
    assert os.path.exists(_skeleton(stack, long_tid, int(paths[2].split("=")[1]))), \
        "the second page was not stored"
    conf = open(stack.conf_path).read()
    try:
        with open(stack.conf_path, "w") as f:
            f.write(conf + "member_pages = 0\n")
        stack.restart_fcgi()
        mdir = os.path.join(stack.tmp, "cache", "m")
        for name in os.listdir(mdir):
            os.unlink(os.path.join(mdir, name))
        for (h, p), page in stored.items():
            full = _page(w[h], p)
            if _normalize(full) != _normalize(page):
                for name, text in (("stored", page), ("full", full)):
                    with open(os.path.join(stack.tmp, "log", "member-page-%s.html" % name), "w") as f:
                        f.write(text)
            assert _normalize(full) == _normalize(page), \
                "%s's page %s from stored parts differs from the one rendered in full" % (h, p)
        assert os.listdir(mdir) == [], "member_pages = 0 still stored parts: %r" % os.listdir(mdir)
    finally:
        with open(stack.conf_path, "w") as f:
            f.write(conf)
        stack.restart_fcgi()
