-- 005: the review pages (fcgi/page_review.c).
-- A post's review page lists the earlier moderator actions on it; the audit
-- log only grows, so that lookup needs its own index.
create index audit_log_post on audit_log (post_id, id desc) where post_id is not null;
