-- 027: a reply costs less (issue 11: >= 1,000 replies/s into a thread
-- watched by 10,000 members).
--
-- hearth_thread_changed() of sql/006_cache.sql, with one change: a change
-- to a post no longer updates its thread's row when this transaction has
-- already updated that row to say it has a new post (xmin is this
-- transaction and last_post_at is its start, now(): xmin alone is 32 bits
-- and could match a frozen row's after wraparound). Every update of a
-- threads row bumps its version and tells the cache keeper (the BEFORE
-- UPDATE part below), so the version already differs from every committed
-- one and the keeper hears of the thread at commit. A reply changes its
-- thread in the same statement (POST_CREATE_REPLY: post_count,
-- last_post_at), so the trigger's own update was a second new version of
-- the threads row, with its index entries, for every reply. A thread
-- created in this transaction (version 0: never updated) is still updated
-- and announced by its first post, as before; a row last changed by a
-- rolled-back subtransaction carries that subtransaction's id, not this
-- transaction's, so it is updated too. Other writes (an edit, hiding,
-- deletion) update the thread as before. (A loop of 400 replies in one
-- session at 1M posts: 1.40 and 1.18 against 1.48 and 1.35 ms of
-- PostgreSQL CPU per reply statement with its triggers; the machine was
-- shared, so only the direction is sure.)
create or replace function hearth_thread_changed() returns trigger language plpgsql as $$
begin
    if tg_table_name = 'threads' then
        if tg_op = 'UPDATE' then
            new.version := old.version + 1;
        end if;
        perform pg_notify('hearth_cache', new.id::text);
        return new;
    end if;
    if tg_op = 'DELETE' then
        update threads set version = version + 1
        where id = old.thread_id and not (version > 0 and xmin = pg_current_xact_id()::xid and last_post_at = now());
        return old;
    end if;
    update threads set version = version + 1
    where id = new.thread_id and not (version > 0 and xmin = pg_current_xact_id()::xid and last_post_at = now());
    return new;
end $$;

-- The check against a reload or double click (POST_RECENT_SAME_REPLY: the
-- same text by the same member to the same post in the last ten minutes)
-- finds the member's replies to that post in the index, instead of reading
-- every reply to it (posts_parent) or every post the member wrote in those
-- ten minutes. It replaces posts_parent, whose look-ups it serves as well,
-- so a reply still writes one index entry for its parent. (At 1M posts,
-- after the benchmark's posting runs: 0.50 -> 0.17-0.20 ms of PostgreSQL CPU
-- per check, a loop of 600 checks in one session.)
create index posts_parent_user on posts (parent_id, user_id);
drop index posts_parent;

-- hearth_post_notify() of sql/024_notify_status.sql with one change: the
-- notification of a reply's parent author is one statement (the parent's
-- author, the mute check and the insert) instead of three run one after
-- the other by the trigger for every reply. Who is told stays the same.
create or replace function hearth_post_notify() returns trigger language plpgsql as $$
declare
    became_visible boolean;
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
        insert into notifications (user_id, kind, post_id, actor_id)
        select pa.user_id, 'reply', new.id, new.user_id
        from posts pa
        where pa.id = new.parent_id and pa.user_id is not null
          and pa.user_id is distinct from new.user_id
          and not exists (select 1 from thread_prefs m where m.user_id = pa.user_id
                          and m.thread_id = new.thread_id and m.level = 'mute')
        on conflict do nothing;
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
          and user_status_now(u.status, u.status_until) in ('active', 'silenced')
          and (new.parent_id is null
               or u.id is distinct from (select p.user_id from posts p where p.id = new.parent_id))
          and not exists (select 1 from thread_prefs m where m.user_id = u.id
                          and m.thread_id = new.thread_id and m.level = 'mute')
        limit 20
        on conflict do nothing;
    end if;
    return null;
end $$;
