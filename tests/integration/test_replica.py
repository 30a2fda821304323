"""Read replicas (issue 12, lib/db.h "Read replicas", fcgi/replica.h).

The stack's PostgreSQL is the primary. The first test makes a streaming
replica of it (pg_basebackup -R, unix socket, a free port, in the stack's
folder), gives the stack's hearth-fcgi (A) the replica as database_replica,
starts a second hearth-fcgi (B, its own socket, cache folder and log) with
the same settings, and points the stack's nginx at both through one
upstream (round robin: consecutive requests alternate between A and B).

The tests then show that a member's reads reach the replica (counted in the
replica's pg_stat_database), that a writer sees their reply at once on both
instances while the replica's replay is paused (another member, reading
from the paused replica, does not yet), that a replica further behind than
replica_max_lag_ms is not read from, that the replica stopped breaks no
page, and that after the primary is stopped and the replica promoted, the
connection strings switched and both instances reloaded (SIGHUP), writes
go to the promoted one (the failover procedure of README.md, "Scale-out").

The tests build on each other in order (module state in S)."""

import os
import re
import signal
import subprocess
import time
import uuid

from client import Client, post_id_from
from harness import free_port, tail, wait_for

STACK_OPTIONS = {"cache": True, "workers": 2}
TIMEOUT = 180

S = {}                 # state shared by the tests, in order


# ---------------------------------------------------------------- servers

def _replica_dir(stack):
    return os.path.join(stack.tmp, "replica")


def _replica_pg(stack, *args):
    return stack._pg(*args)


def _replica_conninfo(stack):
    return "host=%s port=%d dbname=hearth user=hearth" % (S["rsock"], S["rport"])


def rpsql(stack, sql):
    """psql on the replica: unaligned, tuples only."""
    r = stack._pg("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", S["rsock"],
                  "-p", str(S["rport"]), "-U", "hearth", "-d", "hearth", "-c", sql)
    if r.returncode != 0:
        raise RuntimeError("psql on the replica failed: %s" % r.stderr.strip())
    return r.stdout.strip()


def start_replica(stack):
    opts = ("-k %s -p %d -c listen_addresses='' -c fsync=off -c max_connections=50 "
            "-c shared_buffers=32MB -c hot_standby=on -c hot_standby_feedback=on"
            % (S["rsock"], S["rport"]))
    r = stack._pg("pg_ctl", "-D", _replica_dir(stack), "-w", "-t", "60", "-l", S["rlog"],
                  "-o", opts, "start")
    assert r.returncode == 0, "the replica did not start: %s\n%s" % (r.stdout + r.stderr,
                                                                     tail(S["rlog"]))


def stop_replica(stack, mode="fast"):
    if os.path.exists(os.path.join(_replica_dir(stack), "postmaster.pid")):
        stack._pg("pg_ctl", "-D", _replica_dir(stack), "-w", "-t", "60", "-m", mode, "stop")


def write_conf(stack, path, socket_path, cache, **keys):
    """hearth.conf for an instance: the stack's, with another socket and
    cache folder, and keys (None removes one)."""
    conf = dict(stack.conf)
    conf.update(listen=socket_path, cache_dir=cache)
    for k, v in keys.items():
        if v is None:
            conf.pop(k, None)
        else:
            conf[k] = v
    with open(path, "w") as f:
        for k, v in conf.items():
            f.write("%s = %s\n" % (k, v))
    os.chmod(path, 0o644)


def _reloads(log_path):
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            return f.read().count("reloaded: generation")
    except OSError:
        return 0


def reload_all(stack, instances):
    """SIGHUP to each (pid, log) and waits until each master says it
    reloaded (new workers started, old ones told to stop), plus a moment
    for an old worker to finish the request it may hold: a POST answered
    by a worker of the old configuration would not remember its write."""
    before = [(pid, log, _reloads(log)) for pid, log in instances]
    for pid, _, _ in before:
        os.kill(pid, signal.SIGHUP)
    for pid, log, n in before:
        assert wait_for(lambda: _reloads(log) > n, 30), "no reload of %d:\n%s" % (pid, tail(log))
    time.sleep(0.5)


def reconfigure(stack, **keys):
    """Rewrites both instances' hearth.conf with keys and reloads both."""
    S["keys"].update(keys)
    write_conf(stack, stack.conf_path, stack.socket, stack.conf["cache_dir"], **S["keys"])
    write_conf(stack, S["bconf"], S["bsock"], S["bcache"], **S["keys"])
    reload_all(stack, [(stack.fcgi_pid, stack.fcgi_log_path), (S["b"].pid, S["blog"])])


def start_b(stack):
    log = open(S["blog"], "ab")
    try:
        S["b"] = subprocess.Popen(
            [stack.fcgi_bin, "-c", S["bconf"]], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            cwd=stack.tmp, start_new_session=True, env=stack.user.env(stack.extra_env),
            **stack.user.popen_kwargs())
    finally:
        log.close()
    stack.track_pgid(S["b"].pid)
    assert wait_for(lambda: os.path.exists(S["bsock"]), 15), \
        "hearth-fcgi B did not open its socket:\n%s" % tail(S["blog"])


def stop_b(stack):
    """Stops instance B; its exit status and sanitizer reports count as
    the stack's own do."""
    b = S.pop("b", None)
    if b and b.poll() is None:
        b.send_signal(signal.SIGTERM)
        try:
            rc = b.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(b.pid, signal.SIGKILL)
            b.wait()
            rc = None
        if rc != 0:
            stack.problems.append("hearth-fcgi B exited with %s on SIGTERM (want 0)\n%s"
                                  % (rc, tail(S["blog"], 10)))
    try:
        with open(S["blog"], encoding="utf-8", errors="replace") as f:
            stack._check_sanitizers("hearth-fcgi B (%s)" % S["blog"], f.read())
    except (OSError, KeyError):
        pass


def nginx_upstream(stack):
    """Points the stack's nginx at A and B through one upstream; reloads it."""
    path = os.path.join(stack.tmp, "nginx", "nginx.conf")
    with open(path) as f:
        text = f.read()
    text = text.replace("fastcgi_pass unix:%s;" % stack.socket, "fastcgi_pass hearth_pool;")
    text = text.replace("http {\n", "http {\n    upstream hearth_pool { server unix:%s; server unix:%s; }\n"
                        % (stack.socket, S["bsock"]), 1)
    with open(path, "w") as f:
        f.write(text)
    os.kill(stack.nginx.pid, signal.SIGHUP)
    time.sleep(1.0)


def replica_commits(stack):
    """Transactions committed on the replica's hearth database so far."""
    return int(rpsql(stack, "select xact_commit from pg_stat_database where datname = 'hearth'"))


def caught_up(stack):
    lsn = stack.psql("select pg_current_wal_insert_lsn()")
    return wait_for(lambda: rpsql(stack, "select pg_last_wal_replay_lsn() >= '%s'" % lsn) == "t", 30)


def requests_seen(log_path, path):
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            return len(re.findall(r"GET %s 200" % re.escape(path), f.read()))
    except OSError:
        return 0


def setup_thread(stack, author, title):
    st, loc, html = author.new_thread(S["slug"], title, "The opening post of %s." % title)
    assert st in (200, 303), "new thread: %d" % st
    pid = post_id_from(loc, html)
    tid = int(stack.psql("select thread_id from posts where id = %d" % int(pid)))
    return tid, int(pid)


# ---------------------------------------------------------------- tests

def test_replica_streams_and_both_instances_answer(stack):
    S["rsock"] = os.path.join(stack.tmp, "replica-sock")
    S["rport"] = free_port()
    S["rlog"] = os.path.join(stack.tmp, "log", "replica.log")
    os.mkdir(S["rsock"])
    stack.user.chown(S["rsock"])
    stack.cleanups.append(lambda: stop_replica(stack, "immediate"))
    r = stack._pg("pg_basebackup", "-h", stack.pg_sock, "-p", str(stack.pg_port), "-U", "hearth",
                  "-D", _replica_dir(stack), "-R", "-X", "stream", "-c", "fast",
                  "--no-sync")
    assert r.returncode == 0, "pg_basebackup failed: %s" % (r.stdout + r.stderr)
    os.chmod(_replica_dir(stack), 0o700)
    start_replica(stack)
    assert rpsql(stack, "select pg_is_in_recovery()") == "t", "the replica is not a standby"
    assert wait_for(lambda: stack.psql("select count(*) from pg_stat_replication") == "1", 30), \
        "the primary sees no streaming replica"

    # Instance B and the shared upstream.
    S["bsock"] = os.path.join(stack.tmp, "run", "hearth-fcgi-b.sock")
    S["bcache"] = os.path.join(stack.tmp, "cache-b")
    S["bconf"] = os.path.join(stack.tmp, "hearth-b.conf")
    S["blog"] = os.path.join(stack.tmp, "log", "hearth-fcgi-b.log")
    os.mkdir(S["bcache"])
    stack.user.chown(S["bcache"])
    S["keys"] = {"database_replica": _replica_conninfo(stack), "replica_max_lag_ms": "600000",
                 "replica_retry_ms": "500"}
    write_conf(stack, S["bconf"], S["bsock"], S["bcache"], **S["keys"])
    start_b(stack)
    stack.cleanups.append(lambda: stop_b(stack))
    write_conf(stack, stack.conf_path, stack.socket, stack.conf["cache_dir"], **S["keys"])
    reload_all(stack, [(stack.fcgi_pid, stack.fcgi_log_path)])
    nginx_upstream(stack)

    S["slug"] = "replica-" + uuid.uuid4().hex[:6]
    stack.hearthctl("category", "add", S["slug"], "Replica talk", "")
    a_before, b_before = requests_seen(stack.fcgi_log_path, "/"), requests_seen(S["blog"], "/")
    for _ in range(6):
        st, _, _ = stack.http("GET", "/")
        assert st == 200, "GET / through the shared upstream: %d" % st
    assert requests_seen(stack.fcgi_log_path, "/") > a_before, "instance A answered nothing"
    assert requests_seen(S["blog"], "/") > b_before, "instance B answered nothing:\n%s" % tail(S["blog"])


def test_member_reads_reach_the_replica(stack):
    author = Client(stack)
    assert author.register("rep_author_" + uuid.uuid4().hex[:6])[0] == 303
    reader = Client(stack)
    assert reader.register("rep_reader_" + uuid.uuid4().hex[:6])[0] == 303
    S["author"], S["reader"] = author, reader
    tid, pid = setup_thread(stack, author, "Reading from the replica")
    S["tid"], S["pid"] = tid, pid
    assert caught_up(stack), "the replica did not catch up"
    st, _, body = stack.http("GET", "/healthz")
    assert st == 200 and b"ok\n" in body and re.search(rb"replica 1: ok, \d+ ms behind", body), \
        "/healthz with a replica in use: %d %r" % (st, body)
    # The readers' write cookies are replayed by now: their reads go to the replica.
    before = replica_commits(stack)
    for _ in range(10):
        st, _, body = reader.get("/t/%d" % tid)
        assert st == 200 and b"Reading from the replica" in body, "member thread page: %d" % st
        assert reader.get("/")[0] == 200
    # A member's thread page is about fifteen statements; the replica's own
    # checks add at most two a page. A backend reports its counts when idle
    # at most once a second, or ten seconds later: wait for them.
    got = wait_for(lambda: replica_commits(stack) - before >= 100, 15, 0.5)
    after = replica_commits(stack)
    print("# %d transactions on the replica for 20 member pages" % (after - before))
    assert got, "only %d transactions on the replica for 20 member pages" % (after - before)


def test_writer_sees_reply_at_once_on_both_instances(stack):
    author, reader, tid = S["author"], S["reader"], S["tid"]
    assert caught_up(stack)
    rpsql(stack, "select pg_wal_replay_pause()")
    try:
        text = "A reply while the replica waits %s" % uuid.uuid4().hex[:8]
        st, loc, _ = author.reply(S["pid"], text)
        assert st == 303, "reply: %d" % st
        assert "hw" in author.cookies, "no write-position cookie after a reply"
        a0, b0 = requests_seen(stack.fcgi_log_path, "/t/%d" % tid), requests_seen(S["blog"], "/t/%d" % tid)
        for i in range(4):              # round robin: A and B twice each
            st, _, body = author.get("/t/%d" % tid)
            assert st == 200 and text.encode() in body, \
                "the author's own reply is missing from their page (request %d)" % (i + 1)
        assert requests_seen(stack.fcgi_log_path, "/t/%d" % tid) > a0, "A served none of them"
        assert requests_seen(S["blog"], "/t/%d" % tid) > b0, "B served none of them"
        # Someone else reads from the paused replica: not there yet.
        st, _, body = reader.get("/t/%d" % tid)
        assert st == 200
        assert text.encode() not in body, \
            "another member saw the reply while the replica was paused: reads do not reach it"
        # Anonymous pages may be stored: built from the primary, so current.
        assert wait_for(lambda: text.encode() in stack.http("GET", "/t/%d" % tid)[2], 2.0), \
            "the anonymous (stored) page lacks the reply after 2 s"
    finally:
        rpsql(stack, "select pg_wal_replay_resume()")
    assert wait_for(lambda: text.encode() in reader.get("/t/%d" % tid)[2], 15), \
        "the reader never saw the reply after the replica resumed"


def test_replica_behind_max_lag_is_not_read(stack):
    author, reader, tid = S["author"], S["reader"], S["tid"]
    reconfigure(stack, replica_max_lag_ms="300")
    assert caught_up(stack)
    rpsql(stack, "select pg_wal_replay_pause()")
    try:
        text = "Written while the replica lags %s" % uuid.uuid4().hex[:8]
        assert author.reply(S["pid"], text)[0] == 303
        time.sleep(1.0)     # the replica is now more than 300 ms behind
        st, _, body = stack.http("GET", "/healthz")
        assert st == 200 and b"replica 1: not used, reads go to the primary" in body and b"behind" in body, \
            "/healthz with the replica behind: %d %r" % (st, body)
        for _ in range(4):
            st, _, body = reader.get("/t/%d" % tid)
            assert st == 200 and text.encode() in body, \
                "a replica %s behind was read from" % "1 s"
    finally:
        rpsql(stack, "select pg_wal_replay_resume()")
    reconfigure(stack, replica_max_lag_ms="600000")
    logs = stack.fcgi_log() + open(S["blog"], errors="replace").read()
    assert "ms behind" in logs, "the lag was not logged"


def test_replica_stopped_does_not_break_reading(stack):
    author, reader, tid = S["author"], S["reader"], S["tid"]
    stop_replica(stack)
    try:
        text = "Written with the replica down %s" % uuid.uuid4().hex[:8]
        assert author.reply(S["pid"], text)[0] == 303
        for who in (reader, author):
            for _ in range(4):
                st, _, body = who.get("/t/%d" % tid)
                assert st == 200 and text.encode() in body, \
                    "with the replica down: %d, reply %s" % (st, "missing" if st == 200 else "?")
                assert who.get("/")[0] == 200
        st, _, body = stack.http("GET", "/healthz")
        assert st == 200 and body.startswith(b"ok\n") and b"replica 1: not used" in body, \
            "/healthz with the replica down: %d %r" % (st, body)
        for _ in range(4):
            assert stack.http("GET", "/t/%d" % tid)[0] == 200
    finally:
        start_replica(stack)
    # Back in use after the back-off (it doubles while the replica is
    # unreachable, up to 10 s).
    assert caught_up(stack)
    before = replica_commits(stack)

    def used_again():
        for _ in range(4):
            assert reader.get("/t/%d" % tid)[0] == 200
        return replica_commits(stack) - before >= 12
    assert wait_for(used_again, 25, 0.5), "the replica was not used again after it came back"


def test_promoted_replica_takes_writes(stack):
    author, reader, tid = S["author"], S["reader"], S["tid"]
    assert caught_up(stack)
    # Failover: stop the primary (fence it), promote, switch, reload.
    stack.stop_postgres()
    r = stack._pg("pg_ctl", "-D", _replica_dir(stack), "-w", "-t", "60", "promote")
    assert r.returncode == 0, "promote failed: %s" % (r.stdout + r.stderr)
    assert wait_for(lambda: rpsql(stack, "select pg_is_in_recovery()") == "f", 30)
    reconfigure(stack, database=_replica_conninfo(stack), database_replica="")
    text = "Written to the promoted replica %s" % uuid.uuid4().hex[:8]
    st = None
    for _ in range(20):         # the reloaded workers connect within a moment
        st = author.reply(S["pid"], text)[0]
        if st == 303:
            break
        time.sleep(0.5)
    assert st == 303, "a reply after failover: %d\n%s" % (st, tail(stack.fcgi_log_path))
    assert rpsql(stack, "select count(*) from posts where thread_id = %d and body_md = '%s'"
                 % (tid, text)) == "1", "the reply is not in the promoted database"
    for who in (author, reader):
        for _ in range(2):
            st, _, body = who.get("/t/%d" % tid)
            assert st == 200 and text.encode() in body, "after failover: %d" % st
    # The new keeper listens on the new primary: the stored anonymous page
    # follows a write made there.
    assert wait_for(lambda: text.encode() in stack.http("GET", "/t/%d" % tid)[2], 3.0), \
        "the anonymous page lacks the reply made after failover"
    later = "After failover, once more %s" % uuid.uuid4().hex[:8]
    assert stack.http("GET", "/t/%d" % tid)[0] == 200          # stored again
    assert author.reply(S["pid"], later)[0] == 303
    assert wait_for(lambda: later.encode() in stack.http("GET", "/t/%d" % tid)[2], 2.0), \
        "the stored anonymous page was not forgotten after a write on the promoted primary"
