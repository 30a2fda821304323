"""Peer groups where a person looks at them, in headless Chromium: the demo's
group from `hearthctl sample-data` (listed, open, with an upcoming meeting),
the group list, the group page as a member and as a facilitator (its forms),
and the meeting page, at 360 and 1280 px: one h1, every field labelled, no
sideways scrolling, nothing leaving 127.0.0.1, no script.
Screenshots: groups-360.png, group-360.png, group-1280.png,
group-facilitator-1280.png, meeting-360.png, meeting-1280.png."""

import os
import sys

from harness import SRC

sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import client as C  # noqa: E402
from test_pages import check_page, member_tab  # noqa: E402

STACK_OPTIONS = {"conf": {"default_timezone": "Asia/Singapore", "registrations_per_hour": "0"}}
OUT = os.path.join(SRC, "tests", "out")
PASSWORD = "correct horse battery staple"


def test_groups_in_the_browser(stack, browser):
    r = stack.hearthctl("sample-data")
    assert r.returncode == 0 and "evening-circle" in r.stdout, "sample-data: %s %s" % (r.stdout, r.stderr)
    mid = int(stack.psql("select id from meetings where title = 'Weekly check-in'").strip())
    assert stack.psql("select starts_at > now() and tz = 'Asia/Singapore' from meetings "
                      "where id = %d" % mid).strip() == "t", "the demo meeting is upcoming, in Singapore time"

    c = C.Client(stack)
    st, _, _ = c.register("gb-joiner", PASSWORD)
    assert st == 303, "register: %d" % st
    st, _, _ = c.post("/g/evening-circle/join", {})
    assert st == 303, "join the open group: %d" % st
    st, _, _ = c.post("/g/evening-circle/meetings/%d/rsvp" % mid, {"going": "yes"})
    assert st == 303, "RSVP: %d" % st

    anon = browser.new_tab()
    problems = check_page(anon, stack, "/g", (360,), shot={360: "groups-360.png"})
    text = anon.evaluate("document.body.innerText")
    if "Evening circle" not in text:
        problems.append("/g does not list the demo group: %r" % text[:300])
    anon.navigate(stack.url("/g/evening-circle"))
    text = anon.evaluate("document.body.innerText")
    if "Welcome to the evening circle" in text or "Weekly check-in" in text:
        problems.append("the group page shows its threads or meetings to an anonymous reader")
    anon.close()

    tab = member_tab(browser, stack, c)
    problems += check_page(tab, stack, "/g/evening-circle", (360, 1280),
                           shot={360: "group-360.png", 1280: "group-1280.png"})
    text = tab.evaluate("document.body.innerText")
    for words in ("Welcome to the evening circle", "Weekly check-in", "Asia/Singapore", "Leave the group"):
        if words not in text:
            problems.append("%r is not on the group page: %r" % (words, text[:500]))
    problems += check_page(tab, stack, "/g/evening-circle/meetings/%d" % mid, (360, 1280),
                           shot={360: "meeting-360.png", 1280: "meeting-1280.png"})
    text = tab.evaluate("document.body.innerText")
    for words in ("19:30", "Asia/Singapore", "You said you are going", "gb-joiner",
                  "opens for replies when the meeting starts", "Add to your calendar"):
        if words not in text:
            problems.append("%r is not on the meeting page: %r" % (words, text[:600]))
    assert not tab.dialogs and not tab.exceptions and not tab.console, "a script ran"
    tab.close()

    # The facilitator's forms (a moderator has every facilitator's power).
    mod = C.Client(stack)
    st, _, _ = mod.login(stack.admin, stack.admin_password)
    assert st == 303, "moderator login: %d" % st
    tab = member_tab(browser, stack, mod)
    problems += check_page(tab, stack, "/g/evening-circle", (1280,), shot={1280: "group-facilitator-1280.png"})
    n = tab.evaluate("document.querySelectorAll('form[action=\"/g/evening-circle/meetings\"] input').length")
    if not n or n < 5:
        problems.append("the schedule form is not on the facilitator's page: %r inputs" % n)
    tab.close()
    assert not problems, "\n".join(problems)
