"""The test network: one Linux network namespace per node, joined by a bridge in a namespace
of its own, with nftables tables inside each node's namespace for the faults.

Nothing is made in the caller's namespace: the bridge, every veth end and every rule live in
the namespaces made here, so the traffic never leaves them, and deleting the namespaces
removes everything. Addresses come only from 198.18.0.0/15 (RFC 2544, benchmarking).
"""

import shutil
import subprocess

SUBNET = "198.18.0"
PREFIX_LEN = 24
PEER_PORT = 7411
TABLE = "zwfault"          # filter table: partitions, loss, byte counters
DELAY_TABLE = "zwdelay"    # nat table: sends dials through the delaying proxy
PROXY_MARK = 1             # packets of the proxy itself are not redirected again


class Unavailable(Exception):
    """Namespaces cannot be made here (not root, no ip or nft)."""


def run(*args, check=True, input_text=None):
    """Runs a command, returning its stdout; raises with its stderr when it fails."""
    done = subprocess.run(list(args), input=input_text, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


def check_available():
    """Raises Unavailable with the reason when this machine cannot run the test network."""
    import os
    if os.geteuid() != 0:
        raise Unavailable("network namespaces need root")
    for tool, package in (("ip", "iproute2"), ("nft", "nftables")):
        if shutil.which(tool) is None:
            raise Unavailable(f"`{tool}` is missing (scripts/deps --faults installs {package})")


def address_of(index):
    return f"{SUBNET}.{index + 1}"


class Network:
    """N node namespaces on one bridge. Node i has address 198.18.0.(i+1) on its eth0."""

    def __init__(self, prefix, count):
        self.prefix = prefix
        self.count = count
        self.switch = f"{prefix}-sw"
        self.made = []  # namespaces made so far, for cleanup

    def namespace(self, index):
        return f"{self.prefix}-n{index}"

    def addresses(self):
        return [address_of(i) for i in range(self.count)]

    # --- setup and teardown ---------------------------------------------------------------

    def create(self):
        self._add_namespace(self.switch)
        run("ip", "-n", self.switch, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", self.switch, "link", "set", "br0", "up")
        for i in range(self.count):
            self._add_node(i)

    def _add_namespace(self, name):
        try:
            run("ip", "netns", "add", name)
        except RuntimeError as e:
            raise Unavailable(f"cannot make a network namespace ({e})") from e
        self.made.append(name)
        run("ip", "-n", name, "link", "set", "lo", "up")

    def _add_node(self, i):
        ns = self.namespace(i)
        self._add_namespace(ns)
        port = f"p{i}"
        run("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", port,
            "netns", self.switch)
        run("ip", "-n", self.switch, "link", "set", port, "master", "br0", "up")
        run("ip", "-n", ns, "addr", "add", f"{address_of(i)}/{PREFIX_LEN}", "dev", "eth0")
        run("ip", "-n", ns, "link", "set", "eth0", "up")
        self.nft(i, FILTER_RULESET)

    def destroy(self):
        """Deletes every namespace made here (their links and rules go with them)."""
        for name in reversed(self.made):
            run("ip", "netns", "delete", name, check=False)
        self.made = []

    # --- nftables -------------------------------------------------------------------------

    def nft(self, i, script):
        run("ip", "netns", "exec", self.namespace(i), "nft", "-f", "-", input_text=script)

    def partition(self, sides):
        """Cuts every link between nodes of different sides (a list of lists of indexes)."""
        side_of = {i: s for s, side in enumerate(sides) for i in side}
        for i in range(self.count):
            others = [address_of(j) for j in range(self.count) if side_of[j] != side_of[i]]
            self.nft(i, f"flush set inet {TABLE} blocked\n" +
                     (f"add element inet {TABLE} blocked {{ {', '.join(others)} }}\n"
                      if others else ""))

    def isolate(self, index):
        self.partition([[index], [j for j in range(self.count) if j != index]])

    def heal(self):
        for i in range(self.count):
            self.nft(i, f"flush set inet {TABLE} blocked\n")

    def set_loss(self, percent):
        """Drops `percent` % of the packets every node receives (so of every link's)."""
        rule = (f"add rule inet {TABLE} loss iifname \"eth0\" numgen random mod 100 < {percent} "
                f"counter drop\n" if percent else "")
        for i in range(self.count):
            self.nft(i, f"flush chain inet {TABLE} loss\n{rule}")

    def reset_counters(self):
        for i in range(self.count):
            self.nft(i, f"reset counter inet {TABLE} wire_out\n")

    def bytes_sent(self):
        """Bytes every node sent on its link since the last reset (IP packets, all headers)."""
        total = 0
        for i in range(self.count):
            out = run("ip", "netns", "exec", self.namespace(i), "nft", "list", "counter", "inet",
                      TABLE, "wire_out")
            total += int(out.split("bytes")[1].split()[0])
        return total

    def redirect_to_proxy(self, proxy_port):
        """New connections to a node's peer port go to the local delaying proxy."""
        for i in range(self.count):
            self.nft(i, DELAY_RULESET.format(table=DELAY_TABLE, subnet=SUBNET, peer=PEER_PORT,
                                             mark=PROXY_MARK, proxy=proxy_port))

    def stop_redirect(self):
        for i in range(self.count):
            self.nft(i, f"delete table ip {DELAY_TABLE}\n")


FILTER_RULESET = f"""
table inet {TABLE} {{
  counter wire_out {{ }}
  set blocked {{ type ipv4_addr; }}
  chain loss {{ }}
  chain input {{
    type filter hook input priority 0; policy accept;
    ip saddr @blocked drop
    jump loss
  }}
  chain output {{
    type filter hook output priority 0; policy accept;
    ip daddr @blocked drop
    oifname "eth0" counter name wire_out
  }}
}}
"""

DELAY_RULESET = """
table ip {table} {{
  chain output {{
    type nat hook output priority -100; policy accept;
    ip daddr {subnet}.0/24 tcp dport {peer} meta mark != {mark} redirect to :{proxy}
  }}
}}
"""
