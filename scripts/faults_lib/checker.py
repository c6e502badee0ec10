"""The set checker: what every live node must agree on once the faults are over.

Rules (docs/RELIABILITY.md):
1. every acknowledged record is present on every live node (else it is *lost*);
2. every node holds the same records: the same frontier (head seq of every feed and record
   count) and the same record ids in its feed (else the nodes *diverge*);
3. no node holds a record the test never tried to write (a *phantom*), nor one whose write
   failed for certain (*failed but present*);
4. the views `members --all`, `balance`, `pulse`, `proposals --state all` and `ties` print the
   same bytes (`--json`) on every node; `pulse` is compared only between nodes whose clocks are
   in the same week, since it places the weeks against the node's own NOW;
5. no daemon exited unless the test stopped or killed it, and no log shows a crash.
"""

import re
import time

from .workload import ACKED, FAILED

VIEWS = (("members", "--all", "--limit", "500"), ("balance",), ("pulse",), ("proposals", "--state", "all", "--limit", "500"),
         ("ties",))
INFRASTRUCTURE = {"community.create", "member.invite", "member.join", "profile"}


def feed_entries(node):
    """Every record of the node's feed (records that took effect), by id."""
    entries, cursor = {}, None
    while True:
        args = ["feed", "--limit", "500"] + (["--before", cursor] if cursor else [])
        page = node.zwerm_json(*args)
        for e in page["entries"]:
            entries[e["id"]] = e
        cursor = page.get("next_cursor")
        if not cursor:
            return entries


def key_of(entry):
    body = entry.get("body") or {}
    return body.get("title") or body.get("note")


def week_of(node):
    """The pulse week the node's clock is in now."""
    offset = parse_offset(node.clock_offset)
    now_ms = (time.time() + offset) * 1000
    return int((now_ms + 3 * 86400000) // (7 * 86400000))


def parse_offset(text):
    if not text:
        return 0
    m = re.fullmatch(r"([+-]\d+)([smhdy]?)", text)
    unit = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "y": 365 * 86400}[m.group(2)]
    return int(m.group(1)) * unit


class Verdict:
    def __init__(self):
        self.problems = []
        self.notes = []
        self.lost = 0

    def fail(self, text):
        self.problems.append(text)

    @property
    def ok(self):
        return not self.problems


def check(cluster, history, settle=10):
    """Runs every rule on the live nodes; retries the view rules for up to `settle` s (a view
    may trail the store by one absorb)."""
    verdict = Verdict()
    live = cluster.live()
    check_crashes(cluster, verdict)
    if not live:
        verdict.fail("no node is running")
        return verdict
    frontiers = {n.name: cluster.frontier(n) for n in live}
    if len(set(frontiers.values())) != 1:
        verdict.fail("frontiers differ: " + "; ".join(
            f"{name}: {records} records" for name, (records, _) in frontiers.items()))
    feeds = {n.name: feed_entries(n) for n in live}
    check_records(feeds, history, verdict)
    deadline = time.monotonic() + settle
    while True:
        view_problems = compare_views(live)
        if not view_problems or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    for p in view_problems:
        verdict.fail(p)
    return verdict


def check_crashes(cluster, verdict):
    cluster.note_exits()
    for n in cluster.nodes:
        for code, tail in n.unexpected_exits:
            verdict.fail(f"{n.name}'s zwermd exited by itself with {code}:\n{tail}")
        n.unexpected_exits = []
        for line in n.crash_signs():
            verdict.fail(f"{n.name}'s log shows a crash: {line}")


def check_records(feeds, history, verdict):
    ids = {name: set(entries) for name, entries in feeds.items()}
    union = set().union(*ids.values())
    for name, have in ids.items():
        missing = union - have
        if missing:
            verdict.fail(f"{name} lacks {len(missing)} records others hold, e.g. {sorted(missing)[0]}")
    for a in history.acknowledged():
        absent = [name for name, have in ids.items() if a.record_id not in have]
        if absent:
            verdict.lost += 1
            verdict.fail(f"acknowledged {a.kind} {a.key} ({a.record_id}) written at node{a.node} "
                         f"is missing on {', '.join(absent)}")
    everything = {}
    for entries in feeds.values():
        everything.update(entries)
    for record_id, entry in everything.items():
        if entry["type"] in INFRASTRUCTURE:
            continue
        attempt = history.attempts.get(key_of(entry))
        if attempt is None:
            verdict.fail(f"phantom record {record_id} ({entry['type']} {key_of(entry)!r})")
        elif attempt.outcome == FAILED:
            verdict.fail(f"{attempt.key} is present although zwerm exited {attempt.exit_code}")
        elif attempt.outcome == ACKED and attempt.record_id != record_id:
            verdict.fail(f"{attempt.key} was acknowledged as {attempt.record_id} but is {record_id}")


def compare_views(nodes):
    problems = []
    weeks = {n.name: week_of(n) for n in nodes}
    reference = nodes[0]
    for view in VIEWS:
        outputs = {}
        for n in nodes:
            code, out = n.zwerm(*view)
            if code != 0:
                problems.append(f"{n.name}: zwerm {' '.join(view)} exited {code}")
            outputs[n.name] = out
        for n in nodes[1:]:
            if view[0] == "pulse" and weeks[n.name] != weeks[reference.name]:
                continue
            if outputs[n.name] != outputs[reference.name]:
                problems.append(f"`zwerm --json {' '.join(view)}` differs between "
                                f"{reference.name} and {n.name}: "
                                f"{first_difference(outputs[reference.name], outputs[n.name])}")
    return problems


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines())):
        if x != y:
            return f"line {i + 1}: {x.strip()!r} vs {y.strip()!r}"
    return f"{len(a)} vs {len(b)} bytes"
