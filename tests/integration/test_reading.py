"""Reading: category pages, thread trees, permalinks, member pages and
"replies to me" (issue 3, "Reading").

Data goes in with SQL (stack.psql): members, categories, threads and post
trees with correct paths (Forum below). Members log in through a session row
made the way lib/session.c makes them (the cookie's token, its SHA-256 in
the table), so these tests do not depend on the log-in pages.
"""

import base64
import hashlib
import html.parser
import os
import re
import urllib.parse
import uuid

from harness import Page

STACK_OPTIONS = {"workers": 2, "conf": {"profiles_public": "1"}}  # public profiles: test_care.py tests the default
TIMEOUT = 180

FOLD = 8                # reply levels a page shows below its root
PAGE_POSTS = 50         # posts a thread page aims at
CAP = 300               # rows a thread page holds at most
LIST_PAGE = 30          # threads / posts a list page shows


# ---------------------------------------------------------------- data

def sql_str(s):
    return "NULL" if s is None else "'" + str(s).replace("'", "''") + "'"


def sql_int(n):
    return "NULL" if n is None else str(int(n))


class P:
    """A post to insert: P("name", user, [children], state=..., ...)."""

    def __init__(self, name, user=None, children=(), state="visible", body=None, reason=None,
                 edited=False, age=None):
        self.name, self.user, self.children = name, user, list(children)
        self.state, self.reason, self.edited, self.age = state, reason, edited, age
        self.body = body if body is not None else "Post %s" % name
        self.id = None
        self.path = None


class Forum:
    """Inserts members, categories, threads and post trees with SQL."""

    def __init__(self, stack):
        self.stack = stack
        self.tag = uuid.uuid4().hex[:6]

    def member(self, prefix, role="member", status="active"):
        handle = ("%s_%s" % (prefix, self.tag))[:30]
        uid = int(self.stack.psql(
            "insert into users (handle, password_hash, role, status) values (%s, 'x', %s, %s) "
            "returning id" % (sql_str(handle), sql_str(role), sql_str(status))))
        return uid, handle

    def category(self, prefix):
        slug = ("%s-%s" % (prefix, self.tag)).lower()
        cid = int(self.stack.psql(
            "insert into categories (slug, name, description) values (%s, %s, %s) returning id"
            % (sql_str(slug), sql_str("Category " + prefix), sql_str("About " + prefix))))
        return cid, slug

    def thread(self, category_id, title, root, state="visible", locked=False, last_at=None):
        """Inserts a thread whose opening post is root (a P tree). Post ids
        are taken in depth-first order, so siblings come in id order.
        Returns the thread id; each P gets .id and .path."""
        nodes = []

        def walk(p, parent_path):
            nodes.append((p, parent_path))
            for c in p.children:
                walk(c, None)   # path filled below, once ids are known
        walk(root, None)
        ids = [int(x) for x in self.stack.psql(
            "select nextval(pg_get_serial_sequence('posts', 'id')) from generate_series(1, %d)"
            % len(nodes)).split()]
        for (p, _), i in zip(nodes, ids):
            p.id = i

        def paths(p, prefix):
            p.path = prefix + [p.id]
            for c in p.children:
                paths(c, p.path)
        paths(root, [])
        last = "now()" if last_at is None else "timestamptz %s" % sql_str(last_at)
        tid = int(self.stack.psql(
            "insert into threads (category_id, user_id, title, state, locked, post_count, last_post_at) "
            "values (%d, %s, %s, %s, %s, %d, %s) returning id"
            % (category_id, sql_int(root.user), sql_str(title), sql_str(state),
               "true" if locked else "false", len(nodes), last)))
        rows = []
        n = len(nodes)
        for k, (p, _) in enumerate(nodes):
            parent = "NULL" if len(p.path) == 1 else str(p.path[-2])
            age = p.age if p.age is not None else n - k
            rows.append("(%d, %d, %s, '{%s}', %s, %s, %s, %s, %s, now() - interval '%d seconds', %s)" % (
                p.id, tid, parent, ",".join(map(str, p.path)), sql_int(p.user), sql_str(p.body),
                sql_str("<p>%s</p>" % p.body.replace("&", "&amp;").replace("<", "&lt;")),
                sql_str(p.state), sql_str(p.reason), age,
                "now()" if p.edited else "NULL"))
        for start in range(0, n, 500):
            self.stack.psql(
                "insert into posts (id, thread_id, parent_id, path, user_id, body_md, body_html, state, "
                "hide_reason, created_at, edited_at) overriding system value values " +
                ", ".join(rows[start:start + 500]))
        return tid

    def session(self, user_id):
        """A session cookie for user_id: (Cookie header value, csrf token)."""
        token = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        csrf = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        digest = hashlib.sha256(token.encode()).hexdigest()
        self.stack.psql(
            "insert into sessions (token_hash, user_id, csrf_token, expires_at) "
            "values (decode('%s', 'hex'), %d, '%s', now() + interval '1 day')" % (digest, user_id, csrf))
        return "hs=" + token, csrf


def flatten(p):
    out = [p]
    for c in p.children:
        out.extend(flatten(c))
    return out


# ---------------------------------------------------------------- HTML

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Posts(html.parser.HTMLParser):
    """The posts of a page: for each <article id="pN">, the nearest post
    element around it (parent), its class, its own text (not its replies')
    and the links inside it (not its replies')."""

    def __init__(self, body):
        super().__init__(convert_charrefs=True)
        self.stack = []             # (tag, post id or None)
        self.order, self.parent, self.cls, self.text, self.links = [], {}, {}, {}, {}
        self.forms = {}
        self.feed(body.decode("utf-8") if isinstance(body, bytes) else body)
        self.close()
        self.text = {k: " ".join("".join(v).split()) for k, v in self.text.items()}

    def current(self):
        for _, pid in reversed(self.stack):
            if pid is not None:
                return pid
        return None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        pid = None
        if tag == "article" and re.fullmatch(r"p\d+", a.get("id") or ""):
            pid = int(a["id"][1:])
            assert pid not in self.parent, "post %d appears twice on one page" % pid
            self.parent[pid] = self.current()
            self.order.append(pid)
            self.cls[pid] = (a.get("class") or "").split()
            self.text[pid], self.links[pid], self.forms[pid] = [], [], []
        cur = pid or self.current()
        if cur is not None:
            if tag == "a" and a.get("href"):
                self.links[cur].append(a["href"])
            if tag == "form":
                self.forms[cur].append(a.get("action"))
        if tag not in VOID:
            self.stack.append((tag, pid))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        cur = self.current()
        if cur is not None:
            self.text[cur].append(data)


def get(stack, path, cookie=None, want=200):
    headers = {"Cookie": cookie} if cookie else None
    st, h, body = stack.http("GET", path, headers=headers)
    assert st == want, "GET %s: %d, want %d\n%s" % (path, st, want, body[:400].decode("utf-8", "replace"))
    return h, body


def one_h1(body, where, text=None):
    page = Page(body)
    assert len(page.h1) == 1, "%s: want one <h1>, got %r" % (where, page.h1)
    if text is not None:
        assert page.h1[0].strip() == text, "%s: h1 %r, want %r" % (where, page.h1[0], text)
    return page


def link_with_text(body, text):
    """hrefs of <a> elements whose text is `text`."""
    out = []

    class P_(html.parser.HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.href, self.buf = None, ""

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.href, self.buf = dict(attrs).get("href"), ""

        def handle_data(self, data):
            if self.href is not None:
                self.buf += data

        def handle_endtag(self, tag):
            if tag == "a" and self.href is not None:
                if " ".join(self.buf.split()) == text:
                    out.append(self.href)
                self.href = None
    p = P_()
    p.feed(body.decode("utf-8"))
    return out


def unescape_href(href):
    return href.replace("&amp;", "&")


def walk_pages(stack, first, link_text, cookie=None, limit=20):
    """Follows the `link_text` links from first; returns [(path, body)]."""
    pages, path = [], first
    while path:
        assert len(pages) < limit, "more than %d pages from %s" % (limit, first)
        _, body = get(stack, path, cookie)
        pages.append((path, body))
        nxt = link_with_text(body, link_text)
        assert len(nxt) <= 1, "%s: %d links %r" % (path, len(nxt), link_text)
        path = nxt[0] if nxt else None
    return pages


# ---------------------------------------------------------------- fixtures

def world(stack):
    """Members and a category shared by the tests of this module."""
    w = getattr(stack, "reading_world", None)
    if w:
        return w
    f = Forum(stack)
    w = {"f": f}
    w["ann"], w["ann_h"] = f.member("Ann")
    w["bo"], w["bo_h"] = f.member("bo")
    w["cy"], w["cy_h"] = f.member("cy")
    w["mod"], w["mod_h"] = f.member("mod", role="moderator")
    w["gone"], w["gone_h"] = f.member("gone", status="deleted")
    w["cat"], w["slug"] = f.category("read")
    stack.reading_world = w
    return w


# ---------------------------------------------------------------- tests

def test_thread_tree_nesting(stack):
    w = world(stack)
    f = w["f"]
    c = P("c", w["cy"])
    b = P("b", w["bo"], [c], edited=True)
    d = P("d", None)                            # a deleted member's post
    e = P("e", w["gone"])                       # an account closed, posts kept
    a = P("a", w["ann"], [b, d, e])
    title = "Nesting <script>alert(1)</script> & more"
    tid = f.thread(w["cat"], title, a)
    _, body = get(stack, "/t/%d" % tid)
    one_h1(body, "/t/%d" % tid, title)
    assert b"<script>" not in body, "the thread title's <script> reached the page as markup"
    t = Posts(body)
    assert t.order == [a.id, b.id, c.id, d.id, e.id], "posts in order %r, want %r" % (
        t.order, [a.id, b.id, c.id, d.id, e.id])
    want = {a.id: None, b.id: a.id, c.id: b.id, d.id: a.id, e.id: a.id}
    assert t.parent == want, "nesting %r, want %r (post: nearest enclosing post)" % (t.parent, want)
    for p in (a, b, c):
        links = t.links[p.id]
        for href in ("/p/%d" % p.id, "/p/%d/reply" % p.id, "/p/%d/reply?quote=1" % p.id):
            assert href in links, "post %s: no link %s among %r" % (p.name, href, links)
    assert "/u/%s" % w["ann_h"] in t.links[a.id], "no author link in %r" % t.links[a.id]
    assert "deleted member" in t.text[d.id], "post by nobody: %r" % t.text[d.id]
    assert "deleted member" in t.text[e.id] and w["gone_h"] not in t.text[e.id], \
        "post by a closed account: %r" % t.text[e.id]
    assert "edited" in t.text[b.id] and "edited" not in t.text[c.id], \
        "'edited': b %r / c %r" % (t.text[b.id], t.text[c.id])
    assert "I hear you · 0" in t.text[b.id], "support count: %r" % t.text[b.id]
    # Times: relative text and exact <time datetime title>.
    times = re.findall(rb'<time datetime="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)" title="([^"]+)">([^<]+)</time>',
                       body)
    assert len(times) >= 5, "want a <time datetime=... title=...> per post, found %d" % len(times)
    assert all(re.search(rb"just now|minutes? ago", x[2]) for x in times), "times: %r" % times
    # Anonymous: no forms, a log-in link, no session-bound token anywhere.
    assert b'name="csrf"' not in body, "an anonymous thread page carries a csrf field"
    assert link_with_text(body, "Log in to reply"), "no 'Log in to reply' link"


def test_relative_times(stack):
    w = world(stack)
    f = w["f"]
    kids = [P("m", w["bo"], age=5 * 60), P("h", w["bo"], age=3 * 3600 + 60),
            P("d", w["bo"], age=2 * 86400 + 60), P("old", w["bo"], age=400 * 86400)]
    a = P("a", w["ann"], kids, age=500 * 86400)
    tid = f.thread(w["cat"], "Times", a)
    _, body = get(stack, "/t/%d" % tid)
    t = Posts(body)
    for p, want in zip(kids, ("5 minutes ago", "3 hours ago", "2 days ago", "on ")):
        assert want in t.text[p.id], "post %s aged %ds: %r lacks %r" % (p.name, p.age, t.text[p.id], want)
    assert re.search(r"on \d{1,2} [A-Z][a-z]{2} \d{4}", t.text[kids[3].id]), t.text[kids[3].id]


def test_category_keyset_pagination(stack):
    w = world(stack)
    f = w["f"]
    cid, slug = f.category("many")
    for i in range(65):
        # Pairs of threads share a last activity: the id breaks the tie.
        f.thread(cid, "Thread %02d" % i, P("o%d" % i, w["bo"]),
                 last_at="2025-06-01 12:%02d:07.123456+00" % (i // 2))
    want = [int(x) for x in stack.psql(
        "select id from threads where category_id = %d order by last_post_at desc, id desc" % cid).split()]
    assert len(want) == 65 and len(set(stack.psql(
        "select last_post_at from threads where category_id = %d" % cid).splitlines())) == 33, "ties"
    pages = walk_pages(stack, "/c/%s" % slug, "Older threads")
    assert len(pages) == 3, "65 threads: %d pages, want 3 (%r)" % (len(pages), [p for p, _ in pages])
    seen = []
    for path, body in pages:
        one_h1(body, path, "Category many")
        ids = [int(x) for x in re.findall(rb'<h2><a href="/t/(\d+)"', body)]
        seen.extend(ids)
        assert b'href="/c/%s/new"' % slug.encode() in body, "%s: no 'Start a new thread' link" % path
        if path != pages[0][0]:
            assert "?before=" in path, "older pages go by a keyset cursor: %s" % path
    assert [len(re.findall(rb'<h2><a href="/t/', b)) for _, b in pages] == [30, 30, 5], "page sizes"
    assert seen == want, "threads across pages (%d) differ from last_post_at desc, id desc (%d):" \
        "\n got  %r\n want %r" % (len(seen), len(want), seen, want)
    # Reply counts and authors.
    _, body = pages[0]
    assert b"no replies yet" in body and ('/u/%s' % w["bo_h"]).encode() in body, "thread meta"


def test_category_visibility(stack):
    w = world(stack)
    f = w["f"]
    cid, slug = f.category("vis")
    vis = f.thread(cid, "Open thread", P("v", w["bo"], [P("r", w["ann"])]))
    held = f.thread(cid, "Held thread", P("h", w["ann"], state="held"), state="held")
    held_other = f.thread(cid, "Held of bo", P("h2", w["bo"], state="held"), state="held")
    hidden = f.thread(cid, "Hidden thread", P("x", w["ann"], state="hidden"), state="hidden")
    lister = lambda cookie=None: [int(x) for x in re.findall(  # noqa: E731
        rb'<h2><a href="/t/(\d+)"', get(stack, "/c/%s" % slug, cookie)[1])]
    assert lister() == [vis], "anonymous sees %r, want only %r" % (lister(), [vis])
    ann, _ = f.session(w["ann"])
    assert sorted(lister(ann)) == sorted([vis, held]), "a member sees their own held thread: %r" % lister(ann)
    mod, _ = f.session(w["mod"])
    assert sorted(lister(mod)) == sorted([vis, held, held_other, hidden]), "moderator: %r" % lister(mod)
    _, body = get(stack, "/c/%s" % slug, mod)
    assert b"held for review" in body and b"hidden" in body, "moderators see marks"
    assert b"1 reply" in body, "reply count of the open thread"


def test_big_thread_pages(stack):
    w = world(stack)
    f = w["f"]
    tops = []
    for i in range(120):
        kids = []
        if i % 10 == 3:
            kids = [P("t%d.%d" % (i, k), w["cy"], [P("t%d.%d.x" % (i, k), w["bo"])]) for k in range(3)]
        tops.append(P("t%d" % i, w["bo"] if i % 2 else w["cy"], kids))
    root = P("op", w["ann"], tops)
    everyone = flatten(root)
    tid = f.thread(w["cat"], "A long thread", root)
    pages = walk_pages(stack, "/t/%d" % tid, "More replies")
    assert len(pages) >= 3, "%d posts on %d pages" % (len(everyone), len(pages))
    seen = []
    for path, body in pages:
        one_h1(body, path, "A long thread")
        t = Posts(body)
        assert t.order[0] == root.id and t.parent[root.id] is None, "%s: the opening post comes first" % path
        replies = t.order[1:]
        assert len(replies) <= PAGE_POSTS + 10, "%s: %d replies on one page" % (path, len(replies))
        # Whole groups: every reply's parent is on the page.
        for pid in replies:
            assert t.parent[pid] is not None, "%s: post %d outside the tree" % (path, pid)
        seen.extend(replies)
        if path != pages[0][0]:
            assert "?after=" in path, "later pages go by ?after=: %s" % path
            assert link_with_text(body, "Back to the first replies"), "%s: no link to the first page" % path
    want = [p.id for p in everyone[1:]]
    assert len(seen) == len(set(seen)), "posts shown twice: %r" % sorted(
        x for x in set(seen) if seen.count(x) > 1)
    assert seen == want, "posts across pages: %d, want %d (missing %r)" % (
        len(seen), len(want), sorted(set(want) - set(seen))[:10])
    # The permalink of a post on the last page leads there, with its anchor.
    last = pages[-1]
    target = Posts(last[1]).order[-1]
    st, h, _ = stack.http("GET", "/p/%d" % target)
    assert st == 303, "GET /p/%d: %d, want 303" % (target, st)
    loc = h.get("location", "")
    assert loc.startswith("/t/%d?after=" % tid) and loc.endswith("#p%d" % target), "Location %r" % loc
    _, body = get(stack, loc.split("#")[0])
    assert target in Posts(body).order, "post %d not on the page %s" % (target, loc)
    first = Posts(pages[0][1]).order[1]
    st, h, _ = stack.http("GET", "/p/%d" % first)
    assert st == 303 and h.get("location") == "/t/%d#p%d" % (tid, first), \
        "/p/%d: %d %r, want the first page" % (first, st, h.get("location"))
    st, h, _ = stack.http("GET", "/p/%d" % root.id)
    assert st == 303 and h.get("location") == "/t/%d#p%d" % (tid, root.id), "opening post permalink"
    # Every post's permalink lands on a page that shows it.
    for p in everyone[1::17]:
        st, h, _ = stack.http("GET", "/p/%d" % p.id)
        loc = h.get("location", "")
        assert st == 303, "/p/%d: %d" % (p.id, st)
        _, body = get(stack, loc.split("#")[0])
        assert p.id in Posts(body).order, "/p/%d -> %s does not show it" % (p.id, loc)


def test_one_huge_group(stack):
    """A first reply with 80 replies of its own fills a page alone."""
    w = world(stack)
    f = w["f"]
    big = P("big", w["bo"], [P("k%d" % i, w["cy"]) for i in range(80)])
    small = [P("s%d" % i, w["cy"]) for i in range(5)]
    root = P("op", w["ann"], [big] + small)
    tid = f.thread(w["cat"], "Huge group", root)
    pages = walk_pages(stack, "/t/%d" % tid, "More replies")
    assert len(pages) == 2, "%d pages, want 2" % len(pages)
    first = Posts(pages[0][1])
    assert len(first.order) == 82, "first page holds the whole big group: %d posts" % len(first.order)
    second = Posts(pages[1][1])
    assert second.order == [root.id] + [p.id for p in small], "second page: %r" % second.order


def test_group_over_the_cap(stack):
    """A first reply with 320 replies: the page stops at the row cap and the
    rest is on that reply's own pages, where its replies page by ~50."""
    w = world(stack)
    f = w["f"]
    kids = [P("k%d" % i, w["cy"]) for i in range(320)]
    big = P("big", w["bo"], kids)
    root = P("op", w["ann"], [big, P("after", w["bo"])])
    tid = f.thread(w["cat"], "Over the cap", root)
    _, body = get(stack, "/t/%d" % tid)
    t = Posts(body)
    assert len(t.order) == CAP, "first page: %d posts, want the cap %d" % (len(t.order), CAP)
    fold = "/p/%d/thread" % big.id
    assert fold in t.links[big.id], "no 'continue this thread' on the cut group: %r" % t.links[big.id][:8]
    pages = walk_pages(stack, fold, "More replies")
    seen = []
    for path, b in pages:
        s_ = Posts(b)
        assert s_.order[0] == big.id, "%s: the subtree root comes first" % path
        assert len(s_.order) <= PAGE_POSTS + 1, "%s: %d posts" % (path, len(s_.order))
        seen.extend(s_.order[1:])
    assert seen == [k.id for k in kids], "the big group's pages: %d posts, want %d" % (len(seen), len(kids))
    # The page holds the opening post, "big" and kids[0 .. CAP - 3].
    for k, where in ((kids[5], "/t/%d#p" % tid), (kids[CAP - 3], "/t/%d#p" % tid),
                     (kids[CAP - 2], fold + "?after="), (kids[315], fold + "?after=")):
        st, h, _ = stack.http("GET", "/p/%d" % k.id)
        loc = h.get("location", "")
        assert st == 303 and loc.startswith(where) and loc.endswith("#p%d" % k.id), \
            "/p/%d: %d %r, want %s...#p%d" % (k.id, st, loc, where, k.id)
        _, b = get(stack, loc.split("#")[0])
        assert k.id in Posts(b).order, "%s does not show post %d" % (loc, k.id)


def chain(users, n, prefix="d"):
    """A reply chain n deep: returns (top, list of the posts from top down)."""
    posts = [P("%s%d" % (prefix, i + 1), users[i % len(users)]) for i in range(n)]
    for i in range(n - 1):
        posts[i].children.append(posts[i + 1])
    return posts[0], posts


def test_folding_and_subthread(stack):
    w = world(stack)
    f = w["f"]
    top, d = chain([w["bo"], w["cy"]], 20)
    root = P("op", w["ann"], [top, P("sib", w["bo"])])
    tid = f.thread(w["cat"], "Deep thread", root)
    _, body = get(stack, "/t/%d" % tid)
    t = Posts(body)
    shown = [p.id for p in d if p.id in t.order]
    assert shown == [p.id for p in d[:FOLD]], "thread page shows %d levels, want %d" % (len(shown), FOLD)
    for i in range(1, FOLD):
        assert t.parent[d[i].id] == d[i - 1].id, "level %d not nested in level %d" % (i + 1, i)
    fold = "/p/%d/thread" % d[FOLD - 1].id
    assert fold in t.links[d[FOLD - 1].id], "no 'continue this thread' link %s at level %d: %r" % (
        fold, FOLD, t.links[d[FOLD - 1].id])
    assert link_with_text(body, "Continue this thread") == [fold], "one fold link"
    # The subtree page: rooted at level 8, showing 8 more levels.
    _, body = get(stack, fold)
    one_h1(body, fold, "Deep thread")
    s = Posts(body)
    assert s.order[0] == d[FOLD - 1].id and s.parent[d[FOLD - 1].id] is None, "subtree root first"
    assert [p.id for p in d if p.id in s.order] == [p.id for p in d[FOLD - 1:2 * FOLD]], \
        "subtree page levels: %r" % s.order
    assert "/t/%d" % tid in link_with_text(body, "Back to the thread"), "no link back to the thread"
    assert root.id not in s.order, "the subtree page shows the opening post"
    fold2 = "/p/%d/thread" % d[2 * FOLD - 1].id
    assert link_with_text(body, "Continue this thread") == [fold2], "second fold %s" % fold2
    # Permalinks of folded posts point at the page that shows them.
    for i, page in ((4, "/t/%d" % tid), (FOLD, fold), (2 * FOLD - 1, fold), (2 * FOLD, fold2), (19, fold2)):
        st, h, _ = stack.http("GET", "/p/%d" % d[i].id)
        assert st == 303 and h.get("location") == "%s#p%d" % (page, d[i].id), \
            "/p/%d (level %d): %d %r, want %s#p%d" % (d[i].id, i + 1, st, h.get("location"), page, d[i].id)
        _, body = get(stack, page)
        assert d[i].id in Posts(body).order, "%s does not show level %d" % (page, i + 1)


def test_states(stack):
    w = world(stack)
    f = w["f"]
    tomb_child = P("tc", w["cy"])
    tomb = P("tomb", w["bo"], [tomb_child], state="deleted", body="secret deleted words")
    held_child = P("hc", w["cy"], body="a visible answer")
    held = P("held", w["bo"], [held_child], state="held", body="held words")
    held_leaf = P("leaf", w["bo"], state="held", body="lonely held words")
    hidden = P("hid", w["bo"], state="hidden", reason="Personal details", body="hidden words")
    root = P("op", w["ann"], [tomb, held, held_leaf, hidden])
    tid = f.thread(w["cat"], "States", root)
    path = "/t/%d" % tid

    _, body = get(stack, path)
    t = Posts(body)
    assert "This post was deleted by its author." in t.text[tomb.id], "tombstone: %r" % t.text.get(tomb.id)
    assert t.parent[tomb_child.id] == tomb.id, "a tombstone keeps its replies under it"
    assert b"secret deleted words" not in body, "a deleted post's text is on the page"
    assert held_leaf.id not in t.order and b"lonely held words" not in body, "a held post shown to anonymous"
    assert held.id in t.order and t.parent[held_child.id] == held.id, "the held post's reply is not nested"
    assert "A post waiting for a moderator" in t.text[held.id], "placeholder: %r" % t.text[held.id]
    assert b"held words" not in body and "flag" not in t.text[held.id].lower(), "held text shown"
    assert "This post was hidden by a moderator." in t.text[hidden.id], "hidden notice: %r" % t.text[hidden.id]
    assert b"hidden words" not in body and b"Personal details" not in body, "hidden text or reason shown"
    for p in (tomb, held, hidden):
        assert "/p/%d/reply" % p.id not in t.links[p.id], "reply link on a %s post" % p.state
    st, _, _ = stack.http("GET", "/p/%d" % held.id)
    assert st == 404, "/p/HELD for anonymous: %d, want 404" % st
    st, _, _ = stack.http("GET", "/p/%d" % hidden.id)
    assert st == 303, "/p/HIDDEN: %d, want 303 (the notice is public)" % st

    # The author sees the held post with a calm note and the hidden reason.
    bo, _ = f.session(w["bo"])
    _, body = get(stack, path, bo)
    t = Posts(body)
    assert "Only you and the moderators can see this post" in t.text[held.id], "author's held note"
    assert "held words" in t.text[held.id] and "lonely held words" in t.text[held_leaf.id], "author's held text"
    assert "Personal details" in t.text[hidden.id] and "hidden words" in t.text[hidden.id], \
        "author sees reason and text: %r" % t.text[hidden.id]
    assert "post-hidden" in t.cls[hidden.id], "hidden text is marked: %r" % t.cls[hidden.id]
    st, h, _ = stack.http("GET", "/p/%d" % held.id, headers={"Cookie": bo})
    assert st == 303, "/p/HELD for its author: %d" % st

    # Another member sees what anonymous readers see.
    cy, _ = f.session(w["cy"])
    _, body = get(stack, path, cy)
    assert b"held words" not in body and b"Personal details" not in body, "held/hidden shown to a member"

    # Moderators see held posts marked, and hidden text with its reason.
    mod, _ = f.session(w["mod"])
    _, body = get(stack, path, mod)
    t = Posts(body)
    assert "held for review" in t.text[held.id] and "held words" in t.text[held.id], "moderator: held"
    assert "Personal details" in t.text[hidden.id], "moderator: hidden reason"
    assert "Only you and the moderators" not in t.text[held.id], "moderator gets the author's note"


def test_thread_states(stack):
    w = world(stack)
    f = w["f"]
    cases = {}
    for state in ("held", "hidden", "deleted"):
        cases[state] = f.thread(w["cat"], "Thread %s" % state, P("o", w["bo"], [P("r", w["cy"])]), state=state)
    bo, _ = f.session(w["bo"])
    cy, _ = f.session(w["cy"])
    mod, _ = f.session(w["mod"])
    want = {  # who may see: anonymous, author, other member, moderator
        "held": (404, 200, 404, 200),
        "hidden": (404, 200, 404, 200),
        "deleted": (404, 404, 404, 200),
    }
    for state, tid in cases.items():
        for cookie, code in zip((None, bo, cy, mod), want[state]):
            st, _, body = stack.http("GET", "/t/%d" % tid, headers={"Cookie": cookie} if cookie else None)
            assert st == code, "%s thread, %s: %d, want %d" % (state, cookie and cookie[:8], st, code)
            one_h1(body, "/t/%d (%s)" % (tid, state))
        st, _, _ = stack.http("GET", "/p/%d" % (int(stack.psql(
            "select max(id) from posts where thread_id = %d" % tid))))
        assert st == 404, "/p/ID in a %s thread for anonymous: %d" % (state, st)
    _, body = get(stack, "/t/%d" % cases["held"], bo)
    assert b"Nothing is wrong" in body, "the author of a held thread gets the calm note"


def test_locked_thread(stack):
    w = world(stack)
    f = w["f"]
    root = P("op", w["ann"], [P("r", w["bo"])])
    tid = f.thread(w["cat"], "Locked", root, locked=True)
    cy, _ = f.session(w["cy"])
    for cookie in (None, cy):
        _, body = get(stack, "/t/%d" % tid, cookie)
        assert b"This thread is locked" in body, "no locked notice"
        assert b"/reply" not in body, "reply links on a locked thread"
        assert b'name="body"' not in body, "a reply form on a locked thread"


def test_logged_in_thread(stack):
    w = world(stack)
    f = w["f"]
    mine = P("mine", w["cy"])
    theirs = P("theirs", w["bo"])
    liked = P("liked", w["bo"])
    root = P("op", w["ann"], [mine, theirs, liked])
    tid = f.thread(w["cat"], "Logged in", root)
    stack.psql("insert into post_support (post_id, user_id, thread_id) "
               "select id, %d, thread_id from posts where id = %d" % (w["cy"], liked.id))
    stack.psql("update posts set support_count = 1 where id = %d" % liked.id)
    cy, csrf = f.session(w["cy"])
    _, body = get(stack, "/t/%d" % tid, cy)
    t = Posts(body)
    assert "/p/%d/edit" % mine.id in t.links[mine.id], "no edit link on my own post"
    assert "/p/%d/edit" % theirs.id not in t.links[theirs.id], "an edit link on someone else's post"
    assert "/p/%d/support" % theirs.id in t.forms[theirs.id], "no support form on another's post"
    assert "/p/%d/support" % mine.id not in t.forms[mine.id], "a support form on my own post"
    assert "I hear you · 1" in t.text[liked.id], "support count: %r" % t.text[liked.id]
    forms = re.findall(rb'<form method="post" action="/p/(\d+)/support">\s*<input type="hidden" name="csrf" '
                       rb'value="([^"]+)">\s*<button type="submit" aria-pressed="(true|false)"', body)
    pressed = {int(p): v for p, _, v in forms}
    assert pressed.get(liked.id) == b"true" and pressed.get(theirs.id) == b"false", "pressed: %r" % pressed
    assert all(c == csrf.encode() for _, c, _ in forms), "support forms carry the session's csrf"
    # The reply form at the bottom.
    m = re.search(rb'<form method="post" action="/p/%d/reply">(.*?)</form>' % root.id, body, re.S)
    assert m, "no reply form posting to /p/%d/reply" % root.id
    form = m.group(1)
    assert b'name="csrf" value="%s"' % csrf.encode() in form, "reply form csrf"
    assert re.search(rb'<label for="([^"]+)">.*?<textarea id="\1" name="body"', form, re.S), "labelled body"
    assert b'name="action" value="preview"' in form and b'name="action" value="post"' in form, "buttons"
    assert not link_with_text(body, "Log in to reply"), "a member is asked to log in"


def test_member_page(stack):
    w = world(stack)
    f = w["f"]
    uid, handle = f.member("Writer")
    kids = [P("w%d" % i, uid, body="Reply number %d <b>bold</b> %s" % (i, "x" * (250 if i == 0 else 0)),
              age=1000 - i) for i in range(35)]
    kids.append(P("wheld", uid, state="held", body="a held reply", age=10))
    root = P("op", w["ann"], kids, age=2000)
    f.thread(w["cat"], "Member posts", root)
    hidden_tid = f.thread(w["cat"], "Hidden of writer", P("hx", uid, body="in a hidden thread"),
                          state="hidden")
    pages = walk_pages(stack, "/u/%s" % handle.lower(), "Older posts")
    assert len(pages) == 2, "36 posts: %d pages" % len(pages)
    seen = []
    for path, body in pages:
        one_h1(body, path, handle)
        seen.extend(int(x) for x in re.findall(rb'<a href="/p/(\d+)"><time', body))
        assert b"Member since" in body, "member since"
    want = [p.id for p in reversed(kids) if p.state == "visible"]
    assert seen == want, "member posts newest first:\n got  %r\n want %r" % (seen, want)
    _, body = pages[-1]
    assert b"&lt;b&gt;bold&lt;/b&gt;" in body and b"<b>bold</b>" not in body, "excerpt is escaped text"
    long = re.search(r"Reply number 0 .*?(x+)(…?)</p>", body.decode(), re.S)
    assert long and len(long.group(1)) < 250 and long.group(2) == "…", "a long excerpt is cut with …"
    assert b"Member posts" in body, "thread title"
    assert b"a held reply" not in pages[0][1], "a held post on a member page for anonymous"
    # The member sees their own held post and their hidden thread's post.
    me, _ = f.session(uid)
    _, body = get(stack, "/u/%s" % handle, me)
    assert b"a held reply" in body and b"in a hidden thread" in body, "own held/hidden posts"
    _, body = get(stack, "/u/%s" % handle)
    assert b"in a hidden thread" not in body, "a hidden thread's post for anonymous (%d)" % hidden_tid
    # Unknown and closed accounts.
    for h in ("nobody_%s" % f.tag, w["gone_h"]):
        st, _, body = stack.http("GET", "/u/%s" % h)
        assert st == 404, "/u/%s: %d, want 404" % (h, st)
        one_h1(body, "/u/%s" % h)


def test_replies_to_me(stack):
    w = world(stack)
    f = w["f"]
    uid, handle = f.member("Asker")
    r1 = P("r1", w["bo"], body="first answer", age=300)
    r2 = P("r2", w["cy"], body="second answer", age=200)
    self_reply = P("self", uid, body="talking to myself", age=100)
    held = P("rh", w["bo"], state="held", body="held answer", age=50)
    deep = P("deep", w["cy"], body="answer to the answer", age=40)
    r1.children.append(deep)
    mine = P("mine", uid, [r1, r2, self_reply, held], age=400)
    f.thread(w["cat"], "Asking", P("op", w["ann"], [mine], age=500))
    st, h, _ = stack.http("GET", "/me/replies")
    assert st == 303 and h.get("location", "").startswith("/login"), "anonymous /me/replies: %d %r" % (
        st, h.get("location"))
    me, _ = f.session(uid)
    _, body = get(stack, "/me/replies", me)
    one_h1(body, "/me/replies")
    ids = [int(x) for x in re.findall(rb'<a href="/p/(\d+)"><time', body)]
    assert ids == [r2.id, r1.id], "replies to me: %r, want %r" % (ids, [r2.id, r1.id])
    assert b"/u/%s" % w["bo_h"].encode() in body and b"Asking" in body, "author and thread title"
    st, _, _ = stack.http("GET", "/me/replies?before=nope", headers={"Cookie": me})
    assert st == 400, "bad cursor on /me/replies: %d" % st


def test_not_found_and_bad_input(stack):
    w = world(stack)
    missing = int(stack.psql("select coalesce(max(id), 0) + 1000 from posts"))
    for path in ("/c/no-such-%s" % w["f"].tag, "/t/%d" % missing, "/t/999999999999", "/p/%d" % missing,
                 "/p/%d/thread" % missing, "/u/nobody_%s" % w["f"].tag):
        st, _, body = stack.http("GET", path)
        assert st == 404, "GET %s: %d, want 404" % (path, st)
        one_h1(body, path)
    tid = w["f"].thread(w["cat"], "Bad input", P("op", w["ann"]))
    bad = ["/c/%s?before=%s" % (w["slug"], urllib.parse.quote(c)) for c in (
        "garbage", "2025-02-30T00:00:00Z,1", "2025-01-01T00:00:00Z,abc", "2025-01-01T00:00:00Z",
        "2025-01-01 00:00:00Z,1", "2025-13-01T00:00:00Z,1", "2025-01-01T00:00:00.Z,1",
        "2025-01-01T24:00:00Z,1", ",1", "2025-01-01T00:00:00Z,99999999999999999999")]
    bad += ["/t/%d?after=%s" % (tid, x) for x in ("x", "-1", "", "1e3", "9" * 30)]
    bad += ["/u/%s?before=zzz" % w["ann_h"], "/p/%d/thread?after=abc" % tid]
    for path in bad:
        st, _, body = stack.http("GET", path)
        assert st == 400, "GET %s: %d, want 400" % (path, st)
        one_h1(body, path)
    ok = "/c/%s?before=%s" % (w["slug"], urllib.parse.quote("2025-01-01T00:00:00.123456Z,5"))
    get(stack, ok)
    get(stack, "/t/%d?after=0" % tid)


def test_pages_have_one_h1(stack):
    w = world(stack)
    tid = w["f"].thread(w["cat"], "Headings", P("op", w["ann"], [P("r", w["bo"])]))
    ann, _ = w["f"].session(w["ann"])
    for path, cookie in (("/c/%s" % w["slug"], None), ("/t/%d" % tid, None), ("/t/%d" % tid, ann),
                         ("/u/%s" % w["ann_h"], None), ("/me/replies", ann)):
        _, body = get(stack, path, cookie)
        one_h1(body, path)
        assert b'<link rel="stylesheet" href="/static/' in body, "%s: not themed" % path
