"""Full-text search (GET /search, fcgi/page_search.c, lib/db_search.h):
words in posts and thread titles, websearch syntax ("phrase", -word),
highlighted snippets escaped, keyset pages, a box in every page's header;
never a held, hidden, deleted or redacted text."""

import urllib.parse

from client import Client, markup_problems, parse, post_id_from

BODY = "Writing this down helps me a little. "

# A small window, so that the test can fill it (the default is 300): a
# search ranks the newest 30 matching posts (sql/023_search_window.sql).
WINDOW = 30
STACK_OPTIONS = {"conf": {"search_window": str(WINDOW)}}


def _writer(stack):
    if getattr(stack, "_search_writer", None):
        return stack._search_writer
    stack.hearthctl("category", "add", "search-cat", "Search cat", "")
    c = Client(stack)
    st, _, _ = c.register("search_writer")
    assert st == 303, "register: %d" % st
    stack._search_writer = c
    return c


def _thread(stack, title, body):
    c = _writer(stack)
    st, loc, html = c.new_thread("search-cat", title, body)
    assert st in (200, 303), "new thread %r: %d %s" % (title, st, html[:300])
    pid = int(post_id_from(loc, html))
    tid = int(stack.psql("select thread_id from posts where id = %d" % pid).strip())
    return tid, pid


def _search(stack, q, extra=""):
    st, _, body = stack.http("GET", "/search?q=" + urllib.parse.quote(q) + extra)
    return st, body.decode("utf-8")


def _result_posts(html):
    doc = parse(html)
    ol = doc.find("ol", class_="search-results")
    if not ol:
        return []
    return [int(a.get("href")[3:]) for li in ol.find_all("li")
            for a in li.find_all("a")[:1]]


def test_finds_words_in_posts_with_marked_snippet(stack):
    _, pid = _thread(stack, "An ordinary evening", BODY + "The zephyrquill hums at night.")
    st, html = _search(stack, "zephyrquill")
    assert st == 200, "GET /search: %d" % st
    assert _result_posts(html) == [pid], "results %r" % _result_posts(html)
    marks = [m.text() for m in parse(html).find_all("mark")]
    assert "zephyrquill" in marks, "the hit is not marked: %r" % marks


def test_finds_thread_titles(stack):
    _, pid = _thread(stack, "Marmaladeish evenings alone", BODY)
    st, html = _search(stack, "marmaladeish")
    assert st == 200 and _result_posts(html) == [pid], "title search: %d %r" % (st, _result_posts(html))


def test_phrase_and_minus_word(stack):
    _, walk = _thread(stack, "Walks", BODY + "A quietlake morning walk before work.")
    _, swim = _thread(stack, "Swims", BODY + "A quietlake evening swim after work.")
    assert sorted(_result_posts(_search(stack, "quietlake")[1])) == sorted([walk, swim])
    assert _result_posts(_search(stack, "quietlake -evening")[1]) == [walk], "-word"
    assert _result_posts(_search(stack, '"evening swim"')[1]) == [swim], "phrase"


def test_never_held_hidden_deleted_or_redacted(stack):
    ids = {}
    for state in ("visible", "held", "hidden", "deleted"):
        ids[state] = _thread(stack, "Thread %s" % state, BODY + "grumblewort %s" % state)
    for state in ("held", "hidden", "deleted"):
        stack.psql("update posts set state = '%s' where id = %d" % (state, ids[state][1]))
    tid, pid = _thread(stack, "Thread in a hidden thread", BODY + "grumblewort inside")
    stack.psql("update threads set state = 'hidden' where id = %d" % tid)
    found = _result_posts(_search(stack, "grumblewort")[1])
    assert found == [ids["visible"][1]], "only the visible post may be found, got %r (ids %r)" % (found, ids)
    # A redaction replaces the text (fcgi/page_review.c); the index follows.
    _, red = _thread(stack, "Redacted", BODY + "my address is flimflamstreet 12")
    assert _result_posts(_search(stack, "flimflamstreet")[1]) == [red]
    stack.psql("insert into redactions (post_id, original_md, original_html, reason) "
               "select id, body_md, body_html, 'address' from posts where id = %d" % red)
    stack.psql("update posts set body_md = replace(body_md, 'flimflamstreet 12', '[redacted]') "
               "where id = %d" % red)
    assert _result_posts(_search(stack, "flimflamstreet")[1]) == [], "a redacted word is still found"


def test_snippets_are_escaped(stack):
    _thread(stack, "Markup <b>title</b>", BODY + "<script>alert(1)</script> glimmerwort "
            "<img src=x onerror=alert(2)> & more")
    st, html = _search(stack, "glimmerwort")
    assert st == 200, "GET /search: %d" % st
    assert markup_problems(html) == [], "unsafe markup: %r" % markup_problems(html)
    # The theme's own script element (the quick exit) aside, no script at all.
    page = html.replace('<script src="/static/quick-exit.js" defer="defer"></script>', "", 1)
    assert "<script" not in page and "<img src=x" not in page, "the snippet was not escaped"
    assert "&lt;img src=x onerror=alert(2)&gt;" in html, "the snippet's text is not shown escaped"
    assert "<b>title</b>" not in html, "the title was not escaped"


def test_keyset_pages(stack):
    _, pid = _thread(stack, "Many replies", BODY + "pagerwort first")
    c = _writer(stack)
    want = {pid}
    for i in range(24):
        st, loc, html = c.reply(pid, "Reply %d, pagerwort again and again." % i)
        assert st in (200, 303), "reply %d: %d %s" % (i, st, html[:300])
        want.add(int(post_id_from(loc, html)))
    st, html = _search(stack, "pagerwort")
    first = _result_posts(html)
    assert st == 200 and len(first) == 20, "first page: %d results" % len(first)
    nxt = [a.get("href") for a in parse(html).find_all("a") if a.get("rel") == "next"]
    assert nxt, "no link to the next page"
    st, _, body = stack.http("GET", nxt[0])
    second = _result_posts(body.decode("utf-8"))
    assert st == 200 and not set(first) & set(second), "pages overlap: %r %r" % (first, second)
    assert set(first) | set(second) == want, "pages miss posts: %r" % (want - set(first) - set(second))


def test_bad_input_is_a_clear_400_with_the_text_kept(stack):
    q = "word " * 50
    st, html = _search(stack, q)
    assert st == 400, "a 250-character search: %d" % st
    box = parse(html).find("input", id="search-q")
    assert box is not None and box.get("value") == q, "the search is not kept in the box"
    assert "200" in parse(html).text(), "the limit is not said"
    st, html = _search(stack, "hello", "&after=nonsense")
    assert st == 400 and "after" in html, "a broken cursor: %d" % st


def test_search_box_in_the_header(stack):
    st, _, body = stack.http("GET", "/")
    forms = [f for f in parse(body.decode("utf-8")).find_all("form") if f.get("action") == "/search"]
    assert st == 200 and forms and forms[0].get("method") == "get", "no search box on the home page"
    st, html = _search(stack, "")
    assert st == 200, "an empty search: %d" % st


# ---- filters: category, member, dates (issue 12) ---------------------------

def _logged_in_search(client, q, extra=""):
    st, _, body = client.get("/search?q=" + urllib.parse.quote(q) + extra)
    return st, body.decode("utf-8") if isinstance(body, bytes) else body


def _other_writer(stack):
    if getattr(stack, "_search_other", None):
        return stack._search_other
    stack.hearthctl("category", "add", "search-two", "Search two", "")
    c = Client(stack)
    st, _, _ = c.register("search_other")
    assert st == 303, "register: %d" % st
    stack._search_other = c
    return c


def _thread_by(stack, client, slug, title, body):
    st, loc, html = client.new_thread(slug, title, body)
    assert st in (200, 303), "new thread %r: %d %s" % (title, st, html[:300])
    return int(post_id_from(loc, html))


def test_filter_by_category(stack):
    _writer(stack)
    other = _other_writer(stack)
    one = _thread(stack, "Category one", BODY + "catfilterwort here")[1]
    two = _thread_by(stack, other, "search-two", "Category two", BODY + "catfilterwort there")
    assert sorted(_result_posts(_search(stack, "catfilterwort")[1])) == sorted([one, two])
    st, html = _search(stack, "catfilterwort", "&c=search-two")
    assert st == 200 and _result_posts(html) == [two], "c=search-two: %d %r" % (st, _result_posts(html))
    opt = [o for o in parse(html).find_all("option") if o.get("value") == "search-two"]
    assert opt and opt[0].get("selected"), "the chosen category is not selected in the form"
    st, html = _search(stack, "catfilterwort", "&c=no-such-category")
    assert st == 404 and "no such category" in html, "unknown category: %d" % st
    assert _result_posts(html) == [], "results on a refusal"
    st, html = _search(stack, "catfilterwort", "&c=Bad%20Slug!")
    assert st == 400 and "not one of this forum" in html, "malformed category: %d" % st


def test_filter_by_member_follows_the_profile_rules(stack):
    me = _writer(stack)
    other = _other_writer(stack)
    mine = _thread(stack, "Member one", BODY + "memberfilterwort mine")[1]
    theirs = _thread_by(stack, other, "search-two", "Member two", BODY + "memberfilterwort theirs")
    # profiles_public is 0 (the default): member lists are for members only.
    st, html = _search(stack, "memberfilterwort", "&by=search_other")
    assert st == 403 and "logged-in" in html and _result_posts(html) == [], "anonymous by=: %d" % st
    st, html = _logged_in_search(me, "memberfilterwort", "&by=search_other")
    assert st == 200 and _result_posts(html) == [theirs], "by=search_other: %d %r" % (st, _result_posts(html))
    box = parse(html).find("input", id="search-by")
    assert box is not None and box.get("value") == "search_other", "the member is not kept in the form"
    st, html = _logged_in_search(me, "memberfilterwort", "&by=SEARCH_WRITER")
    assert st == 200 and _result_posts(html) == [mine], "handles compare case-insensitively"
    st, html = _logged_in_search(me, "memberfilterwort", "&by=nobody_called_this")
    assert st == 404 and "No member has this name" in html, "unknown member: %d" % st
    st, html = _logged_in_search(me, "memberfilterwort", "&by=x")
    assert st == 400 and "3 to 30" in html, "malformed member: %d" % st
    # A crisis-flagged post is listed by member only to its author and moderators.
    crisis = _thread_by(stack, other, "search-two", "Member crisis", BODY + "memberfilterwort heavy")
    stack.psql("insert into flags (post_id, source, category, top_category, severity, action) "
               "values (%d, 'report', 'crisis', 'crisis', 3, 'report')" % crisis)
    st, html = _logged_in_search(me, "memberfilterwort", "&by=search_other")
    assert crisis not in _result_posts(html), "a crisis-flagged post listed by member to another member"
    st, html = _logged_in_search(other, "memberfilterwort", "&by=search_other")
    assert crisis in _result_posts(html), "its author does not find their own crisis-flagged post"
    # A member who keeps their posts to themselves is not listed by search either.
    stack.psql("update users set posts_hidden = true where handle = 'search_other'")
    try:
        st, html = _logged_in_search(me, "memberfilterwort", "&by=search_other")
        assert st == 403 and "keeps their posts to themselves" in html and not _result_posts(html), \
            "posts_hidden member: %d %r" % (st, _result_posts(html))
        st, html = _logged_in_search(other, "memberfilterwort", "&by=search_other")
        assert st == 200 and theirs in _result_posts(html), "a member cannot search their own posts"
    finally:
        stack.psql("update users set posts_hidden = false where handle = 'search_other'")
    # Held text never comes back, filtered or not.
    held = _thread_by(stack, other, "search-two", "Member held", BODY + "memberfilterwort held")
    stack.psql("update posts set state = 'held' where id = %d" % held)
    st, html = _logged_in_search(other, "memberfilterwort", "&by=search_other")
    assert held not in _result_posts(html), "a held post found by member filter"


def test_filter_by_dates(stack):
    early = _thread(stack, "Dates early", BODY + "datefilterwort early")[1]
    late = _thread(stack, "Dates late", BODY + "datefilterwort late")[1]
    stack.psql("update posts set created_at = '2025-03-10 23:30:00+00' where id = %d" % early)
    stack.psql("update posts set created_at = '2025-03-20 00:10:00+00' where id = %d" % late)
    r = lambda extra: _result_posts(_search(stack, "datefilterwort", extra)[1])
    assert sorted(r("")) == sorted([early, late])
    assert r("&from=2025-03-15") == [late], "from"
    assert r("&to=2025-03-15") == [early], "to"
    assert r("&from=2025-03-10&to=2025-03-10") == [early], "a one-day range includes the whole day"
    assert r("&from=2025-03-20&to=2025-03-20") == [late], "to includes its own day"
    assert r("&from=2025-03-11&to=2025-03-19") == [], "between the two"
    for extra, word in (("&from=2025-02-30", "From"), ("&to=yesterday", "To"), ("&from=25-03-01", "From"),
                        ("&from=2025-03-20&to=2025-03-10", "after")):
        st, html = _search(stack, "datefilterwort", extra)
        assert st == 400 and word in html and not _result_posts(html), "%s: %d" % (extra, st)
    st, html = _search(stack, "datefilterwort", "&from=2025-02-30")
    box = parse(html).find("input", id="search-from")
    assert box is not None and box.get("value") == "2025-02-30", "the bad day is not kept in the form"
    assert parse(html).find("input", id="search-q").get("value") == "datefilterwort", "words not kept"


def test_filtered_pages_keep_their_filters(stack):
    c = _other_writer(stack)
    pid = _thread_by(stack, c, "search-two", "Filtered pages", BODY + "filterpagewort first")
    want = {pid}
    for i in range(22):
        st, loc, html = c.reply(pid, "Reply %d, filterpagewort again." % i)
        assert st in (200, 303), "reply %d: %d" % (i, st)
        want.add(int(post_id_from(loc, html)))
    _thread(stack, "Elsewhere", BODY + "filterpagewort elsewhere")   # another category: never listed
    st, html = _search(stack, "filterpagewort", "&c=search-two")
    first = _result_posts(html)
    assert st == 200 and len(first) == 20, "first page: %d %d" % (st, len(first))
    nxt = [a.get("href") for a in parse(html).find_all("a") if a.get("rel") == "next"]
    assert nxt and "c=search-two" in nxt[0], "the next link drops the filter: %r" % nxt
    st, _, body = stack.http("GET", nxt[0])
    second = _result_posts(body.decode("utf-8"))
    assert st == 200 and set(first) | set(second) == want and not set(first) & set(second), \
        "filtered pages: %r" % (want ^ (set(first) | set(second)))


def test_filters_without_words_ask_for_words(stack):
    st, html = _search(stack, "", "&c=search-two")
    assert st == 200 and "Type a few words" in html and not _result_posts(html), "filters alone: %d" % st


def _all_pages(stack, q, extra=""):
    """Every result of a search, following its "More results" links; and the last page."""
    st, html = _search(stack, q, extra)
    assert st == 200, "search %r: %d" % (q, st)
    found = _result_posts(html)
    for _ in range(20):
        nxt = [a.get("href") for a in parse(html).find_all("a") if a.get("rel") == "next"]
        if not nxt:
            break
        st, _, body = stack.http("GET", nxt[0])
        html = body.decode("utf-8")
        assert st == 200, "next page: %d" % st
        found += _result_posts(html)
    return found, html


def test_common_words_rank_the_newest_matches(stack):
    # The best match by far, but older than the window's WINDOW newest.
    other = _other_writer(stack)
    old = _thread_by(stack, other, "search-two", "An old evening",
                     BODY + "windowwort windowwort windowwort windowwort windowwort.")
    _, pid = _thread(stack, "Newer ones", BODY + "windowwort once")
    c = _writer(stack)
    newer = {pid}
    for i in range(WINDOW):
        st, loc, html = c.reply(pid, "Reply %d with windowwort in it." % i)
        assert st in (200, 303), "reply %d: %d" % (i, st)
        newer.add(int(post_id_from(loc, html)))
    found, last = _all_pages(stack, "windowwort")
    assert old not in found, "a match older than the window was ranked"
    assert len(found) == WINDOW and set(found) <= newer, "%d results, not the %d newest" % (len(found), WINDOW)
    assert "newest %d posts that contain these words" % WINDOW in last, \
        "the last page does not say that older matches were not ranked"
    # A filter applies before the window: the old post is found in its category.
    found, last = _all_pages(stack, "windowwort", "&c=search-two")
    assert found == [old], "c=search-two: %r" % found
    assert "posts that contain these words" not in last, "the note shows on a search that ranked every match"
    # Few matches: all of them ranked, the old one too, and no note.
    found, last = _all_pages(stack, "windowwort -reply")
    assert sorted(found) == sorted([old, pid]), "windowwort -reply: %r" % found
    assert "newest %d posts" % WINDOW not in last


def _snippets(html):
    """The text of each result's snippet, and its marked words."""
    doc = parse(html)
    return [(p.text(), [m.text() for m in p.find_all("mark")])
            for p in doc.find_all("p", class_="snippet")]


def test_phrase_window_is_taken_by_its_words(stack):
    # A "phrase" ranks the newest WINDOW posts that hold its words
    # (sql/025_search_cost.sql), and of those lists only the ones that hold
    # the phrase: the words alone are never a result.
    other = _other_writer(stack)
    old = _thread_by(stack, other, "search-two", "An old terrace",
                     BODY + "We sat on the sunnyvale terracewort all day.")
    _, pid = _thread(stack, "Terrace days", BODY + "A sunnyvale terracewort again.")
    c = _writer(stack)
    for i in range(WINDOW):
        st, loc, html = c.reply(pid, "The terracewort %d was not sunnyvale today." % i)
        assert st in (200, 303), "reply %d: %d" % (i, st)
    st, loc, html = c.reply(pid, "Back on the sunnyvale terracewort, finally.")
    assert st in (200, 303), "reply: %d" % st
    newest = int(post_id_from(loc, html))
    # The window holds the newest post and WINDOW - 1 replies with the words
    # apart: the opening post holds the phrase but is older than the window.
    found, last = _all_pages(stack, '"sunnyvale terracewort"')
    assert found == [newest], "the phrase's window: %r (want only %d; not %d, %d)" % (found, newest, pid, old)
    assert "newest %d posts that contain these words" % WINDOW in last, \
        "the last page does not say that older matches were not ranked"
    # Narrowed to the old post's category, the window reaches it.
    found, last = _all_pages(stack, '"sunnyvale terracewort"', "&c=search-two")
    assert found == [old], "c=search-two: %r" % found
    # Inside quotes a "-" is no -word: "finally -missing" is the phrase
    # "finally missing", which the words typed without quotes would exclude
    # (finally, not missing); such a post is in the window all the same.
    st, loc, html = c.reply(pid, "The terracewort key was finally missing today.")
    assert st in (200, 303), "reply: %d" % st
    missing = int(post_id_from(loc, html))
    found = _result_posts(_search(stack, '"finally -missing"')[1])
    assert found == [missing], '"finally -missing": %r, want [%d]' % (found, missing)


def test_snippet_of_a_long_post_marks_a_late_hit(stack):
    # The snippet is made from a piece of the post around its first hit
    # (sql/025_search_cost.sql): a hit 3,000 characters in is marked, and the
    # start of the post is not shown.
    filler = " ".join("Filler%d sentence about an ordinary day." % i for i in range(80))
    after = " ".join("Later%d sentence about an ordinary day." % i for i in range(80))
    _, pid = _thread(stack, "A long post", filler + " Then the lateglimmer appeared. " + after)
    st, html = _search(stack, "lateglimmer")
    assert st == 200 and _result_posts(html) == [pid], "results %r" % _result_posts(html)
    (text, marks), = _snippets(html)
    assert marks == ["lateglimmer"], "the late hit is not marked: %r" % marks
    assert "Filler0 " not in text and len(text) < 700, "the snippet is not the piece around the hit: %r" % text
    # Stems are found in their words: "glimmering" matches the stem "glimmer".
    _, pid2 = _thread(stack, "Another long post", filler + " All was glimmeringwise bright. " + after)
    (text, marks), = _snippets(_search(stack, "glimmeringwise")[1])
    assert marks == ["glimmeringwise"], "marks %r" % marks
    # Found by its title alone: the snippet is the post's start, unmarked.
    _, pid3 = _thread(stack, "Titleonlyzest thoughts", filler)
    st, html = _search(stack, "titleonlyzest")
    assert _result_posts(html) == [pid3], "results %r" % _result_posts(html)
    (text, marks), = _snippets(html)
    assert marks == [] and text.startswith("Filler0 sentence"), "title match snippet: %r" % text[:80]


def test_snippet_marks_the_forms_of_a_word(stack):
    # The page marks a word when it is a form of one of the query's stems
    # (lib/db_search.c, db_search_snippet): "zanzibaries" is stemmed
    # "zanzibari", which is how the stemmer spells "Zanzibary" too; a -word
    # is never marked; punctuation and markup characters stay as typed.
    _, pid = _thread(stack, "Travels", BODY + "We sailed to *Zanzibary*, then home. No zanzibariwort here.")
    st, html = _search(stack, "zanzibaries -nothinglike")
    assert st == 200 and _result_posts(html) == [pid], "results %r" % _result_posts(html)
    (text, marks), = _snippets(html)
    assert marks == ["Zanzibary"], "marks %r" % marks
    assert "*Zanzibary*, then home." in text, "the text around the hit: %r" % text
    _, pid2 = _thread(stack, "Negations", BODY + "quixotrel and mundanewort together.")
    st, html = _search(stack, "quixotrel -mundanewort")
    assert _result_posts(html) == [], "a -word matched: %r" % _result_posts(html)
    _, pid3 = _thread(stack, "Negations two", BODY + "quixotrel alone, mundane otherwise.")
    (text, marks), = _snippets(_search(stack, "quixotrel -mundanewort")[1])
    assert marks == ["quixotrel"], "marks %r" % marks
