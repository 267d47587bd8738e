#!/usr/bin/env python3
"""report.py CASES RESULTS ENV COMMANDS OUT: the benchmark table.

CASES:   id, label, unit, better (higher|lower), target kind, target value
RESULTS: id, server (osh|gw), value or "n/a", reason
Prints the table and, unless OUT is "-", writes OUT (markdown). Whatever
follows the KEEP marker in an existing OUT is carried over (notes on what
each change bought)."""
import statistics
import sys

KEEP = "<!-- bench/run keeps everything below this line -->"


def read_tsv(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def num(v):
    try:
        return float(v.split()[0])
    except (ValueError, IndexError):
        return None


def fmt(x):
    if x is None:
        return "?"
    return "%.0f" % x if abs(x) >= 100 else "%.1f" % x if abs(x) >= 10 else "%.2f" % x


def target_text(kind, val):
    return {
        "ratio_ge": "≥ %s×" % val,
        "ratio_le": "≤ %s× the time" % val,
        "gw_le": "≤ %s KiB" % val,
        "gw_ge": "%s held, new login ok" % val,
    }.get(kind, "—")


class Notes:
    def __init__(self):
        self.reasons = []

    def ref(self, reason):
        if reason not in self.reasons:
            self.reasons.append(reason)
        return "n/a [%d]" % (self.reasons.index(reason) + 1)


def cell(vals, reasons, unit, kind, notes):
    """(text, number) for one server's runs of a case."""
    if reasons:
        return notes.ref(reasons[0]), None
    if not vals:
        return "—", None
    if kind == "gw_ge":
        return vals[0], num(vals[0])
    nums = [num(v) for v in vals if num(v) is not None]
    if not nums:
        return "—", None
    m = statistics.median(nums)
    return "%s %s" % (fmt(m), unit), m


def met(kind, tval, ratio, gw_num, gw_text):
    if kind == "none":
        return "—"
    if gw_num is None:
        return "n/a"
    t = float(tval)
    if kind == "ratio_ge":
        ok = ratio is not None and ratio >= t
    elif kind == "ratio_le":
        ok = ratio is not None and ratio <= t
    elif kind == "gw_le":
        ok = gw_num <= t
    else:
        ok = gw_num >= t and "new login ok" in gw_text
    return "yes" if ok else "**no**"


def build(cases, results):
    notes = Notes()
    rows = []
    raw = []
    for cid, label, unit, better, kind, tval in cases:
        per = {}
        for srv in ("osh", "gw"):
            rs = [r for r in results if r[0] == cid and r[1] == srv]
            vals = [r[2] for r in rs if r[2] != "n/a"]
            reasons = [r[3] for r in rs if r[2] == "n/a"]
            per[srv] = cell(vals, reasons, unit, kind, notes)
            raw.append((label, srv, ", ".join(vals) if vals else "", reasons[0] if reasons else ""))
        (otext, onum), (gtext, gnum) = per["osh"], per["gw"]
        ratio = gnum / onum if onum and gnum is not None else None
        rtext = "%.2f×" % ratio if ratio is not None else "—"
        rows.append([label, otext, gtext, rtext, target_text(kind, tval),
                     met(kind, tval, ratio, gnum, gtext)])
    return rows, notes.reasons, raw


def table(rows):
    head = ["case", "OpenSSH median", "sftpgw median", "ratio sftpgw/OpenSSH", "target", "met?"]
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for r in rows:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
    return "\n".join(out)


def main():
    cases, results = read_tsv(sys.argv[1]), read_tsv(sys.argv[2])
    results = [r + [""] * (4 - len(r)) for r in results]
    env = dict(l.split("=", 1) for l in open(sys.argv[3]).read().splitlines() if "=" in l)
    cmds = open(sys.argv[4]).read()
    out = sys.argv[5]
    rows, reasons, raw = build(cases, results)
    notes = "\n".join("[%d] %s" % (i + 1, r) for i, r in enumerate(reasons))
    print(table(rows))
    if notes:
        print("\nn/a:\n" + notes)
    if out == "-":
        return
    kept = ""
    try:
        old = open(out).read()
        if KEEP in old:
            kept = old.split(KEEP, 1)[1].lstrip("\n")
    except OSError:
        pass
    doc = ["# Benchmarks: sftpgw vs OpenSSH", "",
           "Written by `%s` (see bench/README.md); the part above the marker is "
           "regenerated on every run." % env.get("invocation", "bench/run"), "",
           "- Date: %s" % env.get("date", "?"),
           "- Mode: %s" % env.get("mode", "?"),
           "- Machine: %s CPUs (%s), %s RAM, %s" % (env.get("nproc"), env.get("cpu"),
                                                    env.get("mem"), env.get("kernel")),
           "- Load average: %s" % env.get("load", "?"),
           "- Versions: %s; libssh %s; libuv %s; %s" % (env.get("openssh"), env.get("libssh"),
                                                       env.get("libuv"), env.get("rsync")),
           "- sftpgw: %s — %s" % (env.get("sftpgw"), env.get("sftpgw_status")),
           "- Servers: `%s`; `%s`" % (env.get("sshd"), env.get("gw")),
           "- Ciphers: %s" % env.get("ciphers"),
           "- Ratio is sftpgw / OpenSSH: for MB/s, files/s and sessions/s higher is better; "
           "for seconds (rsync) lower is better. The relay's OpenSSH column is a direct "
           "connection to the node.", "",
           "## Results", "", table(rows), ""]
    if notes:
        doc += ["Why cells are n/a:", ""] + ["%s  " % l for l in notes.splitlines()] + [""]
    doc += ["## Every run", "", "| case | server | values | n/a |", "|---|---|---|---|"]
    for label, srv, vals, why in raw:
        doc.append("| %s | %s | %s | %s |" % (label, "OpenSSH" if srv == "osh" else "sftpgw",
                                              vals, why.replace("|", "\\|")))
    doc += ["", "## Exact commands", "", "```", cmds.rstrip(), "```", "", KEEP, "", kept]
    with open(out, "w") as f:
        f.write("\n".join(doc).rstrip("\n") + "\n")
    print("\nwritten to %s" % out)


if __name__ == "__main__":
    main()
