/*
 * page_thread.c: "/t/:id" a thread as a tree of replies, "/p/:id" the place
 * of one post (a redirect), "/p/:id/thread" a subtree past the fold.
 *
 * A page is one ordered query (db_read_posts): the root post, then groups
 * (direct replies of the root with their subtrees) in path order. The tree
 * is built in one pass with a stack of open ancestors; a node joins its
 * parent's list when it is closed, so a post the reader may not see (held)
 * is dropped then unless replies they may see hang under it.
 */
#include <stdlib.h>
#include <string.h>

#include "db_care.h"
#include "db_read.h"
#include "log.h"
#include "route.h"
#include "session.h"
#include "skeleton.h"

/* How a post shows to this reader. */
enum show { SHOW_FULL, SHOW_HELD, SHOW_HIDDEN, SHOW_DELETED, SHOW_PLACEHOLDER, SHOW__MAX };

static const char *const show_class[SHOW__MAX] = {
	[SHOW_FULL] = "post",
	[SHOW_HELD] = "post post-held",
	[SHOW_HIDDEN] = "post post-hidden",
	[SHOW_DELETED] = "post post-deleted",
	[SHOW_PLACEHOLDER] = "post post-placeholder",
};

/* The visible posts of a member's skeleton (skeleton.h), in render order. */
struct skel_build {
	const struct read_post **rows;
	size_t n;
};

struct tree {
	struct hctx *ctx;
	struct read_viewer viewer;
	bool open;                      /* replies allowed: thread visible and not locked */
	bool cw_open;                   /* the reader opens content warnings always */
	struct skel_build *skel;        /* building a member skeleton: slots for actions */
	bool reply_form;                /* set by tree_fill */
};

/* Where the skeleton has the reader's CSRF token (skeleton.h). */
static const char token_marker[] = { SKEL_TOKEN, '\0' };

struct open_node {
	tpl_value *post;
	tpl_value *children;
	long long id;
	int depth;
	enum show show;
	bool folded;
};

static void not_found(struct hctx *ctx)
{
	page_error(ctx, 404, "Post not found",
	           "There is no post or thread at this address, or it is not visible to you.");
}

/* ?after=<id of a direct reply>: absent is 0; anything but digits is false. */
static bool query_after(struct hctx *ctx, long long *after)
{
	const char *s = req_param(&ctx->req->query, "after");
	*after = 0;
	if (!s)
		return true;
	size_t n = strlen(s);
	if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
		return false;
	*after = strtoll(s, NULL, 10);
	return true;
}

static bool is_author(const struct read_viewer *v, long long user_id)
{
	return v->user_id && v->user_id == user_id;
}

static enum show post_show(const struct read_post *p, const struct read_viewer *v)
{
	switch (p->state) {
	case READ_VISIBLE: return SHOW_FULL;
	case READ_HELD: return v->moderator || is_author(v, p->user_id) ? SHOW_HELD : SHOW_PLACEHOLDER;
	case READ_HIDDEN: return SHOW_HIDDEN;
	case READ_DELETED: return SHOW_DELETED;
	case READ_STATE__MAX: break;
	}
	return SHOW_PLACEHOLDER;
}

static void set_flag(tpl_value *m, const char *key, bool on)
{
	if (on)
		tpl_set_bool(m, key, true);
}

/*
 * What post.html shows of one post, as the map "post" of the list item: a
 * key is set only when it applies, and a missing key inside "post" reads as
 * false (dotted names never fall through to an enclosing post, as bare names
 * would). Small maps also keep the engine's linear lookups cheap.
 */
static tpl_value *post_value(struct tree *t, const struct read_post *p, enum show show)
{
	arena *a = t->ctx->arena;
	const struct read_viewer *v = &t->viewer;
	bool mine = is_author(v, p->user_id);
	bool meta = show == SHOW_FULL || show == SHOW_HELD || show == SHOW_HIDDEN;
	bool visible = show == SHOW_FULL;
	bool can_reply = visible && t->open;
	bool can_edit = mine && (show == SHOW_FULL || show == SHOW_HELD);
	bool others = visible && v->user_id && !mine;
	tpl_value *m = tpl_map(a);
	tpl_set_int(m, "id", p->id);
	tpl_set_str(m, "css", show_class[show]);
	/* A heading for each post (hidden from sight), so that a screen
	 * reader can go from post to post: who and when. */
	const char *who = p->anonymous ? PAGE_ANON_AUTHOR : p->author ? p->author : "a deleted member";
	tpl_set_str(m, "heading", meta ? arena_printf(a, "Post by %s, %s", who, db_read_ago(a, &p->created)) :
	                          show == SHOW_DELETED ? "Deleted post" : "Post waiting for a moderator");
	if (meta) {
		tpl_set_bool(m, "meta", true);
		if (p->author)
			tpl_set_str(m, "author", p->author);
		set_flag(m, "anonymous", p->anonymous);
		page_set_when(m, a, &p->created);
		set_flag(m, "edited", p->edited);
		/* Earlier versions are for the author and the moderators
		 * (page_revisions). Moderators never get stored parts, so the
		 * header may link for them; the author's link is among their
		 * own actions (post_actions.html), which stored parts fill per
		 * reader. */
		set_flag(m, "revisions_link", p->edited && v->moderator);
		if (p->body_html)
			tpl_set_html(m, "body", p->body_html);
		/* The warning is in every reader's render (the shared parts and
		 * the anonymous cache too); only "open" is the reader's own. */
		if (p->body_html && p->warning) {
			tpl_set_str(m, "warning", p->warning);
			if (t->cw_open)
				tpl_set_str(m, "cw_open", "open");
		}
	}
	set_flag(m, "special", show != SHOW_FULL);
	set_flag(m, "held_own", show == SHOW_HELD && mine);
	set_flag(m, "held_mod", show == SHOW_HELD && !mine);
	set_flag(m, "is_hidden", show == SHOW_HIDDEN);
	if (show == SHOW_HIDDEN && p->hide_reason)
		tpl_set_str(m, "hide_reason", p->hide_reason);
	set_flag(m, "is_deleted", show == SHOW_DELETED);
	set_flag(m, "is_placeholder", show == SHOW_PLACEHOLDER);
	set_flag(m, "actions", can_reply || can_edit || visible);
	set_flag(m, "can_reply", can_reply);
	set_flag(m, "can_edit", can_edit);
	/* Only in the author's own render (a per-reader slot of the stored
	 * parts, never the anonymous cache). */
	set_flag(m, "anon_mine", can_edit && p->anonymous);
	set_flag(m, "can_revisions", can_edit && p->edited);
	if (visible) {
		tpl_set_bool(m, "show_support", true);
		tpl_set_int(m, "support_count", p->support_count);
	}
	if (others) {
		tpl_set_bool(m, "can_support", true);
		tpl_set_bool(m, "can_report", true);
		tpl_set_str(m, "pressed", p->supported ? "true" : "false");
	}
	set_flag(m, "folded", p->folded);
	if (t->skel && show == SHOW_FULL) {
		/* The actions depend on the reader: a slot, filled per request. */
		size_t idx = t->skel->n;
		t->skel->rows[t->skel->n++] = p;
		tpl_set_bool(m, "actions", false);
		tpl_set_html(m, "slot", arena_printf(a, "%c%zu%c", SKEL_SLOT, idx, SKEL_SLOT));
	}
	return m;
}

/* The reply box offers to post anonymously where the category allows it. */
static enum db_err set_anon_offer(struct hctx *ctx, long long thread_id, tpl_value *d)
{
	const char *p[] = { arena_printf(ctx->arena, "%lld", thread_id) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_THREAD_ALLOWS_ANONYMOUS, p, &err);
	if (!r)
		return err;
	if (PQntuples(r) == 1 && db_val(r, 0, 0)[0] == 't')
		tpl_set_bool(d, "anon_offer", true);
	return DB_OK;
}

/* A list item for post.html: the map {post: m}. */
static tpl_value *post_item(arena *a, tpl_value *m)
{
	tpl_value *item = tpl_map(a);
	tpl_set(item, "post", m);
	return item;
}

/* Closes the top node: it joins its parent's replies unless it is a
 * placeholder with nothing under it. */
static void close_node(struct tree *t, struct open_node *stack, int *top)
{
	struct open_node *n = &stack[*top];
	(*top)--;
	size_t replies = tpl_list_len(n->children);
	if (n->show == SHOW_PLACEHOLDER && replies == 0 && !n->folded)
		return;
	if (replies)
		tpl_set(n->post, "children", n->children);
	if (*top >= 0)
		tpl_list_push(stack[*top].children, post_item(t->ctx->arena, n->post));
}

/*
 * Builds the tree of rows (path order, root first). Returns the root's map,
 * or NULL when the rows do not start with the root. *last_group gets the
 * last direct reply of the root: its id is the next page's "after".
 */
static tpl_value *build_tree(struct tree *t, const struct read_post *rows, size_t n,
                             const struct read_post **last_group, tpl_value **last_group_post)
{
	struct open_node stack[READ_FOLD_DEPTH + 1];
	int top = -1;
	*last_group = NULL;
	*last_group_post = NULL;
	if (n == 0 || rows[0].depth != 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct read_post *p = &rows[i];
		if (i > 0 && (p->depth < 1 || p->depth > READ_FOLD_DEPTH))
			continue;
		while (top > 0 && stack[top].depth >= p->depth)
			close_node(t, stack, &top);
		/* A reply whose parent is not open was cut from the page. */
		if (i > 0 && (stack[top].id != p->parent_id || stack[top].depth != p->depth - 1))
			continue;
		enum show show = post_show(p, &t->viewer);
		struct open_node *node = &stack[++top];
		node->post = post_value(t, p, show);
		node->children = tpl_list(t->ctx->arena);
		node->id = p->id;
		node->depth = p->depth;
		node->show = show;
		node->folded = p->folded;
		if (p->depth == 1) {
			*last_group = p;
			*last_group_post = node->post;
		}
	}
	while (top > 0)
		close_node(t, stack, &top);
	if (tpl_list_len(stack[0].children))
		tpl_set(stack[0].post, "children", stack[0].children);
	return stack[0].post;
}

static const char *thread_notice(const struct read_thread *th, const struct read_viewer *v)
{
	bool mine = is_author(v, th->user_id);
	switch (th->state) {
	case READ_VISIBLE:
		return NULL;
	case READ_HELD:
		return mine ? "Only you and the moderators can see this thread while a moderator looks at it. "
		              "Nothing is wrong; this happens to keep everyone safe."
		            : "Held for review: only its author and the moderators can see this thread.";
	case READ_HIDDEN:
		return "This thread was hidden by a moderator. Only its author and the moderators can see it.";
	case READ_DELETED:
		return "This thread was deleted. Only moderators can see it.";
	case READ_STATE__MAX:
		break;
	}
	return NULL;
}

static tpl_value *thread_value(arena *a, const struct read_thread *th, const struct read_viewer *v)
{
	tpl_value *m = tpl_map(a);
	tpl_set_int(m, "id", th->id);
	tpl_set_str(m, "title", th->title);
	tpl_set_str(m, "category_slug", th->category_slug);
	tpl_set_str(m, "category_name", th->category_name);
	tpl_set_bool(m, "locked", th->locked);
	tpl_set_int(m, "opening_id", th->opening_id);
	tpl_set_str(m, "notice", thread_notice(th, v));
	return m;
}

/* What differs between the thread page and a subtree page. */
struct tree_page {
	const char *base;               /* the page's own address, for page links */
	bool subtree;                   /* rooted at a reply: link back up, no reply form */
};

static void set_page_links(struct hctx *ctx, tpl_value *d, const struct tree_page *pg, long long after,
                           bool more, long long last_group)
{
	if (more && last_group)
		tpl_set_str(d, "next_href", arena_printf(ctx->arena, "%s?after=%lld", pg->base, last_group));
	if (after > 0)
		tpl_set_str(d, "first_href", pg->base);
}

/*
 * Fills d with what thread.html shows of one page of the tree under root.
 * Returns 0; -1 after writing an error page (database); 1 when there is no
 * such page.
 */
static int tree_fill(struct tree *t, const struct read_thread *th, const struct read_path *root,
                     long long after, const struct tree_page *pg, tpl_value *d)
{
	struct hctx *ctx = t->ctx;
	struct read_post *rows;
	size_t n;
	bool more;
	enum db_err err = db_read_posts(ctx->db, ctx->arena, th->id, root, after, &t->viewer, &rows, &n, &more);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return -1;
	}
	if (t->skel)
		t->skel->rows = ARENA_NEW_ARRAY(ctx->arena, const struct read_post *, n ? n : 1);
	const struct read_post *last_group;
	tpl_value *last_group_post;
	tpl_value *top = build_tree(t, rows, n, &last_group, &last_group_post);
	if (!top)
		return 1;
	/* Cut at the row cap: the rest of the last group is on its own page. */
	if (n == READ_PAGE_CAP && last_group_post)
		tpl_set_bool(last_group_post, "folded", true);
	tpl_set(d, "thread", thread_value(ctx->arena, th, &t->viewer));
	tpl_value *posts = tpl_list(ctx->arena);
	tpl_list_push(posts, post_item(ctx->arena, top));
	tpl_set(d, "posts", posts);
	set_page_links(ctx, d, pg, after, more, last_group ? last_group->id : 0);
	if (pg->subtree) {
		tpl_set_bool(d, "subtree", true);
		if (root->len >= 2)
			tpl_set_int(d, "parent_id", root->ids[root->len - 2]);
	}
	bool logged_in = t->viewer.user_id != 0 || t->skel;
	bool opening_open = t->open && !pg->subtree && rows[0].state == READ_VISIBLE;
	t->reply_form = logged_in && opening_open;
	tpl_set_bool(d, "reply_form", t->reply_form);
	if (t->reply_form) {
		/* The note for repliers depends on the thread only: it is part
		 * of the shared parts (keyed by the thread's version, which a
		 * crisis flag bumps, sql/015). */
		err = page_set_guidance(ctx, th->id, d);
		if (err == DB_OK)
			err = set_anon_offer(ctx, th->id, d);
		if (err != DB_OK) {
			page_db_error(ctx, err);
			return -1;
		}
	}
	tpl_set_bool(d, "can_follow", logged_in);
	tpl_set_bool(d, "login_to_reply", !logged_in && opening_open);
	return 0;
}

/* The head's link to the thread's Atom feed (page_feed.c), for a thread
 * everyone may read: a feed is public. */
static void set_feed_url(struct hctx *ctx, tpl_value *d, const struct read_thread *th)
{
	if (th->state == READ_VISIBLE)
		tpl_set_str(d, "feed_url", arena_printf(ctx->arena, "/t/%lld/feed.atom", th->id));
}

/* Renders one page of the tree under root; unread_jump: the reader's first
 * unread post (0: none), linked at the top (unread_jump.html). */
static void render_tree(struct hctx *ctx, const struct read_thread *th, const struct read_path *root,
                        long long after, const struct tree_page *pg, long long unread_jump)
{
	struct tree t = { .ctx = ctx, .viewer = page_viewer(ctx), .open = th->state == READ_VISIBLE && !th->locked };
	if (ctx->req->session) {
		struct care_settings cs;
		bool found;
		enum db_err err = db_care_settings(ctx->db, ctx->arena, ctx->req->session->user_id, &cs, &found);
		if (err != DB_OK) {
			page_db_error(ctx, err);
			return;
		}
		t.cw_open = found && cs.cw_always_open;
	}
	tpl_value *d = page_data(ctx, th->title);
	set_feed_url(ctx, d, th);
	if (unread_jump)
		tpl_set_int(d, "unread_jump", unread_jump);
	int rc = tree_fill(&t, th, root, after, pg, d);
	if (rc < 0)
		return;
	if (rc > 0) {
		not_found(ctx);
		return;
	}
	/* Lock, move, pin: for moderators only, who never get stored parts
	 * or the anonymous cache. */
	if (t.viewer.moderator && !pg->subtree)
		page_mod_thread_panel(ctx, th->id, d);
	page_render(ctx, "thread", d);
}

/* The actions of post p as seen by member viewer (or by anyone else than
 * its author, with -1), with token markers for the CSRF token. */
static void render_actions(const struct tree *base, const struct read_post *p, long long viewer,
                           bool pressed, struct skel_slot *slot, enum skel_variant v)
{
	arena *a = base->ctx->arena;
	struct tree vt = { .ctx = base->ctx, .viewer = { .user_id = viewer }, .open = base->open };
	struct read_post row = *p;
	row.supported = pressed;
	tpl_value *scope = tpl_map(a);
	tpl_set(scope, "post", post_value(&vt, &row, SHOW_FULL));
	tpl_set_str(scope, "csrf", token_marker);
	buf b;
	buf_init(&b, a, 1024);
	tpl_render_content(base->ctx->theme, "post_actions", scope, &b);
	slot->html[v] = b.data;
	slot->len[v] = b.len;
}

/*
 * Renders what every member sees of a page of a visible thread (the
 * anonymous view of the posts, reply form, actions as slots) into *sk.
 * Returns 0; -1 after an error page; 1 when the page must be rendered in
 * full (no such page, or markers that do not check out).
 */
static int skeleton_build(struct hctx *ctx, const struct read_thread *th, long long after,
                          const struct tree_page *pg, struct skeleton *sk)
{
	arena *a = ctx->arena;
	struct skel_build sb = { 0 };
	struct tree t = { .ctx = ctx, .open = th->state == READ_VISIBLE && !th->locked, .skel = &sb };
	struct read_path root = { .ids = &th->opening_id, .len = 1 };
	tpl_value *d = tpl_map(a);
	tpl_set_str(d, "csrf", token_marker);
	int rc = tree_fill(&t, th, &root, after, pg, d);
	if (rc != 0)
		return rc;
	buf content;
	buf_init(&content, a, 128 * 1024);
	if (tpl_render_content(ctx->theme, "thread", d, &content) != TPL_OK)
		return 1;
	sk->content = content.data;
	sk->content_len = content.len;
	sk->nslots = sb.n;
	sk->slots = ARENA_NEW_ARRAY(a, struct skel_slot, sb.n ? sb.n : 1);
	for (size_t i = 0; i < sb.n; i++) {
		const struct read_post *p = sb.rows[i];
		struct skel_slot *slot = &sk->slots[i];
		slot->post_id = p->id;
		slot->author_id = p->user_id;
		render_actions(&t, p, p->user_id, false, slot, SKEL_MINE);
		render_actions(&t, p, -1, false, slot, SKEL_OTHER);
		render_actions(&t, p, -1, true, slot, SKEL_OTHER_PRESSED);
	}
	return skel_check(sk, t.reply_form ? 1 : 0) ? 0 : 1;
}

/*
 * A member's page of a thread from stored parts (skeleton.h). Returns false
 * when it must be rendered in full instead: the thread is not plainly
 * visible, or the member has a post in it others cannot see.
 */
static bool member_page(struct hctx *ctx, long long after, const struct read_thread *thp,
                        const struct read_member_view *mvp)
{
	const struct session *s = ctx->req->session;
	struct read_thread th = *thp;
	struct read_member_view mv = *mvp;
	/* A member who opens content warnings always gets the full render:
	 * the shared parts have them closed. */
	if (th.state != READ_VISIBLE || mv.unseen_own || mv.cw_open)
		return false;
	/* The stored parts hold the site's note for repliers too. */
	uint64_t digest = tpl_theme_digest(ctx->theme) ^ (ctx->crisis ? ctx->crisis->guidance_digest : 0);
	struct skeleton sk;
	if (!skel_load(ctx->conf, ctx->arena, th.id, after, mv.version, digest, &sk)) {
		struct tree_page pg = { .base = arena_printf(ctx->arena, "/t/%lld", th.id) };
		int rc = skeleton_build(ctx, &th, after, &pg, &sk);
		if (rc < 0)
			return true;
		if (rc > 0)
			return false;
		sk.version = mv.version;
		sk.digest = digest;
		skel_store(ctx->conf, ctx->arena, th.id, after, &sk);
	}
	buf content;
	buf_init(&content, ctx->arena, sk.content_len + sk.nslots * 512 + 256);
	if (mv.first_unread) {
		/* Per reader, so never in the stored parts: thread.html includes
		 * it first, and a page rendered in full has the same bytes. */
		tpl_value *jump = tpl_map(ctx->arena);
		tpl_set_int(jump, "unread_jump", mv.first_unread);
		tpl_render_content(ctx->theme, "unread_jump", jump, &content);
	}
	skel_fill(&sk, s->user_id, mv.supported, mv.nsupported, s->csrf_token, &content);
	tpl_value *d = page_data(ctx, th.title);
	set_feed_url(ctx, d, &th);
	page_render_layout(ctx, d, content.data, content.len);
	return true;
}

/* A tracked or watched thread with something new: the member has read it
 * now. A second statement only then (the page itself stays one round trip),
 * and a failure costs only the marker, never the page. */
static void thread_read(struct hctx *ctx, long long thread_id, const struct read_member_view *mv)
{
	if (!mv->mark_read)
		return;
	const char *p[] = { arena_printf(ctx->arena, "%lld", ctx->req->session->user_id),
	                    arena_printf(ctx->arena, "%lld", thread_id) };
	enum db_err err;
	if (!db_exec(ctx->db, ctx->arena, DB_THREAD_MARK_READ, p, &err))
		log_warn("thread %lld: could not mark it read: %s", thread_id, db_last_error(ctx->db));
}

static enum db_err load_thread(struct hctx *ctx, long long id, struct read_thread *th, bool *found)
{
	struct read_viewer v = page_viewer(ctx);
	enum db_err err = db_read_thread(ctx->db, ctx->arena, id, &v, th, found);
	if (err == DB_OK && *found && !db_read_thread_visible(th, &v))
		*found = false;
	return err;
}

void page_thread(struct hctx *ctx)
{
	long long after;
	if (!query_after(ctx, &after)) {
		page_error(ctx, 400, "That page address is not valid",
		           "The \"after\" part of the address should be a post number. Try the thread's first page.");
		return;
	}
	const struct session *s = ctx->req->session;
	struct read_thread mth;
	struct read_member_view mv = { 0 };
	if (ctx->member_thread && !db_read_thread_member(ctx->db, ctx->arena, ctx->member_thread, SESSION_COLUMNS,
	                                                 &mth, &mv)) {
		not_found(ctx);
		return;
	}
	if (ctx->member_thread && db_read_thread_visible(&mth, &(struct read_viewer){ s->user_id, s->is_moderator }))
		thread_read(ctx, mth.id, &mv);
	else
		mv = (struct read_member_view){ 0 };
	/* A locked thread is rendered in full: a meeting's thread unlocks at
	 * its start time without a write, so no stored part may keep its lock.
	 * A group's thread too: no cache file ever holds a private space's text. */
	if (s && !s->is_moderator && skel_enabled(ctx->conf) && ctx->member_thread && !mth.locked &&
	    !mv.private_space && member_page(ctx, after, &mth, &mv))
		return;
	struct read_thread th;
	bool found;
	enum db_err err = load_thread(ctx, ctx->req->id, &th, &found);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	if (!found) {
		not_found(ctx);
		return;
	}
	struct read_path root = { .ids = &th.opening_id, .len = 1 };
	struct tree_page pg = { .base = arena_printf(ctx->arena, "/t/%lld", th.id) };
	render_tree(ctx, &th, &root, after, &pg, mv.first_unread);
}

/* Looks a post up with its thread; found is false when the asker may not
 * see the thread or, for a held post, the post itself (db_read_may_see_post). */
static enum db_err locate(struct hctx *ctx, struct read_location *loc, struct read_thread *th,
                          bool *found)
{
	enum db_err err = db_read_locate(ctx->db, ctx->arena, ctx->req->id, loc, found);
	if (err != DB_OK || !*found)
		return err;
	err = load_thread(ctx, loc->thread_id, th, found);
	if (err != DB_OK || !*found)
		return err;
	/* A held post's address tells nobody but its author and the moderators
	 * that it exists, whether it is asked for alone or as a subthread. */
	struct read_viewer v = page_viewer(ctx);
	if (loc->state == READ_HELD && !db_read_may_see_post(loc->state, loc->user_id, &v))
		*found = false;
	return DB_OK;
}

/* The path length of the root of the page that shows a post at path length
 * len: the thread page down to 1 + FOLD, then one subtree page per FOLD
 * levels, each rooted where the previous one folds. */
static size_t page_root_len(size_t len)
{
	if (len <= 1 + READ_FOLD_DEPTH)
		return 1;
	return 1 + READ_FOLD_DEPTH + READ_FOLD_DEPTH * ((len - 2 - READ_FOLD_DEPTH) / READ_FOLD_DEPTH);
}

/* The address of the page that shows the post at loc->path, with its
 * anchor. A group too big for one page is cut at READ_PAGE_CAP rows and
 * continues on the page rooted at its top post: go one level down then. */
static enum db_err permalink_target(struct hctx *ctx, const struct read_location *loc, const char **out)
{
	arena *a = ctx->arena;
	const struct read_path *path = &loc->path;
	size_t rlen = page_root_len(path->len);
	long long after = 0;
	struct read_viewer v = page_viewer(ctx);
	for (; rlen < path->len; rlen++) {
		struct read_path root = { .ids = path->ids, .len = rlen };
		bool cut;
		enum db_err err = db_read_place(ctx->db, a, loc->thread_id, &root, path, &v, &after, &cut);
		if (err != DB_OK)
			return err;
		if (!cut)
			break;
	}
	const char *base = rlen == 1 ? arena_printf(a, "/t/%lld", loc->thread_id)
	                             : arena_printf(a, "/p/%lld/thread", path->ids[rlen - 1]);
	if (rlen == path->len)
		after = 0;
	*out = after ? arena_printf(a, "%s?after=%lld#p%lld", base, after, loc->post_id)
	             : arena_printf(a, "%s#p%lld", base, loc->post_id);
	return DB_OK;
}

void page_permalink(struct hctx *ctx)
{
	if (ctx->form_error) {
		/* A refused POST to /p/:id/support: say why, keep the status. */
		page_error(ctx, ctx->resp->status ? ctx->resp->status : 403, "Nothing was changed", ctx->form_error);
		return;
	}
	struct read_location loc;
	struct read_thread th;
	bool found;
	enum db_err err = locate(ctx, &loc, &th, &found);
	if (err == DB_OK && !found) {
		not_found(ctx);
		return;
	}
	const char *target;
	if (err == DB_OK)
		err = permalink_target(ctx, &loc, &target);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	page_redirect(ctx, target);
}

void page_subthread(struct hctx *ctx)
{
	long long after;
	if (!query_after(ctx, &after)) {
		page_error(ctx, 400, "That page address is not valid",
		           "The \"after\" part of the address should be a post number.");
		return;
	}
	struct read_location loc;
	struct read_thread th;
	bool found;
	enum db_err err = locate(ctx, &loc, &th, &found);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	if (!found) {
		not_found(ctx);
		return;
	}
	struct tree_page pg = { .base = arena_printf(ctx->arena, "/p/%lld/thread", loc.post_id), .subtree = true };
	render_tree(ctx, &th, &loc.path, after, &pg, 0);
}
