-- 014: GET /metrics (fcgi/page_metrics.c) counts the posts of the last
-- minute at every scrape. Posts are written in time order, so a BRIN index
-- finds the newest block ranges for a few pages read and costs next to
-- nothing on insert (a btree would grow with every post).
create index posts_created_brin on posts using brin (created_at);
