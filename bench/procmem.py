#!/usr/bin/env python3
"""procmem.py PID: memory of a process tree, from /proc/PID/smaps_rollup.

Prints "PRIVATE_KIB PSS_KIB PROCESSES", where private = Private_Clean +
Private_Dirty summed over PID and all its descendants (threads share their
process's memory, so only processes are counted)."""
import os
import sys


def children(pid):
    kids = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                    kids += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return kids


def rollup(pid):
    vals = {}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                    vals[parts[0][:-1]] = int(parts[1])
    except OSError:
        return None
    return vals


def main():
    todo = [int(sys.argv[1])]
    seen = set()
    priv = pss = procs = 0
    while todo and len(seen) < 100000:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        v = rollup(pid)
        if v is not None:
            priv += v.get("Private_Clean", 0) + v.get("Private_Dirty", 0)
            pss += v.get("Pss", 0)
            procs += 1
        todo += children(pid)
    print(priv, pss, procs)


if __name__ == "__main__":
    main()
