"""Notifications where a person looks at them, in headless Chromium: the
unread count in the header of a member page (visible, and read out as
"N unread"), the notifications page, the thread's watch / track / mute page
and the "I'm here if you want to talk" page, on a phone and a desktop: one
h1, every field labelled, no sideways scrolling, nothing leaving 127.0.0.1.
Screenshots: notifications-375.png, notifications-1280.png,
header-count-320.png, follow-375.png, here-375.png."""

import os
import sys

from harness import SRC

sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import client as C  # noqa: E402
from test_pages import check_page, member_tab  # noqa: E402

OUT = os.path.join(SRC, "tests", "out")
SLUG = "notify-look"
PASSWORD = "correct horse battery staple"


def test_notifications_in_the_browser(stack, browser):
    r = stack.hearthctl("category", "add", SLUG, "Evenings", "Evenings and how they go")
    assert r.returncode == 0, "category add: %s" % r.stderr.strip()
    people = {}
    for who in ("nl-ann", "nl-bo"):
        c = C.Client(stack)
        st, _, body = c.register(who, PASSWORD)
        assert st == 303, "register %s: %d" % (who, st)
        people[who] = c
    ann, bo = people["nl-ann"], people["nl-bo"]
    st, loc, html = ann.new_thread(SLUG, "The hour after work", "That hour is the hardest for me.")
    assert st == 303, "new thread: %d" % st
    op = C.post_id_from(loc)
    tid = int(stack.psql("SELECT thread_id FROM posts WHERE id = %d" % op))
    st, loc, _ = bo.reply(op, "Same here, @nl-ann. A walk around the block helps me a little.")
    assert st == 303, "reply: %d" % st
    st, _, _ = bo.post("/p/%d/here" % op, [])
    assert st == 303, "I'm here: %d" % st

    tab = member_tab(browser, stack, ann)
    problems = check_page(tab, stack, "/me/notifications", (320, 375, 1280),
                          shot={375: "notifications-375.png", 1280: "notifications-1280.png"})
    text = tab.evaluate("document.body.innerText")
    for words in ("nl-bo replied to your post", "nl-bo is here if you want to talk", "Mark all as read"):
        if words not in text:
            problems.append("%r is not visible on /me/notifications" % words)
    # The header's count: seen, and read out with what it counts.
    tab.set_viewport(320)
    tab.navigate(stack.url("/c/%s" % SLUG))
    count = tab.evaluate("(() => { const a = document.querySelector('a[href=\"/me/notifications\"]');"
                         " return a ? [a.innerText.trim(), a.textContent.replace(/\\s+/g, ' ').trim(),"
                         " a.getBoundingClientRect().width > 0] : null; })()")
    if not count or "2" not in count[0] or "2 unread" not in count[1] or not count[2]:
        problems.append("the header's count on /c/%s is not shown as 2 unread: %r" % (SLUG, count))
    tab.screenshot(os.path.join(OUT, "header-count-320.png"), width=320)
    problems += check_page(tab, stack, "/t/%d/follow" % tid, (375, 1280), shot={375: "follow-375.png"})
    tab.close()
    tab = member_tab(browser, stack, bo)
    problems += check_page(tab, stack, "/p/%d/here" % op, (375,), shot={375: "here-375.png"})
    text = tab.evaluate("document.body.innerText")
    if "You told nl-ann" not in text:
        problems.append("the offer page does not say the offer was sent: %r" % text[:300])
    assert not tab.dialogs and not tab.exceptions and not tab.console, "a script ran"
    tab.close()
    assert not problems, "\n".join(problems)
