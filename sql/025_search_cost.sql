-- 025: a search costs less CPU (issue 12: p99 < 20 ms at 16 connections).
--
-- search_candidates() (sql/023) becomes search_window(), with two changes:
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
--   index of opening posts (those without a parent: one a thread), that
--   also holds its id and state: two pages read instead of five, 300 times
--   for a common word.
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

-- A result's snippet: ts_headline() costs about a microsecond a word (it
-- parses and stems every word it is given), 0.3 ms for a long post, and a
-- page has 20. So it is given a piece of the post: 240 characters (up to
-- 480 when the query's words first appear far apart) from 60 before the
-- first place that holds one of the query's words (in_words: their stems;
-- a stem is nearly always the start of the words it comes from), cut at
-- spaces. When that piece holds no hit although the post matches (a stem
-- not spelled in the word, "famili" of "family"), the whole post is given,
-- as before; a post found by its thread's title alone shows its start.
create function search_snippet(in_body text, in_doc tsvector, in_q tsquery, in_words text[], in_opts text)
    returns text
    language plpgsql stable
as $$
declare
    body text := in_body || '';     -- decompressed once, not at each use
    head text;
    w text;
    h text;
    n int := length(body);
    first int := 0;
    last int := 0;
    at int;
    len int;
    i int;
    word text;
begin
    if n <= 240 then
        return ts_headline('english', body, in_q, in_opts);
    end if;
    -- Most hits of a common word are near the start: look there first.
    head := lower(left(body, 1200));
    foreach word in array in_words loop
        i := strpos(head, word);
        if i > 0 then
            first := case when first = 0 then i else least(first, i) end;
            last := greatest(last, i);
        end if;
    end loop;
    if first = 0 and n > 1200 then
        head := lower(body);
        foreach word in array in_words loop
            i := strpos(head, word);
            if i > 0 then
                first := case when first = 0 then i else least(first, i) end;
                last := greatest(last, i);
            end if;
        end loop;
    end if;
    at := greatest(first - 60, 1);
    len := least(greatest(240, last - at + 180), 480);
    w := substr(body, at, len);
    if at + len <= n then
        w := left(w, len - position(' ' in reverse(w)));
    end if;
    if at > 1 then
        w := substr(w, position(' ' in w) + 1);
    end if;
    h := ts_headline('english', w, in_q, in_opts);
    if strpos(h, chr(1)) > 0 then
        return h;
    end if;
    if in_doc @@ in_q then
        return ts_headline('english', body, in_q, in_opts);
    end if;
    if at > 1 then
        w := left(body, 240);
        return ts_headline('english', left(w, 240 - position(' ' in reverse(w))), in_q, in_opts);
    end if;
    return h;
end
$$;
