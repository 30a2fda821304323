"""The home page in a real browser, on a phone and on a desktop."""

import os

from harness import SRC

OUT = os.path.join(SRC, "tests", "out")
CATEGORIES = [
    ("support", "Peer support & company", "Say hello, ask anything"),
    ("sleep", "Sleep \u2014 nights and mornings", "When nights don't end"),
]


def test_home(stack, browser):
    for slug, name, desc in CATEGORIES:
        r = stack.hearthctl("category", "add", slug, name, desc)
        assert r.returncode == 0, "category add %s: %s" % (slug, r.stderr.strip())
    tab = browser.new_tab()
    for width in (375, 1280):
        tab.set_viewport(width)
        status = tab.navigate(stack.url("/"))
        assert status in (200, None), "GET / in the browser: %s" % status
        text = tab.evaluate("document.body.innerText")
        for _, name, _ in CATEGORIES:
            assert name in text, "%d px: %r is not visible text of /:\n%s" % (width, name, text[:500])
        n = tab.evaluate("document.querySelectorAll('h1').length")
        assert n == 1, "%d px: %d <h1> elements, want 1" % (width, n)
        inner, scroll = tab.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
        assert inner == width, "%d px: the layout viewport is %d px wide (no <meta name=viewport>?)" % (
            width, inner)
        assert scroll <= inner, "%d px: the page scrolls sideways (%d px wide)" % (width, scroll)
        rules = tab.evaluate("Array.from(document.styleSheets).reduce((n, s) => n + s.cssRules.length, 0)")
        assert rules > 0, "%d px: no stylesheet rules were loaded" % width
        tab.screenshot(os.path.join(OUT, "home-%d.png" % width), width=width)
    assert not tab.dialogs, "a JavaScript dialog opened: %r" % tab.dialogs
    assert not tab.exceptions, "a script ran and threw: %r" % tab.exceptions
    assert not tab.console, "a script wrote to the console: %r" % tab.console
    assert not tab.csp_violations(), "the page breaks its own CSP:\n%s" % "\n".join(tab.csp_violations())
    tab.close()
