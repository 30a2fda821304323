-- 007: a member's page pages by (created_at, id): let the index give that order.
drop index if exists posts_user_created;
create index posts_user_created_id on posts (user_id, created_at desc, id desc);
