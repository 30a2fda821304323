"""Anonymous posts (issue 13, sql/018_anonymous.sql): in a category whose
operator allows it (hearthctl category anonymous SLUG on), a member posts a
thread or a reply as "a member who chose to stay anonymous". Nobody else
learns who: not the anonymous reader, another member, the Atom feeds,
search, notifications, the home page, the author's profile or the export of
another member. The author edits and deletes it and is told they posted it
anonymously. A moderator sees who only by "show who wrote this" (a POST),
which writes an audit entry each time. A category that does not allow it
refuses the box with a 4xx and gives the text back."""

import json
import uuid

from client import Client, find_all, new_member, parse, post_id_from

STACK_OPTIONS = {"cache": True, "conf": {"new_member_days": "0", "post_per_minute": "0"}}

OPEN = "anon-ok"          # allows anonymous posts
CLOSED = "anon-no"        # does not
ANON_TEXT = "A member who chose to stay anonymous"
W = {}


def _q(stack, sql):
    return stack.psql(sql).strip()


def _write(c, path, fields):
    st, loc, html = c._write(path, fields, True, "post", True)
    return st, loc, html


def _world(stack):
    if W:
        return W
    for slug, name in ((OPEN, "Anonymous allowed"), (CLOSED, "Anonymous not allowed")):
        r = stack.hearthctl("category", "add", slug, name, "")
        assert r.returncode == 0, "category add %s: %s" % (slug, r.stderr)
    r = stack.hearthctl("category", "anonymous", OPEN, "on")
    assert r.returncode == 0 and "allowed" in r.stdout, "category anonymous on: %r %r" % (r.stdout, r.stderr)
    W["author"] = author = new_member(stack, "shy")
    W["other"] = other = new_member(stack, "peer")
    W["third"] = third = new_member(stack, "third")
    mod = Client(stack)
    st, _, _ = mod.login(stack.admin, stack.admin_password)
    assert st == 303, "admin log-in: %d" % st
    W["mod"] = mod
    # The other member opens a thread; the author answers it anonymously
    # (a reply notification) and mentions the other member (a mention).
    st, loc, html = other.new_thread(OPEN, "Open thread %s" % uuid.uuid4().hex[:6],
                                     "Has anyone found evenings hard lately?")
    W["other_thread_post"] = post_id_from(loc, html)
    word = "lanternfish%s" % uuid.uuid4().hex[:6]
    W["word"] = word
    st, loc, html = _write(author, "/c/%s/new" % OPEN, [
        ("title", "Anonymous thread %s" % word), ("anonymous", "1"),
        ("body", "I have not told anyone about this %s. Thank you for reading." % word)])
    assert st == 303, "anonymous thread: %d %s" % (st, html[:300])
    W["anon_thread_post"] = post_id_from(loc, html)
    W["anon_thread"] = int(_q(stack, "select thread_id from posts where id = %d" % W["anon_thread_post"]))
    st, loc, html = _write(author, "/p/%d/reply" % W["other_thread_post"], [
        ("anonymous", "1"),
        ("body", "Evenings are hard for me too %s, you are not alone (and @%s too)." % (word, third.handle))])
    assert st == 303, "anonymous reply: %d %s" % (st, html[:300])
    W["anon_reply"] = post_id_from(loc, html)
    return W


def _no_handle(where, body, handle):
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    assert handle.lower() not in text.lower(), "%s: the author's handle %s is in the page" % (where, handle)


def test_anonymous_posts_are_stored_as_such(stack):
    w = _world(stack)
    got = _q(stack, "select p.anonymous, t.anonymous, p.user_id from posts p join threads t on t.id = p.thread_id "
                    "where p.id = %d" % w["anon_thread_post"])
    assert got == "t|t|%d" % w["author"].user_id, "opening post: %r" % got
    got = _q(stack, "select anonymous, user_id from posts where id = %d" % w["anon_reply"])
    assert got == "t|%d" % w["author"].user_id, "reply: %r" % got


def test_nobody_else_sees_who(stack):
    w = _world(stack)
    handle = w["author"].handle
    anon = Client(stack)
    pages = ["/t/%d" % w["anon_thread"], "/p/%d" % w["anon_reply"], "/", "/c/%s" % OPEN,
             "/search?q=%s" % w["word"], "/feed.atom", "/c/%s/feed.atom" % OPEN,
             "/t/%d/feed.atom" % w["anon_thread"],
             "/t/%d/feed.atom" % int(_q(stack, "select thread_id from posts where id = %d" % w["other_thread_post"])),
             "/p/%d/reply" % w["anon_reply"], "/p/%d/reply?quote=1" % w["anon_reply"],
             "/p/%d/here" % w["anon_reply"], "/p/%d/report" % w["anon_reply"]]
    for who, c in (("anonymous reader", anon), ("another member", w["other"])):
        for path in pages:
            st, _, body = c.get(path)
            if who == "anonymous reader" and path.startswith("/p/%d/" % w["anon_reply"]):
                continue        # log-in pages
            assert st in (200, 303), "%s GET %s: %d" % (who, path, st)
            _no_handle("%s GET %s" % (who, path), body, handle)
            # no link to the profile, no data attribute with the id
            doc = parse(body)
            for a in find_all(doc, "a"):
                assert a.get("href", "") != "/u/%s" % handle, "%s GET %s: a profile link" % (who, path)
    # The thread page says who wrote it in the agreed words.
    st, _, body = w["other"].get("/t/%d" % w["anon_thread"])
    assert b"a member who chose to stay anonymous" in body, "thread page: no anonymous byline"
    st, _, body = anon.get("/search?q=%s" % w["word"])
    assert w["word"].encode() in body, "search finds the anonymous posts"
    assert b"a member who chose to stay anonymous" in body, "search: no anonymous byline"


def test_profile_lists_it_only_to_its_author(stack):
    w = _world(stack)
    handle = w["author"].handle
    for who, c in (("anonymous reader", Client(stack)), ("another member", w["other"]), ("moderator", w["mod"])):
        st, _, body = c.get("/u/%s" % handle)
        assert st in (200, 303), "%s GET profile: %d" % (who, st)
        assert w["word"].encode() not in body, "%s: the anonymous post is on the author's profile" % who
    st, _, body = w["author"].get("/u/%s" % handle)
    assert w["word"].encode() in body, "the author does not see their own anonymous post on their profile"
    assert b"posted anonymously" in body, "the author is not told the post is anonymous"


def test_search_by_author_never_finds_anonymous_posts(stack):
    """/search?by=HANDLE would tie the posts to the account: only the author
    finds their own anonymous posts that way (moderators use the reveal)."""
    w = _world(stack)
    handle = w["author"].handle
    path = "/search?q=%s&by=%s" % (w["word"], handle)
    for who, c in (("another member", w["other"]), ("moderator", w["mod"])):
        st, _, body = c.get(path)
        assert st in (200, 403), "%s GET %s: %d" % (who, path, st)
        for pid in (w["anon_thread_post"], w["anon_reply"]):
            assert b'href="/p/%d"' % pid not in body, \
                "%s: search by the author's handle finds anonymous post %d" % (who, pid)
    st, _, body = w["author"].get(path)
    assert st == 200, "author GET %s: %d" % (path, st)
    assert b'href="/p/%d"' % w["anon_thread_post"] in body, \
        "the author does not find their own anonymous post by their handle"


def test_notifications_do_not_name_the_author(stack):
    w = _world(stack)
    st, _, body = w["other"].get("/me/notifications")
    assert st == 200, "notifications: %d" % st
    _no_handle("notifications of the other member", body, w["author"].handle)
    assert "%s replied to your post" % ANON_TEXT in body.decode(), "no anonymous reply notification"
    st, _, body = w["third"].get("/me/notifications")
    assert st == 200, "notifications: %d" % st
    _no_handle("notifications of the mentioned member", body, w["author"].handle)
    assert "%s mentioned you" % ANON_TEXT in body.decode(), "no anonymous mention notification"
    got = _q(stack, "select count(*) from notifications where post_id = %d and actor_id is not null" % w["anon_reply"])
    assert got == "0", "a notification of the anonymous reply keeps its actor: %s" % got


def test_export_of_another_member_does_not_name_the_author(stack):
    w = _world(stack)
    st, hd, body = w["other"].get("/me/export")
    assert st == 200, "export: %d" % st
    _no_handle("the other member's export", body, w["author"].handle)
    st, hd, body = w["author"].get("/me/export")
    assert st == 200 and w["word"].encode() in body, "the author's own export lacks their anonymous post"
    posts = {p["id"]: p for p in json.loads(body)["posts"]}
    assert posts[w["anon_reply"]]["anonymous"] is True, "export: %r" % posts.get(w["anon_reply"])


def test_author_is_told_and_can_edit_and_delete(stack):
    w = _world(stack)
    a = w["author"]
    st, _, body = a.get("/t/%d" % w["anon_thread"])
    assert b"You posted this anonymously" in body, "the author's thread page does not say it is anonymous"
    st, _, body = w["other"].get("/t/%d" % w["anon_thread"])
    assert b"You posted this anonymously" not in body, "another member is told it is 'theirs'"
    st, _, body = Client(stack).get("/t/%d" % w["anon_thread"])
    assert b"You posted this anonymously" not in body, "the anonymous reader is told it is 'theirs'"
    st, _, body = a.get("/p/%d/edit" % w["anon_reply"])
    assert st == 200 and b"You posted this anonymously" in body, "edit form: %d" % st
    st, loc, html = a.edit(w["anon_reply"], "Edited: evenings are hard %s." % w["word"])
    assert st == 303, "edit of an anonymous reply: %d" % st
    got = _q(stack, "select anonymous, body_md like 'Edited:%%' from posts where id = %d" % w["anon_reply"])
    assert got == "t|t", "after the edit: %r" % got
    st, _, body = w["other"].get("/t/%d" % int(_q(stack, "select thread_id from posts where id = %d" % w["anon_reply"])))
    _no_handle("thread after the edit", body, a.handle)
    # another member cannot edit it
    st, _, _ = w["other"].post("/p/%d/edit" % w["anon_reply"], [("body", "mine now"), ("action", "post")])
    assert st == 403, "another member edits an anonymous post: %d" % st
    # delete
    st, loc, html = _write(a, "/c/%s/new" % OPEN, [("title", "To delete"), ("anonymous", "1"),
                                                   ("body", "Short-lived words %s." % uuid.uuid4().hex)])
    pid = post_id_from(loc, html)
    st, _, _ = a.post("/p/%d/delete" % pid, [("confirm", "yes")])
    assert st == 303, "delete of an anonymous post: %d" % st
    assert _q(stack, "select state from posts where id = %d" % pid) == "deleted", "not deleted"


def test_closed_category_refuses_the_box_and_keeps_the_text(stack):
    w = _world(stack)
    text = "Words I want to keep %s" % uuid.uuid4().hex
    before = _q(stack, "select count(*) from posts")
    st, loc, html = _write(w["author"], "/c/%s/new" % CLOSED, [("title", "Closed"), ("anonymous", "1"), ("body", text)])
    assert 400 <= st < 500, "anonymous thread in a closed category: %d" % st
    assert text in html, "the text is not given back"
    assert "not allowed in this category" in html, "no reason given"
    st, _, body = w["author"].get("/c/%s/new" % CLOSED)
    assert b'name="anonymous"' not in body, "the closed category offers the box"
    st, _, body = w["author"].get("/c/%s/new" % OPEN)
    assert b'name="anonymous"' in body, "the open category does not offer the box"
    # a reply in a closed category's thread
    st, loc, html = w["other"].new_thread(CLOSED, "Closed thread", "A thread where names show %s" % uuid.uuid4().hex)
    parent = post_id_from(loc, html)
    st, loc, html = _write(w["author"], "/p/%d/reply" % parent, [("anonymous", "1"), ("body", text)])
    assert 400 <= st < 500 and text in html, "anonymous reply in a closed category: %d" % st
    assert _q(stack, "select count(*) from posts") == str(int(before) + 1), "something was posted"
    # the thread page's reply box offers it only where allowed
    st, _, body = w["author"].get("/t/%d" % int(_q(stack, "select thread_id from posts where id = %d" % parent)))
    assert b'name="anonymous"' not in body, "reply box of a closed category offers the box"
    st, _, body = w["other"].get("/t/%d" % w["anon_thread"])
    assert b'name="anonymous"' in body, "reply box of an open category lacks the box"


def test_moderator_sees_who_only_by_a_logged_reveal(stack):
    w = _world(stack)
    mod, handle, pid = w["mod"], w["author"].handle, w["anon_reply"]
    st, _, body = mod.get("/mod/p/%d" % pid)
    assert st == 200, "review item: %d" % st
    _no_handle("review item before the reveal", body, handle)
    assert b"Show who wrote this" in body, "no reveal button"
    st, _, body = mod.get("/mod")
    _no_handle("review queue", body, handle)
    audits = int(_q(stack, "select count(*) from audit_log where action = 'reveal' and post_id = %d" % pid))
    # a member may not; a bad token is refused
    st, _, body = w["other"].post("/mod/p/%d/reveal" % pid, [("reveal_reason", "curious")])
    assert st in (403, 404), "a member reveals: %d" % st
    _no_handle("member's reveal", body, handle)
    st, _, body = mod.post("/mod/p/%d/reveal" % pid, [("csrf", "x" * 20), ("reveal_reason", "safety")])
    assert 400 <= st < 500, "reveal with a bad token: %d" % st
    _no_handle("reveal with a bad token", body, handle)
    st, _, body = mod.post("/mod/p/%d/reveal" % pid, [("reveal_reason", "  ")])
    assert st == 422, "reveal without a reason: %d" % st
    _no_handle("reveal without a reason", body, handle)
    assert 400 <= st < 500, "reveal with a bad token: %d" % st
    _no_handle("reveal with a bad token", body, handle)
    for n in (1, 2):
        st, _, body = mod.post("/mod/p/%d/reveal" % pid, [("reveal_reason", "They may be at risk (%d)" % n)])
        assert st == 200, "reveal: %d" % st
        assert handle.encode() in body, "the reveal does not show the author"
        got = int(_q(stack, "select count(*) from audit_log where action = 'reveal' and post_id = %d" % pid))
        assert got == audits + n, "audit entries after reveal %d: %d (before %d)" % (n, got, audits)
    row = _q(stack, "select moderator_handle, target_handle is null, reason from audit_log where action = 'reveal' "
                    "and post_id = %d order by id desc limit 1" % pid)
    assert row == "%s|t|They may be at risk (2)" % stack.admin, "audit entry: %r" % row
    # the audit log names the post and the moderator, never the member
    st, _, body = mod.get("/mod/audit")
    assert st == 200 and b"showed who wrote" in body, "audit log: %d" % st
    _no_handle("audit log", body, handle)
    # a GET shows no one
    st, _, body = mod.get("/mod/p/%d" % pid)
    _no_handle("review item after the reveal", body, handle)
    # a post that is not anonymous has nothing to reveal
    st, _, _ = mod.post("/mod/p/%d/reveal" % w["other_thread_post"], [("reveal_reason", "safety")])
    assert st == 404, "reveal of a named post: %d" % st


def test_hearthctl_category_anonymous(stack):
    _world(stack)
    r = stack.hearthctl("category", "list")
    lines = {l.split("\t")[0]: l for l in r.stdout.splitlines()}
    assert "anonymous posts allowed" in lines[OPEN], "category list: %r" % lines.get(OPEN)
    assert "anonymous" not in lines[CLOSED], "category list: %r" % lines.get(CLOSED)
    # turning it off keeps earlier posts anonymous and refuses new ones
    r = stack.hearthctl("category", "anonymous", OPEN, "off")
    assert r.returncode == 0, "off: %r" % r.stderr
    try:
        st, _, body = W["other"].get("/t/%d" % W["anon_thread"])
        _no_handle("thread after the category's setting was turned off", body, W["author"].handle)
        st, loc, html = _write(W["author"], "/c/%s/new" % OPEN, [("title", "Now closed"), ("anonymous", "1"),
                                                                ("body", "kept text %s" % uuid.uuid4().hex)])
        assert st == 422, "anonymous thread after off: %d" % st
    finally:
        stack.hearthctl("category", "anonymous", OPEN, "on")


def test_hearthctl_refuses_unknown_category(stack):
    r = stack.hearthctl("category", "anonymous", "no-such-cat", "on")
    assert r.returncode != 0 and "no category" in r.stderr, "unknown category: %r" % r.stderr
    r = stack.hearthctl("category", "anonymous", OPEN, "maybe")
    assert r.returncode != 0, "a bad value is accepted"


def test_conversation_offers_never_name_an_anonymous_author(stack):
    """"I'm here" offers a private conversation with the author, and a
    moderator's check-in opens one: both would name the member."""
    w = _world(stack)
    handle = w["author"].handle
    for pid in (w["anon_thread_post"], w["anon_reply"]):
        st, _, body = w["other"].get("/p/%d/here" % pid)
        assert st == 200, "GET /p/%d/here: %d" % (pid, st)
        assert b"/m/new?to=" not in body, "the here page of anonymous post %d offers a conversation" % pid
        _no_handle("here page of %d" % pid, body, handle)
        st, _, body = w["mod"].get("/mod/p/%d/contact" % pid)
        assert st == 403, "moderator GET /mod/p/%d/contact: %d (want 403)" % (pid, st)
        _no_handle("check-in form of %d" % pid, body, handle)
        st, _, body = w["mod"].get("/mod/p/%d" % pid)
        assert b"/contact" not in body, "the review item of anonymous post %d offers a check-in" % pid
