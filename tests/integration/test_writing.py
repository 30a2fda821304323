"""Writing through the real stack: preview, quote, edit with revisions,
delete as a tombstone, the support reaction, locked threads and hidden
posts, the crisis resources panel, the stigma nudge, held posts, and the
log-in rate limit (a slow-down, not a lock-out)."""

import time

from client import Client, parse, find_all, post_id_from, texts_by_class


def _member(stack, handle):
    c = Client(stack)
    st, _, _ = c.register(handle)
    assert st == 303, "register %s: %d" % (handle, st)
    return c


def _category(stack, slug):
    stack.hearthctl("category", "add", slug, "Writing " + slug, "")


def _thread(stack, c, slug, title="A thread", body="An opening post."):
    st, loc, html = c.new_thread(slug, title, body)
    assert st == 303, "new thread: %d %s" % (st, html[:300])
    return int(post_id_from(loc, html))


def _followed(c, loc):
    """GET the page a write redirected to: (status, text)."""
    st, _, body = c.get(loc)
    return st, body.decode("utf-8")


def _tid(stack, pid):
    return int(stack.psql("select thread_id from posts where id = %d" % pid).strip())


def test_preview_renders_exactly_what_is_stored(stack):
    _category(stack, "w-preview")
    c = _member(stack, "w_preview")
    body = "Some *emphasis*, a [link](https://example.org) and\n\n> a quote"
    st, loc, html = c.new_thread("w-preview", "Preview me", body, action="preview")
    assert st == 200, "preview: %d" % st
    doc = parse(html)
    previews = [n for n in doc.find_all("section") if "preview" in (n.get("class") or "")]
    assert previews, "no preview section"
    preview_html = html[html.index('class="post-body"', html.index('id="preview-heading"')):]
    assert stack.psql("select count(*) from threads where title = 'Preview me'").strip() == "0", \
        "a preview stored a thread"
    assert "Some *emphasis*" in html, "the preview lost the typed text from the form"
    st, loc, html = c.new_thread("w-preview", "Preview me", body)
    assert st == 303
    pid = int(post_id_from(loc, html))
    stored = stack.psql("select body_html from posts where id = %d" % pid).strip()
    assert stored and stored.split("\n")[0] in preview_html, "the preview differs from the stored HTML"
    assert 'rel="nofollow ugc noopener"' in stored


def test_reply_three_levels_and_quote(stack):
    _category(stack, "w-tree")
    a, b = _member(stack, "w_tree_a"), _member(stack, "w_tree_b")
    op = _thread(stack, a, "w-tree", "Tree", "The root of the tree.")
    ids = [op]
    for level in range(3):
        who = b if level % 2 == 0 else a
        st, loc, html = who.reply(ids[-1], "Level %d reply" % (level + 1))
        assert st == 303, "reply level %d: %d" % (level + 1, st)
        ids.append(int(post_id_from(loc, html)))
    depths = stack.psql("select array_length(path, 1) from posts where id in (%s) order by id"
                        % ",".join(map(str, ids))).split()
    assert depths == ["1", "2", "3", "4"], "nesting depths: %r" % depths
    st, _, body = b.get("/p/%d/reply?quote=1" % ids[1])
    assert st == 200
    textarea = find_all(body, "textarea")[0].text()
    assert "> Level 1 reply" in textarea and "w_tree_b wrote" in textarea, "quote not prefilled: %r" % textarea


def test_edit_keeps_revisions_for_moderators(stack):
    _category(stack, "w-edit")
    a = _member(stack, "w_edit_a")
    pid = _thread(stack, a, "w-edit", "Edit me", "First version of my words.")
    st, loc, html = a.edit(pid, "Second version of my words.", title="Edit me")
    assert st == 303, "edit: %d" % st
    assert stack.psql("select revision, edited_at is not null from posts where id = %d" % pid).strip() == "2|t"
    assert "First version" in stack.psql("select body_md from post_revisions where post_id = %d" % pid)
    st, _, page = a.get("/t/%d" % _tid(stack, pid))
    assert "edited" in page.decode(), "the thread page does not say the post was edited"
    other = _member(stack, "w_edit_other")
    st, _, _ = other.get("/p/%d/revisions" % pid)
    assert st == 403, "a member read someone else's old versions: %d" % st
    st, _, _ = other.request("POST", "/p/%d/edit" % pid, form=[("title", "x"), ("body", "taken over"),
                                                                ("action", "post"), ("csrf", other.csrf or other.refresh_csrf())])
    assert st == 403, "editing someone else's post: %d" % st
    r = stack.hearthctl("create-admin", "w_mod", "--password-stdin", input="moderator password 1\n")
    assert r.returncode == 0
    m = Client(stack)
    assert m.login("w_mod", "moderator password 1")[0] == 303
    st, _, body = m.get("/p/%d/revisions" % pid)
    assert st == 200 and "First version of my words." in body.decode(), "a moderator cannot read old versions"


def test_delete_leaves_a_tombstone_with_replies(stack):
    _category(stack, "w-del")
    a, b = _member(stack, "w_del_a"), _member(stack, "w_del_b")
    op = _thread(stack, a, "w-del", "Delete test", "Opening words.")
    st, loc, html = b.reply(op, "A reply that will be deleted.")
    rid = int(post_id_from(loc, html))
    st, loc, html = a.reply(rid, "A reply under the deleted one.")
    assert st == 303
    st, _, _ = b.post("/p/%d/delete" % rid, {"confirm": "yes"})
    assert st == 303, "delete: %d" % st
    assert stack.psql("select state, body_md from posts where id = %d" % rid).strip() == "deleted|"
    st, _, page = Client(stack).get("/t/%d" % _tid(stack, op))
    text = page.decode()
    assert "deleted by its author" in text and "A reply under the deleted one." in text, \
        "tombstone or its reply missing"
    assert "A reply that will be deleted." not in text


def test_support_is_one_per_member_and_toggles(stack):
    _category(stack, "w-sup")
    a, b = _member(stack, "w_sup_a"), _member(stack, "w_sup_b")
    pid = _thread(stack, a, "w-sup", "Support", "Please hear me.")
    assert b.post("/p/%d/support" % pid, {})[0] == 303
    assert stack.psql("select support_count from posts where id = %d" % pid).strip() == "1"
    assert b.post("/p/%d/support" % pid, {})[0] == 303
    assert stack.psql("select support_count from posts where id = %d" % pid).strip() == "0", \
        "a second press did not take the reaction back"
    assert b.post("/p/%d/support" % pid, {})[0] == 303
    assert a.post("/p/%d/support" % pid, {})[0] == 403, "members can react to their own post"
    assert stack.psql("select count(*) from post_support where post_id = %d" % pid).strip() == "1"
    st, _, _ = b.request("POST", "/p/%d/support" % pid, form=[("csrf", "forged")])
    assert st == 403, "support without a valid csrf: %d" % st


def test_locked_thread_and_hidden_post_refuse_replies(stack):
    _category(stack, "w-lock")
    a, b = _member(stack, "w_lock_a"), _member(stack, "w_lock_b")
    op = _thread(stack, a, "w-lock", "Locked", "Opening.")
    st, loc, html = a.reply(op, "A reply to hide.")
    hidden = int(post_id_from(loc, html))
    stack.psql("update posts set state = 'hidden', hide_reason = 'test' where id = %d" % hidden)
    st, _, html = b.reply(hidden, "Replying to a hidden post")
    assert st in (403, 404), "reply to a hidden post: %d" % st
    assert "Replying to a hidden post" not in stack.psql("select string_agg(body_md, '|') from posts")
    stack.psql("update threads set locked = true where id = %d" % _tid(stack, op))
    st, _, html = b.reply(op, "Replying to a locked thread")
    assert st == 403, "reply to a locked thread: %d" % st
    assert stack.psql("select count(*) from posts where body_md = 'Replying to a locked thread'").strip() == "0"


def test_crisis_post_shows_resources_and_stays_visible(stack):
    _category(stack, "w-crisis")
    a = _member(stack, "w_crisis_a")
    st, loc, html = a.new_thread("w-crisis", "Tonight", "I want to end it all tonight")
    assert st == 303 and "/posted" in (loc or ""), \
        "a crisis post should redirect to the resources page (a reload must not post again): %d %r" % (st, loc)
    st, html = _followed(a, loc)
    assert "Samaritans of Singapore" in html and "1767" in html, "crisis resources not shown"
    assert "flagged" not in html.lower(), "the words 'flagged' reached the author"
    state = stack.psql("select p.state, r.lane from posts p join review_items r on r.post_id = p.id "
                       "where p.body_md = 'I want to end it all tonight'").strip()
    assert state == "visible|crisis", "crisis post state and lane: %r" % state


def test_method_detail_is_held_with_a_calm_notice(stack):
    _category(stack, "w-held")
    a = _member(stack, "w_held_a")
    body = "I have saved up 60 of my sleeping pills and I am taking all of them tonight"
    st, loc, html = a.new_thread("w-held", "Pills", body)
    assert st == 303, "a held post: %d" % st
    st, html = _followed(a, loc)
    assert st == 200, "the held notice: %d" % st
    assert "only you and" in html.lower() and "moderator" in html.lower(), "no calm hold notice"
    assert "flagged" not in html.lower()
    assert stack.psql("select state from posts where body_md = '%s'" % body).strip() == "held"
    tid = int(stack.psql("select thread_id from posts where body_md = '%s'" % body).strip())
    st, _, _ = Client(stack).get("/t/%d" % tid)
    assert st == 404, "a held thread is visible to anonymous readers: %d" % st
    st, _, page = a.get("/t/%d" % tid)
    assert st == 200 and "sleeping pills" in page.decode(), "the author cannot see their held post"


def test_stigma_nudge_shows_wording_and_alternative(stack):
    _category(stack, "w-nudge")
    a = _member(stack, "w_nudge_a")
    body = "My coworker is so OCD about the printer settings, honestly."
    st, loc, html = a.new_thread("w-nudge", "Family", body, ack_nudge=False)
    assert "say what you mean" in html or "perhaps" in html, "no suggestion shown"
    assert st == 200, "the nudge should come back as the form: %d" % st
    assert "so OCD" in html and "particular" in html, "nudge lacks wording or alternative"
    assert 'name="nudge_ack"' in html
    assert body in html, "the author's text was not kept"
    assert stack.psql("select count(*) from threads where title = 'Family'").strip() == "0"
    st, loc, html = a.new_thread("w-nudge", "Family", body)      # posts as it is
    assert st in (200, 303)
    assert stack.psql("select count(*) from threads where title = 'Family'").strip() == "1"


def test_no_wording_nudge_for_someone_in_crisis(stack):
    _category(stack, "w-nocrit")
    a = _member(stack, "w_nocrit_a")
    body = "I keep thinking about committing suicide and I feel so alone"
    st, loc, html = a.new_thread("w-nocrit", "Alone", body, ack_nudge=False)
    assert st == 303, "a crisis post was not posted at once: %d" % st
    st, html = _followed(a, loc)
    assert st == 200 and "Samaritans" in html, "crisis resources not shown: %d" % st
    assert 'name="nudge_ack"' not in html and "A thought about some wording" not in html, \
        "someone writing about a crisis was nudged about their wording"
    assert stack.psql("select count(*) from threads where title = 'Alone'").strip() == "1", \
        "the crisis post was not posted at once"


def test_failed_logins_slow_down_but_do_not_lock_out(stack):
    a = _member(stack, "w_login_a")
    c = Client(stack)
    statuses = [c.login("w_login_a", "wrong password %d" % i)[0] for i in range(7)]
    assert statuses[:5] == [403] * 5, "wrong passwords: %r" % statuses
    assert 429 in statuses[5:], "no slow-down after five failures: %r" % statuses
    st, hd, body = c.login("w_login_a", a.password)
    assert st == 429 and "wait" in body.decode().lower(), "the slow-down does not say to wait: %d" % st
    wait = int(hd.get("retry-after", "0"))
    assert 0 < wait <= 60, "Retry-After %r" % wait
    time.sleep(wait + 0.5)
    st, _, _ = c.login("w_login_a", a.password)
    assert st == 303, "the member could not log in after waiting: %d" % st


def test_the_same_post_twice_is_not_stored_twice(stack):
    """A reload or a double click: the same text by the same member to the
    same post within ten minutes is refused with 409 (its address named, the
    text kept); the same text to another post, or by another member, is a
    reply of its own."""
    _category(stack, "w-twice")
    a = _member(stack, "w_twice_a")
    b = _member(stack, "w_twice_b")
    op = _thread(stack, a, "w-twice", "Twice", "An opening post to answer twice.")
    st, loc, html = b.reply(op, "The same words, sent twice.")
    assert st == 303, "first reply: %d %s" % (st, html[:300])
    first = int(post_id_from(loc, html))
    st, _, html = b.reply(op, "The same words, sent twice.")
    assert st == 409, "the same reply again: %d, want 409" % st
    assert "/p/%d" % first in html and "The same words, sent twice." in html, html[:500]
    assert stack.psql("select count(*) from posts where parent_id = %d and body_md = "
                      "'The same words, sent twice.'" % op).strip() == "1", "stored twice"
    # Another parent, another member: not a repeat.
    st, _, html = b.reply(first, "The same words, sent twice.")
    assert st == 303, "the same words to another post: %d %s" % (st, html[:300])
    st, _, html = a.reply(op, "The same words, sent twice.")
    assert st == 303, "the same words by another member: %d %s" % (st, html[:300])
    # A deleted reply does not count.
    stack.psql("update posts set state = 'deleted' where id = %d" % first)
    st, _, html = b.reply(op, "The same words, sent twice.")
    assert st == 303, "the same words after the first was deleted: %d %s" % (st, html[:300])
    # A new thread with the same title and text.
    st, _, html = a.new_thread("w-twice", "Twice", "An opening post to answer twice.")
    assert st == 409, "the same thread again: %d, want 409" % st
