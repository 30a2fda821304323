"""Care and privacy (issue 13) where a person looks, in headless Chromium:
the quick exit (a click, Escape twice, and with scripts turned off), content
warnings (<details>, closed or opened as the reader chose), and the new
pages (settings, recovery codes, forgot your password, the neutral page).
Screenshots at 360 and 1280 px go to tests/out/care-*.png."""

import os
import sys
import uuid

from harness import SRC

sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import cdp  # noqa: E402
import client as C  # noqa: E402
from test_pages import check_page  # noqa: E402
from test_xss import isolated_tab, record_network  # noqa: E402

STACK_OPTIONS = {"cache": True}

OUT = os.path.join(SRC, "tests", "out")
PASSWORD = "correct horse battery staple"
W = {}


def world(stack):
    if W:
        return W
    tag = uuid.uuid4().hex[:6]
    slug = "care-" + tag
    r = stack.hearthctl("category", "add", slug, "Care", "Looking after ourselves")
    assert r.returncode == 0, "category add: %s" % r.stderr
    for who in ("author", "reader", "opener"):
        c = C.Client(stack)
        st, h, body = c.register("care-%s-%s" % (who, tag), PASSWORD)
        assert st == 303, "register %s: %d %s" % (who, st, C.message_of(body))
        c.codes_url = h.get("location")
        W[who] = c
    st, h, html = W["author"].post("/c/%s/new" % slug, [
        ("title", "A hard anniversary"), ("warning", "loss"),
        ("body", "It has been a year since my brother died. Some days I still set two cups out."),
        ("action", "post")])
    assert st == 303, "new thread: %d %s" % (st, C.message_of(html))
    pid = int(C.post_id_from(h.get("location")))
    W["pid"] = pid
    W["tid"] = int(stack.psql("select thread_id from posts where id = %d" % pid).strip())
    st, _, _ = W["opener"].post("/me/settings", [("cw_open", "1")])
    assert st == 303, "settings: %d" % st
    return W


def member_tab(browser, stack, cl):
    tab = isolated_tab(browser)
    tab.send("Network.enable")
    tab.send("Network.setCookie", name="hs", value=cl.cookies["hs"], url=stack.url("/"), httpOnly=True,
             sameSite="Lax")
    record_network(tab)
    return tab


def history(tab):
    """(entries as paths, current index) from Chromium, scripts or not."""
    h = tab.send("Page.getNavigationHistory")
    origin = len(tab.browser_origin)
    return [e["url"][origin:] if e["url"].startswith(tab.browser_origin) else e["url"]
            for e in h["entries"]], h["currentIndex"]


def wait_path(tab, path):
    def at():
        try:
            entries, idx = history(tab)
        except cdp.CDPError:         # between two documents
            return False
        return entries[idx] == path
    return tab.wait_until(at, 10)


def wait_loaded(tab, path):
    """Until the tab shows path, fully loaded (its scripts have run)."""
    def loaded():
        try:
            return tab.evaluate("location.pathname + ' ' + document.readyState") == path + " complete"
        except cdp.CDPError:         # between two documents
            return False
    assert tab.wait_until(loaded, 10), "%s did not finish loading" % path
    tab.send("Page.bringToFront")     # key events go to the focused tab


def quick_exit_box(tab):
    return tab.evaluate("""(() => {
      const a = document.getElementById('quick-exit');
      if (!a) return null;
      const r = a.getBoundingClientRect(), s = getComputedStyle(a);
      return {x: r.x + r.width / 2, y: r.y + r.height / 2, w: r.width, h: r.height, top: r.top,
              text: a.textContent.trim(), visible: s.visibility !== 'hidden' && s.display !== 'none'};
    })()""")


def click_at(tab, x, y):
    for kind in ("mousePressed", "mouseReleased"):
        tab.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)


def test_quick_exit(stack, browser):
    w = world(stack)
    problems = []
    tab = member_tab(browser, stack, w["reader"])
    tab.browser_origin = stack.url("").rstrip("/")
    for width in (360, 1280):
        tab.set_viewport(width)
        tab.navigate(stack.url("/help"))
        tab.navigate(stack.url("/t/%d" % w["tid"]))
        box = quick_exit_box(tab)
        assert box and box["visible"] and box["text"] == "Quick exit", "the button: %r" % box
        if box["w"] < 44 and box["h"] < 24 or box["top"] > 120:
            problems.append("%d px: the quick exit is small or low on the page: %r" % (width, box))
        tab.screenshot(os.path.join(OUT, "care-quick-exit-%d.png" % width), width=width, full_page=False)
        entries, _ = history(tab)
        click_at(tab, box["x"], box["y"])
        if not wait_path(tab, "/weather"):
            problems.append("%d px: a click on the quick exit did not reach /weather: %r" % (width, history(tab)))
            continue
        after, idx = history(tab)
        # The forum page was replaced: Back goes to where the reader was
        # before it, and the thread is nowhere in the history.
        if len(after) != len(entries) or "/t/%d" % w["tid"] in after:
            problems.append("%d px: the history still holds the thread: %r -> %r" % (width, entries, after))
    # Escape twice. (A load event of the page left just before may still be
    # on its way and end navigate() early: wait for this page to be whole.)
    tab.navigate(stack.url("/t/%d" % w["tid"]))
    wait_loaded(tab, "/t/%d" % w["tid"])
    for _ in range(2):
        for kind in ("keyDown", "keyUp"):
            tab.send("Input.dispatchKeyEvent", type=kind, key="Escape", code="Escape",
                     windowsVirtualKeyCode=27, nativeVirtualKeyCode=27)
    if not wait_path(tab, "/weather"):
        problems.append("Escape twice did not leave: %r" % (history(tab),))
    # One Escape alone (closing a menu, say) does not leave.
    tab.navigate(stack.url("/t/%d" % w["tid"]))
    wait_loaded(tab, "/t/%d" % w["tid"])
    for kind in ("keyDown", "keyUp"):
        tab.send("Input.dispatchKeyEvent", type=kind, key="Escape", code="Escape", windowsVirtualKeyCode=27)
    tab.send("Input.dispatchKeyEvent", type="keyDown", key="a", code="KeyA", text="a")
    tab.send("Input.dispatchKeyEvent", type="keyUp", key="a", code="KeyA")
    for kind in ("keyDown", "keyUp"):
        tab.send("Input.dispatchKeyEvent", type=kind, key="Escape", code="Escape", windowsVirtualKeyCode=27)
    entries, idx = history(tab)
    if entries[idx] != "/t/%d" % w["tid"]:
        problems.append("Escape, a letter, Escape left the page: %r" % entries)
    violations = tab.csp_violations()
    if violations:
        problems.append("the CSP refused something: %r" % violations[:3])
    if tab.exceptions or tab.console:
        problems.append("script output: %r %r" % (tab.exceptions, tab.console))
    # The neutral page: nothing of the forum, no request away.
    tab.navigate(stack.url("/weather"))
    text = tab.evaluate("document.body.innerText")
    if "Hearth" in text or "crisis" in text.lower() or tab.evaluate("document.title") != "Weather":
        problems.append("the neutral page shows the forum: %r" % text[:200])
    for width in (360, 1280):
        tab.screenshot(os.path.join(OUT, "care-weather-%d.png" % width), width=width)
    away = [u for u in tab.requests if not u.startswith(stack.url("")) and not u.startswith("about:")]
    if away:
        problems.append("requests left 127.0.0.1: %r" % away)
    tab.close()

    # Without scripts the button is still a plain link that leaves.
    tab = member_tab(browser, stack, w["reader"])
    tab.browser_origin = stack.url("").rstrip("/")
    tab.set_viewport(1280)
    tab.navigate(stack.url("/t/%d" % w["tid"]))
    box = quick_exit_box(tab)
    tab.send("Emulation.setScriptExecutionDisabled", value=True)
    tab.navigate(stack.url("/t/%d" % w["tid"]))
    click_at(tab, box["x"], box["y"])
    if not wait_path(tab, "/weather"):
        problems.append("without scripts the quick exit does not leave: %r" % (history(tab),))
    tab.send("Emulation.setScriptExecutionDisabled", value=False)
    tab.close()
    assert not problems, "\n".join(problems)


def details_state(tab, pid):
    return tab.evaluate("""(() => {
      const d = document.querySelector('#p%d > details.cw');
      if (!d) return null;
      const body = d.querySelector('.post-body');
      return {open: d.open, summary: d.querySelector('summary').textContent.trim(),
              bodyShown: !!body && body.checkVisibility()};
    })()""" % pid)


def test_content_warning(stack, browser):
    w = world(stack)
    problems = []
    pid = w["pid"]
    for who in ("anonymous", "reader", "opener"):
        if who == "anonymous":
            tab = browser.new_tab()
            record_network(tab)
        else:
            tab = member_tab(browser, stack, w[who])
        for width in (360, 1280):
            tab.set_viewport(width)
            tab.navigate(stack.url("/t/%d" % w["tid"]))
            st = details_state(tab, pid)
            if not st or "loss" not in st["summary"]:
                problems.append("%s: no content warning on the post: %r" % (who, st))
                continue
            want_open = who == "opener"
            if st["open"] != want_open or st["bodyShown"] != want_open:
                problems.append("%s at %d px: open %r, text shown %r; want %r" % (
                    who, width, st["open"], st["bodyShown"], want_open))
            if who == "reader":
                tab.screenshot(os.path.join(OUT, "care-cw-closed-%d.png" % width), width=width)
                # A click on the summary opens it (no script needed: <details>).
                box = tab.evaluate("(() => { const r = document.querySelector('#p%d > details.cw > summary')"
                                   ".getBoundingClientRect(); return [r.x + 10, r.y + r.height / 2]; })()" % pid)
                click_at(tab, box[0], box[1])
                tab.wait_until(lambda: (details_state(tab, pid) or {}).get("bodyShown"), 5)
                if not details_state(tab, pid)["bodyShown"]:
                    problems.append("reader at %d px: a click on the warning does not show the post" % width)
                tab.screenshot(os.path.join(OUT, "care-cw-opened-%d.png" % width), width=width)
        if tab.csp_violations():
            problems.append("%s: CSP violations %r" % (who, tab.csp_violations()[:3]))
        tab.close()
    assert not problems, "\n".join(problems)


def test_new_pages(stack, browser):
    w = world(stack)
    problems = []
    fresh = C.Client(stack)
    st, h, _ = fresh.register("care-new-" + uuid.uuid4().hex[:6], PASSWORD)
    assert st == 303
    tab = member_tab(browser, stack, fresh)
    tab.send("Network.setCookie", name="hr", value=fresh.cookies["hr"], url=stack.url("/"), httpOnly=True,
             sameSite="Lax")
    for width in (360, 1280):
        tab.set_viewport(width)
        tab.navigate(stack.url(h.get("location")))
        codes = tab.evaluate("Array.from(document.querySelectorAll('ol.recovery-codes code')).length")
        if width == 360 and codes != 10:
            problems.append("the codes page shows %r codes" % codes)
        tab.screenshot(os.path.join(OUT, "care-codes-%d.png" % width), width=width)
    problems += check_page(tab, stack, "/me/settings", (360, 1280),
                           shot={360: "care-settings-360.png", 1280: "care-settings-1280.png"})
    problems += check_page(tab, stack, "/me/recovery", (360, 1280),
                           shot={360: "care-recovery-360.png", 1280: "care-recovery-1280.png"})
    tab.close()
    anon = browser.new_tab()
    record_network(anon)
    problems += check_page(anon, stack, "/forgot", (360, 1280),
                           shot={360: "care-forgot-360.png", 1280: "care-forgot-1280.png"})
    anon.close()
    assert not problems, "\n".join(problems)
