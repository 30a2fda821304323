-- 030: a member I blocked (member_blocks, sql/016_conversations.sql) no
-- longer reaches me through the forum either, and is never told.
--
-- hearth_post_notify() of sql/027_reply_cost.sql with one change: a reply
-- to my post and an @mention of me are not written when I blocked the one
-- who wrote it (as Discourse does for an ignored member). The post itself
-- stays in its thread for everyone, as before; only my notification is not
-- made. An anonymous post counts by its real author (posts.user_id): a
-- blocked member does not get round the block by ticking a box.
-- Notifications written before the block are left out when read
-- (NOTIFY_VISIBLE in lib/db_sql.def), and "I'm here if you want to talk"
-- from a blocked member tells nobody (HERE_ADD in lib/db_sql_notify.def).
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
          and not exists (select 1 from member_blocks b where b.user_id = pa.user_id
                          and b.blocked_id = new.user_id)
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
          and not exists (select 1 from member_blocks b where b.user_id = u.id
                          and b.blocked_id = new.user_id)
        limit 20
        on conflict do nothing;
    end if;
    return null;
end $$;

-- Who invited a member to a group. An invitation from a facilitator the
-- invitee blocked is kept (the facilitator sees "invited", as for anyone
-- who has not answered yet) but the invitee is never shown it: the group
-- statements read the asker's place through GROUP_COLUMNS, which leaves
-- such an invitation out. Null: invited before this column, or by an
-- operator (hearthctl), shown as before.
alter table group_members add column invited_by bigint references users (id) on delete set null;
