"""The end of a run: every daemon stopped cleanly, and the table of what happened."""

import sys


def final_stop(cluster):
    """Stops every daemon with SIGTERM; returns the problems (an exit code other than 0, a
    daemon that had died by itself, a crash in a log)."""
    problems = []
    cluster.note_exits()
    for n in cluster.nodes:
        for code, tail in n.unexpected_exits:
            problems.append(f"{n.name}'s zwermd exited by itself with {code}:\n{tail}")
    for n, code in cluster.stop_all().items():
        if code != 0:
            problems.append(f"{n.name}'s zwermd did not stop cleanly on SIGTERM "
                            f"(exit {code}):\n{n.log_tail()}")
    for n in cluster.nodes:
        problems += [f"{n.name}'s log shows a crash: {line}" for line in n.crash_signs()]
    return problems


def print_table(results, final_problems, elapsed):
    rows = [("scenario", "faults injected", "written", "acked", "lost", "converged (s)")]
    for r in results:
        if r.skipped:
            rows.append((r.name, f"skipped: {r.skipped}", "", "", "", ""))
            continue
        times = " ".join(f"{s:.2f}" for s in r.convergence[:12])
        if len(r.convergence) > 12:
            times += " ..."
        rows.append((r.name, r.fault_text, str(r.written), str(r.acknowledged), str(r.lost),
                     times or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print()
    for k, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print()
    for r in results:
        for name, value in r.figures.items():
            print(f"{r.name}: {name}: {value}")
    total_lost = sum(r.lost for r in results)
    problems = [(r.name, p) for r in results for p in r.problems]
    problems += [("end", p) for p in final_problems]
    print(f"\nrecords written {sum(r.written for r in results)}, acknowledged "
          f"{sum(r.acknowledged for r in results)}, lost {total_lost}; {elapsed:.0f} s")
    if problems:
        print(f"\nFAILED: {len(problems)} problems", file=sys.stderr)
        for name, p in problems:
            print(f"  [{name}] {p}", file=sys.stderr)
    else:
        print("PASSED: nothing acknowledged was lost, every node agrees, no daemon crashed")
