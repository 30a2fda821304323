"""Issue 9, findings 1, 2 and 7: who may see what a refused request shows, an
edit that a hold rule matches, and posting twice by reloading.

1. Every POST route that acts on a post is refused in every way the
   dispatcher refuses (no log-in, a bad CSRF token, invalid UTF-8, a field
   too long, a required field missing) against a held post, a hidden post
   and another member's post: the answer is a 4xx with the form given back
   from what was sent, and never the text of a post the asker may not see.
   The GET forms and /p/ID/thread of a held or hidden post are 404 for
   everyone but the author and the moderators.
2. Editing a visible post to say what a new post would be held for leaves
   the old text public (thread page, anonymous cache) until a moderator
   approves; the author gets the calm held notice; approval publishes it.
7. Every successful write answers a redirect; the same text from the same
   member in the same place a moment later is refused (409), text kept.
"""

import os
import uuid

from client import Client, form_value, message_of, post_id_from

STACK_OPTIONS = {"cache": True}

MOD_HANDLE = "safety_mod"
MOD_PASSWORD = "a long moderator password"
# A method with a quantity: held for a moderator (see test_writing).
HOLD_TEXT = "I have saved up 60 of my sleeping pills and I am taking all of them tonight"


def q(stack, sql):
    return stack.psql(sql).strip()


class World:
    def __init__(self, stack):
        self.stack = stack
        self.tag = uuid.uuid4().hex[:6]
        self.slug = "safety-" + self.tag
        r = stack.hearthctl("category", "add", self.slug, "Safety tests", "")
        assert r.returncode == 0, "category add: %s" % r.stderr
        r = stack.hearthctl("create-admin", MOD_HANDLE, "--password-stdin", input=MOD_PASSWORD + "\n")
        assert r.returncode == 0, "create-admin: %s" % r.stderr
        self.mod = Client(stack)
        st, _, body = self.mod.login(MOD_HANDLE, MOD_PASSWORD)
        assert st == 303, "moderator log-in: %d %s" % (st, message_of(body))
        self.author = self.member("author")
        self.other = self.member("other")
        # The author's thread with three replies: one stays visible, one is
        # held, one hidden by a moderator. Each carries a secret marker.
        self.visible_marker = "VISIBLEMARK" + self.tag
        self.held_marker = "HELDMARK" + self.tag
        self.hidden_marker = "HIDDENMARK" + self.tag
        self.opening = self.thread(self.author, "Safety thread", "An ordinary opening post.")
        self.visible = self.reply(self.author, self.opening, "Visible words " + self.visible_marker)
        self.held = self.reply(self.author, self.opening, "Held words " + self.held_marker)
        self.hidden = self.reply(self.author, self.opening, "Hidden words " + self.hidden_marker)
        q(stack, "update posts set state = 'held' where id = %d" % self.held)
        st, _, body = self.mod.post("/mod/p/%d" % self.hidden, [("action", "hide"), ("reason", "test")])
        assert st == 303, "hiding the post: %d %s" % (st, message_of(body))
        assert q(stack, "select state from posts where id = %d" % self.hidden) == "hidden"

    def member(self, prefix):
        c = Client(self.stack)
        handle = ("%s_%s" % (prefix, self.tag))[:30]
        st, _, body = c.register(handle, "a long enough password")
        assert st == 303, "register %s: %d %s" % (handle, st, message_of(body))
        return c

    def thread(self, client, title, body):
        st, loc, html = client.new_thread(self.slug, title, body)
        assert st == 303, "new thread: %d %s" % (st, message_of(html))
        return int(post_id_from(loc, html))

    def reply(self, client, parent, body):
        st, loc, html = client.reply(parent, body)
        assert st == 303, "reply: %d %s" % (st, message_of(html))
        return int(post_id_from(loc, html))


def world(stack):
    if not hasattr(stack, "safety_world"):
        stack.safety_world = World(stack)
    return stack.safety_world


# The POST routes that act on one post, with fields a browser would send
# and the field that takes text (None: the form has none to make too long).
POST_ROUTES = [
    ("reply", [("body", "typed reply text"), ("action", "post")], ("body", 50000)),
    ("edit", [("body", "typed edit text"), ("action", "post")], ("body", 50000)),
    ("delete", [("confirm", "yes")], None),
    ("support", [("x", "1")], None),
    ("report", [("reason", "spam"), ("details", "typed details")], ("details", 1000)),
]


def _refusals(w):
    """(label, client, how to send) for each way the dispatcher refuses."""
    anon = Client(w.stack)
    anon.refresh_csrf("/register")

    def no_login(path, fields):
        return anon.request("POST", path, form=fields + [("csrf", anon.csrf)])

    def bad_csrf(path, fields):
        return w.other.request("POST", path, form=fields + [("csrf", "x" * 43)])

    def bad_utf8(path, fields):
        body = "&".join("%s=%s" % (k, v.replace(" ", "+")) for k, v in fields)
        body += "&csrf=" + w.other.csrf + "&extra=%FF%FEbad"
        return w.other.request("POST", path, raw_body=body.encode())

    return [("anonymous", no_login), ("bad csrf", bad_csrf), ("invalid UTF-8", bad_utf8)]


def _too_long(w, text_field):
    """A member's POST whose text field is one character over its limit."""
    name, limit = text_field

    def send(path, fields):
        fields = [(k, v) for k, v in fields if k != name] + [(name, "x" * (limit + 1))]
        return w.other.request("POST", path, form=fields + [("csrf", w.other.csrf)])
    return ("too long", send)


def test_refused_posts_never_show_a_post_the_asker_may_not_see(stack):
    w = world(stack)
    w.other.refresh_csrf("/")
    problems, checks = [], 0
    targets = [("held", w.held, w.held_marker), ("hidden", w.hidden, w.hidden_marker),
               ("another member's", w.visible, w.visible_marker)]
    for what, pid, marker in targets:
        for route, fields, text_field in POST_ROUTES:
            ways = _refusals(w) + ([_too_long(w, text_field)] if text_field else [])
            for how, send in ways:
                path = "/p/%d/%s" % (pid, route)
                st, _, body = send(path, list(fields))
                text = body.decode("utf-8", "replace")
                checks += 1
                if not 400 <= st < 500:
                    problems.append("%s POST %s (%s post): %d, want 4xx" % (how, path, what, st))
                # A visible post's text is public (a reply form may show it);
                # its Markdown source is for its author (edit, delete).
                private = what != "another member's" or route in ("edit", "delete")
                if private and marker in text:
                    problems.append("%s POST %s (%s post, %d) shows the post's text" % (how, path, what, st))
    # The moderators' action route, refused for members and anonymous readers.
    for pid, marker in ((w.held, w.held_marker), (w.hidden, w.hidden_marker)):
        for how, send in _refusals(w)[:2]:
            st, _, body = send("/mod/p/%d" % pid, [("action", "approve"), ("reason", "x")])
            checks += 1
            if st != 403 or marker in body.decode("utf-8", "replace"):
                problems.append("%s POST /mod/p/%d: %d, text shown: %s" % (how, pid, st, marker in body.decode()))
    assert not problems, "%d of %d refusals wrong:\n  %s" % (len(problems), checks, "\n  ".join(problems[:20]))
    assert q(stack, "select state from posts where id = %d" % w.hidden) == "hidden", "a refused POST acted"
    assert q(stack, "select count(*) from flags where post_id in (%d, %d, %d) and source = 'report'"
             % (w.held, w.hidden, w.visible)) == "0", "a refused report was stored"


def test_refused_form_comes_back_from_what_was_sent(stack):
    w = world(stack)
    anon = Client(stack)
    anon.refresh_csrf("/register")
    st, _, body = anon.request("POST", "/p/%d/reply" % w.visible,
                               form=[("body", "my words \u2014 kept"), ("csrf", anon.csrf)])
    assert st == 403, "anonymous reply: %d" % st
    assert form_value(body, "body") == "my words \u2014 kept", "the text is not given back: %r" % form_value(body, "body")
    assert "logged in" in message_of(body), "the message does not say why: %r" % message_of(body)
    # A password is never echoed.
    st, _, body = anon.request("POST", "/login", form=[("handle", "someone"), ("password", "s3cret-typed"),
                                                       ("csrf", "wrong")])
    assert st == 403 and b"s3cret-typed" not in body, "the log-in refusal: %d, password echoed: %s" % (
        st, b"s3cret-typed" in body)
    assert form_value(body, "handle") == "someone"


def test_forms_of_hidden_and_held_posts_are_404_for_others(stack):
    w = world(stack)
    anon = Client(stack)
    for pid, marker in ((w.held, w.held_marker), (w.hidden, w.hidden_marker)):
        for route in ("reply", "edit", "report", "revisions"):
            st, _, body = w.other.get("/p/%d/%s" % (pid, route))
            assert st == 404 and marker.encode() not in body, \
                "another member's GET /p/%d/%s: %d (text shown: %s)" % (pid, route, st, marker.encode() in body)
    for who, c in (("anonymous", anon), ("another member", w.other)):
        st, _, body = c.get("/p/%d/thread" % w.held)
        assert st == 404, "%s: /p/<held>/thread answered %d, want 404" % (who, st)
        assert w.held_marker.encode() not in body
    for who, c in (("the author", w.author), ("a moderator", w.mod)):
        st, _, body = c.get("/p/%d/thread" % w.held)
        assert st == 200 and w.held_marker.encode() in body, "%s: /p/<held>/thread %d" % (who, st)


def _cache_file(stack, tid):
    return os.path.join(stack.tmp, "cache", "t", "%d.html" % tid)


def test_edit_matching_a_hold_rule_waits_for_a_moderator(stack):
    w = world(stack)
    a = w.author
    marker = "EDITOLD" + uuid.uuid4().hex[:6]
    pid = w.reply(a, w.opening, "A calm reply " + marker)
    tid = int(q(stack, "select thread_id from posts where id = %d" % pid))
    st, _, page = stack.http("GET", "/t/%d" % tid)    # stores the anonymous page
    assert st == 200 and marker.encode() in page
    st, loc, html = a.edit(pid, HOLD_TEXT)
    assert st == 303 and loc in ("/p/%d/posted" % pid, "/p/%d/posted?crisis=1" % pid), \
        "a held edit: %d Location %r" % (st, loc)
    st, _, notice = a.get(loc)
    assert st == 200 and b"Your edit is saved" in notice and b"moderator" in notice, "no calm notice: %d" % st
    assert q(stack, "select state from posts where id = %d" % pid) == "visible"
    assert marker in q(stack, "select body_md from posts where id = %d" % pid), "the public text changed"
    for who, c in (("anonymous", Client(stack)), ("another member", w.other)):
        st, _, page = c.get("/t/%d" % tid)
        assert st == 200 and marker.encode() in page, "%s lost the last visible text: %d" % (who, st)
        assert b"sleeping pills" not in page, "%s sees the held edit" % who
    path = _cache_file(stack, tid)
    if os.path.exists(path):
        assert "sleeping pills" not in open(path, encoding="utf-8").read(), "the held edit is in the cache"
    # The author going back to the form finds what they last wrote.
    st, _, form = a.get("/p/%d/edit" % pid)
    assert "sleeping pills" in (form_value(form, "body") or ""), "the edit form lost the held edit"
    # The moderator sees the edit and approves it: it goes public.
    st, _, item = w.mod.get("/mod/p/%d" % pid)
    assert st == 200 and b"An edit waiting for you" in item and b"sleeping pills" in item, \
        "the review item does not show the held edit"
    st, _, body = w.mod.post("/mod/p/%d" % pid, [("action", "approve"), ("reason", "talked with them")])
    assert st == 303, "approve: %d %s" % (st, message_of(body))
    assert "sleeping pills" in q(stack, "select body_md from posts where id = %d" % pid)
    assert marker in q(stack, "select body_md from post_revisions where post_id = %d" % pid), \
        "the earlier text is not kept as a revision"
    assert q(stack, "select count(*) from post_pending_edits where post_id = %d" % pid) == "0"


def test_hide_drops_a_held_edit(stack):
    w = world(stack)
    marker = "HIDEEDIT" + uuid.uuid4().hex[:6]
    pid = w.reply(w.author, w.opening, "Another calm reply " + marker)
    st, loc, _ = w.author.edit(pid, HOLD_TEXT)
    assert st == 303, "held edit: %d" % st
    st, _, _ = w.mod.post("/mod/p/%d" % pid, [("action", "hide"), ("reason", "method detail")])
    assert st == 303
    assert q(stack, "select state from posts where id = %d" % pid) == "hidden"
    assert q(stack, "select count(*) from post_pending_edits where post_id = %d" % pid) == "0"
    assert "sleeping pills" not in q(stack, "select body_md from posts where id = %d" % pid)


def test_every_successful_post_redirects_and_a_repeat_is_refused(stack):
    w = world(stack)
    a = w.member("twice")
    body = "I can't do this anymore, I want to end it all tonight " + uuid.uuid4().hex[:6]
    st, loc, html = a.new_thread(w.slug, "Tonight", body)
    assert st == 303, "a crisis thread answered %d, want a redirect (a reload would post again)" % st
    assert loc.endswith("/posted?crisis=1"), "Location %r" % loc
    st, _, page = a.get(loc)
    assert st == 200 and b"crisis" in page.lower(), "the thank-you page: %d" % st
    # Another member cannot open someone's thank-you page.
    st, _, _ = w.other.get(loc)
    assert st == 404, "another member's GET %s: %d, want 404" % (loc, st)
    # The same post again (a reload of an old-style page, a double click).
    st, _, html = a.new_thread(w.slug, "Tonight", body)
    assert st == 409, "the same thread twice: %d, want 409" % st
    assert form_value(html, "body") == body, "the repeated text is not kept in the form"
    assert q(stack, "select count(*) from posts where body_md = '%s'" % body.replace("'", "''")) == "1"
    pid = int(loc.split("/")[2])
    reply = "Thank you all " + uuid.uuid4().hex[:6]
    st, _, _ = a.reply(pid, reply)
    assert st == 303
    st, _, html = a.reply(pid, reply)
    assert st == 409 and "moment ago" in message_of(html), "the same reply twice: %d" % st
    # The same words elsewhere are a new post.
    st, _, _ = a.reply(w.opening, reply)
    assert st == 303, "the same words in another place: %d" % st
