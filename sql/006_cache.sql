-- 006: keeping nginx's cache of anonymous thread pages correct.
-- Every change to a thread or its posts bumps threads.version and tells the
-- cache keeper (LISTEN hearth_cache) which thread changed, on commit, whoever
-- made the change: the forum, hearthctl or an operator's psql session.
alter table threads add column version bigint not null default 0;

create function hearth_thread_changed() returns trigger language plpgsql as $$
begin
    if tg_table_name = 'threads' then
        if tg_op = 'UPDATE' then
            new.version := old.version + 1;
        end if;
        perform pg_notify('hearth_cache', new.id::text);
        return new;
    end if;
    if tg_op = 'DELETE' then
        update threads set version = version + 1 where id = old.thread_id;
        return old;
    end if;
    update threads set version = version + 1 where id = new.thread_id;
    return new;
end $$;

create trigger threads_changed before update on threads
    for each row execute function hearth_thread_changed();
create trigger posts_changed after insert or update or delete on posts
    for each row execute function hearth_thread_changed();

-- A member's handle appears on every page they posted in.
create function hearth_user_renamed() returns trigger language plpgsql as $$
begin
    update threads set version = version + 1
    where id in (select distinct thread_id from posts where user_id = old.id);
    return new;
end $$;
create trigger users_renamed after update of handle on users
    for each row when (old.handle is distinct from new.handle)
    execute function hearth_user_renamed();
