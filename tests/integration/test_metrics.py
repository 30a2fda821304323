"""GET /metrics (fcgi/page_metrics.c): Prometheus text format, only for the
addresses in metrics_allow (default 127.0.0.1; others get a 404); the
review queue by lane and status with the age of the oldest crisis item,
posts and replies of the last minute, the database's state, medians of the
time to a first review and a first reply; the figures the workers share
(fcgi/counters.h): requests by route and status class, latency histograms,
worker restarts, database reconnects; and the alert rules of
contrib/prometheus/hearth-alerts.yml name metrics that exist."""

import http.client
import os
import re
import signal
import time

import yaml

from client import Client, post_id_from
from harness import wait_for

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9]+(?:\.[0-9]+)?)$')


def _metrics(stack):
    st, hd, body = stack.http("GET", "/metrics")
    assert st == 200, "GET /metrics from 127.0.0.1: %d %r" % (st, body[:300])
    ct = hd.get("content-type", "")
    assert ct.startswith("text/plain; version=0.0.4"), "Content-Type %r" % ct
    assert "no-store" in hd.get("cache-control", ""), "Cache-Control %r" % hd.get("cache-control")
    samples, typed, helped = {}, {}, set()
    for line in body.decode("utf-8").splitlines():
        if line.startswith("# HELP "):
            helped.add(line.split()[2])
            continue
        if line.startswith("# TYPE "):
            name, kind = line.split()[2:4]
            assert kind in ("counter", "gauge", "histogram"), "TYPE %r" % line
            assert name in helped, "%s has no # HELP before its # TYPE" % name
            assert name not in typed, "%s typed twice" % name
            typed[name] = kind
            continue
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, "not a Prometheus sample line: %r" % line
        name = m.group(1)
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in typed or typed.get(base) == "histogram", "%s has no # TYPE before it" % name
        if typed.get(name) == "counter":
            assert name.endswith("_total"), "counter %s does not end in _total" % name
        key = name + (m.group(2) or "")
        assert key not in samples, "%s given twice" % key
        samples[key] = float(m.group(3))
    return samples


def _labels(key):
    return dict(re.findall(r'(\w+)="([^"]*)"', key))


def _from(stack, source, path):
    conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30, source_address=(source, 0))
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _writer(stack):
    if getattr(stack, "_metrics_writer", None):
        return stack._metrics_writer
    stack.hearthctl("category", "add", "metrics-one", "Metrics one", "")
    c = Client(stack)
    st, _, _ = c.register("metrics_writer")
    assert st == 303, "register: %d" % st
    stack._metrics_writer = c
    return c


def _thread(stack, c, title):
    st, loc, html = c.new_thread("metrics-one", title, "Just writing a few quiet words here today.")
    assert st in (200, 303), "new thread: %d" % st
    return int(post_id_from(loc, html))


def test_metrics_format_and_names(stack):
    s = _metrics(stack)
    assert s.get("hearth_database_up") == 1, "hearth_database_up: %r" % s
    for lane in ("crisis", "other"):
        for status in ("open", "escalated"):
            key = 'hearth_review_queue_items{lane="%s",status="%s"}' % (lane, status)
            assert key in s, "%s missing: %r" % (key, sorted(s))
    for key in ("hearth_review_crisis_oldest_seconds", "hearth_review_crisis_waiting",
                "hearth_crisis_unanswered_posts", 'hearth_posts_last_minute{kind="thread"}',
                'hearth_posts_last_minute{kind="reply"}'):
        assert key in s, "%s missing: %r" % (key, sorted(s))


def test_other_addresses_get_404(stack):
    # 127.0.0.2 is loopback too: the page answers it, /metrics does not.
    st, body = _from(stack, "127.0.0.2", "/healthz")
    assert st == 200, "GET /healthz from 127.0.0.2: %d" % st
    st, body = _from(stack, "127.0.0.2", "/metrics")
    assert st == 404, "GET /metrics from 127.0.0.2: %d" % st
    assert b"hearth_" not in body, "the 404 shows metrics: %r" % body[:300]
    st, _, missing = stack.http("GET", "/no-such-page-here")
    assert st == 404 and b"Page not found" in body and b"Page not found" in missing, \
        "the refusal does not look like any other 404: %r" % body[:300]


def test_crisis_lane_and_oldest_age(stack):
    c = _writer(stack)
    crisis = _thread(stack, c, "Metrics crisis item thread")
    other = _thread(stack, c, "Metrics other item thread")
    before = _metrics(stack)
    stack.psql("insert into review_items (post_id, lane, max_severity, created_at) "
               "values (%d, 'crisis', 5, now() - interval '20 minutes')" % crisis)
    stack.psql("insert into review_items (post_id, lane, max_severity, status) "
               "values (%d, 'other', 2, 'escalated')" % other)
    s = _metrics(stack)
    key = 'hearth_review_queue_items{lane="crisis",status="open"}'
    assert s[key] == before[key] + 1, "crisis open: %r then %r" % (before[key], s[key])
    key = 'hearth_review_queue_items{lane="other",status="escalated"}'
    assert s[key] == before[key] + 1, "other escalated: %r then %r" % (before[key], s[key])
    assert 1200 <= s["hearth_review_crisis_oldest_seconds"] < 1200 + 600, \
        "oldest crisis item age: %r" % s["hearth_review_crisis_oldest_seconds"]
    assert s["hearth_review_crisis_waiting"] >= 1, "crisis waiting: %r" % s["hearth_review_crisis_waiting"]
    stack.psql("update review_items set status = 'resolved', resolved_at = now() where post_id in (%d, %d)"
               % (crisis, other))
    s = _metrics(stack)
    assert s["hearth_review_crisis_oldest_seconds"] == before["hearth_review_crisis_oldest_seconds"], \
        "resolved item still counted: %r" % s["hearth_review_crisis_oldest_seconds"]


def test_posts_and_replies_last_minute(stack):
    c = _writer(stack)
    before = _metrics(stack)
    pid = _thread(stack, c, "Metrics counting thread")
    st, _, _ = c.reply(pid, "A reply so the count of replies moves by one.")
    assert st in (200, 303), "reply: %d" % st
    s = _metrics(stack)
    for kind in ("thread", "reply"):
        key = 'hearth_posts_last_minute{kind="%s"}' % kind
        assert s[key] == before[key] + 1, "%s: %r then %r" % (key, before[key], s[key])
    stack.psql("update posts set created_at = now() - interval '2 minutes' where thread_id = "
               "(select thread_id from posts where id = %d)" % pid)
    s = _metrics(stack)
    key = 'hearth_posts_last_minute{kind="reply"}'
    assert s[key] == before[key], "a post older than a minute still counted: %r" % s[key]


def test_alert_rules_name_real_metrics(stack):
    path = os.path.join(SRC, "contrib", "prometheus", "hearth-alerts.yml")
    with open(path) as f:
        doc = yaml.safe_load(f)
    rules = [r for g in doc["groups"] for r in g["rules"]]
    assert all("alert" in r and "expr" in r for r in rules), "a rule without alert or expr: %r" % rules
    crisis = [r for r in rules if "hearth_review_crisis_oldest_seconds" in str(r["expr"])]
    assert crisis and re.search(r">\s*\d+", str(crisis[0]["expr"])), "no crisis-age alert: %r" % rules
    names = set(re.sub(r"\{.*", "", k) for k in _metrics(stack))
    for r in rules:
        for name in re.findall(r"\bhearth_[a-z_]+", str(r["expr"])):
            assert name in names, "alert %s uses %s, which /metrics does not give" % (r["alert"], name)


def test_database_down_is_reported(stack):
    try:
        before = _metrics(stack)
        stack.stop_postgres()
        s = _metrics(stack)
        assert s["hearth_database_up"] == 0, "with PostgreSQL stopped: %r" % s
        db = [k for k in s if k.startswith(("hearth_review", "hearth_posts", "hearth_thread"))]
        assert not db, "database figures with the database down: %r" % db
        # The shared figures do not need the database.
        assert "hearth_worker_restarts_total" in s, "no shared figures with the database down: %r" % s
    finally:
        stack.start_postgres()
    # Every worker's connection broke: the next requests reconnect.
    assert wait_for(lambda: stack.http("GET", "/")[0] == 200, 30), "no 200 after PostgreSQL restarted"
    for _ in range(6):
        stack.http("GET", "/")
    s = wait_for(lambda: (lambda m: m if m["hearth_database_reconnects_total"] >
                          before["hearth_database_reconnects_total"] else None)(_metrics(stack)), 20)
    assert s, "hearth_database_reconnects_total did not move after PostgreSQL restarted"
    assert s["hearth_database_connects_total"] > before["hearth_database_connects_total"], \
        "connects: %r then %r" % (before["hearth_database_connects_total"], s["hearth_database_connects_total"])


def test_request_counters_are_shared_by_the_workers(stack):
    key = 'hearth_http_requests_total{route="/help",method="GET",status="2xx"}'
    count = 'hearth_http_request_duration_seconds_count{route="/help",method="GET"}'
    before = _metrics(stack)
    for _ in range(20):
        st, _, _ = stack.http("GET", "/help")
        assert st == 200, "GET /help: %d" % st
    s = _metrics(stack)
    # Two workers answer these: only a shared count moves by exactly 20.
    assert s[key] == before.get(key, 0) + 20, "%s: %r then %r" % (key, before.get(key), s[key])
    assert s[count] == before.get(count, 0) + 20, "%s: %r then %r" % (count, before.get(count), s[count])
    buckets = sorted((float(_labels(k)["le"]), v) for k, v in s.items()
                     if k.startswith("hearth_http_request_duration_seconds_bucket{")
                     and _labels(k).get("route") == "/help")
    assert buckets[0][0] <= 0.0001, "the smallest bucket is not sub-millisecond: %r" % buckets[:3]
    assert [v for _, v in buckets] == sorted(v for _, v in buckets), "buckets not cumulative: %r" % buckets
    assert buckets[-1] == (float("inf"), s[count]), "+Inf bucket %r, count %r" % (buckets[-1], s[count])
    total = s['hearth_http_request_duration_seconds_sum{route="/help",method="GET"}']
    assert 0 < total < 20, "latency sum: %r" % total
    # A 404 that matched no route and one that matched a pattern (/t/:id).
    k404 = 'hearth_http_requests_total{route="unmatched",method="any",status="4xx"}'
    t404 = 'hearth_http_requests_total{route="/t/:id",method="GET",status="4xx"}'
    stack.http("GET", "/no-such-page-for-metrics")
    stack.http("GET", "/t/999999999")
    s2 = _metrics(stack)
    assert s2[k404] == s.get(k404, 0) + 1, "%s: %r then %r" % (k404, s.get(k404), s2[k404])
    assert s2[t404] == s.get(t404, 0) + 1, "%s: %r then %r" % (t404, s.get(t404), s2[t404])
    st, body = _from(stack, "127.0.0.2", "/metrics")
    assert st == 404 and b"hearth_http" not in body, "GET /metrics from 127.0.0.2: %d" % st


def test_worker_restarts_are_counted(stack):
    before = _metrics(stack)
    pids = stack.worker_pids()
    assert pids, "no workers found"
    victim = sorted(pids)[0]
    os.kill(victim, signal.SIGKILL)
    assert wait_for(lambda: len(stack.worker_pids() - {victim}) >= len(pids), 20), "no replacement worker"
    s = _metrics(stack)
    for key in ("hearth_worker_restarts_total", "hearth_worker_crashes_total"):
        assert s[key] == before[key] + 1, "%s: %r then %r" % (key, before[key], s[key])


def test_first_reply_and_first_review_medians(stack):
    c = _writer(stack)
    pid = _thread(stack, c, "Metrics first reply thread")
    other = Client(stack)
    st, _, _ = other.register("metrics_replier")
    assert st == 303, "register: %d" % st
    before = _metrics(stack)
    stack.psql("update posts set created_at = now() - interval '10 minutes' where id = %d" % pid)
    st, _, _ = other.reply(pid, "I read this and I am here with you.")
    assert st in (200, 303), "reply: %d" % st
    s = _metrics(stack)
    assert s["hearth_thread_first_reply_threads"] == before["hearth_thread_first_reply_threads"] + 1, \
        "threads with a first reply: %r then %r" % (before["hearth_thread_first_reply_threads"],
                                                   s["hearth_thread_first_reply_threads"])
    assert s["hearth_thread_first_reply_median_seconds"] > 0, s["hearth_thread_first_reply_median_seconds"]
    item = _thread(stack, c, "Metrics first review thread")
    stack.psql("insert into review_items (post_id, lane, max_severity, created_at, status, resolved_at) "
               "values (%d, 'other', 2, now() - interval '300 seconds', 'resolved', now())" % item)
    s = _metrics(stack)
    assert s["hearth_review_first_action_items"] == before["hearth_review_first_action_items"] + 1, \
        "reviewed items: %r" % s["hearth_review_first_action_items"]
    assert s["hearth_review_first_action_median_seconds"] > 0
