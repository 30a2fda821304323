"""Atom feeds (fcgi/page_feed.c): /feed.atom, /c/SLUG/feed.atom,
/t/ID/feed.atom are valid Atom (RFC 4287) that xml.etree parses, with the
required elements; a feed is public (the anonymous reader's view, whoever
asks): never a held, hidden or deleted post or thread; hostile titles and
bodies come out escaped; the home, category and thread pages link their
feed in the head."""

import xml.etree.ElementTree as ET

from client import Client, parse, post_id_from

ATOM = "{http://www.w3.org/2005/Atom}"
BODY = "Writing this down helps a little, thank you for reading it."
HOSTILE_TITLE = 'Feeds <script>alert("t")</script> & ]]> \'quoted\' thread'
HOSTILE_BODY = 'Some **bold** text <img src=x onerror="alert(1)"> & <b>tags</b> "quotes" ]]>'


def _thread(stack, c, slug, title, body=BODY):
    st, loc, html = c.new_thread(slug, title, body)
    assert st in (200, 303), "new thread %r: %d" % (title, st)
    pid = int(post_id_from(loc, html))
    tid = int(stack.psql("select thread_id from posts where id = %d" % pid).strip())
    return tid, pid


def _reply(c, pid, body):
    st, loc, html = c.reply(pid, body)
    assert st in (200, 303), "reply %r: %d" % (body, st)
    return int(post_id_from(loc, html))


def _setup(stack):
    if getattr(stack, "_feeds_setup", None):
        return stack._feeds_setup
    stack.hearthctl("category", "add", "feeds-one", "Feeds one", "")
    c = Client(stack)
    st, _, _ = c.register("feed_writer")
    assert st == 303, "register: %d" % st
    s = {"client": c}
    s["open"] = _thread(stack, c, "feeds-one", "Feeds open thread")
    s["visible_reply"] = _reply(c, s["open"][1], "A visible reply FEEDVISIBLEWORD for everyone.")
    s["held_reply"] = _reply(c, s["open"][1], "A reply FEEDHELDWORD waiting for a moderator.")
    s["hidden_reply"] = _reply(c, s["open"][1], "A reply FEEDHIDDENWORD a moderator hid.")
    s["deleted_reply"] = _reply(c, s["open"][1], "A reply FEEDDELETEDWORD its author deleted.")
    s["warned_reply"] = _reply(c, s["open"][1], "A reply FEEDWARNEDWORD behind a content warning.")
    s["held_thread"] = _thread(stack, c, "feeds-one", "Feeds FEEDHELDTITLE thread")
    s["hidden_thread"] = _thread(stack, c, "feeds-one", "Feeds FEEDHIDDENTITLE thread")
    s["hostile"] = _thread(stack, c, "feeds-one", HOSTILE_TITLE, HOSTILE_BODY)
    stack.psql("update posts set state = 'held' where id = %d" % s["held_reply"])
    stack.psql("update posts set state = 'hidden', hide_reason = 'x' where id = %d" % s["hidden_reply"])
    stack.psql("update posts set state = 'deleted' where id = %d" % s["deleted_reply"])
    stack.psql("update posts set content_warning = 'FEEDWARNING self-harm' where id = %d" % s["warned_reply"])
    for name, state in (("held_thread", "held"), ("hidden_thread", "hidden")):
        stack.psql("update threads set state = '%s' where id = %d" % (state, s[name][0]))
        stack.psql("update posts set state = '%s' where id = %d" % (state, s[name][1]))
    stack._feeds_setup = s
    return s


def _feed(stack, path, client=None):
    st, hd, body = (client.get(path) if client else stack.http("GET", path))
    assert st == 200, "GET %s: %d %r" % (path, st, body[:300])
    ct = hd.get("content-type", "")
    assert ct == "application/atom+xml; charset=utf-8", "GET %s: Content-Type %r" % (path, ct)
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise AssertionError("GET %s is not well-formed XML (%s): %r" % (path, e, body[:500]))
    return root, body


def _text(el, tag):
    child = el.find(ATOM + tag)
    assert child is not None, "<%s> has no <%s>: %r" % (el.tag, tag, ET.tostring(el)[:300])
    return child.text or ""


def _entries(root):
    return root.findall(ATOM + "entry")


def _paths(stack, s):
    return ["/feed.atom", "/c/feeds-one/feed.atom", "/t/%d/feed.atom" % s["open"][0],
            "/t/%d/feed.atom" % s["hostile"][0]]


def test_feeds_are_valid_atom_with_the_required_elements(stack):
    s = _setup(stack)
    for path in _paths(stack, s):
        root, _ = _feed(stack, path)
        assert root.tag == ATOM + "feed", "%s: root element %r" % (path, root.tag)
        for tag in ("id", "title", "updated"):
            assert _text(root, tag).strip(), "%s: empty feed <%s>" % (path, tag)
        assert _text(root, "updated").endswith("Z") and "T" in _text(root, "updated"), \
            "%s: feed <updated> not an RFC 3339 time: %r" % (path, _text(root, "updated"))
        rels = {l.get("rel"): l.get("href") for l in root.findall(ATOM + "link")}
        assert rels.get("self", "").endswith(path), "%s: self link %r" % (path, rels)
        entries = _entries(root)
        assert entries, "%s: no entries" % path
        for e in entries:
            for tag in ("id", "title", "updated"):
                assert _text(e, tag).strip(), "%s: entry without <%s>: %r" % (path, tag, ET.tostring(e)[:300])
            link = e.find(ATOM + "link")
            assert link is not None and link.get("href", "").startswith("http"), \
                "%s: entry link %r" % (path, ET.tostring(e)[:300])
            content = e.find(ATOM + "content")
            assert content is not None and content.get("type") == "html", \
                "%s: entry content %r" % (path, ET.tostring(e)[:300])
            author = e.find(ATOM + "author")
            assert author is not None and _text(author, "name") == "feed_writer", \
                "%s: entry author %r" % (path, ET.tostring(e)[:300])


def test_feeds_list_what_they_should(stack):
    s = _setup(stack)
    root, _ = _feed(stack, "/feed.atom")
    titles = [_text(e, "title") for e in _entries(root)]
    assert "Feeds open thread" in titles and HOSTILE_TITLE in titles, "site feed titles: %r" % titles
    root, _ = _feed(stack, "/t/%d/feed.atom" % s["open"][0])
    hrefs = [e.find(ATOM + "link").get("href") for e in _entries(root)]
    assert any(h.endswith("/p/%d" % s["visible_reply"]) for h in hrefs), "thread feed links: %r" % hrefs
    assert any(h.endswith("/p/%d" % s["open"][1]) for h in hrefs), "opening post missing: %r" % hrefs
    contents = " ".join(e.find(ATOM + "content").text or "" for e in _entries(root))
    assert "FEEDVISIBLEWORD" in contents, "visible reply's text missing: %r" % contents[:500]


def test_held_hidden_deleted_never_appear(stack):
    s = _setup(stack)
    author = s["client"]
    secrets = (b"FEEDHELDWORD", b"FEEDHIDDENWORD", b"FEEDDELETEDWORD", b"FEEDHELDTITLE", b"FEEDHIDDENTITLE")
    # The author may read their own held and hidden posts on the pages, but
    # a feed is public: the same bytes for them as for anyone.
    for who in (None, author):
        for path in _paths(stack, s):
            _, body = _feed(stack, path, who)
            for word in secrets:
                assert word not in body, "%s (%s) shows %r" % (path, "author" if who else "anonymous", word)
        for name in ("held_thread", "hidden_thread"):
            path = "/t/%d/feed.atom" % s[name][0]
            st, _, body = who.get(path) if who else stack.http("GET", path)
            assert st == 404, "%s of a %s: %d" % (path, name, st)
            for word in secrets:
                assert word not in body, "404 of %s shows %r" % (path, word)
    st, _, _ = stack.http("GET", "/c/no-such-feeds/feed.atom")
    assert st == 404, "feed of a missing category: %d" % st
    st, _, _ = stack.http("GET", "/t/999999999/feed.atom")
    assert st == 404, "feed of a missing thread: %d" % st


def test_content_warning_keeps_the_body_out(stack):
    s = _setup(stack)
    root, body = _feed(stack, "/t/%d/feed.atom" % s["open"][0])
    assert b"FEEDWARNEDWORD" not in body, "a warned post's text is in the feed"
    warned = [e for e in _entries(root) if e.find(ATOM + "link").get("href").endswith("/p/%d" % s["warned_reply"])]
    assert len(warned) == 1, "warned post's entry: %d" % len(warned)
    assert "FEEDWARNING self-harm" in (warned[0].find(ATOM + "content").text or ""), \
        "the warning is not shown: %r" % ET.tostring(warned[0])


def test_hostile_title_and_body_escaped(stack):
    s = _setup(stack)
    for path in ("/feed.atom", "/t/%d/feed.atom" % s["hostile"][0]):
        root, body = _feed(stack, path)
        assert b"<script" not in body and b"<img" not in body, "%s: raw markup in the XML: %r" % (path, body[:800])
        mine = [e for e in _entries(root) if _text(e, "title") == HOSTILE_TITLE]
        assert len(mine) == 1, "%s: hostile entry, titles %r" % (path, [_text(e, "title") for e in _entries(root)])
        html = mine[0].find(ATOM + "content").text or ""
        assert "<strong>bold</strong>" in html, "%s: content is not the rendered body: %r" % (path, html)
        assert "onerror" not in html and "<img" not in html, "%s: unsanitized body: %r" % (path, html)
    root, _ = _feed(stack, "/t/%d/feed.atom" % s["hostile"][0])
    assert _text(root, "title").endswith(HOSTILE_TITLE), "thread feed title: %r" % _text(root, "title")


def _feed_links(body):
    doc = parse(body.decode("utf-8"))
    return [l.get("href") for l in doc.find_all("link")
            if l.get("rel") == "alternate" and l.get("type") == "application/atom+xml"]


def test_pages_link_their_feed_in_the_head(stack):
    s = _setup(stack)
    for page, feed in (("/", "/feed.atom"), ("/c/feeds-one", "/c/feeds-one/feed.atom"),
                       ("/t/%d" % s["open"][0], "/t/%d/feed.atom" % s["open"][0])):
        for who in (None, s["client"]):
            st, _, body = who.get(page) if who else stack.http("GET", page)
            assert st == 200, "GET %s: %d" % (page, st)
            links = _feed_links(body)
            assert links == [feed], "%s (%s): feed links %r" % (page, "member" if who else "anonymous", links)
    # A held thread, read by its author: no public feed to point to.
    st, _, body = s["client"].get("/t/%d" % s["held_thread"][0])
    assert st == 200, "author reading their held thread: %d" % st
    assert _feed_links(body) == [], "held thread page links a feed: %r" % _feed_links(body)
    st, _, body = stack.http("GET", "/help")
    assert st == 200 and _feed_links(body) == [], "help page links a feed: %r" % _feed_links(body)
