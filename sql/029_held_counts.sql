-- 029: a held post counts for nobody (access audit, round 8).
--
-- threads.post_count and last_post_at, and categories.post_count,
-- thread_count and last_post_at, are read by everyone: "N replies" and
-- "last activity" on the home and category pages, the order of those lists,
-- the home page's "Waiting for a first reply" (post_count = 1) and a
-- category's counts. They counted held posts and threads too, so a held
-- reply told every reader that something was written there (a thread with
-- no reply to read said "1 reply", went to the top of the lists, and its
-- writer dropped out of "Waiting for a first reply" for a reply nobody could
-- read), and a held thread grew its category's counts. A held post is for
-- its author and the moderators only (lib/db_read.h), by its text or by a
-- number.
--
-- From now on:
--   threads.post_count     its opening post and its replies that are not
--                          held (visible, hidden: a notice, deleted: a
--                          tombstone: what readers find in the thread);
--   threads.last_post_at   moves when a reply becomes one of those: written
--                          so (POST_CREATE_REPLY), or later (below);
--   categories.*           the same over their threads that are not held.
-- A held reply is written without touching its thread's counters
-- (POST_CREATE_REPLY), a held thread without its category's
-- (db_thread_create); the triggers below count them when a moderator's
-- decision, the author's deletion or an account deletion makes them
-- something readers find, and uncount them should one be held again.

create function hearth_post_held_counted() returns trigger language plpgsql as $$
declare
    delta int := case when new.state = 'held' then -1 else 1 end;
    cat bigint;
    counted boolean;
begin
    -- An opening post counts with its thread (threads_held_counted).
    if new.parent_id is null then
        return new;
    end if;
    update threads set post_count = greatest(post_count + delta, 1),
           last_post_at = case when delta > 0 then greatest(last_post_at, now()) else last_post_at end
     where id = new.thread_id
    returning category_id, state <> 'held' into cat, counted;
    if counted then
        update categories set post_count = greatest(post_count + delta, 0),
               last_post_at = case when delta > 0 then greatest(coalesce(last_post_at, now()), now())
                                   else last_post_at end
         where id = cat;
    end if;
    return new;
end $$;

create trigger posts_held_counted after update of state on posts
    for each row when ((old.state = 'held') is distinct from (new.state = 'held'))
    execute function hearth_post_held_counted();

create function hearth_thread_held_counted() returns trigger language plpgsql as $$
declare
    delta int := case when new.state = 'held' then -1 else 1 end;
begin
    update categories set thread_count = greatest(thread_count + delta, 0),
           post_count = greatest(post_count + delta * new.post_count, 0),
           last_post_at = case when delta > 0 then greatest(coalesce(last_post_at, now()), now())
                               else last_post_at end
     where id = new.category_id;
    return new;
end $$;

create trigger threads_held_counted after update of state on threads
    for each row when ((old.state = 'held') is distinct from (new.state = 'held'))
    execute function hearth_thread_held_counted();

-- What is already stored, counted by the new rule. Only rows that change
-- are written (each threads update tells the cache keeper). A thread whose
-- newest post is held goes back to the time of its newest post readers find.
update threads t set post_count = x.n
  from (select thread_id, count(*) filter (where parent_id is null or state <> 'held') as n
          from posts group by thread_id) x
 where x.thread_id = t.id and t.post_count <> x.n;
update threads t set last_post_at = x.last
  from (select thread_id, max(created_at) filter (where parent_id is null or state <> 'held') as last
          from posts where thread_id in (select thread_id from posts where state = 'held' and parent_id is not null)
         group by thread_id) x
 where x.thread_id = t.id and x.last is not null and t.last_post_at > x.last;
with x as (select c.id, count(t.id) filter (where t.state <> 'held') as threads,
                  coalesce(sum(t.post_count) filter (where t.state <> 'held'), 0) as posts,
                  max(t.last_post_at) filter (where t.state <> 'held') as last
             from categories c left join threads t on t.category_id = c.id group by c.id)
update categories c set thread_count = x.threads, post_count = x.posts, last_post_at = x.last
  from x
 where x.id = c.id and (c.thread_count, c.post_count, c.last_post_at) is distinct from (x.threads, x.posts, x.last);
