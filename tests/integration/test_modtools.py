"""Moderator tools (issue 13; fcgi/page_modtools.c, sql/019_modtools.sql):
silence and ban a member for a time (ending by themselves, lifted early),
lock, move and pin a thread, and the link from "edited" to a post's earlier
versions. Every action needs a reason and lands in the audit log; members
and anonymous visitors are refused and nothing changes.
"""

import os
import re
import time
import uuid

from client import Client, element_by_id, find_all, form_value, markup_problems, message_of, parse, post_id_from

STACK_OPTIONS = {"workers": 2, "cache": True}
TIMEOUT = 180

MOD_HANDLE = "toolsmod"
MOD_PASSWORD = "password123456"
OTHER_MOD = "toolsmod2"


def q(stack, sql):
    return stack.psql(sql).strip()


def sql_str(s):
    return "NULL" if s is None else "'" + str(s).replace("'", "''") + "'"


class World:
    def __init__(self, stack):
        self.stack = stack
        self.tag = uuid.uuid4().hex[:6]
        self.slug_a = "tools-a-" + self.tag
        self.slug_b = "tools-b-" + self.tag
        for slug, name in ((self.slug_a, "Tools A"), (self.slug_b, "Tools B")):
            r = stack.hearthctl("category", "add", slug, name, "For the moderator tools tests")
            assert r.returncode == 0, "category add: %s" % r.stderr
        for handle in (MOD_HANDLE, OTHER_MOD):
            r = stack.hearthctl("create-admin", handle, "--password-stdin", input=MOD_PASSWORD + "\n")
            assert r.returncode == 0, "create-admin %s: %s" % (handle, r.stderr)
        q(stack, "update users set role = 'moderator' where handle = %s" % sql_str(OTHER_MOD))
        self.mod = Client(stack)
        st, _, body = self.mod.login(MOD_HANDLE, MOD_PASSWORD)
        assert st == 303, "moderator log-in: %d %s" % (st, message_of(body))
        self.n = 0

    def member(self, prefix="m"):
        self.n += 1
        c = Client(self.stack)
        handle = ("%s%d_%s" % (prefix, self.n, self.tag))[:30]
        st, _, body = c.register(handle, "a long enough password %d" % self.n)
        assert st == 303, "register %s: %d %s" % (handle, st, message_of(body))
        c.user_id = int(q(self.stack, "select id from users where handle = %s" % sql_str(handle)))
        return c

    def thread(self, client, title, body="An ordinary first post about a calm day.", slug=None):
        st, loc, html = client.new_thread(slug or self.slug_a, title, body)
        assert st in (200, 303), "new thread: %d %s" % (st, message_of(html))
        pid = post_id_from(loc, html)
        assert pid, "no post id after posting a thread (status %d)" % st
        tid = int(q(self.stack, "select thread_id from posts where id = %d" % pid))
        return tid, pid


def world(stack):
    if not hasattr(stack, "tools_world"):
        stack.tools_world = World(stack)
    return stack.tools_world


def audit_rows(stack, action, **where):
    cond = " and ".join("%s = %s" % (k, sql_str(v)) for k, v in where.items())
    return q(stack, "select count(*) from audit_log where action = %s%s"
             % (sql_str(action), (" and " + cond) if cond else ""))


def status_of(stack, user_id):
    return q(stack, "select status || '|' || coalesce(status_until::text, '') from users where id = %d" % user_id)


def sanction(client, handle, action, reason, length="day", **extra):
    form = [("action", action), ("reason", reason)]
    if length:
        form.append(("for", length))
    form += list(extra.items())
    return client.post("/mod/u/%s" % handle, form)


def thread_act(client, tid, action, reason, **extra):
    return client.post("/mod/t/%d" % tid, [("action", action), ("reason", reason)] + list(extra.items()))


# ---------------------------------------------------------------- silence

def test_silence_for_a_day_refuses_writing_with_the_text_kept(stack):
    w = world(stack)
    m = w.member("quiet")
    tid, pid = w.thread(m, "Before the silence")
    st, _, body = w.mod.get("/mod/u/%s" % m.handle)
    assert st == 200, "GET /mod/u/%s: %d" % (m.handle, st)
    assert form_value(body, "reason") is not None, "no reason field on the member's moderation page"
    reason = "Repeated hurtful replies " + w.tag
    st, hd, body = sanction(w.mod, m.handle, "silence", reason, "day")
    assert st == 303, "silence: %d %s" % (st, message_of(body))
    assert hd.get("location", "").startswith("/mod/u/"), "silence went to %r" % hd.get("location")
    s = status_of(stack, m.user_id)
    assert s.startswith("silenced|") and s != "silenced|", "status after silencing for a day: %r" % s
    hours = float(q(stack, "select extract(epoch from status_until - now()) / 3600 from users where id = %d"
                    % m.user_id))
    assert 23 < hours <= 24, "a day's silence ends in %.2f hours" % hours
    assert audit_rows(stack, "silence", target_user_id=m.user_id, reason=reason) == "1", \
        "no audit row for the silence with its reason"
    st, _, body = w.mod.get("/mod/u/%s" % m.handle)
    assert "silenced until" in " ".join(parse(body).text().split()), "the moderation page does not say until when"

    # The member reads, but a reply, a thread and an edit are refused calmly with the text kept.
    st, _, body = m.get("/t/%d" % tid)
    assert st == 200, "a silenced member reads the thread: %d" % st
    text = "My reply that must not be lost " + w.tag
    st, _, body = m.reply(pid, text)
    assert st == 403, "a silenced member's reply: %d" % st
    assert form_value(body, "body") == text, "the reply's text is not kept in the form"
    msg = message_of(body)
    assert "paused posting" in msg and "until" in msg and "UTC" in msg, "the refusal does not say until when: %r" % msg
    st, _, body = m.new_thread(w.slug_a, "A new thread", text)
    assert st == 403 and form_value(body, "body") == text, "a silenced member's new thread: %d" % st
    st, _, body = m.edit(pid, text + " edited")
    assert st == 403 and form_value(body, "body") == text + " edited", "a silenced member's edit: %d" % st
    assert q(stack, "select count(*) from posts where user_id = %d" % m.user_id) == "1", "a post was stored"
    # Their account page says so, and until when.
    st, _, body = m.get("/me/sessions")
    page = " ".join(parse(body).text().split())
    assert st == 200 and "paused posting for your account until" in page, "the account page: %r" % page[:300]


def test_silence_ends_by_itself(stack):
    w = world(stack)
    m = w.member("ends")
    tid, pid = w.thread(m, "A silence that ends")
    st, _, body = sanction(w.mod, m.handle, "silence", "A short pause", "hour")
    assert st == 303, "silence: %d %s" % (st, message_of(body))
    st, _, _ = m.reply(pid, "Refused while silenced")
    assert st == 403, "reply while silenced: %d" % st
    # The hour is over: no job runs, the checks compare with now().
    q(stack, "update users set status_until = now() - interval '1 minute' where id = %d" % m.user_id)
    st, loc, body = m.reply(pid, "Back again after the pause " + w.tag)
    assert st == 303, "reply after the silence ended: %d %s" % (st, message_of(body))
    st, _, body = m.get("/me/sessions")
    assert "paused posting" not in parse(body).text(), "the account page still says silenced"
    st, _, body = w.mod.get("/mod/u/%s" % m.handle)
    shown = [s.text() for s in find_all(body, "strong")]
    assert "active" in shown and not any("silenced" in s for s in shown), \
        "the moderation page still says silenced: %r" % shown


def test_silence_until_lifted_and_lift_early(stack):
    w = world(stack)
    m = w.member("lift")
    tid, pid = w.thread(m, "A silence lifted")
    st, _, body = sanction(w.mod, m.handle, "silence", "Until we talk", "ever")
    assert st == 303, "silence until lifted: %d %s" % (st, message_of(body))
    assert status_of(stack, m.user_id) == "silenced|", "status: %r" % status_of(stack, m.user_id)
    st, _, body = m.reply(pid, "Refused")
    assert st == 403 and "for now" in message_of(body), "refusal without an end: %d %r" % (st, message_of(body))
    reason = "We talked it through " + w.tag
    st, _, body = sanction(w.mod, m.handle, "unsilence", reason, None)
    assert st == 303, "lift: %d %s" % (st, message_of(body))
    assert status_of(stack, m.user_id) == "active|", "status after lifting: %r" % status_of(stack, m.user_id)
    assert audit_rows(stack, "unsilence", target_user_id=m.user_id, reason=reason) == "1", "no audit row for the lift"
    st, _, body = m.reply(pid, "Back " + w.tag)
    assert st == 303, "reply after the lift: %d" % st
    # Nothing left to lift: 409, nothing logged.
    before = q(stack, "select count(*) from audit_log")
    st, _, body = sanction(w.mod, m.handle, "unsilence", "again", None)
    assert st == 409 and q(stack, "select count(*) from audit_log") == before, "a second lift: %d" % st


# ---------------------------------------------------------------- ban

def test_ban_signs_out_blocks_log_in_and_ends(stack):
    w = world(stack)
    m = w.member("ban")
    other_device = Client(stack)
    st, _, _ = other_device.login(m.handle, m.password)
    assert st == 303, "second log-in: %d" % st
    reason = "Threats against members " + w.tag
    st, _, body = sanction(w.mod, m.handle, "ban", reason, "week")
    assert st == 303, "ban: %d %s" % (st, message_of(body))
    assert audit_rows(stack, "ban", target_user_id=m.user_id, reason=reason) == "1", "no audit row for the ban"
    assert q(stack, "select count(*) from sessions where user_id = %d" % m.user_id) == "0", "sessions left"
    for c in (m, other_device):
        st, hd, _ = c.get("/me/sessions")
        assert st == 303 and "/login" in hd.get("location", ""), "a banned member's session still works: %d" % st
    # The right password: told calmly until when; a wrong one: nothing about a ban.
    c = Client(stack)
    st, _, body = c.login(m.handle, m.password)
    msg = message_of(body)
    assert st == 403 and "paused this account until" in msg and "UTC" in msg, "banned log-in: %d %r" % (st, msg)
    assert "hs" not in c.cookies, "a banned member got a session"
    st, _, body = Client(stack).login(m.handle, "not the password at all")
    assert "paused" not in message_of(body), "a wrong password learns of the ban: %r" % message_of(body)
    # The week is over.
    q(stack, "update users set status_until = now() - interval '1 second' where id = %d" % m.user_id)
    c = Client(stack)
    st, _, body = c.login(m.handle, m.password)
    assert st == 303, "log-in after the ban ended: %d %s" % (st, message_of(body))
    st, _, _ = c.get("/me/sessions")
    assert st == 200, "session after the ban ended: %d" % st
    # Mentioned again, though no one has written the status back yet.
    assert q(stack, "select status from users where id = %d" % m.user_id) == "banned"
    other = w.member("men")
    _, pid = w.thread(other, "Thinking of a friend " + w.tag, "@%s good to have you back." % m.handle)
    assert q(stack, "select count(*) from notifications where user_id = %d and kind = 'mention' "
             "and post_id = %d" % (m.user_id, pid)) == "1", "a member whose ban ended is not told of a mention"


def test_ban_until_lifted_then_lifted(stack):
    w = world(stack)
    m = w.member("banlift")
    st, _, body = sanction(w.mod, m.handle, "ban", "Spam links", "ever")
    assert st == 303, "ban: %d %s" % (st, message_of(body))
    st, _, body = Client(stack).login(m.handle, m.password)
    assert st == 403 and "until they lift it" in message_of(body), "banned log-in: %d %r" % (st, message_of(body))
    st, _, body = sanction(w.mod, m.handle, "unsilence", "It was a mistake", None)
    assert st == 303, "lift: %d" % st
    st, _, body = Client(stack).login(m.handle, m.password)
    assert st == 303, "log-in after the lift: %d %s" % (st, message_of(body))


def test_member_actions_refused_to_others(stack):
    w = world(stack)
    target = w.member("target")
    other = w.member("other")
    before = (status_of(stack, target.user_id), q(stack, "select count(*) from audit_log"))

    def unchanged(what):
        now = (status_of(stack, target.user_id), q(stack, "select count(*) from audit_log"))
        assert now == before, "%s changed something: %r -> %r" % (what, before, now)

    st, _, _ = other.get("/mod/u/%s" % target.handle)
    assert st == 403, "a member's GET /mod/u: %d" % st
    st, _, body = sanction(other, target.handle, "ban", "no", "day")
    assert st == 403, "a member's ban: %d" % st
    unchanged("a member's ban")
    anon = Client(stack)
    st, hd, _ = anon.get("/mod/u/%s" % target.handle)
    assert st == 303 and "/login" in hd.get("location", ""), "anonymous GET /mod/u: %d" % st
    st, _, _ = anon.post("/mod/u/%s" % target.handle, [("action", "ban"), ("reason", "x"), ("for", "day"),
                                                        ("csrf", "x" * 43)])
    assert st == 403, "anonymous ban: %d" % st
    unchanged("an anonymous ban")
    # A moderator: bad CSRF, no reason, no length, another moderator, themselves.
    st, _, _ = w.mod.post("/mod/u/%s" % target.handle, [("action", "ban"), ("reason", "x"), ("for", "day"),
                                                         ("csrf", "wrong" * 9)])
    assert st == 403, "bad CSRF: %d" % st
    unchanged("a bad CSRF token")
    st, _, body = sanction(w.mod, target.handle, "silence", "   ", "day")
    assert st == 422 and "reason" in message_of(body), "blank reason: %d %r" % (st, message_of(body))
    unchanged("a blank reason")
    st, _, body = sanction(w.mod, target.handle, "silence", "Kept reason " + w.tag, None)
    assert st == 422 and form_value(body, "reason") == "Kept reason " + w.tag, "no length: %d" % st
    unchanged("no length")
    st, _, body = sanction(w.mod, target.handle, "silence", "x" * 1001, "day")
    assert st == 422, "a reason too long: %d" % st
    unchanged("a reason too long")
    st, _, body = sanction(w.mod, OTHER_MOD, "ban", "a moderator", "day")
    assert st == 403, "banning a moderator: %d" % st
    st, _, body = sanction(w.mod, MOD_HANDLE, "silence", "myself", "day")
    assert st == 403, "silencing oneself: %d" % st
    unchanged("acting on moderators")
    st, _, _ = w.mod.get("/mod/u/nobody_%s" % w.tag)
    assert st == 404, "an unknown member: %d" % st


# ---------------------------------------------------------------- threads

def test_lock_refuses_replies_with_text_kept_and_unlock(stack):
    w = world(stack)
    author = w.member("lock")
    replier = w.member("replier")
    tid, pid = w.thread(author, "A thread to lock")
    st, _, body = w.mod.get("/t/%d" % tid)
    assert element_by_id(body, "moderate") is not None, "no moderator forms on the thread page"
    reason = "The conversation turned unsafe " + w.tag
    st, hd, body = thread_act(w.mod, tid, "lock", reason)
    assert st == 303, "lock: %d %s" % (st, message_of(body))
    assert q(stack, "select locked from threads where id = %d" % tid) == "t", "not locked"
    assert audit_rows(stack, "lock", thread_id=str(tid), reason=reason) == "1", "no audit row for the lock"
    st, _, body = replier.get("/t/%d" % tid)
    assert "This thread is locked" in parse(body).text(), "no notice on a locked thread"
    assert element_by_id(body, "reply-body") is None, "a locked thread offers the reply form"
    text = "A reply to a locked thread " + w.tag
    st, _, body = replier.reply(pid, text)
    assert st == 403, "reply to a locked thread: %d" % st
    assert form_value(body, "body") == text, "the reply's text is not kept"
    assert "locked" in message_of(body), "the refusal: %r" % message_of(body)
    st, _, _ = replier.get("/p/%d/reply" % pid)
    assert st == 403, "reply form of a locked thread: %d" % st
    st, _, body = thread_act(w.mod, tid, "lock", "again")
    assert st == 409, "locking a locked thread: %d" % st
    st, _, body = thread_act(w.mod, tid, "unlock", "Calmer now")
    assert st == 303 and q(stack, "select locked from threads where id = %d" % tid) == "f", "unlock: %d" % st
    st, _, body = replier.reply(pid, text)
    assert st == 303, "reply after unlocking: %d %s" % (st, message_of(body))


def test_move_reaches_the_new_category_and_the_cache(stack):
    w = world(stack)
    author = w.member("move")
    tid, pid = w.thread(author, "A thread in the wrong place " + w.tag)
    cache = os.path.join(stack.tmp, "cache", "t", "%d.html" % tid)
    st, _, body = stack.http("GET", "/t/%d" % tid)
    assert st == 200 and "Tools A" in body.decode(), "anonymous view before the move"
    deadline = time.monotonic() + 3
    while not os.path.exists(cache) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.path.exists(cache), "the anonymous page was not stored"
    counts = lambda slug: q(stack, "select thread_count || '/' || post_count from categories where slug = %s"
                            % sql_str(slug))
    a0, b0 = counts(w.slug_a), counts(w.slug_b)
    reason = "Belongs with the others " + w.tag
    st, _, body = thread_act(w.mod, tid, "move", reason, category=w.slug_b)
    assert st == 303, "move: %d %s" % (st, message_of(body))
    assert audit_rows(stack, "move", thread_id=str(tid), reason=reason) == "1", "no audit row for the move"
    assert q(stack, "select c.slug from threads t join categories c on c.id = t.category_id where t.id = %d"
             % tid) == w.slug_b, "the thread did not move"
    a1, b1 = counts(w.slug_a), counts(w.slug_b)
    assert int(a1.split("/")[0]) == int(a0.split("/")[0]) - 1 and int(b1.split("/")[0]) == int(b0.split("/")[0]) + 1, \
        "category counts: A %s -> %s, B %s -> %s" % (a0, a1, b0, b1)
    st, _, body = stack.http("GET", "/t/%d" % tid)
    crumbs = parse(body).find("nav", class_="crumbs")
    assert crumbs is not None and "Tools B" in crumbs.text(), "the anonymous page still shows the old category"
    st, _, body = stack.http("GET", "/c/%s" % w.slug_b)
    assert ("/t/%d" % tid).encode() in body, "the thread is not on the new category's page"
    st, _, body = stack.http("GET", "/c/%s" % w.slug_a)
    assert ("/t/%d\"" % tid).encode() not in body, "the thread is still on the old category's page"
    st, _, body = thread_act(w.mod, tid, "move", "same place", category=w.slug_b)
    assert st == 409, "moving to the same category: %d" % st
    st, _, body = thread_act(w.mod, tid, "move", "nowhere", category="no-such-" + w.tag)
    assert st == 422, "moving to no category: %d" % st


def test_pinned_threads_come_first(stack):
    w = world(stack)
    author = w.member("pin")
    slug = "tools-pin-" + w.tag
    stack.hearthctl("category", "add", slug, "Tools pin", "")
    old, _ = w.thread(author, "Oldest thread", slug=slug)
    mid, _ = w.thread(author, "Middle thread", slug=slug)
    new, _ = w.thread(author, "Newest thread", slug=slug)

    def order():
        st, _, body = author.get("/c/%s" % slug)
        ids = []
        for li in find_all(body, "li", class_="thread"):
            a = li.find("a")
            m = re.fullmatch(r"/t/(\d+)", a.get("href", "")) if a is not None else None
            if m:
                ids.append((int(m.group(1)), "pinned" in li.text()))
        return ids

    assert [i for i, _ in order()] == [new, mid, old], "order before pinning: %r" % order()
    reason = "House rules " + w.tag
    st, _, body = thread_act(w.mod, old, "pin", reason)
    assert st == 303, "pin: %d %s" % (st, message_of(body))
    assert audit_rows(stack, "pin", thread_id=str(old), reason=reason) == "1", "no audit row for the pin"
    got = order()
    assert got == [(old, True), (new, False), (mid, False)], "order after pinning: %r" % got
    st, _, body = thread_act(w.mod, old, "pin", "again")
    assert st == 409, "pinning a pinned thread: %d" % st
    st, _, body = thread_act(w.mod, old, "unpin", "Done")
    assert st == 303, "unpin: %d" % st
    assert [i for i, _ in order()] == [new, mid, old], "order after unpinning: %r" % order()


def test_thread_actions_refused_to_others(stack):
    w = world(stack)
    author = w.member("tno")
    other = w.member("tother")
    tid, _ = w.thread(author, "A thread nobody else may moderate")
    snap = lambda: q(stack, "select locked || '|' || (pinned_at is not null) || '|' || category_id from threads "
                            "where id = %d" % tid) + "|" + q(stack, "select count(*) from audit_log")
    before = snap()
    for c, who in ((author, "its author"), (other, "another member")):
        st, _, body = c.get("/t/%d" % tid)
        assert element_by_id(body, "moderate") is None, "%s sees the moderator forms" % who
        st, _, _ = c.get("/mod/t/%d" % tid)
        assert st == 403, "%s: GET /mod/t: %d" % (who, st)
        for action in ("lock", "pin", "move"):
            st, _, _ = thread_act(c, tid, action, "no", category=w.slug_b)
            assert st == 403, "%s: %s: %d" % (who, action, st)
    st, _, body = stack.http("GET", "/t/%d" % tid)
    assert element_by_id(body, "moderate") is None, "anonymous readers see the moderator forms"
    anon = Client(stack)
    st, _, _ = anon.post("/mod/t/%d" % tid, [("action", "lock"), ("reason", "x"), ("csrf", "y" * 43)])
    assert st == 403, "anonymous lock: %d" % st
    st, _, _ = w.mod.post("/mod/t/%d" % tid, [("action", "lock"), ("reason", "x"), ("csrf", "bad" * 15)])
    assert st == 403, "bad CSRF: %d" % st
    st, _, body = thread_act(w.mod, tid, "lock", "")
    assert st == 422, "no reason: %d" % st
    st, _, body = thread_act(w.mod, tid, "explode", "why not")
    assert st == 422, "an unknown action: %d" % st
    assert snap() == before, "something changed: %r -> %r" % (before, snap())
    st, _, _ = w.mod.get("/mod/t/999999999")
    assert st == 404, "an unknown thread: %d" % st


# ---------------------------------------------------------------- revisions, audit log

def test_edited_links_to_revisions_for_author_and_moderators(stack):
    w = world(stack)
    author = w.member("edit")
    other = w.member("reader")
    tid, pid = w.thread(author, "A post that changes")
    st, _, body = author.edit(pid, "The first post, changed a little.")
    assert st == 303, "edit: %d %s" % (st, message_of(body))
    href = "/p/%d/revisions" % pid
    st, _, body = w.mod.get("/t/%d" % tid)
    links = [a for a in find_all(body, "a", class_="edited")]
    assert links and links[0].get("href") == href, "the moderator's \"edited\" is not a link to %s" % href
    st, _, body = author.get("/t/%d" % tid)
    assert href.encode() in body, "the author has no link to the earlier versions"
    st, _, _ = author.get(href)
    assert st == 200, "the author's GET %s: %d" % (href, st)
    st, _, body = other.get("/t/%d" % tid)
    assert b"edited" in body and href.encode() not in body, "another member gets the revisions link"
    st, _, _ = other.get(href)
    assert st == 403, "another member's GET %s: %d" % (href, st)
    st, _, body = stack.http("GET", "/t/%d" % tid)
    assert href.encode() not in body, "anonymous readers get the revisions link"


def test_audit_log_shows_the_actions(stack):
    w = world(stack)
    st, _, body = w.mod.get("/mod/audit")
    assert st == 200, "GET /mod/audit: %d" % st
    page = parse(body).text()
    for action in ("silenced", "banned", "locked", "moved", "pinned"):
        assert action in page, "the audit log does not show %r" % action
    assert "/mod/t/" in body.decode() and "/mod/u/" in body.decode(), "no thread or member links in the audit log"
    st, _, _ = w.member("auditpeek").get("/mod/audit")
    assert st == 403, "a member's GET /mod/audit: %d" % st


def test_hostile_text_stays_text_on_the_moderator_pages(stack):
    w = world(stack)
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&'
    m = w.member("hostile")
    tid, pid = w.thread(m, "Title " + hostile)
    st, _, body = thread_act(w.mod, tid, "lock", "Reason " + hostile)
    assert st == 303, "lock with a hostile reason: %d %s" % (st, message_of(body))
    st, _, body = sanction(w.mod, m.handle, "silence", "Reason " + hostile, "hour")
    assert st == 303, "silence with a hostile reason: %d %s" % (st, message_of(body))
    for path in ("/mod/t/%d" % tid, "/mod/u/%s" % m.handle, "/mod/audit", "/t/%d" % tid):
        st, _, body = w.mod.get(path)
        assert st == 200, "GET %s: %d" % (path, st)
        problems = markup_problems(body)
        assert not problems, "GET %s: %r" % (path, problems)
        assert "<script>alert(1)" in parse(body).text(), "GET %s does not show the text as text" % path
    # The refused form gives the hostile reason back as text too.
    st, _, body = thread_act(w.mod, tid, "lock", hostile)
    assert st == 409 and not markup_problems(body), "a refused lock: %d %r" % (st, markup_problems(body))
    assert form_value(body, "reason") == hostile, "the refused lock's reason is not kept"
