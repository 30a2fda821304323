-- 013: notifications, "I'm here if you want to talk", and per-thread
-- watch / track / mute.
--
-- Notifications hold ids, never text: the page draws the post through the
-- visibility rule when it is read, so a post hidden after the notification
-- was written is not shown (nor counted) to anyone who may not see it.
--
-- They are written by a trigger on posts, so they commit in the same
-- transaction as the write that causes them, whichever path makes it (a
-- reply, an edit, a moderator's approval or hiding):
--   reply     a visible reply to one of my posts (not my own)
--   mention   a visible post that links to /u/HANDLE (the Markdown
--             renderer turns @handle into that link); again after an edit
--             only for members not yet notified of that post
--   approved  my held (or hidden) post is visible now
--   hidden    a moderator hid my post (the reason is posts.hide_reason)
--   here      a member said "I'm here if you want to talk" on my post
-- A held post notifies nobody; when a moderator approves it, it does.
create table notifications (
    id          bigint generated always as identity primary key,
    user_id     bigint not null references users (id) on delete cascade,   -- who is told
    kind        text not null check (kind in ('reply', 'mention', 'approved', 'hidden', 'here')),
    post_id     bigint not null references posts (id) on delete cascade,
    actor_id    bigint references users (id) on delete set null,           -- who caused it (null: moderators)
    created_at  timestamptz not null default now(),
    read_at     timestamptz
);
create index notifications_user on notifications (user_id, id desc);
-- The header's count: one probe per page for a member with nothing unread.
create index notifications_unread on notifications (user_id) where read_at is null;
-- A reply or a mention is told once per post, however often it is edited,
-- approved or hidden again.
create unique index notifications_once on notifications (user_id, kind, post_id)
    where kind in ('reply', 'mention');
create index notifications_post on notifications (post_id);

-- "I'm here if you want to talk": one per member per post.
create table post_here (
    post_id    bigint not null references posts (id) on delete cascade,
    user_id    bigint not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (post_id, user_id)
);
create index post_here_user on post_here (user_id);

-- A member's relation to one thread, and how far they have read it.
--   track  (set by the trigger below when they post in it): posts since
--          read_at are counted on category pages, and the thread page
--          offers "jump to the first unread post"
--   watch  as track, and the thread is listed (and counted in the header)
--          while it has posts since read_at: computed when read, never one
--          row per watcher per reply
--   mute   no reply, mention or "I'm here" notifications from the thread
--          (moderators' decisions on one's own posts still come)
-- read_at moves to now() when they open the thread with something new in
-- it, or post in it.
create table thread_prefs (
    user_id    bigint not null references users (id) on delete cascade,
    thread_id  bigint not null references threads (id) on delete cascade,
    level      text not null check (level in ('watch', 'track', 'mute')),
    read_at    timestamptz not null default now(),
    primary key (user_id, thread_id)
);
create index thread_prefs_watch on thread_prefs (user_id) where level = 'watch';
create index thread_prefs_thread on thread_prefs (thread_id);

-- The moderators' queue raises crisis posts nobody answered (REVIEW_UNANSWERED).
create index flags_crisis on flags (post_id) where top_category = 'crisis';

create function hearth_post_notify() returns trigger language plpgsql as $$
declare
    became_visible boolean;
    parent_author bigint;
begin
    -- Posting in a thread tracks it (unless muted or watched) and reads it.
    if tg_op = 'INSERT' and new.user_id is not null then
        insert into thread_prefs (user_id, thread_id, level, read_at)
        values (new.user_id, new.thread_id, 'track', now())
        on conflict (user_id, thread_id) do update set read_at = now();
    end if;
    if tg_op = 'UPDATE' and new.state is distinct from old.state and new.user_id is not null then
        if new.state = 'hidden' then
            insert into notifications (user_id, kind, post_id) values (new.user_id, 'hidden', new.id);
        elsif new.state = 'visible' and old.state in ('held', 'hidden') then
            insert into notifications (user_id, kind, post_id) values (new.user_id, 'approved', new.id);
        end if;
    end if;
    if new.state <> 'visible' then
        return null;
    end if;
    became_visible := tg_op = 'INSERT' or old.state <> 'visible';
    if became_visible and new.parent_id is not null then
        select user_id into parent_author from posts where id = new.parent_id;
        if parent_author is not null and parent_author is distinct from new.user_id
           and not exists (select 1 from thread_prefs m where m.user_id = parent_author
                           and m.thread_id = new.thread_id and m.level = 'mute') then
            insert into notifications (user_id, kind, post_id, actor_id)
            values (parent_author, 'reply', new.id, new.user_id)
            on conflict do nothing;
        end if;
    end if;
    if (became_visible or new.body_html is distinct from old.body_html)
       and strpos(new.body_html, '<a href="/u/') > 0 then
        insert into notifications (user_id, kind, post_id, actor_id)
        select u.id, 'mention', new.id, new.user_id
        from users u
        where lower(u.handle) in (
                select lower(m[1])
                from regexp_matches(new.body_html, '<a href="/u/([A-Za-z0-9_-]{3,30})"', 'g') as m)
          and u.id is distinct from new.user_id
          and u.status in ('active', 'silenced')
          and (new.parent_id is null
               or u.id is distinct from (select p.user_id from posts p where p.id = new.parent_id))
          and not exists (select 1 from thread_prefs m where m.user_id = u.id
                          and m.thread_id = new.thread_id and m.level = 'mute')
        limit 20
        on conflict do nothing;
    end if;
    return null;
end $$;

create trigger posts_notify after insert or update of state, body_html on posts
    for each row execute function hearth_post_notify();
