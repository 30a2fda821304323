-- 020: address retention (issue 13).
--
-- Log-in failures counted per client address were keyed by a plain SHA-256
-- of the address ("a:<hex>"), which anyone holding a dump can reverse by
-- hashing every IPv4 address. From now on the key is the address's keyed
-- digest (HMAC with the server key, like registrations.addr_digest); the
-- old rows cannot be converted and are only read for 15 minutes: drop them.
delete from login_failures where key like 'a:%';

-- The retention sweep (fcgi/retention.h) deletes by age: let it find old
-- rows without reading the whole table.
create index login_failures_at on login_failures (at);
create index registrations_at on registrations (at);
create index sessions_expires_at on sessions (expires_at);
