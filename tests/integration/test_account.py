"""The member's own account (issue 3, "Accounts"): change password, "my
sessions", the JSON export and account deletion (posts deleted or kept).

Members register and log in through the real pages (client.Client). Threads
and posts are written with SQL (see make_thread / make_reply) so that these
tests cover the account pages alone, with exact control over revisions and
support reactions; posting has its own tests.
"""

import html
import json
import re
import uuid

from client import Client, find_all, parse, texts

STACK_OPTIONS = {"workers": 2}
TIMEOUT = 180

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new password \u00e9\u00e8 \U0001f49c"

# Markdown a member might write: non-ASCII, markup that must stay data,
# quotes, backslashes, tabs, a CRLF and U+2028.
TRICKY_MD = ("\u00dcn\u00efc\u00f6d\u00e9 \u2014 \u60b2\u3057\u307f \U0001f49c\n\n"
             "<script>alert('x')</script> & \"quoted\" \\ back\\slash\there\r\n"
             "> a quote\u2028line </p><img src=x onerror=alert(1)>")


# ---------------------------------------------------------------- helpers

def sql_text(s):
    """An SQL expression for the exact string s (no quoting pitfalls)."""
    return "convert_from(decode('%s', 'hex'), 'UTF8')" % s.encode("utf-8").hex()


def q1(stack, sql):
    return stack.psql(sql).strip()


def new_handle(prefix):
    return "%s_%s" % (prefix, uuid.uuid4().hex[:10])


def member(stack, prefix="m"):
    """A freshly registered member, logged in: a Client with .handle and .uid."""
    c = Client(stack)
    handle = new_handle(prefix)
    st, h, body = c.register(handle, PASSWORD)
    assert st == 303 and c.logged_in(), "register %s: %d, cookies %r\n%s" % (
        handle, st, c.cookies, body[:400].decode("utf-8", "replace"))
    c.uid = int(q1(stack, "select id from users where handle = '%s'" % handle))
    return c


def second_login(stack, who, password=PASSWORD):
    """Another session (another browser) of the same member."""
    c = Client(stack)
    st, _, body = c.login(who.handle, password)
    assert st == 303 and c.logged_in(), "log-in of %s: %d\n%s" % (
        who.handle, st, body[:400].decode("utf-8", "replace"))
    return c


def is_logged_in(c):
    """True when c's cookie still opens a member-only page."""
    st, h, _ = c.request("GET", "/me/sessions")
    if st == 200:
        return True
    assert st == 303 and h.get("location", "").startswith("/login"), \
        "GET /me/sessions: %d %r, want 200 or 303 to /login" % (st, h.get("location"))
    return False


def category(stack):
    cid = q1(stack, "select id from categories where slug = 'acct-tests'")
    if not cid:
        cid = q1(stack, "insert into categories (slug, name) values ('acct-tests', 'Account tests') returning id")
    return int(cid)


def body_html(body_md):
    """What a post stores as HTML in these tests: its text in one paragraph."""
    return "<p>%s</p>" % html.escape(body_md, quote=False)


def make_thread(stack, uid, title, body_md):
    """A thread with its opening post by uid: (thread_id, post_id)."""
    tid = int(q1(stack, "insert into threads (category_id, user_id, title) values (%d, %d, %s) returning id"
                 % (category(stack), uid, sql_text(title))))
    pid = int(q1(stack,
                 "insert into posts (id, thread_id, parent_id, path, user_id, body_md, body_html) "
                 "overriding system value select n.id, %d, null, array[n.id], %d, %s, %s "
                 "from (select nextval(pg_get_serial_sequence('posts', 'id')) as id) n returning id"
                 % (tid, uid, sql_text(body_md), sql_text(body_html(body_md)))))
    return tid, pid


def make_reply(stack, parent_id, uid, body_md):
    return int(q1(stack,
                  "insert into posts (id, thread_id, parent_id, path, user_id, body_md, body_html) "
                  "overriding system value select n.id, p.thread_id, p.id, p.path || n.id, %d, %s, "
                  "%s from (select nextval(pg_get_serial_sequence('posts', 'id')) as id) n, "
                  "posts p where p.id = %d returning id"
                  % (uid, sql_text(body_md), sql_text(body_html(body_md)), parent_id)))


def add_revision(stack, post_id, old_md, title=None):
    stack.psql("insert into post_revisions (post_id, revision, body_md, body_html, title, created_at) "
               "values (%d, 1, %s, '<p>old</p>', %s, now() - interval '1 hour'); "
               "update posts set revision = 2, edited_at = now() where id = %d"
               % (post_id, sql_text(old_md), sql_text(title) if title else "null", post_id))


def add_support(stack, post_id, uid):
    stack.psql("insert into post_support (post_id, user_id, thread_id) "
               "select id, %d, thread_id from posts where id = %d; "
               "update posts set support_count = support_count + 1 where id = %d" % (uid, post_id, post_id))


def body_text(body):
    return body.decode("utf-8", "replace")


def alert_text(body):
    return " ".join(n.text() for n in find_all(body, "p", role="alert"))


def check_form_page(body, h1, where):
    h1s = [t.strip() for t in texts(body, "h1")]
    assert h1s == [h1], "%s: h1 %r, want [%r]" % (where, h1s, h1)
    assert find_all(body, "input", name="csrf"), "%s: no hidden csrf field" % where


def sessions_of(c):
    """The sessions on c's /me/sessions page: [(public id, this device?)]."""
    st, _, body = c.get("/me/sessions")
    assert st == 200, "GET /me/sessions: %d" % st
    doc = parse(body)
    out = []
    for ul in doc.find_all("ul", class_="sessions"):
        for li in ul.find_all("li"):
            ids = [i.get("value") for i in li.find_all("input", name="session")]
            assert len(ids) == 1, "a session item without exactly one session field: %r" % ids
            out.append((ids[0], "this device" in li.text()))
    return out


def hash_of(stack, uid):
    return q1(stack, "select password_hash from users where id = %d" % uid)


def snapshot(stack, uid):
    """What a refused deletion must leave untouched."""
    return stack.psql(
        "select (select count(*) from users where id = %d and status = 'active'), "
        "(select count(*) from sessions where user_id = %d), "
        "(select string_agg(id || ':' || state || ':' || md5(body_md), ',' order by id) "
        " from posts where user_id = %d), "
        "(select count(*) from post_support where user_id = %d)" % (uid, uid, uid, uid))


# ---------------------------------------------------------------- login needed

def test_account_pages_need_login(stack):
    anon = Client(stack)
    for path in ("/me/password", "/me/sessions", "/me/export", "/me/delete"):
        st, h, _ = anon.get(path)
        assert st == 303 and h.get("location", "").startswith("/login?next="), \
            "anonymous GET %s: %d %r, want 303 to /login?next=" % (path, st, h.get("location"))
    st, _, body = anon.request("POST", "/me/delete", form=[("posts", "delete"), ("confirm", "yes"),
                                                          ("password", "x" * 12), ("csrf", "y" * 43)])
    assert st == 403, "anonymous POST /me/delete: %d, want 403" % st
    check_form_page(body, "Delete my account", "anonymous POST /me/delete")
    assert alert_text(body), "anonymous POST /me/delete: no role=alert message"


# ---------------------------------------------------------------- password

def test_password_change_refused(stack):
    a = member(stack, "pw")
    before = hash_of(stack, a.uid)
    wrong = "not my password at all"
    cases = [
        ("missing fields", [], 400, r"fill in"),
        ("wrong current", [("current", wrong), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
         422, r"not your current password"),
        ("mismatch", [("current", PASSWORD), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD + "x")],
         422, r"not the same"),
        ("too short", [("current", PASSWORD), ("new", "short \u00e9"), ("confirm", "short \u00e9")],
         422, r"at least 10"),
        ("too long", [("current", PASSWORD), ("new", "\u00e9" * 1100), ("confirm", "\u00e9" * 1100)],
         422, r"too long"),
        ("same as current", [("current", PASSWORD), ("new", PASSWORD), ("confirm", PASSWORD)],
         422, r"same as the current"),
    ]
    for name, fields, want, message in cases:
        st, h, body = a.post("/me/password", fields)
        assert st == want, "%s: %d, want %d\n%s" % (name, st, want, alert_text(body))
        assert h.get("content-type", "").startswith("text/html"), "%s: Content-Type %r" % (name, h.get("content-type"))
        check_form_page(body, "Change your password", name)
        assert re.search(message, alert_text(body), re.I), \
            "%s: the alert %r does not say /%s/" % (name, alert_text(body), message)
        text = body_text(body)
        for _, typed in fields:
            assert typed not in text, "%s: a typed password came back in the page" % name
        for inp in find_all(body, "input", type="password"):
            assert not inp.get("value"), "%s: password field %r has a value" % (name, inp.get("name"))
    assert hash_of(stack, a.uid) == before, "a refused change changed the password hash"
    assert is_logged_in(a), "a refused change logged the member out"


def test_password_change_ends_other_sessions(stack):
    a = member(stack, "pw")
    b = second_login(stack, a)
    c = second_login(stack, a)
    assert q1(stack, "select count(*) from sessions where user_id = %d" % a.uid) == "3"
    st, _, body = a.post("/me/password", [("current", PASSWORD), ("new", NEW_PASSWORD),
                                          ("confirm", NEW_PASSWORD)])
    assert st == 200, "POST /me/password: %d\n%s" % (st, alert_text(body))
    assert [t.strip() for t in texts(body, "h1")] == ["Password changed"], "h1 %r" % texts(body, "h1")
    assert "2 other sessions" in " ".join(body_text(body).split()), "the page does not say 2 sessions ended"
    assert NEW_PASSWORD not in body_text(body), "the new password came back in the page"
    assert is_logged_in(a), "the session that changed the password was ended"
    assert not is_logged_in(b) and not is_logged_in(c), "another session survived the password change"
    assert q1(stack, "select count(*) from sessions where user_id = %d" % a.uid) == "1"
    st, _, _ = Client(stack).login(a.handle, PASSWORD)
    assert st != 303 and 400 <= st < 500, "log-in with the old password: %d, want 4xx" % st
    st, _, _ = Client(stack).login(a.handle, NEW_PASSWORD)
    assert st == 303, "log-in with the new password: %d, want 303" % st


def test_password_tries_are_limited(stack):
    a = member(stack, "pw")
    before = hash_of(stack, a.uid)
    for i in range(5):
        st, _, _ = a.post("/me/password", [("current", "wrong guess %d!" % i), ("new", NEW_PASSWORD),
                                           ("confirm", NEW_PASSWORD)])
        assert st == 422, "wrong current password #%d: %d, want 422" % (i + 1, st)
    st, h, body = a.post("/me/password", [("current", PASSWORD), ("new", NEW_PASSWORD),
                                          ("confirm", NEW_PASSWORD)])
    assert st == 429, "after 5 wrong passwords: %d, want 429" % st
    assert h.get("retry-after"), "429 without Retry-After"
    check_form_page(body, "Change your password", "429")
    assert hash_of(stack, a.uid) == before, "the password changed while resting"
    # The limit is the member's own: someone else is not slowed down.
    o = member(stack, "pw")
    st, _, _ = o.post("/me/password", [("current", PASSWORD), ("new", NEW_PASSWORD),
                                       ("confirm", NEW_PASSWORD)])
    assert st == 200, "another member's change: %d" % st


def test_password_change_without_csrf_403(stack):
    a = member(stack, "pw")
    before = hash_of(stack, a.uid)
    fields = [("current", PASSWORD), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)]
    st, _, body = a.post("/me/password", fields, with_csrf=False)
    assert st == 403, "POST /me/password without csrf: %d, want 403" % st
    check_form_page(body, "Change your password", "no csrf")
    assert alert_text(body), "no csrf: no role=alert message"
    st, _, _ = a.post("/me/password", fields + [("csrf", "A" * 43)])
    assert st == 403, "POST /me/password with a wrong csrf: %d, want 403" % st
    assert hash_of(stack, a.uid) == before, "the password changed without a valid csrf"


# ---------------------------------------------------------------- sessions

def test_sessions_list_and_end(stack):
    a = member(stack, "ss")
    b = second_login(stack, a)
    listed = sessions_of(a)
    assert len(listed) == 2, "want 2 sessions listed, got %r" % listed
    assert [cur for _, cur in listed].count(True) == 1, "want exactly one 'this device': %r" % listed
    st, _, body = a.get("/me/sessions")
    check_form_page(body, "Your sessions", "/me/sessions")
    times = [t for t in find_all(body, "time") if t.get("datetime")]
    assert len(times) >= 4, "want created and last-seen times for both sessions, got %d" % len(times)
    hints = [n.text().strip() for ul in find_all(body, "ul", class_="sessions") for n in ul.find_all("strong")]
    assert len(hints) == 2 and all(hints), "want a browser hint per session, got %r" % hints
    mine = [sid for sid, cur in listed if cur][0]
    other = [sid for sid, cur in listed if not cur][0]
    assert re.fullmatch(r"[0-9a-f]{16}", other), "session id %r is not 16 hex digits" % other

    # Someone else cannot end it, nor learn whether it exists.
    x = member(stack, "ss")
    st, _, body = x.post("/me/sessions/end", [("session", other)])
    assert st == 404, "ending another member's session: %d, want 404" % st
    assert is_logged_in(b), "another member ended this member's session"
    st, _, _ = a.post("/me/sessions/end", [("session", "not-an-id")])
    assert st == 400, "a malformed session id: %d, want 400" % st
    st, _, _ = a.post("/me/sessions/end", [("session", other)], with_csrf=False)
    assert st == 403 and is_logged_in(b), "ending without csrf: %d" % st

    st, h, _ = a.post("/me/sessions/end", [("session", other)])
    assert st == 303 and h.get("location", "").endswith("/me/sessions"), \
        "ending a session: %d %r, want 303 to /me/sessions" % (st, h.get("location"))
    assert not is_logged_in(b), "the ended session still works"
    assert is_logged_in(a), "ending another session ended this one"
    assert [sid for sid, _ in sessions_of(a)] == [mine], "the list still shows the ended session"
    st, _, body = a.post("/me/sessions/end", [("session", other)])
    assert st == 404 and alert_text(body), "ending it again: %d, want 404 with a message" % st

    # "End all other sessions".
    c = second_login(stack, a)
    d = second_login(stack, a)
    st, h, _ = a.post("/me/sessions/end", [("session", "others")])
    assert st == 303 and h.get("location", "").endswith("/me/sessions"), "others: %d" % st
    assert not is_logged_in(c) and not is_logged_in(d), "'end all other sessions' left one running"
    assert is_logged_in(a), "'end all other sessions' ended this one"

    # Ending this device's session logs out.
    old_cookie = a.cookies["hs"]
    st, h, _ = a.post("/me/sessions/end", [("session", mine)])
    assert st == 303, "ending the current session: %d" % st
    assert "hs" not in a.cookies, "the session cookie was not cleared: %r" % h.get_all("set-cookie")
    ghost = Client(stack)
    ghost.cookies["hs"] = old_cookie
    assert not is_logged_in(ghost), "the ended current session still works"
    assert q1(stack, "select count(*) from sessions where user_id = %d" % a.uid) == "0"


# ---------------------------------------------------------------- export

def test_export_is_my_data_as_json(stack):
    a = member(stack, "ex")
    o = member(stack, "ex")
    title = "My <b>thread</b> \u2014 \u00e9t\u00e9 & \"more\""
    tid, p1 = make_thread(stack, a.uid, title, TRICKY_MD)
    add_revision(stack, p1, "the first version \u00e9", title="old title")
    p2 = make_reply(stack, p1, o.uid, "someone else's words, not in my export")
    p3 = make_reply(stack, p2, a.uid, "my reply\n\n- one\n- two")
    otid, op = make_thread(stack, o.uid, "Their thread", "their opening")
    p4 = make_reply(stack, op, a.uid, "my reply in their thread")
    add_support(stack, p2, a.uid)
    add_support(stack, op, a.uid)
    add_support(stack, p1, o.uid)

    st, h, body = a.get("/me/export")
    assert st == 200, "GET /me/export: %d\n%s" % (st, body[:300])
    assert h.get("content-type", "").replace(" ", "").lower() == "application/json;charset=utf-8", \
        "Content-Type %r" % h.get("content-type")
    cd = h.get("content-disposition", "")
    assert cd == 'attachment; filename="hearth-export-%s.json"' % a.handle, "Content-Disposition %r" % cd
    assert "no-store" in h.get("cache-control", ""), "Cache-Control %r" % h.get("cache-control")
    assert h.get("x-content-type-options", "").lower() == "nosniff"
    doc = json.loads(body.decode("utf-8"))          # strict UTF-8, strict JSON
    assert doc["format"] == "hearth-export-1", doc.get("format")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", doc["exported_at"]), doc["exported_at"]
    assert doc["member"]["handle"] == a.handle and doc["member"]["role"] == "member", doc["member"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", doc["member"]["created_at"])

    assert [t["id"] for t in doc["threads"]] == [tid], "threads %r" % doc["threads"]
    assert doc["threads"][0]["title"] == title and doc["threads"][0]["category"] == "Account tests"

    posts = {p["id"]: p for p in doc["posts"]}
    assert sorted(posts) == sorted([p1, p3, p4]), "posts %r, want mine only %r" % (sorted(posts), [p1, p3, p4])
    assert posts[p1]["body_markdown"] == TRICKY_MD, "Markdown did not round-trip:\n%r\n%r" % (
        posts[p1]["body_markdown"], TRICKY_MD)
    assert posts[p1]["parent_id"] is None and posts[p1]["thread_id"] == tid
    assert posts[p1]["thread_title"] == title and posts[p1]["state"] == "visible"
    assert posts[p1]["edited_at"] and posts[p3]["edited_at"] is None
    assert [(r["revision"], r["body_markdown"]) for r in posts[p1]["revisions"]] == \
        [(1, "the first version \u00e9")], "revisions %r" % posts[p1]["revisions"]
    assert posts[p3]["parent_id"] == p2 and posts[p3]["revisions"] == []
    assert posts[p4]["thread_title"] == "Their thread" and posts[p4]["parent_id"] == op
    assert sorted(doc["support_given"]) == sorted([p2, op]), "support_given %r" % doc["support_given"]
    assert b"someone else's words" not in body and b"their opening" not in body, \
        "another member's text is in my export"
    # The markup is data inside a JSON string, never raw in an HTML page.
    assert b"<script>" in body and not body.lstrip().startswith(b"<")

    st, h, body = a.request("HEAD", "/me/export")
    assert st == 200 and body == b"", "HEAD /me/export: %d, %d bytes" % (st, len(body))


# ---------------------------------------------------------------- deletion

def delete_fields(posts="delete", password=PASSWORD, confirm="yes"):
    return [("posts", posts), ("password", password), ("confirm", confirm)]


def test_delete_refused_changes_nothing(stack):
    a = member(stack, "dr")
    tid, p1 = make_thread(stack, a.uid, "Still here", "still my words")
    o = member(stack, "dr")
    p2 = make_reply(stack, p1, o.uid, "a reply")
    add_support(stack, p2, a.uid)
    before = snapshot(stack, a.uid)
    cases = [
        ("wrong password", delete_fields(password="wrong password!!"), 422, r"not your password"),
        ("no password", delete_fields(password=""), 422, r"password"),
        ("no confirmation", delete_fields(confirm=None), 422, r"tick the box"),
        ("no choice", delete_fields(posts=None), 422, r"choose what"),
        ("unknown choice", delete_fields(posts="shred"), 422, r"choose what"),
    ]
    for name, fields, want, message in cases:
        st, _, body = a.post("/me/delete", [(k, v) for k, v in fields if v is not None])
        assert st == want, "%s: %d, want %d" % (name, st, want)
        check_form_page(body, "Delete my account", name)
        assert re.search(message, alert_text(body), re.I), "%s: alert %r" % (name, alert_text(body))
        assert "wrong password!!" not in body_text(body) and PASSWORD not in body_text(body), \
            "%s: a typed password came back" % name
        assert snapshot(stack, a.uid) == before, "%s changed something" % name

    # Without a valid csrf token: 403 and the form, with the choice kept.
    st, _, body = a.post("/me/delete", delete_fields(), with_csrf=False)
    assert st == 403, "POST /me/delete without csrf: %d, want 403" % st
    check_form_page(body, "Delete my account", "no csrf")
    assert alert_text(body), "no csrf: no role=alert message"
    checked = [i.get("value") for i in find_all(body, "input", name="posts") if "checked" in i.attrs]
    assert checked == ["delete"], "no csrf: the choice was not kept (checked: %r)" % checked
    st, _, _ = a.post("/me/delete", delete_fields() + [("csrf", "B" * 43)])
    assert st == 403, "POST /me/delete with a wrong csrf: %d, want 403" % st
    assert snapshot(stack, a.uid) == before, "a refused deletion changed something"
    assert is_logged_in(a), "a refused deletion logged the member out"
    assert q1(stack, "select support_count from posts where id = %d" % p2) == "1"


def test_delete_account_and_posts(stack):
    a = member(stack, "dd")
    o = member(stack, "dd")
    other_device = second_login(stack, a)
    tid, p1 = make_thread(stack, a.uid, "A title that names me", "my words, gone soon")
    add_revision(stack, p1, "my first words", title="an older title")
    p2 = make_reply(stack, p1, o.uid, "their words stay")
    p3 = make_reply(stack, p2, a.uid, "my reply, gone soon")
    p4 = make_reply(stack, p3, o.uid, "their answer to my reply")
    otid, op = make_thread(stack, o.uid, "Their thread stays", "their opening")
    add_support(stack, op, a.uid)
    add_support(stack, p2, a.uid)
    add_support(stack, p1, o.uid)
    stack.psql("insert into redactions (post_id, original_md, original_html, reason) "
               "values (%d, 'my original words', '<p>my original words</p>', 'test')" % p3)

    st, h, body = a.post("/me/delete", delete_fields("delete"))
    assert st == 200, "POST /me/delete (posts=delete): %d\n%s" % (st, alert_text(body))
    assert [t.strip() for t in texts(body, "h1")] == ["Your account is deleted"], texts(body, "h1")
    assert "hs" not in a.cookies, "the session cookie was not cleared: %r" % h.get_all("set-cookie")
    assert a.handle not in body_text(body), "the goodbye page shows the handle"
    assert not is_logged_in(other_device), "another session of the deleted member still works"

    assert q1(stack, "select count(*) from users where id = %d or lower(handle) = lower('%s')"
              % (a.uid, a.handle)) == "0", "the member's row is still there"
    assert q1(stack, "select count(*) from sessions where user_id = %d" % a.uid) == "0"
    rows = stack.psql("select id, coalesce(parent_id, 0), coalesce(user_id, 0), state, body_md, body_html "
                      "from posts where thread_id = %d order by id" % tid).splitlines()
    got = [r.split("|") for r in rows]
    want = [[str(p1), "0", "0", "deleted", "", ""],
            [str(p2), str(p1), str(o.uid), "visible", "their words stay", "<p>their words stay</p>"],
            [str(p3), str(p2), "0", "deleted", "", ""],
            [str(p4), str(p3), str(o.uid), "visible", "their answer to my reply",
             "<p>their answer to my reply</p>"]]
    assert got == want, "the thread after deletion:\n%r\nwant\n%r" % (got, want)
    assert q1(stack, "select title || '|' || coalesce(user_id, 0) from threads where id = %d" % tid) == \
        "[deleted]|0", "the thread title is not [deleted]"
    assert q1(stack, "select title from threads where id = %d" % otid) == "Their thread stays"
    assert q1(stack, "select count(*) from post_revisions where post_id = %d" % p1) == "0", \
        "revisions of a deleted post remain"
    assert q1(stack, "select count(*) from redactions where post_id = %d" % p3) == "0", \
        "a redacted original of a deleted post remains"
    assert q1(stack, "select count(*) from post_support where user_id = %d" % a.uid) == "0"
    assert q1(stack, "select support_count from posts where id = %d" % op) == "0", "support count not decremented"
    assert q1(stack, "select support_count from posts where id = %d" % p2) == "0"

    st, _, body = Client(stack).get("/t/%d" % tid)
    if st == 200:
        text = body_text(body)
        assert "my words, gone soon" not in text and "A title that names me" not in text
        assert "their words stay" in text, "the thread page lost the other member's reply"

    # The handle stays reserved for the community's sake (issue 9, finding 6;
    # test_abuse.py tests it in full).
    again = Client(stack)
    st, _, _ = again.register(a.handle, "someone else entirely 123")
    assert st == 409, "registering the deleted handle again: %d, want 409 (reserved)" % st


def test_delete_account_keep_posts(stack):
    a = member(stack, "dk")
    o = member(stack, "dk")
    tid, p1 = make_thread(stack, a.uid, "Kept thread", "my words that may help someone")
    p2 = make_reply(stack, p1, o.uid, "thank you for sharing")
    p3 = make_reply(stack, p2, a.uid, "my kept reply")
    add_support(stack, p2, a.uid)

    st, h, body = a.post("/me/delete", delete_fields("keep"))
    assert st == 200, "POST /me/delete (posts=keep): %d\n%s" % (st, alert_text(body))
    assert [t.strip() for t in texts(body, "h1")] == ["Your account is deleted"], texts(body, "h1")
    assert "hs" not in a.cookies, "the session cookie was not cleared"

    assert q1(stack, "select count(*) from users where id = %d or lower(handle) = lower('%s')"
              % (a.uid, a.handle)) == "0", "the member's row is still there"
    rows = stack.psql("select id, coalesce(user_id, 0), state, body_md from posts where thread_id = %d "
                      "order by id" % tid).splitlines()
    want = ["%d|0|visible|my words that may help someone" % p1,
            "%d|%d|visible|thank you for sharing" % (p2, o.uid),
            "%d|0|visible|my kept reply" % p3]
    assert rows == want, "posts after deletion (keep):\n%r\nwant\n%r" % (rows, want)
    assert q1(stack, "select title || '|' || coalesce(user_id, 0) from threads where id = %d" % tid) == \
        "Kept thread|0"
    assert q1(stack, "select support_count from posts where id = %d" % p2) == "0"

    st, _, body = Client(stack).get("/t/%d" % tid)
    if st == 200:
        text = " ".join(body_text(body).split())
        assert "my words that may help someone" in text, "a kept post is missing from the thread page"
        assert a.handle not in text, "the thread page still shows the deleted member's handle"
        assert re.search(r"deleted member", text, re.I), "the thread page does not say 'deleted member'"
    st, _, _ = Client(stack).register(a.handle, "someone else entirely 123")
    assert st == 409, "registering the deleted handle again: %d, want 409 (reserved)" % st
