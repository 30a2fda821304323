"""`hearthctl rules backtest` (issue 10): a moderator tries a rule set on every
stored post before it goes live. The sample forum is loaded; candidate rule
sets are the running rules plus one rule of our own, so the counts are known:
every stored post that mentions the test word changes, and nothing else does."""

import os
import re
import shutil

STACK_OPTIONS = {"workers": 1}

WORD = "mountain"          # in the sample forum's posts ("felt like a mountain")


def extra_rule(severity):
    return (
        "rule test.backtest.word\n"
        "category concern.backtest\n"
        "severity %d\n"
        "action flag\n"
        "pattern \\b%s\\b\n"
        "note Backtest test rule.\n"
        "test+ it felt like a %s today\n"
        "test- a quiet morning\n"
        "end\n" % (severity, WORD, WORD))


def rule_set(stack, name, severity=None):
    """A copy of the running rules in the stack's folder, with the extra rule
    at that severity (None: an unchanged copy)."""
    d = os.path.join(stack.tmp, "backtest-" + name)
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(stack.data["rules"], d)
    if severity is not None:
        with open(os.path.join(d, "zz_backtest.rules"), "w", encoding="utf-8") as f:
            f.write(extra_rule(severity))
    os.chmod(d, 0o755)
    for f in os.listdir(d):
        os.chmod(os.path.join(d, f), 0o644)
    return d


def loaded(stack):
    r = stack.hearthctl("sample-data")
    assert r.returncode == 0, r.stderr
    n = int(stack.psql("select count(*) from posts where body_md <> '' and body_md ~* '\\m%s\\M'" % WORD))
    total = int(stack.psql("select count(*) from posts where body_md <> ''"))
    assert n >= 1, "the sample forum has no post with %r" % WORD
    anon = stack.psql("select allow_anonymous from categories where slug = 'low-mood'").strip()
    assert anon == "t", "sample-data: low-mood does not allow anonymous posts (%r)" % anon
    return n, total


def figures(out):
    def one(label):
        m = re.search(r"^%s: (\d+)" % re.escape(label), out, re.M)
        assert m, "no %r line in:\n%s" % (label, out)
        return int(m.group(1))
    return {k: one(k) for k in ("backtest", "newly flagged", "no longer flagged", "severity moved")}


def test_backtest_counts_and_examples(stack):
    n, total = loaded(stack)
    running = rule_set(stack, "running")
    with_rule = rule_set(stack, "with", severity=1)
    with_rule_higher = rule_set(stack, "higher", severity=3)

    # the same rules: nothing changes, every post is screened
    r = stack.hearthctl("rules", "backtest", "--rules", running, "--current", running)
    assert r.returncode == 0, r.stderr
    f = figures(r.stdout)
    assert f["backtest"] == total
    assert (f["newly flagged"], f["no longer flagged"], f["severity moved"]) == (0, 0, 0), r.stdout

    # a new rule: exactly the posts with the word are newly flagged, shown with the rule id
    r = stack.hearthctl("rules", "backtest", "--rules", with_rule, "--current", running,
                        "--examples", "1")
    assert r.returncode == 0, r.stderr
    f = figures(r.stdout)
    assert (f["newly flagged"], f["no longer flagged"], f["severity moved"]) == (n, 0, 0), r.stdout
    assert "newly flagged (first 1 of %d):" % n in r.stdout
    example = [l for l in r.stdout.splitlines() if l.startswith("  post ")]
    assert len(example) == 1 and "test.backtest.word" in example[0] and WORD in example[0].lower(), r.stdout

    # the other way round: no longer flagged
    r = stack.hearthctl("rules", "backtest", "--rules", running, "--current", with_rule)
    f = figures(r.stdout)
    assert (f["newly flagged"], f["no longer flagged"], f["severity moved"]) == (0, n, 0), r.stdout

    # the rule at a higher severity: severity moved up for those posts
    r = stack.hearthctl("rules", "backtest", "--rules", with_rule_higher, "--current", with_rule)
    f = figures(r.stdout)
    assert f["severity moved"] == n and "(up %d, down 0)" % n in r.stdout, r.stdout


def test_backtest_refuses_bad_rules_and_arguments(stack):
    loaded(stack)
    running = rule_set(stack, "running2")
    bad = rule_set(stack, "bad")
    with open(os.path.join(bad, "zz_bad.rules"), "w", encoding="utf-8") as f:
        f.write("rule broken\nseverity 9\nend\n")
    r = stack.hearthctl("rules", "backtest", "--rules", bad, "--current", running)
    assert r.returncode == 1 and "candidate rules" in r.stderr and "zz_bad.rules" in r.stderr, r.stderr
    r = stack.hearthctl("rules", "backtest")
    assert r.returncode == 2 and "--rules DIR" in r.stderr, r.stderr
    r = stack.hearthctl("rules", "backtest", "--rules", running, "--examples", "lots")
    assert r.returncode == 2 and "--examples" in r.stderr, r.stderr
