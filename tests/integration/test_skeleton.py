"""The walking skeleton (issue 2): the home page, its headers, bad input,
the database going away and coming back, and the process supervision."""

import os
import re
import signal
import time
import uuid

from harness import Page, wait_for

STACK_OPTIONS = {"workers": 2}

# Names with markup characters, quotes and non-ASCII: they must come back as
# the same text, escaped, never as markup.
CATEGORIES = [
    ("anxiety", "Anxiety & panic", "Racing thoughts, <panic> attacks and what helps"),
    ("sleep", 'Sleep "and" rest', "Nights that don't end & mornings"),
    ("grief", "Grief \u2014 Trauer \u2014 \u60b2\u3057\u307f", "Loss, in any language"),
]


def add_categories(stack):
    """Adds CATEGORIES once per stack with `hearthctl category add`."""
    if getattr(stack, "skeleton_categories", False):
        return
    for slug, name, desc in CATEGORIES:
        r = stack.hearthctl("category", "add", slug, name, desc)
        assert r.returncode == 0, "category add %s: exit %d: %s" % (slug, r.returncode, r.stderr.strip())
    stack.skeleton_categories = True


def check_security_headers(h, where):
    csp = h.get("content-security-policy")
    assert csp, "%s: no Content-Security-Policy header" % where
    directives = {}
    for part in csp.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0].lower()] = [t.lower() for t in tokens[1:]]
    assert directives.get("default-src") == ["'none'"], \
        "%s: CSP default-src is %r, want 'none' (CSP: %s)" % (where, directives.get("default-src"), csp)
    assert directives.get("frame-ancestors") == ["'none'"], \
        "%s: CSP frame-ancestors is %r, want 'none'" % (where, directives.get("frame-ancestors"))
    # Scripts: only files of this site (the theme's quick exit, issue 13);
    # nothing inline, no eval, no worker.
    assert directives.get("script-src") == ["'self'"], \
        "%s: CSP script-src is %r, want 'self' only" % (where, directives.get("script-src"))
    for d in ("script-src-elem", "script-src-attr", "worker-src", "child-src"):
        if d in directives:
            assert directives[d] == ["'none'"], "%s: CSP allows script: %s %s" % (where, d, directives[d])
    for d, sources in directives.items():
        for s in sources:
            assert s != "*" and "://" not in s and s not in ("http:", "https:", "'unsafe-eval'"), \
                "%s: CSP %s allows %s (no third-party origin, no eval)" % (where, d, s)
    assert h.get("x-content-type-options", "").lower() == "nosniff", \
        "%s: X-Content-Type-Options is %r" % (where, h.get("x-content-type-options"))
    assert h.get("referrer-policy", "").lower() == "no-referrer", \
        "%s: Referrer-Policy is %r" % (where, h.get("referrer-policy"))


def check_themed(body, where):
    page = Page(body)
    sheets = [s for s in page.stylesheets() if s.startswith("/static/")]
    assert sheets, "%s: no <link rel=stylesheet href=/static/...> (links: %r)" % (where, page.stylesheets())
    assert len(page.h1) == 1 and page.h1[0].strip(), "%s: want one non-empty <h1>, got %r" % (where, page.h1)
    return page


def get_ok(stack, path="/"):
    st, h, body = stack.http("GET", path)
    assert st == 200, "GET %s: %d, want 200\n%s" % (path, st, body[:300].decode("utf-8", "replace"))
    return h, body


# ---------------------------------------------------------------- pages

def test_home_lists_categories(stack):
    add_categories(stack)
    h, body = get_ok(stack, "/")
    ctype = h.get("content-type", "")
    assert ctype.startswith("text/html") and "utf-8" in ctype.lower(), "Content-Type %r" % ctype
    page = check_themed(body, "GET /")
    for _, name, _ in CATEGORIES:
        assert name in page.text, "category %r is not in the text of / :\n%s" % (name, page.text[:600])
    assert not [t for t, _ in page.tags if t == "panic"], "a description's <panic> became a tag: not escaped"
    links = [a.get("href", "") for a in page.find("a")]
    for slug, _, _ in CATEGORIES:
        assert any(slug in l for l in links), "no link to category %r among %r" % (slug, links)


def test_security_headers(stack):
    for path in ("/", "/no-such-page-%s" % uuid.uuid4().hex[:8], "/?q=%zz"):
        _, h, _ = stack.http("GET", path)
        check_security_headers(h, "GET " + path)


def test_stylesheet_is_served(stack):
    _, body = get_ok(stack, "/")
    sheet = [s for s in Page(body).stylesheets() if s.startswith("/static/")][0]
    st, h, css = stack.http("GET", sheet)
    assert st == 200, "GET %s: %d" % (sheet, st)
    assert h.get("content-type", "").startswith("text/css"), "%s: Content-Type %r" % (sheet, h.get("content-type"))
    assert len(css) > 0, "%s is empty" % sheet


def test_unknown_url_404(stack):
    for path in ("/no-such-page-%s" % uuid.uuid4().hex[:8], "/c/no/such/deep/path", "/static-not"):
        st, h, body = stack.http("GET", path)
        assert st == 404, "GET %s: %d, want 404" % (path, st)
        assert h.get("content-type", "").startswith("text/html"), "404 Content-Type %r" % h.get("content-type")
        check_themed(body, "404 for " + path)


def test_long_url_414(stack):
    for path in ("/?q=" + "a" * 3000, "/" + "a" * 3000, "/?" + "&".join("k%d=v" % i for i in range(600))):
        st, _, body = stack.http("GET", path)
        assert st == 414, "GET of a %d-byte URL: %d, want 414" % (len(path), st)
    # Just under the limit is not "too long".
    path = "/?q=" + "a" * 1900
    st, _, _ = stack.http("GET", path)
    assert st != 414 and st < 500, "GET of a %d-byte URL: %d, want neither 414 nor 5xx" % (len(path), st)


def test_bad_query_400(stack):
    bad = ["%zz", "%", "%4", "%e9", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "%FF%FE", "a%e9b"]
    for q in bad:
        st, h, _ = stack.http("GET", "/?q=" + q)
        assert st == 400, "GET /?q=%s: %d, want 400" % (q, st)
    for raw in (b"/?q=\xe9", b"/?q=\xc3\x28", b"/?q=\xff"):
        st, _, _ = stack.http("GET", raw)
        assert st == 400, "GET %r (raw bytes): %d, want 400" % (raw, st)
    # Valid escapes and valid UTF-8 are not rejected.
    for q in ("%C3%A9", "caf%C3%A9+au+lait", "%E6%82%B2"):
        st, _, _ = stack.http("GET", "/?q=" + q)
        assert st not in (400, 414) and st < 500, "GET /?q=%s (valid): %d" % (q, st)


def test_head(stack):
    st, gh, gbody = stack.http("GET", "/")
    assert st == 200 and gbody, "GET / %d" % st
    st, hh, hbody = stack.http("HEAD", "/")
    assert st == 200, "HEAD /: %d, want 200" % st
    assert hbody == b"", "HEAD / has a body of %d bytes" % len(hbody)
    assert hh.get("content-type") == gh.get("content-type"), \
        "HEAD Content-Type %r != GET %r" % (hh.get("content-type"), gh.get("content-type"))
    # On the wire: nothing after the header block.
    resp = stack.raw(b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    head, sep, rest = resp.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), "raw HEAD: %r" % head[:80]
    assert sep and rest == b"", "raw HEAD: %d bytes after the headers" % len(rest)


def test_other_methods_405(stack):
    for method in ("DELETE", "PUT", "PATCH", "OPTIONS"):
        st, h, _ = stack.http(method, "/", body=b"" if method != "OPTIONS" else None)
        assert st == 405, "%s /: %d, want 405" % (method, st)
        allow = [m.strip().upper() for m in h.get("allow", "").split(",") if m.strip()]
        assert "GET" in allow and "HEAD" in allow, "%s /: Allow is %r" % (method, h.get("allow"))
        assert method not in allow, "%s /: Allow %r lists the refused method" % (method, h.get("allow"))
    st, _, _ = stack.http("POST", "/", headers={"Content-Type": "application/x-www-form-urlencoded"},
                          body=b"a=b")
    assert st < 500, "POST /: %d" % st


# ---------------------------------------------------------------- the log

def test_request_log_line(stack):
    probe = "/log-probe-%s" % uuid.uuid4().hex[:10]
    st, _, _ = stack.http("GET", probe)
    assert st == 404, "GET %s: %d" % (probe, st)
    get_ok(stack, "/")
    # A prefix such as "hearth-fcgi[123]: " may come first.
    want = re.compile(r"(?:^|\s)GET %s 404 \d+us$" % re.escape(probe), re.M)
    assert wait_for(lambda: want.search(stack.fcgi_log()), 3), \
        "no line 'GET %s 404 NNNus' in the hearth-fcgi log:\n%s" % (probe, stack.fcgi_log()[-1500:])
    assert re.search(r"(?:^|\s)GET / 200 \d+us$", stack.fcgi_log(), re.M), "no 'GET / 200 NNNus' line"


# ---------------------------------------------------------------- hearthctl

def test_migrate_again_is_noop(stack):
    tables = "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
    before = stack.psql(tables)
    assert int(before) > 0, "no tables after migrate"
    r = stack.hearthctl("migrate")
    out = r.stdout + r.stderr
    assert r.returncode == 0, "second migrate: exit %d: %s" % (r.returncode, out.strip())
    assert re.search(r"nothing|up.to.date|no (new |pending )?migrations?|already|0 applied", out, re.I), \
        "second migrate should say nothing was to do; it printed: %r" % out.strip()
    assert stack.psql(tables) == before, "second migrate changed the schema"


def test_category_list(stack):
    add_categories(stack)
    r = stack.hearthctl("category", "list")
    assert r.returncode == 0, "category list: exit %d: %s" % (r.returncode, r.stderr.strip())
    for slug, name, _ in CATEGORIES:
        assert slug in r.stdout and name in r.stdout, "category list lacks %s / %s:\n%s" % (slug, name, r.stdout)
    r = stack.hearthctl("category", "add", "anxiety", "Again", "Same slug")
    assert 0 < r.returncode < 128, "adding a duplicate slug: exit %d (want an error, not a crash)" % r.returncode
    assert r.stderr.strip(), "adding a duplicate slug failed without a message on stderr"


def test_create_admin(stack):
    assert stack.admin_password and len(stack.admin_password) >= 12, \
        "create-admin printed a short password: %r" % stack.admin_password
    r = stack.hearthctl("create-admin", "mod2", "--password-stdin", input="correct horse battery staple\n")
    assert r.returncode == 0, "create-admin --password-stdin: exit %d: %s" % (r.returncode, r.stderr.strip())
    assert "correct horse" not in r.stdout + r.stderr, "create-admin echoed the password it read"
    r = stack.hearthctl("create-admin", "mod2", "--password-stdin", input="another password 123\n")
    assert 0 < r.returncode < 128, "create-admin of an existing handle: exit %d, want an error" % r.returncode


# ---------------------------------------------------------------- the database goes away

def test_postgres_down_503_then_recovers(stack):
    get_ok(stack, "/")
    master = stack.fcgi_pid
    workers = stack.worker_pids()
    stack.stop_postgres()
    try:
        for i in range(6):
            st, h, body = stack.http("GET", "/")
            assert st == 503, "GET / #%d with PostgreSQL stopped: %d, want 503" % (i + 1, st)
        check_themed(body, "503 page")
        check_security_headers(h, "503 page")
        assert stack.fcgi_alive() and stack.fcgi_pid == master, "hearth-fcgi died while PostgreSQL was down"
        assert stack.worker_pids() == workers, \
            "workers were replaced while PostgreSQL was down (crashed?): %r -> %r" % (workers, stack.worker_pids())
    finally:
        stack.start_postgres()
    t0 = time.monotonic()
    ok = wait_for(lambda: stack.http("GET", "/")[0] == 200, 10, 0.2)
    assert ok, "/ is not 200 within 10 s of PostgreSQL coming back (last: %d)" % stack.http("GET", "/")[0]
    # Every worker has reconnected, not only one.
    for _ in range(8):
        st, _, _ = stack.http("GET", "/")
        assert st == 200, "GET / after recovery (%.1f s): %d" % (time.monotonic() - t0, st)
    assert stack.fcgi_pid == master and stack.fcgi_alive(), "hearth-fcgi was restarted"


# ---------------------------------------------------------------- supervision

def test_killed_worker_is_restarted(stack):
    before = stack.worker_pids()
    assert len(before) == STACK_OPTIONS["workers"], "want %d workers, the master has children %r" % (
        STACK_OPTIONS["workers"], before)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    now = wait_for(lambda: (lambda p: p if len(p) == len(before) and victim not in p else None)(
        stack.worker_pids()), 10)
    assert now, "the master did not replace killed worker %d within 10 s (children: %r)" % (
        victim, stack.worker_pids())
    for _ in range(10):
        get_ok(stack, "/")
    assert stack.fcgi_alive(), "the master died"


def test_sighup_keeps_serving(stack):
    before = stack.worker_pids()
    os.kill(stack.fcgi_pid, signal.SIGHUP)
    end = time.monotonic() + 2
    n = 0
    while time.monotonic() < end:
        st, _, _ = stack.http("GET", "/")
        assert st == 200, "GET / during SIGHUP reload (request %d): %d" % (n + 1, st)
        n += 1
    assert stack.fcgi_alive(), "the master died on SIGHUP"
    replaced = wait_for(lambda: not (stack.worker_pids() & before) and
                        len(stack.worker_pids()) == len(before), 10)
    assert replaced, "SIGHUP did not replace the workers: %r -> %r" % (before, stack.worker_pids())
    get_ok(stack, "/")


def test_sigterm_exits_zero(stack):
    rc = stack.restart_fcgi()
    assert rc == 0, "hearth-fcgi exited with %r on SIGTERM, want 0" % rc
    get_ok(stack, "/")
