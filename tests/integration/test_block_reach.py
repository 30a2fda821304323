"""A block reaches everywhere; a content warning goes wherever its post is
listed (round 9, sql/030_block_reach.sql).

Blocks (member_blocks, sql/016): a member I blocked does not reach me by
replying to my post, by @mentioning me (in a thread or a reply, under their
handle or anonymously), by "I'm here if you want to talk", by inviting me
to a group, or by putting me in a conversation. Each is silent for them:
the same answer as when it works, nothing that says "blocked". Their public
posts stay in the threads for everyone, me included.

Content warnings: a post with one shows only the warning and a link in a
search result and in a notification; where a page quotes the post (the
reply page, "I'm here", the report form, and their refused POSTs), its
text is inside the closed <details> under the warning, as on the thread.

Each test was written failing against the code before this round (the
conversation test excepted: it pins what already held), then the code was
fixed. What each asserts is exact: a string present or absent, a status,
a row count.
"""

import uuid

from client import Client, find_all, message_of, new_member, parse, post_id_from

STACK_OPTIONS = {"workers": 2, "cache": True, "conf": {
    "registrations_per_hour": "0", "new_member_days": "0", "post_per_minute": "0",
    "post_threads_per_hour": "0", "post_replies_per_hour": "0",
    "message_min_account_hours": "0", "message_min_posts": "0",
    "message_per_minute": "0", "message_per_hour": "0",
}}
TIMEOUT = 300

PUB = "blk-pub"
ANON = "blk-anon"
W = {}


def _q(stack, sql):
    return stack.psql(sql).strip()


def _world(stack):
    if W:
        return W
    assert not getattr(stack, "blk_tried", False), "the setup failed in an earlier test"
    stack.blk_tried = True
    for slug, name in ((PUB, "Block public"), (ANON, "Block anonymous")):
        r = stack.hearthctl("category", "add", slug, name, "")
        assert r.returncode == 0, "category add: %s" % r.stderr
    r = stack.hearthctl("category", "anonymous", ANON, "on")
    assert r.returncode == 0, "category anonymous on: %s" % r.stderr
    W["ready"] = True
    return W


def _thread(c, slug, title, body, warning=None, anonymous=False):
    fields = [("title", title)] + ([("warning", warning)] if warning else []) + \
        ([("anonymous", "1")] if anonymous else []) + [("body", body)]
    st, loc, html = c._write("/c/%s/new" % slug, fields, True, "post", True)
    assert st == 303, "new thread in %s: %d %s" % (slug, st, message_of(html))
    return post_id_from(loc, html)


def _reply(c, pid, body, warning=None, anonymous=False):
    fields = ([("warning", warning)] if warning else []) + ([("anonymous", "1")] if anonymous else []) + \
        [("body", body)]
    st, loc, html = c._write("/p/%d/reply" % pid, fields, True, "post", True)
    assert st == 303, "reply to %d: %d %s" % (pid, st, message_of(html))
    return post_id_from(loc, html)


def _page(c, path, status=200):
    st, _, body = c.get(path)
    assert st == status, "GET %s: %d" % (path, st)
    return body.decode("utf-8")


def _notes(stack, who, actor):
    return int(_q(stack, "select count(*) from notifications where user_id = %d and actor_id = %d"
                  % (who.user_id, actor.user_id)))


def _block(c, other):
    st, _, body = c.post("/u/%s/block" % other.handle, [])
    assert st == 303, "block %s: %d %s" % (other.handle, st, message_of(body))


def _unread(c):
    """The header's unread count (0 when there is no count)."""
    body = _page(c, "/me/messages")
    for a in find_all(body, "a"):
        if a.get("href") == "/me/notifications":
            digits = "".join(ch for ch in a.text() if ch.isdigit())
            return int(digits) if digits else 0
    return 0


def test_blocked_member_replies_and_mentions_tell_nobody(stack):
    _world(stack)
    ann, bo, cy = new_member(stack, "ann"), new_member(stack, "bo"), new_member(stack, "cy")
    tag = uuid.uuid4().hex[:8]
    op = _thread(ann, PUB, "Ann asks %s" % tag, "A hard week for me %s." % tag)
    # Before the block bo's reply tells ann, as for anyone.
    before = _reply(bo, op, "BEFOREBLOCK I read you %s" % tag)
    assert _notes(stack, ann, bo) == 1, "a reply before the block told nobody"
    assert "BEFOREBLOCK" in _page(ann, "/me/notifications")
    unread_before = _unread(ann)
    _block(ann, bo)
    # What bo wrote before the block leaves ann's lists and count with it.
    notes = _page(ann, "/me/notifications")
    assert "BEFOREBLOCK" not in notes and bo.handle not in notes, \
        "a blocked member's earlier notification is still listed"
    assert _unread(ann) == unread_before - 1, "the header still counts the blocked member's notification"
    # Each channel, after the block: every write is answered as always.
    _reply(bo, op, "BOREPLY still here for you @%s %s" % (ann.handle, tag))
    sub = _reply(cy, op, "CYREPLY me too %s" % tag)
    r2 = _reply(bo, sub, "BOMENTION have you asked @%s %s" % (ann.handle, tag))
    t2 = _thread(bo, PUB, "Bo thinks of %s" % tag, "BOTHREAD hello @%s %s" % (ann.handle, tag))
    assert _notes(stack, ann, bo) == 1, "the blocked member's reply or mention was written as a notification"
    assert _notes(stack, ann, cy) == 1, "a bystander's reply told nothing"
    notes = _page(ann, "/me/notifications")
    for text in ("BOREPLY", "BOMENTION", "BOTHREAD", bo.handle):
        assert text not in notes, "the notifications show %r after the block" % text
    assert "CYREPLY" in notes, "a bystander's reply is not listed"
    # "Replies to me" is ann's inbox too: the blocked member's replies are not there.
    replies = _page(ann, "/me/replies")
    assert "CYREPLY" in replies and "BOREPLY" not in replies and "BEFOREBLOCK" not in replies, \
        "Replies to you lists the blocked member's replies"
    # Their public posts stay where they are, for everyone, ann included.
    anon = Client(stack)
    thread = "/t/%s" % _q(stack, "select thread_id from posts where id = %d" % op)
    for c in (anon, ann, cy):
        page = _page(c, thread)
        assert "BOREPLY" in page and "BEFOREBLOCK" in page and "BOMENTION" in page, \
            "the blocked member's replies left the thread"
    assert "BOTHREAD" in _page(ann, "/t/%s" % _q(stack, "select thread_id from posts where id = %d" % t2))
    # The blocked member is told nothing: their pages show no trace of it.
    for path in (thread, "/p/%d/here" % op, "/u/%s" % ann.handle, "/me/replies", "/me/notifications"):
        assert "blocked" not in _page(bo, path).lower(), "%s tells the blocked member about the block" % path
    # Unblocked, a new mention tells ann again; what came during the block does not.
    st, _, _ = ann.post("/u/%s/unblock" % bo.handle, [])
    assert st == 303
    _reply(bo, op, "AFTERUNBLOCK hello again @%s" % ann.handle)
    notes = _page(ann, "/me/notifications")
    assert "AFTERUNBLOCK" in notes and "BOREPLY" not in notes, "unblocking: %r" % [
        t for t in ("AFTERUNBLOCK", "BOREPLY") if t in notes]
    assert before


def test_blocked_member_reaches_nobody_anonymously(stack):
    """An anonymous post counts by its real author: the box is no way round a block."""
    _world(stack)
    ann, bo = new_member(stack, "ann"), new_member(stack, "bo")
    op = _thread(ann, ANON, "Ann in the quiet corner", "Something I could not say elsewhere.")
    _block(ann, bo)
    _reply(bo, op, "ANONBO I know who you are @%s" % ann.handle, anonymous=True)
    _thread(bo, ANON, "Anonymous thoughts", "ANONTHREAD to @%s" % ann.handle, anonymous=True)
    assert _notes(stack, ann, bo) == 0, "an anonymous reply or mention by the blocked member told ann"
    notes = _page(ann, "/me/notifications")
    assert "ANONBO" not in notes and "ANONTHREAD" not in notes
    assert "ANONBO" not in _page(ann, "/me/replies")


def test_blocked_members_offer_to_talk_reaches_nobody(stack):
    _world(stack)
    ann, bo, cy = new_member(stack, "ann"), new_member(stack, "bo"), new_member(stack, "cy")
    op = _thread(ann, PUB, "Ann's evening", "Long evening, nobody to talk to.")
    _block(ann, bo)
    for c in (bo, cy):
        st, loc, body = c.post("/p/%d/here" % op, [])
        assert st == 303, "offer by %s: %d %s" % (c.handle, st, message_of(body))
        page = _page(c, "/p/%d/here" % op)
        assert "You told" in page, "%s is not shown their offer as made" % c.handle
    assert _q(stack, "select count(*) from notifications where user_id = %d and kind = 'here'" % ann.user_id) == "1"
    assert _notes(stack, ann, bo) == 0, "the blocked member's offer was delivered"
    notes = _page(ann, "/me/notifications")
    assert cy.handle in notes and bo.handle not in notes, "ann's notifications: offer by the blocked member"
    # The bystander's page and the blocked member's read the same.
    a = _page(bo, "/p/%d/here" % op).replace(bo.handle, "X").split("<main", 1)[1]
    b = _page(cy, "/p/%d/here" % op).replace(cy.handle, "X").split("<main", 1)[1]
    assert a == b, "the offer page differs for the blocked member"


def test_invitation_from_a_blocked_facilitator_is_never_shown(stack):
    _world(stack)
    ann, bo, cy = new_member(stack, "ann"), new_member(stack, "bo"), new_member(stack, "cy")
    slug = "blk-nook-%s" % uuid.uuid4().hex[:4]
    r = stack.hearthctl("group", "add", slug, "Nook NOOKNAME", "Unlisted.", "--unlisted", "--join", "invite")
    assert r.returncode == 0, r.stderr
    for c in (bo, cy):
        r = stack.hearthctl("group", "member", slug, c.handle, "facilitator")
        assert r.returncode == 0, r.stderr
    other = new_member(stack, "dee")
    _block(ann, bo)
    # The facilitator gets the answer they get for anyone.
    answers = []
    for who in (ann, other):
        st, hd, body = bo.post("/g/%s/invite" % slug, {"handle": who.handle})
        answers.append((st, hd.get("location"), body))
    assert answers[0] == answers[1] and answers[0][0] == 303, "the invitations are answered differently: %r" % (
        [(a[0], a[1]) for a in answers],)
    assert _q(stack, "select count(*) from group_members m join groups g on g.id = m.group_id "
                     "where g.slug = '%s' and m.status = 'invited'" % slug) == "2"
    # The invited member who did not block sees it; ann does not, anywhere.
    assert "You are invited" in _page(other, "/g/%s" % slug)
    assert "NOOKNAME" in _page(other, "/g")
    assert "NOOKNAME" not in _page(ann, "/g"), "the groups list shows ann the blocked member's invitation"
    st, _, body = ann.get("/g/%s" % slug)
    assert st == 404 and "NOOKNAME" not in body.decode(), "the group page shows ann the invitation: %d" % st
    st, _, _ = ann.post("/g/%s/join" % slug, {})
    assert st == 404, "ann joins through the hidden invitation: %d" % st
    assert _q(stack, "select status from group_members m join groups g on g.id = m.group_id "
                     "where g.slug = '%s' and m.user_id = %d" % (slug, ann.user_id)) == "invited"
    # Another facilitator's invitation is an invitation like any other.
    st, _, _ = cy.post("/g/%s/invite" % slug, {"handle": ann.handle})
    assert st == 303
    assert "You are invited" in _page(ann, "/g/%s" % slug), "a facilitator ann did not block cannot invite her"
    # ... and the blocked one inviting again does not hide it again.
    st, _, _ = bo.post("/g/%s/invite" % slug, {"handle": ann.handle})
    assert st == 303
    assert "You are invited" in _page(ann, "/g/%s" % slug), "a second invitation by the blocked member hid it"


def test_blocked_member_cannot_put_me_in_a_conversation(stack):
    """Pinned, not changed: naming a member who blocked you among others
    refuses the whole conversation with the words a member's setting gets."""
    _world(stack)
    ann, bo, cy, dee = (new_member(stack, n) for n in ("ann", "bo", "cy", "dee"))
    _block(ann, bo)
    st, _, body = bo.post("/m/new", [("to", "%s %s" % (cy.handle, ann.handle)), ("body", "Hello both"),
                                     ("action", "send")])
    said = message_of(body)
    assert st == 403 and "block" not in said.lower(), "blocked start: %d %r" % (st, said)
    assert _q(stack, "select count(*) from conversation_members where user_id = %d" % ann.user_id) == "0"
    st, _, _ = dee.post("/me/settings/messages", {"messages_from": "nobody"})
    assert st == 303
    st, _, body = bo.post("/m/new", [("to", "%s %s" % (cy.handle, dee.handle)), ("body", "Hello both"),
                                     ("action", "send")])
    assert st == 403 and message_of(body).replace(dee.handle, "X") == said.replace(ann.handle, "X"), \
        "a block and a setting read differently"


def _details_only(body, text, where):
    """text is in the page only inside a closed <details class=cw>."""
    doc = parse(body)
    assert text in body, "%s: the post is not on the page at all" % where
    inside = [d for d in doc.find_all("details") if text in d.text()]
    assert inside, "%s: the warned text is outside any <details>" % where
    for d in inside:
        assert "cw" in (d.get("class") or "").split() and d.get("open") is None, \
            "%s: the warning's <details> is open or not ours" % where
    # Nowhere else: every piece of text that holds it is under such a details.
    for n in doc.iter():
        if any(isinstance(ch, str) and text in ch for ch in n.children):
            assert n.tag == "details" or any(a.tag == "details" for a in n.ancestors()), \
                "%s: <%s> holds the warned text outside the warning" % (where, n.tag)


def test_content_warning_listed_and_quoted(stack):
    _world(stack)
    ann, bo = new_member(stack, "ann"), new_member(stack, "bo")
    word = "zq" + uuid.uuid4().hex[:8]
    secret = "CWSECRET the %s details of that night" % word
    op = _thread(ann, PUB, "Something happened", "Plain opening, no warning needed.")
    warned = _reply(bo, op, secret + " @%s" % ann.handle, warning="WARNTEXT assault")
    # Search: the warning and a link, never a snippet of the text.
    for c in (Client(stack), ann):
        st, _, body = c.get("/search?q=%s" % word)
        page = body.decode()
        assert st == 200 and "/p/%d" % warned in page, "search does not find the warned post"
        assert "CWSECRET" not in page and "details of that night" not in page, "search shows the warned text"
        assert "WARNTEXT assault" in page, "search does not show the warning"
    # Notifications: the reply to ann (and its mention): the warning in place of the excerpt.
    notes = _page(ann, "/me/notifications")
    assert "/p/%d" % warned in notes, "no notification of the warned reply"
    assert "CWSECRET" not in notes and "WARNTEXT assault" in notes, "the notification shows the warned text"
    # Profile and "Replies to you": inside the closed warning, as before.
    _details_only(_page(ann, "/me/replies"), "CWSECRET", "/me/replies")
    _details_only(_page(ann, "/u/%s" % bo.handle), "CWSECRET", "profile")
    # Pages that quote the post: the reply page, "I'm here", the report form.
    _details_only(_page(ann, "/p/%d/reply" % warned), "CWSECRET", "/p/ID/reply")
    _details_only(_page(ann, "/p/%d/here" % warned), "CWSECRET", "/p/ID/here")
    _details_only(_page(ann, "/p/%d/report" % warned), "CWSECRET", "/p/ID/report")
    # Their refusals re-render the same pages, under the same warning.
    st, _, body = ann._write("/p/%d/reply" % warned, [("body", "x" * 50001)], True, "post", True)
    assert st == 422, "too long a reply: %d" % st
    _details_only(body, "CWSECRET", "refused reply (too long)")
    st, _, body = ann.post("/p/%d/report" % warned, [("reason", "other"), ("details", "y" * 1001)])
    assert st == 422, "too long a report: %d" % st
    _details_only(body.decode(), "CWSECRET", "refused report (too long)")
    st, _, body = ann.post("/p/%d/report" % warned, [("reason", "nonsense")])
    assert st == 422, "a report without a known reason: %d" % st
    _details_only(body.decode(), "CWSECRET", "refused report (no reason)")
    # A member who opens warnings always (/me/settings) gets them open here too.
    st, _, _ = bo.post("/me/settings", [("cw_open", "1")])
    assert st == 303, "settings: %d" % st
    assert _q(stack, "update posts set content_warning = 'WARNTEXT two' where id = %d returning id" % op) \
        == str(op)
    for path in ("/p/%d/reply" % op, "/p/%d/here" % op, "/p/%d/report" % op):
        details = [d for d in parse(_page(bo, path)).find_all("details", class_="cw")
                   if "Plain opening" in d.text()]
        assert details and details[0].get("open") is not None, "%s: closed for a member who opens them" % path
    # The feeds already held: the warning and a link.
    for path in ("/feed.atom", "/t/%d/feed.atom" % int(_q(stack, "select thread_id from posts where id = %d" % op))):
        st, _, body = Client(stack).get(path)
        assert st == 200 and b"CWSECRET" not in body, "%s shows the warned text" % path


def test_report_form_of_a_post_in_a_deleted_thread_is_not_found(stack):
    """The one rule: a deleted thread is the moderators'. Its posts' report
    form (and the form given back when a report is refused) showed their
    text to any member; it is the 404 of /p/ID now."""
    _world(stack)
    ann, bo = new_member(stack, "ann"), new_member(stack, "bo")
    op = _thread(ann, PUB, "Soon gone", "DELSECRET what I said in the thread that went.")
    assert _q(stack, "update threads set state = 'deleted' where id = (select thread_id from posts "
                     "where id = %d) returning state" % op) == "deleted"
    st, _, body = bo.get("/p/%d" % op)
    assert st == 404 and b"DELSECRET" not in body, "the permalink: %d" % st
    for method, fields in (("GET", None), ("POST", [("reason", "nonsense")]),
                           ("POST", [("reason", "other"), ("details", "y" * 1001)])):
        st, _, body = bo.get("/p/%d/report" % op) if method == "GET" else \
            bo.post("/p/%d/report" % op, fields)
        assert st == 404 and b"DELSECRET" not in body, "%s /p/ID/report: %d" % (method, st)
