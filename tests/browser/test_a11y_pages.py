"""Accessibility of the pages added after test_a11y.py: private
conversations, peer groups and meetings, the moderator tools, the care pages
(break, recovery, forgot, welcome back), notifications with an unread
conversation and a meeting reminder, search with filters and with an error,
the locked-thread notice, and the private feed links (/me/feeds, and the
key shown once on /me/feeds/key).

The data is built once; then each page is loaded as the reader it is for and
(1) axe-core runs on it (any violation fails, printed with its rule id,
impact and target nodes), (2) it is screenshotted at 360 and 1280 px into
tests/out/a11y-<page>-<width>.png, and (3) at 360 px nothing may scroll
sideways (document.documentElement.scrollWidth <= innerWidth, and innerWidth
still 360: a phone widens its layout viewport to fit what overflows)."""

import os
import re
import sys
import uuid

from harness import SRC

sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import client as C  # noqa: E402
from test_a11y import OUT, axe_source, run_axe, tab_for  # noqa: E402

TIMEOUT = 600
STACK_OPTIONS = {"conf": {"new_member_days": "0", "post_per_minute": "0",
                          "message_min_account_hours": "0", "message_min_posts": "1",
                          "message_per_minute": "0", "message_per_hour": "0"}}
SLUG = "a11yp"
GROUP = "a11y-room"
W = {}

WIDEST = r"""((w) => {
  return Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > w + 0.5 ||
      (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'))
    .slice(-4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') +
      ' ' + Math.round(e.getBoundingClientRect().left + e.scrollWidth) + 'px');
})(%d)"""


def q(stack, sql):
    return stack.psql(sql).strip()


def ok(st, what, body=""):
    assert st == 303, "%s: %d %s" % (what, st, C.message_of(body) if isinstance(body, str) and body else "")


def member(stack, prefix):
    c = C.Client(stack)
    h = ("%s_%s" % (prefix, uuid.uuid4().hex[:6]))[:30]
    st, _, _ = c.register(h)
    assert st == 303, "register %s: %d" % (h, st)
    c.handle = h
    return c


def world(stack):
    if W:
        return W
    r = stack.hearthctl("category", "add", SLUG, "Small steps", "Things that helped today")
    assert r.returncode == 0, "category add: %s" % r.stderr
    r = stack.hearthctl("group", "add", GROUP, "Night owls", "A listed group for people awake at night.",
                        "--join", "request")
    assert r.returncode == 0, "group add: %s %s" % (r.stdout, r.stderr)
    ann, bo, cy, dee = (member(stack, p) for p in ("ann", "bo", "cy", "dee"))
    for c in (ann, bo, cy, dee):
        st, loc, html = c.new_thread(SLUG, "Hello from %s" % c.handle, "Hello, I am new here and glad to have "
                                     "found a quiet place.")
        ok(st, "thread by %s" % c.handle, html)
        c.post_id = C.post_id_from(loc, html)
        c.thread_id = int(q(stack, "select thread_id from posts where id = %d" % c.post_id))
    for c, role in ((cy, "facilitator"), (bo, "member")):
        r = stack.hearthctl("group", "member", GROUP, c.handle, role)
        assert r.returncode == 0, "group member: %s %s" % (r.stdout, r.stderr)
    st, loc, html = bo.new_thread("group-" + GROUP, "Awake again at three", "The house is so quiet at night.")
    ok(st, "group thread", html)
    st, loc, html = cy.reply(C.post_id_from(loc, html), "Same here. Tea and a book help me.")
    ok(st, "group reply", html)
    # A meeting, with bo going and its reminder due.
    st, hd, body = cy.post("/g/%s/meetings" % GROUP, {"title": "Sunday check-in", "date": "2030-01-13",
                                                       "time": "20:00", "minutes": "60", "tz": "Europe/Berlin"})
    assert st == 303, "schedule: %d %r" % (st, body[:300])
    W["meeting"] = int(re.search(r"/meetings/(\d+)$", hd.get("location")).group(1))
    stack.psql("update meetings set starts_at = now() + interval '2 hours' where id = %d" % W["meeting"])
    st, _, _ = bo.post("/g/%s/meetings/%d/rsvp" % (GROUP, W["meeting"]), {"going": "yes"})
    assert st == 303, "RSVP: %d" % st
    stack.psql("update notifications set due_at = now() - interval '1 second', created_at = now() "
               "where kind = 'meeting'")
    # A conversation: ann writes to bo, bo answers, ann writes again (unread for bo).
    st, hd, body = ann.post("/m/new", [("to", bo.handle), ("body", "Hi, I read your thread about the "
                                                           "nights. Would you like to talk?"), ("action", "send")])
    assert st == 303, "start conversation: %d %s" % (st, C.message_of(body.decode("utf-8", "replace")))
    W["conv"] = int(re.match(r"^/m/(\d+)", hd.get("location")).group(1))
    for who, text in ((bo, "Yes, thank you. Nights are hard."), (ann, "They are for me too. What helps you?")):
        st, _, body = who.post("/m/%d" % W["conv"], [("body", text), ("action", "send")])
        assert st == 303, "send: %d" % st
    W["msg"] = int(q(stack, "select id from messages where conversation_id = %d and author_id = "
                            "(select id from users where handle = '%s') order by id limit 1" % (W["conv"], ann.handle)))
    # dee's message to bo is reported by bo: a moderator may read it.
    st, hd, body = dee.post("/m/new", [("to", bo.handle), ("body", "You again. Nobody wants you here."),
                                       ("action", "send")])
    assert st == 303, "dee's conversation: %d" % st
    W["bad_conv"] = int(re.match(r"^/m/(\d+)", hd.get("location")).group(1))
    W["bad_msg"] = int(q(stack, "select max(id) from messages where conversation_id = %d" % W["bad_conv"]))
    st, _, _ = bo.post("/msg/%d/report" % W["bad_msg"], [("reason", "harassment"), ("details", "Unkind words.")])
    assert st == 303, "report: %d" % st
    st, _, _ = bo.post("/u/%s/block" % dee.handle, [])
    assert st == 303, "block: %d" % st
    mod = C.Client(stack)
    st, _, _ = mod.login(stack.admin, stack.admin_password)
    assert st == 303, "moderator log-in: %d" % st
    mod.handle = stack.admin
    st, _, body = mod.get("/mod/m/%d" % W["bad_msg"])       # the audited read
    assert st == 200, "moderator reads the reported message: %d" % st
    st, _, body = mod.post("/mod/u/%s" % dee.handle, [("action", "silence"), ("reason", "Hurtful private "
                           "messages."), ("for", "day")])
    assert st == 303, "silence: %d" % st
    st, _, body = mod.post("/mod/t/%d" % ann.thread_id, [("action", "lock"), ("reason", "The thread ran "
                           "its course.")])
    assert st == 303, "lock: %d" % st
    # cy has a private feed key (sql/021_feed_keys.sql): /me/feeds shows
    # when it was made, never the key.
    st, _, _ = cy.post("/me/feeds", [("action", "new")])
    assert st == 303, "feed key: %d" % st
    cy.cookies.pop("hf", None)
    W.update(ann=ann, bo=bo, cy=cy, dee=dee, mod=mod)
    return W


def pages(w):
    """(name, reader, path, expected status)."""
    ann, bo, cy, dee = w["ann"], w["bo"], w["cy"], w["dee"]
    g = "/g/%s" % GROUP
    return [
        ("messages", "bo", "/me/messages", 200),
        ("message-new", "ann", "/m/new?to=%s" % bo.handle, 200),
        ("conversation", "bo", "/m/%d" % w["conv"], 200),
        ("message-report", "bo", "/msg/%d/report" % w["msg"], 200),
        ("settings", "bo", "/me/settings", 200),
        ("profile", "bo", "/u/%s" % ann.handle, 200),
        ("profile-blocked", "bo", "/u/%s" % dee.handle, 200),
        ("groups", "bo", "/g", 200),
        ("group-member", "bo", g, 200),
        ("group-facilitator", "cy", g, 200),
        ("group-nonmember", "ann", g, 200),
        ("group-new", "mod", "/g/new", 200),
        ("meeting", "bo", "%s/meetings/%d" % (g, w["meeting"]), 200),
        ("mod-member", "mod", "/mod/u/%s" % dee.handle, 200),
        ("mod-thread", "mod", "/mod/t/%d" % cy.thread_id, 200),
        ("thread-moderator", "mod", "/t/%d" % cy.thread_id, 200),
        ("mod-message", "mod", "/mod/m/%d" % w["bad_msg"], 200),
        ("mod-queue", "mod", "/mod", 200),
        ("mod-audit", "mod", "/mod/audit", 200),
        ("break-form", "cy", "/me/break", 200),
        ("recovery", "cy", "/me/recovery", 200),
        ("feed-keys", "cy", "/me/feeds", 200),
        ("feed-keys-none", "bo", "/me/feeds", 200),
        ("forgot", None, "/forgot", 200),
        ("welcome-back", "cy", "/welcome-back", 200),
        ("break-started", None, "/break", 200),
        ("notifications", "bo", "/me/notifications", 200),
        ("search-filters", "ann", "/search?q=hello&c=%s&by=%s&from=2020-01-01&to=2099-12-31" % (SLUG, cy.handle),
         200),
        ("search-error", "ann", "/search?q=hello&from=2020-13-45", 400),
        ("thread-locked", "bo", "/t/%d" % ann.thread_id, 200),
    ]


def sideways(tab, width):
    """None, or what scrolls sideways: the page is wider than the window
    (innerWidth, which must be the emulated width: a phone's browser widens
    its layout viewport to fit content that overflows, so both are checked)."""
    inner, scroll = tab.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    if scroll <= inner and inner <= width:
        return None
    return "scrolls sideways (scrollWidth %d, innerWidth %d, screen %d px; widest: %s)" % (
        scroll, inner, width, ", ".join(tab.evaluate(WIDEST % width)))


def test_new_pages_axe_screenshots_and_no_sideways_scroll(stack, browser):
    w = world(stack)
    src = axe_source()
    problems = []
    tabs = {}
    try:
        for name, who, path, want in pages(w):
            if who not in tabs:
                tabs[who] = tab_for(browser, stack, w[who] if who else None)
            tab = tabs[who]
            for width in (1280, 360):
                tab.set_viewport(width)
                status = tab.navigate(stack.url(path))
                if status != want:
                    problems.append("%s (%s as %s) at %d px: HTTP %s, want %d" % (name, path, who or "anonymous",
                                                                               width, status, want))
                    break
                if width == 1280:
                    for v in run_axe(tab, src)["violations"]:
                        problems.append("%s (%s as %s): axe %s (%s): %s\n#     %s" % (
                            name, path, who or "anonymous", v["id"], v["impact"], v["help"],
                            "\n#     ".join(v["targets"])))
                else:
                    wide = sideways(tab, width)
                    if wide:
                        problems.append("%s (%s) at 360 px: %s" % (name, path, wide))
                tab.screenshot(os.path.join(OUT, "a11y-%s-%d.png" % (name, width)), width=width)
    finally:
        for t in tabs.values():
            t.close()
    assert not problems, "%d problem(s):\n#   %s" % (len(problems), "\n#   ".join(problems))


def test_feed_key_shown_once_axe_screenshots_and_no_sideways_scroll(stack, browser):
    """/me/feeds/key with the key and its links (long addresses): axe at
    1280 px, no sideways scroll at 360 px, screenshots a11y-feed-key-*.png.
    The key is shown once, so each width gets a fresh one."""
    w = world(stack)
    cy = w["cy"]
    src = axe_source()
    problems = []
    for width in (1280, 360):
        st, hd, _ = cy.post("/me/feeds", [("action", "new")])
        assert st == 303 and "hf" in cy.cookies, "make a key: %d" % st
        key = cy.cookies.pop("hf")
        tab = tab_for(browser, stack, cy)
        try:
            tab.send("Network.setCookie", name="hf", value=key, url=stack.url("/"), httpOnly=True, sameSite="Lax")
            tab.set_viewport(width)
            status = tab.navigate(stack.url("/me/feeds/key"))
            assert status == 200, "/me/feeds/key at %d px: HTTP %s" % (width, status)
            shown = tab.evaluate("(document.getElementById('feed-key') || {}).value || ''")
            assert shown == key, "the key is not on the page at %d px: %r" % (width, shown)
            text = tab.evaluate("document.body.innerText")
            assert "/g/%s/feed.atom?key=%s" % (GROUP, key) in text, "no group feed link at %d px" % width
            if width == 1280:
                for v in run_axe(tab, src)["violations"]:
                    problems.append("feed-key: axe %s (%s): %s\n#     %s" % (
                        v["id"], v["impact"], v["help"], "\n#     ".join(v["targets"])))
            else:
                wide = sideways(tab, width)
                if wide:
                    problems.append("feed-key at 360 px: %s" % wide)
            tab.screenshot(os.path.join(OUT, "a11y-feed-key-%d.png" % width), width=width)
        finally:
            tab.close()
    assert not problems, "%d problem(s):\n#   %s" % (len(problems), "\n#   ".join(problems))


def test_the_pages_show_what_they_are_for(stack, browser):
    """The data is there: a check that the pages above are not empty shells
    (so that axe-core ran on the parts that matter)."""
    w = world(stack)
    want = {
        ("bo", "/me/notifications"): ["Reminder", "Sunday check-in"],
        ("bo", "/me/messages"): [w["ann"].handle],
        ("bo", "/m/%d" % w["conv"]): ["What helps you?"],
        ("bo", "/u/%s" % w["dee"].handle): ["Unblock"],
        ("bo", "/t/%d" % w["ann"].thread_id): ["This thread is locked"],
        ("mod", "/mod/m/%d" % w["bad_msg"]): ["Nobody wants you here"],
        ("ann", "/search?q=hello&from=2020-13-45"): ["From"],
        ("cy", "/me/feeds"): ["You have a private key, made", "Night owls"],
        ("bo", "/me/feeds"): ["You have no private key"],
    }
    missing = []
    for (who, path), texts in want.items():
        tab = tab_for(browser, stack, w[who])
        try:
            tab.navigate(stack.url(path))
            text = tab.evaluate("document.body.innerText")
        finally:
            tab.close()
        missing += ["%s as %s: no %r" % (path, who, t) for t in texts if t not in text]
    assert not missing, "\n".join(missing)


def test_sideways_check_finds_a_planted_overflow(stack, browser):
    """The overflow check can fail: a long unbreakable line is reported."""
    tab = tab_for(browser, stack)
    try:
        tab.set_viewport(360)
        tab.navigate(stack.url("/g"))
        before = sideways(tab, 360)
        tab.evaluate("(() => { const p = document.createElement('p'); p.id = 'planted';"
                     " p.textContent = 'x'.repeat(400); p.style.whiteSpace = 'nowrap';"
                     " document.querySelector('main').appendChild(p); return true; })()")
        after = sideways(tab, 360)
    finally:
        tab.close()
    assert before is None, "/g at 360 px: %s" % before
    assert after and "planted" in after, "a 400-character unbreakable line was not reported: %r" % after
