"""A block is never revealed in a conversation (round 10,
sql/031_block_conversations.sql, fcgi/page_conversation.c).

Group conversations (three or more members): a member Y whom X blocked
writes as anyone does (same answer, same page); X reads nothing of Y while
the block lasts, old or new: not on /m/ID, not moving the conversation in
/me/messages, not in the unread count, the notifications or the export.
The other members read Y as usual. Unblocking brings Y's messages back.

One-to-one conversations: a block and "who may message me: nobody" both
stop new messages in an existing conversation, with the same words and
status, so the refusal no longer proves a block. A moderators' check-in is
never stopped.

A refused POST that gives /m/ID back (too long, rate-limited, a bad CSRF
token) shows the viewer what the page shows them, nothing more.

Each test failed against the code before this round. The stored unread
state (sql/028, with blocks) is compared with the rule after every write.
"""

import json
import re
import uuid

from client import Client, find_all, message_of, new_member, parse, post_id_from

STACK_OPTIONS = {"conf": {
    "registrations_per_hour": "0", "new_member_days": "0", "post_per_minute": "0",
    "message_min_account_hours": "0", "message_min_posts": "0",
    "message_per_minute": "6", "message_per_hour": "0", "conversations_per_day": "0",
}}
TIMEOUT = 300

SLUG = "blkconv"
W = {}

# Member rows whose stored new_at disagrees with the rule (blocks included):
# must be none after every write. One statement, test_conversations' own.
from test_conversations import STALE_SQL  # noqa: E402


def _q(stack, sql):
    return stack.psql(sql).strip()


def _fresh(stack, after):
    assert _q(stack, STALE_SQL) == "0", "the stored unread state is stale after %s" % after


def _page(c, path, expect=200):
    st, _, body = c.get(path)
    assert st == expect, "GET %s: %d" % (path, st)
    return body.decode("utf-8")


def _count(html):
    links = [a for a in find_all(parse(html), "a") if a.get("href") == "/me/notifications"]
    assert links, "no Notifications link in the header"
    spans = [s for s in links[0].find_all("span") if "unread-count" in (s.get("class") or "")]
    return int(spans[0].text().strip()) if spans else 0


def _start(c, to, body, expect=303):
    st, hd, data = c.post("/m/new", [("to", to), ("body", body), ("action", "send")])
    text = data.decode("utf-8", "replace")
    assert st == expect, "POST /m/new to %s: %d (%s)" % (to, st, message_of(text) if text else "")
    m = re.match(r"^/m/(\d+)\?", hd.get("location") or "")
    return int(m.group(1)) if m else None


def _send(c, conv, body, csrf=True):
    fields = [("body", body), ("action", "send")]
    if csrf is True:
        st, hd, data = c.post("/m/%d" % conv, fields)
    else:
        st, hd, data = c.request("POST", "/m/%d" % conv, form=fields + [("csrf", csrf)])
    return st, hd.get("location"), data.decode("utf-8", "replace")


def _block(c, other, undo=False):
    st, _, body = c.post("/u/%s/%s" % (other.handle, "unblock" if undo else "block"), [])
    assert st == 303, "%s %s: %d %s" % ("unblock" if undo else "block", other.handle, st, message_of(body))


def _shown(html):
    """The ids of the messages a conversation page shows (li#msg-ID)."""
    return [li.get("id") for li in find_all(parse(html), "li") if (li.get("id") or "").startswith("msg-")]


def _list_order(c):
    """The conversation ids of /me/messages, in their order."""
    out = []
    for a in find_all(parse(_page(c, "/me/messages")), "a"):
        m = re.match(r"^/m/(\d+)$", a.get("href") or "")
        if m and int(m.group(1)) not in out:
            out.append(int(m.group(1)))
    return out


def _export_bodies(c):
    st, _, data = c.get("/me/export")
    assert st == 200, "export: %d" % st
    return [m["body_markdown"] for conv in json.loads(data)["conversations"] for m in conv["messages"]]


def _group(stack):
    """X, Y, Z in a group Z started; Y wrote once before X blocked Y; X has
    read it all, and a newer conversation with W is above it in X's list."""
    if W:
        return W
    assert not getattr(stack, "bc_tried", False), "the setup failed in an earlier test"
    stack.bc_tried = True
    x, y, z, w = (new_member(stack, n) for n in ("bx", "by", "bz", "bw"))
    tag = uuid.uuid4().hex[:6]
    conv = _start(z, "%s, %s" % (x.handle, y.handle), "ZHELLO all of you %s" % tag)
    st, _, text = _send(y, conv, "YBEFORE written before the block %s" % tag)
    assert st == 303, "Y before the block: %d %s" % (st, message_of(text))
    assert "YBEFORE" in _page(x, "/m/%d" % conv), "X does not read Y before the block"
    other = _start(w, x.handle, "WHELLO another conversation %s" % tag)
    _page(x, "/m/%d" % other)
    _fresh(stack, "the setup")
    W.update(x=x, y=y, z=z, w=w, conv=conv, other=other, tag=tag)
    return W


def test_blocked_member_in_a_group_writes_as_anyone(stack):
    g = _group(stack)
    x, y, z, conv, tag = g["x"], g["y"], g["z"], g["conv"], g["tag"]
    assert _list_order(x)[:2] == [g["other"], conv], "X's list before the block: %r" % _list_order(x)
    unread_x = _count(_page(x, "/me/messages"))
    _page(z, "/m/%d" % conv)
    unread_z = _count(_page(z, "/me/messages"))
    y_before = _page(y, "/m/%d" % conv)
    _block(x, y)
    _fresh(stack, "a block")
    # Y: the answer any send gets, the message shown as sent.
    st, loc, text = _send(y, conv, "YAFTER written during the block %s" % tag)
    assert st == 303, "the blocked member's message was refused: %d %r" % (st, message_of(text))
    assert re.match(r"^/m/%d\?sent=1#msg-\d+$" % conv, loc or ""), "Location: %r" % loc
    _fresh(stack, "a message by a blocked member")
    page = _page(y, loc.split("#")[0])
    assert "YAFTER" in page and "Your message was sent." in page, "Y is not shown the message as sent"
    assert "blocked" not in page.lower() and "not taking" not in page, "Y's page tells of the block"
    # Y's page reads as before, with the new message added.
    assert _shown(page)[:-1] == _shown(y_before), "Y's page lost or gained other messages"
    # Z reads it, counted unread as usual.
    assert _count(_page(z, "/me/messages")) == unread_z + 1, "the third member's count did not move"
    assert "YAFTER" in _page(z, "/m/%d" % conv), "the third member does not read the message"
    # X: nothing of Y, old or new, anywhere.
    page = _page(x, "/m/%d" % conv)
    assert "YAFTER" not in page and "YBEFORE" not in page, "X's page shows the blocked member's messages"
    assert "ZHELLO" in page, "X lost the other member's message"
    assert _count(page) == unread_x, "X's count moved"
    assert _count(_page(x, "/me/messages")) == unread_x, "the blocked member's message counts as unread for X"
    assert _list_order(x)[:2] == [g["other"], conv], "the blocked member's message moved the conversation " \
        "in X's list: %r" % _list_order(x)[:2]
    notes = _page(x, "/me/notifications")
    assert "/m/%d" % conv not in notes, "X's notifications list the conversation"
    bodies = _export_bodies(x)
    assert not [b for b in bodies if "YAFTER" in b or "YBEFORE" in b], "X's export holds the blocked member's messages"
    assert [b for b in bodies if "ZHELLO" in b], "X's export lost the other member's message"
    mid = int(_q(stack, "select id from messages where body_md like 'YAFTER%%%s'" % tag))
    st, _, body = x.get("/msg/%d/report" % mid)
    assert st == 404 and b"YAFTER" not in body, "X opens the report form of a message X does not see: %d" % st
    # Z's reply after it is new for X, and moves the conversation back up.
    _send(z, conv, "ZAGAIN after the blocked one %s" % tag)
    _fresh(stack, "the third member's reply")
    assert _count(_page(x, "/me/messages")) == unread_x + 1, "the third member's message is not new for X"
    assert _list_order(x)[0] == conv, "the third member's message did not move the conversation"
    page = _page(x, "/m/%d" % conv)
    assert "ZAGAIN" in page and "YAFTER" not in page


def test_unblock_brings_the_messages_back(stack):
    g = _group(stack)
    x, y, conv, tag = g["x"], g["y"], g["conv"], g["tag"]
    if not _q(stack, "select count(*) from member_blocks where user_id = %d and blocked_id = %d"
              % (x.user_id, y.user_id)) == "1":
        _block(x, y)
    st, _, text = _send(y, conv, "YUNSEEN during the block, unread %s" % tag)
    assert st == 303, "the blocked member's message was refused: %d %r" % (st, message_of(text))
    _fresh(stack, "a message by a blocked member")
    before = _count(_page(x, "/me/messages"))
    _block(x, y, undo=True)
    _fresh(stack, "an unblock")
    # X has not opened the conversation since: Y's message is new again.
    assert _count(_page(x, "/me/messages")) == before + 1, "the unblocked member's message is not counted"
    assert "/m/%d" % conv in _page(x, "/me/notifications")
    page = _page(x, "/m/%d" % conv)
    assert "YUNSEEN" in page and "YBEFORE" in page, "unblocking did not bring the messages back"
    assert [b for b in _export_bodies(x) if "YUNSEEN" in b], "unblocking did not bring the export back"
    _block(x, y)
    _fresh(stack, "a second block")
    assert "YUNSEEN" not in _page(x, "/m/%d" % conv)


def test_one_to_one_refusal_is_the_same_for_a_block_and_nobody(stack):
    a, b, c, d = (new_member(stack, n) for n in ("oa", "ob", "oc", "od"))
    ab = _start(a, b.handle, "Hello b, one to one")
    cd = _start(c, d.handle, "Hello d, one to one")
    _block(b, a)
    _fresh(stack, "a block")
    st, _, _ = d.post("/me/settings/messages", [("messages_from", "nobody")])
    assert st == 303, "settings: %d" % st
    text = "Kept text %s" % uuid.uuid4().hex[:6]
    st1, _, p1 = _send(a, ab, text)
    st2, _, p2 = _send(c, cd, text)
    said1, said2 = message_of(p1), message_of(p2)
    assert st2 == 403, "\"nobody\" does not stop an existing one-to-one conversation: %d" % st2
    assert st1 == st2, "a block and \"nobody\" answer differently: %d / %d" % (st1, st2)
    assert said1.replace(b.handle, "X") == said2.replace(d.handle, "X"), \
        "a block and \"nobody\" read differently: %r / %r" % (said1, said2)
    assert "%s is not taking private messages from you just now" % d.handle in said2, said2
    assert "block" not in said1.lower(), said1
    assert text in p1 and text in p2, "the text was not kept"
    assert _q(stack, "select count(*) from messages where body_md = '%s'" % text) == "0", "a refused message was stored"
    # The member who chose "nobody" still writes; "everyone" again lets d's partner answer.
    st, _, _ = _send(d, cd, "From d, still writing")
    assert st == 303, "the member with \"nobody\" cannot write: %d" % st
    st, _, _ = d.post("/me/settings/messages", [("messages_from", "everyone")])
    assert st == 303
    st, _, _ = _send(c, cd, text)
    assert st == 303, "after \"everyone\" again: %d" % st
    assert "in your one-to-one conversations the other member cannot write anything new" in _page(d, "/me/settings"), \
        "the settings page does not say what \"nobody\" does"


def _category(stack):
    if not getattr(stack, "bc_category", False):
        r = stack.hearthctl("category", "add", SLUG, "Block conversations", "")
        assert r.returncode == 0, "category add: %s" % r.stderr
        stack.bc_category = True


def test_check_in_is_never_stopped(stack):
    _category(stack)
    mod = Client(stack)
    st, _, _ = mod.login(stack.admin, stack.admin_password)
    assert st == 303, "admin log-in: %d" % st
    m = new_member(stack, "ck")
    st, loc, html = m.new_thread(SLUG, "A hard night", "It is a hard night.")
    assert st == 303, "new thread: %d" % st
    pid = post_id_from(loc, html)
    st, _, _ = m.post("/me/settings/messages", [("messages_from", "nobody")])
    assert st == 303
    st, hd, _ = mod.post("/mod/p/%d/contact" % pid, [("body", "Checking in: how are you?"), ("action", "send")])
    assert st == 303, "check-in: %d" % st
    conv = int(re.match(r"^/m/(\d+)\?", hd.get("location")).group(1))
    st, _, text = _send(mod, conv, "Still here if you want to talk")
    assert st == 303, "the moderator's second message was stopped: %d %r" % (st, message_of(text))
    st, _, _ = mod.post("/me/settings/messages", [("messages_from", "nobody")])
    assert st == 303
    st, _, text = _send(m, conv, "Thank you, I am a bit better")
    assert st == 303, "the member's answer to a check-in was stopped: %d %r" % (st, message_of(text))
    _fresh(stack, "a check-in")


def test_refused_post_shows_what_the_page_shows(stack):
    g = _group(stack)
    x, y, conv, tag = g["x"], g["y"], g["conv"], g["tag"]
    if not _q(stack, "select count(*) from member_blocks where user_id = %d and blocked_id = %d"
              % (x.user_id, y.user_id)) == "1":
        _block(x, y)
    st, _, text = _send(y, conv, "YREFUSAL during the block %s" % tag)
    assert st == 303, "the blocked member's message was refused: %d %r" % (st, message_of(text))
    normal = _shown(_page(x, "/m/%d" % conv))
    # Too long: the page again with the text.
    st, _, page = _send(x, conv, "x" * 50001)
    assert st == 422, "too long: %d" % st
    assert "YREFUSAL" not in page and "YBEFORE" not in page, "the too-long refusal shows the blocked member"
    assert _shown(page) == normal, "the too-long refusal shows other messages than the page"
    # A bad CSRF token: the form alone, nothing of the conversation.
    st, _, page = _send(x, conv, "A reply with a stale token", csrf="wrong")
    assert st == 403, "bad CSRF: %d" % st
    assert "YREFUSAL" not in page and "ZHELLO" not in page and not _shown(page), \
        "the bad-CSRF refusal shows the conversation"
    # Rate-limited (message_per_minute = 6): the page again, as it is for X.
    seen = None
    for i in range(8):
        st, _, page = _send(x, conv, "From X, number %d %s" % (i, uuid.uuid4().hex[:4]))
        if st == 429:
            seen = page
            break
        assert st == 303, "send %d: %d" % (i, st)
    assert seen is not None, "the rate limit never answered"
    assert "YREFUSAL" not in seen and "YBEFORE" not in seen, "the rate-limited refusal shows the blocked member"
    assert _shown(seen) == _shown(_page(x, "/m/%d" % conv)), "the rate-limited refusal differs from the page"
    _fresh(stack, "X's messages")
    # The blocked member's own refusal is their page as usual.
    st, _, page = _send(y, conv, "y" * 50001)
    assert st == 422 and "YREFUSAL" in page and "block" not in message_of(page).lower(), \
        "Y's too-long refusal: %d %r" % (st, message_of(page))
    assert _shown(page) == _shown(_page(y, "/m/%d" % conv))


def test_blocked_member_deleting_their_account(stack):
    """Deleting an account (posts kept) removes its blocks and member rows
    in one statement, its messages stay under "a former member": the
    blocker's stored unread state follows the block's end (sql/031). A pin:
    it held once the blocked member could write in the group at all."""
    _category(stack)
    x, y, z = (new_member(stack, n) for n in ("dx", "dy", "dz"))
    st, _, _ = y.new_thread(SLUG, "A thread to keep", "Something to keep after I go.")
    assert st == 303, "new thread: %d" % st
    conv = _start(z, "%s, %s" % (x.handle, y.handle), "Hello the three of us")
    _page(x, "/m/%d" % conv)
    _block(x, y)
    st, _, text = _send(y, conv, "DYGONE written before leaving the site")
    assert st == 303, "the blocked member's message was refused: %d %r" % (st, message_of(text))
    assert _count(_page(x, "/me/messages")) == 0
    st, _, _ = y.post("/me/delete", [("password", y.password), ("posts", "keep"), ("confirm", "yes")])
    assert st == 200, "delete: %d" % st
    _fresh(stack, "the blocked member's account deleted")
