-- 024: a member whose timed silence or ban has ended (sql/019_modtools.sql:
-- users.status_until passed, users.status not yet written back) is told of
-- mentions again, like every other check that reads the status through
-- user_status_now(). hearth_post_notify() of sql/013_notifications.sql,
-- with that one condition changed.
create or replace function hearth_post_notify() returns trigger language plpgsql as $$
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
