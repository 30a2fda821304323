-- 009: limits against abuse (issue 9, findings 5, 6 and 8).

-- A key for keyed digests (HMAC-SHA256) of values the database must not
-- hold in clear: released handles and client addresses. Made here, once;
-- `secret_key_file` in hearth.conf replaces it (then a database dump alone
-- cannot even test a guess).
create table server_keys (
    name text primary key,
    key  bytea not null check (length(key) >= 32)
);
insert into server_keys (name, key)
values ('hmac', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

-- Handles of members who left, kept from new members for handle_reserve_days
-- (nobody can take the name a community knew). Only the keyed digest of the
-- lower-cased handle: the table cannot be read back into a list of names.
create table handle_reserve (
    digest      bytea primary key,
    released_at timestamptz not null default now()
);

-- Accounts made, per keyed digest of the client address: the per-address
-- registration rate. Rows older than a day are of no use.
create table registrations (
    addr_digest bytea not null,
    at          timestamptz not null default now()
);
create index registrations_addr_at on registrations (addr_digest, at);

-- Log-in device cookies (OWASP "slow down online guessing with device
-- cookies"): a browser that has logged in to an account gets a random token
-- (cookie "hd"; only its SHA-256 is here) that keeps its own allowance of
-- attempts for that account when its address or handle is locked out.
-- Wrong passwords with it are counted in login_failures under "d:<digest>".
create table login_devices (
    token_hash bytea primary key,
    user_id    bigint not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    last_used  timestamptz not null default now()
);
create index login_devices_user on login_devices (user_id);
