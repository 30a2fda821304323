"""Guidance for repliers (issue 13, "Reading with care"), through the real
stack with the caches on (members' thread pages from stored parts):

- a thread with a visible post that carries a crisis flag (the filter's or
  a member's crisis report) shows the site's note for repliers in its reply
  box, on the thread page and on the reply page /p/ID/reply;
- an ordinary thread shows none, and a held crisis post alone tells nobody
  anything (no note for other members, the moderators or its author);
- the note is the operator's replier_guidance_file when set (this module
  sets one), and a crisis report on a thread already stored brings it in.
"""

import os
import re
import tempfile
import uuid

from client import Client, message_of, post_id_from

GUIDE_MARK = "GuideMark" + uuid.uuid4().hex[:6]
GUIDE_TEXT = ("# a comment line, not shown\n"
              "Listen first. %s: do not promise secrecy,\n"
              "and point to the resources.\n"
              "\n"
              "Do not describe methods.\n") % GUIDE_MARK


def _guide_file():
    d = tempfile.mkdtemp(prefix="hearth-guide-")
    os.chmod(d, 0o755)
    path = os.path.join(d, "guidance.txt")
    with open(path, "w") as f:
        f.write(GUIDE_TEXT)
    os.chmod(path, 0o644)
    return path


STACK_OPTIONS = {"cache": True, "workers": 2, "conf": {"replier_guidance_file": _guide_file()}}

PASSWORD = "correct horse battery staple"
MOD_PASSWORD = "a long moderator password"
CRISIS_TEXT = "I can't do this anymore, I want to end it all tonight"
HELD_TEXT = "I have saved up 60 of my sleeping pills and I am taking all of them tonight"
ORDINARY_TEXT = "Today I went for a walk by the river and it helped a little."
HEADING = b"Answering someone who may be at risk"


def q(stack, sql):
    return stack.psql(sql).strip()


class World:
    def __init__(self, stack):
        self.stack = stack
        self.tag = uuid.uuid4().hex[:6]
        self.slug = "guide-" + self.tag
        r = stack.hearthctl("category", "add", self.slug, "Guide tests", "")
        assert r.returncode == 0, "category add: %s" % r.stderr
        mod_handle = "guide_mod_" + self.tag
        r = stack.hearthctl("create-admin", mod_handle, "--password-stdin", input=MOD_PASSWORD + "\n")
        assert r.returncode == 0, "create-admin: %s" % r.stderr
        self.mod = Client(stack)
        st, _, body = self.mod.login(mod_handle, MOD_PASSWORD)
        assert st == 303, "moderator log-in: %d %s" % (st, message_of(body))

    def member(self, prefix):
        c = Client(self.stack)
        handle = "%s_%s" % (prefix, uuid.uuid4().hex[:8])
        st, _, body = c.register(handle, PASSWORD)
        assert st == 303 and c.logged_in(), "register %s: %d %s" % (handle, st, message_of(body))
        return c

    def thread(self, who, body):
        st, h, html = who.post("/c/%s/new" % self.slug,
                               [("title", "Thread " + uuid.uuid4().hex[:6]), ("body", body), ("action", "post")])
        assert st == 303, "new thread: %d %s" % (st, message_of(html))
        pid = int(post_id_from(h.get("location"), html))
        return pid, int(q(self.stack, "select thread_id from posts where id = %d" % pid))

    def reply(self, who, parent, body):
        st, h, html = who.post("/p/%d/reply" % parent, [("body", body), ("action", "post")])
        assert st == 303, "reply: %d %s" % (st, message_of(html))
        return int(post_id_from(h.get("location"), html))


_WORLD = {}


def world(stack):
    if "w" not in _WORLD:
        _WORLD["w"] = World(stack)
    return _WORLD["w"]


def has_note(body):
    return HEADING in body and GUIDE_MARK.encode() in body


def page(c, path):
    st, _, body = c.get(path)
    assert st == 200, "GET %s: %d %s" % (path, st, message_of(body))
    return body


def test_crisis_thread_shows_the_note_in_the_reply_box(stack):
    w = world(stack)
    author, reader = w.member("gauthor"), w.member("greader")
    pid, tid = w.thread(author, CRISIS_TEXT)
    assert q(stack, "select state from posts where id = %d" % pid) == "visible"
    assert q(stack, "select count(*) from flags where post_id = %d and top_category = 'crisis'" % pid) != "0", \
        "the filter did not flag the crisis text"
    for _ in range(2):      # built, then from the stored parts
        body = page(reader, "/t/%d" % tid)
        assert has_note(body), "the thread page of a crisis thread has no note for repliers"
    # The operator's text, escaped paragraphs, comments left out.
    assert b"a comment line" not in body
    assert b"Do not describe methods." in body
    assert b'href="/help"' in body
    # Inside the reply box, before the form.
    box = body[body.index(b'class="reply-box"'):]
    assert box.index(HEADING) < box.index(b"<form"), "the note is not in the reply box before the form"
    assert has_note(page(reader, "/p/%d/reply" % pid)), "the reply page of a crisis thread has no note"
    # The author and a moderator (full render) see it as well.
    assert has_note(page(author, "/t/%d" % tid))
    assert has_note(page(w.mod, "/t/%d" % tid))
    # Anonymous readers have no reply box, so no note.
    anon = Client(stack)
    assert not has_note(page(anon, "/t/%d" % tid))


def test_ordinary_thread_has_no_note(stack):
    w = world(stack)
    author, reader = w.member("oauthor"), w.member("oreader")
    pid, tid = w.thread(author, ORDINARY_TEXT)
    assert q(stack, "select count(*) from flags where post_id = %d and top_category = 'crisis'" % pid) == "0"
    body = page(reader, "/t/%d" % tid)
    assert b'class="reply-box"' in body, "no reply box: the check below would prove nothing"
    assert not has_note(body), "an ordinary thread shows the note for repliers"
    body = page(reader, "/p/%d/reply" % pid)
    assert b'name="body"' in body
    assert not has_note(body), "the reply page of an ordinary thread shows the note"


def test_held_crisis_post_alone_reveals_nothing(stack):
    w = world(stack)
    author, reader, holder = w.member("hauthor"), w.member("hreader"), w.member("hholder")
    pid, tid = w.thread(author, ORDINARY_TEXT)
    page(reader, "/t/%d" % tid)                 # stored parts exist before the held reply
    held = w.reply(holder, pid, HELD_TEXT)
    assert q(stack, "select state from posts where id = %d" % held) == "held", "the filter did not hold it"
    assert q(stack, "select count(*) from flags where post_id = %d and top_category = 'crisis'" % held) != "0"
    for who in (reader, author, holder, w.mod):
        body = page(who, "/t/%d" % tid)
        assert b'class="reply-box"' in body
        assert not has_note(body), "a held crisis post put the note on the thread page"
        assert not has_note(page(who, "/p/%d/reply" % pid)), "a held crisis post put the note on the reply page"
    # Once a moderator lets it through, the thread carries the note.
    q(stack, "update posts set state = 'visible' where id = %d" % held)
    assert has_note(page(reader, "/t/%d" % tid)), "a visible crisis reply brought no note"


def test_crisis_report_brings_the_note_to_stored_pages(stack):
    w = world(stack)
    author, reader, reporter = w.member("rauthor"), w.member("rreader"), w.member("rreporter")
    pid, tid = w.thread(author, ORDINARY_TEXT)
    assert not has_note(page(reader, "/t/%d" % tid))     # stored now, without the note
    st, _, body = reporter.post("/p/%d/report" % pid, [("reason", "crisis"), ("details", "")])
    assert st in (200, 303), "report: %d %s" % (st, message_of(body))
    assert q(stack, "select count(*) from flags where post_id = %d and top_category = 'crisis'" % pid) == "1"
    assert has_note(page(reader, "/t/%d" % tid)), "a crisis report did not bring the note to the thread page"
    assert has_note(page(reader, "/p/%d/reply" % pid))


# ---- muted topics -------------------------------------------------------

def _titled_thread(w, who, slug, body):
    title = "Mute " + uuid.uuid4().hex[:10]
    st, h, html = who.post("/c/%s/new" % slug, [("title", title), ("body", body), ("action", "post")])
    assert st == 303, "new thread: %d %s" % (st, message_of(html))
    pid = int(post_id_from(h.get("location"), html))
    return title.encode(), int(q(w.stack, "select thread_id from posts where id = %d" % pid))


def test_muted_topics_leave_lists_not_threads(stack):
    w = world(stack)
    other = "mute-" + uuid.uuid4().hex[:6]
    r = stack.hearthctl("category", "add", other, "Muted tests", "")
    assert r.returncode == 0, "category add: %s" % r.stderr
    muter, author, bystander = w.member("muter"), w.member("mauthor"), w.member("mby")
    plain, _ = _titled_thread(w, author, w.slug, ORDINARY_TEXT)
    in_other, other_tid = _titled_thread(w, author, other, ORDINARY_TEXT)
    crisis, crisis_tid = _titled_thread(w, author, w.slug, CRISIS_TEXT)
    own, _ = _titled_thread(w, muter, other, ORDINARY_TEXT)
    home = page(muter, "/")
    for t in (plain, in_other, crisis, own):
        assert t in home, "before muting, %r is missing from the home page" % t

    form = page(muter, "/me/settings")
    assert b'name="mute_crisis"' in form and ('value="%s"' % other).encode() in form, \
        "the settings page has no muted-topics choices"
    st, h, body = muter.post("/me/settings", [("mute_crisis", "1"), ("mute", other)])
    assert st == 303, "settings: %d %s" % (st, message_of(body))
    form = page(muter, "/me/settings")
    assert re.search(rb'<input[^>]*name="mute_crisis"[^>]*checked', form), "crisis mute not kept"
    assert re.search(rb'<input[^>]*name="mute"[^>]*value="%s"[^>]*checked' % other.encode(), form), \
        "category mute not kept"

    home = page(muter, "/")
    assert plain in home, "an unmuted thread left the home page"
    assert in_other not in home, "a thread of a muted category is on the home page"
    assert crisis not in home, "a crisis thread is on the home page of a member who muted them"
    assert own in home, "the member's own thread in a muted category left their home page"
    cat = page(muter, "/c/%s" % other)
    assert in_other not in cat and own in cat
    assert b"You muted this category" in cat
    cat = page(muter, "/c/%s" % w.slug)
    assert plain in cat and crisis not in cat
    assert b"may be in crisis are left out" in cat
    # Nobody else's lists change, and the muted threads still open.
    home = page(bystander, "/")
    for t in (plain, in_other, crisis):
        assert t in home, "another member's home page lost %r" % t
    assert crisis in page(bystander, "/c/%s" % w.slug)
    assert in_other in page(muter, "/t/%d" % other_tid)
    assert crisis in page(muter, "/t/%d" % crisis_tid)

    # Unticking brings them back.
    st, _, body = muter.post("/me/settings", [])
    assert st == 303, "settings: %d %s" % (st, message_of(body))
    home = page(muter, "/")
    assert in_other in home and crisis in home


def test_muting_an_unknown_slug_is_refused_with_the_choices_kept(stack):
    w = world(stack)
    muter = w.member("mbad")
    st, _, body = muter.post("/me/settings", [("mute_crisis", "1"), ("mute", w.slug), ("mute", "Not A Slug!")])
    assert st == 422, "a malformed muted category answered %d" % st
    assert b"not a category" in body
    assert re.search(rb'<input[^>]*name="mute_crisis"[^>]*checked', body), "the sent choice was not kept"
    uid = q(stack, "select id from users where handle = '%s'" % muter.handle)
    assert q(stack, "select count(*) from category_mutes where user_id = %s" % uid) == "0", \
        "a refused form saved a mute"
    assert q(stack, "select mute_crisis from users where id = %s" % uid) == "f"
