"""Writers: one thread per node writing records through `zwerm`, and the history of every
attempt (Jepsen style: a write is acknowledged only when `zwerm` exited 0 and printed the id).
"""

import random
import threading
import time
from dataclasses import dataclass, field

ACKED, FAILED, UNKNOWN = "acknowledged", "failed", "unknown"


@dataclass
class Attempt:
    key: str          # unique text in the record (a title, or a thanks note)
    node: int
    kind: str         # ask, contribute, thank
    outcome: str = UNKNOWN
    record_id: str = None
    exit_code: int = None


@dataclass
class History:
    attempts: dict = field(default_factory=dict)   # key -> Attempt
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, attempt):
        with self.lock:
            self.attempts[attempt.key] = attempt

    def acknowledged(self):
        with self.lock:
            return [a for a in self.attempts.values() if a.outcome == ACKED]

    def count(self, outcome=None):
        with self.lock:
            return sum(1 for a in self.attempts.values() if outcome in (None, a.outcome))

    def contributions_by_others(self, node):
        with self.lock:
            return [a.record_id for a in self.attempts.values()
                    if a.kind == "contribute" and a.outcome == ACKED and a.node != node]


def write_one(node, history, label, counter, rng, thanked):
    """One write at `node`: mostly requests, some contributions, now and then a thanks."""
    key = f"{label}-n{node.index}-{counter}"
    roll = rng.random()
    targets = [c for c in history.contributions_by_others(node.index) if c not in thanked]
    if roll < 0.1 and targets:
        target = rng.choice(targets)
        thanked.add(target)
        # The id as a user would type it: also one of the 1 in 4,096 that start with `--`.
        attempt, args = Attempt(key, node.index, "thank"), ("thank", target, "--note", key)
    elif roll < 0.35:
        attempt = Attempt(key, node.index, "contribute")
        args = ("contribute", key, "--body", "what I bring", "--tags", "faults")
    else:
        attempt, args = Attempt(key, node.index, "ask"), ("ask", key, "--tags", "faults")
    history.add(attempt)
    code, out = node.zwerm(*args, timeout=15)
    attempt.exit_code = code
    record_id = _record_id(out) if code == 0 else None
    if record_id:
        attempt.outcome, attempt.record_id = ACKED, record_id
    elif code is not None and code != 0 and code != 1:
        attempt.outcome = FAILED      # 2 usage, 3 no daemon: nothing was written
    # exit 1 (refused, or the daemon died mid-call) and timeouts stay UNKNOWN


def _record_id(out):
    import json
    try:
        return json.loads(out).get("record_id")
    except ValueError:
        return None


class Writers:
    """A writer thread per node, each writing until stopped, pausing `pause` s in between."""

    def __init__(self, nodes, history, label, seed, pause=(0.05, 0.25)):
        self.nodes = nodes
        self.history = history
        self.label = label
        self.pause = pause
        self.seed = seed
        self.stopping = threading.Event()
        self.paused = set()
        self.threads = []

    def __enter__(self):
        for n in self.nodes:
            t = threading.Thread(target=self._loop, args=(n,), daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join()
        self.threads = []

    def _loop(self, node):
        rng = random.Random(f"{self.seed}-{self.label}-{node.index}")
        thanked = set()
        counter = 0
        while not self.stopping.is_set():
            if node.index in self.paused or not node.running():
                time.sleep(0.05)
                continue
            counter += 1
            write_one(node, self.history, self.label, counter, rng, thanked)
            time.sleep(rng.uniform(*self.pause))


def burst(node, history, label, count):
    """`count` writes at one node at once, each from its own thread; returns the threads."""
    threads = []
    for k in range(count):
        rng = random.Random(f"{label}-{k}")
        t = threading.Thread(target=write_one, args=(node, history, label, k, rng, set()),
                             daemon=True)
        t.start()
        threads.append(t)
    return threads
