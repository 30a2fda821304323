-- 002: log-in throttling. Keys are "h:<lower handle>" and "a:<sha256 of the
-- client address>": the address itself is never stored.
create table login_failures (
    key text not null,
    at  timestamptz not null default now()
);
create index login_failures_key_at on login_failures (key, at);
