"""How long a record takes to reach every node: each node's `watch` stream (docs/RPC.md) is
read by a thread that stamps every record on arrival. A record's propagation time is its
latest arrival at another node minus its arrival at its author's node (both go through the
same watch path, so its latency cancels out), as scripts/swarm measures it.
"""

import json
import os
import socket
import threading
import time


class Watchers:
    def __init__(self, nodes):
        self.nodes = nodes
        self.arrivals = {n.index: {} for n in nodes}   # node -> record id -> monotonic s
        self.sockets = []
        self.threads = []

    def __enter__(self):
        for n in self.nodes:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(os.path.join(n.home, "zwermd.sock"))
            s.sendall(b'{"jsonrpc": "2.0", "id": 1, "method": "watch"}\n')
            t = threading.Thread(target=self._read, args=(s, self.arrivals[n.index]), daemon=True)
            t.start()
            self.sockets.append(s)
            self.threads.append(t)
        return self

    def __exit__(self, *exc):
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        for t in self.threads:
            t.join()

    @staticmethod
    def _read(sock, arrivals):
        with sock.makefile("rb") as lines:
            try:
                for line in lines:
                    stamp = time.monotonic()
                    message = json.loads(line)
                    if message.get("method") == "watch.record":
                        arrivals.setdefault(message["params"]["id"], stamp)
            except (OSError, ValueError):
                pass

    def times(self, attempts):
        """Propagation time of each attempt's record, and how many never reached every node."""
        times, incomplete = [], 0
        for a in attempts:
            origin = self.arrivals[a.node].get(a.record_id)
            others = [arr.get(a.record_id) for i, arr in self.arrivals.items() if i != a.node]
            if origin is None or None in others:
                incomplete += 1
            else:
                times.append(max(others) - origin)
        return times, incomplete
