"""GET /metrics (fcgi/page_metrics.c): Prometheus text format, only for the
addresses in metrics_allow (default 127.0.0.1; others get a 404); the
review queue by lane and status with the age of the oldest crisis item,
posts and replies of the last minute, the database's state; and the alert
rules of contrib/prometheus/hearth-alerts.yml name metrics that exist."""

import http.client
import os
import re

import yaml

from client import Client, post_id_from

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9]+(?:\.[0-9]+)?)$')


def _metrics(stack):
    st, hd, body = stack.http("GET", "/metrics")
    assert st == 200, "GET /metrics from 127.0.0.1: %d %r" % (st, body[:300])
    ct = hd.get("content-type", "")
    assert ct.startswith("text/plain; version=0.0.4"), "Content-Type %r" % ct
    assert "no-store" in hd.get("cache-control", ""), "Cache-Control %r" % hd.get("cache-control")
    samples, typed = {}, set()
    for line in body.decode("utf-8").splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, "not a Prometheus sample line: %r" % line
        assert m.group(1) in typed, "%s has no # TYPE before it" % m.group(1)
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return samples


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
    stack.stop_postgres()
    try:
        s = _metrics(stack)
        assert s == {"hearth_database_up": 0}, "with PostgreSQL stopped: %r" % s
    finally:
        stack.start_postgres()
