"""The home page (fcgi/page_home.c): threads waiting for a first reply,
oldest first; the latest threads across categories; categories with correct
plurals; times shown as "3 hours ago" with the exact moment in
<time datetime>; never a held, hidden or deleted thread."""

import re

from client import Client, parse, post_id_from

BODY = "Some days are heavy and I wanted to write it down somewhere kind."


def _thread(stack, c, slug, title):
    st, loc, html = c.new_thread(slug, title, BODY)
    assert st in (200, 303), "new thread %r: %d" % (title, st)
    pid = int(post_id_from(loc, html))
    tid = int(stack.psql("select thread_id from posts where id = %d" % pid).strip())
    return tid, pid


def _home(stack):
    st, _, body = stack.http("GET", "/")
    assert st == 200, "GET /: %d" % st
    return parse(body.decode("utf-8"))


def _section_titles(doc, cls):
    sec = doc.find("section", class_=cls)
    return [a.text() for a in sec.find_all("a") if (a.get("href") or "").startswith("/t/")] if sec else []


def _setup(stack):
    if getattr(stack, "_home_setup", None):
        return stack._home_setup
    stack.hearthctl("category", "add", "home-one", "Home one", "")
    stack.hearthctl("category", "add", "home-two", "Home two", "")
    stack.hearthctl("category", "add", "home-none", "Home none", "")
    c = Client(stack)
    st, _, _ = c.register("home_writer")
    assert st == 303, "register: %d" % st
    t = {}
    for name, slug in (("older wait", "home-one"), ("newer wait", "home-two"),
                       ("answered", "home-one"), ("held one", "home-two"),
                       ("hidden one", "home-two"), ("deleted one", "home-two")):
        t[name] = _thread(stack, c, slug, "Home %s thread" % name)
    st, _, _ = c.reply(t["answered"][1], "You are not alone in this, I hear you.")
    assert st in (200, 303), "reply: %d" % st
    stack.psql("update threads set created_at = now() - interval '3 hours', "
               "last_post_at = now() - interval '3 hours' where id = %d" % t["older wait"][0])
    stack.psql("update threads set created_at = now() - interval '2 hours', "
               "last_post_at = now() - interval '2 hours' where id = %d" % t["newer wait"][0])
    for name, state in (("held one", "held"), ("hidden one", "hidden"), ("deleted one", "deleted")):
        stack.psql("update threads set state = '%s' where id = %d" % (state, t[name][0]))
    stack._home_setup = t
    return t


def test_waiting_for_first_reply_oldest_first(stack):
    _setup(stack)
    waiting = _section_titles(_home(stack), "home-waiting")
    assert waiting[:2] == ["Home older wait thread", "Home newer wait thread"], \
        "waiting list, oldest first: %r" % waiting
    assert "Home answered thread" not in waiting, "a replied thread is still waiting: %r" % waiting


def test_latest_threads_across_categories(stack):
    _setup(stack)
    doc = _home(stack)
    latest = _section_titles(doc, "home-latest")
    assert latest[:3] == ["Home answered thread", "Home newer wait thread", "Home older wait thread"], \
        "latest threads by last activity: %r" % latest
    text = doc.find("section", class_="home-latest").text()
    assert "in Home one" in text and "in Home two" in text, "categories not named: %r" % text
    assert "1 reply" in text and "1 replies" not in text, "reply count: %r" % text


def test_never_a_held_hidden_or_deleted_thread(stack):
    _setup(stack)
    for who in ("anonymous", "author", "moderator"):
        if who == "anonymous":
            st, _, body = stack.http("GET", "/")
            html = body.decode("utf-8")
        else:
            c = Client(stack)
            if who == "author":
                st, _, _ = c.login("home_writer", "correct horse battery staple")
            else:
                st, _, _ = c.login(stack.admin, stack.admin_password)
            assert st == 303, "log in as %s: %d" % (who, st)
            st, _, body = c.get("/")
            html = body.decode("utf-8") if isinstance(body, bytes) else body
        assert st == 200, "GET / as %s: %d" % (who, st)
        for name in ("held one", "hidden one", "deleted one"):
            assert ("Home %s thread" % name) not in html, \
                "the %s thread is on the home page for the %s" % (name, who)


def test_human_times_with_exact_time_element(stack):
    _setup(stack)
    doc = _home(stack)
    sec = doc.find("section", class_="home-waiting")
    times = sec.find_all("time")
    assert times, "no <time> in the waiting list"
    first = times[0]
    assert first.text() == "3 hours ago", "the oldest waiting thread says %r" % first.text()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first.get("datetime") or ""), \
        "datetime attribute %r" % first.get("datetime")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", first.get("title") or ""), \
        "exact time in title %r" % first.get("title")
    page_text = doc.text()
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", page_text), \
        "a raw timestamp is shown as text: %r" % re.search(r".{30}\d{4}-\d\d-\d\dT.{20}", page_text)
    for li in doc.find("ul", class_="categories").find_all("li"):
        for t in li.find_all("time"):
            assert re.fullmatch(r"just now|\d+ (minute|hour|day)s? ago|1 (minute|hour|day) ago|on .+",
                                t.text()), "category time %r" % t.text()


def test_plurals_in_category_counts(stack):
    _setup(stack)
    doc = _home(stack)
    metas = {}
    for li in doc.find("ul", class_="categories").find_all("li"):
        name = li.find("h3").text().strip()
        metas[name] = " ".join(li.find("p", class_="meta").text().split())
    assert metas.get("Home none", "").startswith("0 threads · 0 posts"), metas.get("Home none")
    one = stack.psql("select thread_count from categories where slug = 'home-one'").strip()
    assert metas["Home one"].startswith("%s threads" % one), metas["Home one"]
    stack.hearthctl("category", "add", "home-single", "Home single", "")
    c = Client(stack)
    st, _, _ = c.login("home_writer", "correct horse battery staple")
    assert st == 303, "log in: %d" % st
    _thread(stack, c, "home-single", "Home single thread")
    doc = _home(stack)
    for li in doc.find("ul", class_="categories").find_all("li"):
        if li.find("h3").text().strip() == "Home single":
            meta = " ".join(li.find("p", class_="meta").text().split())
            assert meta.startswith("1 thread · 1 post"), "one thread, one post: %r" % meta
            assert "1 threads" not in meta and "1 posts" not in meta, meta
            break
    else:
        raise AssertionError("category Home single not on the home page")
