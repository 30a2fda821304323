"""Private conversations where a person looks at them, in headless Chromium:
the conversation page with its messages and reply box, the compose page with
its plain-words note on who reads a conversation, and the list of
conversations with the unread one marked, at 360 and 1280 px: one h1, every
field labelled, no sideways scrolling, nothing leaving 127.0.0.1, no script.
Screenshots: conversation-360.png, conversation-1280.png,
conversation-new-360.png, messages-360.png."""

import os
import sys

from harness import SRC

sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import client as C  # noqa: E402
from test_pages import check_page, member_tab  # noqa: E402

STACK_OPTIONS = {"conf": {"message_min_account_hours": "0", "message_min_posts": "0"}}
OUT = os.path.join(SRC, "tests", "out")
PASSWORD = "correct horse battery staple"


def test_conversation_in_the_browser(stack, browser):
    people = {}
    for who in ("cv-ann", "cv-bo"):
        c = C.Client(stack)
        st, _, _ = c.register(who, PASSWORD)
        assert st == 303, "register %s: %d" % (who, st)
        people[who] = c
    ann, bo = people["cv-ann"], people["cv-bo"]
    st, hd, _ = ann.post("/m/new", [("to", "cv-bo"), ("action", "send"),
                                    ("body", "Hi bo, I saw your post about evenings. **How are you doing** today?")])
    assert st == 303, "start: %d" % st
    conv = int(hd["location"].split("?")[0].rsplit("/", 1)[1])
    st, _, _ = bo.post("/m/%d" % conv, [("action", "send"),
                                         ("body", "Thank you for writing. A bit better than yesterday.\n\n"
                                                  "> How are you doing\n\nSlowly, but I am here.")])
    assert st == 303, "reply: %d" % st

    problems = []
    tab = member_tab(browser, stack, ann)
    problems += check_page(tab, stack, "/me/messages", (360,), shot={360: "messages-360.png"})
    text = tab.evaluate("document.body.innerText")
    if "New:" not in text or "cv-bo" not in text:
        problems.append("/me/messages does not show the unread conversation with cv-bo: %r" % text[:300])
    problems += check_page(tab, stack, "/m/%d" % conv, (360, 1280),
                           shot={360: "conversation-360.png", 1280: "conversation-1280.png"})
    text = tab.evaluate("document.body.innerText")
    for words in ("How are you doing", "Slowly, but I am here.", "Moderators read a conversation only when"):
        if words not in text:
            problems.append("%r is not visible on /m/%d" % (words, conv))
    problems += check_page(tab, stack, "/m/new?to=cv-bo", (360,), shot={360: "conversation-new-360.png"})
    text = tab.evaluate("document.body.innerText")
    if "Who reads this" not in text:
        problems.append("the compose page does not say who reads a conversation")
    assert not tab.dialogs and not tab.csp_violations(), "dialogs %r, CSP %r" % (tab.dialogs, tab.csp_violations())
    tab.close()
    assert not problems, "; ".join(problems)
