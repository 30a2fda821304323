"""Limits against abuse (issue 9, findings 5, 6 and 8).

5. One address must not lock everyone out of logging in: a browser that
   logged in to an account before carries a device cookie ("hd") and keeps
   its own allowance of attempts for that account (OWASP's device cookies);
   the per-address lock-out and the per-handle slow-down hold for unknown
   browsers.
6. A deleted member's handle stays reserved (as a keyed digest) for
   handle_reserve_days.
8. Posting rates per member (stricter for new accounts) and a registration
   rate per address, answered with 429, a calm message and the text kept.

Requests come from several loopback addresses (127.0.x.y all reach nginx on
127.0.0.1), so that each test has addresses of its own: nginx hands
hearth-fcgi the real one as REMOTE_ADDR.
"""

import http.client
import itertools
import uuid

from client import Client, form_value, message_of, post_id_from
from harness import Headers

REGISTRATIONS_PER_HOUR = 3
STACK_OPTIONS = {"workers": 2, "conf": {
    "registrations_per_hour": str(REGISTRATIONS_PER_HOUR),
    "new_member_days": "7",
    "new_member_threads_per_hour": "1",
    "new_member_replies_per_hour": "2",
    "new_member_per_minute": "50",
    "post_threads_per_hour": "5",
    "post_replies_per_hour": "10",
    "post_per_minute": "3",
    "handle_reserve_days": "365",
}}
TIMEOUT = 180

PASSWORD = "correct horse battery staple"
LOGIN_ADDR_LIMIT = 30           # fcgi/page_auth.c
DEVICE_LOGIN_TRIES = 10         # lib/db_device.h
RESERVED_MESSAGE = "This name was used by a member who left; please choose another."
CATEGORY = "abuse-tests"

_addresses = ("127.0.%d.%d" % (a, b) for a, b in itertools.product(range(10, 250), range(2, 250)))


class FromAddr:
    """stack.http from another loopback source address (for Client)."""

    def __init__(self, stack, addr=None):
        self.stack, self.addr = stack, addr or next(_addresses)

    def http(self, method, path, headers=None, body=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.stack.port, timeout=timeout,
                                          source_address=(self.addr, 0))
        try:
            conn.request(method, path, body=body, headers=dict(headers or {}))
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, Headers(resp.getheaders()), data
        finally:
            conn.close()


def client(stack, addr=None, cookies=None):
    c = Client(FromAddr(stack, addr))
    c.cookies.update(cookies or {})
    return c


def q1(stack, sql):
    return stack.psql(sql).strip()


def new_handle(prefix):
    return "%s_%s" % (prefix, uuid.uuid4().hex[:10])


def member(stack, prefix="ab"):
    """A new member, registered from an address of its own, logged in."""
    c = client(stack)
    handle = new_handle(prefix)
    st, _, body = c.register(handle, PASSWORD)
    assert st == 303 and c.logged_in(), "register %s: %d %s" % (handle, st, message_of(body))
    c.uid = int(q1(stack, "select id from users where handle = '%s'" % handle))
    return c


def ensure_category(stack):
    if not getattr(stack, "abuse_category", False):
        r = stack.hearthctl("category", "add", CATEGORY, "Abuse tests", "Posts of test_abuse.py")
        assert r.returncode == 0, "category add: %s" % r.stderr
        stack.abuse_category = True


def logout(c):
    st, _, _ = c.post("/logout", {})
    assert st == 303 and not c.logged_in(), "log-out: %d, cookies %r" % (st, c.cookies)


def login(stack, handle, password=PASSWORD, addr=None, cookies=None):
    c = client(stack, addr, cookies)
    st, h, body = c.login(handle, password)
    return st, h, body, c


def burn_address(stack, addr):
    """LOGIN_ADDR_LIMIT wrong passwords from addr for handles nobody has."""
    c = client(stack, addr)
    for i in range(LOGIN_ADDR_LIMIT):
        st, _, body = c.login(new_handle("nobody"), "wrong password %d" % i)
        assert st == 403, "wrong password %d from %s: %d %s" % (i, addr, st, message_of(body))
    st, h, body = c.login(new_handle("nobody"), "one more")
    assert st == 429 and h.get("retry-after"), "after %d wrong passwords from %s: %d, want 429" % (
        LOGIN_ADDR_LIMIT, addr, st)


# ---------------------------------------------------------------- finding 5

def test_device_cookie_survives_address_lockout(stack):
    a, b = member(stack, "dev_a"), member(stack, "dev_b")
    assert "hd" in a.cookies, "registration set no device cookie: %r" % a.cookies
    a_device, b_device = a.cookies["hd"], b.cookies["hd"]
    assert a_device != b_device
    logout(a)
    assert a.cookies.get("hd") == a_device, "log-out dropped the device cookie"

    shared = next(_addresses)           # one NAT: the attacker and the members
    burn_address(stack, shared)

    st, _, body, _ = login(stack, a.handle, addr=shared)
    assert st == 429, "an unknown browser from the locked address logged in: %d" % st
    assert "15 minutes" in message_of(body), message_of(body)
    st, _, _, _ = login(stack, a.handle, addr=shared, cookies={"hd": "x" * 43})
    assert st == 429, "a forged device cookie passed the lock-out: %d" % st

    st, _, body, c = login(stack, a.handle, addr=shared, cookies={"hd": a_device})
    assert st == 303 and c.logged_in(), \
        "a's browser with its device cookie, locked address: %d %s" % (st, message_of(body))

    # a's device cookie is no key to b's account.
    st, _, body, c = login(stack, b.handle, addr=shared, cookies={"hd": a_device})
    assert st == 429 and not c.logged_in(), \
        "b's log-in with a's device cookie from the locked address: %d, want 429" % st
    st, _, body, c = login(stack, b.handle, addr=shared, cookies={"hd": b_device})
    assert st == 303, "b with b's own device cookie: %d %s" % (st, message_of(body))


def test_wrong_passwords_lock_only_that_device(stack):
    a = member(stack, "dl")
    first = a.cookies["hd"]
    _, _, _, other = login(stack, a.handle)          # a second browser of a
    second = other.cookies.get("hd")
    assert second and second != first, "a second browser got no device cookie of its own"

    addr = next(_addresses)
    c = client(stack, addr, {"hd": first})
    for i in range(DEVICE_LOGIN_TRIES):
        st, _, body = c.login(a.handle, "not my password %d" % i)
        assert st == 403, "wrong password %d with a device cookie: %d %s" % (i, st, message_of(body))
    st, h, body = c.login(a.handle, PASSWORD)
    assert st == 429 and h.get("retry-after"), \
        "after %d wrong passwords with one device cookie, the right one: %d, want 429" % (
            DEVICE_LOGIN_TRIES, st)
    assert "this browser" in message_of(body), message_of(body)
    assert form_value(body, "handle") == a.handle, "the handle was not kept in the log-in form"

    # Only that cookie is locked: a's other browser, from the same address...
    st, _, body, _ = login(stack, a.handle, addr=addr, cookies={"hd": second})
    assert st == 303, "a's other device from the same address: %d %s" % (st, message_of(body))
    # ...and an unknown browser: the device's failures did not slow the handle down.
    st, _, body, _ = login(stack, a.handle)
    assert st == 303, "a from a new browser after the device's failures: %d %s" % (st, message_of(body))


def test_handle_slowdown_kept_for_unknown_browsers(stack):
    a = member(stack, "sd")
    device = a.cookies["hd"]
    attacker = client(stack)
    for i in range(5):
        st, _, _ = attacker.login(a.handle, "guess %d" % i)
        assert st == 403, "guess %d: %d" % (i, st)
    # Four more failures on record make the wait a full minute (not seconds
    # that a slow machine could let pass before the next request).
    stack.psql("insert into login_failures (key, at) select 'h:' || lower('%s'), now() "
               "from generate_series(1, 4)" % a.handle)
    st, h, body, _ = login(stack, a.handle)          # right password, unknown browser
    assert st == 429 and h.get("retry-after"), "the handle slow-down is gone: %d" % st
    assert "wait" in message_of(body), message_of(body)
    st, _, body, _ = login(stack, a.handle, cookies={"hd": device})
    assert st == 303, "a's own browser during the slow-down: %d %s" % (st, message_of(body))


# ---------------------------------------------------------------- finding 6

def delete_account(c):
    st, _, body = c.post("/me/delete", [("posts", "delete"), ("password", PASSWORD), ("confirm", "yes")])
    assert st == 200 and "hs" not in c.cookies, "POST /me/delete: %d %s" % (st, message_of(body))


def test_deleted_handle_is_reserved(stack):
    a = member(stack, "Gone")
    delete_account(a)
    assert q1(stack, "select count(*) from users where lower(handle) = lower('%s')" % a.handle) == "0"

    for attempt in (a.handle, a.handle.upper(), a.handle.lower()):
        c = client(stack)
        st, _, body = c.register(attempt, "someone else entirely 123")
        assert st == 409, "registering %s (left just now): %d, want 409" % (attempt, st)
        assert message_of(body) == RESERVED_MESSAGE, "message: %r" % message_of(body)
        assert form_value(body, "handle") == attempt, "the form lost the handle: %r" % form_value(body, "handle")
        assert not c.logged_in()
    assert q1(stack, "select count(*) from users where lower(handle) = lower('%s')" % a.handle) == "0", \
        "the reserved handle was given to someone"

    # The table holds a keyed digest: no text column, not the handle, not its plain hash.
    cols = stack.psql("select column_name || ':' || data_type from information_schema.columns "
                      "where table_name = 'handle_reserve' order by ordinal_position").splitlines()
    assert cols == ["digest:bytea", "released_at:timestamp with time zone"], cols
    assert q1(stack, "select count(*) from handle_reserve") != "0", "nothing was reserved"
    for form in ("lower('%s')", "'%s'"):
        expr = form % a.handle
        n = q1(stack, "select count(*) from handle_reserve where digest = convert_to(%s, 'UTF8') "
                      "or digest = sha256(convert_to(%s, 'UTF8')) or digest = decode(md5(%s), 'hex') "
                      "or position(convert_to(%s, 'UTF8') in digest) > 0" % (expr, expr, expr, expr))
        assert n == "0", "handle_reserve holds %s in a form anyone can check" % expr

    # After handle_reserve_days the name is free again.
    stack.psql("update handle_reserve set released_at = now() - interval '366 days'")
    st, _, body = client(stack).register(a.handle, "someone else entirely 123")
    assert st == 303, "registering %s after the reserve: %d %s" % (a.handle, st, message_of(body))


# ---------------------------------------------------------------- finding 8

def test_registration_rate_per_address(stack):
    addr = next(_addresses)
    c = client(stack, addr)
    for i in range(REGISTRATIONS_PER_HOUR):
        st, _, body = client(stack, addr).register(new_handle("reg"), PASSWORD)
        assert st == 303, "registration %d from one address: %d %s" % (i + 1, st, message_of(body))
    handle = new_handle("reg")
    st, h, body = c.register(handle, PASSWORD)
    assert st == 429, "registration %d from one address within the hour: %d, want 429" % (
        REGISTRATIONS_PER_HOUR + 1, st)
    assert int(h.get("retry-after", "0")) > 0, "429 without Retry-After"
    assert "try again in" in message_of(body), "the message says nothing of when: %r" % message_of(body)
    assert form_value(body, "handle") == handle, "the form lost the handle"
    assert q1(stack, "select count(*) from users where handle = '%s'" % handle) == "0", "the account was made"
    assert q1(stack, "select count(*) from registrations r where position(convert_to('%s', 'UTF8') "
                     "in r.addr_digest) > 0" % addr) == "0"

    st, _, body = client(stack).register(handle, PASSWORD)
    assert st == 303, "the same handle from another address: %d %s" % (st, message_of(body))


def thread_count(stack, title):
    return q1(stack, "select count(*) from threads where title = '%s'" % title)


def posts_of(stack, uid):
    return int(q1(stack, "select count(*) from posts where user_id = %d" % uid))


def test_new_member_post_rate(stack):
    ensure_category(stack)
    m = member(stack, "nm")
    st, loc, body = m.new_thread(CATEGORY, "First thread of a new member", "Hello everyone, I am new here.")
    assert st == 303 and loc, "first thread: %d %s" % (st, message_of(body))
    op = post_id_from(loc, body)

    title, text = "Second thread " + uuid.uuid4().hex[:8], "A second thread within the hour.\nTwo lines."
    st, _, body = m.new_thread(CATEGORY, title, text)
    assert st == 429, "second thread of a new member within the hour: %d, want 429" % st
    assert int(m.last[1].get("retry-after", "0")) > 0, "429 without Retry-After"
    msg = message_of(body)
    assert "can post it in" in msg and "minutes" in msg and "New accounts" in msg, msg
    assert form_value(body, "title") == title, "title not kept: %r" % form_value(body, "title")
    assert form_value(body, "body") == text, "text not kept: %r" % form_value(body, "body")
    assert thread_count(stack, title) == "0" and posts_of(stack, m.uid) == 1, "the refused thread was stored"

    # A preview stores nothing and is never refused.
    st, _, body = m.new_thread(CATEGORY, title, text, action="preview")
    assert st == 200, "preview while over the limit: %d %s" % (st, message_of(body))

    for i in range(2):
        st, loc, body = m.reply(op, "Reply number %d" % i)
        assert st == 303, "reply %d of a new member: %d %s" % (i, st, message_of(body))
    reply = "A third reply, kept \u2764 when refused"
    st, _, body = m.reply(op, reply)
    assert st == 429 and m.last[1].get("retry-after"), "third reply of a new member in an hour: %d, want 429" % st
    assert form_value(body, "body") == reply, "reply not kept: %r" % form_value(body, "body")
    assert posts_of(stack, m.uid) == 3, "the refused reply was stored"


def established_member_thread(stack, prefix, title):
    """A member whose account is 30 days old, and the opening post of a
    thread of theirs: (client, post id)."""
    ensure_category(stack)
    m = member(stack, prefix)
    stack.psql("update users set created_at = now() - interval '30 days' where id = %d" % m.uid)
    st, loc, body = m.new_thread(CATEGORY, title, "Some words.")
    assert st == 303, "%s's first thread: %d %s" % (prefix, st, message_of(body))
    return m, post_id_from(loc, body)


def test_established_member_rates(stack):
    m, op = established_member_thread(stack, "old", "An established member's thread")
    st, _, body = m.new_thread(CATEGORY, "Another thread of theirs", "More words.")
    assert st == 303, "thread 2 (above the new-member limit): %d %s" % (st, message_of(body))
    st, _, body = m.reply(op, "A reply")
    assert st == 303, "reply 1: %d %s" % (st, message_of(body))

    # Three posts within a minute (post_per_minute = 3): the fourth waits.
    stack.psql("update posts set created_at = now() where user_id = %d" % m.uid)
    st, _, body = m.reply(op, "Too quick")
    assert st == 429, "fourth post within a minute: %d, want 429" % st
    assert "in a minute" in message_of(body) and "New accounts" not in message_of(body), message_of(body)
    assert form_value(body, "body") == "Too quick"
    assert posts_of(stack, m.uid) == 3, "the refused reply was stored"

    stack.psql("update posts set created_at = now() - interval '2 minutes' where user_id = %d" % m.uid)
    st, _, body = m.reply(op, "Not so quick now")
    assert st == 303, "a reply after the minute: %d %s" % (st, message_of(body))


def test_hourly_reply_limit_among_many_threads(stack):
    """The hourly reply limit counts replies only, however many threads the
    member opened in the same hour (the rate check reads each kind apart),
    and threads are counted apart from replies."""
    m, op = established_member_thread(stack, "hr", "A thread for the hourly limit")
    tid = int(q1(stack, "select thread_id from posts where id = %d" % op))
    # Nine replies and twenty opening posts of theirs in the last hour (but
    # not the last minute), the replies older than the opening posts: the
    # newest twenty posts are all opening posts.
    stack.psql("insert into posts (thread_id, parent_id, path, user_id, body_md, body_html, created_at) "
               "select %d, %d, array[%d], %d, 'old reply ' || g, '<p>old reply</p>', "
               "now() - interval '50 minutes' from generate_series(1, 9) g" % (tid, op, op, m.uid))
    stack.psql("insert into posts (thread_id, parent_id, path, user_id, body_md, body_html, created_at) "
               "select %d, null, array[]::bigint[], %d, 'old opening ' || g, '<p>old</p>', "
               "now() - interval '10 minutes' from generate_series(1, 20) g" % (tid, m.uid))
    st, _, body = m.reply(op, "The tenth reply of the hour")
    assert st == 303, "tenth reply (limit 10): %d %s" % (st, message_of(body))
    stack.psql("update posts set created_at = now() - interval '5 minutes' where user_id = %d "
               "and created_at > now() - interval '1 minute'" % m.uid)
    st, _, body = m.reply(op, "The eleventh reply of the hour")
    assert st == 429, "eleventh reply within the hour (limit 10): %d, want 429" % st
    assert "minutes" in message_of(body), message_of(body)
    assert form_value(body, "body") == "The eleventh reply of the hour"
    # Threads: 21 of them in the hour against post_threads_per_hour = 5.
    st, _, body = m.new_thread(CATEGORY, "One thread too many", "Words.")
    assert st == 429, "a thread over the hourly thread limit: %d, want 429" % st
