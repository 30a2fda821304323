"""A small HTTP client for tests that act as a member (stdlib only).

    from client import Client, csrf_from, parse, find_all, text_by_id

    c = Client(stack)                      # a cookie jar over stack.http
    c.register("amber_fox", "a long enough password")
    st, location, html = c.new_thread("support", "Title", "Body")
    post_id = post_id_from(location, html)
    st, location, html = c.reply(post_id, "A reply")

Forms go out as application/x-www-form-urlencoded, exactly as a browser
sends them (UTF-8, percent-encoded, space as "+"). A field value may be
bytes (sent as they are, e.g. invalid UTF-8) or a str. Pass `raw_body` to
send a form body byte for byte (broken escapes, %00, ...).

HTML helpers parse with html.parser into a small tree (Node): find_all(),
element_by_id(), elements_by_class(), text_by_id(), texts_by_class(). Text
comes back with character references decoded and whitespace untouched.
"""

import html.parser
import re
import urllib.parse
import uuid

# ---------------------------------------------------------------- HTML

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
        "param", "source", "track", "wbr"}


class Node:
    """An element: tag (lower case), attrs (dict; a repeated attribute keeps
    its first value), attr_list (every (name, value) as parsed), children
    (Nodes and str), parent."""

    __slots__ = ("tag", "attrs", "attr_list", "children", "parent", "line")

    def __init__(self, tag, attr_list=(), parent=None, line=0):
        self.tag, self.parent, self.line = tag, parent, line
        self.attr_list = [(k, "" if v is None else v) for k, v in attr_list]
        self.attrs = {}
        for k, v in self.attr_list:
            self.attrs.setdefault(k, v)
        self.children = []

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    def text(self):
        """All descendant text, in order, untouched (no whitespace folding)."""
        out = []
        stack = [self]
        while stack:
            n = stack.pop()
            if isinstance(n, str):
                out.append(n)
            else:
                stack.extend(reversed(n.children))
        return "".join(out)

    def iter(self):
        """This element and every descendant element, in document order."""
        stack = [self]
        while stack:
            n = stack.pop()
            if isinstance(n, Node):
                yield n
                stack.extend(reversed([c for c in n.children if isinstance(c, Node)]))

    def find_all(self, tag=None, **attrs):
        """Descendant elements (and this one) named tag (None: any) whose
        attributes include attrs (class_="x" matches one class among many)."""
        out = []
        for n in self.iter():
            if tag is not None and n.tag != tag:
                continue
            ok = True
            for k, v in attrs.items():
                k = k.rstrip("_").replace("_", "-") if k != "class_" else "class"
                if k == "class":
                    if v not in (n.attrs.get("class") or "").split():
                        ok = False
                elif n.attrs.get(k) != v:
                    ok = False
            if ok:
                out.append(n)
        return out

    def find(self, tag=None, **attrs):
        r = self.find_all(tag, **attrs)
        return r[0] if r else None

    def ancestors(self):
        n = self.parent
        while n is not None:
            yield n
            n = n.parent

    def __repr__(self):
        return "<%s %r>" % (self.tag, self.attrs)


class _TreeBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Document("#document")
        self.cur = self.root
        self.all = []          # every element, document order

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur, self.getpos()[0])
        self.cur.children.append(n)
        self.all.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        n = Node(tag, attrs, self.cur, self.getpos()[0])
        self.cur.children.append(n)
        self.all.append(n)

    def handle_endtag(self, tag):
        # Close up to the matching open element; a stray end tag is ignored.
        n = self.cur
        while n is not None and n is not self.root:
            if n.tag == tag:
                self.cur = n.parent
                return
            n = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


class Document(Node):
    """A parsed page: the root Node plus `elements` (every element of the
    page in document order) and `parse_error` (None, or why html.parser
    stopped: markup no page of ours holds)."""

    __slots__ = ("elements", "parse_error")


def parse(body):
    """Parses HTML (bytes are decoded as UTF-8, invalid bytes replaced)."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    b = _TreeBuilder()
    b.root.parse_error = None
    try:
        b.feed(body)
        b.close()
    except AssertionError as e:   # html.parser gives up on e.g. "<![><img"
        b.root.parse_error = "html.parser gave up: %s" % e
    b.root.elements = b.all
    return b.root


def _doc(html_or_doc):
    return html_or_doc if isinstance(html_or_doc, Node) else parse(html_or_doc)


def find_all(html_or_doc, tag=None, **attrs):
    """Every element named tag (None: any) with attrs (see Node.find_all)."""
    return _doc(html_or_doc).find_all(tag, **attrs)


def element_by_id(html_or_doc, ident):
    for n in _doc(html_or_doc).iter():
        if n.attrs.get("id") == ident:
            return n
    return None


def elements_by_class(html_or_doc, cls):
    return _doc(html_or_doc).find_all(None, class_=cls)


def text_by_id(html_or_doc, ident):
    """The text of the element with that id, or None."""
    n = element_by_id(html_or_doc, ident)
    return None if n is None else n.text()


def texts_by_class(html_or_doc, cls):
    """The text of every element that has the class cls."""
    return [n.text() for n in elements_by_class(html_or_doc, cls)]


def texts(html_or_doc, tag):
    """The text of every element named tag (e.g. "h1", "title")."""
    return [n.text() for n in _doc(html_or_doc).find_all(tag)]


def csrf_from(html_or_doc):
    """The value of the first hidden csrf field of a page, or None."""
    for n in _doc(html_or_doc).find_all("input"):
        if n.attrs.get("name") == "csrf" and n.attrs.get("value"):
            return n.attrs["value"]
    return None


def form_value(html_or_doc, name):
    """What a form holds for field `name`: an input's value or a textarea's
    text (a browser drops one newline right after <textarea>). None if the
    field is missing."""
    doc = _doc(html_or_doc)
    for n in doc.iter():
        if n.attrs.get("name") != name:
            continue
        if n.tag == "textarea":
            t = n.text()
            if t.startswith("\r\n"):
                t = t[2:]
            elif t.startswith("\n"):
                t = t[1:]
            return t
        if n.tag in ("input", "select"):
            return n.attrs.get("value", "")
    return None


def post_id_from(location=None, html=None):
    """The post id a write went to: from a Location /p/ID[...] or from the
    "go to your post" link of the page shown after a held/crisis post."""
    if location:
        m = re.search(r"/p/(\d+)", location)
        if m:
            return int(m.group(1))
    if html:
        for a in find_all(html, "a"):
            m = re.fullmatch(r"/p/(\d+)", a.attrs.get("href", ""))
            if m:
                return int(m.group(1))
    return None


def _text(data):
    """The body as str when it is valid UTF-8, else the bytes themselves (so
    that markup_problems() can report them)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


# ---------------------------------------------------------------- forms

def _enc(v):
    if isinstance(v, bytes):
        return urllib.parse.quote_plus(v, safe="")
    return urllib.parse.quote_plus(str(v).encode("utf-8", "surrogatepass"), safe="")


def urlencode(fields):
    """fields: a dict or a list of (name, value); None values are left out."""
    items = fields.items() if isinstance(fields, dict) else fields
    return "&".join("%s=%s" % (_enc(k), _enc(v)) for k, v in items if v is not None).encode("ascii")


FORM = "application/x-www-form-urlencoded"


# ---------------------------------------------------------------- client

class Client:
    """A member (or an anonymous visitor) with a cookie jar.

    Attributes: stack, cookies (name -> value), handle, password, csrf
    (the last token seen in a page's hidden csrf field), last (status,
    headers, body of the last answer)."""

    def __init__(self, stack):
        self.stack = stack
        self.cookies = {}
        self.handle = self.password = self.csrf = None
        self.last = None

    def clone(self):
        """Another client with a copy of our cookies (the same session), for
        use from another thread."""
        c = Client(self.stack)
        c.cookies = dict(self.cookies)
        c.handle, c.password, c.csrf = self.handle, self.password, self.csrf
        return c

    # -- plumbing ---------------------------------------------------------

    def _store_cookies(self, headers):
        for sc in headers.get_all("set-cookie"):
            first = sc.split(";", 1)[0]
            if "=" not in first:
                continue
            name, value = first.split("=", 1)
            name = name.strip()
            attrs = sc.lower()
            if value == "" or re.search(r";\s*max-age=0\b", attrs) or "expires=thu, 01 jan 1970" in attrs:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def request(self, method, path, form=None, raw_body=None, headers=None, content_type=FORM):
        """One request with our cookies: (status, Headers, body bytes). form
        is urlencoded (see urlencode); raw_body goes out untouched. Set-Cookie
        answers update the jar; a hidden csrf field seen is remembered."""
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = raw_body if raw_body is not None else (urlencode(form) if form is not None else None)
        if body is not None and content_type and "Content-Type" not in h:
            h["Content-Type"] = content_type
        st, hd, data = self.stack.http(method, path, headers=h, body=body)
        self._store_cookies(hd)
        if hd.get("content-type", "").startswith("text/html") and b'name="csrf"' in data:
            tok = csrf_from(data)
            if tok:
                self.csrf = tok
        self.last = (st, hd, data)
        return st, hd, data

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields, with_csrf=True):
        """POSTs fields; adds our csrf token unless with_csrf is False or
        fields already have one."""
        fields = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if with_csrf and not any(k == "csrf" for k, _ in fields):
            if self.csrf is None:
                self.refresh_csrf()
            fields.append(("csrf", self.csrf))
        return self.request("POST", path, form=fields)

    def refresh_csrf(self, path=None):
        """Loads a page with a csrf field (/ when logged in, /register
        before) and remembers the token."""
        p = path or ("/" if self.logged_in() else "/register")
        st, _, body = self.get(p)
        tok = csrf_from(body)
        assert tok, "GET %s (%d): no hidden csrf field in the page" % (p, st)
        self.csrf = tok
        return tok

    def logged_in(self):
        return "hs" in self.cookies

    # -- accounts ---------------------------------------------------------

    def register(self, handle, password="correct horse battery staple", confirm=None):
        """GET /register (pre-session cookie hc + csrf) then POST it.
        Returns (status, headers, body); on 303 we are logged in."""
        if not self.logged_in():
            st, _, body = self.get("/register")
            tok = csrf_from(body)
            if tok:
                self.csrf = tok
        st, hd, body = self.request("POST", "/register", form=[
            ("handle", handle), ("password", password),
            ("confirm", password if confirm is None else confirm), ("csrf", self.csrf)])
        if st == 303:
            self.handle, self.password = handle, password
            self.csrf = None
            self.refresh_csrf("/")
        return st, hd, body

    def login(self, handle, password):
        st, _, body = self.get("/login")
        tok = csrf_from(body)
        if tok:
            self.csrf = tok
        st, hd, body = self.request("POST", "/login", form=[
            ("handle", handle), ("password", password), ("csrf", self.csrf)])
        if st == 303:
            self.handle, self.password = handle, password
            self.csrf = None
            self.refresh_csrf("/")
        return st, hd, body

    # -- writing ----------------------------------------------------------

    def _write(self, path, fields, csrf, action, ack_nudge):
        fields = list(fields) + [("action", action)]
        if csrf is True:
            st, hd, data = self.post(path, fields)
        else:
            if isinstance(csrf, (str, bytes)):
                fields.append(("csrf", csrf))
            st, hd, data = self.request("POST", path, form=fields)
        # A wording nudge comes back as the form (200) with nudge_ack: the
        # member decides to post as it is.
        if (ack_nudge and action == "post" and st == 200 and b'name="nudge_ack"' in data
                and not any(k == "nudge_ack" for k, _ in fields)):
            return self._write(path, [f for f in fields if f[0] != "action"] + [("nudge_ack", "1")],
                               csrf if csrf is not True else True, action, False)
        return st, hd.get("location"), _text(data)

    def new_thread(self, slug, title, body, action="post", csrf=True, ack_nudge=True):
        """POST /c/SLUG/new: (status, Location or None, body text; bytes if
        the answer is not valid UTF-8). csrf=True
        sends our token, False none, a str that token. A wording nudge is
        acknowledged (posted as it is) unless ack_nudge is False."""
        return self._write("/c/%s/new" % slug, [("title", title), ("body", body)], csrf, action, ack_nudge)

    def reply(self, post_id, body, action="post", csrf=True, ack_nudge=True):
        """POST /p/ID/reply: (status, Location or None, body text)."""
        return self._write("/p/%s/reply" % post_id, [("body", body)], csrf, action, ack_nudge)

    def edit(self, post_id, body, title=None, action="post", csrf=True, ack_nudge=True):
        """POST /p/ID/edit: (status, Location or None, body text)."""
        fields = ([("title", title)] if title is not None else []) + [("body", body)]
        return self._write("/p/%s/edit" % post_id, fields, csrf, action, ack_nudge)


# ---------------------------------------------------------------- hostile markup

URL_ATTRS = frozenset((
    "href", "src", "action", "formaction", "background", "dynsrc", "lowsrc", "data", "poster",
    "cite", "longdesc", "codebase", "classid", "archive", "usemap", "profile", "manifest", "icon",
    "ping", "xlink:href", "srcset", "imagesrcset", "itemtype", "code", "datasrc", "xml:base",
    "from", "to", "values", "by", "attributename"))
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
# Elements a page of ours never holds (the theme has none; the sanitizer
# must let none through).
BAD_ELEMENTS = frozenset((
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg", "math",
    "style", "xss", "import", "portal", "fencedframe"))
_CTRL_WS = re.compile(r"[\x00-\x20\x7f]+")


def new_member(stack, prefix, password="correct horse battery staple"):
    """A logged-in Client for a newly registered member "PREFIX_xxxxxx" (at most 30 characters),
    with .handle and .user_id set; fails the test when registration is refused."""
    c = Client(stack)
    handle = ("%s_%s" % (prefix, uuid.uuid4().hex[:6]))[:30]
    st, _, body = c.register(handle, password)
    assert st == 303, "register %s: %d %s" % (handle, st, message_of(body))
    c.user_id = int(stack.psql("select id from users where handle = '%s'" % handle).strip())
    return c


def url_is_dangerous(value):
    """True when a URL attribute value runs script or embeds data: after
    removing whitespace and control characters (anywhere: browsers drop
    tabs and newlines inside URLs and trim the rest), lowercased."""
    v = _CTRL_WS.sub("", value or "").lower()
    return v.startswith(BAD_SCHEMES)


# The theme's one script (layout.html, the quick exit): a file of this
# site, nothing inline. Any other script element, or this one with content or
# other attributes, or outside the site header, is still a problem.
THEME_SCRIPT = "/static/quick-exit.js"


def theme_script(n):
    if n.tag != "script" or n.attrs.get("src") != THEME_SCRIPT:
        return False
    if any(k not in ("src", "defer") for k, _ in n.attr_list) or n.text().strip():
        return False
    return any(a.tag == "header" and "site" in (a.get("class") or "").split() for a in n.ancestors())


THEME_FEED_HREF = re.compile(r"/(?:feed\.atom|c/[a-z0-9_-]+/feed\.atom|t/[0-9]+/feed\.atom)")


def theme_feed_link(n):
    """The head's link to the page's own Atom feed (layout.html, fcgi/page_feed.c):
    exactly its attributes, a local feed address, inside <head>."""
    if n.tag != "link" or sorted(k for k, _ in n.attr_list) != ["href", "rel", "title", "type"]:
        return False
    if (n.attrs.get("rel"), n.attrs.get("type"), n.attrs.get("title")) != \
            ("alternate", "application/atom+xml", "Atom feed"):
        return False
    if not THEME_FEED_HREF.fullmatch(n.attrs.get("href", "")):
        return False
    return any(a.tag == "head" for a in n.ancestors())


def markup_problems(body, max_items=10):
    """What makes a page unsafe, found by PARSING it (html.parser): a list
    of short descriptions, empty when the page is clean. Looks for: bytes
    that are not UTF-8; script (but the theme's own, see theme_script) and
    other active elements; attributes whose
    name starts with "on"; javascript:, vbscript:, data: or livescript: in a
    URL attribute (srcset candidates too); script in a style attribute;
    <meta http-equiv>; <link> other than our /static/ stylesheet and the
    head's link to the page's feed (theme_feed_link); a form
    whose action leaves the site."""
    problems = []
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as e:
            problems.append("not valid UTF-8: %s (bytes %r)" % (e.reason, body[max(0, e.start - 20):e.end + 20]))
            text = body.decode("utf-8", "replace")
    else:
        text = body
    doc = parse(text)
    if doc.parse_error:
        problems.append(doc.parse_error)
    for n in doc.elements:
        where = "line %d <%s>" % (n.line, n.tag)
        tag = n.tag.split(":")[-1]
        if tag in BAD_ELEMENTS and not theme_script(n):
            problems.append("%s: a %s element" % (where, tag))
        if tag == "meta" and any(k == "http-equiv" for k, _ in n.attr_list):
            problems.append("%s: meta http-equiv=%r" % (where, n.attrs.get("http-equiv")))
        if tag == "link" and not ("stylesheet" in n.attrs.get("rel", "").split()
                                  and n.attrs.get("href", "").startswith("/static/")) \
                and not theme_feed_link(n):
            problems.append("%s: a link element %r" % (where, n.attrs))
        if tag == "form":
            act = _CTRL_WS.sub("", n.attrs.get("action", ""))
            if act and (not act.startswith("/") or act.startswith("//") or act.startswith("/\\")):
                problems.append("%s: a form posting to %r" % (where, n.attrs.get("action")))
        for k, v in n.attr_list:
            k = k.lower()
            if k.startswith("on"):
                problems.append("%s: event-handler attribute %s=%r" % (where, k, v[:80]))
            name = k.split(":")[-1] if k != "xlink:href" else k
            if k in URL_ATTRS or name in URL_ATTRS:
                values = [v]
                if name in ("srcset", "imagesrcset"):
                    values = [c.strip().split(" ")[0] for c in v.split(",")]
                for u in values:
                    if url_is_dangerous(u):
                        problems.append("%s: %s=%r" % (where, k, v[:120]))
            if k == "style":
                s = _CTRL_WS.sub("", v).lower()
                if any(x in s for x in ("javascript:", "vbscript:", "expression(", "-moz-binding",
                                        "behavior:", "url(data:")):
                    problems.append("%s: style=%r" % (where, v[:120]))
        if len(problems) >= max_items:
            break
    return problems


def message_of(html_or_doc):
    """What a refusal says: the form's alert (role=alert / .form-error),
    else the text of an error page's <section class=error>, else the h1."""
    doc = _doc(html_or_doc)
    for n in doc.iter():
        if n.attrs.get("role") == "alert" or "form-error" in (n.attrs.get("class") or "").split():
            return " ".join(n.text().split())
    sec = doc.find("section", class_="error")
    if sec is not None:
        return " ".join(sec.text().split())
    h = doc.find("h1")
    return " ".join(h.text().split()) if h is not None else ""
