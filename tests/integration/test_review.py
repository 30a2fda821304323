"""Reports, the review queue, moderator actions and the audit log (issue 4,
"In the forum"; fcgi/page_review.c).

Members are made through the real pages (POST /register, /login) and write
through /c/SLUG/new and /p/ID/reply, so the moderation filter screens them.
Where the filter's rules do not (yet) flag a post a test expects to be
flagged, `ensure_flag` stores the flag and the queue item with SQL, the way
fcgi/screen.c would, and says so on a "# note:" line.
"""

import re
import uuid

from client import Client, find_all, form_value, message_of, parse, post_id_from

STACK_OPTIONS = {"workers": 2}
TIMEOUT = 180

MOD_HANDLE = "modname"
MOD_PASSWORD = "password123456"
CRISIS_TEXT = "I want to end it all tonight"
STIGMA_TEXT = "My manager is so OCD about the spreadsheets, what a psycho."


# ---------------------------------------------------------------- set-up

def q(stack, sql):
    return stack.psql(sql)


def sql_str(s):
    return "NULL" if s is None else "'" + str(s).replace("'", "''") + "'"


class World:
    """Per-stack fixtures: a category, the moderator, a few members."""

    def __init__(self, stack):
        self.stack = stack
        self.tag = uuid.uuid4().hex[:6]
        self.slug = "review-" + self.tag
        r = stack.hearthctl("category", "add", self.slug, "Review tests", "Posts for the review tests")
        assert r.returncode == 0, "category add: %s" % r.stderr
        r = stack.hearthctl("create-admin", MOD_HANDLE, "--password-stdin", input=MOD_PASSWORD + "\n")
        assert r.returncode == 0, "create-admin %s: %s" % (MOD_HANDLE, r.stderr)
        self.mod = Client(stack)
        st, _, body = self.mod.login(MOD_HANDLE, MOD_PASSWORD)
        assert st == 303, "moderator log-in: %d %s" % (st, message_of(body))
        self.n = 0

    def member(self, prefix="member"):
        self.n += 1
        c = Client(self.stack)
        handle = ("%s%d_%s" % (prefix, self.n, self.tag))[:30]
        st, _, body = c.register(handle, "a long enough password %d" % self.n)
        assert st == 303, "register %s: %d %s" % (handle, st, message_of(body))
        c.user_id = int(q(self.stack, "select id from users where handle = %s" % sql_str(handle)))
        return c

    def thread(self, client, title, body):
        st, loc, html = client.new_thread(self.slug, title, body)
        assert st in (200, 303), "new thread: %d %s" % (st, message_of(html))
        pid = post_id_from(loc, html)
        assert pid, "no post id after posting a thread (status %d, Location %r)" % (st, loc)
        return pid

    def reply(self, client, parent, body):
        st, loc, html = client.reply(parent, body)
        assert st in (200, 303), "reply: %d %s" % (st, message_of(html))
        pid = post_id_from(loc, html)
        assert pid, "no post id after a reply (status %d)" % st
        return pid


def world(stack):
    if not hasattr(stack, "review_world"):
        stack.review_world = World(stack)
    return stack.review_world


def byte_span(text, words):
    b = text.encode("utf-8")
    w = words.encode("utf-8")
    i = b.find(w)
    assert i >= 0, "%r not in %r" % (words, text)
    return i, i + len(w)


def ensure_flag(stack, post_id, text, words, top, category, rule_id, severity, action="flag", field="body"):
    """Makes sure the filter left a flag of top category `top` on the post
    and that the post is in the queue; stores what is missing with SQL (as
    fcgi/screen.c would) and says so. A stigma `nudge` is not queued by the
    filter (the author decides), so such a test post is queued here."""
    n = int(q(stack, "select count(*) from flags where post_id = %d and source = 'filter' "
                     "and top_category = %s" % (post_id, sql_str(top))))
    if n == 0:
        print("# note: the filter did not flag post %d as %s: stored the flag with SQL" % (post_id, top))
        s, e = byte_span(text, words)
        q(stack, "insert into flags (post_id, source, field, rule_id, ruleset_version, category, "
                 "top_category, severity, action, span_start, span_end) values "
                 "(%d, 'filter', %s, %s, 'test', %s, %s, %d, %s, %d, %d)"
                 % (post_id, sql_str(field), sql_str(rule_id), sql_str(category), sql_str(top), severity,
                    sql_str(action), s, e))
    item = q(stack, "select status from review_items where post_id = %d" % post_id)
    if item not in ("open", "escalated"):
        print("# note: post %d was not queued by the filter (item %r): queued with SQL" % (post_id, item))
        lane = "crisis" if top == "crisis" else "other"
        q(stack, "insert into review_items (post_id, lane, max_severity) values (%d, '%s', %d) "
                 "on conflict (post_id) do update set lane = case when review_items.lane = 'crisis' "
                 "or excluded.lane = 'crisis' then 'crisis' else 'other' end, status = 'open', "
                 "max_severity = greatest(review_items.max_severity, excluded.max_severity)"
                 % (post_id, lane, severity))


def ensure_state(stack, post_id, state):
    cur = q(stack, "select state from posts where id = %d" % post_id)
    if cur != state:
        print("# note: post %d is %s after posting, set to %s with SQL for this test" % (post_id, cur, state))
        q(stack, "update posts set state = %s where id = %d" % (sql_str(state), post_id))


def act(client, post_id, action, reason, **fields):
    form = [("action", action), ("reason", reason)] + list(fields.items())
    return client.post("/mod/p/%d" % post_id, form)


def audit_count(stack):
    return int(q(stack, "select count(*) from audit_log"))


def queue_ids(body):
    """Post ids in queue order, from the /mod page's review links."""
    ids = []
    for a in find_all(body, "a", class_="review-link"):
        m = re.fullmatch(r"/mod/p/(\d+)", a.get("href", ""))
        if m:
            ids.append(int(m.group(1)))
    return ids


def marks(body):
    return [m.text() for m in parse(body).find_all("mark") if m.parent is not None and
            any("source-text" in (a.get("class") or "").split() for a in m.ancestors())]


def text_of(body):
    return " ".join(parse(body).text().split())


# ---------------------------------------------------------------- the queue

def test_crisis_post_tops_queue(stack):
    w = world(stack)
    older = w.member("stigma")
    newer = w.member("crisis")
    stigma_id = w.thread(older, "About work", STIGMA_TEXT)
    crisis_id = w.thread(newer, "Tonight", CRISIS_TEXT)
    ensure_flag(stack, stigma_id, STIGMA_TEXT, "so OCD", "stigma", "stigma.trivializing", "stigma.so_ocd", 2)
    ensure_flag(stack, crisis_id, CRISIS_TEXT, "end it all", "crisis", "crisis.ideation", "crisis.end_it_all", 3)
    # The stigma post has waited longer; its severity may even be higher.
    q(stack, "update review_items set created_at = now() - interval '2 hours', max_severity = 4 "
             "where post_id = %d" % stigma_id)
    st, _, body = w.mod.get("/mod")
    assert st == 200, "GET /mod as moderator: %d" % st
    ids = queue_ids(body)
    assert crisis_id in ids and stigma_id in ids, "queue %r lacks %d or %d" % (ids, crisis_id, stigma_id)
    assert ids.index(crisis_id) < ids.index(stigma_id), \
        "the crisis post %d is not above the older stigma post %d: %r" % (crisis_id, stigma_id, ids)
    lanes = [i for i in ids if q(stack, "select lane from review_items where post_id = %d" % i) == "crisis"]
    assert ids[:len(lanes)] == lanes, "crisis lane items are not all first: %r (crisis: %r)" % (ids, lanes)
    text = text_of(body)
    assert "waiting 2 hours" in text, "no 'waiting 2 hours' for the older item:\n%s" % text[:1500]
    assert re.search(r"waiting (less than a minute|\d+ minutes?)", text), "no waiting time for the new item"
    assert re.search(r"\d+ in the crisis lane", text), "no per-lane counts at the top"
    assert "crisis" in text.lower() and "stigma" in text.lower(), "categories are not shown"
    for word in ("flagged", "Flagged"):
        assert word not in body.decode(), "the queue says %r" % word


def test_queue_row_details(stack):
    w = world(stack)
    m = w.member("row")
    pid = w.thread(m, "Row details", CRISIS_TEXT + " and nobody will notice")
    ensure_flag(stack, pid, CRISIS_TEXT, "end it all", "crisis", "crisis.ideation", "crisis.end_it_all", 3)
    rules = q(stack, "select string_agg(distinct rule_id, ',') from flags where post_id = %d" % pid).split(",")
    st, _, body = w.mod.get("/mod")
    assert st == 200
    row = [li for li in parse(body).find_all("li", class_="review-row")
           if li.find("a", href="/mod/p/%d" % pid) is not None]
    assert row, "no queue row for post %d" % pid
    t = " ".join(row[0].text().split())
    assert m.handle in t, "the row does not name the author %s: %s" % (m.handle, t)
    assert "nobody will notice" in t, "the row has no excerpt: %s" % t
    for r in rules:
        assert r in t, "the row does not show rule id %s: %s" % (r, t)
    assert "Crisis lane" in t and "severity" in t, "lane or severity missing: %s" % t


# ---------------------------------------------------------------- the review page

def test_review_page_highlights_matches(stack):
    w = world(stack)
    m = w.member("mark")
    body_text = "Some days are hard.\n\n" + CRISIS_TEXT + ". I'm sorry <b>everyone</b>."
    pid = w.thread(m, "Hard day", body_text)
    ensure_flag(stack, pid, body_text, "end it all", "crisis", "crisis.ideation", "crisis.end_it_all", 3)
    st, _, body = w.mod.get("/mod/p/%d" % pid)
    assert st == 200, "GET /mod/p/%d: %d" % (pid, st)
    found = marks(body)
    assert found, "no <mark> in the source text of post %d" % pid
    for t in found:
        assert t and t in body_text, "marked %r is not a part of the post" % t
    spans = q(stack, "select span_start || ':' || span_end from flags where post_id = %d and source = 'filter' "
                     "and field = 'body'" % pid).split("\n")
    raw = body_text.encode()
    for sp in spans:
        s, e = (int(x) for x in sp.split(":"))
        words = raw[s:e].decode()
        assert any(words in t for t in found), "span %r (%r) is not highlighted; marks %r" % (sp, words, found)
    html = body.decode()
    assert "<b>everyone</b>" not in html, "the source text was not escaped"
    rule = q(stack, "select rule_id from flags where post_id = %d and source = 'filter' limit 1" % pid)
    assert rule in html, "rule id %s not shown" % rule
    assert 'name="reason"' in html and 'value="approve"' in html, "no action form"


def test_highlight_merges_overlaps_and_skips_bad_offsets(stack):
    w = world(stack)
    m = w.member("span")
    text = "Caf\u00e9 <tag> & more words here"
    pid = w.thread(m, "Spans", text)
    raw = text.encode()
    # (1, 5) "af\u00e9" overlaps (3, 7) "\u00e9 <": merged to "af\u00e9 <".
    # (0, 4) ends inside the two bytes of \u00e9; (100, 120) is past the end;
    # (9, 8) is backwards: all three are skipped.
    spans = [(1, 5), (3, 7), (0, 4), (100, 120), (9, 8), (raw.index(b"words"), raw.index(b"words") + 5)]
    for s, e in spans:
        q(stack, "insert into flags (post_id, source, field, rule_id, category, top_category, severity, "
                 "action, span_start, span_end) values (%d, 'filter', 'body', 'test.span', 'stigma.test', "
                 "'stigma', 1, 'flag', %d, %d)" % (pid, s, e))
    q(stack, "insert into review_items (post_id, lane, max_severity) values (%d, 'other', 1) "
             "on conflict do nothing" % pid)
    st, _, body = w.mod.get("/mod/p/%d" % pid)
    assert st == 200, "GET /mod/p/%d: %d" % (pid, st)
    assert marks(body) == ["af\u00e9 <", "words"], "marks: %r" % marks(body)
    src = parse(body).find("pre", class_="source-text")
    assert src is not None and src.text() == text, "the source text is not shown whole: %r" % (
        src.text() if src is not None else None)


def test_review_page_context_author_and_reports(stack):
    w = world(stack)
    a = w.member("ctxa")
    b = w.member("ctxb")
    opening = w.thread(a, "A thread with context", "How is everyone doing this week?")
    earlier = w.reply(a, opening, "An earlier post of mine about sleep.")
    pid = w.reply(b, opening, "Honestly " + CRISIS_TEXT)
    ensure_flag(stack, pid, "Honestly " + CRISIS_TEXT, "end it all", "crisis", "crisis.ideation",
                "crisis.end_it_all", 3)
    # Members report what they can see: a post the filter held is made
    # visible first (as a moderator's approval would).
    q(stack, "update posts set state = 'visible' where id = %d" % pid)
    reporter = w.member("ctxr")
    st, _, _ = reporter.post("/p/%d/report" % pid, {"reason": "crisis", "details": "Please check on them"})
    assert st == 200, "report: %d" % st
    st, _, body = w.mod.get("/mod/p/%d" % pid)
    assert st == 200
    t = text_of(body)
    assert "A thread with context" in t, "the thread title is missing"
    assert "How is everyone doing this week?" in t, "the parent post is missing"
    assert "Replying to" in t, "the parent is not marked"
    assert "Someone may be at risk" in t and "Please check on them" in t, "the report is missing"
    assert reporter.handle in t, "the reporter is not named"
    assert b.handle in t, "the author is missing"
    assert "account active" in t, "the author's account state is missing: %s" % t[-800:]
    st, _, body = w.mod.get("/mod/p/%d" % earlier)
    assert st == 200
    recent = parse(body).find("ul", class_="author-recent")
    assert recent is not None and "How is everyone doing" in recent.text(), \
        "the author's recent posts are missing from /mod/p/%d" % earlier


# ---------------------------------------------------------------- actions

def test_approve_without_reason_changes_nothing(stack):
    w = world(stack)
    m = w.member("noreason")
    pid = w.thread(m, "No reason", CRISIS_TEXT + " (no reason test)")
    ensure_flag(stack, pid, CRISIS_TEXT, "end it all", "crisis", "crisis.ideation", "crisis.end_it_all", 3)
    ensure_state(stack, pid, "held")
    before = audit_count(stack)
    for reason in ("", "   \r\n  "):
        st, _, body = act(w.mod, pid, "approve", reason, redact_from="typed text stays")
        assert st == 422, "approve with reason %r: %d, want 422" % (reason, st)
        assert "reason" in message_of(body).lower(), "the message does not ask for a reason: %r" % message_of(body)
        assert form_value(body, "redact_from") == "typed text stays", "what was typed was lost"
        assert 'value="approve"' in body.decode(), "the form is not shown again"
    assert q(stack, "select state from posts where id = %d" % pid) == "held", "the post changed"
    assert q(stack, "select status from review_items where post_id = %d" % pid) == "open", "the item changed"
    assert audit_count(stack) == before, "an audit row was written"
    st, _, body = act(w.mod, pid, "approve", "x" * 1001)
    assert st == 422, "a 1001-character reason: %d, want 422" % st
    assert form_value(body, "reason") == "x" * 1001, "the long reason was not kept"
    st, _, body = act(w.mod, pid, "frobnicate", "because")
    assert st == 422, "an unknown action: %d, want 422" % st
    assert audit_count(stack) == before


def test_approve_with_reason_and_audit_page(stack):
    w = world(stack)
    m = w.member("approve")
    pid = w.thread(m, "Approve me", CRISIS_TEXT + " (approve test)")
    ensure_flag(stack, pid, CRISIS_TEXT, "end it all", "crisis", "crisis.ideation", "crisis.end_it_all", 3)
    ensure_state(stack, pid, "held")
    reason = "Feelings shared, no method: reached out by private support %s" % uuid.uuid4().hex[:6]
    st, h, body = act(w.mod, pid, "approve", reason)
    assert st == 303, "approve: %d %s" % (st, message_of(body))
    loc = h.get("location", "")
    assert loc.startswith("/mod"), "approve redirects to %r, want the queue or its next item" % loc
    assert "/mod/p/%d?" % pid not in loc, "approve sends the moderator back to the same post"
    assert q(stack, "select state from posts where id = %d" % pid) == "visible"
    assert q(stack, "select status || ',' || (resolved_by is not null) from review_items where post_id = %d"
             % pid) == "resolved,true"
    row = q(stack, "select moderator_handle, action, post_id, target_handle, reason from audit_log "
                   "where post_id = %d order by id desc limit 1" % pid)
    assert row == "|".join([MOD_HANDLE, "approve", str(pid), m.handle, reason]), "audit row: %r" % row
    st, _, body = w.mod.get(loc)
    assert st == 200, "GET %s after approve: %d" % (loc, st)
    assert "approved" in text_of(body), "no confirmation after approving"
    st, _, body = w.mod.get("/mod/audit")
    assert st == 200, "GET /mod/audit: %d" % st
    t = text_of(body)
    assert reason in t and MOD_HANDLE in t and m.handle in t, "the audit page lacks the entry:\n%s" % t[:1500]
    assert find_all(body, "a", href="/mod/p/%d" % pid), "the audit page has no link to the post"
    # Anonymous readers see the approved post now.
    st, _, body = Client(stack).get("/p/%d" % pid)
    assert st in (200, 303), "GET /p/%d anonymously: %d" % (pid, st)


def test_hide_reason_seen_by_author_only(stack):
    w = world(stack)
    author = w.member("hide")
    other = w.member("reader")
    opening = w.thread(other, "A thread to reply in", "Anyone up for a walk?")
    secret = "I have saved up forty of my pills %s" % uuid.uuid4().hex[:6]
    pid = w.reply(author, opening, secret)
    ensure_flag(stack, pid, secret, "forty of my pills", "crisis", "crisis.means", "crisis.means_quantity", 4, "hold")
    reason = "We hid this because it names amounts of medicine; please reach out to the helplines %s" % \
        uuid.uuid4().hex[:4]
    st, _, body = act(w.mod, pid, "hide", reason)
    assert st == 303, "hide: %d %s" % (st, message_of(body))
    row = q(stack, "select state, hide_reason from posts where id = %d" % pid)
    assert row == "hidden|" + reason, "post row after hide: %r" % row
    assert q(stack, "select status from review_items where post_id = %d" % pid) == "resolved"
    tid = int(q(stack, "select thread_id from posts where id = %d" % pid))
    st, _, body = author.get("/t/%d" % tid)
    assert st == 200, "the author's GET /t/%d: %d" % (tid, st)
    assert reason in text_of(body), "the author does not see the hide reason"
    for who, c in (("another member", other), ("an anonymous reader", Client(stack))):
        st, _, body = c.get("/t/%d" % tid)
        assert st == 200, "GET /t/%d by %s: %d" % (tid, who, st)
        t = text_of(body)
        assert secret not in t, "%s still sees the hidden text" % who
        assert reason not in t, "%s sees the reason meant for the author" % who
        assert "hidden" in t.lower(), "%s sees no notice where the post was" % who


def test_redact_keeps_original_for_moderators(stack):
    w = world(stack)
    m = w.member("redact")
    phone = "+65 9123 %04d" % (int(uuid.uuid4().hex[:4], 16) % 10000)
    text = "If anyone wants to talk, call me on %s any time.\n\nTake care." % phone
    pid = w.thread(m, "Redact me", text)
    q(stack, "insert into review_items (post_id, lane, max_severity) values (%d, 'other', 1) "
             "on conflict do nothing" % pid)
    before = audit_count(stack)
    st, _, body = act(w.mod, pid, "redact", "Personal phone number", redact_from="not in the post")
    assert st == 422, "redact of text not in the post: %d, want 422" % st
    assert form_value(body, "redact_from") == "not in the post"
    assert form_value(body, "reason") == "Personal phone number"
    assert audit_count(stack) == before
    st, h, body = act(w.mod, pid, "redact", "Personal phone number", redact_from=phone)
    assert st == 303, "redact: %d %s" % (st, message_of(body))
    md = q(stack, "select body_md from posts where id = %d" % pid)
    assert phone not in md and "[removed by a moderator]" in md, "body after redact: %r" % md
    html = q(stack, "select body_html from posts where id = %d" % pid)
    assert phone not in html and "[removed by a moderator]" in html, "body_html was not rendered again"
    orig = q(stack, "select original_md from redactions where post_id = %d" % pid)
    assert orig == text, "the original is not kept: %r" % orig
    detail = q(stack, "select detail from audit_log where post_id = %d and action = 'redact'" % pid)
    assert detail and phone not in detail, "audit detail %r (must not repeat the removed words)" % detail
    tid = int(q(stack, "select thread_id from posts where id = %d" % pid))
    for path in ("/t/%d" % tid, "/p/%d" % pid):
        st, _, body = Client(stack).get(path)
        assert phone not in body.decode(), "%s still shows the redacted text" % path
    st, _, body = w.mod.get(h["location"])
    assert st == 200
    sec = parse(body).find("section", class_="review-redactions")
    assert sec is not None and phone in sec.text(), "the moderator does not see the original"


def test_silence_refuses_posting_and_keeps_text(stack):
    w = world(stack)
    m = w.member("silence")
    pid = w.thread(m, "Before silence", "A first post, all fine.")
    st, _, body = act(w.mod, pid, "silence", "Repeated personal attacks after two warnings")
    assert st == 303, "silence: %d %s" % (st, message_of(body))
    assert q(stack, "select status from users where id = %d" % m.user_id) == "silenced"
    typed = "This is what I typed while silenced %s" % uuid.uuid4().hex[:6]
    st, _, body = m.new_thread(w.slug, "After silence", typed)
    assert st == 403, "a silenced member's post: %d, want 403" % st
    assert form_value(body, "body") == typed, "the silenced member's text was not kept"
    assert q(stack, "select count(*) from posts where body_md = %s" % sql_str(typed)) == "0"
    st, _, _ = m.get("/t/%d" % int(q(stack, "select thread_id from posts where id = %d" % pid)))
    assert st == 200, "a silenced member can no longer read: %d" % st
    st, _, body = act(w.mod, pid, "silence", "again")
    assert st == 409, "silencing twice: %d, want 409" % st
    st, _, body = act(w.mod, pid, "unsilence", "Talked it through; they apologised")
    assert st == 303, "unsilence: %d %s" % (st, message_of(body))
    assert q(stack, "select status from users where id = %d" % m.user_id) == "active"
    st, _, body = m.new_thread(w.slug, "After unsilence", typed)
    assert st in (200, 303), "posting after unsilence: %d" % st
    actions = q(stack, "select string_agg(action, ',' order by id) from audit_log where target_user_id = %d"
                % m.user_id)
    assert actions == "silence,unsilence", "audit rows for the member: %r" % actions


def test_ban_ends_sessions(stack):
    w = world(stack)
    m = w.member("ban")
    pid = w.thread(m, "Spam", "Buy cheap watches at example dot com")
    st, _, body = m.get("/me/sessions")
    assert st == 200, "the member's session works before the ban: %d" % st
    st, _, body = act(w.mod, pid, "ban", "Spam account")
    assert st == 303, "ban: %d %s" % (st, message_of(body))
    assert q(stack, "select status from users where id = %d" % m.user_id) == "banned"
    assert q(stack, "select count(*) from sessions where user_id = %d" % m.user_id) == "0"
    st, h, _ = m.get("/me/sessions")
    assert st == 303 and h.get("location", "").startswith("/login"), \
        "a banned member's session still works: %d %r" % (st, h.get("location"))
    st, _, _ = m.reply(pid, "still here?")
    assert st == 403, "a banned member's reply: %d, want 403" % st
    st, _, _ = Client(stack).login(m.handle, m.password)
    assert st != 303, "a banned member can log in again"


def test_escalate_and_note(stack):
    w = world(stack)
    m = w.member("escal")
    pid = w.thread(m, "Escalate", CRISIS_TEXT + " (escalate test)")
    ensure_flag(stack, pid, CRISIS_TEXT, "end it all", "crisis", "crisis.ideation", "crisis.end_it_all", 3)
    st, _, body = act(w.mod, pid, "escalate", "Unsure whether this is a plan; asking a senior moderator")
    assert st == 303, "escalate: %d %s" % (st, message_of(body))
    assert q(stack, "select status from review_items where post_id = %d" % pid) == "escalated"
    st, _, body = w.mod.get("/mod")
    row = [li for li in parse(body).find_all("li", class_="review-row")
           if li.find("a", href="/mod/p/%d" % pid) is not None]
    assert row and "Escalated" in row[0].text(), "the escalated item is not marked in the queue"
    note = "Sent them the helpline list privately %s" % uuid.uuid4().hex[:6]
    st, h, body = act(w.mod, pid, "note", note)
    assert st == 303, "note: %d %s" % (st, message_of(body))
    assert h.get("location", "").startswith("/mod/p/%d" % pid), "a note goes back to the post"
    assert q(stack, "select note from mod_notes where post_id = %d" % pid) == note
    st, _, body = w.mod.get("/mod/p/%d" % pid)
    sec = parse(body).find("section", class_="review-notes")
    assert sec is not None and note in sec.text(), "the note is not shown"


def test_moderator_cannot_act_on_own_post(stack):
    w = world(stack)
    pid = w.thread(w.mod, "A moderator's own post", CRISIS_TEXT + " (own post)")
    ensure_flag(stack, pid, CRISIS_TEXT, "end it all", "crisis", "crisis.ideation", "crisis.end_it_all", 3)
    state = q(stack, "select state from posts where id = %d" % pid)
    before = audit_count(stack)
    st, _, _ = act(w.mod, pid, "approve", "Looks fine to me")
    assert st == 403, "a moderator approving their own post: %d, want 403" % st
    assert q(stack, "select state from posts where id = %d" % pid) == state
    assert audit_count(stack) == before
    st, _, body = w.mod.get("/mod/p/%d" % pid)
    assert st == 200 and 'value="approve"' not in body.decode(), "the own post offers actions"


def test_bad_csrf_keeps_reason(stack):
    w = world(stack)
    m = w.member("csrf")
    pid = w.thread(m, "CSRF", "Nothing special here")
    before = audit_count(stack)
    st, _, body = w.mod.request("POST", "/mod/p/%d" % pid, form=[
        ("action", "hide"), ("reason", "kept reason text"), ("csrf", "not-the-token")])
    assert st == 403, "a bad CSRF token: %d, want 403" % st
    assert form_value(body, "reason") == "kept reason text", "the reason was lost"
    assert q(stack, "select state from posts where id = %d" % pid) == "visible"
    assert audit_count(stack) == before


# ---------------------------------------------------------------- who may

def test_members_get_403(stack):
    w = world(stack)
    m = w.member("nosy")
    pid = w.thread(m, "Nosy", "Just a post")
    before = audit_count(stack)
    for path in ("/mod", "/mod/p/%d" % pid, "/mod/audit", "/mod/audit?before=5"):
        st, _, body = m.get(path)
        assert st == 403, "a member's GET %s: %d, want 403" % (path, st)
        assert 'name="reason"' not in body.decode()
    st, _, body = m.post("/mod/p/%d" % pid, {"action": "approve", "reason": "I approve myself"})
    assert st == 403, "a member's POST /mod/p/%d: %d, want 403" % (pid, st)
    st, _, body = m.post("/mod/p/%d" % pid, {"action": "hide", "reason": "x"}, with_csrf=False)
    assert st == 403
    assert audit_count(stack) == before, "a member's POST wrote to the audit log"
    assert q(stack, "select state from posts where id = %d" % pid) == "visible"


def test_anonymous_redirected_to_login(stack):
    w = world(stack)
    m = w.member("anon")
    pid = w.thread(m, "Anon", "Words only moderators' pages would show: %s" % uuid.uuid4().hex)
    anon = Client(stack)
    for path in ("/mod", "/mod/p/%d" % pid, "/mod/audit"):
        st, h, _ = anon.get(path)
        assert st == 303 and h.get("location", "").startswith("/login"), \
            "anonymous GET %s: %d %r, want a redirect to /login" % (path, st, h.get("location"))
    st, _, body = anon.request("POST", "/mod/p/%d" % pid, form=[("action", "hide"), ("reason", "x")])
    assert st == 403, "anonymous POST /mod/p/%d: %d, want 403" % (pid, st)
    assert 'value="approve"' not in body.decode() and "review-source" not in body.decode(), \
        "an anonymous POST got the review page"
    assert q(stack, "select state from posts where id = %d" % pid) == "visible"


# ---------------------------------------------------------------- reports

def test_report_joins_queue(stack):
    w = world(stack)
    author = w.member("rauth")
    reporter = w.member("rrep")
    text = "Some ordinary words %s" % uuid.uuid4().hex[:6]
    pid = w.thread(author, "Report target", text)
    st, _, body = reporter.get("/p/%d/report" % pid)
    assert st == 200, "GET /p/%d/report: %d" % (pid, st)
    for code in ("crisis", "stigma", "spam", "other"):
        assert find_all(body, "input", name="reason", value=code), "no reason %r in the form" % code
    assert "Someone may be at risk" in body.decode()
    # Validation: no reason, details too long. The text stays.
    st, _, body = reporter.post("/p/%d/report" % pid, {"details": "keep me"})
    assert st == 422, "a report without a reason: %d, want 422" % st
    assert form_value(body, "details") == "keep me"
    st, _, body = reporter.post("/p/%d/report" % pid, {"reason": "other", "details": "y" * 1001})
    assert st == 422, "1001 characters of details: %d, want 422" % st
    assert form_value(body, "details") == "y" * 1001
    assert find_all(body, "input", name="reason", value="other", checked="checked"), "the choice was lost"
    assert q(stack, "select count(*) from flags where post_id = %d" % pid) == "0", "a refused report was stored"
    st, _, body = reporter.post("/p/%d/report" % pid, {"reason": "crisis", "details": "They sound in danger"})
    assert st == 200, "report: %d %s" % (st, message_of(body))
    t = text_of(body)
    assert "Thank you" in t, "no thank-you page"
    assert "flagged" not in t.lower()
    row = q(stack, "select source, top_category, category, reporter_id, reason, action from flags "
                   "where post_id = %d" % pid)
    assert row == "report|crisis|report.crisis|%d|They sound in danger|report" % reporter.user_id, \
        "flag row: %r" % row
    assert q(stack, "select lane || ',' || status from review_items where post_id = %d" % pid) == "crisis,open"
    # The same report twice adds nothing.
    reporter.post("/p/%d/report" % pid, {"reason": "crisis", "details": "again"})
    assert q(stack, "select count(*) from flags where post_id = %d" % pid) == "1", "a duplicate report was stored"
    st, _, body = w.mod.get("/mod")
    assert pid in queue_ids(body), "the reported post is not in the queue"
    st, _, body = w.mod.get("/mod/p/%d" % pid)
    sec = parse(body).find("section", class_="review-reports")
    assert sec is not None and "Someone may be at risk" in sec.text() and "They sound in danger" in sec.text()


def test_report_limits(stack):
    w = world(stack)
    author = w.member("rlim")
    other = w.member("rlim")
    pid = w.thread(author, "Own", "My own post")
    st, _, _ = author.get("/p/%d/report" % pid)
    assert st == 403, "reporting one's own post: %d, want 403" % st
    held = w.thread(author, "Held", "A held post")
    q(stack, "update posts set state = 'held' where id = %d" % held)
    st, _, _ = other.get("/p/%d/report" % held)
    assert st == 404, "reporting a post one cannot see: %d, want 404" % st
    st, _, _ = other.post("/p/%d/report" % held, {"reason": "spam"})
    assert st == 404
    st, _, _ = other.get("/p/999999999/report")
    assert st == 404
    st, h, _ = Client(stack).get("/p/%d/report" % pid)
    assert st == 303 and h.get("location", "").startswith("/login"), "anonymous report form: %d" % st
    st, _, body = Client(stack).request("POST", "/p/%d/report" % pid, form=[("reason", "spam"),
                                                                              ("details", "typed")])
    assert st == 403 and form_value(body, "details") == "typed", "anonymous report POST: %d" % st
    assert q(stack, "select count(*) from flags where post_id in (%d, %d)" % (pid, held)) == "0"


# ---------------------------------------------------------------- the audit log

def test_audit_log_is_append_only(stack):
    w = world(stack)
    m = w.member("audit")
    pid = w.thread(m, "Audit", "Audit me")
    st, _, _ = act(w.mod, pid, "note", "A note to have an audit row")
    assert st == 303
    for sql in ("update audit_log set reason = 'changed'", "delete from audit_log",
                "update audit_log set moderator_handle = 'someone' where post_id = %d" % pid):
        try:
            q(stack, sql)
        except RuntimeError as e:
            assert "append-only" in str(e), "%s failed for another reason: %s" % (sql, e)
        else:
            raise AssertionError("%s succeeded on the audit log" % sql)
    assert q(stack, "select count(*) from audit_log where reason = 'changed'") == "0"


def test_audit_log_pages(stack):
    w = world(stack)
    m = w.member("pages")
    pid = w.thread(m, "Pages", "Paginate the audit log")
    for i in range(55):
        q(stack, "insert into audit_log (moderator_handle, action, post_id, reason) values "
                 "('%s', 'note', %d, 'bulk %02d')" % (MOD_HANDLE, pid, i))
    st, _, body = w.mod.get("/mod/audit")
    assert st == 200
    ids = [int(tr.get("id")[1:]) for tr in parse(body).find_all("tr") if (tr.get("id") or "").startswith("a")]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True), "first page: %d rows %r" % (len(ids), ids[:5])
    older = [a.get("href") for a in find_all(body, "a") if (a.get("href") or "").startswith("/mod/audit?before=")]
    assert older == ["/mod/audit?before=%d" % ids[-1]], "older link: %r" % older
    st, _, body = w.mod.get(older[0])
    assert st == 200
    ids2 = [int(tr.get("id")[1:]) for tr in parse(body).find_all("tr") if (tr.get("id") or "").startswith("a")]
    assert ids2 and max(ids2) < min(ids), "second page overlaps the first"
