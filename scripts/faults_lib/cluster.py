"""zwermd processes, one per network namespace, and the `zwerm` commands that drive them."""

import glob
import json
import os
import signal
import socket
import subprocess
import time

from . import netns

# What a daemon that died by itself leaves in its log.
CRASH_SIGNS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:",
               "Segmentation fault", "terminate called", "Assertion", "Aborted", "core dumped")


def faketime_library():
    """The multi-threaded libfaketime, or None when it is not installed."""
    for pattern in ("/usr/lib/*/faketime/libfaketimeMT.so.1", "/usr/lib/faketime/libfaketimeMT.so.1",
                    "/usr/local/lib/faketime/libfaketimeMT.so.1"):
        found = glob.glob(pattern)
        if found:
            return found[0]
    return None


class Node:
    """One member's node: its home, its daemon process and its namespace."""

    def __init__(self, index, network, bin_dir, work_dir):
        self.index = index
        self.name = f"node{index}"
        self.network = network
        self.bin_dir = bin_dir
        self.home = os.path.join(work_dir, self.name)
        self.log_path = os.path.join(work_dir, f"{self.name}.log")
        self.address = netns.address_of(index)
        self.proc = None
        self.member_id = None
        self.clock_offset = None     # faketime offset ("+1h") of the running daemon, if any
        self.unexpected_exits = []   # (exit code, log tail) of daemons that died by themselves
        self.starts = 0

    # --- lifecycle ------------------------------------------------------------------------

    def init(self):
        self.zwerm("init", "--name", self.name, "--listen", f"{self.address}:{netns.PEER_PORT}",
                   json_out=False)
        config = {"name": self.name, "listen": f"{self.address}:{netns.PEER_PORT}",
                  "target_peers": 4, "log_level": "info"}
        with open(os.path.join(self.home, "config.json"), "w") as f:
            json.dump(config, f, indent=2)

    def start(self, clock_offset=None):
        """Starts zwermd in the node's namespace (under libfaketime when clock_offset is set)."""
        assert not self.running(), f"{self.name} already runs"
        env = dict(os.environ)
        if clock_offset:
            env.update(LD_PRELOAD=faketime_library(), FAKETIME=clock_offset,
                       FAKETIME_DONT_FAKE_MONOTONIC="1", FAKETIME_NO_CACHE="1")
        self.clock_offset = clock_offset
        log = open(self.log_path, "a")
        log.write(f"=== start {self.starts + 1}{' clock ' + clock_offset if clock_offset else ''}\n")
        log.flush()
        # `ip netns exec` execs zwermd in place: the pid is zwermd's own.
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.network.namespace(self.index),
             os.path.join(self.bin_dir, "zwermd"), "--home", self.home],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
            start_new_session=True)  # Ctrl-C reaches only this script, which stops it in order
        log.close()
        self.starts += 1
        self.wait_ready()

    def wait_ready(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}'s zwermd exited with {self.proc.returncode} "
                                   f"at start:\n{self.log_tail()}")
            try:
                status = self.rpc("status", timeout=1)
                self.member_id = status["node_id"]
                return
            except (OSError, ValueError, KeyError):
                time.sleep(0.05)
        raise RuntimeError(f"{self.name}'s zwermd does not answer:\n{self.log_tail()}")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL, as a crash would."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def stop(self, timeout=15):
        """SIGTERM; returns the exit code (None when it had to be killed)."""
        if not self.running():
            self.note_exit()
            return None
        self.proc.send_signal(signal.SIGTERM)
        return self.wait_stopped(timeout)

    def wait_stopped(self, timeout):
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = None
        self.proc = None
        return code

    def note_exit(self):
        """Records a daemon that exited without being told to (a crash)."""
        if self.proc is not None and self.proc.poll() is not None:
            self.unexpected_exits.append((self.proc.returncode, self.log_tail()))
            self.proc = None

    def log_tail(self, lines=15):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def crash_signs(self):
        with open(self.log_path, errors="replace") as f:
            return [line.rstrip() for line in f if any(s in line for s in CRASH_SIGNS)]

    # --- talking to the daemon ------------------------------------------------------------

    def zwerm(self, *args, json_out=True, timeout=20):
        """Runs the zwerm CLI; returns (exit code, stdout). Exit code None: timed out."""
        cmd = [os.path.join(self.bin_dir, "zwerm"), "--home", self.home]
        if json_out:
            cmd.append("--json")
        try:
            done = subprocess.run(cmd + list(args), capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, ""
        return done.returncode, done.stdout

    def zwerm_json(self, *args):
        code, out = self.zwerm(*args)
        if code != 0:
            raise RuntimeError(f"{self.name}: zwerm {' '.join(args)} exited {code}")
        return json.loads(out)

    def rpc(self, method, params=None, timeout=5):
        """One JSON-RPC call on the node's socket (docs/RPC.md), without spawning zwerm."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(os.path.join(self.home, "zwermd.sock"))
            s.sendall((json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                                   "params": params or {}}) + "\n").encode())
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        answer = json.loads(data)
        if "error" in answer:
            raise ValueError(answer["error"].get("message"))
        return answer["result"]


class Cluster:
    """The nodes of one community."""

    def __init__(self, network, bin_dir, work_dir):
        self.network = network
        self.nodes = [Node(i, network, bin_dir, work_dir) for i in range(network.count)]

    def live(self):
        return [n for n in self.nodes if n.running()]

    def start_all(self):
        for n in self.nodes:
            n.start()

    def stop_all(self, timeout=15):
        """SIGTERM to every daemon at once (a stop waits up to 5 s for each unreachable peer's
        goodbye), then the wait; a daemon still running after `timeout` s is killed."""
        running = [n for n in self.nodes if n.running()]
        for n in running:
            n.proc.send_signal(signal.SIGTERM)
        return {n: n.wait_stopped(timeout) for n in running}

    def form_community(self):
        """Node 0 creates the community; every other node joins with a one-time invite code."""
        founder = self.nodes[0]
        founder.zwerm_json("community", "create", "Faults", "--purpose", "fault injection")
        for n in self.nodes[1:]:
            code = founder.zwerm_json("invite")["code"]
            joined = n.zwerm_json("join", code)
            if not joined.get("took_effect", False):
                raise RuntimeError(f"{n.name} could not join: {joined}")

    def frontier(self, node):
        """What a node holds: its record count and the head seq of every member's feed."""
        status = node.rpc("status")
        records = sum(c["records"] for c in status["communities"])
        heads = sorted((row["member"], row["have_seq"]) for row in status["lag"])
        return records, tuple(heads)

    def wait_converged(self, timeout, poll=0.05):
        """Seconds until every live node holds the same frontier; None when it never did."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            try:
                if len({self.frontier(n) for n in self.live()}) == 1:
                    return time.monotonic() - start
            except (OSError, ValueError):
                pass
            time.sleep(poll)
        return None

    def wait_connected(self, timeout=30):
        """Until every live node has at least one peer connection; False if not in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if all(n.rpc("status")["peers"] for n in self.live()):
                    return True
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        return False

    def note_exits(self):
        for n in self.nodes:
            n.note_exit()
