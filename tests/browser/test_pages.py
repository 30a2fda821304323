"""Pages a person looks at, in headless Chromium (issue 3, "Templates and
pages"): the thread page with replies three levels deep, the compose page
and the register page. One h1, every form field labelled, a skip link to
#main, no sideways scrolling on a phone, no request leaving 127.0.0.1.
Screenshots go to tests/out/ for people to look at:
thread-375.png, thread-1280.png, compose-375.png, register-375.png."""

import os
import sys

from harness import SRC

sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import client as C  # noqa: E402
from test_xss import isolated_tab, record_network  # noqa: E402

OUT = os.path.join(SRC, "tests", "out")
SLUG = "pages"
PASSWORD = "correct horse battery staple"
LONG_URL = "https://example.org/" + "a-very-long-path-segment-without-any-break" * 3 + "?q=" + "x" * 60

THREAD = ("Nights that don't end", """\
Some nights I lie awake until four and then **dread the morning**.

- Does anyone else keep a notebook by the bed?
- What helped you *slow down* the racing thoughts?

> "This too shall pass" is easier to read than to believe.
""")
REPLIES = [  # (depth, who, body): each reply answers the previous one of depth - 1
    (1, "b", "Yes! I write three things down and then close the notebook. It tells my head "
             "the list is safe until morning."),
    (2, "a", "Thank you, I will try that tonight. Do you write by hand or on the phone?"),
    (3, "b", "By hand: the phone's light wakes me up again. Here is the notebook idea I read about: "
             "<%s> and a word that never breaks: %s." % (LONG_URL, "Schlaflosigkeitsbewältigungsstrategie" * 2)),
    (1, "c", "Breathing slowly (4 in, 6 out) for five minutes helps me.\n\n"
             "```\nin 4 . . . . out 6 . . . . . . in 4 . . . . out 6 . . . . . . in 4 . . . . out 6\n```"),
]

# Every input (not hidden), textarea and select has a <label for=id> or sits
# inside a <label>; the list of those that do not.
UNLABELLED = r"""
Array.from(document.querySelectorAll('input:not([type=hidden]), textarea, select'))
  .filter(el => !((el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]'))
                  || el.closest('label')))
  .map(el => el.outerHTML.slice(0, 140))
"""
SKIP = r"""
(() => {
  const skip = document.querySelector('a[href="#main"]');
  const first = document.querySelector('a[href], button, input:not([type=hidden]), textarea, select');
  return {skip: !!skip, target: !!document.getElementById('main'), first: !!skip && first === skip,
          text: skip ? skip.textContent.trim() : null};
})()
"""


def category(stack):
    if not getattr(stack, "pages_category", False):
        r = stack.hearthctl("category", "add", SLUG, "Sleep & rest", "When nights don't end")
        assert r.returncode == 0, "category add: %s" % r.stderr.strip()
        stack.pages_category = True


def make_thread(stack):
    category(stack)
    people = {}
    for who in ("a", "b", "c"):
        c = C.Client(stack)
        st, _, body = c.register("pages-%s" % who, PASSWORD)
        assert st == 303, "register pages-%s: %d %s" % (who, st, C.message_of(body))
        people[who] = c
    st, loc, html = people["a"].new_thread(SLUG, THREAD[0], THREAD[1])
    assert st == 303, "new thread: %d %s" % (st, C.message_of(html))
    opening = C.post_id_from(loc)
    last = {0: opening}
    ids = []
    for depth, who, body in REPLIES:
        st, loc, html = people[who].reply(last[depth - 1], body)
        assert st == 303, "reply at depth %d: %d %s" % (depth, st, C.message_of(html))
        last[depth] = C.post_id_from(loc)
        ids.append(last[depth])
    tid = int(stack.psql("SELECT thread_id FROM posts WHERE id = %d" % opening))
    return people, tid, opening, ids


def check_page(tab, stack, path, widths, shot=None):
    """Loads path at each width: one h1, labels, skip link, no sideways
    scroll, no request away from 127.0.0.1. Returns the problems."""
    problems = []
    origin = stack.url("")
    for width in widths:
        tab.set_viewport(width)
        tab.requests = []
        status = tab.navigate(stack.url(path))
        if status not in (200, None):
            problems.append("%s at %d px: HTTP %s" % (path, width, status))
            continue
        h1 = tab.evaluate("Array.from(document.querySelectorAll('h1')).map(h => h.textContent.trim())")
        if len(h1) != 1:
            problems.append("%s: %d h1 elements %r, want exactly 1" % (path, len(h1), h1))
        unlabelled = tab.evaluate(UNLABELLED)
        if unlabelled:
            problems.append("%s: form fields without a label: %s" % (path, "; ".join(unlabelled)))
        skip = tab.evaluate(SKIP)
        if not (skip["skip"] and skip["target"]):
            problems.append("%s: skip link to #main %s, element #main %s" % (
                path, "present" if skip["skip"] else "MISSING", "present" if skip["target"] else "MISSING"))
        elif not skip["first"]:
            problems.append("%s: the skip link is not the first focusable element" % path)
        inner, scroll = tab.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
        if width < 600:
            if inner != width:
                problems.append("%s at %d px: the layout viewport is %d px (no meta viewport?)" % (path, width, inner))
            if scroll > width:
                wide = tab.evaluate(
                    "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > %d)"
                    ".slice(-3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' '"
                    " + Math.round(e.getBoundingClientRect().right) + 'px')" % width)
                problems.append("%s at %d px: the page scrolls sideways (%d px wide; widest: %s)"
                                % (path, width, scroll, ", ".join(wide)))
        away = [u for u in tab.requests if not u.startswith(origin) and not u.startswith("about:")]
        if away:
            problems.append("%s at %d px: requests left 127.0.0.1: %r" % (path, width, away))
        if shot and width in shot:
            tab.screenshot(os.path.join(OUT, shot[width]), width=width)
    return problems


def member_tab(browser, stack, cl):
    tab = isolated_tab(browser)
    tab.send("Network.enable")
    tab.send("Network.setCookie", name="hs", value=cl.cookies["hs"], url=stack.url("/"), httpOnly=True,
             sameSite="Lax")
    record_network(tab)
    return tab


def test_thread_page(stack, browser):
    people, tid, opening, ids = make_thread(stack)
    # The tree is really three levels deep on the page: reply 3 sits inside
    # reply 2, which sits inside reply 1.
    st, _, body = C.Client(stack).get("/t/%d" % tid)
    assert st == 200, "GET /t/%d: %d" % (tid, st)
    doc = C.parse(body)
    nodes = [C.element_by_id(doc, "p%d" % i) for i in ids]
    assert all(nodes), "posts missing from the page: %r" % [i for i, n in zip(ids, nodes) if n is None]
    assert nodes[1] in list(nodes[2].ancestors()) and nodes[0] in list(nodes[1].ancestors()), \
        "the replies are not nested three levels deep on /t/%d" % tid
    problems = []
    tab = member_tab(browser, stack, people["b"])
    problems += check_page(tab, stack, "/t/%d" % tid, (320, 375, 1280),
                           shot={375: "thread-375.png", 1280: "thread-1280.png"})
    # Visible text: the title once as the h1, every reply's words.
    text = tab.evaluate("document.body.innerText")
    for _, _, b in REPLIES:
        first = b.split(".")[0].split("!")[0][:30]
        if first not in text:
            problems.append("reply text %r is not visible on /t/%d" % (first, tid))
    assert not tab.dialogs, "a dialog opened: %r" % tab.dialogs
    tab.close()
    anon = browser.new_tab()
    record_network(anon)
    problems += ["(anonymous) " + p for p in check_page(anon, stack, "/t/%d" % tid, (375,))]
    anon.close()
    assert not problems, "\n".join(problems)
    for name in ("thread-375.png", "thread-1280.png"):
        p = os.path.join(OUT, name)
        assert os.path.getsize(p) > 5000, "%s is only %d bytes" % (p, os.path.getsize(p))


def test_compose_and_register_pages(stack, browser):
    category(stack)
    c = C.Client(stack)
    st, _, body = c.register("pages-compose", PASSWORD)
    assert st == 303, "register: %d %s" % (st, C.message_of(body))
    problems = []
    tab = member_tab(browser, stack, c)
    problems += check_page(tab, stack, "/c/%s/new" % SLUG, (320, 375, 1280), shot={375: "compose-375.png"})
    tab.close()
    anon = browser.new_tab()
    record_network(anon)
    problems += check_page(anon, stack, "/register", (320, 375, 1280), shot={375: "register-375.png"})
    anon.close()
    assert not problems, "\n".join(problems)
