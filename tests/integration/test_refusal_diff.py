"""Refusals, differentially: a refused POST shows no more than the page it
refuses (audit round 10).

Earlier rounds found a refused POST that re-rendered a page with a hidden
post in it, and an edit that skipped a hold, one case at a time
(test_access_audit.py, test_block_reach.py). This module asks the question
for every POST row of fcgi/route.c at once:

  For each route (ROUTES below: one line per route), each viewer who can
  send it, each refusal we can cause (no CSRF token, a wrong one, a field
  one character too long, a required field missing or empty, a choice no
  form offers) and each id the route can be given (ids the viewer may see
  and ids they may not), the refusal's body is compared with the GET of the
  same page by the same viewer, just after it:

    - every marker word in the refusal is in the GET (the refusal may show
      less, never more);
    - the status is 4xx (never 5xx, never a success: a refusal that went
      through means the table is wrong);
    - where the answer holds a form that sends to the same address again,
      the text the viewer typed is in it;
    - a 404 names nothing: no marker and no member's handle but the
      viewer's own (the header).

The world holds one of each thing that must stay private to some viewers,
each with a unique marker: a held and a hidden post (with its reason) in a
public thread, a deleted post, an anonymous post (the marker: its author's
handle), a post under a content warning, a private group with a thread, an
unlisted group (its name too), a group meeting, a member X who blocked a
member Y (the marker: any word "block" Y is shown), a conversation, and a
thread in the deleted state.

Not covered, and why, is in NOT_COVERED at the end of the table: every
POST row of fcgi/route.c is either in ROUTES or there
(test_every_post_route_is_in_the_table).
"""

import re
import uuid

from client import Client, find_all, message_of, parse, post_id_from
from test_access import parse_route_c

STACK_OPTIONS = {"workers": 2, "cache": True, "conf": {
    # Limits high enough for the world's set-up (a few posts per member),
    # low enough for the last test to reach them (RATE_ROUTES).
    "registrations_per_hour": "0", "new_member_days": "0", "post_per_minute": "0",
    "post_threads_per_hour": "5", "post_replies_per_hour": "12",
    "message_min_account_hours": "0", "message_min_posts": "1",
    "message_per_minute": "0", "message_per_hour": "0",
    "default_timezone": "Asia/Singapore",
}}
TIMEOUT = 900

HELD_TEXT = "I have saved up 60 of my sleeping pills and I am taking all of them tonight"
TYPED = "Typedwords kestrel"        # what the viewer typed: must come back in a form
NEVER = 999999999

VIEWERS = ("visitor", "author", "other", "x", "y", "gmember", "nonmember", "fac", "mod")

# ---------------------------------------------------------------- the table

# One line per POST route:
#   (pattern, page, fields, refusals, fills)
# pattern   the route's address with {kind} for its parameters (fills below)
# page      the GET that shows the same page to the same viewer (a redirect
#           is followed), with the same {kind} parameters
# fields    what a viewer would type; TYPED marks the text that must come back
# refusals  from REFUSALS: "nocsrf", "badcsrf", "long:FIELD" (one character
#           over the declared maximum, TYPED kept at its start),
#           "missing:FIELD", "empty:FIELD" (blank), "set:FIELD=VALUE" (a
#           value no form offers), "asis" (the fields as they are: only for
#           rows whose fills are things nobody may act on with them)
#           and, optionally, viewers for whom the row's refusal would go
#           through (left out)
# fills     kind -> which objects (World.fill): "all" or a named subset
#
# Rows that change state when a request goes through (support, here, block,
# join, leave, delete, pin, feeds...) list only refusals that cannot go
# through.
ROUTES = [
    ("/t/{thread}/follow", "/t/{thread}/follow", [("level", "mute")],
     ("nocsrf", "badcsrf", "long:level", "set:level=sometimes", "missing:level"), {"thread": "all"}),
    ("/me/notifications/{notification}/read", "/me/notifications", [],
     ("nocsrf", "badcsrf"), {"notification": "all"}),
    ("/me/notifications/read-all", "/me/notifications", [], ("nocsrf", "badcsrf"), {}),
    ("/register", "/register", [("handle", TYPED.replace(" ", "_")), ("password", "short"), ("confirm", "other")],
     ("nocsrf", "badcsrf", "long:handle", "long:password", "missing:password", "asis"), {}),
    ("/login", "/login", [("handle", TYPED.replace(" ", "_")), ("password", "wrong password")],
     ("nocsrf", "badcsrf", "long:handle", "missing:password", "asis"), {}),
    ("/logout", "/", [], ("nocsrf", "badcsrf"), {}),
    ("/forgot", "/forgot", [("handle", TYPED.replace(" ", "_")), ("code", "nope"), ("new", "x"), ("confirm", "y")],
     ("nocsrf", "badcsrf", "long:handle", "missing:code", "asis"), {}),
    ("/me/password", "/me/password", [("current", "wrong"), ("new", "x"), ("confirm", "y")],
     ("nocsrf", "badcsrf", "long:new", "missing:current", "asis"), {}),
    ("/me/sessions/end", "/me/sessions", [("session", "nosuchsession")],
     ("nocsrf", "badcsrf", "long:session", "missing:session", "asis"), {}),
    ("/me/delete", "/me/delete", [("password", "wrong"), ("posts", "keep")],
     ("nocsrf", "badcsrf", "long:password", "set:posts=nonsense", "asis"), {}),
    ("/me/settings", "/me/settings", [("cw_open", "1"), ("mute", "{category}")],
     ("nocsrf", "badcsrf", "long:mute", "set:mute=Not a slug"), {"category": "all"}),
    ("/me/recovery", "/me/recovery", [("password", "wrong")],
     ("nocsrf", "badcsrf", "long:password", "missing:password", "asis"), {}),
    ("/me/break", "/me/break", [("days", "7")],
     ("nocsrf", "badcsrf", "long:days", "missing:confirm"), {}),
    ("/c/{category}/new", "/c/{category}/new",
     [("title", "A title"), ("warning", ""), ("body", TYPED), ("action", "post")],
     ("nocsrf", "badcsrf", "long:title", "long:body", "empty:body", "empty:title"), {"category": "all"}),
    ("/p/{post}/reply", "/p/{post}/reply", [("body", TYPED), ("action", "post")],
     ("nocsrf", "badcsrf", "long:body", "empty:body", "long:warning"), {"post": "all"}),
    ("/p/{post}/edit", "/p/{post}/edit", [("body", TYPED), ("action", "post")],
     ("nocsrf", "badcsrf", "long:body", "empty:body", "long:title"), {"post": "all"}),
    ("/p/{post}/delete", "/p/{post}/edit", [("confirm", "no")],
     ("nocsrf", "badcsrf", "long:confirm", "asis"), {"post": "all"}),
    ("/p/{post}/support", "/p/{post}", [], ("nocsrf", "badcsrf", "asis"), {"post": "unreachable"}),
    ("/p/{post}/here", "/p/{post}/here", [], ("nocsrf", "badcsrf", "asis"), {"post": "unreachable"}),
    ("/p/{post}/report", "/p/{post}/report", [("details", TYPED)],
     ("nocsrf", "badcsrf", "long:details", "missing:reason", "set:reason=nonsense"), {"post": "all"}),
    ("/mod/p/{post}", "/mod/p/{post}", [("action", "hide"), ("reason", TYPED)],
     ("nocsrf", "badcsrf", "long:reason", "missing:action", "set:action=nonsense", "empty:reason"), {"post": "all"}),
    ("/mod/p/{post}/reveal", "/mod/p/{post}", [("reveal_reason", TYPED)],
     ("nocsrf", "badcsrf", "long:reveal_reason", "missing:reveal_reason", "empty:reveal_reason"), {"post": "all"}),
    ("/mod/u/{handle}", "/mod/u/{handle}", [("action", "silence"), ("for", "hour"), ("reason", TYPED)],
     ("nocsrf", "badcsrf", "long:reason", "missing:action", "set:action=nonsense", "empty:reason"),
     {"handle": "all"}),
    ("/mod/t/{thread}", "/mod/t/{thread}", [("action", "lock"), ("reason", TYPED)],
     ("nocsrf", "badcsrf", "long:reason", "missing:action", "set:action=nonsense", "empty:reason"),
     {"thread": "all"}),
    ("/me/settings/messages", "/me/settings", [("messages_from", "nobody")],
     ("nocsrf", "badcsrf", "long:messages_from", "set:messages_from=nonsense"), {}),
    ("/m/new", "/m/new", [("to", "{handle}"), ("body", TYPED), ("action", "send")],
     ("nocsrf", "badcsrf", "long:body", "empty:body"), {"handle": "all"}),
    ("/m/{conv}", "/m/{conv}", [("body", TYPED), ("action", "send")],
     ("nocsrf", "badcsrf", "long:body", "empty:body"), {"conv": "all"}),
    ("/m/{conv}/leave", "/m/{conv}", [], ("nocsrf", "badcsrf"), {"conv": "all"}),
    ("/msg/{message}/report", "/msg/{message}/report", [("details", TYPED)],
     ("nocsrf", "badcsrf", "long:details", "missing:reason"), {"message": "all"}),
    ("/u/{handle}/block", "/u/{handle}", [], ("nocsrf", "badcsrf"), {"handle": "all"}),
    ("/u/{handle}/unblock", "/u/{handle}", [], ("nocsrf", "badcsrf"), {"handle": "all"}),
    ("/mod/m/{message}", "/mod/m/{message}", [("action", "hide"), ("reason", TYPED)],
     ("nocsrf", "badcsrf", "long:reason", "missing:action", "empty:reason"), {"message": "all"}),
    ("/mod/p/{post}/contact", "/mod/p/{post}/contact", [("body", TYPED), ("action", "send")],
     ("nocsrf", "badcsrf", "long:body", "empty:body"), {"post": "all"}),
    ("/g/new", "/g/new", [("slug", "rd-new"), ("name", TYPED), ("join", "open")],
     ("nocsrf", "badcsrf", "long:name", "missing:join", "set:slug=Bad Slug!"), {}),
    ("/g/{group}/join", "/g/{group}", [], ("nocsrf", "badcsrf"), {"group": "all"}),
    ("/g/{group}/join", "/g/{group}", [], ("asis",), {"group": "invite_only"}, ("fac",)),
    ("/g/{group}/leave", "/g/{group}", [], ("nocsrf", "badcsrf"), {"group": "all"}),
    ("/g/{group}/accept", "/g/{group}", [("handle", "{handle}")],
     ("nocsrf", "badcsrf", "long:handle", "missing:handle", "set:handle=no-such-member"), {"group": "all",
                                                                                           "handle": "all"}),
    ("/g/{group}/invite", "/g/{group}", [("handle", TYPED.replace(" ", "_"))],
     ("nocsrf", "badcsrf", "long:handle", "missing:handle", "asis"), {"group": "all"}),
    ("/g/{group}/hide", "/g/{group}", [("post", "{post}"), ("reason", TYPED)],
     ("nocsrf", "badcsrf", "long:reason", "empty:reason", "missing:post"), {"group": "all", "post": "all"}),
    ("/g/{group}/hide", "/g/{group}", [("post", "{post}"), ("reason", TYPED)],
     ("asis",), {"group": "all", "post": "unreachable"}),
    ("/g/{group}/pin", "/g/{group}", [("thread", "{thread}")],
     ("nocsrf", "badcsrf", "long:thread", "missing:thread", "set:thread=abc"), {"group": "all", "thread": "all"}),
    ("/g/{group}/pin", "/g/{group}", [("thread", "{thread}")],
     ("asis",), {"group": "all", "thread": "elsewhere"}),
    ("/g/{group}/meetings", "/g/{group}", [("title", TYPED), ("date", "2031-02-30"), ("time", "19:30"),
                                            ("minutes", "60"), ("tz", "Asia/Singapore")],
     ("nocsrf", "badcsrf", "long:title", "empty:title", "asis", "missing:tz"), {"group": "all"}),
    ("/g/{group}/meetings/{meeting}/rsvp", "/g/{group}/meetings/{meeting}", [("going", "maybe")],
     ("nocsrf", "badcsrf", "long:going", "missing:going", "asis"), {"group": "all", "meeting": "all"}),
    ("/me/feeds", "/me/feeds", [("action", "nonsense")],
     ("nocsrf", "badcsrf", "long:action", "missing:action", "asis"), {}),
]

# Rows where every refusal gives the text typed back to a member.
KEEPS_TEXT = {"/p/{post}/reply", "/p/{post}/edit", "/c/{category}/new"}

# Routes with a rate limit: asked last (test_rate_limited_refusals), once each
# viewer has posted up to the limit, with the fields as they are ("rate").
RATE_ROUTES = [
    ("/p/{post}/reply", "/p/{post}/reply", [("body", TYPED), ("action", "post")], ("rate",), {"post": "all"}),
    ("/c/{category}/new", "/c/{category}/new", [("title", "A title"), ("body", TYPED), ("action", "post")],
     ("rate",), {"category": "all"}),
]

# POST rows of fcgi/route.c left out, with the reason. None: every POST row
# is in ROUTES. Not covered as refusals, and why:
#  - invalid UTF-8 in a field: test_access.py sends it to every POST row
#    (the dispatcher's refill, which reads nothing from the database);
#  - the database down or busy (503): test_outage.py; the refill again;
#  - the conversation routes' handler refusals are asked here, but their code
#    (fcgi/page_conversation.c) was not this round's to change;
#  - /me/password, /me/recovery, /me/delete with the right password, and
#    /me/break, /logout, /g/SLUG/join|leave, /u/HANDLE/block|unblock,
#    /p/ID/support|here with a valid form: they would go through (no
#    refusal to compare), and would change the world for the next rows;
#  - the password pages' "resting" limit (429 after several mistyped
#    passwords): each viewer mistypes once ("asis"), not enough to reach it,
#    and reaching it would lock their account pages for the rest of the
#    module.
NOT_COVERED = {}

# ---------------------------------------------------------------- the world

def _q(stack, sql):
    return stack.psql(sql).strip()


class World:
    def __init__(self, stack):
        self.stack = stack
        tag = self.tag = uuid.uuid4().hex[:6]
        mk = lambda kind: "MK%s%s" % (kind, tag)
        self.markers = {k: mk(k) for k in (
            "HELD", "HIDDEN", "HIDEREASON", "DELETED", "CWWARN", "CWBODY", "GROUP", "GROUPREPLY", "GROUPHELD", "NOOK",
            "UNLISTED", "MEETING", "DELTHREAD", "CONV", "LOCKED")}
        ctl = self._ctl
        self.pub, self.anon_cat = "rd-pub", "rd-anon"
        ctl("category", "add", self.pub, "Refusal public", "")
        ctl("category", "add", self.anon_cat, "Refusal anonymous", "")
        ctl("category", "anonymous", self.anon_cat, "on")
        self.room, self.nook = "rd-room", "rd-nook"
        ctl("group", "add", self.room, "Refusal room", "A listed group.", "--join", "request")
        ctl("group", "add", self.nook, "Nook " + self.markers["NOOK"], "Unlisted.", "--unlisted", "--join", "invite")

        a = self.actors = {}
        for name in ("author", "other", "x", "y", "gmember", "nonmember", "fac", "shy", "convb"):
            a[name] = self._member(name)
        mod = Client(stack)
        st, _, body = mod.login(stack.admin, stack.admin_password)
        assert st == 303, "moderator log-in: %d %s" % (st, message_of(body))
        mod.handle = stack.admin
        a["mod"] = mod
        visitor = Client(stack)
        visitor.refresh_csrf("/register")
        a["visitor"] = visitor
        self.anon_author = a["shy"].handle

        ctl("group", "member", self.room, a["gmember"].handle, "member")
        ctl("group", "member", self.room, a["fac"].handle, "facilitator")
        ctl("group", "member", self.nook, a["fac"].handle, "facilitator")

        m = self.markers
        # X's public thread; the author's held, hidden and deleted replies.
        self.control = self._thread(a["x"], self.pub, "Refusal control thread", "An ordinary opening post.")
        self.visible = self._reply(a["other"], self.control, "An ordinary visible reply.")
        st, loc, html = a["author"].reply(self.control, "%s %s" % (HELD_TEXT, m["HELD"]))
        assert st == 303, "held reply: %d %s" % (st, message_of(html))
        self.held = int(_q(stack, "select id from posts where body_md like '%%%s%%'" % m["HELD"]))
        assert _q(stack, "select state from posts where id = %d" % self.held) == "held", "the reply was not held"
        self.hidden = self._reply(a["author"], self.control, "Hidden words %s" % m["HIDDEN"])
        self._post(a["mod"], "/mod/p/%d" % self.hidden, [("action", "hide"), ("reason", "Hidden for " + m["HIDEREASON"])])
        assert _q(stack, "select state from posts where id = %d" % self.hidden) == "hidden"
        self.deleted = self._reply(a["author"], self.control, "Deleted words %s" % m["DELETED"])
        self._post(a["author"], "/p/%d/delete" % self.deleted, [("confirm", "yes")])
        # A post under a content warning (by the author), an anonymous one (by shy).
        st, loc, html = a["author"]._write("/p/%d/reply" % self.control, [
            ("warning", "Warning " + m["CWWARN"]), ("body", "Behind the warning %s" % m["CWBODY"])],
            True, "post", True)
        assert st == 303, "reply with a warning: %d %s" % (st, message_of(html))
        self.cw = post_id_from(loc, html)
        st, loc, html = a["shy"]._write("/c/%s/new" % self.anon_cat, [
            ("title", "Anonymous thread"), ("anonymous", "1"), ("body", "I have not told anyone about this.")],
            True, "post", True)
        assert st == 303, "anonymous thread: %d %s" % (st, message_of(html))
        self.anon = post_id_from(loc, html)
        # A thread in the deleted state (by X).
        self.delthread_post = self._thread(a["x"], self.pub, "Gone thread " + m["DELTHREAD"],
                                           "Gone words %s" % m["DELTHREAD"])
        _q(stack, "update threads set state = 'deleted' where id = (select thread_id from posts where id = %d)"
           % self.delthread_post)
        # A locked thread (public: its title and words are for everyone; its
        # reply page says it is locked and quotes nothing).
        self.locked_post = self._thread(a["x"], self.pub, "Locked thread " + m["LOCKED"], "Locked words " + m["LOCKED"])
        self._post(a["mod"], "/mod/t/%d" % int(_q(stack, "select thread_id from posts where id = %d" % self.locked_post)),
                   [("action", "lock"), ("reason", "Calm down")])
        # The private group: a thread, a reply and a meeting; the unlisted group's thread.
        self.group_post = self._thread(a["gmember"], "group-" + self.room, "Room thread " + m["GROUP"],
                                       "Room words %s" % m["GROUP"])
        self.group_reply = self._reply(a["fac"], self.group_post, "Room reply %s" % m["GROUPREPLY"])
        st, loc, html = a["gmember"].reply(self.group_post, "%s %s" % (HELD_TEXT, m["GROUPHELD"]))
        assert st == 303, "held group reply: %d %s" % (st, message_of(html))
        self.group_held = int(_q(stack, "select id from posts where body_md like '%%%s%%'" % m["GROUPHELD"]))
        assert _q(stack, "select state from posts where id = %d" % self.group_held) == "held"
        st, hd, body = a["fac"].post("/g/%s/meetings" % self.room, {
            "title": "Meeting " + m["MEETING"], "date": "2030-01-15", "time": "19:30", "minutes": "90",
            "tz": "Asia/Singapore"})
        assert st == 303, "schedule a meeting: %d %s" % (st, message_of(body))
        self.meeting = int(re.search(r"/meetings/(\d+)$", hd.get("location")).group(1))
        self.nook_post = self._thread(a["fac"], "group-" + self.nook, "Nook thread " + m["UNLISTED"],
                                      "Nook words %s" % m["UNLISTED"])
        # X blocks Y; Y replied to X before (so there is something to reach).
        self._reply(a["y"], self.control, "A reply from Y.")
        self._post(a["x"], "/u/%s/block" % a["y"].handle, [])
        assert _q(stack, "select count(*) from member_blocks") == "1", "the block was not stored"
        # A conversation between the author and convb.
        self._thread(a["convb"], self.pub, "Hello from convb", "Hello.")
        st, hd, body = a["author"].post("/m/new", [("to", a["convb"].handle),
                                                   ("body", "Private words %s" % m["CONV"]), ("action", "send")])
        assert st == 303, "start a conversation: %d %s" % (st, message_of(body))
        self.conv = int(re.search(r"/m/(\d+)", hd.get("location")).group(1))
        self.msg = int(_q(stack, "select id from messages where conversation_id = %d" % self.conv))

        tid = lambda pid: int(_q(stack, "select thread_id from posts where id = %d" % pid))
        meeting_thread = int(_q(stack, "select thread_id from meetings where id = %d" % self.meeting))
        # The meeting's thread opens for replies when the meeting starts.
        self.meeting_post = int(_q(stack, "select id from posts where thread_id = %d and parent_id is null"
                                   % meeting_thread))
        self.posts = [self.control, self.held, self.hidden, self.deleted, self.cw, self.anon, self.delthread_post,
                      self.group_post, self.group_reply, self.group_held, self.nook_post, self.locked_post,
                      self.meeting_post, NEVER]
        self.fills = {
            "post": {
                "all": self.posts,
                # Nobody may support, offer to talk on or hide these (a
                # moderator may see some of them, but none is visible).
                "unreachable": [self.held, self.hidden, self.deleted, self.delthread_post, self.group_held, NEVER],
            },
            "thread": {
                "all": [tid(p) for p in (self.control, self.held, self.anon, self.delthread_post, self.group_post,
                                         self.nook_post)] + [meeting_thread, NEVER],
                # Threads of no group (or of another group, or none).
                "elsewhere": [tid(self.control), tid(self.delthread_post), NEVER],
            },
            "category": {"all": [self.pub, self.anon_cat, "group-" + self.room, "group-" + self.nook, "no-such"]},
            "group": {"all": [self.room, self.nook, "no-such"], "invite_only": [self.nook]},
            "meeting": {"all": [self.meeting, NEVER]},
            "handle": {"all": [a["x"].handle, a["y"].handle, a["author"].handle, "no-such-member"]},
            "notification": {"all": [int(x) for x in _q(stack, "select id from notifications order by id limit 3")
                                     .split()] + [NEVER]},
            "conv": {"all": [self.conv, NEVER]},
            "message": {"all": [self.msg, NEVER]},
        }
        for k, v in self.fills.items():
            for sub in v:
                assert v[sub], "no %s (%s) to fill routes with" % (k, sub)
        self.handles = {c.handle for c in a.values() if c.handle}

    def _ctl(self, *args):
        r = self.stack.hearthctl(*args)
        assert r.returncode == 0, "hearthctl %s: %s %s" % (" ".join(args), r.stdout, r.stderr)

    def _member(self, prefix):
        c = Client(self.stack)
        handle = ("%s_%s" % (prefix, self.tag))[:30]
        st, _, body = c.register(handle, "a long enough password")
        assert st == 303, "register %s: %d %s" % (handle, st, message_of(body))
        return c

    def _thread(self, c, slug, title, body):
        st, loc, html = c.new_thread(slug, title, body)
        assert st == 303, "new thread in %s: %d %s" % (slug, st, message_of(html))
        return int(post_id_from(loc, html))

    def _reply(self, c, parent, body):
        st, loc, html = c.reply(parent, body)
        assert st == 303, "reply to %d: %d %s" % (parent, st, message_of(html))
        return int(post_id_from(loc, html))

    def _post(self, c, path, fields):
        st, _, body = c.post(path, fields)
        assert st == 303, "POST %s: %d %s" % (path, st, message_of(body))


_WORLD = {}


def _world(stack):
    if "w" not in _WORLD:
        assert not getattr(stack, "refusal_tried", False), "the set-up failed in an earlier test"
        stack.refusal_tried = True
        _WORLD["w"] = World(stack)
    return _WORLD["w"]


# ---------------------------------------------------------------- asking

# Words that would tell Y of X's block (a refill titled "Block or unblock a
# member" is Y's own form, not news of X's block).
# Markers some refusal shows to a viewer who may see them: the moderator's
# review item or thread tools, the author's edit form, a member's reply form
# (a group's, a content warning's), the group page.
SHOWN_SOMEWHERE = {"HELD", "HIDDEN", "HIDEREASON", "CWWARN", "CWBODY", "GROUP", "GROUPREPLY", "GROUPHELD",
                   "NOOK", "MEETING", "DELTHREAD", "CONV", "LOCKED"}

BLOCK_WORD = re.compile(rb"blocked (?:you|by)|has blocked|blocks you|you are blocked", re.I)


def _markers_in(w, body, viewer):
    """The marker words in body (bytes)."""
    found = {name for name, word in w.markers.items() if word.encode() in body}
    if w.anon_author.encode() in body:
        found.add("ANONAUTHOR")
    if viewer == "y":
        # That X blocked Y is never told to Y (README, "Block").
        found |= {"BLOCK:" + m.group(0).decode().lower() for m in BLOCK_WORD.finditer(body)}
    return found


def _fill_combos(w, fills):
    """Every assignment of the row's {kind} parameters."""
    combos = [{}]
    for kind, sub in fills.items():
        combos = [dict(c, **{kind: v}) for c in combos for v in w.fills[kind][sub]]
    return combos


def _get_page(c, path):
    """GET path, following redirects (at most 3): (status, body)."""
    for _ in range(4):
        st, hd, body = c.get(path)
        if st in (301, 302, 303) and hd.get("location"):
            path = hd.get("location").split("#")[0]
            continue
        return st, body
    return st, body


def _fields_for(fields, refusal, declared, csrf):
    """The fields to send for a refusal: (list, typed text expected back or None)."""
    out = [(k, v) for k, v in fields]
    typed = TYPED if any(v == TYPED for _, v in out) else None
    kind, _, arg = refusal.partition(":")
    if kind == "long":
        name = arg
        mx = declared[name]
        value = (TYPED + " " + "x" * mx)[:mx + 1]
        if any(k == name for k, _ in out):
            out = [(k, value if k == name else v) for k, v in out]
        else:
            out.append((name, value))
        if typed and not any(v == TYPED for _, v in out):
            typed = None
        if name in ("body", "reason", "details", "title", "reveal_reason", "name"):
            typed = TYPED
    elif kind == "missing":
        out = [(k, v) for k, v in out if k != arg]
        if arg in ("body", "reason", "details", "title", "reveal_reason"):
            typed = None
    elif kind == "empty":
        out = [(k, "" if k == arg else v) for k, v in out]
        if not out or arg not in [k for k, _ in out]:
            out.append((arg, ""))
        typed = TYPED if any(v == TYPED for _, v in out) else None
    elif kind in ("asis", "rate"):
        pass
    elif kind == "set":
        name, _, value = arg.partition("=")
        out = [(k, v) for k, v in out if k != name] + [(name, value)]
    if kind == "nocsrf":
        pass
    elif kind == "badcsrf":
        out.append(("csrf", "A" * 43))
    else:
        out.append(("csrf", csrf))
    return out, typed


def _resend_form(body, path):
    """The <form method=post> of body that sends to path again, or None."""
    for f in find_all(parse(body), "form"):
        if (f.get("method") or "").lower() == "post" and f.get("action") == path:
            return f
    return None


def _ask(w, viewer, row, refusal, combo, problems, declared, stats, mod_only):
    pattern, page, fields = row[:3]
    c = w.actors[viewer]
    path = pattern.format(**combo)
    page_path = page.format(**combo)
    fields = [(k, v.format(**combo) if "{" in v else v) for k, v in fields]
    if c.csrf is None:
        c.refresh_csrf("/" if c.logged_in() else "/register")
    sent, typed = _fields_for(fields, refusal, declared, c.csrf)
    st, hd, body = c.request("POST", path, form=sent)
    stats["requests"] += 1
    where = "POST %s as %s, refusal %s" % (path, viewer, refusal)
    if not 400 <= st < 500:
        problems.append("%s: status %d, not a 4xx refusal (%s)" % (where, st, message_of(body) if st != 303
                                                                    else hd.get("location")))
        return
    stats["shown"].update(_markers_in(w, body, viewer))
    gst, gbody = _get_page(c, page_path)
    leaked = _markers_in(w, body, viewer) - _markers_in(w, gbody, viewer)
    if leaked:
        problems.append("%s: %d shows %s, which GET %s (%d) does not" % (
            where, st, ", ".join(sorted(leaked)), page_path, gst))
    # A 404 or 403, or any refusal of a page that is a 404 or 403 for this
    # viewer, names nothing: no marker, no member but the viewer (and whom
    # they typed).
    if st in (403, 404) or gst in (403, 404):
        named = _markers_in(w, body, viewer)
        typed_here = path + " " + " ".join(str(v) for _, v in sent)
        named |= {"handle " + h for h in w.handles if h != c.handle and h not in typed_here and h.encode() in body}
        if named:
            problems.append("%s: the %d (GET %s: %d) names %s" % (where, st, page_path, gst, ", ".join(sorted(named))))
    if typed and _resend_form(body, path) is not None and TYPED.encode() not in body:
        problems.append("%s: %d gives the form back without the text typed" % (where, st))
    # Writing a post: whatever refuses it (the post or category gone or
    # never there, not theirs, closed, the rate limit), a member who typed
    # a text gets it back (page_refuse, page_refill).
    if typed and pattern in KEEPS_TEXT and viewer != "visitor" and TYPED.encode() not in body:
        problems.append("%s: %d loses the post typed" % (where, st))
    # The dispatcher's refusals give the text back (route_refill), but for a
    # moderators' form sent by someone else ("Moderators only").
    if typed and refusal in ("nocsrf", "badcsrf") and not (mod_only and viewer != "mod") and \
            TYPED.encode() not in body:
        problems.append("%s: %d loses the text typed" % (where, st))


# ---------------------------------------------------------------- tests

def test_every_post_route_is_in_the_table(stack):
    rows, _ = parse_route_c()
    posts = {re.sub(r":(\w+)", "{}", p) for m, p, _, _, _ in rows if m == "POST"}
    have = {re.sub(r"\{\w+\}", "{}", r[0]) for r in ROUTES} | {re.sub(r"\{\w+\}", "{}", k[0]) for k in NOT_COVERED}
    missing = sorted(posts - have)
    assert not missing, "POST routes of fcgi/route.c in neither ROUTES nor NOT_COVERED: %s" % missing
    extra = sorted(have - posts)
    assert not extra, "rows of ROUTES that fcgi/route.c does not have: %s" % extra


def _declared_fields():
    """pattern with {} -> ({field: max chars}, moderators only) from fcgi/route.c."""
    rows, forms = parse_route_c()
    out = {}
    for m, p, _, flags, form in rows:
        if m == "POST":
            out[re.sub(r":(\w+)", "{}", p)] = ({n: mx for n, _, mx, _ in forms.get(form, [])},
                                                "MODERATOR" in flags)
    return out


def test_refusals_show_no_more_than_the_page(stack):
    w = _world(stack)
    declared = _declared_fields()
    problems = []
    stats = {"requests": 0, "shown": set()}
    cells = set()
    for row in ROUTES:
        pattern, _, _, refusals, fills = row[:5]
        skip = row[5] if len(row) > 5 else ()
        decl, mod_only = declared[re.sub(r"\{\w+\}", "{}", pattern)]
        for refusal in refusals:
            if refusal.startswith("long:"):
                assert refusal[5:] in decl, "%s: %s is not a declared field" % (pattern, refusal[5:])
            for combo in _fill_combos(w, fills):
                for viewer in VIEWERS:
                    if viewer in skip:
                        continue
                    if viewer == "visitor" and pattern.startswith("/me/") and refusal not in ("nocsrf", "badcsrf"):
                        continue
                    cells.add((pattern, viewer, refusal))
                    _ask(w, viewer, row, refusal, combo, problems, decl, stats, mod_only)
    # The viewers' sessions must still be there (no refusal logged anyone out).
    for name, c in w.actors.items():
        if name != "visitor":
            st, _, body = c.get("/me/settings")
            assert st == 200, "%s lost their session during the test: %d" % (name, st)
    print("# %d routes x %d viewers x refusals: %d cells, %d requests" % (
        len({r[0] for r in ROUTES}), len(VIEWERS), len(cells), stats["requests"]))
    # A control: refusals that show what the viewer may see do show it (a
    # test that found no marker anywhere would prove nothing).
    missing = SHOWN_SOMEWHERE - stats["shown"]
    assert not missing, "no refusal showed %s to anyone (the world or the table is wrong)" % sorted(missing)
    assert not problems, "%d refusals show more than their page (%d kinds):\n%s" % (
        len(problems), len(_kinds(problems)), "\n".join(_kinds(problems)))


def _kinds(problems):
    """The problems, one line per kind (numbers and viewers folded), with
    how many and the first in full."""
    kinds = {}
    for p in problems:
        k = re.sub(r"\d+", "N", re.sub(r" as \w+,", " as V,", p))
        kinds.setdefault(k, []).append(p)
    return ["%dx %s" % (len(v), v[0]) for v in kinds.values()]


def test_rate_limited_refusals(stack):
    """A reply or thread refused by the post rate limit (429) goes to the
    route's form page (rate_post_allowed), for every viewer who posted up to
    their limit, with every id: it shows no more than the GET and keeps the
    text. Last in the module: the viewers stay limited for an hour."""
    w = _world(stack)
    declared = _declared_fields()
    flood = w._thread(w.actors["other"], w.pub, "Flood thread", "Say anything here.")
    limited = []
    for viewer in VIEWERS:
        c = w.actors[viewer]
        if viewer == "visitor":
            continue
        for kind, send in (("reply", lambda i: c.reply(flood, "Flood reply %d from %s." % (i, viewer))),
                           ("thread", lambda i: c.new_thread(w.pub, "Flood %d from %s" % (i, viewer),
                                                             "Flood thread %d from %s." % (i, viewer)))):
            for i in range(20):
                st, _, html = send(i)
                if st == 429:
                    break
                assert st == 303, "%s flood %s %d: %d %s" % (viewer, kind, i, st, message_of(html))
            else:
                continue
            limited.append((viewer, kind))
    assert len(limited) >= 2 * (len(VIEWERS) - 2), "few viewers reached a limit: %r" % limited
    problems = []
    stats = {"requests": 0, "shown": set()}
    for row in RATE_ROUTES:
        pattern, _, _, refusals, fills = row
        decl, mod_only = declared[re.sub(r"\{\w+\}", "{}", pattern)]
        kind = "reply" if "reply" in pattern else "thread"
        for combo in _fill_combos(w, fills):
            for viewer, k in limited:
                if k == kind:
                    _ask(w, viewer, row, "rate", combo, problems, decl, stats, mod_only)
    print("# rate: %d (viewer, kind) pairs limited, %d requests" % (len(limited), stats["requests"]))
    assert not problems, "%d rate-limited refusals show more than their page (%d kinds):\n%s" % (
        len(problems), len(_kinds(problems)), "\n".join(_kinds(problems)))
