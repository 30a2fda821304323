-- 023: search stays fast at a million posts (issue 12: p99 < 20 ms for
-- common and rare words).
--
-- Ranking every post that contains a common word costs seconds: at
-- 1,000,000 posts "garden" is in 681,105 of them. A search ranks the newest
-- matches only: the newest search_window matching posts (and as many
-- matching thread titles), each filter applied before the window is taken,
-- so a search narrowed by category, member or dates looks further back.
-- Two plans, and PostgreSQL must pick the right one each time:
--   a common word: walk posts newest first (the primary key backwards)
--     and stop after the window, about a millisecond;
--   a rare word: the GIN index gives the few matches, then sort.
-- So the candidates come from a function whose statements are planned with
-- the words known (plan_cache_mode = force_custom_plan: a generic plan of
-- a prepared statement would choose one plan for every word), and the
-- search columns keep larger statistics, so that a word missing from
-- them is estimated as rare, not as one post in a hundred.
alter table posts alter column search set statistics 1000;
alter table threads alter column search set statistics 1000;

-- The newest matches of in_q, as (post id, rank, part): part 'p' a post by
-- its text, 't' an opening post by its thread's title (ranked twice as
-- high); at most in_n of each. The filters are those of SEARCH_POSTS
-- (lib/db_sql_search.def): category (0: any), author (0: any; then their
-- crisis-flagged posts only for the viewer who wrote them or a moderator,
-- and their anonymous posts only for themselves), written in [in_from, in_to).
create function search_candidates(in_q tsquery, in_n int, in_category int, in_author bigint, in_viewer bigint,
                                  in_moderator boolean, in_from timestamptz, in_to timestamptz)
    returns table (post_id bigint, rank real, part "char")
    language plpgsql stable
    set plan_cache_mode = force_custom_plan
as $$
begin
    return query
    select x.id, x.r, 'p'::"char" from (
        select p.id, ts_rank(p.search, in_q) as r
        from posts p join threads t on t.id = p.thread_id
        where p.search @@ in_q and p.state = 'visible' and t.state = 'visible' and t.group_id is null
          and (in_category = 0 or t.category_id = in_category)
          and (in_author = 0 or (p.user_id = in_author and (not p.anonymous or p.user_id = in_viewer)
               and (p.user_id = in_viewer or in_moderator
                    or not exists (select 1 from flags f where f.post_id = p.id
                                   and f.top_category = 'crisis'))))
          and p.created_at >= in_from and p.created_at < in_to
        order by p.id desc limit in_n) x;
    if in_author = 0 and in_from = '-infinity' and in_to = 'infinity' then
        -- No filter on the opening post: the newest matching titles first,
        -- then only their opening posts (one probe each, not one per match).
        return query
        select x.id, x.r, 't'::"char" from (
            select p.id, (2 * ts_rank(t.search, in_q))::real as r
            from (select t.id, t.search from threads t
                  where t.search @@ in_q and t.state = 'visible' and t.group_id is null
                    and (in_category = 0 or t.category_id = in_category)
                  order by t.id desc limit in_n) t
            cross join lateral (
                select o.id, o.state from posts o where o.thread_id = t.id order by o.path limit 1) p
            where p.state = 'visible') x;
        return;
    end if;
    return query
    select x.id, x.r, 't'::"char" from (
        select p.id, (2 * ts_rank(t.search, in_q))::real as r
        from threads t cross join lateral (
            select o.id, o.state, o.user_id, o.anonymous, o.created_at from posts o
            where o.thread_id = t.id order by o.path limit 1) p
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

analyze posts;
analyze threads;
