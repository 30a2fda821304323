"""Private conversations (issue 11; sql/016_conversations.sql,
fcgi/page_conversation.c): starting one (one-to-one and groups of up to 8),
the list with unread markers, the conversation page and its reply box, who
may read (members only: anonymous, another member and a moderator without a
report get nothing), screening (crisis resources, held text invisible to the
others until a moderator approves), reports and the moderators' audited
read, who may message me, blocks, leaving, new-account and rate limits, the
moderators' check-in, notifications and the header count, export and
account deletion. Every refusal is a 4xx that keeps the text and shows
nothing private."""

import json
import re
import uuid

from client import Client, csrf_from, find_all, message_of, parse, post_id_from

STACK_OPTIONS = {"conf": {"new_member_days": "0", "post_per_minute": "0",
                          "message_min_account_hours": "0", "message_min_posts": "1",
                          "message_per_minute": "0", "message_per_hour": "0",
                          "conversations_per_day": "3"}}

SLUG = "conv"
CRISIS_TEXT = "I want to end it all tonight"
HELD_TEXT = "I have saved up 60 of my sleeping pills and I am taking all of them tonight"
W = {}


def _q(stack, sql):
    return stack.psql(sql).strip()


def _world(stack):
    if W:
        return W
    r = stack.hearthctl("category", "add", SLUG, "Conversations", "")
    assert r.returncode == 0, "category add: %s" % r.stderr
    mod = Client(stack)
    st, _, _ = mod.login(stack.admin, stack.admin_password)
    assert st == 303, "admin log-in: %d" % st
    W["mod"] = mod
    return W


def _member(stack, prefix, post=True):
    """A new member; with post, they take part once (a thread), which the
    stack's message_min_posts = 1 asks before starting a conversation."""
    _world(stack)
    c = Client(stack)
    handle = ("%s_%s" % (prefix, uuid.uuid4().hex[:6]))[:30]
    st, _, _ = c.register(handle)
    assert st == 303, "register %s: %d" % (handle, st)
    c.handle = handle
    c.user_id = int(_q(stack, "select id from users where handle = '%s'" % handle))
    if post:
        st, loc, html = c.new_thread(SLUG, "Hello from " + handle, "Hello, I am new here.")
        assert st == 303, "new thread: %d" % st
        c.thread_post = post_id_from(loc, html)
    return c


def _start(c, to, body, action="send", csrf=True, expect=303):
    fields = [("to", to), ("body", body), ("action", action)]
    if csrf is True:
        st, hd, data = c.post("/m/new", fields)
    else:
        st, hd, data = c.request("POST", "/m/new", form=fields + ([("csrf", csrf)] if csrf else []))
    text = data.decode("utf-8", "replace")
    if expect is not None:
        assert st == expect, "POST /m/new to %s: %d (%s)" % (to, st, message_of(text) if text else "")
    return st, hd.get("location"), text


def _conv_id(loc):
    m = re.match(r"^/m/(\d+)\?", loc or "")
    assert m, "Location after sending: %r" % loc
    return int(m.group(1))


def _send(c, conv, body, csrf=True, expect=303):
    fields = [("body", body), ("action", "send")]
    if csrf is True:
        st, hd, data = c.post("/m/%d" % conv, fields)
    else:
        st, hd, data = c.request("POST", "/m/%d" % conv, form=fields + ([("csrf", csrf)] if csrf else []))
    text = data.decode("utf-8", "replace")
    if expect is not None:
        assert st == expect, "POST /m/%d: %d (%s)" % (conv, st, message_of(text) if text else "")
    return st, hd.get("location"), text


def _page(c, path, expect=200):
    st, _, body = c.get(path)
    assert st == expect, "GET %s: %d" % (path, st)
    return body.decode("utf-8")


def _count(html):
    doc = parse(html)
    links = [a for a in find_all(doc, "a") if a.get("href") == "/me/notifications"]
    assert links, "no Notifications link in the header"
    spans = [s for s in links[0].find_all("span") if "unread-count" in (s.get("class") or "")]
    return int(spans[0].text().strip()) if spans else 0


def _textarea(html, name="body"):
    doc = parse(html)
    for t in find_all(doc, "textarea"):
        if t.get("name") == name:
            return t.text()
    return None


def _msg_id(stack, conv, text):
    return int(_q(stack, "select id from messages where conversation_id = %d and body_md = '%s' order by id desc limit 1"
                  % (conv, text.replace("'", "''"))))


# ---------------------------------------------------------------- the normal path

def test_start_read_reply_and_unread(stack):
    ann, bo = _member(stack, "ann"), _member(stack, "bo")
    secret = "A private hello %s" % uuid.uuid4().hex[:8]
    page = _page(ann, "/m/new?to=" + bo.handle)
    assert "Moderators read a conversation only when a message in it is reported" in page, \
        "the compose page does not tell who reads a conversation"
    assert 'value="%s"' % bo.handle in page, "the compose page does not fill in the recipient"
    _, loc, _ = _start(ann, bo.handle, secret)
    conv = _conv_id(loc)
    assert secret in _page(ann, loc.split("#")[0]), "the writer does not see their message"
    # The recipient: listed, marked unread, counted in the header, listed in notifications.
    lst = _page(bo, "/me/messages")
    assert ann.handle in lst and "unread-mark" in lst, "the list does not show the new conversation as unread"
    assert _count(lst) >= 1, "the header count does not include the unread conversation"
    notes = _page(bo, "/me/notifications")
    assert "/m/%d" % conv in notes and "1 new message" in notes, "notifications do not list the conversation"
    page = _page(bo, "/m/%d" % conv)
    assert secret in page, "the recipient does not see the message"
    assert _count(page) == 0, "the conversation's own page still counts it unread"
    assert "unread-mark" not in _page(bo, "/me/messages"), "opening the conversation did not mark it read"
    assert _count(_page(bo, "/me/messages")) == 0, "the header still counts the read conversation"
    # Reply with Markdown, rendered like posts.
    _send(bo, conv, "Thank you, **really**")
    page = _page(ann, "/m/%d" % conv)
    assert "<strong>really</strong>" in page, "the reply is not rendered as Markdown"
    # Writing to the same one person again goes on in the same conversation.
    _, loc, _ = _start(ann, bo.handle, "And one more thing")
    assert _conv_id(loc) == conv, "a second message to the same member started another conversation"
    W["pair"] = (ann, bo, conv, secret)


def test_group_conversation_up_to_eight(stack):
    ann = _member(stack, "grp")
    others = [_member(stack, "g%d" % i, post=False) for i in range(3)]
    _, loc, _ = _start(ann, ", ".join(o.handle for o in others), "Hello all of you")
    conv = _conv_id(loc)
    for o in others:
        page = _page(o, "/m/%d" % conv)
        assert "Hello all of you" in page, "group member %s does not see the message" % o.handle
    assert _q(stack, "select count(*) from conversation_members where conversation_id = %d" % conv) == "4"
    many = ", ".join("nobody%d_%s" % (i, uuid.uuid4().hex[:4]) for i in range(8))
    st, _, text = _start(ann, many, "Too many people", expect=422)
    assert "up to 8 members" in message_of(text), "refusal for 9 members: %r" % message_of(text)
    assert _textarea(text) == "Too many people", "the text was not kept"


# ---------------------------------------------------------------- access

def test_only_members_read_a_conversation(stack):
    ann, bo, conv, secret = W["pair"]
    eve = _member(stack, "eve", post=False)
    anon = Client(stack)
    st, hd, body = anon.get("/m/%d" % conv)
    assert st in (303, 404) and secret.encode() not in body, "anonymous GET /m/ID: %d" % st
    if st == 303:
        assert hd.get("location", "").startswith("/login"), "anonymous redirected to %r" % hd.get("location")
    st, _, body = eve.get("/m/%d" % conv)
    assert st == 404 and secret.encode() not in body, "another member GET /m/ID: %d" % st
    st, _, body = W["mod"].get("/m/%d" % conv)
    assert st == 404 and secret.encode() not in body, "a moderator without a report GET /m/ID: %d" % st
    mid = _msg_id(stack, conv, secret)
    st, _, body = W["mod"].get("/mod/m/%d" % mid)
    assert st == 404 and secret.encode() not in body, "/mod/m/ID without a report or flag: %d" % st
    st, _, body = eve.get("/msg/%d/report" % mid)
    assert st == 404 and secret.encode() not in body, "another member's report form: %d" % st
    # Writing into someone else's conversation: 404, nothing stored.
    st, _, text = _send(eve, conv, "Let me in", expect=404)
    assert secret not in text
    assert _q(stack, "select count(*) from messages where body_md = 'Let me in'") == "0"
    # Too long on someone else's conversation: still nothing of it.
    st, _, text = _send(eve, conv, "x" * 50001, expect=None)
    assert st in (404, 422) and secret not in text, "too-long POST by a stranger: %d" % st
    # Nowhere public.
    for path in ("/", "/search?q=" + secret.split()[-1], "/feed.atom", "/u/" + ann.handle):
        _, _, body = eve.get(path)
        assert secret.encode() not in body, "the message shows on %s" % path


def test_refusals_keep_the_text(stack):
    ann, bo, conv, secret = W["pair"]
    text = "Kept text %s" % uuid.uuid4().hex[:6]
    st, _, page = _send(ann, conv, text, csrf="wrong", expect=403)
    assert text in page and secret not in page, "bad CSRF: text not kept, or the conversation shown"
    st, _, page = _start(ann, bo.handle, text, csrf="wrong", expect=403)
    assert text in page, "bad CSRF on /m/new: text not kept"
    long_text = "y" * 50001
    st, _, page = _send(ann, conv, long_text, expect=422)
    assert "50,000" in message_of(page), "too long: %r" % message_of(page)
    assert _textarea(page) == long_text, "too long: the text was not kept"
    st, _, page = _send(ann, conv, "   ", expect=None)
    assert st in (400, 422), "an empty message: %d" % st
    st, _, page = _start(ann, "no_such_member_zz", text, expect=422)
    assert _textarea(page) == text, "unknown recipient: text not kept"
    st, _, page = _start(ann, ann.handle, text, expect=422)
    assert "yourself" in message_of(page)
    assert _q(stack, "select count(*) from messages where body_md = '%s'" % text) == "0", "a refused message was stored"


# ---------------------------------------------------------------- screening

def test_crisis_shows_resources(stack):
    ann, bo = _member(stack, "cri"), _member(stack, "crb")
    _, loc, _ = _start(ann, bo.handle, CRISIS_TEXT)
    assert "crisis=1" in loc, "crisis wording did not lead to the resources: %r" % loc
    page = _page(ann, loc.split("#")[0])
    assert 'class="crisis"' in page, "the writer is not shown the crisis resources"
    # Talk of feelings stays visible (peers can answer at once) and is queued.
    conv = _conv_id(loc)
    mid = _msg_id(stack, conv, CRISIS_TEXT)
    assert CRISIS_TEXT in _page(bo, "/m/%d" % conv), "a crisis message (not method detail) is hidden from the recipient"
    assert _q(stack, "select lane from message_reviews where message_id = %d" % mid) == "crisis", \
        "the crisis message is not in the crisis lane of the queue"
    assert "/mod/m/%d" % mid in _page(W["mod"], "/mod"), "the queue does not list the flagged message"


def test_mark_all_read_includes_conversations(stack):
    ann, bo = _member(stack, "mar"), _member(stack, "mab")
    _start(ann, bo.handle, "Hello, unread for now")
    assert _count(_page(bo, "/me/messages")) == 1, "the header does not count the unread conversation"
    st, _, _ = bo.post("/me/notifications/read-all", [])
    assert st == 303, "read-all: %d" % st
    page = _page(bo, "/me/messages")
    assert _count(page) == 0 and "unread-mark" not in page, "mark all as read left the conversation unread"


def test_held_message_invisible_until_approved(stack):
    ann, bo = _member(stack, "hld"), _member(stack, "hlb")
    _, loc, _ = _start(ann, bo.handle, "Hi, can we talk?")
    conv = _conv_id(loc)
    _page(bo, "/m/%d" % conv)            # read
    _, loc, _ = _send(ann, conv, HELD_TEXT)
    assert "sent=held" in loc, "method detail was not held: %r" % loc
    mid = _msg_id(stack, conv, HELD_TEXT)
    assert _q(stack, "select state from messages where id = %d" % mid) == "held"
    assert HELD_TEXT in _page(ann, "/m/%d" % conv), "the writer does not see their held message"
    page = _page(bo, "/m/%d" % conv)
    assert HELD_TEXT not in page and "pills" not in page, "the recipient sees the held text"
    assert "unread-mark" not in _page(bo, "/me/messages"), "a held message marks the conversation unread"
    _, _, exp = bo.get("/me/export")
    assert b"pills" not in exp, "the held text is in the recipient's export"
    st, _, _ = bo.get("/msg/%d/report" % mid)
    assert st == 404, "the recipient can open the report form of a held message: %d" % st
    # The queue lists it, the moderator reads it (logged), approves it (logged).
    queue = _page(W["mod"], "/mod")
    assert "/mod/m/%d" % mid in queue, "the review queue does not list the held message"
    assert "pills" not in queue, "the queue shows the message's text"
    before = int(_q(stack, "select count(*) from audit_log where action = 'read_conversation'"))
    item = _page(W["mod"], "/mod/m/%d" % mid)
    assert HELD_TEXT in item and "Hi, can we talk?" in item, "the moderator does not see the conversation"
    after = int(_q(stack, "select count(*) from audit_log where action = 'read_conversation'"))
    assert after == before + 1, "the moderator's read was not written to the audit log"
    st, hd, _ = W["mod"].post("/mod/m/%d" % mid, [("action", "approve"), ("reason", "")])
    assert st == 303, "approve: %d" % st
    assert _q(stack, "select count(*) from audit_log where action = 'message_approve' and detail like 'message %d %%'"
              % mid) == "1", "the approval is not in the audit log"
    assert HELD_TEXT in _page(bo, "/m/%d" % conv), "the approved message is not shown to the recipient"
    audit = _page(W["mod"], "/mod/audit")
    assert "read the private conversation" in audit, "the audit page does not say what the read was"


def test_hide_a_message(stack):
    ann, bo = _member(stack, "hid"), _member(stack, "hib")
    _, loc, _ = _start(ann, bo.handle, HELD_TEXT)
    conv = _conv_id(loc)
    mid = _msg_id(stack, conv, HELD_TEXT)
    st, _, page = W["mod"].post("/mod/m/%d" % mid, [("action", "hide"), ("reason", "")])
    assert st == 422, "hide without a reason: %d" % st
    st, _, _ = W["mod"].post("/mod/m/%d" % mid, [("action", "hide"), ("reason", "Method detail")])
    assert st == 303, "hide: %d" % st
    assert "pills" not in _page(bo, "/m/%d" % conv), "the hidden message shows to the recipient"
    page = _page(ann, "/m/%d" % conv)
    assert "Method detail" in page, "the writer does not see the moderator's reason"


# ---------------------------------------------------------------- reports

def test_report_lets_a_moderator_read_with_audit(stack):
    ann, bo = _member(stack, "rep"), _member(stack, "reb")
    text = "Something unkind %s" % uuid.uuid4().hex[:6]
    _, loc, _ = _start(ann, bo.handle, text)
    conv = _conv_id(loc)
    mid = _msg_id(stack, conv, text)
    st, _, _ = W["mod"].get("/mod/m/%d" % mid)
    assert st == 404, "moderator read before a report: %d" % st
    page = _page(bo, "/msg/%d/report" % mid)
    assert text in page
    st, _, _ = bo.post("/msg/%d/report" % mid, [("reason", "bogus")])
    assert st == 422, "a report without a known reason: %d" % st
    st, _, _ = ann.post("/msg/%d/report" % mid, [("reason", "other")])
    assert st == 422, "reporting one's own message: %d" % st
    st, hd, _ = bo.post("/msg/%d/report" % mid, [("reason", "harassment"), ("details", "not nice")])
    assert st == 303, "report: %d" % st
    st, _, _ = bo.post("/msg/%d/report" % mid, [("reason", "harassment"), ("details", "not nice")])
    assert st == 303, "reporting again: %d" % st
    assert _q(stack, "select count(*) from message_flags where message_id = %d and source = 'report'" % mid) == "1", \
        "the same member's second report of an open item was added again"
    assert "/mod/m/%d" % mid in _page(W["mod"], "/mod"), "the queue does not list the reported message"
    before = int(_q(stack, "select count(*) from audit_log where action = 'read_conversation'"))
    item = _page(W["mod"], "/mod/m/%d" % mid)
    assert text in item and "not nice" in item, "the moderator does not see the reported message and report"
    assert "Unwanted, hurtful or harassing" in item and "report.harassment" not in item, \
        "the report's reason is not shown in the words the member chose it by"
    assert int(_q(stack, "select count(*) from audit_log where action = 'read_conversation'")) == before + 1
    # Members other than the moderator still cannot read it.
    eve = _member(stack, "rev", post=False)
    st, _, _ = eve.get("/mod/m/%d" % mid)
    assert st == 403, "a member on /mod/m/ID: %d" % st


# ---------------------------------------------------------------- safeguards

def test_block_and_unblock(stack):
    ann, bo = _member(stack, "blk"), _member(stack, "blb")
    _, loc, _ = _start(ann, bo.handle, "Hello before the block")
    conv = _conv_id(loc)
    prof = _page(bo, "/u/" + ann.handle)
    assert "/u/%s/block" % ann.handle in prof and "/m/new?to=%s" % ann.handle in prof, \
        "the profile offers no message link or block button"
    assert _count(_page(bo, "/me/messages")) == 1, "the new conversation is not counted unread"
    st, hd, _ = bo.post("/u/%s/block" % ann.handle, [])
    assert st == 303, "block: %d" % st
    text = "After the block %s" % uuid.uuid4().hex[:6]
    st, _, page = _send(ann, conv, text, expect=403)
    assert text in page and "%s is not taking private messages from you" % bo.handle in message_of(page), "blocked reply: %r" % message_of(page)
    # What the blocked member wrote before the block no longer counts as unread.
    assert _count(_page(bo, "/me/messages")) == 0 and "unread-mark" not in _page(bo, "/me/messages"), \
        "the blocked member's conversation still counts as unread"
    assert "block" not in message_of(page).lower(), "the refusal reveals the block"
    st, _, page = _start(ann, bo.handle, text, expect=403)
    said_block = message_of(page)
    assert _textarea(page) == text and "block" not in said_block.lower(), "blocked start: %r" % said_block
    # The blocked member's refusal reads the same as a member's choice.
    cy = _member(stack, "bln")
    st, _, _ = cy.post("/me/settings/messages", [("messages_from", "nobody")])
    assert st == 303, "settings: %d" % st
    st, _, page = _start(ann, cy.handle, text, expect=403)
    assert message_of(page).replace(cy.handle, "X") == said_block.replace(bo.handle, "X"), \
        "a block and a setting read differently: %r / %r" % (message_of(page), said_block)
    settings = _page(bo, "/me/settings")
    assert ann.handle in settings, "the settings page does not list the blocked member"
    st, _, _ = bo.post("/u/%s/unblock" % ann.handle, [])
    assert st == 303, "unblock: %d" % st
    _send(ann, conv, text)
    assert _q(stack, "select count(*) from messages where body_md = '%s'" % text) == "1"


def test_who_may_message_me(stack):
    ann, bo = _member(stack, "who"), _member(stack, "wob")
    page = _page(bo, "/me/settings")
    assert 'name="messages_from"' in page, "no messages setting on /me/settings"
    st, _, _ = bo.post("/me/settings/messages", [("messages_from", "talked")])
    assert st == 303
    assert _q(stack, "select messages_from from users where id = %d" % bo.user_id) == "talked"
    st, _, page = _start(ann, bo.handle, "Hi stranger", expect=403)
    assert _textarea(page) == "Hi stranger"
    # They talk in a thread: now allowed.
    st, loc, html = ann.reply(bo.thread_post, "Welcome!")
    assert st == 303, "reply: %d" % st
    _start(ann, bo.handle, "Hi again")
    st, _, page = bo.post("/me/settings/messages", [("messages_from", "sometimes")])
    assert st == 422, "an unknown choice: %d" % st


def test_new_accounts_wait(stack):
    ann = _member(stack, "new", post=False)
    bo = _member(stack, "neb", post=False)
    st, _, page = _start(ann, bo.handle, "Hello, I just joined", expect=403)
    assert "New accounts" in message_of(page) and _textarea(page) == "Hello, I just joined", \
        "new account refusal: %r" % message_of(page)


def test_conversations_per_day(stack):
    ann = _member(stack, "day")
    others = [_member(stack, "d%d" % i, post=False) for i in range(4)]
    for o in others[:3]:
        _start(ann, o.handle, "Hello " + o.handle)
    st, _, page = _start(ann, others[3].handle, "One too many", expect=429)
    assert ann.last[1].get("retry-after"), "no Retry-After"
    assert _textarea(page) == "One too many"


def test_leave(stack):
    ann, bo = _member(stack, "lea"), _member(stack, "leb")
    _, loc, _ = _start(ann, bo.handle, "Hello, leaving soon")
    conv = _conv_id(loc)
    st, hd, _ = bo.post("/m/%d/leave" % conv, [])
    assert st == 303 and hd.get("location", "").startswith("/me/messages"), "leave: %d" % st
    st, _, _ = bo.get("/m/%d" % conv)
    assert st == 404, "the conversation after leaving: %d" % st
    assert "Hello, leaving soon" in _page(ann, "/m/%d" % conv), "the other member lost the conversation"


def test_here_offers_a_conversation(stack):
    ann, bo = _member(stack, "her"), _member(stack, "heb")
    page = _page(ann, "/p/%d/here" % bo.thread_post)
    assert "/m/new?to=%s" % bo.handle in page, "/p/ID/here does not offer a private conversation"


def test_moderator_check_in(stack):
    bo = _member(stack, "chk")
    page = _page(W["mod"], "/mod/p/%d" % bo.thread_post)
    assert "/mod/p/%d/contact" % bo.thread_post in page, "the review item has no contact link"
    st, hd, _ = W["mod"].post("/mod/p/%d/contact" % bo.thread_post, [("body", "Checking in: how are you?"),
                                                                      ("action", "send")])
    assert st == 303, "check-in: %d" % st
    conv = _conv_id(hd.get("location"))
    page = _page(bo, "/m/%d" % conv)
    assert "Checking in" in page and "from the moderators" in page, "the check-in is not marked"
    assert _q(stack, "select count(*) from audit_log where action = 'checkin' and target_user_id = %d"
              % bo.user_id) == "1"
    st, _, _ = bo.get("/mod/p/%d/contact" % bo.thread_post)
    assert st == 403, "a member on the contact page: %d" % st


# ---------------------------------------------------------------- export and deletion

def test_export_and_deletion(stack):
    ann, bo = _member(stack, "exp"), _member(stack, "exb")
    _, loc, _ = _start(ann, bo.handle, "From ann, to keep")
    conv = _conv_id(loc)
    _send(bo, conv, "From bo, an answer")
    st, _, data = ann.get("/me/export")
    assert st == 200
    doc = json.loads(data)
    convs = {c["id"]: c for c in doc["conversations"]}
    assert conv in convs, "the export has no conversations"
    bodies = [(m["from"], m["body_markdown"]) for m in convs[conv]["messages"]]
    assert ("me", "From ann, to keep") in bodies and (bo.handle, "From bo, an answer") in bodies, bodies
    # ann deletes her account, keeping her posts: bo sees "a former member".
    st, _, _ = ann.post("/me/delete", [("password", ann.password), ("posts", "keep"), ("confirm", "yes")])
    assert st == 200, "delete: %d" % st
    page = _page(bo, "/m/%d" % conv)
    assert "From ann, to keep" in page and "A former member" in page and ann.handle not in page, \
        "after a deletion with kept posts"
    # cy deletes with her posts: her messages become tombstones.
    cy = _member(stack, "exc")
    _, loc, _ = _start(cy, bo.handle, "From cy, to remove")
    conv2 = _conv_id(loc)
    st, _, _ = cy.post("/me/delete", [("password", cy.password), ("posts", "delete"), ("confirm", "yes")])
    assert st == 200, "delete: %d" % st
    page = _page(bo, "/m/%d" % conv2)
    assert "From cy, to remove" not in page and "removed by its writer" in page, "after a deletion with posts"
    assert _q(stack, "select count(*) from messages where body_md = 'From cy, to remove'") == "0"


# ---------------------------------------------------------------- the stored unread state (sql/028)

# Member rows whose stored new_at disagrees with the rule computed from the
# messages (CONV_LIST's unread mark): must be none after every write. In a
# group, the messages of a member the reader blocked do not count (sql/031).
STALE_SQL = ("select count(*) from conversation_members cm join conversations c on c.id = cm.conversation_id "
             "where coalesce(cm.new_at > cm.read_at, false) is distinct from "
             "  (c.last_message_at > cm.read_at and exists (select 1 from messages m "
             "   where m.conversation_id = c.id and m.state = 'visible' and m.visible_at > cm.read_at "
             "     and m.author_id is distinct from cm.user_id "
             "     and not (c.is_group and exists (select 1 from member_blocks b "
             "       where b.user_id = cm.user_id and b.blocked_id = m.author_id))))")


def _fresh(stack, after):
    assert _q(stack, STALE_SQL) == "0", "the stored unread state is stale after %s" % after


def test_stored_unread_follows_every_write(stack):
    ann, bo, cy = _member(stack, "sua"), _member(stack, "sub"), _member(stack, "suc")
    _, loc, _ = _start(ann, "%s, %s" % (bo.handle, cy.handle), "Hello both, stored state")
    conv = _conv_id(loc)
    _fresh(stack, "a new conversation")
    assert _count(_page(bo, "/me/messages")) == 1 and _count(_page(ann, "/me/messages")) == 0
    _page(bo, "/m/%d" % conv)
    _fresh(stack, "a read")
    assert _count(_page(bo, "/me/messages")) == 0, "the read conversation still counts"
    # Held: nothing new for the others; approved: new for them.
    _, loc, _ = _send(ann, conv, HELD_TEXT)
    assert "sent=held" in loc, "method detail was not held: %r" % loc
    mid = _msg_id(stack, conv, HELD_TEXT)
    _fresh(stack, "a held message")
    assert _count(_page(bo, "/me/messages")) == 0, "a held message counts as unread"
    st, _, _ = W["mod"].post("/mod/m/%d" % mid, [("action", "approve"), ("reason", "")])
    assert st == 303, "approve: %d" % st
    _fresh(stack, "an approval")
    assert _count(_page(bo, "/me/messages")) == 1, "an approved message does not count as new"
    # A member's own message is never unread to them; the others' are.
    _page(bo, "/m/%d" % conv)
    _send(bo, conv, "From bo, stored state")
    _fresh(stack, "a reply")
    assert _count(_page(bo, "/me/messages")) == 0 and _count(_page(ann, "/me/messages")) == 1
    # Hidden or deleted, the only new message stops counting; visible again, it counts.
    bid = _msg_id(stack, conv, "From bo, stored state")
    for state, want in (("hidden", 0), ("visible", 1), ("deleted", 0)):
        _q(stack, "update messages set state = '%s' where id = %d" % (state, bid))
        _fresh(stack, "a message %s" % state)
        assert _count(_page(ann, "/me/messages")) == want, "after %s: not %d" % (state, want)
    _q(stack, "delete from messages where id = %d" % bid)
    _fresh(stack, "a message deleted from the table")
    # The conversation's time alone moving (the rule reads it too).
    _send(bo, conv, "From bo, once more")
    _q(stack, "update conversations set last_message_at = '2000-01-01' where id = %d" % conv)
    _fresh(stack, "last_message_at moved back")
    assert _count(_page(ann, "/me/messages")) == 0
    _q(stack, "update conversations set last_message_at = now() where id = %d" % conv)
    _fresh(stack, "last_message_at moved on")
    assert _count(_page(ann, "/me/messages")) == 1
    _page(ann, "/m/%d" % conv)
    # Leaving: the count is of current conversations only.
    _send(ann, conv, "From ann, to the two")
    assert _count(_page(cy, "/me/messages")) == 1
    st, _, _ = cy.post("/m/%d/leave" % conv, [])
    assert st == 303, "leave: %d" % st
    _fresh(stack, "a leave")
    assert _count(_page(cy, "/me/messages")) == 0, "a conversation left still counts"
    # A block marks what the blocked member wrote to the blocker alone as
    # read (the one-to-one conversation); in the group (sql/031) the blocked
    # member's messages leave the blocker's count while the block lasts.
    _start(ann, bo.handle, "One to one, before the block")
    assert _count(_page(bo, "/me/messages")) == 2
    st, _, _ = bo.post("/u/%s/block" % ann.handle, [])
    assert st == 303, "block: %d" % st
    _fresh(stack, "a block")
    assert _count(_page(bo, "/me/messages")) == 0, "a blocked member's conversations still count"
    # In the group, ann writes on while blocked: nothing new for bo; the
    # unblock brings it back as new.
    _send(ann, conv, "From ann, during the block")
    _fresh(stack, "a blocked member's message in a group")
    assert _count(_page(bo, "/me/messages")) == 0, "a blocked member's group message counts for the blocker"
    st, _, _ = bo.post("/u/%s/unblock" % ann.handle, [])
    assert st == 303, "unblock: %d" % st
    _fresh(stack, "an unblock")
    assert _count(_page(bo, "/me/messages")) == 1, "the unblocked member's group messages are not new again"
    _page(bo, "/m/%d" % conv)
    _send(ann, conv, "From ann, after the unblock")
    _fresh(stack, "a message after an unblock")
    assert _count(_page(bo, "/me/messages")) == 1
    # The writer deletes their account keeping their messages (author set to
    # null: a former member's message still counts), then with them (tombstones).
    st, _, _ = ann.post("/me/delete", [("password", ann.password), ("posts", "keep"), ("confirm", "yes")])
    assert st == 200, "delete: %d" % st
    _fresh(stack, "an account deletion")
    assert _count(_page(bo, "/me/messages")) == 1, "a former member's message no longer counts"
    dee = _member(stack, "sud")
    _, loc, _ = _start(dee, bo.handle, "From dee, to remove")
    assert _count(_page(bo, "/me/messages")) == 2
    st, _, _ = dee.post("/me/delete", [("password", dee.password), ("posts", "delete"), ("confirm", "yes")])
    assert st == 200, "delete: %d" % st
    _fresh(stack, "an account deletion with its messages")
    assert _count(_page(bo, "/me/messages")) == 1, "a deleted writer's messages still count"
    st, _, _ = bo.post("/me/notifications/read-all", [])
    assert st == 303, "read-all: %d" % st
    _fresh(stack, "mark all as read")
    assert _count(_page(bo, "/me/messages")) == 0


def test_long_conversation_pages_back_to_the_first_message(stack):
    ann, bo = _member(stack, "lng"), _member(stack, "lnb")
    _, loc, _ = _start(ann, bo.handle, "The very first message, kept")
    conv = _conv_id(loc)
    # 320 more, written straight into the table (the page is what is tested).
    _q(stack, "insert into messages (conversation_id, author_id, body_md, body_html, visible_at) "
       "select %d, %d, 'Message ' || g, '<p>Message ' || g || '</p>', now() "
       "from generate_series(1, 320) g" % (conv, bo.user_id))
    _q(stack, "update conversations set last_message_at = now() where id = %d" % conv)
    # Unread, it is listed on the notifications page, counted up to 100.
    links = [a.text() for a in find_all(parse(_page(ann, "/me/notifications")), "a")
             if a.get("href") == "/m/%d" % conv]
    assert links == ["99+ new messages"], "320 unread messages are listed as %r" % links
    page = _page(ann, "/m/%d" % conv)
    assert "Message 320" in page and "The very first message" not in page, "the newest page"
    doc = parse(page)
    earlier = [a.get("href") for a in find_all(doc, "a") if a.get("rel") == "prev"]
    assert earlier and "before=" in earlier[0], "no link to earlier messages on a long conversation"
    shown = len([li for li in find_all(doc, "li") if "message" in (li.get("class") or "")])
    assert shown == 300, "%d messages on the newest page" % shown
    older = _page(ann, earlier[0].split("#")[0])
    assert "The very first message, kept" in older and "Message 20<" in older and "Message 21<" not in older, \
        "the earlier page does not hold the first 21 messages"
    assert "Back to the newest messages" in older
    assert not [a for a in find_all(parse(older), "a") if a.get("rel") == "prev"], \
        "the first page links to an even earlier one"
    # Someone outside the conversation gets nothing from the earlier page either.
    eve = _member(stack, "lne", post=False)
    st, _, body = eve.get(earlier[0].split("#")[0])
    assert st == 404 and b"The very first message" not in body, "an outsider on an earlier page: %d" % st
    for bad in ("abc", "0", "-5", "99999999999999999999"):
        st, _, body = ann.get("/m/%d?before=%s" % (conv, bad))
        assert st == 400 and b"Message 1" not in body, "before=%s: %d" % (bad, st)
