-- 008: what a member's thread page needs beyond the parts every member shares
-- (fcgi/skeleton.c), each in one index probe: the posts they said "I hear
-- you" to in the thread, and whether they have a post there that others
-- cannot see (held or hidden).
alter table post_support add column thread_id bigint;
update post_support s set thread_id = p.thread_id from posts p where p.id = s.post_id;
alter table post_support alter column thread_id set not null;
create index post_support_user_thread on post_support (user_id, thread_id);
create index posts_user_unseen on posts (user_id, thread_id) where state in ('held', 'hidden');
