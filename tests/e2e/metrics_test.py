#!/usr/bin/env python3
"""zwermd --metrics, end to end: a real zwermd with a community, its /metrics parsed by the
Prometheus project's own parser (Debian's python3-prometheus-client), the values checked
against what the test did, and the endpoint's refusals (wrong Host, POST, other paths,
oversize heads). Usage: metrics_test.py BIN_DIR (where zwerm and zwermd are)."""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    sys.exit("metrics_test: python3-prometheus-client is missing (scripts/deps installs it)")

BIN = sys.argv[1]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def zwerm(home, *args):
    r = subprocess.run([os.path.join(BIN, "zwerm"), "--home", home, "--json", *args],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"zwerm {' '.join(args)}: {r.stderr}")
    return json.loads(r.stdout)


def request(port, method="GET", path="/metrics", host=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.putrequest(method, path, skip_host=True)
    c.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
    for k, v in (headers or {}).items():
        c.putheader(k, v)
    c.endheaders()
    r = c.getresponse()
    body = r.read().decode()
    c.close()
    return r.status, r.headers, body


def families(port):
    status, headers, body = request(port)
    check(status == 200, f"GET /metrics answered {status}")
    check(headers.get("Content-Type", "").startswith("text/plain; version=0.0.4"),
          f"content type {headers.get('Content-Type')}")
    return {f.name: f for f in text_string_to_metric_families(body)}, body


def value(fams, name, suffix="", **labels):
    for s in fams[name].samples:
        if s.name == name + suffix and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return None


def main():
    with tempfile.TemporaryDirectory() as tmp:
        home = os.path.join(tmp, "home")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            free = s.getsockname()[1]
        zwerm(home, "init", "--name", "ada", "--listen", f"127.0.0.1:{free}")
        log_path = os.path.join(tmp, "zwermd.log")
        with open(log_path, "w") as log:
            daemon = subprocess.Popen([os.path.join(BIN, "zwermd"), "--home", home,
                                       "--metrics", "127.0.0.1:0"], stdout=log, stderr=log)
        try:
            port = None
            deadline = time.time() + 15
            while port is None and time.time() < deadline and daemon.poll() is None:
                m = re.search(r"metrics on http://127\.0\.0\.1:(\d+)/metrics", open(log_path).read())
                port = int(m.group(1)) if m else None
                time.sleep(0.05)
            if port is None:
                sys.exit("zwermd did not start its metrics endpoint:\n" + open(log_path).read())
            deadline = time.time() + 10
            while time.time() < deadline:
                try:
                    zwerm(home, "status")
                    break
                except RuntimeError:
                    time.sleep(0.05)

            fams, body = families(port)
            before = value(fams, "zwerm_records_ingested", "_total")
            check(before == 0, f"records ingested before any community: {before}")

            zwerm(home, "community", "create", "Garden club", "--purpose", "Grow food")
            zwerm(home, "ask", "Who has tomato seeds?", "--tags", "tomatoes")
            zwerm(home, "contribute", "Seed swap on Sunday", "--kind", "event")
            stored = zwerm(home, "status")["communities"][0]["records"]

            fams, body = families(port)
            expected = {
                "zwerm_peers_connected": "gauge",
                "zwerm_sync_behind_records": "gauge",
                "zwerm_records_stored": "gauge",
                "zwerm_records_ingested": "counter",
                "zwerm_peer_connections_accepted": "counter",
                "zwerm_peer_refusals": "counter",
                "zwerm_peer_bans": "counter",
                "zwerm_http_refusals": "counter",
                "zwerm_rpc_request_duration_seconds": "histogram",
                "zwerm_store_size_bytes": "gauge",
            }
            for name, kind in expected.items():
                check(name in fams, f"family {name} missing")
                if name in fams:
                    check(fams[name].type == kind, f"{name} is a {fams[name].type}, not {kind}")
            check(value(fams, "zwerm_records_stored", community="Garden club") == stored,
                  f"records stored {value(fams, 'zwerm_records_stored', community='Garden club')}"
                  f" != status's {stored}")
            check(value(fams, "zwerm_records_ingested", "_total") == stored,
                  f"records ingested {value(fams, 'zwerm_records_ingested', '_total')} != {stored}")
            created = value(fams, "zwerm_rpc_request_duration_seconds", "_count",
                            method="community.create")
            check(created == 1, f"community.create calls counted: {created}")
            inf = value(fams, "zwerm_rpc_request_duration_seconds", "_bucket",
                        method="status", le="+Inf")
            check(inf is not None and inf >= 2, f"status calls in the +Inf bucket: {inf}")
            check(value(fams, "zwerm_store_size_bytes") > 0, "store size 0")
            check(value(fams, "zwerm_peer_refusals", "_total", reason="banned") == 0,
                  "peer refusals (banned) not 0")
            check("Garden club" in body and "tomato" not in body,
                  "the metrics name the community but never a record's content")
            # A feed's series appears only while the node lacks records of it: none here.
            check(fams["zwerm_sync_feed_behind_records"].samples == [],
                  f"feeds behind on a lone node: {fams['zwerm_sync_feed_behind_records'].samples}")
            check(value(fams, "zwerm_sync_behind_records", community="Garden club") == 0,
                  "records behind not 0 on a lone node")

            # Two communities may share a name: their series stay apart by community_id.
            zwerm(home, "community", "create", "Garden club", "--purpose", "A second one")
            fams, _ = families(port)
            stored_rows = [s for s in fams["zwerm_records_stored"].samples
                           if s.labels.get("community") == "Garden club"]
            ids = {s.labels.get("community_id") for s in stored_rows}
            check(len(stored_rows) == 2 and len(ids) == 2 and all(len(i) == 43 for i in ids),
                  f"two same-name communities give two series: {stored_rows}")

            # Hostile requests: each refused, and counted.
            check(request(port, host="evil.example:%d" % port)[0] == 403, "wrong Host not 403")
            check(request(port, method="POST")[0] == 405, "POST not 405")
            check(request(port, path="/")[0] == 404, "/ not 404")
            check(request(port, path="/%2e%2e/metrics")[0] == 400, "/%2e%2e/metrics not 400")
            check(request(port, headers={"X-Pad": "a" * 16384})[0] == 431, "16 KiB head not 431")
            fams, _ = families(port)
            for reason in ("host", "method", "path", "header_too_large"):
                n = value(fams, "zwerm_http_refusals", "_total", server="metrics", reason=reason)
                check(n == 1, f"http refusals {reason}: {n}")
        finally:
            daemon.send_signal(signal.SIGTERM)
            try:
                code = daemon.wait(timeout=10)
                check(code == 0, f"zwermd exited {code}")
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
                check(False, "zwermd did not stop on SIGTERM")
    if failures:
        sys.exit(f"{len(failures)} checks failed")
    print("metrics_test: all checks passed")


if __name__ == "__main__":
    main()
