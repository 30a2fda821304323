-- 011: the home page's lists across categories (lib/db_home.h) read only
-- visible threads: partial indexes in the order each list wants.
create index threads_visible_activity on threads (last_post_at desc, id desc)
    where state = 'visible';
create index threads_waiting_first_reply on threads (created_at, id)
    where state = 'visible' and post_count = 1 and not locked;
