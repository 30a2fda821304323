"""Address retention (issue 13, fcgi/retention.h): what is kept about client
addresses (log-in failures, registrations) is a keyed digest, never the
address nor a plain hash of it; the periodic sweep deletes those rows once
older than address_retention_days (7 here, the default), with expired
sessions, and keeps younger ones. The sweep runs every second here
(retention_interval_seconds = 1)."""

import hashlib
import time

from client import Client

STACK_OPTIONS = {"conf": {"retention_interval_seconds": "1", "registrations_per_hour": "100"}}
TIMEOUT = 90

PLAIN = hashlib.sha256(b"127.0.0.1").hexdigest()


def _count(stack, sql):
    return int(stack.psql(sql).strip().splitlines()[-1])


def test_addresses_are_not_stored_in_clear(stack):
    c = Client(stack)
    st, _, _ = c.register("retention_one")
    assert st == 303, "register: %d" % st
    st, _, _ = Client(stack).login("retention_one", "not the password at all")
    assert st in (200, 401, 403, 422), "wrong password: %d" % st
    keys = stack.psql("select key from login_failures").split()
    assert any(k.startswith("a:") for k in keys), "no address key after a failed log-in: %r" % keys
    for k in keys:
        assert "127.0.0.1" not in k, "an address in clear in login_failures: %r" % k
        assert k != "a:" + PLAIN[:32], "login_failures holds a plain SHA-256 of the address: %r" % k
    regs = stack.psql("select encode(addr_digest, 'hex') from registrations").split()
    assert regs, "no registrations row (registrations_per_hour is set)"
    assert PLAIN not in regs, "registrations holds a plain SHA-256 of the address"
    dump = stack.psql("select l::text from login_failures l union all select r::text from registrations r "
                      "union all select s::text from sessions s")
    assert "127.0.0.1" not in dump, "127.0.0.1 in clear: %r" % dump


def test_sweep_deletes_old_rows_and_keeps_young_ones(stack):
    stack.psql("insert into login_failures (key, at) values "
               "('a:retention-old', now() - interval '8 days'), "
               "('h:retention-old', now() - interval '8 days'), "
               "('a:retention-young', now() - interval '6 days')")
    stack.psql("insert into registrations (addr_digest, at) values "
               "('\\x0101'::bytea, now() - interval '8 days'), ('\\x0202'::bytea, now() - interval '6 days')")
    stack.psql("insert into sessions (token_hash, user_id, csrf_token, expires_at) "
               "select '\\xdeadbeef'::bytea, id, 'x', now() - interval '1 minute' from users "
               "where handle = 'retention_one'")
    deadline = time.time() + 20
    while time.time() < deadline:
        stack.http("GET", "/help")
        old = _count(stack, "select (select count(*) from login_failures where key like '%retention-old') "
                     "+ (select count(*) from registrations where addr_digest = '\\x0101'::bytea) "
                     "+ (select count(*) from sessions where token_hash = '\\xdeadbeef'::bytea)")
        if old == 0:
            break
        time.sleep(0.5)
    assert old == 0, "%d old rows still there after 20 s of a 1 s sweep" % old
    assert _count(stack, "select count(*) from login_failures where key = 'a:retention-young'") == 1, \
        "a 6-day-old log-in failure was deleted with a 7-day retention"
    assert _count(stack, "select count(*) from registrations where addr_digest = '\\x0202'::bytea") == 1, \
        "a 6-day-old registration was deleted with a 7-day retention"
    # The sweep is counted on /metrics.
    st, _, body = stack.http("GET", "/metrics")
    assert st == 200, "/metrics: %d" % st
    runs = [l for l in body.decode().splitlines() if l.startswith("hearth_retention_sweeps_total ")]
    assert runs and float(runs[0].split()[1]) >= 1, "hearth_retention_sweeps_total: %r" % runs
