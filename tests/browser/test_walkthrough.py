"""Issue 11's walk through the demo, done by clicking in Chromium (README,
"A walk through the demo"): on the sample content of `hearthctl
sample-data`, with the demo's message_min_account_hours = 0, one member
starts a thread; a second opens it, replies with an @mention; the first
sees the count in the header, opens the notification and lands on the
reply, then starts a private conversation from the second member's page;
the moderator opens the crisis post from the queue and starts a check-in;
a member joins the demo group and says "I am going" to its meeting.

Every step is a link or a button a person would press (forms submit
without scripts; nothing here calls the site's URLs directly except the
first page of each window), and each lands where a person expects, saying
what happened. Screenshots: tests/out/walk-*.png."""

import json
import os
import re
import sys

from harness import SRC

sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import client as C  # noqa: E402
from test_pages import member_tab  # noqa: E402

STACK_OPTIONS = {"conf": {"message_min_account_hours": "0", "default_timezone": "Asia/Singapore"}}
TIMEOUT = 600       # about 30 s; far longer in the sanitizer build on busy shared cores
OUT = os.path.join(SRC, "tests", "out")
PASSWORD = "correct horse battery staple"


def _press(tab, find, what):
    """Clicks the element the JavaScript expression `find` returns and waits
    for the page it leads to; returns (path, visible text)."""
    before = tab._loads
    found = tab.evaluate("(() => { const e = %s; if (!e) return false; e.scrollIntoView(); e.click(); "
                         "return true; })()" % find)
    assert found, "nothing to press for %s on %s: %r" % (
        what, tab.evaluate("location.pathname"), tab.evaluate("document.body.innerText")[:400])
    assert tab.wait_until(lambda: tab._loads > before, 30), "pressing %s led nowhere" % what
    return tab.evaluate("location.pathname + location.search"), tab.evaluate("document.body.innerText")


def _link(text):
    return ("Array.from(document.querySelectorAll('main a, header a, nav a')).find("
            "a => a.innerText.replace(/\\s+/g, ' ').trim().includes(%s))" % json.dumps(text))


def _button(text):
    return ("Array.from(document.querySelectorAll('button')).find("
            "b => b.innerText.replace(/\\s+/g, ' ').trim() === %s)" % json.dumps(text))


def _fill(tab, values):
    """Types values into the fields of that name on the page."""
    missing = tab.evaluate(
        "(() => { const v = %s, miss = []; for (const [k, x] of Object.entries(v)) {"
        " const e = document.querySelector('[name=\"' + k + '\"]');"
        " if (!e) { miss.push(k); continue; } e.focus(); e.value = x; } return miss; })()" % json.dumps(values))
    assert not missing, "no field named %r on %s" % (missing, tab.evaluate("location.pathname"))


def _header_count(tab):
    """The header's unread count as a person reads it ("3 unread"), or ''."""
    return tab.evaluate("(() => { const a = document.querySelector('a[href=\"/me/notifications\"]');"
                        " return a ? a.textContent.replace(/\\s+/g, ' ').trim() : ''; })()")


def test_demo_walk_through(stack, browser):
    r = stack.hearthctl("sample-data")
    assert r.returncode == 0 and "evening-circle" in r.stdout, "sample-data: %s %s" % (r.stdout, r.stderr)
    people = {}
    for who in ("walk-ann", "walk-bo", "walk-cy"):
        c = C.Client(stack)
        st, _, body = c.register(who, PASSWORD)
        assert st == 303, "register %s: %d %s" % (who, st, C.message_of(body))
        people[who] = c
    mod = C.Client(stack)
    assert mod.login(stack.admin, stack.admin_password)[0] == 303, "moderator log-in"

    # 1. Ann starts a thread from the category page.
    ann = member_tab(browser, stack, people["walk-ann"])
    ann.set_viewport(1280)
    ann.navigate(stack.url("/"))
    path, text = _press(ann, _link("Low mood and depression"), "the category")
    assert path.startswith("/c/low-mood"), path
    path, text = _press(ann, _link("Start a new thread"), "Start a new thread")
    title = "Tonight feels very long"
    _fill(ann, {"title": title, "body": "I can't do this anymore, I want to end it all tonight. "
                "Everyone is asleep and my head is loud."})
    path, text = _press(ann, _button("Post"), "Post")
    # Crisis wording: the post is up, and the writer is shown where to find help, calmly.
    assert "Your post is up" in text, "the writer is not told the post is up: %s %r" % (path, text[:300])
    assert "1771" in text or "995" in text, \
        "no crisis resources for the writer of a crisis post: %r" % text[:600]
    op = int(stack.psql("select p.id from posts p join threads t on t.id = p.thread_id "
                        "where t.title = '%s' and p.parent_id is null" % title).strip())
    tid = int(stack.psql("select thread_id from posts where id = %d" % op).strip())

    # 2. Bo finds the thread on the home page, replies with a mention.
    bo = member_tab(browser, stack, people["walk-bo"])
    bo.set_viewport(375)
    bo.navigate(stack.url("/"))
    path, text = _press(bo, _link(title), "the thread on the home page")
    assert path.startswith("/t/%d" % tid), path
    path, text = _press(bo, "document.querySelector('#p%d a[href=\"/p/%d/reply\"]')" % (op, op), "Reply")
    reply = ("@walk-ann I am here too, awake. Would you tell me what tonight is like? "
             "@walk-cy you said the same last week, maybe you would join us.")
    _fill(bo, {"body": reply})
    path, text = _press(bo, _button("Post"), "Post the reply")
    assert "I am here too, awake" in text, "the reply is not on the page after posting: %s" % path

    # 3. Ann sees the count, opens the notification, lands on the reply.
    ann.navigate(stack.url("/"))
    count = _header_count(ann)
    assert re.search(r"\b1 unread\b", count), "the header does not count the reply: %r" % count
    ann.screenshot(os.path.join(OUT, "walk-count-1280.png"), width=1280, full_page=False)
    path, text = _press(ann, "document.querySelector('a[href=\"/me/notifications\"]')", "the count")
    # The mention of the author of the post replied to is told once, as the reply.
    assert "walk-bo replied to your post" in text, "the notifications page lacks the reply: %r" % text[:600]
    ann.screenshot(os.path.join(OUT, "walk-notifications-1280.png"), width=1280)
    path, text = _press(ann, "document.querySelector('li.notification a.open')", "the notification")
    assert "I am here too, awake" in text, "the notification does not open the reply: %s" % path
    # ... and then start a private conversation from Bo's page.
    path, text = _press(ann, "document.querySelector('a[href=\"/u/walk-bo\"]')", "walk-bo's name")
    path, text = _press(ann, _link("Send a private message"), "Send a private message")
    assert "moderators" in text.lower(), "members are not told when moderators may read a conversation"
    _fill(ann, {"body": "Thank you for answering. Could we talk here for a bit?"})
    path, text = _press(ann, _button("Send"), "Send")
    assert path.startswith("/m/") and "Could we talk here for a bit?" in text, \
        "the conversation does not show the message: %s %r" % (path, text[:300])
    bo.navigate(stack.url("/"))
    assert "unread" in _header_count(bo), "Bo's header does not count the new message: %r" % _header_count(bo)
    path, text = _press(bo, "document.querySelector('a[href=\"/me/notifications\"]')", "Bo's count")
    path, text = _press(bo, "document.querySelector('section.conversations-new a[href^=\"/m/\"]')",
                        "the new conversation")
    assert "Could we talk here for a bit?" in text, "Bo cannot open Ann's message: %s" % path

    # 4. The moderator opens the crisis post from the queue, starts a check-in.
    m = member_tab(browser, stack, mod)
    m.set_viewport(1280)
    m.navigate(stack.url("/mod"))
    path, text = _press(m, "document.querySelector('main a[href*=\"/p/%d\"]')" % op, "the queue item")
    assert "Tonight feels very long" in text or "end it all tonight" in text, \
        "the review item does not show the post: %s" % path
    path, text = _press(m, "document.querySelector('a.contact-member')", "Contact the member")
    _fill(m, {"body": "Hello, this is the moderators. We read your post and wanted to check in. "
              "We are here, and the helplines on this page are open all night."})
    path, text = _press(m, _button("Send"), "Send the check-in")
    assert path.startswith("/m/") and "check in" in text, "the check-in was not sent: %s %r" % (path, text[:300])
    ann.navigate(stack.url("/me/messages"))
    text = ann.evaluate("document.body.innerText")
    assert "from the moderators" in text or "check-in" in text, \
        "Ann's messages do not show the moderators' check-in: %r" % text[:500]

    # 5. Cy joins the demo group and says they are going to its meeting.
    cy = member_tab(browser, stack, people["walk-cy"])
    cy.set_viewport(375)
    cy.navigate(stack.url("/"))
    path, text = _press(cy, "document.querySelector('a[href=\"/me/notifications\"]')", "Cy's count")
    assert "walk-bo mentioned you" in text, "a member mentioned with @ is not told: %r" % text[:500]
    path, text = _press(cy, "document.querySelector('a[href=\"/g\"]')", "Groups")
    path, text = _press(cy, _link("Evening circle"), "Evening circle")
    path, text = _press(cy, "document.querySelector('form[action$=\"/join\"] button')", "Join")
    assert "Leave the group" in text and "Weekly check-in" in text, \
        "after joining, the group page does not show the member's view: %r" % text[:500]
    path, text = _press(cy, _link("Weekly check-in"), "the meeting")
    path, text = _press(cy, _button("I am going"), "I am going")
    assert "You said you are going" in text and "walk-cy" in text, \
        "the RSVP is not shown: %r" % text[:600]
    cy.screenshot(os.path.join(OUT, "walk-meeting-375.png"), width=375)

    for tab in (ann, bo, m, cy):
        assert not tab.exceptions and not tab.dialogs, "a script error or dialog: %r %r" % (
            tab.exceptions, tab.dialogs)
        away = [u for u in getattr(tab, "requests", []) if not u.startswith(stack.url(""))
                and not u.startswith("data:")]
        assert not away, "requests left 127.0.0.1: %r" % away[:5]
        tab.close()
