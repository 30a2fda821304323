"""Peer groups and meetings (issue 11, fcgi/page_group.c, sql/017_groups.sql).

The central point: a group's threads and posts exist only for its active
members and the site moderators. Every read path is asked, as an anonymous
reader, a member of the site outside the group, a member whose request is
still pending, a member, a facilitator and a moderator: thread pages,
permalinks, subthreads, reply/report/revisions/follow forms and their
refusals, category pages and feeds, the site feed, search, the home page,
notifications, member profiles, exports and error pages. Then membership
flows (open, request, invitation, leave), meetings (time in their zone,
RSVP, reminders with due times, the thread closed before the start), the
iCalendar files and the refusal paths (bad CSRF, too-long fields). Last,
private feed links (sql/021_feed_keys.sql): a member's key reads the group's
Atom feed and calendars without a session, is stored hashed, shown once,
exported without the key, and refused (the non-member's 404, byte for byte)
when wrong, replaced, revoked, or its member left, is pending, on a break or
banned; the group feed leaves out held, hidden, deleted and redacted posts
and never names an anonymous author."""

import hashlib
import json
import os
import re
import uuid
import xml.etree.ElementTree as ET

from client import Client, csrf_from, parse, post_id_from

STACK_OPTIONS = {"workers": 2, "cache": True, "conf": {
    "registrations_per_hour": "0", "new_member_days": "0",
    "post_threads_per_hour": "0", "post_replies_per_hour": "0", "post_per_minute": "0",
    "default_timezone": "Asia/Singapore",
}}
TIMEOUT = 180

SECRET_TITLE = "GRPSECRETTITLE thread of the quiet room"
SECRET_BODY = "GRPSECRETBODY only the members of the quiet room may read this."
SECRET_REPLY = "GRPSECRETREPLY a reply inside the group that mentions @grp_outsider and @grp_pending."
SECRETS = (b"GRPSECRET", b"quiet room may read")


def _user(stack, handle):
    c = Client(stack)
    st, _, body = c.register(handle)
    assert st == 303, "register %s: %d %r" % (handle, st, body[:300])
    return c


def _no_secret(body, what):
    for s in SECRETS:
        assert s not in body, "%s shows group content (%r): %r" % (what, s, body[:600])


def _setup(stack):
    if getattr(stack, "_groups", None):
        return stack._groups
    assert not getattr(stack, "_groups_tried", False), "the group setup failed in an earlier test"
    stack._groups_tried = True
    s = {}
    r = stack.hearthctl("group", "add", "quiet-room", "Quiet room", "A listed group QUIETDESC.", "--join", "request")
    assert r.returncode == 0, "group add: %s %s" % (r.stdout, r.stderr)
    r = stack.hearthctl("group", "add", "hidden-nook", "Hidden nook NOOKNAME", "Unlisted.", "--unlisted", "--join", "invite")
    assert r.returncode == 0, "group add unlisted: %s %s" % (r.stdout, r.stderr)
    r = stack.hearthctl("group", "add", "open-circle", "Open circle", "", "--join", "open")
    assert r.returncode == 0, "group add open: %s %s" % (r.stdout, r.stderr)
    r = stack.hearthctl("category", "add", "grp-public", "Public", "")
    for h in ("grp_fac", "grp_member", "grp_pending", "grp_outsider"):
        s[h] = _user(stack, h)
    for h, role in (("grp_fac", "facilitator"), ("grp_member", "member")):
        r = stack.hearthctl("group", "member", "quiet-room", h, role)
        assert r.returncode == 0, "group member %s: %s %s" % (h, r.stdout, r.stderr)
    r = stack.hearthctl("group", "member", "hidden-nook", "grp_fac", "facilitator")
    assert r.returncode == 0, r.stderr
    # grp_pending asks to join (request policy) and stays pending.
    st, loc, body = s["grp_pending"].post("/g/quiet-room/join", {})
    assert st == 303, "request to join: %d %r" % (st, body[:300])
    assert stack.psql("select m.status from group_members m join users u on u.id = m.user_id "
                      "where u.handle = 'grp_pending'").strip() == "pending"
    # The outsider writes a public post (its author is mentioned in the group).
    st, loc, body = s["grp_outsider"].new_thread("grp-public", "Outsider's public thread", "Hello everyone.")
    s["public_post"] = int(post_id_from(loc, body))
    # The member writes a group thread; the facilitator replies.
    st, loc, body = s["grp_member"].new_thread("group-quiet-room", SECRET_TITLE, SECRET_BODY)
    assert st == 303, "group thread: %d %r" % (st, body[:400])
    s["pid"] = int(post_id_from(loc, body))
    s["tid"] = int(stack.psql("select thread_id from posts where id = %d" % s["pid"]).strip())
    st, loc, body = s["grp_fac"].reply(s["pid"], SECRET_REPLY)
    assert st == 303, "group reply: %d %r" % (st, body[:400])
    s["reply"] = int(post_id_from(loc, body))
    assert stack.psql("select group_id is not null from threads where id = %d" % s["tid"]).strip() == "t"
    mod = Client(stack)
    st, _, _ = mod.login(stack.admin, stack.admin_password)
    assert st == 303, "moderator login: %d" % st
    s["mod"] = mod
    stack._groups = s
    return s


def _readers(stack, s):
    """Who must not see the group: anonymous, outsider, pending member."""
    return [("anonymous", Client(stack)), ("outsider", s["grp_outsider"]), ("pending", s["grp_pending"])]


def _paths(s):
    tid, pid, rep = s["tid"], s["pid"], s["reply"]
    return ["/t/%d" % tid, "/t/%d?after=1" % tid, "/p/%d" % pid, "/p/%d" % rep, "/p/%d/thread" % rep,
            "/t/%d/feed.atom" % tid, "/c/group-quiet-room", "/c/group-quiet-room/feed.atom",
            "/p/%d/reply" % pid, "/p/%d/reply?quote=1" % rep, "/p/%d/report" % rep, "/p/%d/revisions" % pid,
            "/p/%d/edit" % pid, "/p/%d/here" % rep, "/p/%d/posted" % pid, "/t/%d/follow" % tid,
            "/c/group-quiet-room/new"]


def test_non_members_get_404_on_every_group_address(stack):
    s = _setup(stack)
    for who, c in _readers(stack, s):
        for path in _paths(s):
            st, hd, body = c.get(path)
            if who == "anonymous" and st in (302, 303):
                continue        # a log-in form first: checked for members below
            assert st == 404, "%s GET %s: %d (want 404) %r" % (who, path, st, body[:300])
            _no_secret(body, "%s GET %s" % (who, path))


def test_members_facilitators_and_moderators_read_the_group(stack):
    s = _setup(stack)
    for who in ("grp_member", "grp_fac", "mod"):
        c = s[who]
        for path in ("/t/%d" % s["tid"], "/p/%d/thread" % s["reply"]):
            st, _, body = c.get(path)
            assert st == 200 and b"GRPSECRETREPLY" in body, "%s GET %s: %d" % (who, path, st)
        st, loc, _ = c.get("/p/%d" % s["reply"])
        assert st in (200, 303), "%s permalink: %d" % (who, st)
        st, _, body = c.get("/g/quiet-room")
        assert st == 200 and b"GRPSECRETTITLE" in body, "%s group page lists the thread: %d" % (who, st)
        st, _, body = c.get("/c/group-quiet-room")
        assert st == 200 and b"GRPSECRETTITLE" in body, "%s group category: %d" % (who, st)


def test_public_lists_never_show_group_content(stack):
    s = _setup(stack)
    everyone = _readers(stack, s) + [("member", s["grp_member"]), ("moderator", s["mod"])]
    for who, c in everyone:
        for path in ("/", "/feed.atom"):
            st, _, body = c.get(path)
            assert st == 200, "%s GET %s: %d" % (who, path, st)
            _no_secret(body, "%s GET %s" % (who, path))
        # Search echoes the words asked for: look for the rest of the text.
        for word in ("GRPSECRETBODY", "GRPSECRETTITLE", "GRPSECRETREPLY", "quiet"):
            st, _, body = c.get("/search?q=" + word)
            assert st == 200, "%s search %s: %d" % (who, word, st)
            for rest in (b"only the members", b"thread of the quiet room", b"a reply inside the group",
                         b"/t/%d" % s["tid"], b"/p/%d" % s["pid"]):
                assert rest not in body, "%s search %s finds group content %r" % (who, word, rest)
        # The group's category is not among the site's categories.
        st, _, body = c.get("/")
        assert b"/c/group-quiet-room" not in body, "%s: home page lists the group's category" % who


def test_profiles_show_group_posts_only_to_those_the_group_admits(stack):
    s = _setup(stack)
    for who, c in (("outsider", s["grp_outsider"]), ("pending", s["grp_pending"])):
        for handle in ("grp_member", "grp_fac"):
            st, _, body = c.get("/u/%s" % handle)
            assert st == 200, "%s GET /u/%s: %d" % (who, handle, st)
            _no_secret(body, "%s GET /u/%s" % (who, handle))
    st, _, body = s["grp_fac"].get("/u/grp_member")
    assert st == 200 and b"GRPSECRETBODY" in body, "a fellow member sees the group post on the profile"
    st, _, body = s["mod"].get("/u/grp_member")
    assert b"GRPSECRETBODY" in body, "a moderator sees the group post on the profile"


def test_notifications_do_not_carry_group_content_to_non_members(stack):
    s = _setup(stack)
    # The reply mentioned both: the trigger wrote rows, the rule hides them.
    n = stack.psql("select count(*) from notifications n join users u on u.id = n.user_id "
                   "where u.handle in ('grp_outsider', 'grp_pending') and n.post_id = %d" % s["reply"]).strip()
    assert n == "2", "mention rows written for the non-members: %s" % n
    for who in ("grp_outsider", "grp_pending"):
        st, _, body = s[who].get("/me/notifications")
        assert st == 200, "%s notifications: %d" % (who, st)
        _no_secret(body, "%s /me/notifications" % who)
        assert b"mentioned you" not in body, "%s sees the group mention: %r" % (who, body[:500])
        st, _, body = s[who].get("/")
        assert b'class="unread-count"' not in body, "%s: the header counts the group mention" % who
        nid = stack.psql("select n.id from notifications n join users u on u.id = n.user_id "
                         "where u.handle = '%s' and n.post_id = %d" % (who, s["reply"])).strip()
        st, _, body = s[who].post("/me/notifications/%s/read" % nid, {})
        assert st == 404, "%s marks a group notification read: %d" % (who, st)
        _no_secret(body, "%s mark read" % who)
    # The member is told of the facilitator's reply.
    st, _, body = s["grp_member"].get("/me/notifications")
    assert b"replied to your post" in body and b"GRPSECRETTITLE" in body, "member's notification: %r" % body[:800]


def test_refusals_and_error_pages_leak_nothing(stack):
    s = _setup(stack)
    out = s["grp_outsider"]
    typed = "My reply text OUTSIDERTYPED"
    # A bad token: 403 with the typed text back, nothing of the group.
    st, _, body = out.request("POST", "/p/%d/reply" % s["pid"], form=[
        ("body", typed), ("action", "post"), ("csrf", "wrong")])
    assert st == 403 and b"OUTSIDERTYPED" in body, "bad csrf reply: %d %r" % (st, body[:300])
    _no_secret(body, "bad-csrf reply refusal")
    # A right token: 404, as if nothing were there.
    for path, fields in (("/p/%d/reply" % s["pid"], {"body": typed, "action": "post"}),
                         ("/p/%d/edit" % s["pid"], {"body": typed, "action": "post"}),
                         ("/p/%d/report" % s["reply"], {"reason": "spam"}),
                         ("/p/%d/support" % s["reply"], {}),
                         ("/p/%d/here" % s["reply"], {}),
                         ("/p/%d/delete" % s["reply"], {"confirm": "yes"}),
                         ("/t/%d/follow" % s["tid"], {"level": "watch"}),
                         ("/c/group-quiet-room/new", {"title": "x", "body": typed, "action": "post"})):
        st, _, body = out.post(path, fields)
        assert st in (403, 404), "outsider POST %s: %d %r" % (path, st, body[:300])
        _no_secret(body, "outsider POST %s" % path)
    # A field too long (the dispatcher's check) on a group address: the
    # typed text back, nothing else.
    st, _, body = out.post("/p/%d/reply" % s["pid"], {"body": "y" * 50001, "action": "post"})
    assert st in (404, 422), "too-long reply: %d" % st
    _no_secret(body, "too-long reply refusal")
    # A member's too-long reply in the group: 422, the text kept.
    st, _, body = s["grp_member"].post("/p/%d/reply" % s["pid"], {"body": "KEPTREPLY" + "y" * 50001,
                                                                  "action": "post"})
    assert st == 422 and b"KEPTREPLY" in body, "member's too-long reply: %d" % st
    assert stack.psql("select count(*) from post_support where post_id = %d" % s["reply"]).strip() == "0"
    assert stack.psql("select count(*) from thread_prefs f join users u on u.id = f.user_id "
                      "where u.handle = 'grp_outsider' and f.thread_id = %d" % s["tid"]).strip() == "0"


def test_group_list_and_unlisted_groups(stack):
    s = _setup(stack)
    for who, c in _readers(stack, s):
        st, _, body = c.get("/g")
        assert st == 200 and b"Quiet room" in body and b"QUIETDESC" in body, "%s /g: %d" % (who, st)
        assert b"NOOKNAME" not in body and b"hidden-nook" not in body, "%s /g lists the unlisted group" % who
        st, _, body = c.get("/g/hidden-nook")
        assert st == 404 and b"NOOKNAME" not in body, "%s /g/hidden-nook: %d" % (who, st)
        st, _, body = c.get("/g/quiet-room")
        assert st == 200 and b"QUIETDESC" in body, "%s /g/quiet-room: %d" % (who, st)
        _no_secret(body, "%s /g/quiet-room" % who)
        assert b"grp_member" not in body, "%s sees the member list" % who
        assert not re.search(rb"\d+ members?\b", body), "%s sees how many belong" % who
        for path in ("/g/quiet-room/calendar.ics", "/g/nope", "/g/hidden-nook/calendar.ics"):
            st, _, body = c.get(path)
            assert st == 404, "%s GET %s: %d" % (who, path, st)
    st, _, body = s["grp_fac"].get("/g")
    assert b"NOOKNAME" in body, "the unlisted group is listed to its facilitator"
    st, _, body = s["mod"].get("/g/hidden-nook")
    assert st == 200, "a moderator sees the unlisted group: %d" % st


def test_membership_flows(stack):
    s = _setup(stack)
    u = _user(stack, "grp_joiner_%s" % uuid.uuid4().hex[:6])
    # Open: joins at once and reads.
    st, _, _ = u.post("/g/open-circle/join", {})
    assert st == 303
    st, _, body = u.get("/g/open-circle")
    assert b"You are a member" in body, "open join: %r" % body[:400]
    # Invitation only: refused without one.
    st, _, body = u.post("/g/hidden-nook/join", {})
    assert st == 404, "join an unlisted group uninvited: %d" % st
    # The facilitator invites; then the group shows to the invitee, who joins.
    st, _, body = s["grp_fac"].post("/g/hidden-nook/invite", {"handle": u.handle})
    assert st == 303, "invite: %d %r" % (st, body[:300])
    st, _, body = u.get("/g/hidden-nook")
    assert st == 200 and b"You are invited" in body, "invitee sees the group: %d" % st
    st, _, _ = u.post("/g/hidden-nook/join", {})
    st, _, body = u.get("/g/hidden-nook")
    assert b"You are a member" in body
    # Request: a member may not accept; the facilitator may.
    st, _, _ = u.post("/g/quiet-room/join", {})
    st, _, body = u.get("/t/%d" % s["tid"])
    assert st == 404, "a pending member reads the thread: %d" % st
    st, _, body = s["grp_member"].post("/g/quiet-room/accept", {"handle": u.handle})
    assert st == 403, "a plain member accepts: %d" % st
    st, _, body = s["grp_fac"].get("/g/quiet-room")
    assert u.handle.encode() in body and b"Asking to join" in body, "the facilitator sees the request"
    st, _, body = s["grp_fac"].post("/g/quiet-room/accept", {"handle": u.handle})
    assert st == 303, "accept: %d %r" % (st, body[:300])
    st, _, body = u.get("/t/%d" % s["tid"])
    assert st == 200 and b"GRPSECRETBODY" in body, "an accepted member reads the thread: %d" % st
    # Leaving: the thread is gone for them again, and their export masks
    # the titles of threads of groups they left.
    st, loc, body = u.reply(s["pid"], "Thank you for having me EXPORTMINE.")
    mine = int(post_id_from(loc, body))
    st, _, _ = s["grp_fac"].reply(mine, "GRPSECRETANSWER welcome, glad you are here.")
    assert st == 303, "facilitator answers: %d" % st
    st, _, body = u.get("/me/replies")
    assert b"GRPSECRETANSWER" in body, "a member sees replies to them in the group"
    st, _, _ = u.post("/g/quiet-room/leave", {})
    assert st == 303
    for path in ("/me/replies", "/me/notifications", "/"):
        st, _, body = u.get(path)
        assert st == 200, "former member GET %s: %d" % (path, st)
        _no_secret(body, "former member GET %s" % path)
    st, _, body = u.get("/t/%d" % s["tid"])
    assert st == 404, "a former member reads the thread: %d" % st
    st, _, body = u.get("/me/export")
    assert st == 200 and b"EXPORTMINE" in body, "export keeps their own words: %d" % st
    _no_secret(body, "former member's export")
    # Accept for someone who did not ask: 422, the form back.
    st, _, body = s["grp_fac"].post("/g/quiet-room/accept", {"handle": "grp_outsider"})
    assert st == 422 and b"no request" in body, "accept without request: %d %r" % (st, body[:300])


def test_facilitator_forms_refuse_bad_input_and_keep_the_text(stack):
    s = _setup(stack)
    fac = s["grp_fac"]
    base = {"title": "Kept title KEPTTITLE", "date": "2030-01-15", "time": "19:30", "minutes": "60",
            "tz": "Asia/Singapore"}
    st, _, body = fac.request("POST", "/g/quiet-room/meetings", form=list(base.items()) + [("csrf", "bad")])
    assert st == 403 and b"KEPTTITLE" in body, "bad csrf meeting: %d %r" % (st, body[:300])
    for change, want in (({"title": "t" * 121}, 422), ({"date": "2030-02-30"}, 422), ({"time": "25:00"}, 422),
                         ({"minutes": "2"}, 422), ({"tz": "Mars/Olympus"}, 422), ({"date": "2001-01-01"}, 422),
                         ({"tz": "z" * 65}, 422)):
        fields = dict(base, **change)
        st, _, body = fac.post("/g/quiet-room/meetings", fields)
        assert st == want, "meeting %r: %d (want %d) %r" % (change, st, want, body[:300])
        if "title" not in change:
            assert b"KEPTTITLE" in body, "meeting %r: the title was not kept" % change
        assert b'role="alert"' in body or b"form-error" in body or st == 422, "no message"
    st, _, body = s["grp_member"].post("/g/quiet-room/meetings", base)
    assert st == 403, "a plain member schedules: %d" % st
    st, _, body = s["grp_outsider"].post("/g/quiet-room/meetings", base)
    assert st == 404, "an outsider schedules: %d" % st
    _no_secret(body, "outsider schedules")
    st, _, body = fac.post("/g/quiet-room/invite", {"handle": "h" * 65})
    assert st == 422, "too-long handle: %d" % st
    assert stack.psql("select count(*) from meetings where title like 'Kept title%'").strip() == "0"


def _meeting(stack, s, title, date="2030-01-15", time="19:30", tz="Asia/Singapore"):
    st, hd, body = s["grp_fac"].post("/g/quiet-room/meetings", {"title": title, "date": date, "time": time,
                                                                 "minutes": "90", "tz": tz})
    assert st == 303, "schedule: %d %r" % (st, body[:400])
    mid = int(re.search(r"/meetings/(\d+)$", hd.get("location")).group(1))
    return mid


def test_meeting_page_time_zone_rsvp_and_closed_thread(stack):
    s = _setup(stack)
    mid = _meeting(stack, s, "Tuesday check-in")
    assert stack.psql("select to_char(starts_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') from meetings "
                      "where id = %d" % mid).strip() == "2030-01-15 11:30", "stored in UTC"
    st, _, body = s["grp_member"].get("/g/quiet-room/meetings/%d" % mid)
    assert st == 200, "meeting page: %d" % st
    text = parse(body).text()
    assert "Tuesday 15 January 2030, 19:30" in text and "Asia/Singapore" in text and "21:00" in text, \
        "time in the meeting's zone: %r" % text[:800]
    assert "opens for replies when the meeting starts" in text, "says when the thread opens"
    for who, c in _readers(stack, s):
        st, _, body = c.get("/g/quiet-room/meetings/%d" % mid)
        assert st == 404 and b"Tuesday check-in" not in body, "%s meeting page: %d" % (who, st)
        st, _, body = c.get("/g/quiet-room/meetings/%d/calendar.ics" % mid)
        assert st == 404, "%s meeting .ics: %d" % (who, st)
        st, _, body = c.post("/g/quiet-room/meetings/%d/rsvp" % mid, {"going": "yes"}) if who != "anonymous" \
            else (404, None, b"")
        assert st in (403, 404), "%s RSVP: %d" % (who, st)
    # The thread is closed before the start.
    tid = int(stack.psql("select thread_id from meetings where id = %d" % mid).strip())
    opening = int(stack.psql("select id from posts where thread_id = %d and parent_id is null" % tid).strip())
    st, _, body = s["grp_member"].reply(opening, "Early words EARLYWORDS.")
    body = body.encode() if isinstance(body, str) else body
    assert st == 403 and b"locked" in body, "reply before the start: %d %r" % (st, body[:300])
    assert stack.psql("select count(*) from posts where body_md like 'Early words%'").strip() == "0"
    stack.psql("update meetings set starts_at = now() - interval '1 minute' where id = %d" % mid)
    st, _, body = s["grp_member"].reply(opening, "On time ONTIMEWORDS.")
    assert st == 303, "reply after the start: %d %r" % (st, body[:300])
    st, _, body = s["grp_member"].get("/g/quiet-room/meetings/%d" % mid)
    assert b"it is open for replies" in body
    # RSVP.
    st, _, _ = s["grp_member"].post("/g/quiet-room/meetings/%d/rsvp" % mid, {"going": "yes"})
    assert st == 303
    st, _, _ = s["grp_fac"].post("/g/quiet-room/meetings/%d/rsvp" % mid, {"going": "no"})
    st, _, body = s["grp_member"].get("/g/quiet-room/meetings/%d" % mid)
    assert b"You said you are going" in body and b"grp_fac" in body, "RSVP list: %r" % body[:600]
    st, _, body = s["grp_member"].post("/g/quiet-room/meetings/%d/rsvp" % mid, {"going": "maybe"})
    assert st == 422, "a bad RSVP value: %d" % st


def test_meeting_reminders_become_visible_when_due(stack):
    s = _setup(stack)
    mid = _meeting(stack, s, "Soon REMINDME")
    # Two hours from now: only the hour-before reminder is still ahead.
    stack.psql("update meetings set starts_at = now() + interval '2 hours' where id = %d" % mid)
    st, _, _ = s["grp_member"].post("/g/quiet-room/meetings/%d/rsvp" % mid, {"going": "yes"})
    assert st == 303
    rows = stack.psql("select count(*) from notifications n join users u on u.id = n.user_id "
                      "where u.handle = 'grp_member' and n.kind = 'meeting' and n.due_at > now()").strip()
    assert rows == "1", "reminders written: %s" % rows
    st, _, body = s["grp_member"].get("/me/notifications")
    assert b"Reminder" not in body, "a reminder shows before it is due"
    stack.psql("update notifications set due_at = now() - interval '1 second', created_at = now() "
               "where kind = 'meeting'")
    st, _, body = s["grp_member"].get("/me/notifications")
    assert b"Reminder: a group meeting" in body and b"REMINDME" in body, "due reminder: %r" % body[:800]
    # Not going takes back what is not yet due; a non-member gets none.
    stack.psql("update meetings set starts_at = now() + interval '3 days' where id = %d" % mid)
    st, _, _ = s["grp_fac"].post("/g/quiet-room/meetings/%d/rsvp" % mid, {"going": "yes"})
    st, _, _ = s["grp_fac"].post("/g/quiet-room/meetings/%d/rsvp" % mid, {"going": "no"})
    assert stack.psql("select count(*) from notifications n join users u on u.id = n.user_id "
                      "where u.handle = 'grp_fac' and n.kind = 'meeting'").strip() == "0"


def _unfold(text):
    return text.replace("\r\n ", "")


def test_icalendar_files_are_valid(stack):
    s = _setup(stack)
    title = 'Check-in; with, commas \\ and a long title ' + "é" * 60
    mid = _meeting(stack, s, title, date="2031-03-02", time="08:05", tz="Europe/London")
    for path in ("/g/quiet-room/meetings/%d/calendar.ics" % mid, "/g/quiet-room/calendar.ics"):
        st, hd, body = s["grp_member"].get(path)
        assert st == 200, "GET %s: %d" % (path, st)
        assert hd.get("content-type", "").startswith("text/calendar"), "%s: %r" % (path, hd.get("content-type"))
        assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b""), "%s: CRLF lines only" % path
        for line in body.split(b"\r\n"):
            assert len(line) <= 75, "%s: a line of %d octets: %r" % (path, len(line), line)
            line.decode("utf-8")        # never folded inside a character
        text = _unfold(body.decode("utf-8"))
        lines = text.split("\r\n")
        assert lines[0] == "BEGIN:VCALENDAR" and "END:VCALENDAR" in lines and "VERSION:2.0" in lines
        assert "PRODID:-//Hearth//Peer groups//EN" in lines
        assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") >= 1
        want = "SUMMARY:Check-in\\; with\\, commas \\\\ and a long title " + "é" * 60
        assert want in lines, "%s: escaped summary missing: %r" % (path, [l for l in lines if l.startswith("SUMMARY")])
        assert "DTSTART:20310302T080500Z" in lines and "DTEND:20310302T093500Z" in lines, \
            "%s: start/end in UTC: %r" % (path, [l for l in lines if l.startswith("DT")])
        assert any(l.startswith("UID:meeting-%d@" % mid) for l in lines)
        assert any(l.startswith("DTSTAMP:") and l.endswith("Z") for l in lines)
    st, _, body = s["mod"].get("/g/quiet-room/meetings/%d/calendar.ics" % mid)
    assert st == 200, "a moderator's calendar: %d" % st



def test_facilitators_hide_and_pin_with_the_audit_log(stack):
    s = _setup(stack)
    fac = s["grp_fac"]
    st, loc, body = s["grp_member"].reply(s["pid"], "A reply HIDEME a facilitator will hide.")
    assert st == 303, "reply: %d" % st
    victim = int(post_id_from(loc, body))
    # Not a facilitator: refused, nothing changed.
    st, _, body = s["grp_member"].post("/g/quiet-room/hide", {"post": str(victim), "reason": "x"})
    assert st == 403, "a member hides: %d" % st
    st, _, body = s["grp_outsider"].post("/g/quiet-room/hide", {"post": str(victim), "reason": "x"})
    assert st == 404, "an outsider hides: %d" % st
    _no_secret(body, "outsider hide")
    # A post outside the group: refused with the reason kept.
    st, _, body = fac.post("/g/quiet-room/hide", {"post": str(s["public_post"]), "reason": "KEPTREASON"})
    assert st == 422 and b"KEPTREASON" in body, "hide a public post: %d" % st
    st, _, body = fac.post("/g/quiet-room/hide", {"post": str(victim), "reason": "r" * 1001})
    assert st == 422, "too-long reason: %d" % st
    st, _, body = fac.post("/g/quiet-room/hide", {"post": str(victim), "reason": "Names someone outside the group."})
    assert st == 303, "hide: %d %r" % (st, body[:300])
    assert stack.psql("select state || ':' || hide_reason from posts where id = %d" % victim).strip() == \
        "hidden:Names someone outside the group."
    st, _, body = s["mod"].get("/mod/audit")
    assert b"group hide" in body and b"Names someone outside the group." in body, "audit log: %r" % body[:500]
    st, _, body = s["grp_outsider"].get("/t/%d" % s["tid"])
    assert st == 404
    st, _, body = fac.get("/t/%d" % s["tid"])
    assert b"HIDEME" not in body, "a hidden post's text is shown to another member"
    # Pin and unpin.
    st, _, body = fac.post("/g/quiet-room/pin", {"thread": str(s["tid"])})
    assert st == 303, "pin: %d %r" % (st, body[:300])
    st, _, body = s["grp_member"].get("/g/quiet-room")
    assert b"Pinned by the facilitators" in body, "pinned list"
    st, _, body = fac.post("/g/quiet-room/pin", {"thread": "999999"})
    assert st == 422, "pin a thread of no group: %d" % st
    tid_public = int(stack.psql("select thread_id from posts where id = %d" % s["public_post"]).strip())
    st, _, body = fac.post("/g/quiet-room/pin", {"thread": str(tid_public)})
    assert st == 422, "pin a public thread: %d" % st
    st, _, body = fac.post("/g/quiet-room/pin", {"thread": str(s["tid"])})
    st, _, body = s["grp_member"].get("/g/quiet-room")
    assert b"Pinned by the facilitators" not in body, "unpinned"


def test_no_cache_file_holds_group_content(stack):
    s = _setup(stack)
    # Members and the anonymous reader read the group's thread and the public one.
    tid_public = int(stack.psql("select thread_id from posts where id = %d" % s["public_post"]).strip())
    for c in (s["grp_member"], s["grp_fac"], s["grp_outsider"], Client(stack)):
        for path in ("/t/%d" % s["tid"], "/t/%d" % tid_public):
            c.get(path)
    root = os.path.join(stack.tmp, "cache")
    found = []
    for d, _, files in os.walk(root):
        for f in files:
            try:
                with open(os.path.join(d, f), "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            found.append(f)
            assert b"GRPSECRET" not in data, "cache file %s holds group content" % os.path.join(d, f)
    assert found, "the cache stored nothing at all (is it on?): %r" % root


def test_moderators_create_groups_on_the_web(stack):
    s = _setup(stack)
    mod = s["mod"]
    fields = {"name": "Night owls KEPTNAME", "slug": "night-owls", "description": "For the small hours.",
              "listed": "yes", "join": "invite"}
    st, _, body = s["grp_member"].post("/g/new", fields)
    assert st == 403, "a member creates a group: %d" % st
    st, _, body = mod.request("POST", "/g/new", form=list(fields.items()) + [("csrf", "bad")])
    assert st == 403 and b"KEPTNAME" in body, "bad csrf: %d" % st
    st, _, body = mod.post("/g/new", dict(fields, name="n" * 81))
    assert st == 422, "too-long name: %d" % st
    st, _, body = mod.post("/g/new", dict(fields, slug="Bad Slug"))
    assert st == 422 and b"KEPTNAME" in body, "bad slug: %d" % st
    st, hd, body = mod.post("/g/new", fields)
    assert st == 303 and hd.get("location").endswith("/g/night-owls"), "create: %d %r" % (st, body[:300])
    st, _, body = mod.post("/g/new", fields)
    assert st == 409 and b"KEPTNAME" in body, "same address again: %d" % st
    st, _, body = Client(stack).get("/g")
    assert b"Night owls" in body, "the new listed group is on /g"
    assert stack.psql("select join_policy || ':' || listed from groups where slug = 'night-owls'").strip() == \
        "invite:true"
    assert stack.psql("select c.group_id = g.id from groups g join categories c on c.id = g.category_id "
                      "where g.slug = 'night-owls'").strip() == "t"


def test_moderators_cannot_move_threads_into_or_out_of_a_group(stack):
    """Moving changes who may read a thread: a group's thread moved to a
    public category would be public; a public one moved in would vanish."""
    s = _setup(stack)
    mod = s["mod"]
    public_tid = int(stack.psql("select thread_id from posts where id = %d" % s["public_post"]).strip())
    for tid, slug, what in ((s["tid"], "grp-public", "a group's thread out"),
                            (public_tid, "group-quiet-room", "a public thread into a group")):
        before = stack.psql("select category_id, group_id from threads where id = %d" % tid).strip()
        st, _, body = mod.post("/mod/t/%d" % tid, {"action": "move", "category": slug,
                                                  "reason": "testing a move %s" % what})
        assert st == 422, "moving %s: %d (want 422) %r" % (what, st, body[:300])
        after = stack.psql("select category_id, group_id from threads where id = %d" % tid).strip()
        assert after == before, "moving %s changed the thread: %s -> %s" % (what, before, after)
    _no_secret(Client(stack).get("/c/grp-public")[2], "the public category after the refused move")


# ---------------------------------------------------------------- private feed links
# (sql/021_feed_keys.sql): a member's key reads their groups' feeds and
# calendars without a session, and nothing else.

ATOM = "{http://www.w3.org/2005/Atom}"


def _make_key(c):
    """Makes (or replaces) c's private key on /me/feeds; returns it, read
    from the page that shows it once."""
    st, hd, body = c.post("/me/feeds", {"action": "new"})
    assert st == 303 and hd.get("location") == "/me/feeds/key", "make a key: %d %r" % (st, body[:300])
    st, hd, body = c.get("/me/feeds/key")
    assert st == 200, "the key page: %d" % st
    assert "no-store" in hd.get("cache-control", ""), "the key page may be stored: %r" % hd.get("cache-control")
    field = parse(body).find("input", id="feed-key")
    assert field is not None, "the key is not shown after it was made: %r" % body[:800]
    key = field.get("value")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", key or ""), "the key: %r" % key
    assert b"it is not shown again" in body, "the page does not say the key is shown once"
    return key


def _keyed(stack, path, key):
    """GET path?key=KEY with no cookie at all (a feed reader)."""
    return Client(stack).get("%s?key=%s" % (path, key))


def _atom(body, what):
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise AssertionError("%s is not well-formed XML (%s): %r" % (what, e, body[:500]))
    assert root.tag == ATOM + "feed", "%s: root %r" % (what, root.tag)
    for tag in ("id", "title", "updated"):
        assert root.find(ATOM + tag) is not None, "%s: the feed has no <%s>" % (what, tag)
    for e in root.findall(ATOM + "entry"):
        for tag in ("id", "title", "updated", "author", "content"):
            assert e.find(ATOM + tag) is not None, "%s: an entry has no <%s>" % (what, tag)
        assert e.find(ATOM + "author/" + ATOM + "name") is not None, "%s: an author without a name" % what
    return root


def _ics_ok(body, what):
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n"), \
        "%s is not an iCalendar file: %r" % (what, body[:200])
    lines = _unfold(body.decode("utf-8")).split("\r\n")
    assert "VERSION:2.0" in lines and lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT"), \
        "%s: %r" % (what, lines[:20])
    return lines


def _private_headers(hd, what):
    assert hd.get("cache-control") == "private, no-store", "%s: Cache-Control %r" % (what, hd.get("cache-control"))
    assert hd.get("referrer-policy") == "no-referrer", "%s: Referrer-Policy %r" % (what, hd.get("referrer-policy"))


def test_feed_key_is_made_shown_once_stored_hashed_and_exported(stack):
    _setup(stack)
    c = _user(stack, "fk_maker_%s" % uuid.uuid4().hex[:6])
    uid = int(stack.psql("select id from users where handle = '%s'" % c.handle).strip())
    st, _, body = c.get("/me/feeds")
    assert st == 200 and b"You have no private key" in body, "no key yet: %d" % st
    # No CSRF token: 403, nothing made.
    st, _, body = c.post("/me/feeds", {"action": "new"}, with_csrf=False)
    assert st == 403, "POST /me/feeds without csrf: %d" % st
    st, _, body = c.post("/me/feeds", {"action": "new", "csrf": "x" * 43})
    assert st == 403, "POST /me/feeds with a wrong csrf: %d" % st
    assert stack.psql("select count(*) from feed_keys where user_id = %d" % uid).strip() == "0"
    # An unknown action: 422 with the page.
    st, _, body = c.post("/me/feeds", {"action": "steal"})
    assert st == 422 and b"Nothing was changed" in body, "bad action: %d" % st
    key = _make_key(c)
    stored = stack.psql("select encode(key_hash, 'hex') from feed_keys where user_id = %d" % uid).strip()
    assert stored == hashlib.sha256(key.encode()).hexdigest(), "the key is not stored as its SHA-256"
    dump = stack.psql("select k::text from feed_keys k")
    assert key not in dump, "the key itself is in the table"
    # Shown once: not again, not on the account page.
    st, _, body = c.get("/me/feeds/key")
    assert st == 200 and key.encode() not in body and b"never shown twice" in body, "the key shown twice"
    st, _, body = c.get("/me/feeds")
    assert st == 200 and key.encode() not in body, "the account page shows the key"
    assert b"You have a private key, made" in body and b"Not used yet" in body, body[:1200]
    assert b"Revoke my key" in body
    # Used: the account page says when.
    st, _, _ = _keyed(stack, "/me/calendar.ics", key)
    assert st == 200
    st, _, body = c.get("/me/feeds")
    assert b"Last used" in body, "last use not shown"
    # The export: when it was made and used; never the key.
    st, _, body = c.get("/me/export")
    assert st == 200 and key.encode() not in body, "the export holds the key"
    doc = json.loads(body)
    assert doc["feed_key"]["created_at"].endswith("Z") and doc["feed_key"]["last_used"], doc.get("feed_key")
    # Used twice within five minutes: one touch only (last_used unchanged).
    before = stack.psql("select last_used from feed_keys where user_id = %d" % uid).strip()
    _keyed(stack, "/me/calendar.ics", key)
    assert stack.psql("select last_used from feed_keys where user_id = %d" % uid).strip() == before
    # Revoked: gone from the table and the export.
    st, hd, _ = c.post("/me/feeds", {"action": "revoke"})
    assert st == 303 and hd.get("location") == "/me/feeds?revoked=1"
    assert stack.psql("select count(*) from feed_keys where user_id = %d" % uid).strip() == "0"
    st, _, body = c.get("/me/export")
    assert json.loads(body)["feed_key"] is None
    st, _, _ = _keyed(stack, "/me/calendar.ics", key)
    assert st == 404, "a revoked key still reads: %d" % st


def test_feed_key_reads_its_members_private_groups_only(stack):
    s = _setup(stack)
    mid = _meeting(stack, s, "Keyed meeting KEYEDMEET")
    member_key = _make_key(s["grp_member"])
    fac_key = _make_key(s["grp_fac"])
    outsider_key = _make_key(s["grp_outsider"])
    pending_key = _make_key(s["grp_pending"])
    st, hd, body = _keyed(stack, "/g/quiet-room/feed.atom", member_key)
    assert st == 200, "a member's key on the group feed: %d %r" % (st, body[:300])
    assert hd.get("content-type") == "application/atom+xml; charset=utf-8"
    _private_headers(hd, "the keyed group feed")
    root = _atom(body, "the keyed group feed")
    assert b"GRPSECRETTITLE" in body, "the group's thread is not in its feed"
    assert root.find(ATOM + "link[@rel='self']").get("href").endswith("/g/quiet-room/feed.atom"), \
        "the self link (without the key)"
    assert member_key.encode() not in body, "the feed repeats the key"
    # The unlisted group, for its facilitator.
    st, hd, body = _keyed(stack, "/g/hidden-nook/feed.atom", fac_key)
    assert st == 200, "the facilitator's key on the unlisted group: %d" % st
    _atom(body, "the unlisted group's feed")
    # Calendars.
    for path in ("/g/quiet-room/calendar.ics", "/g/quiet-room/meetings/%d/calendar.ics" % mid, "/me/calendar.ics"):
        st, hd, body = _keyed(stack, path, member_key)
        assert st == 200 and hd.get("content-type", "").startswith("text/calendar"), "%s: %d" % (path, st)
        _private_headers(hd, path)
        lines = _ics_ok(body, path)
        assert any(l.startswith("UID:meeting-%d@" % mid) for l in lines), "%s: the meeting is missing" % path
    assert stack.psql("select count(*) from feed_keys k join users u on u.id = k.user_id "
                      "where u.handle = 'grp_member' and k.last_used is not null").strip() == "1"
    # A non-member's key, a pending member's key, a wrong key, a key of the
    # wrong shape, no key at all: the non-member's page, byte for byte.
    st, hd, stranger = Client(stack).get("/g/hidden-nook/feed.atom")
    assert st == 404
    for path in ("/g/hidden-nook/feed.atom", "/g/hidden-nook/calendar.ics", "/g/quiet-room/feed.atom",
                 "/g/quiet-room/calendar.ics", "/g/quiet-room/meetings/%d/calendar.ics" % mid):
        _, _, anon = Client(stack).get(path)
        for who, key in (("outsider", outsider_key), ("pending", pending_key), ("wrong", "A" * 43),
                         ("short", "abc"), ("member-key-on-nook", member_key if "nook" in path else "B" * 43)):
            st, hd, body = _keyed(stack, path, key)
            assert st == 404, "%s key on %s: %d" % (who, path, st)
            _private_headers(hd, "%s key on %s" % (who, path))
            assert body == anon, "%s key on %s: not the non-member's page" % (who, path)
            _no_secret(body, "%s key on %s" % (who, path))
            assert b"NOOKNAME" not in body and b"KEYEDMEET" not in body
    st, _, body = _keyed(stack, "/me/calendar.ics", outsider_key)
    assert st == 200 and b"KEYEDMEET" not in body, "the outsider's own calendar holds the group's meeting"
    st, _, body = _keyed(stack, "/me/calendar.ics", "A" * 43)
    assert st == 404
    # The key is no session: the rest of the site reads as anonymous.
    for path in ("/t/%d" % s["tid"], "/me/notifications", "/g/quiet-room"):
        st, _, body = _keyed(stack, path, member_key)
        assert st in (303, 404) or b"GRPSECRET" not in body, "the key opened %s: %d" % (path, st)
        _no_secret(body, "GET %s?key=" % path)
    # A session reads the group feed too (no key).
    st, hd, body = s["grp_member"].get("/g/quiet-room/feed.atom")
    assert st == 200 and b"GRPSECRETTITLE" in body, "the member's session on the feed: %d" % st
    _private_headers(hd, "the group feed by session")
    for who, c in _readers(stack, s):
        st, _, body = c.get("/g/quiet-room/feed.atom")
        assert st == 404, "%s on the group feed: %d" % (who, st)
        _no_secret(body, "%s on the group feed" % who)


def test_feed_key_refused_after_regenerate_leave_break_and_ban(stack):
    s = _setup(stack)
    u = _user(stack, "fk_nook_%s" % uuid.uuid4().hex[:6])
    st, _, _ = s["grp_fac"].post("/g/hidden-nook/invite", {"handle": u.handle})
    assert st == 303
    st, _, _ = u.post("/g/hidden-nook/join", {})
    assert st == 303
    path = "/g/hidden-nook/feed.atom"
    _, _, stranger = Client(stack).get(path)

    def refused(key, why):
        st, _, body = _keyed(stack, path, key)
        assert st == 404 and body == stranger, "%s: %d (want the non-member's 404)" % (why, st)

    def reads(key, why):
        st, _, body = _keyed(stack, path, key)
        assert st == 200, "%s: %d %r" % (why, st, body[:300])
        _atom(body, why)

    k1 = _make_key(u)
    reads(k1, "a new member's key")
    # Through nginx both times: nothing stored the first answer.
    k2 = _make_key(u)
    assert k2 != k1
    refused(k1, "the key replaced by a new one")
    reads(k2, "the new key")
    uid = stack.psql("select id from users where handle = '%s'" % u.handle).strip()
    stack.psql("update users set away_until = now() + interval '3 days' where id = %s" % uid)
    refused(k2, "the key of a member on a break")
    stack.psql("update users set away_until = null where id = %s" % uid)
    reads(k2, "back from the break")
    stack.psql("update users set status = 'banned' where id = %s" % uid)
    refused(k2, "a banned member's key")
    stack.psql("update users set status = 'active' where id = %s" % uid)
    reads(k2, "the ban lifted")
    st, _, _ = u.post("/g/hidden-nook/leave", {})
    assert st == 303
    refused(k2, "the key of a member who left")
    st, _, body = _keyed(stack, "/me/calendar.ics", k2)
    assert st == 200 and b"NOOKNAME" not in body, "the left group's meetings are still in my calendar"


def test_group_feed_leaves_out_held_hidden_deleted_redacted_and_anonymous_authors(stack):
    s = _setup(stack)
    anon = _user(stack, "fk_anon_%s" % uuid.uuid4().hex[:6])
    r = stack.hearthctl("group", "member", "quiet-room", anon.handle, "member")
    assert r.returncode == 0, r.stderr
    words = {}
    for kind in ("visible", "held", "hidden", "deleted", "redacted", "anonymous", "threadheld"):
        word = "FK%sWORD" % kind.upper()
        c = anon if kind == "anonymous" else s["grp_member"]
        if kind == "threadheld":
            st, loc, body = c.new_thread("group-quiet-room", "Held thread FKHELDTITLE", "Text " + word)
        else:
            st, loc, body = c.reply(s["pid"], "A group reply %s here." % word)
        assert st == 303, "%s: %d %r" % (kind, st, body[:300])
        words[kind] = int(post_id_from(loc, body))
    stack.psql("update posts set state = 'held' where id = %d" % words["held"])
    stack.psql("update posts set state = 'hidden', hide_reason = 'x' where id = %d" % words["hidden"])
    stack.psql("update posts set state = 'deleted' where id = %d" % words["deleted"])
    stack.psql("insert into redactions (post_id, original_md, original_html, reason) values "
               "(%d, 'o', 'o', 'test')" % words["redacted"])
    stack.psql("update posts set anonymous = true where id = %d" % words["anonymous"])
    stack.psql("update threads set state = 'held' where id = (select thread_id from posts where id = %d)"
               % words["threadheld"])
    key = _make_key(s["grp_member"])
    for how, get in (("key", lambda: _keyed(stack, "/g/quiet-room/feed.atom", key)),
                     ("session", lambda: s["grp_member"].get("/g/quiet-room/feed.atom")),
                     ("author's session", lambda: anon.get("/g/quiet-room/feed.atom"))):
        st, _, body = get()
        assert st == 200, "%s: %d" % (how, st)
        root = _atom(body, "the group feed by %s" % how)
        assert b"FKVISIBLEWORD" in body and b"FKANONYMOUSWORD" in body, "%s: visible posts missing" % how
        for kind in ("held", "hidden", "deleted", "redacted", "threadheld"):
            assert ("FK%sWORD" % kind.upper()).encode() not in body, "%s: the %s post is in the feed" % (how, kind)
        assert b"FKHELDTITLE" not in body
        assert anon.handle.encode() not in body, "%s: the anonymous author is named" % how
        entry = [e for e in root.findall(ATOM + "entry")
                 if e.find(ATOM + "id").text.endswith("/p/%d" % words["anonymous"])]
        assert entry and entry[0].find(ATOM + "author/" + ATOM + "name").text == \
            "a member who chose to stay anonymous", "%s: the anonymous entry's author" % how


def test_group_page_links_the_feed_and_the_private_links_for_members(stack):
    s = _setup(stack)
    st, _, body = s["grp_member"].get("/g/quiet-room")
    doc = parse(body)
    alt = [l for l in doc.find_all("link") if l.get("rel") == "alternate"]
    assert alt and alt[0].get("type") == "application/atom+xml" and \
        alt[0].get("href") == "/g/quiet-room/feed.atom", "the head's feed link: %r" % alt
    # The group's category page points at the group's feed, not the public category feed.
    st, _, cbody = s["grp_member"].get("/c/group-quiet-room")
    calt = [l.get("href") for l in parse(cbody).find_all("link") if l.get("rel") == "alternate"]
    assert st == 200 and calt == ["/g/quiet-room/feed.atom"], "the group category's feed link: %r" % calt
    hrefs = [a.get("href") for a in doc.find_all("a")]
    assert "/g/quiet-room/feed.atom" in hrefs and "/me/feeds" in hrefs and \
        "/g/quiet-room/calendar.ics" in hrefs, "Subscribe links: %r" % hrefs
    for who, c in _readers(stack, s):
        st, _, body = c.get("/g/quiet-room")
        assert b"/g/quiet-room/feed.atom" not in body and b"/me/feeds\"" not in body, \
            "%s sees the group's feed links" % who


def test_account_deletion_removes_the_feed_key(stack):
    _setup(stack)
    c = _user(stack, "fk_gone_%s" % uuid.uuid4().hex[:6])
    key = _make_key(c)
    uid = int(stack.psql("select id from users where handle = '%s'" % c.handle).strip())
    st, _, body = c.post("/me/delete", {"posts": "delete", "password": "correct horse battery staple",
                                        "confirm": "yes"})
    assert st == 200, "delete: %d %r" % (st, body[:300])
    assert stack.psql("select count(*) from feed_keys where user_id = %d" % uid).strip() == "0"
    st, _, _ = _keyed(stack, "/me/calendar.ics", key)
    assert st == 404
