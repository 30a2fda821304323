"""The OWASP XSS payloads in headless Chromium: no dialog opens, no script
runs (issue 3, "Writing" -> hostile input).

Every OWASP payload (and its NBSP-to-space variant), plus payloads of our
own that set window.__pwned, goes through the real stack as a thread title
and as the body of a reply and of a reply to that reply (each payload its
own posts), GROUP payloads a thread; the first payload of a group is also
the thread's title and opening post. The other payloads are titles of
threads of their own, which the category pages list. Each thread page and
each category page is loaded in two tabs:

  - "reader": as a visitor sees it, the page's CSP in force;
  - "no-csp": a moderator's session (sees held posts too) with the CSP
    BYPASSED (Page.setBypassCSP), so that any markup that slipped through
    the sanitizer and the templates would really run: the HTML alone must be
    inert, the CSP is a second wall, not the only one.

In each tab the test then fires mouse, focus, pointer and animation events
at every element and clicks every link whose scheme is not http(s), and
asserts: no dialog opened, window.__pwned is undefined, document.scripts is
empty, no element carries an on* attribute or a javascript:/vbscript:/data:
URL (as the browser parsed the page: mutation XSS shows here, not in
html.parser), nothing was written to the console, no request left
127.0.0.1. CSP violation reports in the reader tab mean the browser BLOCKED
something: they are counted and printed. A self-check at the end shows
that both tabs can fail: markup injected with insertAdjacentHTML runs in
the no-CSP tab and is refused (and reported) in the reader tab.
"""

import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from harness import SRC

sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import cdp  # noqa: E402
import client as C  # noqa: E402

TIMEOUT = 480
SLUG = "xss"
GROUP = 8                 # payloads per thread (each its own posts)
PASSWORD = "correct horse battery staple"
DATA = os.path.join(SRC, "tests", "data")

CUSTOM = [
    '<img src=x onerror="window.__pwned=1">',
    '<svg onload="window.__pwned=1"></svg>',
    '<a href="javascript:window.__pwned=1">raw html link</a>',
    "[x](javascript:window.__pwned=1)",
    "[x](JaVaScRiPt:window.__pwned=1)",
    "[x](&#106;avascript:window.__pwned=1)",
    "[x](java\tscript:window.__pwned=1)",
    "[x](<javascript:window.__pwned=1>)",
    "<javascript:window.__pwned=1>",
    "[x]\n\n[x]: javascript:window.__pwned=1",
    "![x](javascript:window.__pwned=1)",
    "[x](data:text/html,<script>window.opener.__pwned=1</script>)",
    "[x](vbscript:window.__pwned=1)",
    "<details open ontoggle=\"window.__pwned=1\">x</details>",
    "<div style=\"animation-name:spin\" onanimationstart=\"window.__pwned=1\">x</div>",
    "<input autofocus onfocus=\"window.__pwned=1\">",
    "\"><img src=x onerror=window.__pwned=1>",
    "</textarea><script>window.__pwned=1</script>",
    "</title><script>window.__pwned=1</script>",
    "<noscript><p title=\"</noscript><img src=x onerror=window.__pwned=1>\"></noscript>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1>",
    "<svg><style><img src=x onerror=window.__pwned=1></style></svg>",
    "![remote](https://tracker.example/pixel.png) and ![local](/static/none.png)",
]

# Run in the page (main world) after load: fire the events inline handlers
# listen to, click links that are not http(s), then report what the DOM is.
PROBE = r"""
(() => {
  const events = ['mouseover', 'mouseenter', 'pointerover', 'focus', 'focusin', 'animationstart',
                  'transitionend', 'toggle', 'load', 'error', 'input', 'keydown', 'scroll'];
  const all = Array.from(document.querySelectorAll('*'));
  for (const el of all) {
    for (const type of events) {
      try { el.dispatchEvent(new Event(type, {bubbles: false})); } catch (e) {}
    }
  }
  let clicked = 0;
  for (const a of Array.from(document.querySelectorAll('a[href], area[href]'))) {
    let proto = '';
    try { proto = new URL(a.getAttribute('href'), document.baseURI).protocol; } catch (e) { proto = 'bad:'; }
    if (proto !== 'http:' && proto !== 'https:') { clicked++; try { a.click(); } catch (e) {} }
  }
  const bad = [];
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background',
                    'poster', 'srcset', 'lowsrc', 'dynsrc', 'codebase', 'cite', 'longdesc'];
  // The theme's one script (the quick exit, layout.html): a file of this
  // site in the site header, no inline text, no other attribute.
  const themeScript = el => el.tagName.toLowerCase() === 'script' &&
    el.getAttribute('src') === '/static/quick-exit.js' && !el.textContent.trim() &&
    Array.from(el.attributes).every(at => at.name === 'src' || at.name === 'defer') &&
    !!el.closest('header.site');
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'iframe', 'frame', 'object', 'embed', 'base', 'applet', 'svg', 'math', 'style'].includes(tag)
        && !themeScript(el))
      bad.push('<' + tag + '> element');
    for (const at of Array.from(el.attributes)) {
      const n = at.name.toLowerCase();
      if (n.startsWith('on')) bad.push('<' + tag + ' ' + n + '=' + JSON.stringify(at.value.slice(0, 60)) + '>');
      if (urlAttrs.includes(n)) {
        const v = at.value.replace(/[\u0000-\u0020\u007f]+/g, '').toLowerCase();
        if (/^(javascript|vbscript|data|livescript):/.test(v))
          bad.push('<' + tag + ' ' + n + '=' + JSON.stringify(at.value.slice(0, 80)) + '>');
      }
    }
  }
  return {scripts: Array.from(document.scripts).filter(el => !themeScript(el)).length, pwned: typeof window.__pwned !== 'undefined',
          clicked: clicked, bad: bad.slice(0, 8), elements: all.length,
          h1: Array.from(document.querySelectorAll('h1')).map(h => h.textContent)};
})()
"""


def log(fmt, *args):
    sys.stdout.write("# " + (fmt % args if args else fmt) + "\n")
    sys.stdout.flush()


def owasp_payloads():
    out = []
    with open(os.path.join(DATA, "owasp-xss-filter-evasion.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            out.append(("owasp:L%d" % r["source_line"], r["payload"]))
            if "payload_nbsp_to_space" in r:
                out.append(("owasp-sp:L%d" % r["source_line"], r["payload_nbsp_to_space"]))
    return out


def record_network(tab):
    """Records every request URL of tab in tab.requests (Network domain)."""
    tab.requests = []
    original = tab._event

    def event(method, params):
        if method == "Network.requestWillBeSent":
            tab.requests.append(params.get("request", {}).get("url", ""))
        original(method, params)
    tab._event = event
    tab.send("Network.enable")


def isolated_tab(browser):
    """A tab in its own browser context (own cookies), set up like
    Browser.new_tab()."""
    ctx = browser.call("Target.createBrowserContext", {"disposeOnDetach": True})["browserContextId"]
    tid = browser.call("Target.createTarget", {"url": "about:blank", "browserContextId": ctx})["targetId"]
    sid = browser.call("Target.attachToTarget", {"targetId": tid, "flatten": True})["sessionId"]
    tab = cdp.Tab(browser, tid, sid)
    browser.tabs[sid] = tab
    for domain in ("Page", "Runtime", "Log"):
        tab.send(domain + ".enable")
    return tab


def settle(tab, seconds=0.05):
    """Lets pending events (dialogs, console) arrive."""
    tab.wait_until(lambda: False, seconds)


def parallel(items, fn, clients):
    """fn(client, item) for each item, item i on clients[i % n] (each client
    on its own thread, in order); returns the results in item order."""
    n = len(clients)
    results = [None] * len(items)

    def work(k):
        for i in range(k, len(items), n):
            results[i] = fn(clients[k], items[i])
    with ThreadPoolExecutor(n) as ex:
        list(ex.map(work, range(n)))
    return results


def post_all(stack, payloads):
    """Payloads in groups of GROUP. A group's thread has the first payload as
    its title (a plain title when refused) and as its opening post; each
    payload of the group is then a reply to the opening post and a reply to
    that reply (every payload its own post). The other payloads of the group
    are titles of threads of their own, which the category pages list.
    Returns ([(labels, thread path)], failures)."""
    authors = []
    for i in range(4):
        c = C.Client(stack)
        st, _, body = c.register("xss-author-%d" % i, PASSWORD)
        assert st == 303, "register: %d %s" % (st, C.message_of(body))
        authors.append(c)
    failures = []
    groups = [payloads[i:i + GROUP] for i in range(0, len(payloads), GROUP)]

    def new_thread(c, title, body, label):
        st, loc, html = c.new_thread(SLUG, title, body)
        if 400 <= st < 500:
            st, loc, html = c.new_thread(SLUG, "XSS " + label, body)
        if 400 <= st < 500:
            st, loc, html = c.new_thread(SLUG, "XSS " + label, "Body refused: " + label)
        if st not in (303, 200):
            failures.append("%s: new thread: %d %s" % (label, st, C.message_of(html)))
            return None
        return C.post_id_from(loc, html)

    def post_group(c, group):
        label0, p0 = group[0]
        opening = new_thread(c, p0, p0, label0)
        if opening is None:
            return None
        for label, p in group:
            parent = opening
            for depth in (1, 2):
                st, loc, html = c.reply(parent, p)
                if st >= 500 or st not in (303, 200) and not 400 <= st < 500:
                    failures.append("%s: reply at depth %d: %d" % (label, depth, st))
                pid = C.post_id_from(loc, html) if st in (303, 200) else None
                if pid is None:
                    break
                parent = pid
        for label, p in group[1:]:
            new_thread(c, p, "Title of " + label, label)
        return ([l for l, _ in group], opening)

    made = [g for g in parallel(groups, post_group, authors) if g]
    rows = stack.psql("SELECT id, thread_id FROM posts WHERE id = ANY('{%s}')"
                      % ",".join(str(pid) for _, pid in made))
    thread_of = dict(tuple(int(x) for x in r.split("|")) for r in rows.splitlines())
    return [(labels, "/t/%d" % thread_of[pid]) for labels, pid in made], failures


def probe(tab, stack, path, who, failures, stats):
    """Loads path in tab and checks it (see the module's docstring)."""
    origin = stack.url("")
    d0, c0, e0, l0 = len(tab.dialogs), len(tab.console), len(tab.exceptions), len(tab.log)
    tab.requests = []
    try:
        status = tab.navigate(stack.url(path))
    except cdp.CDPError as e:
        failures.append("%s (%s): %s" % (path, who, e))
        return None
    if status not in (200, None):
        failures.append("%s (%s): HTTP %s" % (path, who, status))
    if tab.evaluate("window.__hearth_canary") != 1:
        failures.append("%s (%s): the init-script canary did not run" % (path, who))
    res = tab.evaluate(PROBE)
    settle(tab)
    stats["pages"] += 1
    stats["clicked"] += res["clicked"]
    if len(tab.dialogs) > d0:
        failures.append("%s (%s): a dialog opened: %r" % (path, who, tab.dialogs[d0:]))
    if res["pwned"]:
        failures.append("%s (%s): window.__pwned is set: script ran" % (path, who))
    if res["scripts"]:
        failures.append("%s (%s): document.scripts.length = %d" % (path, who, res["scripts"]))
    if res["bad"]:
        failures.append("%s (%s): %s" % (path, who, "; ".join(res["bad"])))
    if len(tab.console) > c0 or len(tab.exceptions) > e0:
        failures.append("%s (%s): script output: console %r exceptions %r"
                        % (path, who, tab.console[c0:], tab.exceptions[e0:]))
    blocked = [e["text"] for e in tab.log[l0:] if "Content Security Policy" in (e["text"] or "")]
    if blocked:
        stats["csp"].append((path, who, blocked))
    away = [u for u in tab.requests if not u.startswith(origin) and not u.startswith("about:")]
    if away:
        failures.append("%s (%s): requests left 127.0.0.1: %r" % (path, who, away[:3]))
    return res


def test_owasp_payloads_in_chromium(stack, browser):
    r = stack.hearthctl("category", "add", SLUG, "XSS", "OWASP payloads in a browser")
    assert r.returncode == 0, "category add: %s" % r.stderr.strip()
    payloads = owasp_payloads() + [("custom:%d" % i, p) for i, p in enumerate(CUSTOM, 1)]
    t0 = time.monotonic()
    threads, failures = post_all(stack, payloads)
    log("posted %d payloads: %d group threads (title, opening post, replies at depth 1 and 2), "
        "the other titles as threads of their own, in %.1f s", len(payloads), len(threads),
        time.monotonic() - t0)

    admin = C.Client(stack)
    st, _, _ = admin.login(stack.admin, stack.admin_password)
    assert st == 303, "admin log-in: %d" % st
    reader = browser.new_tab()
    nocsp = isolated_tab(browser)
    nocsp.send("Page.setBypassCSP", enabled=True)
    nocsp.send("Network.enable")
    nocsp.send("Network.setCookie", name="hs", value=admin.cookies["hs"], url=stack.url("/"),
               httpOnly=True, sameSite="Lax")
    tabs = (("reader", reader), ("no-csp moderator", nocsp))
    for _, tab in tabs:
        record_network(tab)
        tab.add_init_script("window.__hearth_canary = 1;")   # shows that evaluation works at all

    t0 = time.monotonic()
    stats = {"pages": 0, "clicked": 0, "csp": []}
    for labels, path in threads:
        for who, tab in tabs:
            probe(tab, stack, path, "%s; %s" % (who, ", ".join(labels)), failures, stats)
    # Every title, as the category pages list them (30 a page, rel=next).
    for who, tab in tabs:
        listed = 0
        path, seen = "/c/%s" % SLUG, set()
        while path and path not in seen and len(seen) < 100:
            seen.add(path)
            res = probe(tab, stack, path, who, failures, stats)
            if res is None:
                break
            listed += tab.evaluate("document.querySelectorAll('a[href^=\"/t/\"]').length")
            path = tab.evaluate("(document.querySelector('a[rel~=next]') || {}).getAttribute"
                                " ? document.querySelector('a[rel~=next]').getAttribute('href') : null")
        if listed < len(payloads):
            failures.append("%s: the category pages list %d threads, want %d (one a payload)"
                            % (who, listed, len(payloads)))
    dt = time.monotonic() - t0
    # Self-check of the two tabs: markup injected into the page now runs in
    # the no-CSP tab (so a payload that slipped through would have been
    # seen), and is refused (and reported) under the CSP in the reader tab.
    inject = ("document.body.insertAdjacentHTML('beforeend', "
              "'<img src=\"/static/none-' + Date.now() + '.png\" onerror=\"window.__selfcheck=1\">')")
    for who, tab in tabs:
        l0 = len(tab.log)
        tab.navigate(stack.url("/c/%s" % SLUG))
        tab.evaluate(inject)
        tab.wait_until(lambda: tab.evaluate("window.__selfcheck === 1") or
                       any("Content Security Policy" in (e["text"] or "") for e in tab.log[l0:]), 5)
        ran = tab.evaluate("window.__selfcheck === 1")
        reported = any("Content Security Policy" in (e["text"] or "") for e in tab.log[l0:])
        if who == "reader":
            assert not ran and reported, "self-check: in the reader tab an injected inline handler %s, " \
                "CSP report %s" % ("RAN" if ran else "did not run", "seen" if reported else "missing")
        else:
            assert ran, "self-check: the CSP bypass does not work: an injected inline handler did not run"
    log("loaded %d pages (threads, category pages) in %.1f s (%.0f ms a page); clicked %d non-http links",
        stats["pages"], dt, 1000 * dt / max(1, stats["pages"]), stats["clicked"])
    log("CSP violation reports (the browser blocked something): %d page loads", len(stats["csp"]))
    for path, who, texts in stats["csp"][:20]:
        log("  %s (%s): %s", path, who, texts[0][:160])
    reader.close()
    nocsp.close()
    if failures:
        raise AssertionError("%d problem(s) over %d payloads:\n%s" % (
            len(failures), len(payloads), "\n".join(failures[:30])))
