"""The fault scenarios. Each one writes on every node while its fault lasts, ends the fault,
measures how long the nodes take to agree, and runs the checker.
"""

import itertools
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from . import checker, netns
from .cluster import faketime_library
from .propagation import Watchers
from .workload import ACKED, Writers, burst

CONVERGE_TIMEOUT = 120


@dataclass
class Settings:
    partition_runs: int
    partition_seconds: float
    write_seconds: float
    kills: int
    delay_ms: int = 200
    jitter_ms: int = 100


SHORT = Settings(partition_runs=3, partition_seconds=5, write_seconds=5, kills=20)
LONG = Settings(partition_runs=10, partition_seconds=15, write_seconds=15, kills=200)


@dataclass
class Result:
    name: str
    faults: int = 0
    fault_text: str = ""
    written: int = 0
    acknowledged: int = 0
    lost: int = 0
    convergence: list = field(default_factory=list)   # seconds
    figures: dict = field(default_factory=dict)       # name -> text, for the report
    problems: list = field(default_factory=list)
    skipped: str = None


class Context:
    """What every scenario needs: the cluster, the network, the history and the settings."""

    def __init__(self, cluster, network, history, settings, seed, work_dir):
        self.cluster = cluster
        self.network = network
        self.history = history
        self.settings = settings
        self.rng = random.Random(seed)
        self.seed = seed
        self.work_dir = work_dir
        self.lossless = None   # the loss scenario's lossless Phase, to compare with
        self.mounts = []       # file systems mounted by a scenario, unmounted at the very end

    @property
    def nodes(self):
        return self.cluster.nodes

    def writers(self, label, nodes=None):
        return Writers(nodes or self.nodes, self.history, label, self.seed)

    def converge(self, result, what):
        seconds = self.cluster.wait_converged(CONVERGE_TIMEOUT)
        if seconds is None:
            result.problems.append(f"{what}: the nodes did not converge in {CONVERGE_TIMEOUT} s")
        return seconds

    def check(self, result):
        """Runs the checker on the whole history so far."""
        verdict = checker.check(self.cluster, self.history)
        result.lost = max(result.lost, verdict.lost)
        result.problems += verdict.problems

    def count_writes(self, result, prefix):
        """The writes of this scenario (their keys start with `prefix`)."""
        attempts = [a for a in self.history.attempts.values() if a.key.startswith(prefix)]
        result.written = len(attempts)
        result.acknowledged = sum(1 for a in attempts if a.outcome == ACKED)
        reasons = Counter(f"{a.kind} {'timed out' if a.exit_code is None else f'exit {a.exit_code}'}"
                          for a in attempts if a.outcome != ACKED)
        if reasons:
            result.figures["not acknowledged"] = ", ".join(
                f"{why}: {count}" for why, count in sorted(reasons.items()))


def log(text):
    print(f"faults: {text}", file=sys.stderr, flush=True)


def p(values, q):
    """The q-quantile (0..1) of values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.999999) - 1))]


def ms(seconds):
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


# --- 1. partition -----------------------------------------------------------------------------

def partition(ctx):
    result = Result("partition 2|3")
    s = ctx.settings
    everyone = range(len(ctx.nodes))
    pairs = list(itertools.combinations(everyone, 2))   # every 2 | 3 split, in random order
    ctx.rng.shuffle(pairs)
    for run in range(s.partition_runs):
        label = f"partition{run}"
        pair = pairs[run % len(pairs)]
        sides = [list(pair), [i for i in everyone if i not in pair]]
        with ctx.writers(label) as writers:
            time.sleep(1)
            ctx.network.partition(sides)
            result.faults += 1
            time.sleep(s.partition_seconds)
            writers.stop()
        ctx.network.heal()
        seconds = ctx.converge(result, f"run {run + 1}")
        log(f"partition {sides[0]}|{sides[1]} for {s.partition_seconds} s healed; converged in "
            f"{ms(seconds)}")
        if seconds is not None:
            result.convergence.append(seconds)
        ctx.check(result)
    result.fault_text = f"{result.faults} partitions of {s.partition_seconds:g} s"
    ctx.count_writes(result, "partition")
    if result.convergence:
        result.figures["convergence after heal"] = (
            f"p50 {ms(p(result.convergence, 0.5))}, p99 {ms(p(result.convergence, 0.99))} "
            f"({len(result.convergence)} runs)")
    return result


# --- 2. loss ----------------------------------------------------------------------------------

@dataclass
class Phase:
    tail: float          # s from the end of the writes until every node agreed (None: never)
    spread: list         # propagation time of every acknowledged record, s
    per_record: float    # bytes on the wire per record delivered to a node
    copies: float        # records received from peers per record delivered (1 = no duplicate)


def measured_phase(ctx, label, result):
    """Writes on every node for write_seconds while the fault set up by the caller lasts."""
    before = ctx.cluster.frontier(ctx.nodes[0])[0]
    received_before = received(ctx)
    ctx.network.reset_counters()
    with Watchers(ctx.nodes) as watchers:
        with ctx.writers(label):
            time.sleep(ctx.settings.write_seconds)
        tail = ctx.converge(result, label)
        wire = ctx.network.bytes_sent()
    deliveries = max(1, (ctx.cluster.frontier(ctx.nodes[0])[0] - before) * (len(ctx.nodes) - 1))
    acked = [a for a in ctx.history.acknowledged() if a.key.startswith(label + "-")]
    spread, incomplete = watchers.times(acked)
    if incomplete and tail is not None:
        result.problems.append(f"{label}: {incomplete} records were not seen arriving everywhere")
    phase = Phase(tail, spread, wire / deliveries, (received(ctx) - received_before) / deliveries)
    log(f"{label}: {deliveries} deliveries; to every node p50 {ms(p(spread, 0.5))}, p99 "
        f"{ms(p(spread, 0.99))}; all agreed {ms(tail)} after the writes; "
        f"{phase.per_record:.0f} bytes on the wire and {phase.copies:.2f} copies per delivery")
    return phase


def received(ctx):
    """Records all nodes received from peers since they started (new and duplicate)."""
    return sum(row["records_received"] for n in ctx.nodes for row in n.rpc("status")["sync"])


def describe(phase, base=None):
    text = f"to every node p50 {ms(p(phase.spread, 0.5))}, p99 {ms(p(phase.spread, 0.99))}"
    if base:
        text += (f" ({p(phase.spread, 0.5) / p(base.spread, 0.5):.1f}x / "
                 f"{p(phase.spread, 0.99) / p(base.spread, 0.99):.1f}x lossless)")
    text += f"; all agreed {ms(phase.tail)} after the writes stopped"
    text += f"; {phase.per_record:.0f} B on the wire per record delivered"
    if base:
        text += f" ({phase.per_record / base.per_record:.2f}x lossless)"
    return text + f"; {phase.copies:.2f} copies received per record delivered"


def loss(ctx):
    result = Result("packet loss")
    base = ctx.lossless = measured_phase(ctx, "loss0", result)
    ctx.check(result)
    result.figures["lossless"] = describe(base)
    for percent in (10, 30):
        ctx.network.set_loss(percent)
        try:
            phase = measured_phase(ctx, f"loss{percent}", result)
        finally:
            ctx.network.set_loss(0)
        result.faults += 1
        result.figures[f"{percent}% loss"] = describe(phase, base)
        if phase.tail is not None:
            result.convergence.append(phase.tail)
        ctx.check(result)
    result.fault_text = "10% and 30% loss on every link"
    ctx.count_writes(result, "loss")
    return result


# --- 3. delay ---------------------------------------------------------------------------------

PROXY_PORT = 7499


def delay(ctx):
    result = Result("delay")
    s = ctx.settings
    proxy = os.path.join(os.path.dirname(__file__), "delay_proxy.py")
    proxies = []
    try:
        for i in range(len(ctx.nodes)):
            proxies.append(subprocess.Popen(
                ["ip", "netns", "exec", ctx.network.namespace(i), sys.executable, proxy,
                 str(PROXY_PORT), str(s.delay_ms), str(s.jitter_ms), str(netns.PROXY_MARK)],
                start_new_session=True))
        ctx.network.redirect_to_proxy(PROXY_PORT)
        restart_all(ctx)   # connections made before the rule would bypass the proxy
        result.faults = len(ctx.nodes)
        phase = measured_phase(ctx, "delay", result)
        result.figures[f"{s.delay_ms}±{s.jitter_ms} ms"] = describe(phase, ctx.lossless)
        if phase.tail is not None:
            result.convergence.append(phase.tail)
        ctx.check(result)
        ctx.count_writes(result, "delay")
    finally:
        # The proxies first: deleting the nat table while they run would leave their
        # connections without NAT, so the daemons would never see them close.
        for proc in proxies:
            proc.terminate()
            proc.wait()
        ctx.network.stop_redirect()
    result.fault_text = f"{s.delay_ms}±{s.jitter_ms} ms on every connection, each way"
    if not ctx.cluster.wait_connected():
        result.problems.append("the nodes did not reconnect after the delay proxies stopped")
    return result


def restart_all(ctx):
    for n in ctx.nodes:
        code = n.stop()
        if code != 0:
            raise RuntimeError(f"{n.name}'s zwermd did not stop cleanly (exit {code})")
        n.start()
    if not ctx.cluster.wait_connected():
        raise RuntimeError("the nodes did not reconnect after a restart")


# --- 4. churn ---------------------------------------------------------------------------------

def churn(ctx):
    result = Result("churn (kill -9)")
    kills = ctx.settings.kills
    with ctx.writers("churn"):
        result.figures["killed during catch-up"] = kill_during_catch_up(ctx)
        result.figures["killed during its burst"] = kill_during_burst(ctx)
        done = 2
        while done < kills:
            victim = ctx.rng.choice(ctx.nodes)
            victim.kill()
            time.sleep(ctx.rng.uniform(0.1, 1.0))
            victim.start()
            done += 1
            time.sleep(ctx.rng.uniform(0.1, 0.8))
    result.faults = kills
    result.fault_text = f"{kills} kill -9 and restarts"
    seconds = ctx.converge(result, "churn")
    log(f"churn: {kills} kills; converged in {ms(seconds)} after the last restart")
    if seconds is not None:
        result.convergence.append(seconds)
    ctx.check(result)
    ctx.count_writes(result, "churn")
    result.figures["kills survived with 0 acknowledged lost"] = (
        str(kills) if result.lost == 0 and not result.problems else "no")
    return result


def kill_during_catch_up(ctx):
    """Kills a node, lets the others write a backlog, restarts it cut off from them, heals,
    and kills it again as soon as its catch-up has begun (it is retried, with a bigger backlog,
    when the whole catch-up slipped in between two polls)."""
    victim = ctx.nodes[ctx.rng.randrange(1, len(ctx.nodes))]
    others = [n for n in ctx.nodes if n is not victim]
    for attempt in range(1, 4):
        victim.kill()
        threads = []
        for n in others:   # a backlog: bursts on every other node on top of the writers
            threads += burst(n, ctx.history, f"churn-backlog{attempt}-{n.index}", 40 * attempt)
        for t in threads:
            t.join()
        ctx.network.isolate(victim.index)
        victim.start()
        start = ctx.cluster.frontier(victim)[0]
        target = ctx.cluster.frontier(others[0])[0]
        ctx.network.heal()
        have = start
        while have == start:
            have = ctx.cluster.frontier(victim)[0]
            time.sleep(0.002)
        victim.kill()
        victim.start()
        log(f"churn: {victim.name} killed during catch-up at {have} of {target} records")
        if have < target:
            return f"{victim.name} at {have} of {target} records (from {start})"
    return f"{victim.name} caught up too fast to be killed during it ({have} of {target})"


def kill_during_burst(ctx):
    """Kills a node while 24 writes of its own are in flight."""
    victim = ctx.nodes[ctx.rng.randrange(len(ctx.nodes))]
    label = f"churn-burst-{victim.index}"
    threads = burst(victim, ctx.history, label, 24)
    time.sleep(0.05)
    victim.kill()
    for t in threads:
        t.join()
    acked = sum(1 for a in ctx.history.attempts.values()
                if a.key.startswith(label + "-") and a.outcome == ACKED)
    log(f"churn: {victim.name} killed during a burst of 24 writes, {acked} acknowledged")
    victim.start()
    return f"{victim.name}, {acked} of 24 acknowledged before the kill"


# --- 5. clock skew ----------------------------------------------------------------------------

def clock_skew(ctx):
    result = Result("clock skew")
    library = faketime_library()
    if library is None:
        result.skipped = "libfaketime is not installed (scripts/deps --faults)"
        return result
    skewed = {ctx.nodes[3]: "+1h", ctx.nodes[4]: "-1d"}
    for node, offset in skewed.items():
        node.stop()
        node.start(clock_offset=offset)
    result.faults = len(skewed)
    result.fault_text = ", ".join(f"{n.name} {o}" for n, o in skewed.items())
    if not ctx.cluster.wait_connected():
        result.problems.append("the skewed nodes did not reconnect")
    with ctx.writers("clock"):
        time.sleep(ctx.settings.write_seconds)
    seconds = ctx.converge(result, "clock skew")
    log(f"clock skew: converged in {ms(seconds)} after the writes")
    if seconds is not None:
        result.convergence.append(seconds)
    for node, offset in skewed.items():
        measured = stamped_offset(node)
        result.figures[f"{node.name}'s records are stamped"] = f"{measured:+.0f} s from real time"
        if abs(measured - checker.parse_offset(offset)) > 300:
            result.problems.append(f"{node.name} ran under faketime {offset} but its records are "
                                   f"stamped {measured:+.0f} s off: the skew did not take")
    ctx.check(result)
    ctx.count_writes(result, "clock")
    for node in skewed:
        node.stop()
        node.start()
    return result


def stamped_offset(node):
    """Seconds between the ts of the node's latest own record and the real clock now."""
    latest = node.zwerm_json("feed", "--author", node.member_id, "--limit", "1")["entries"][0]
    return latest["ts"] / 1000 - time.time()


# --- 6. disk full -----------------------------------------------------------------------------

FULL_SIGNS = ("No space left", "stopped accepting writes")


def disk_full(ctx):
    """A node's home on a small tmpfs that fills while it catches up."""
    result = Result("disk full")
    victim = ctx.nodes[-1]
    mount_point = victim.home
    aside = victim.home + ".aside"
    victim.stop()
    os.rename(victim.home, aside)
    os.mkdir(mount_point, 0o700)
    size = du(aside) + 8 * 1024 * 1024
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                    mount_point], check=True)
    ctx.mounts.append(mount_point)
    copy_home(aside, mount_point)
    try:
        disk_full_run(ctx, victim, result)
    finally:
        remove_filler(mount_point)
    result.fault_text = "a node's disk filled during catch-up"
    result.faults = 1
    return result


def disk_full_run(ctx, victim, result):
    reference = ctx.nodes[0]
    ctx.network.isolate(victim.index)
    victim.start()
    db_before = du(os.path.join(reference.home, "db"))
    with ctx.writers("disk"):
        time.sleep(ctx.settings.write_seconds)
        backlog = du(os.path.join(reference.home, "db")) - db_before
        fill(victim.home, leave_free=max(16 * 1024, backlog // 2))
        ctx.network.heal()
        line = wait_for_log(victim, FULL_SIGNS, timeout=30)
        if line is None:
            result.problems.append(f"{victim.name}'s disk never filled (backlog {backlog} bytes)")
            return
        log(f"disk full: {victim.name} logged: {line}")
        result.figures["log line"] = line
        time.sleep(2)
    have, target = (ctx.cluster.frontier(n)[0] for n in (victim, reference))
    result.figures["records held when full"] = f"{have} of {target}"
    remove_filler(victim.home)
    # The store reopens itself once there is room again (at its next write, at most once a
    # second): the node must catch up without a restart.
    seconds = ctx.converge(result, "disk full, once space was freed (no restart)")
    log(f"disk full: converged in {ms(seconds)} after space was freed, without a restart")
    if seconds is not None:
        result.convergence.append(seconds)
        result.figures["caught up once space was freed, without a restart"] = f"in {ms(seconds)}"
    ctx.check(result)
    ctx.count_writes(result, "disk")


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def copy_home(src, dst):
    for name in os.listdir(src):
        s, d = os.path.join(src, name), os.path.join(dst, name)
        if os.path.isdir(s):
            shutil.copytree(s, d, symlinks=True)
        elif not name.startswith("zwermd."):
            shutil.copy2(s, d)


def fill(home, leave_free):
    """Fills the file system of `home` so that about `leave_free` bytes stay free."""
    stat = os.statvfs(home)
    size = max(0, stat.f_bavail * stat.f_frsize - leave_free)
    with open(os.path.join(home, "filler"), "wb") as f:
        chunk = b"\0" * (1 << 20)
        while size > 0:
            f.write(chunk[:min(size, len(chunk))])
            size -= len(chunk)


def remove_filler(home):
    try:
        os.remove(os.path.join(home, "filler"))
    except FileNotFoundError:
        pass


def wait_for_log(node, signs, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(node.log_path, errors="replace") as f:
            for line in f:
                if any(s in line for s in signs):
                    return line.strip()
        time.sleep(0.2)
    return None


ALL = {"partition": partition, "loss": loss, "delay": delay, "churn": churn,
       "clock": clock_skew, "disk": disk_full}
