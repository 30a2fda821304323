-- 018: anonymous posts (issue 13).
--
-- In a category whose operator allows it (hearthctl category anonymous SLUG
-- on), a member may post a thread or a reply as "a member who chose to stay
-- anonymous". The post keeps its user_id (the author edits and deletes it,
-- and moderators act on it) but no reader is ever given the handle: every
-- read statement that names an author returns null for an anonymous post
-- and a flag saying why (lib/db_sql_anon.def has the shared fragments).
-- A moderator learns who wrote one only by the review item's "show who
-- wrote this" action, which writes an audit entry each time.
alter table categories add column allow_anonymous boolean not null default false;
alter table posts add column anonymous boolean not null default false;
-- A thread is anonymous when its opening post is: the lists name a
-- thread's author from threads.user_id.
alter table threads add column anonymous boolean not null default false;

-- A reply to or a mention by an anonymous post tells the recipient that
-- something happened, never by whom: the notification keeps no actor.
create function hearth_notify_anonymous() returns trigger language plpgsql as $$
begin
    if new.kind in ('reply', 'mention') and new.actor_id is not null
       and exists (select 1 from posts p where p.id = new.post_id and p.anonymous) then
        new.actor_id := null;
    end if;
    return new;
end $$;
create trigger notifications_anonymous before insert on notifications
    for each row execute function hearth_notify_anonymous();

-- Changing a category's setting changes the reply box of its threads,
-- which is part of the parts every member shares (fcgi/skeleton.c):
-- bump the threads' versions so those are rebuilt.
create function hearth_category_anonymous_changed() returns trigger language plpgsql as $$
begin
    update threads set version = version + 1 where category_id = new.id;
    return null;
end $$;
create trigger categories_anonymous_changed after update of allow_anonymous on categories
    for each row when (new.allow_anonymous is distinct from old.allow_anonymous)
    execute function hearth_category_anonymous_changed();
