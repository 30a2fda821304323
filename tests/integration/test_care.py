"""Care and privacy (issue 13), through the real stack (cache on, so thread
pages come from the anonymous cache and from members' stored parts):

1. Profiles and post lists are for logged-in members by default
   (profiles_public = 0); a member can hide their post list; a post with a
   crisis flag is never listed on a profile but to its author and the
   moderators (it stays in its thread).
2. A quick exit on every page, to a neutral page of the site itself, with the
   one self-hosted script the CSP allows.
3. Content warnings: the author's (compose form, at most 100 characters),
   a moderator's (review page, reason in the audit log), shown with <details>
   in the shared render, opened for a member who asks for it.
4. Recovery codes: ten, shown once after registration, stored hashed,
   regenerable with the password; "forgot your password" takes a handle, a
   code and a new password under the log-in throttling.
"""

import re
import subprocess
import uuid

from harness import wait_for
from client import Client, csrf_from, find_all, message_of, parse, post_id_from

STACK_OPTIONS = {"cache": True, "workers": 2}

PASSWORD = "correct horse battery staple"
MOD_PASSWORD = "a long moderator password"
# Feelings of crisis: flagged (crisis) and visible to peers at once.
CRISIS_TEXT = "I can't do this anymore, I want to end it all tonight"


def q(stack, sql):
    return stack.psql(sql).strip()


class World:
    def __init__(self, stack):
        self.stack = stack
        self.tag = uuid.uuid4().hex[:6]
        self.slug = "care-" + self.tag
        r = stack.hearthctl("category", "add", self.slug, "Care tests", "")
        assert r.returncode == 0, "category add: %s" % r.stderr
        self.mod_handle = "care_mod_" + self.tag
        r = stack.hearthctl("create-admin", self.mod_handle, "--password-stdin", input=MOD_PASSWORD + "\n")
        assert r.returncode == 0, "create-admin: %s" % r.stderr
        self.mod = Client(stack)
        st, _, body = self.mod.login(self.mod_handle, MOD_PASSWORD)
        assert st == 303, "moderator log-in: %d %s" % (st, message_of(body))

    def member(self, prefix):
        c = Client(self.stack)
        handle = "%s_%s" % (prefix, uuid.uuid4().hex[:8])
        st, h, body = c.register(handle, PASSWORD)
        assert st == 303 and c.logged_in(), "register %s: %d %s" % (handle, st, message_of(body))
        c.location = h.get("location")
        c.uid = int(q(self.stack, "select id from users where handle = '%s'" % handle))
        return c

    def thread(self, who, title, body, warning=None):
        fields = [("title", title)] + ([("warning", warning)] if warning is not None else []) + \
                 [("body", body), ("action", "post")]
        st, h, html = who.post("/c/%s/new" % self.slug, fields)
        assert st == 303, "new thread: %d %s" % (st, message_of(html))
        pid = int(post_id_from(h.get("location"), html))
        return pid, int(q(self.stack, "select thread_id from posts where id = %d" % pid))


_WORLD = {}


def world(stack):
    if "w" not in _WORLD:
        _WORLD["w"] = World(stack)
    return _WORLD["w"]


def anon_page(c, path, pred):
    """An anonymous page once pred(body) holds: pages from nginx's cache may
    lag a write by up to a second (DESIGN.md); the last body either way."""
    last = {}

    def probe():
        st, _, body = c.get(path)
        last["body"] = body
        return st == 200 and pred(body)
    wait_for(probe, 5.0)
    return last["body"]


def post_links(body):
    return sorted(int(x) for x in re.findall(rb'<a href="/p/(\d+)"><time', body))


# ---------------------------------------------------------------- 1. privacy


def test_profiles_are_for_members_by_default(stack):
    w = world(stack)
    a = w.member("prof")
    anon = Client(stack)
    for handle in (a.handle, "nobody_" + w.tag):
        st, h, body = anon.get("/u/%s" % handle)
        # The same answer whether the member exists or not.
        assert st == 303 and h.get("location") == "/login?next=/u/%s" % handle, \
            "anonymous GET /u/%s: %d %r, want a redirect to log in" % (handle, st, h.get("location"))
        assert handle.encode() not in body, "the redirect names the member"
    b = w.member("peer")
    st, _, body = b.get("/u/%s" % a.handle)
    assert st == 200 and a.handle.encode() in body, "a member's GET /u/%s: %d" % (a.handle, st)


def test_crisis_posts_are_never_listed_on_a_profile(stack):
    w = world(stack)
    a = w.member("crisis")
    calm_pid, _ = w.thread(a, "Small wins", "I went for a walk today " + w.tag)
    crisis_pid, crisis_tid = w.thread(a, "Tonight", CRISIS_TEXT + " " + w.tag)
    assert q(stack, "select count(*) from flags where post_id = %d and top_category = 'crisis'"
             % crisis_pid) != "0", "the crisis text was not flagged: the test needs a crisis post"
    assert q(stack, "select state from posts where id = %d" % crisis_pid) == "visible", \
        "the crisis post should be visible to peers (flagged, not held)"
    peer = w.member("reader")
    st, _, body = peer.get("/u/%s" % a.handle)
    assert st == 200, "GET /u/%s: %d" % (a.handle, st)
    ids = post_links(body)
    assert calm_pid in ids, "the ordinary post is missing from the profile: %r" % ids
    assert crisis_pid not in ids and b"end it all" not in body, \
        "another member sees the crisis post on the profile: %r" % ids
    # Still in its thread for peers: the profile does not gather it, that is all.
    st, _, body = peer.get("/t/%d" % crisis_tid)
    assert st == 200 and b"end it all" in body, "the crisis thread itself: %d" % st
    # The author and the moderators see it listed.
    for who, c in (("author", a), ("moderator", w.mod)):
        st, _, body = c.get("/u/%s" % a.handle)
        assert st == 200 and crisis_pid in post_links(body), "%s: crisis post not listed" % who
    # A member's crisis report counts as a crisis flag too.
    other_pid, _ = w.thread(a, "Reported", "Another ordinary post " + w.tag)
    st, _, body = peer.post("/p/%d/report" % other_pid, [("reason", "crisis"), ("details", "worried")])
    assert st in (200, 303), "report: %d %s" % (st, message_of(body))
    assert q(stack, "select count(*) from flags where post_id = %d and top_category = 'crisis'" % other_pid) == "1"
    st, _, body = w.member("third").get("/u/%s" % a.handle)
    assert other_pid not in post_links(body), "a post reported as a crisis is still listed"


def test_a_member_can_hide_their_post_list(stack):
    w = world(stack)
    a = w.member("hider")
    pid, _ = w.thread(a, "A quiet post", "Just checking in " + w.tag)
    peer = w.member("looker")
    st, _, body = peer.get("/u/%s" % a.handle)
    assert pid in post_links(body), "before hiding: the post is listed"
    st, h, body = a.post("/me/settings", [("posts_hidden", "1")])
    assert st == 303 and h.get("location") == "/me/settings?saved=1", "save settings: %d %s" % (
        st, message_of(body))
    st, _, body = a.get("/me/settings")
    box = find_all(body, "input", id="posts_hidden")
    assert box and "checked" in box[0].attrs, "the settings page does not show the choice"
    st, _, body = peer.get("/u/%s" % a.handle)
    assert st == 200 and post_links(body) == [] and b"keeps their posts to themselves" in body, \
        "another member still sees the list: %r" % post_links(body)
    st, _, body = peer.get("/u/%s?before=2999-01-01T00:00:00.000000Z,999999999" % a.handle)
    assert post_links(body) == [], "a later page of the hidden list"
    for who, c in (("author", a), ("moderator", w.mod)):
        st, _, body = c.get("/u/%s" % a.handle)
        assert pid in post_links(body), "%s does not see the hidden list" % who
    st, _, _ = a.post("/me/settings", [])
    assert st == 303
    st, _, body = peer.get("/u/%s" % a.handle)
    assert pid in post_links(body), "the list is back once shown again"
    # A refused settings form (bad token) changes nothing.
    st, _, _ = a.request("POST", "/me/settings", form=[("posts_hidden", "1"), ("csrf", "x" * 43)])
    assert st == 403, "a bad token: %d" % st
    assert q(stack, "select posts_hidden from users where id = %d" % a.uid) == "f"


# ---------------------------------------------------------------- 2. quick exit


def quick_exit(body, where):
    links = find_all(body, "a", id="quick-exit")
    assert len(links) == 1, "%s: %d quick-exit links" % (where, len(links))
    assert links[0].get("href") == "/weather", "%s: quick exit goes to %r" % (where, links[0].get("href"))
    assert "quick exit" in links[0].text().lower(), "%s: the link says %r" % (where, links[0].text())
    scripts = find_all(body, "script")
    assert [s.get("src") for s in scripts] == ["/static/quick-exit.js"], "%s: scripts %r" % (
        where, [s.attrs for s in scripts])


def test_quick_exit_on_every_page(stack):
    w = world(stack)
    a = w.member("exit")
    pid, tid = w.thread(a, "Exit test", "Some words " + w.tag)
    anon = Client(stack)
    anon.get("/t/%d" % tid)             # stores the anonymous page
    pages = [(anon, "/"), (anon, "/help"), (anon, "/login"), (anon, "/register"), (anon, "/forgot"),
             (anon, "/t/%d" % tid), (anon, "/t/%d" % tid), (anon, "/c/%s" % w.slug), (anon, "/no/such/page"),
             (a, "/"), (a, "/t/%d" % tid), (a, "/u/%s" % a.handle), (a, "/me/settings"),
             (a, "/me/recovery"), (a, "/p/%d/reply" % pid), (w.mod, "/mod"), (w.mod, "/t/%d" % tid)]
    for c, path in pages:
        st, h, body = c.get(path)
        assert st in (200, 404), "GET %s: %d" % (path, st)
        quick_exit(body, path)
        csp = h.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "default-src 'none'" in csp, "%s: CSP %r" % (path, csp)
    st, _, body = anon.get("/weather")
    assert st == 200, "GET /weather: %d" % st
    assert b"Hearth" not in body and b"quick-exit" not in body and b"/login" not in body, \
        "the neutral page shows the forum"
    assert find_all(body, "h1")[0].text() == "Weather"
    st, h, js = anon.get("/static/quick-exit.js")
    assert st == 200 and "javascript" in h.get("content-type", ""), "the script: %d %r" % (
        st, h.get("content-type"))
    assert b"location.replace" in js and b"Escape" in js, "the script replaces history and answers Escape"


def ctl_with_quick_exit(stack, url):
    """hearthctl (which loads the configuration as hearth-fcgi does) with
    quick_exit_url set through the environment."""
    env = stack.user.env(dict(stack.extra_env or {}, HEARTH_QUICK_EXIT_URL=url))
    return subprocess.run([stack.ctl_bin, "-c", stack.conf_path, "category", "list"], capture_output=True,
                          text=True, timeout=60, cwd=stack.tmp, env=env, **stack.user.popen_kwargs())


def test_quick_exit_url_is_checked(stack):
    for bad in ("javascript:alert(1)", "//evil.example/", "http://plain.example/", "/a b", "/x\"y"):
        r = ctl_with_quick_exit(stack, bad)
        assert r.returncode != 0 and "quick_exit_url" in r.stderr, "%r accepted: %s" % (bad, r.stderr)
    for good in ("https://www.example.org/", "/notes"):
        r = ctl_with_quick_exit(stack, good)
        assert r.returncode == 0, "%r refused: %s" % (good, r.stderr)


# ---------------------------------------------------------------- 3. content warnings


def warning_of(body, pid):
    """(summary text, open?, body inside the details?) of post pid, or None."""
    doc = parse(body)
    art = [n for n in doc.iter() if n.tag == "article" and n.get("id") == "p%d" % pid]
    assert art, "post %d is not on the page" % pid
    # Its own, not those of the replies nested inside it.
    det = [n for n in art[0].iter() if n.tag == "details" and "cw" in (n.get("class") or "").split()
           and next(x for x in n.ancestors() if x.tag == "article") is art[0]]
    if not det:
        return None
    summ = [n for n in det[0].iter() if n.tag == "summary"]
    inner = [n for n in det[0].iter() if "post-body" in (n.get("class") or "").split()]
    return " ".join(summ[0].text().split()), "open" in det[0].attrs, bool(inner)


def test_author_content_warning(stack):
    w = world(stack)
    a = w.member("cw")
    pid, tid = w.thread(a, "About last year", "The words of a hard time " + w.tag, warning="  self-harm ")
    assert q(stack, "select content_warning from posts where id = %d" % pid) == "self-harm"
    peer = w.member("cwreader")
    anon = Client(stack)
    for who, c in (("anonymous", anon), ("anonymous (cached)", anon), ("member", peer), ("author", a),
                   ("moderator", w.mod)):
        st, _, body = c.get("/t/%d" % tid)
        assert st == 200, "%s GET /t/%d: %d" % (who, tid, st)
        cw = warning_of(body, pid)
        assert cw and "self-harm" in cw[0] and not cw[1] and cw[2], \
            "%s: the warning, closed, with the post inside: %r" % (who, cw)
    # A reply with a warning, through the reply form.
    st, h, body = peer.post("/p/%d/reply" % pid, [("warning", "loss"), ("body", "Mine too " + w.tag),
                                                  ("action", "post")])
    assert st == 303, "reply with a warning: %d %s" % (st, message_of(body))
    rid = int(post_id_from(h.get("location"), body))
    body = anon_page(anon, "/t/%d" % tid, lambda b: b"loss" in b)
    cw = warning_of(body, rid)
    assert cw and "loss" in cw[0], "the reply's warning: %r" % (cw,)
    # Too long: 422, everything typed kept.
    long_warning = "x" * 101
    st, _, body = a.post("/c/%s/new" % w.slug, [("title", "Too long"), ("warning", long_warning),
                                                ("body", "kept body " + w.tag), ("action", "post")])
    assert st == 422 and b"100 characters" in body, "101 characters: %d %s" % (st, message_of(body))
    assert ("kept body " + w.tag).encode() in body, "the text was lost"
    # The author edits it away; the edit form shows the current one first.
    st, _, body = a.get("/p/%d/edit" % pid)
    assert find_all(body, "input", id="warning")[0].get("value") == "self-harm", "edit form"
    st, _, body = a.post("/p/%d/edit" % pid, [("title", "About last year"), ("warning", ""),
                                              ("body", "The words of a hard time " + w.tag), ("action", "post")])
    assert st == 303, "edit: %d %s" % (st, message_of(body))
    assert q(stack, "select coalesce(content_warning, '-') from posts where id = %d" % pid) == "-"
    body = anon_page(anon, "/t/%d" % tid, lambda b: warning_of(b, pid) is None)
    assert warning_of(body, pid) is None, "the warning is still shown after the author removed it"


def test_always_open_is_per_member(stack):
    w = world(stack)
    a = w.member("cwo")
    pid, tid = w.thread(a, "Open or not", "Hard words " + w.tag, warning="loss")
    opener = w.member("opener")
    closer = w.member("closer")
    st, _, _ = opener.post("/me/settings", [("cw_open", "1")])
    assert st == 303
    for _ in range(2):                  # the second from stored parts
        st, _, body = closer.get("/t/%d" % tid)
        assert warning_of(body, pid)[1] is False, "a member who did not ask gets it open"
        st, _, body = opener.get("/t/%d" % tid)
        cw = warning_of(body, pid)
        assert cw[1] is True and "loss" in cw[0], "the member who asked gets it closed: %r" % (cw,)
        st, _, body = Client(stack).get("/t/%d" % tid)
        assert warning_of(body, pid)[1] is False, "the anonymous page is open"
    st, _, body = w.mod.post("/me/settings", [("cw_open", "1")])
    st, _, body = w.mod.get("/t/%d" % tid)
    assert warning_of(body, pid)[1] is True, "a moderator's full render ignores the choice"
    w.mod.post("/me/settings", [])


def test_moderator_content_warning(stack):
    w = world(stack)
    a = w.member("cwm")
    pid, tid = w.thread(a, "Without a warning", "Words that need one " + w.tag)
    anon = Client(stack)
    st, _, body = anon.get("/t/%d" % tid)
    assert warning_of(body, pid) is None
    # Without a reason: refused, nothing changed, the warning kept in the form.
    st, _, body = w.mod.post("/mod/p/%d" % pid, [("action", "warning"), ("warning", "suicide"), ("reason", "")])
    assert st == 422, "no reason: %d" % st
    assert find_all(body, "input", id="cw")[0].get("value") == "suicide", "the typed warning is lost"
    assert q(stack, "select coalesce(content_warning, '-') from posts where id = %d" % pid) == "-"
    st, h, body = w.mod.post("/mod/p/%d" % pid, [("action", "warning"), ("warning", "suicide"),
                                                 ("reason", "talk of suicide")])
    assert st == 303, "set a warning: %d %s" % (st, message_of(body))
    assert q(stack, "select content_warning from posts where id = %d" % pid) == "suicide"
    row = q(stack, "select action || '|' || reason || '|' || detail from audit_log where post_id = %d "
                   "order by id desc limit 1" % pid)
    assert row.startswith("warning|talk of suicide|") and "suicide" in row.split("|")[2], "audit: %r" % row
    body = anon_page(anon, "/t/%d" % tid, lambda b: warning_of(b, pid) is not None)
    cw = warning_of(body, pid)
    assert cw and "suicide" in cw[0], "readers do not see the moderator's warning: %r" % (cw,)
    st, _, body = w.mod.get("/mod/audit")
    assert b"changed the content warning of" in body, "the audit log page"
    # A member cannot do it.
    st, _, _ = a.post("/mod/p/%d" % pid, [("action", "warning"), ("warning", ""), ("reason", "mine")])
    assert st == 403, "a member's moderator action: %d" % st
    # Over 100 characters: 422.
    st, _, body = w.mod.post("/mod/p/%d" % pid, [("action", "warning"), ("warning", "y" * 101),
                                                 ("reason", "too long")])
    assert st == 422, "101 characters: %d" % st


def test_warning_of_a_held_post_is_not_shown_to_others(stack):
    w = world(stack)
    a = w.member("cwh")
    pid, tid = w.thread(a, "Open thread", "Fine words " + w.tag)
    st, h, body = a.post("/p/%d/reply" % pid, [("warning", "HELDWARNING"), ("body", "held reply " + w.tag),
                                               ("action", "post")])
    rid = int(post_id_from(h.get("location"), body))
    q(stack, "update posts set state = 'held' where id = %d" % rid)
    for c in (Client(stack), w.member("other")):
        st, _, body = c.get("/t/%d" % tid)
        assert b"HELDWARNING" not in body, "a held post's warning leaks to others"
    st, _, body = a.get("/t/%d" % tid)
    assert b"HELDWARNING" in body, "the author sees their held post's warning"


# ---------------------------------------------------------------- 4. recovery codes


CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")


def codes_on(body):
    return [n.text() for n in find_all(body, "code")]


def test_recovery_codes_shown_once_after_registration(stack):
    w = world(stack)
    c = w.member("rc")
    assert c.location == "/me/recovery/codes?welcome=1", "registration goes to %r" % c.location
    st, h, body = c.get(c.location)
    assert st == 200 and "no-store" in h.get("cache-control", ""), "codes page: %d" % st
    codes = codes_on(body)
    assert len(codes) == 10 and all(CODE.match(x) for x in codes) and len(set(codes)) == 10, codes
    stored = q(stack, "select string_agg(code_hash, ',') from recovery_codes where user_id = %d" % c.uid)
    assert len(stored.split(",")) == 10, "stored codes: %r" % stored
    for x in codes:
        assert x not in stored and x.replace("-", "") not in stored, "a code is stored in clear"
    assert "hr" not in c.cookies, "the cookie with the codes was not cleared"
    st, _, body = c.get(c.location)
    assert st == 200 and codes_on(body) == [], "the codes are shown a second time"
    c.codes = codes
    _WORLD["rc"] = c


def forgot(c, handle, code, new, confirm=None):
    st, _, body = c.get("/forgot")
    tok = csrf_from(body)
    return c.request("POST", "/forgot", form=[("handle", handle), ("code", code), ("new", new),
                                              ("confirm", new if confirm is None else confirm),
                                              ("csrf", tok)])


def test_forgot_password_with_a_code(stack):
    w = world(stack)
    c = w.member("fp")
    st, _, body = c.get(c.location)
    codes = codes_on(body)
    assert len(codes) == 10
    stranger = Client(stack)
    st, _, body = forgot(stranger, c.handle, "AAAA-BBBB-CCCC-DDDD", "a new password for me")
    assert st == 403 and b"do not match" in body, "a wrong code: %d %s" % (st, message_of(body))
    assert find_all(body, "input", id="handle")[0].get("value") == c.handle, "the handle is not kept"
    st, _, body = forgot(stranger, c.handle, codes[0], "short")
    assert st == 422, "a short password: %d" % st
    new_password = "a brand new password " + w.tag
    st, h, body = forgot(stranger, c.handle, codes[0].lower().replace("-", " "), new_password)
    assert st == 303 and h.get("location") == "/me/recovery?used=1", "the right code: %d %s" % (
        st, message_of(body))
    assert stranger.logged_in(), "not logged in after the reset"
    st, _, body = stranger.get("/me/recovery")
    assert b"9 recovery codes" in body, "codes left: %s" % message_of(body)
    # Every older session ended; the old password is gone, the new one works.
    st, h, _ = c.get("/me/sessions")
    assert st == 303, "the old session still works after the reset: %d" % st
    st, _, _ = Client(stack).login(c.handle, PASSWORD)
    assert st == 403, "the old password still works"
    st, _, _ = Client(stack).login(c.handle, new_password)
    assert st == 303, "the new password does not work"
    # A code works once.
    st, _, body = forgot(Client(stack), c.handle, codes[0], "yet another password")
    assert st == 403, "a used code worked again: %d" % st


def test_forgot_password_is_throttled_like_log_in(stack):
    w = world(stack)
    c = w.member("thr")
    st, _, body = c.get(c.location)
    good = codes_on(body)[0]
    guesser = Client(stack)
    statuses = [forgot(guesser, c.handle, "AAAA-BBBB-CCCC-%04d" % i, "a guessed new password")[0]
                for i in range(5)]
    assert statuses == [403] * 5, "five wrong codes: %r" % statuses
    st, h, body = forgot(guesser, c.handle, good, "a guessed new password")
    assert st == 429 and h.get("retry-after"), "the sixth try is not slowed down: %d" % st
    assert q(stack, "select count(*) from recovery_codes where user_id = %d" % c.uid) == "10", \
        "a throttled try used a code"
    # The log-in form counts the same failures for this handle.
    st, _, _ = Client(stack).login(c.handle, PASSWORD)
    assert st == 429, "log-in after five wrong codes: %d" % st


def test_regenerate_recovery_codes(stack):
    w = world(stack)
    c = w.member("regen")
    st, _, body = c.get(c.location)
    old = codes_on(body)
    st, _, body = c.post("/me/recovery", [("password", "not my password")])
    assert st == 422, "a wrong password: %d" % st
    assert q(stack, "select count(*) from recovery_codes where user_id = %d" % c.uid) == "10"
    st, h, body = c.post("/me/recovery", [("password", PASSWORD)])
    assert st == 303 and h.get("location") == "/me/recovery/codes", "new codes: %d %s" % (
        st, message_of(body))
    st, _, body = c.get("/me/recovery/codes")
    new = codes_on(body)
    assert len(new) == 10 and not set(new) & set(old), "new codes: %r" % new
    st, _, _ = forgot(Client(stack), c.handle, old[1], "a password from an old code")
    assert st == 403, "an old code still works after regenerating"
    st, _, _ = forgot(Client(stack), c.handle, new[1], "a password from a new code")
    assert st == 303, "a new code does not work"


# ---------------------------------------------------------------- 5. take a break


def test_take_a_break(stack):
    w = world(stack)
    a = w.member("brk")
    other_device = Client(stack)
    st, _, _ = other_device.login(a.handle, PASSWORD)
    assert st == 303
    # Not without ticking the box; not for an unknown length.
    st, _, body = a.post("/me/break", [("days", "7")])
    assert st == 422 and b"Yes, pause my account" in body, "no confirmation: %d" % st
    st, _, body = a.post("/me/break", [("days", "1000"), ("confirm", "yes")])
    assert st == 422, "1000 days: %d" % st
    assert q(stack, "select coalesce(away_until::text, '-') from users where id = %d" % a.uid) == "-"
    st, h, body = a.post("/me/break", [("days", "7"), ("confirm", "yes")])
    assert st == 303 and h.get("location", "").startswith("/break?until="), "break: %d %s" % (
        st, message_of(body))
    assert q(stack, "select (away_until - now() between interval '6 days 23 hours' and interval '7 days') "
                    "from users where id = %d" % a.uid) == "t", "the break is not a week long"
    assert q(stack, "select count(*) from sessions where user_id = %d" % a.uid) == "0", "sessions remain"
    assert not a.logged_in(), "the session cookie was not cleared"
    st, _, body = a.get(h["location"])
    assert st == 200 and b"Enjoy your break" in body
    st, _, _ = other_device.get("/me/sessions")
    assert st == 303, "the other device is still logged in: %d" % st
    # Others see them as away.
    st, _, body = w.member("friend").get("/u/%s" % a.handle)
    assert b"Taking a break" in body, "the profile does not say away"
    # Logging in early ends the break, with a kind word.
    st, h, _ = Client(stack).login(a.handle, PASSWORD)
    assert st == 303 and h.get("location") == "/welcome-back?early=1", "log-in during a break: %r" % (
        h.get("location"),)
    assert q(stack, "select coalesce(away_until::text, '-') from users where id = %d" % a.uid) == "-"
    st, _, body = w.member("friend2").get("/u/%s" % a.handle)
    assert b"Taking a break" not in body, "still away after coming back"
    # A break that ran its course: the welcome without "early".
    q(stack, "update users set away_until = now() - interval '1 minute' where id = %d" % a.uid)
    c = Client(stack)
    st, h, _ = c.login(a.handle, PASSWORD)
    assert h.get("location") == "/welcome-back", "after a whole break: %r" % h.get("location")
    st, _, body = c.get("/welcome-back")
    assert st == 200 and b"Welcome back" in body and b"early" not in body
