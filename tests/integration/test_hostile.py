"""Hostile input through the real stack (nginx -> hearth-fcgi -> PostgreSQL).

Issue 3, "Writing" (hostile input, naughty strings), "Bad input" and
"Templates and pages". Every payload of the XSS corpora in tests/data/ is
posted as a post body (each payload its own post: payloads are never joined,
which would change their Markdown context); all OWASP payloads, a
deterministic sample of the payloadbox list and the Markdown URL cases are
also posted as thread titles and typed as handles (refused: a handle is
[A-Za-z0-9_-]{3,30}). The pages that show them (thread, category, member,
preview, refusal) are PARSED (html.parser, client.markup_problems): no
script element, no on* attribute, no javascript:/vbscript:/data: URL, valid
UTF-8. The Big List of Naughty Strings comes back exactly or is refused with
a 4xx that names a stated rule, never a 500. Then the limits.

Payloads go out from 4 members on 4 connections at a time (the stack has 2
workers); timings are printed as "#" lines.
"""

import json
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import client as C
from harness import SRC

STACK_OPTIONS = {"workers": 2, "conf": {"profiles_public": "1"}}  # public profiles: test_care.py tests the default
TIMEOUT = 420

DATA = os.path.join(SRC, "tests", "data")
SLUG, NAUGHTY_SLUG, LIMITS_SLUG = "hostile", "naughty", "limits"
PARALLEL = 4
PASSWORD = "correct horse battery staple"
HANDLE_RE = re.compile(r"[A-Za-z0-9_-]{3,30}\Z")
TITLE_SAMPLE_EVERY = 12          # every 12th distinct payloadbox line: 550 titles and handles
REPLIES_PER_HOST = 40            # well under a thread page (about 50 posts)
TITLE_MAX, BODY_MAX = 200, 50000
SCRIPT = "<script>alert(1)</script>"

# Payloads of our own: what must not run if the sanitizer or the templates
# slipped, and the cmark 0.30.2 U+FFFE/U+FFFF bug (invalid UTF-8 output).
CUSTOM = [
    '<img src=x onerror="window.__pwned=1">',
    "[x](javascript:window.__pwned=1)",
    "[x](JaVaScRiPt:window.__pwned=1)",
    "[x](&#106;avascript:window.__pwned=1)",
    "[x](java\tscript:alert(1))",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[x]: data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\n\n[x]",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "</textarea><script>alert(1)</script>",
    "\"><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "&#xFFFE; and &#xFFFF; and &#65534; and &#65535;",
    "[a](&#xFFFE;) [b](<&#65535;>)",
    "`&#xFFFE;` <&#xFFFE;@example.org>",
]


def log(fmt, *args):
    sys.stdout.write("# " + (fmt % args if args else fmt) + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------- corpora

def _jsonl(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def owasp_cases():
    """(label, payload): every OWASP payload and its NBSP-to-space variant."""
    out = []
    for r in _jsonl("owasp-xss-filter-evasion.jsonl"):
        out.append(("owasp:L%d" % r["source_line"], r["payload"]))
        if "payload_nbsp_to_space" in r:
            out.append(("owasp-sp:L%d" % r["source_line"], r["payload_nbsp_to_space"]))
    return out


def payloadbox_cases():
    """(label, payload): each distinct line of the payloadbox list (6613
    lines, 6591 distinct: a repeated line would give the same pages)."""
    with open(os.path.join(DATA, "xss-payloadbox.txt"), "rb") as f:
        lines = f.read().decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    seen, out = set(), []
    for i, l in enumerate(lines, 1):
        if l not in seen:
            seen.add(l)
            out.append(("pbox:L%d" % i, l))
    return out, len(lines)


def url_wrappings(u):
    return [("[a](U)", "[a](%s)" % u), ("[a](<U>)", "[a](<%s>)" % u), ("![a](U)", "![a](%s)" % u),
            ("<U>", "<%s>" % u), ("[a]: U", "[a]\n\n[a]: %s" % u)]


def markdown_cases():
    """(label, body) for the Markdown URL edge cases: markdown records as
    they are, url records in five wrappings. And (label, url) raw."""
    bodies, urls = [], []
    for i, r in enumerate(_jsonl("markdown-url-edge-cases.jsonl"), 1):
        if r["kind"] == "markdown":
            bodies.append(("md:%d" % i, r["markdown"]))
        else:
            urls.append(("url:%d" % i, r["url"]))
            for w, body in url_wrappings(r["url"]):
                bodies.append(("url:%d %s" % (i, w), body))
    return bodies, urls


def naughty_strings():
    with open(os.path.join(DATA, "blns-upstream-db33ec7.json"), encoding="utf-8") as f:
        return json.load(f)


# ---------------------------------------------------------------- rules

def lf(s):
    """What the server stores: CRLF and lone CR become LF."""
    return s.replace("\r\n", "\n").replace("\r", "\n")


def expected_refusal(s, title):
    """The stated rule a value breaks ("empty", "long", "control") or None.
    Titles: 1 to 200 characters, no control characters or line breaks.
    Bodies: 1 to 50,000 characters, no control characters but tab and line
    breaks. Controls: C0 (but tab), DEL, C1, U+FFFE, U+FFFF."""
    if title:
        v = s
    else:
        v = lf(s)
    if v == "" or all(c in " \t\n\r" for c in v):
        return "empty"
    if len(v) > (TITLE_MAX if title else BODY_MAX):
        return "long"
    for c in v:
        o = ord(c)
        if o < 0x20 and c != "\t" and (title or c != "\n"):
            return "control"
        if o == 0x7F or 0x80 <= o <= 0x9F or o in (0xFFFE, 0xFFFF):
            return "control"
    return None


REASON_WORDS = {
    "empty": ("empty", "give the thread a title", "write something"),
    "long": ("longer than", "too long", "shorten"),
    "control": ("control character",),
}


def shows_post(doc, pid):
    """The page shows post pid: an element id="pID", or its permalink."""
    for n in doc.iter():
        if n.attrs.get("id") == "p%d" % pid:
            return True
        href = n.attrs.get("href") if n.tag == "a" else None
        if href and (href == "/p/%d" % pid or href.endswith("#p%d" % pid)):
            return True
    return False


def one_line(s, n=70):
    s = repr(s)
    return s if len(s) <= n else s[:n] + "...'"


class Failures(list):
    def add(self, fmt, *args):
        self.append(fmt % args if args else fmt)

    def check(self, what, n_checked):
        if self:
            shown = "\n".join(self[:25])
            more = "\n... and %d more" % (len(self) - 25) if len(self) > 25 else ""
            raise AssertionError("%s: %d problem(s) in %d checks\n%s%s"
                                 % (what, len(self), n_checked, shown, more))


# ---------------------------------------------------------------- the world

def parallel(items, fn, clients):
    """fn(client, item) for every item; item i goes to clients[i % n], each
    client works through its share in order on its own thread."""
    n = len(clients)
    results = [None] * len(items)

    def work(k):
        c = clients[k]
        for i in range(k, len(items), n):
            results[i] = fn(c, items[i])
    with ThreadPoolExecutor(n) as ex:
        list(ex.map(work, range(n)))
    return results


def world(stack):
    """Categories, 4 authors, an anonymous reader and the admin (moderator:
    sees held posts); made once per stack."""
    w = getattr(stack, "hostile_world", None)
    if w:
        return w
    for slug, name, desc in ((SLUG, "Hostile input", "XSS corpora"),
                             (NAUGHTY_SLUG, "Naughty strings", "Big List of Naughty Strings"),
                             (LIMITS_SLUG, "Limits", "Bad input")):
        r = stack.hearthctl("category", "add", slug, name, desc)
        assert r.returncode == 0, "category add %s: %s" % (slug, r.stderr.strip())
    authors = []
    for i in range(PARALLEL):
        c = C.Client(stack)
        st, _, body = c.register("hostile-%d" % i, PASSWORD)
        assert st == 303, "register hostile-%d: %d, want 303\n%s" % (i, st, C.message_of(body))
        authors.append(c)
    admin = C.Client(stack)
    st, _, body = admin.login(stack.admin, stack.admin_password)
    assert st == 303, "log-in as the admin %s: %d\n%s" % (stack.admin, st, C.message_of(body))
    w = {"authors": authors, "admin": admin}
    stack.hostile_world = w
    return w


def check_write(f, label, what, payload, st, loc, html):
    """Checks one answer to a write: never 5xx, a clean page. Returns the
    post id when the write was stored (303 to /p/ID, or 200 with the
    "thank you" page of a held or crisis post), else None."""
    if st >= 500:
        f.add("%s %s: %d for %s: %s", label, what, st, one_line(payload), C.message_of(html))
        return None
    probs = C.markup_problems(html) if html else []
    if probs:
        f.add("%s %s (answer %d) for %s: %s", label, what, st, one_line(payload), "; ".join(probs[:3]))
    if st == 303:
        pid = C.post_id_from(loc)
        if pid is None:
            f.add("%s %s: 303 to %r, not to a post", label, what, loc)
        return pid
    if st == 200:
        pid = C.post_id_from(None, html)
        if pid is None:
            f.add("%s %s: 200 without a link to the post: %s", label, what, C.message_of(html))
        return pid
    return None


# ---------------------------------------------------------------- 2. <script> handle and title

def test_script_handle_refused(stack):
    world(stack)
    before = stack.psql("SELECT count(*) FROM users")
    c = C.Client(stack)
    st, _, body = c.register(SCRIPT, PASSWORD)
    assert 400 <= st < 500, "register with handle %r: %d, want 4xx" % (SCRIPT, st)
    doc = C.parse(body)
    probs = C.markup_problems(body)
    assert not probs, "the refusal page of handle %r is unsafe: %s" % (SCRIPT, probs)
    assert C.form_value(doc, "handle") == SCRIPT, \
        "the handle field does not hold the typed value as text: %r" % C.form_value(doc, "handle")
    msg = C.message_of(doc)
    assert "handle" in msg.lower(), "the refusal does not say what is wrong with the handle: %r" % msg
    assert stack.psql("SELECT count(*) FROM users") == before, "a user row was created"
    assert "hs" not in c.cookies, "a session cookie was set for a refused handle"


def test_script_title_shown_as_text(stack):
    w = world(stack)
    a = w["authors"][0]
    st, loc, html = a.new_thread(SLUG, SCRIPT, "A thread whose title is markup.")
    assert st == 303, "new thread titled %r: %d, want 303\n%s" % (SCRIPT, st, C.message_of(html))
    pid = C.post_id_from(loc)
    tid = int(stack.psql("SELECT thread_id FROM posts WHERE id = %d" % pid))
    assert stack.psql("SELECT title FROM threads WHERE id = %d" % tid) == SCRIPT, "title not stored as typed"
    for who, cl in (("anonymous", C.Client(stack)), ("author", a)):
        st, _, body = cl.get("/t/%d" % tid)
        assert st == 200, "GET /t/%d (%s): %d" % (tid, who, st)
        doc = C.parse(body)
        probs = C.markup_problems(body)
        assert not probs, "thread page (%s): %s" % (who, probs)
        h1 = C.texts(doc, "h1")
        assert h1 == [SCRIPT], "thread page (%s): h1 texts %r, want [%r]" % (who, h1, SCRIPT)
        title = C.texts(doc, "title")
        assert len(title) == 1 and title[0].split(" \u00b7 ")[0] == SCRIPT, \
            "thread page (%s): <title> text %r does not start with the title as text" % (who, title)
    st, _, body = C.Client(stack).get("/c/%s" % SLUG)
    assert st == 200, "GET /c/%s: %d" % (SLUG, st)
    assert not C.markup_problems(body), "category page: %s" % C.markup_problems(body)
    links = [" ".join(n.text().split()) for n in C.find_all(body, "a", href="/t/%d" % tid)]
    assert SCRIPT in links, "category page: the link to /t/%d has texts %r, want %r" % (tid, links, SCRIPT)
    st, _, body = C.Client(stack).get("/u/%s" % a.handle)
    assert st == 200, "GET /u/%s: %d" % (a.handle, st)
    assert not C.markup_problems(body), "member page: %s" % C.markup_problems(body)
    links = [n.text() for n in C.find_all(body, "a", href="/t/%d" % tid)]
    assert links and all(t == SCRIPT for t in links), \
        "member page: the links to /t/%d have texts %r, want %r" % (tid, links, SCRIPT)
    # The reply form names the thread; the edit form holds the title.
    st, _, body = a.get("/p/%d/reply" % pid)
    assert st == 200 and not C.markup_problems(body), "GET /p/%d/reply: %d %s" % (pid, st, C.markup_problems(body))
    intro = " ".join(C.texts_by_class(body, "lead"))
    assert SCRIPT in intro, "the reply form's intro %r does not show the title as text" % intro
    st, _, body = a.get("/p/%d/edit" % pid)
    assert st == 200 and not C.markup_problems(body), "GET /p/%d/edit: %d %s" % (pid, st, C.markup_problems(body))
    assert C.form_value(body, "title") == SCRIPT, "the edit form's title holds %r" % C.form_value(body, "title")


# ---------------------------------------------------------------- 1. hostile payloads

def hostile(stack):
    """Posts everything once per stack (each title with the same payload as
    its body, then every other body as a reply) and returns what happened."""
    h = getattr(stack, "hostile_result", None)
    if h:
        return h
    w = world(stack)
    authors = w["authors"]
    f = Failures()
    owasp = owasp_cases()
    pbox, pbox_lines = payloadbox_cases()
    md_bodies, urls = markdown_cases()
    md_records = [(l, p) for l, p in md_bodies if l.startswith("md:")]
    custom = [("custom:%d" % i, p) for i, p in enumerate(CUSTOM, 1)]
    sample = [c for i, c in enumerate(pbox) if i % TITLE_SAMPLE_EVERY == 0]
    titles = owasp + sample + urls + md_records + custom
    bodies = owasp + pbox + md_bodies + custom
    log("corpora: %d OWASP payloads (with NBSP variants), payloadbox %d lines / %d distinct, "
        "%d Markdown bodies (%d records + %d URLs x 5 wrappings), %d custom; %d titles, %d bodies",
        len(owasp), pbox_lines, len(pbox), len(md_bodies), len(md_records), len(urls), len(custom),
        len(titles), len(bodies))
    refusals = []          # (what, reason), appended from worker threads

    def note_refusal(label, what, payload, st, html, is_title):
        msg = C.message_of(html)
        want = expected_refusal(payload, is_title)
        refusals.append((what, want or "unexpected"))
        if want is None:
            f.add("%s %s: refused (%d: %r) but %s breaks no stated rule", label, what, st, msg,
                  one_line(payload))
        elif not any(x in msg.lower() for x in REASON_WORDS[want]):
            f.add("%s %s: refused (%d) for %s, but the message %r does not say so", label, what, st,
                  want, msg)
        if st != 422:
            f.add("%s %s: refused with %d, want 422 (%r)", label, what, st, msg)

    # Threads: the payload as the title and as the opening post's body.
    def post_thread(c, item):
        label, p = item
        st, loc, html = c.new_thread(SLUG, p, p)
        pid = check_write(f, label, "as title+body", p, st, loc, html)
        if pid is not None:
            return (label, p, pid, p)
        if 400 <= st < 500:
            # Was it the title or the body? Try again with a plain body.
            body = "Title test " + label
            st, loc, html = c.new_thread(SLUG, p, body)
            pid = check_write(f, label, "as title", p, st, loc, html)
            if pid is not None:
                return (label, p, pid, body)
            if 400 <= st < 500:
                note_refusal(label, "title", p, st, html, True)
        return (label, p, None, None)

    t0 = time.monotonic()
    made = parallel(titles, post_thread, authors)
    t_threads = time.monotonic() - t0
    threads = [(l, p, pid) for l, p, pid, _ in made if pid]
    posts = {pid: (l, body) for l, _, pid, body in made if pid}
    body_done = {body for _, _, pid, body in made if pid}
    rows = dump_posts(stack, posts.keys())
    hosts = sorted(pid for pid in posts if rows.get(pid, {}).get("state") == "visible")
    assert hosts, "no thread could be created:\n%s" % "\n".join(f[:10])
    log("titles: %d threads posted in %.1f s (%.1f ms each), %d created, %d visible",
        len(titles), t_threads, 1000 * t_threads / max(1, len(titles)), len(threads), len(hosts))

    # Replies: every body not posted yet as an opening post, each its own
    # post, spread over the visible threads (at most REPLIES_PER_HOST each).
    todo = [(l, p) for l, p in bodies if p not in body_done]
    if len(todo) > REPLIES_PER_HOST * len(hosts):
        f.add("only %d host threads for %d replies: thread pages would be paginated", len(hosts), len(todo))
    items = [(l, p, hosts[i % len(hosts)]) for i, (l, p) in enumerate(todo)]

    def post_reply(c, item):
        label, p, host = item
        st, loc, html = c.reply(host, p)
        pid = check_write(f, label, "as body", p, st, loc, html)
        if pid is None and 400 <= st < 500:
            note_refusal(label, "body", p, st, html, False)
        return (label, p, pid)

    t0 = time.monotonic()
    for label, p, pid in parallel(items, post_reply, authors):
        if pid:
            posts[pid] = (label, p)
    t_replies = time.monotonic() - t0
    log("bodies: %d replies posted in %.1f s (%.1f ms each)", len(items), t_replies,
        1000 * t_replies / max(1, len(items)))
    counts = {}
    for r in refusals:
        counts[r] = counts.get(r, 0) + 1
    log("refused: %s", ", ".join("%s %s: %d" % (a, b, n) for (a, b), n in sorted(counts.items())) or "none")
    h = {"threads": threads, "posts": posts, "failures": f, "n_titles": len(titles),
         "n_bodies": len(bodies), "titles": titles, "md_bodies": md_bodies, "owasp": owasp,
         "custom": custom, "hosts": hosts}
    stack.hostile_result = h
    return h


def test_hostile_payloads_posted(stack):
    h = hostile(stack)
    h["failures"].check("posting %d titles and %d bodies" % (h["n_titles"], h["n_bodies"]),
                        h["n_titles"] + h["n_bodies"])
    assert len(h["posts"]) > 0.9 * h["n_bodies"], \
        "only %d posts stored for %d bodies" % (len(h["posts"]), h["n_bodies"])


def dump_posts(stack, ids):
    """{id: {thread, state, md, html}} for the given post ids, one query."""
    out = {}
    ids = sorted(ids)
    for i in range(0, len(ids), 4000):
        chunk = ids[i:i + 4000]
        js = stack.psql("SELECT coalesce(json_agg(json_build_object('id', id, 'thread', thread_id, "
                        "'state', state, 'md', body_md, 'html', body_html)), '[]') FROM posts "
                        "WHERE id = ANY('{%s}')" % ",".join(map(str, chunk)))
        for r in json.loads(js):
            out[r["id"]] = r
    return out


def test_hostile_stored_as_sent_and_clean(stack):
    h = hostile(stack)
    t0 = time.monotonic()
    rows = dump_posts(stack, h["posts"].keys())
    f = Failures()
    for pid, (label, sent) in sorted(h["posts"].items()):
        r = rows.get(pid)
        if r is None:
            f.add("%s: post %d was acknowledged but is not in the database", label, pid)
            continue
        if r["md"] != lf(sent):
            f.add("%s: post %d stored body_md %s, sent %s", label, pid, one_line(r["md"]), one_line(sent))
        probs = C.markup_problems(r["html"].encode("utf-8"))
        if probs:
            f.add("%s: post %d stored body_html is unsafe: %s (body %s)", label, pid, "; ".join(probs[:2]),
                  one_line(sent))
    log("checked %d stored posts in %.1f s", len(rows), time.monotonic() - t0)
    f.check("stored posts", len(h["posts"]))


def fetch_all(stack, paths, client):
    """GETs paths with clones of client, 4 at a time: [(path, st, body)]."""
    clients = [client.clone() for _ in range(PARALLEL)]
    return parallel(paths, lambda c, p: (p,) + (lambda r: (r[0], r[2]))(c.get(p)), clients)


def test_hostile_thread_pages(stack):
    h = hostile(stack)
    w = world(stack)
    rows = dump_posts(stack, h["posts"].keys())
    by_thread = {}
    for pid, r in rows.items():
        by_thread.setdefault(r["thread"], []).append(r)
    title_of = {}
    for label, title, pid in h["threads"]:
        if pid in rows:
            title_of[rows[pid]["thread"]] = (label, title)
    f = Failures()
    n = 0
    t0 = time.monotonic()
    for who, cl in (("anonymous", C.Client(stack)), ("moderator", w["admin"])):
        paths = ["/t/%d" % t for t in sorted(by_thread)]
        for path, st, body in fetch_all(stack, paths, cl):
            n += 1
            tid = int(path.rsplit("/", 1)[1])
            label, title = title_of.get(tid, ("?", None))
            if st != 200:
                f.add("GET %s (%s, title %s): %d", path, who, label, st)
                continue
            probs = C.markup_problems(body)
            if probs:
                f.add("GET %s (%s; title %s): %s", path, who, label, "; ".join(probs[:3]))
            doc = C.parse(body)
            h1 = C.texts(doc, "h1")
            if title is not None and h1 != [title]:
                f.add("GET %s (%s): h1 %r, want the title %s", path, who, h1, one_line(title))
            for r in by_thread[tid]:
                if (r["state"] == "visible" or who == "moderator") and not shows_post(doc, r["id"]):
                    f.add("GET %s (%s): post %d (%s, %s) is not on the page", path, who, r["id"],
                          h["posts"][r["id"]][0], r["state"])
    dt = time.monotonic() - t0
    log("thread pages: %d fetched and parsed in %.1f s (%.1f ms each)", n, dt, 1000 * dt / max(1, n))
    f.check("thread pages", n)


def walk(cl, first, prefix, limit):
    """Follows pagination from `first`: a rel=next link, else a link to
    prefix?... not seen yet. Returns [(path, status, body)]."""
    seen, out, path = set(), [], first
    while path and len(out) < limit:
        seen.add(path)
        st, _, body = cl.get(path)
        out.append((path, st, body))
        if st != 200:
            break
        doc = C.parse(body)
        nxt = None
        for a in doc.find_all("a"):
            href = a.attrs.get("href", "")
            if "next" in (a.attrs.get("rel") or "").split() and href not in seen:
                nxt = href
                break
        if nxt is None:
            for a in doc.find_all("a"):
                href = a.attrs.get("href", "")
                if href.startswith(prefix + "?") and href not in seen and \
                        re.search(r"next|older|more|\u2192|\u203a|\u00bb", a.text(), re.I):
                    nxt = href
                    break
        path = nxt
    return out


def test_hostile_category_pages(stack):
    h = hostile(stack)
    rows = dump_posts(stack, [pid for _, _, pid in h["threads"]])
    want = {}
    for label, title, pid in h["threads"]:
        if pid in rows and rows[pid]["state"] == "visible":
            want[rows[pid]["thread"]] = (label, title)
    t0 = time.monotonic()
    pages = walk(C.Client(stack), "/c/%s" % SLUG, "/c/%s" % SLUG, 400)
    f = Failures()
    seen = {}
    for path, st, body in pages:
        if st != 200:
            f.add("GET %s: %d", path, st)
            continue
        probs = C.markup_problems(body)
        if probs:
            f.add("GET %s: %s", path, "; ".join(probs[:3]))
        for a in C.find_all(body, "a"):
            m = re.fullmatch(r"/t/(\d+)", a.attrs.get("href", ""))
            if m:
                seen.setdefault(int(m.group(1)), []).append(" ".join(a.text().split()))
    for tid, (label, title) in sorted(want.items()):
        if tid not in seen:
            f.add("thread %d (%s) is on none of the %d category pages", tid, label, len(pages))
        elif " ".join(title.split()) not in seen[tid]:
            f.add("thread %d (%s): link texts %r, want the title %s", tid, label, seen[tid][:2], one_line(title))
    log("category pages: %d pages, %d threads listed, in %.1f s", len(pages), len(seen),
        time.monotonic() - t0)
    f.check("category pages", len(want))


def test_hostile_member_pages(stack):
    h = hostile(stack)
    w = world(stack)
    f = Failures()
    t0 = time.monotonic()
    n = 0
    ids_seen = set()
    for a in w["authors"]:
        for path, st, body in walk(C.Client(stack), "/u/%s" % a.handle, "/u/%s" % a.handle, 300):
            n += 1
            if st != 200:
                f.add("GET %s: %d", path, st)
                continue
            probs = C.markup_problems(body)
            if probs:
                f.add("GET %s: %s", path, "; ".join(probs[:3]))
            for el in C.parse(body).iter():
                m = re.search(r"/p/(\d+)|#p(\d+)", el.attrs.get("href", "")) if el.tag == "a" else None
                if m:
                    ids_seen.add(int(m.group(1) or m.group(2)))
    if not ids_seen & set(h["posts"]):
        f.add("the member pages link to none of the %d posts of their authors", len(h["posts"]))
    log("member pages: %d pages, %d posts linked, in %.1f s", n, len(ids_seen & set(h["posts"])),
        time.monotonic() - t0)
    f.check("member pages", n)


def test_hostile_previews(stack):
    """The preview renders exactly what would be stored: OWASP, Markdown,
    URL and custom payloads, each previewed as a reply body."""
    h = hostile(stack)
    w = world(stack)
    items = h["owasp"] + h["md_bodies"] + h["custom"]
    host = h["hosts"][0]
    f = Failures()

    def preview(c, item):
        label, p = item
        st, _, html = c.reply(host, p, action="preview")
        if st >= 500:
            f.add("%s preview: %d", label, st)
            return
        probs = C.markup_problems(html)
        if probs:
            f.add("%s preview (%d) of %s: %s", label, st, one_line(p), "; ".join(probs[:3]))
        if st == 200:
            kept = C.form_value(html, "body")
            if kept != lf(p):
                f.add("%s preview: the textarea holds %s, want %s", label, one_line(kept), one_line(lf(p)))
        elif expected_refusal(p, False) is None:
            f.add("%s preview: %d (%s) for a valid body", label, st, C.message_of(html))

    t0 = time.monotonic()
    parallel(items, preview, w["authors"])
    log("previews: %d in %.1f s", len(items), time.monotonic() - t0)
    f.check("previews", len(items))


def test_hostile_handles_refused(stack):
    h = hostile(stack)
    cands = [(l, p) for l, p in h["titles"] if not HANDLE_RE.match(p)]
    before = stack.psql("SELECT count(*) FROM users")
    f = Failures()

    def try_handle(c, item):
        label, p = item
        st, hd, body = c.register(p, PASSWORD)
        if not 400 <= st < 500:
            f.add("%s as handle: %d, want 4xx (refused) for %s", label, st, one_line(p))
            if st == 303:
                c.cookies.pop("hs", None)
            return
        probs = C.markup_problems(body)
        if probs:
            f.add("%s as handle: the refusal page is unsafe: %s", label, "; ".join(probs[:3]))
        kept = C.form_value(body, "handle")
        if kept is None or lf(kept) != lf(p):
            f.add("%s as handle: the form holds %s, typed %s", label, one_line(kept), one_line(p))
        if "handle" not in C.message_of(body).lower():
            f.add("%s as handle: the message %r does not name the handle", label, C.message_of(body))

    t0 = time.monotonic()
    parallel(cands, try_handle, [C.Client(stack) for _ in range(PARALLEL)])
    after = stack.psql("SELECT count(*) FROM users")
    if after != before:
        f.add("users: %s rows before, %s after: a hostile handle was stored", before, after)
    log("handles: %d hostile handles refused in %.1f s (%d of the title set are valid handles)",
        len(cands), time.monotonic() - t0, len(h["titles"]) - len(cands))
    f.check("hostile handles", len(cands))


# ---------------------------------------------------------------- 3. naughty strings

def judge_refusal(f, refused, what, holder, st, html, want, field, kept_want, sent):
    """A naughty string came back refused (4xx): it must break the rule
    expected_refusal() names, the message must say so, and the form must
    hold what was sent (kept_want) in `field`. Counts the refusal."""
    msg = C.message_of(html)
    refused[want or "unexpected"] = refused.get(want or "unexpected", 0) + 1
    if want is None:
        f.add("%s: refused (%d: %r) but breaks no stated rule: %s", what, st, msg, one_line(sent))
    elif not any(x in msg.lower() for x in REASON_WORDS[want]):
        f.add("%s: refused for %s but the message says %r", what, want, msg)
    kept = C.form_value(html, field)
    if kept != kept_want:
        f.add("%s: refused, and %s holds %s instead of %s", what, holder, one_line(kept), one_line(sent))


def test_naughty_titles_round_trip(stack):
    w = world(stack)
    strings = naughty_strings()
    f = Failures()
    t0 = time.monotonic()

    def post(c, item):
        i, s = item
        st, loc, html = c.new_thread(NAUGHTY_SLUG, s, "Naughty title %d" % i)
        return (i, s, st, loc, html)

    res = parallel(list(enumerate(strings)), post, w["authors"])
    stored, refused = {}, {}
    for i, s, st, loc, html in res:
        label = "blns[%d]" % i
        probs = C.markup_problems(html) if html else []
        if probs:
            f.add("%s as title (%d): %s", label, st, "; ".join(probs[:3]))
        want = expected_refusal(s, True)
        if st == 303:
            stored[i] = C.post_id_from(loc)
            if want:
                f.add("%s as title: stored, but it breaks the rule %r: %s", label, want, one_line(s))
        elif 400 <= st < 500:
            judge_refusal(f, refused, "%s as title" % label, "the form", st, html, want, "title", s, s)
        else:
            f.add("%s as title: %d (want 303 or 4xx): %s", label, st, C.message_of(html))
    rows = dump_posts(stack, [p for p in stored.values() if p])
    anon = C.Client(stack)
    for i, pid in sorted(stored.items()):
        s = strings[i]
        label = "blns[%d]" % i
        if pid not in rows:
            f.add("%s as title: acknowledged but not stored", label)
            continue
        tid = rows[pid]["thread"]
        st, _, body = anon.get("/t/%d" % tid)
        if st != 200:
            f.add("%s as title: GET /t/%d: %d", label, tid, st)
            continue
        probs = C.markup_problems(body)
        if probs:
            f.add("%s as title: GET /t/%d: %s", label, tid, "; ".join(probs[:3]))
        h1 = C.texts(body, "h1")
        if h1 != [s]:
            f.add("%s as title: h1 %r, want exactly %r", label, h1, s)
    log("naughty titles: %d strings, %d stored, refused: %s; %.1f s", len(strings), len(stored),
        ", ".join("%s %d" % kv for kv in sorted(refused.items())) or "none", time.monotonic() - t0)
    f.check("naughty strings as titles", len(strings))


def test_naughty_bodies_round_trip(stack):
    w = world(stack)
    # Strings that are the same post once line breaks are stored as LF are
    # posted once: the same member posting the same text in the same place
    # twice is refused as a repeat (issue 9, finding 7; see test_safety).
    seen = set()
    strings = [s for s in naughty_strings() if not (lf(s) in seen or seen.add(lf(s)))]
    f = Failures()
    t0 = time.monotonic()
    hosts = []
    for k in range((len(strings) + REPLIES_PER_HOST - 1) // REPLIES_PER_HOST):
        st, loc, html = w["authors"][0].new_thread(NAUGHTY_SLUG, "Naughty bodies %d" % k, "Replies below.")
        assert st == 303, "host thread: %d %s" % (st, C.message_of(html))
        hosts.append(C.post_id_from(loc))

    def post(c, item):
        i, s = item
        st, loc, html = c.reply(hosts[i // REPLIES_PER_HOST], s)
        return (i, s, st, loc, html)

    res = parallel(list(enumerate(strings)), post, w["authors"])
    stored, refused = {}, {}
    for i, s, st, loc, html in res:
        label = "blns[%d]" % i
        probs = C.markup_problems(html) if html else []
        if probs:
            f.add("%s as body (%d): %s", label, st, "; ".join(probs[:3]))
        want = expected_refusal(s, False)
        if st in (303, 200):
            pid = C.post_id_from(loc, html)
            if pid:
                stored[pid] = (i, s)
            else:
                f.add("%s as body: %d without a post to go to", label, st)
            if want:
                f.add("%s as body: stored, but it breaks the rule %r: %s", label, want, one_line(s))
        elif 400 <= st < 500:
            judge_refusal(f, refused, "%s as body" % label, "the textarea", st, html, want, "body", lf(s), s)
        else:
            f.add("%s as body: %d (want 303 or 4xx): %s", label, st, C.message_of(html))
    rows = dump_posts(stack, stored.keys())
    threads = set()
    for pid, (i, s) in sorted(stored.items()):
        r = rows.get(pid)
        if r is None:
            f.add("blns[%d] as body: acknowledged but not stored", i)
            continue
        threads.add(r["thread"])
        if r["md"] != lf(s):
            f.add("blns[%d] as body: stored %s, sent %s", i, one_line(r["md"]), one_line(s))
        probs = C.markup_problems(r["html"].encode("utf-8"))
        if probs:
            f.add("blns[%d] as body: stored HTML: %s", i, "; ".join(probs[:2]))
    anon = C.Client(stack)
    for tid in sorted(threads):
        st, _, body = anon.get("/t/%d" % tid)
        if st != 200:
            f.add("GET /t/%d (naughty bodies): %d", tid, st)
            continue
        probs = C.markup_problems(body)
        if probs:
            f.add("GET /t/%d (naughty bodies): %s", tid, "; ".join(probs[:3]))
        doc = C.parse(body)
        for pid, (i, s) in stored.items():
            if rows.get(pid, {}).get("thread") == tid and rows[pid]["state"] == "visible" \
                    and not shows_post(doc, pid):
                f.add("GET /t/%d: blns[%d] (post %d) is not on the page", tid, i, pid)
    log("naughty bodies: %d strings, %d stored, refused: %s; %.1f s", len(strings), len(stored),
        ", ".join("%s %d" % kv for kv in sorted(refused.items())) or "none", time.monotonic() - t0)
    f.check("naughty strings as bodies", len(strings))


# ---------------------------------------------------------------- 4. limits and bad input

def count(stack, sql):
    return int(stack.psql(sql))


def posts_with(stack, marker):
    return count(stack, "SELECT count(*) FROM posts WHERE strpos(body_md, '%s') > 0" % marker)


def test_title_201_chars_422_kept(stack):
    a = world(stack)["authors"][0]
    title = "t" * 200 + "\u00e9"           # 201 characters, 202 bytes
    body = "Body kept after a long title \u2014 marker L201"
    st, _, html = a.new_thread(LIMITS_SLUG, title, body)
    assert st == 422, "title of 201 characters: %d, want 422" % st
    assert not C.markup_problems(html), C.markup_problems(html)
    msg = C.message_of(html)
    assert "200" in msg, "the message does not name the limit: %r" % msg
    assert C.form_value(html, "title") == title, "title not kept: %r" % C.form_value(html, "title")
    assert C.form_value(html, "body") == body, "body not kept: %r" % C.form_value(html, "body")
    assert posts_with(stack, "marker L201") == 0, "a post was stored"
    # 200 characters (multi-byte) is within the limit.
    title = "\u00e9" * 199 + "t"
    st, loc, html = a.new_thread(LIMITS_SLUG, title, "A 200-character title")
    assert st == 303, "title of exactly 200 characters: %d, want 303: %s" % (st, C.message_of(html))


def test_body_50001_chars_422_kept(stack):
    a = world(stack)["authors"][0]
    body = "marker B50001 " + "b" * (50001 - 14)
    assert len(body) == 50001
    st, _, html = a.new_thread(LIMITS_SLUG, "A long body", body)
    assert st == 422, "body of 50,001 characters: %d, want 422" % st
    msg = C.message_of(html)
    assert "50,000" in msg or "50000" in msg, "the message does not name the limit: %r" % msg
    assert C.form_value(html, "body") == body, "the body was not kept in the textarea (%d chars back)" % len(
        C.form_value(html, "body") or "")
    assert C.form_value(html, "title") == "A long body", "title not kept"
    assert posts_with(stack, "marker B50001") == 0, "a post was stored"
    st, loc, html = a.new_thread(LIMITS_SLUG, "A body of exactly 50,000", "marker B50000 " + "b" * (50000 - 14))
    assert st == 303, "body of exactly 50,000 characters: %d, want 303: %s" % (st, C.message_of(html))


def test_body_limit_counts_characters_not_bytes(stack):
    """50,000 characters of Chinese is within the stated limit (characters,
    not bytes); a browser sends each as 9 bytes (%E6%82%B2)."""
    a = world(stack)["authors"][0]
    body = "marker CJK " + "\u60b2" * (50000 - 11)
    st, loc, html = a.new_thread(LIMITS_SLUG, "Fifty thousand characters of Chinese", body)
    assert st == 303, ("a body of 50,000 characters (%d bytes of UTF-8, %d bytes urlencoded) got %d, "
                       "want 303 (the limit is 50,000 characters): %s"
                       % (len(body.encode()), len(C.urlencode({"body": body})), st, C.message_of(html)[:200]))


def test_nul_400(stack):
    a = world(stack)["authors"][0]
    a.refresh_csrf()
    for field in ("body", "title"):
        form = {"title": "NUL test", "body": "marker NUL0 before", "action": "post"}
        raw = C.urlencode(form).replace(C._enc(form[field]).encode(), C._enc(form[field]).encode() + b"%00x")
        raw += b"&csrf=" + a.csrf.encode()
        st, _, body = a.request("POST", "/c/%s/new" % LIMITS_SLUG, raw_body=raw)
        assert st == 400, "a %s with %%00: %d, want 400" % (field, st)
        assert "NUL" in C.message_of(body), "the message does not say NUL: %r" % C.message_of(body)
    assert posts_with(stack, "marker NUL0") == 0, "a post was stored"


def test_invalid_utf8_400(stack):
    a = world(stack)["authors"][0]
    a.refresh_csrf()
    for field, raw in (("body", b"title=UTF8+test&body=marker+U8+%C3%28&action=post"),
                       ("title", b"title=%C3%28+t&body=marker+U8+title&action=post"),
                       ("body (raw byte)", b"title=UTF8+test&body=marker+U8+\xff&action=post")):
        st, _, body = a.request("POST", "/c/%s/new" % LIMITS_SLUG, raw_body=raw + b"&csrf=" + a.csrf.encode())
        assert st == 400, "invalid UTF-8 in the %s: %d, want 400" % (field, st)
        assert "UTF-8" in C.message_of(body), "the message does not say UTF-8: %r" % C.message_of(body)
        assert not C.markup_problems(body), C.markup_problems(body)
    assert posts_with(stack, "marker U8") == 0, "a post was stored"


def test_invalid_utf8_keeps_text(stack):
    """Issue 3, "Bad input": invalid UTF-8 gives a 4xx page that says what is
    wrong, with the user's text kept in the form."""
    a = world(stack)["authors"][0]
    a.refresh_csrf()
    raw = (b"title=Kept+title+%C3%A9&body=Kept+body+%C3%28+end&action=post&csrf=" + a.csrf.encode())
    st, _, body = a.request("POST", "/c/%s/new" % LIMITS_SLUG, raw_body=raw)
    assert 400 <= st < 500, "invalid UTF-8: %d" % st
    assert C.form_value(body, "title") == "Kept title \u00e9", \
        "invalid UTF-8 in the body: the valid title is not kept in a form (got %r; page: %r)" % (
            C.form_value(body, "title"), C.message_of(body))
    kept = C.form_value(body, "body") or ""
    assert kept.startswith("Kept body ") and kept.endswith(" end"), \
        "the body is not kept (repaired) in the textarea: %r" % kept


def test_missing_csrf_403_kept(stack):
    w = world(stack)
    a, b = w["authors"][0], w["authors"][1]
    before = count(stack, "SELECT count(*) FROM posts")
    title, body = "No token", "marker NOCSRF: my words \u2014 kept <b>as typed</b>"
    for how, tok in (("missing", False), ("empty", ""), ("another member's", b.csrf or b.refresh_csrf()),
                     ("wrong", "x" * 43)):
        st, _, html = a.new_thread(LIMITS_SLUG, title, body, csrf=tok)
        assert st == 403, "%s csrf token: %d, want 403" % (how, st)
        assert not C.markup_problems(html), C.markup_problems(html)
        assert C.form_value(html, "body") == body, "%s csrf: the textarea holds %r" % (how, C.form_value(html, "body"))
        assert C.form_value(html, "title") == title, "%s csrf: the title holds %r" % (how, C.form_value(html, "title"))
    host = world(stack)["authors"][0].new_thread(LIMITS_SLUG, "Reply host", "Host")[1]
    pid = C.post_id_from(host)
    st, _, html = a.reply(pid, body, csrf=False)
    assert st == 403, "a reply without csrf: %d, want 403" % st
    assert C.form_value(html, "body") == body, "reply without csrf: the textarea holds %r" % C.form_value(html, "body")
    assert posts_with(stack, "marker NOCSRF") == 0, "a post without a valid csrf token was stored"
    assert count(stack, "SELECT count(*) FROM posts") == before + 1, "posts changed beyond the host thread"


def test_reply_to_missing_post_404(stack):
    a = world(stack)["authors"][0]
    for pid in (999999999, 2 ** 62):
        st, _, html = a.reply(pid, "marker R404")
        assert st == 404, "reply to post %d: %d, want 404" % (pid, st)
    assert posts_with(stack, "marker R404") == 0


def test_edit_someone_elses_post_403(stack):
    w = world(stack)
    a, b = w["authors"][0], w["authors"][1]
    st, loc, _ = a.new_thread(LIMITS_SLUG, "Mine", "marker EDIT original")
    assert st == 303, "new thread: %d" % st
    pid = C.post_id_from(loc)
    st, _, _ = b.get("/p/%d/edit" % pid)
    assert st == 403, "GET /p/%d/edit by another member: %d, want 403" % (pid, st)
    st, _, html = b.edit(pid, "marker EDIT hijacked", title="Hijacked")
    assert st == 403, "POST /p/%d/edit by another member: %d, want 403" % (pid, st)
    assert not C.markup_problems(html)
    assert stack.psql("SELECT body_md FROM posts WHERE id = %d" % pid) == "marker EDIT original", "the post changed"
    assert stack.psql("SELECT title FROM threads t JOIN posts p ON p.thread_id = t.id WHERE p.id = %d" % pid) \
        == "Mine", "the title changed"
    st, _, _ = b.post("/p/%d/delete" % pid, {"confirm": "yes"})
    assert st == 403, "POST /p/%d/delete by another member: %d, want 403" % (pid, st)
    assert stack.psql("SELECT state FROM posts WHERE id = %d" % pid) == "visible", "the post was deleted"


def test_300k_form_4xx(stack):
    a = world(stack)["authors"][0]
    a.refresh_csrf()
    raw = C.urlencode([("title", "Huge"), ("body", "marker HUGE " + "h" * 300000), ("action", "post"),
                       ("csrf", a.csrf)])
    try:
        st, _, body = a.request("POST", "/c/%s/new" % LIMITS_SLUG, raw_body=raw)
    except OSError as e:
        raise AssertionError("a 300 KB form: the connection broke (%s) instead of a 4xx answer" % e)
    assert 400 <= st < 500, "a 300 KB form: %d, want 4xx (413)" % st
    assert posts_with(stack, "marker HUGE") == 0, "a post was stored"
