-- 011: the home page's lists across categories (lib/db_home.h) read only
-- visible threads: partial indexes in the order each list wants.
create index threads_visible_activity on threads (last_post_at desc, id desc)
    where state = 'visible';
create index threads_waiting_first_reply on threads (created_at, id)
    where state = 'visible' and post_count = 1 and not locked;

-- Full-text search (lib/db_search.h): the database keeps each text's
-- tsvector itself (generated columns follow every insert, edit, redaction
-- and deletion with no trigger to forget), GIN-indexed for @@.
alter table posts add column search tsvector
    generated always as (to_tsvector('english', body_md)) stored;
create index posts_search on posts using gin (search);
alter table threads add column search tsvector
    generated always as (to_tsvector('english', title)) stored;
create index threads_search on threads using gin (search);
