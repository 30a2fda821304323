"""Accessibility (issue 13): axe-core (the npm package, installed by
scripts/lib.sh hearth_need_axe into tests/browser/axe/) injected through the
DevTools protocol (Runtime.evaluate is not subject to the page's CSP) and
run on the key pages, as the reader each page is for: home, category,
thread (with an anonymous post), a thread with a crisis flag and a content
warning, compose, log-in, register, search, notifications, settings, the
review queue and a review item (moderator), a member's profile. Any
violation fails, each printed with its rule id, impact and targets.

Also: the focus outline has at least 3:1 contrast with the page background
(WCAG 1.4.11), the thread page has a "skip to the reply box" link and a
heading for each post (author and time), and screenshots of a thread with
an anonymous post at 360 and 1280 px (tests/out/anon-thread-*.png)."""

import os
import subprocess
import sys
import uuid

from harness import SRC

sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import client as C  # noqa: E402
from test_xss import isolated_tab  # noqa: E402

TIMEOUT = 300
OUT = os.path.join(SRC, "tests", "out")
AXE = os.path.join(SRC, "tests", "browser", "axe", "node_modules", "axe-core", "axe.min.js")
STACK_OPTIONS = {"conf": {"new_member_days": "0", "post_per_minute": "0"}}
SLUG = "a11y"
CRISIS_TEXT = "I want to end it all tonight"
W = {}

RUN_AXE = r"""
axe.run(document, {resultTypes: ['violations']}).then(r => ({passes: r.passes.length,
  violations: r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 8).map(n => n.target.join(' ') + '  ' + (n.failureSummary || '').split('\n').slice(1, 2).join(''))
  }))}))
"""


def axe_source():
    if not os.path.isfile(AXE):
        # The way scripts/check does it (npm, and nodejs/npm from Debian).
        subprocess.run(["bash", "-c", '. "%s/scripts/lib.sh" && hearth_need_axe' % SRC], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
    assert os.path.isfile(AXE), "axe-core is not installed (%s): run scripts/check, or " \
        "bash -c '. scripts/lib.sh; hearth_need_axe'" % AXE
    with open(AXE, encoding="utf-8") as f:
        return f.read()


def world(stack):
    if W:
        return W
    r = stack.hearthctl("category", "add", SLUG, "Evenings", "Getting through the evening")
    assert r.returncode == 0, "category add: %s" % r.stderr
    r = stack.hearthctl("category", "anonymous", SLUG, "on")
    assert r.returncode == 0, "category anonymous: %s" % r.stderr
    people = {}
    for who in ("a", "b"):
        c = C.Client(stack)
        h = "a11y_%s_%s" % (who, uuid.uuid4().hex[:6])
        st, _, body = c.register(h)
        assert st == 303, "register %s: %d" % (h, st)
        people[who] = c
    a, b = people["a"], people["b"]
    st, loc, html = b.new_thread(SLUG, "Evenings without the phone", "I try to leave the phone in another "
                                 "room after nine. Some nights it works.")
    assert st == 303, "thread: %d" % st
    opening = C.post_id_from(loc)
    for i in range(3):
        st, loc, html = a._write("/p/%d/reply" % opening, [("anonymous", "1"), (
            "body", "Thank you for this. I have not said this anywhere before: evenings are the hardest "
                    "part of the day for me (%d)." % i)], True, "post", True)
        assert st == 303, "anonymous reply: %d %s" % (st, C.message_of(html))
    W["anon_reply"] = C.post_id_from(loc)
    st, loc, html = b.reply(opening, "Same here. A walk before dark helps me a little.")
    assert st == 303, "reply: %d" % st
    W["thread"] = int(stack.psql("select thread_id from posts where id = %d" % opening))
    st, loc, html = a._write("/c/%s/new" % SLUG, [("title", "A hard night"), ("warning", "thoughts of suicide"),
                                                  ("body", CRISIS_TEXT)], True, "post", True)
    assert st == 303, "crisis thread: %d %s" % (st, C.message_of(html))
    crisis_post = C.post_id_from(loc) or int(stack.psql(
        "select max(id) from posts where body_md = '%s'" % CRISIS_TEXT))
    W["crisis_post"] = crisis_post
    W["crisis_thread"] = int(stack.psql("select thread_id from posts where id = %d" % crisis_post))
    mod = C.Client(stack)
    st, _, _ = mod.login(stack.admin, stack.admin_password)
    assert st == 303, "admin log-in: %d" % st
    W.update(a=a, b=b, mod=mod)
    return W


def tab_for(browser, stack, client=None):
    tab = isolated_tab(browser)
    if client is not None:
        tab.send("Network.enable")
        tab.send("Network.setCookie", name="hs", value=client.cookies["hs"], url=stack.url("/"),
                 httpOnly=True, sameSite="Lax")
    return tab


def run_axe(tab, src):
    """Injects axe-core (unless there) and runs it: {passes, violations}."""
    if not tab.evaluate("typeof axe !== 'undefined'"):
        tab.evaluate(src + "\n;true")
    r = tab.evaluate(RUN_AXE)
    assert r and r["passes"] > 10, "axe-core did not run (%r)" % r
    return r


def axe_problems(tab, stack, src, path):
    status = tab.navigate(stack.url(path))
    if status not in (200, None):
        return ["%s: HTTP %s" % (path, status)]
    out = []
    for v in run_axe(tab, src)["violations"]:
        out.append("%s: %s (%s): %s\n#     %s" % (path, v["id"], v["impact"], v["help"],
                                                  "\n#     ".join(v["targets"])))
    return out


def test_axe_on_key_pages(stack, browser):
    w = world(stack)
    src = axe_source()
    pages = {
        None: ["/", "/c/%s" % SLUG, "/t/%d" % w["thread"], "/t/%d" % w["crisis_thread"], "/login",
               "/register", "/search?q=evenings"],
        "a": ["/c/%s/new" % SLUG, "/p/%d/reply" % w["anon_reply"], "/t/%d" % w["thread"],
              "/t/%d" % w["crisis_thread"], "/me/settings", "/u/%s" % w["b"].handle],
        "b": ["/me/notifications", "/t/%d" % w["thread"], "/u/%s" % w["b"].handle],
        "mod": ["/mod", "/mod/p/%d" % w["crisis_post"], "/mod/p/%d" % w["anon_reply"]],
    }
    problems = []
    for who, paths in pages.items():
        tab = tab_for(browser, stack, w[who] if who else None)
        try:
            for path in paths:
                problems += axe_problems(tab, stack, src, path)
        finally:
            tab.close()
    assert not problems, "axe-core found %d violation(s):\n#   %s" % (len(problems), "\n#   ".join(problems))


def test_axe_finds_a_planted_violation(stack, browser):
    """The check can fail: an image without alt text is reported."""
    src = axe_source()
    tab = tab_for(browser, stack)
    try:
        tab.navigate(stack.url("/"))
        tab.evaluate("document.querySelector('main').appendChild(document.createElement('img')).src = '/x.png'; true")
        ids = [v["id"] for v in run_axe(tab, src)["violations"]]
    finally:
        tab.close()
    assert "image-alt" in ids, "axe-core missed an image without alt: %r" % ids


def _lum(rgb):
    def ch(c):
        c /= 255.0
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (ch(x) for x in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgb(css):
    nums = css[css.index("(") + 1:css.index(")")].replace("/", " ").replace(",", " ").split()
    return tuple(int(float(x)) for x in nums[:3])


def test_focus_outline_contrast(stack, browser):
    w = world(stack)
    tab = tab_for(browser, stack, w["a"])
    try:
        tab.navigate(stack.url("/t/%d" % w["thread"]))
        got = tab.evaluate("""(() => {
          const el = document.querySelector('main a[href]');
          el.focus();
          const s = getComputedStyle(el);
          return [s.outlineColor, s.outlineStyle, s.outlineWidth, getComputedStyle(document.body).backgroundColor];
        })()""")
    finally:
        tab.close()
    outline, style, width, bg = got
    assert style != "none" and float(width.rstrip("px")) >= 2, "focus outline: %s %s" % (style, width)
    a, b = _lum(_rgb(outline)), _lum(_rgb(bg))
    ratio = (max(a, b) + 0.05) / (min(a, b) + 0.05)
    assert ratio >= 3.0, "focus outline %s on %s: %.2f:1, WCAG 1.4.11 asks 3:1" % (outline, bg, ratio)


def test_thread_skip_link_and_post_headings(stack, browser):
    w = world(stack)
    tab = tab_for(browser, stack, w["b"])
    try:
        tab.navigate(stack.url("/t/%d" % w["thread"]))
        got = tab.evaluate("""(() => {
          const skip = Array.from(document.querySelectorAll('a')).find(a => /reply box/i.test(a.textContent));
          const heads = Array.from(document.querySelectorAll('article.post > h2')).map(h => h.textContent.trim());
          const posts = document.querySelectorAll('article.post').length;
          return {skip: skip ? skip.getAttribute('href') : null,
                  target: skip ? !!document.querySelector(skip.getAttribute('href')) : false,
                  before: skip ? (skip.compareDocumentPosition(document.querySelector('article.post'))
                                  & Node.DOCUMENT_POSITION_FOLLOWING) > 0 : false,
                  heads: heads, posts: posts};
        })()""")
    finally:
        tab.close()
    assert got["skip"] and got["target"], "no skip link to the reply box: %r" % got
    assert got["before"], "the skip link is not before the posts"
    assert got["posts"] >= 5 and len(got["heads"]) == got["posts"], "a heading per post: %r" % got
    anon = [h for h in got["heads"] if "a member who chose to stay anonymous" in h]
    assert len(anon) == 3, "headings of the anonymous posts: %r" % got["heads"]
    assert all(h.startswith("Post by ") for h in got["heads"]), "headings: %r" % got["heads"]
    assert w["a"].handle not in " ".join(got["heads"]), "a heading names the anonymous author"


def test_anonymous_thread_screenshots(stack, browser):
    w = world(stack)
    for who in ("b", "a"):
        tab = tab_for(browser, stack, w[who])
        try:
            for width in (360, 1280):
                tab.set_viewport(width)
                tab.navigate(stack.url("/t/%d" % w["thread"]))
                text = tab.evaluate("document.body.innerText")
                if who == "b":
                    assert w["a"].handle not in text, "another member sees the anonymous author's handle"
                    assert "a member who chose to stay anonymous" in text, "no anonymous byline"
                else:
                    assert "You posted this anonymously" in text, "the author is not told"
                scroll = tab.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, "the page scrolls sideways at %d px (%d)" % (width, scroll)
                tab.screenshot(os.path.join(OUT, "anon-thread-%s-%d.png" % (
                    "reader" if who == "b" else "author", width)), width=width)
        finally:
            tab.close()
