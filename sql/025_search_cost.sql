-- 025: a search costs less CPU (issue 12: p99 < 20 ms at 16 connections).
--
-- search_candidates() (sql/023) becomes search_window(), with these changes:
--
--   A post's thread is checked by one probe of its primary key per
--   candidate. The join let the planner hash every visible thread (10,425
--   at a million posts, about 3 ms) to check the one post a rare word finds.
--
--   A query with a "phrase" takes its window by its words: the newest
--   in_n posts that hold every word of it (in_wq: the query typed again
--   without the quotes), or match in_q outright (so a phrase with a -word
--   inside loses nothing); of those, the ones that hold the phrase are
--   ranked. Before, the window was the newest in_n posts holding the phrase
--   itself, and a phrase of two common words ("small steps") walked 10,000
--   posts to find 300 (17 ms). A window row that does not hold the phrase
--   comes back with a null rank: it counts toward "older matches left out"
--   and is never a result.
--
--   A thread's opening post (a title match's result) is found in a small
--   index of opening posts (those without a parent: one a thread, still the
--   first by path), that also holds its id and state: two pages read
--   instead of five, 300 times for a common word.
--
--   A post's search column is kept in its row (storage main): a long post's
--   texts go to the TOAST table first. It used to be the one moved out
--   when a row grew past 2 KB, so that each candidate of a walk cost two
--   TOAST look-ups (one for @@, one for ts_rank): a common word's
--   candidates took 2.5 ms of CPU, 1.5 ms with the column in the row (1M
--   posts). Rows written from now on; older ones as they are edited.
--
-- The visibility rules are those of sql/023, unchanged.
alter table posts alter column search set storage main;
create index posts_thread_opening on posts (thread_id, path) include (id, state) where parent_id is null;

-- The newest in_n matching titles in visible threads (in_category, 0: any),
-- as search_window() rows: then only their opening posts (one probe each,
-- not one per match). With no filter on the opening post this is the title
-- part of every search; its plan is the same for every word (a look-up in
-- the titles' GIN index, then the newest first), so it is planned once.
create function search_window_titles(in_q tsquery, in_n int, in_category int)
    returns table (post_id bigint, rank real, part "char")
    language plpgsql stable
    set plan_cache_mode = force_generic_plan
as $$
begin
    return query
    select x.id, x.r, 't'::"char" from (
        select p.id, (2 * ts_rank(t.search, in_q))::real as r
        from (select t.id, t.search from threads t
              where t.search @@ in_q and t.state = 'visible' and t.group_id is null
                and (in_category = 0 or t.category_id = in_category)
              order by t.id desc limit in_n) t
        cross join lateral (
            select o.id, o.state from posts o where o.thread_id = t.id and o.parent_id is null
            order by o.path limit 1) p
        where p.state = 'visible') x;
end
$$;

create function search_window(in_q tsquery, in_wq tsquery, in_n int, in_category int, in_author bigint,
                              in_viewer bigint, in_moderator boolean, in_from timestamptz,
                              in_to timestamptz)
    returns table (post_id bigint, rank real, part "char")
    language plpgsql stable
    set plan_cache_mode = force_custom_plan
as $$
begin
    if in_wq is null and in_category = 0 and in_author = 0 and in_from = '-infinity' and in_to = 'infinity' then
        -- No filter: the same statement without them, quicker to plan (each
        -- call plans it for its words; about a third of a plain search's cost).
        return query
        select x.id, x.r, 'p'::"char" from (
            select p.id, ts_rank(p.search, in_q) as r
            from posts p cross join lateral (
                select t.category_id from threads t
                where t.id = p.thread_id and t.state = 'visible' and t.group_id is null offset 0) t
            where p.search @@ in_q and p.state = 'visible'
            order by p.id desc limit in_n) x;
    elsif in_wq is null then
        return query
        select x.id, x.r, 'p'::"char" from (
            select p.id, ts_rank(p.search, in_q) as r
            from posts p cross join lateral (
                -- offset 0: one probe per candidate, never a hash of every thread
                select t.category_id from threads t
                where t.id = p.thread_id and t.state = 'visible' and t.group_id is null offset 0) t
            where p.search @@ in_q and p.state = 'visible'
              and (in_category = 0 or t.category_id = in_category)
              and (in_author = 0 or (p.user_id = in_author and (not p.anonymous or p.user_id = in_viewer)
                   and (p.user_id = in_viewer or in_moderator
                        or not exists (select 1 from flags f where f.post_id = p.id
                                       and f.top_category = 'crisis'))))
              and p.created_at >= in_from and p.created_at < in_to
            order by p.id desc limit in_n) x;
    else
        return query
        select x.id, case when x.s @@ in_q then ts_rank(x.s, in_q) end, 'p'::"char" from (
            select p.id, p.search as s
            from posts p cross join lateral (
                select t.category_id from threads t
                where t.id = p.thread_id and t.state = 'visible' and t.group_id is null offset 0) t
            where (p.search @@ in_wq or p.search @@ in_q) and p.state = 'visible'
              and (in_category = 0 or t.category_id = in_category)
              and (in_author = 0 or (p.user_id = in_author and (not p.anonymous or p.user_id = in_viewer)
                   and (p.user_id = in_viewer or in_moderator
                        or not exists (select 1 from flags f where f.post_id = p.id
                                       and f.top_category = 'crisis'))))
              and p.created_at >= in_from and p.created_at < in_to
            order by p.id desc limit in_n) x;
    end if;
    if in_author = 0 and in_from = '-infinity' and in_to = 'infinity' then
        return query select * from search_window_titles(in_q, in_n, in_category);
        return;
    end if;
    return query
    select x.id, x.r, 't'::"char" from (
        select p.id, (2 * ts_rank(t.search, in_q))::real as r
        from threads t cross join lateral (
            select o.id, o.state, o.user_id, o.anonymous, o.created_at from posts o
            where o.thread_id = t.id and o.parent_id is null order by o.path limit 1) p
        where t.search @@ in_q and p.state = 'visible' and t.state = 'visible' and t.group_id is null
          and (in_category = 0 or t.category_id = in_category)
          and (in_author = 0 or (p.user_id = in_author and (not p.anonymous or p.user_id = in_viewer)
               and (p.user_id = in_viewer or in_moderator
                    or not exists (select 1 from flags f where f.post_id = p.id
                                   and f.top_category = 'crisis'))))
          and p.created_at >= in_from and p.created_at < in_to
        order by t.id desc limit in_n) x;
end
$$;

drop function search_candidates(tsquery, int, int, bigint, bigint, boolean, timestamptz, timestamptz);
