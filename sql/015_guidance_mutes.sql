-- 015: guidance for repliers and muted topics (issue 13, "Reading with care").
--
-- A thread's reply box carries a note for repliers once a visible post of it
-- has a crisis flag. The note is part of the parts every member shares
-- (fcgi/skeleton.c), which are kept per threads.version: a crisis flag
-- written after its post (a member's report) bumps the version too, so the
-- stored parts are rebuilt with the note.
create function hearth_crisis_flagged() returns trigger language plpgsql as $$
begin
    update threads set version = version + 1
    where id = (select thread_id from posts where id = new.post_id);
    return new;
end $$;
create trigger flags_crisis_changed after insert on flags
    for each row when (new.top_category = 'crisis')
    execute function hearth_crisis_flagged();

-- Muted topics: a member hides the threads of a category, or threads with a
-- crisis flag, from their lists (home page, category pages). The threads
-- stay readable by their address.
create table category_mutes (
    user_id     bigint not null references users (id) on delete cascade,
    category_id int not null references categories (id) on delete cascade,
    primary key (user_id, category_id)
);
alter table users add column mute_crisis boolean not null default false;
