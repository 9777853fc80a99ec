#!/usr/bin/env python3
"""Turns matmul-bench --json output into the markdown tables of
docs/benchmarks.md, with the kernel issue's acceptance bars checked against
the numbers (ratios of medians from one run).

Several files merge: a row (M, K, N, pattern, threads) of a later file
replaces that of an earlier one, so a re-run of some patterns after a kernel
change updates just those rows. All contenders of a row always come from the
same run."""
import json
import sys
from collections import defaultdict


def main(paths):
    merged = {}
    for path in paths:
        for r in json.load(open(path)):
            merged[(r["m"], r["k"], r["n"], r["pattern"], r["threads"])] = r
    rows = list(merged.values())
    by_shape = defaultdict(list)
    for r in rows:
        by_shape[(r["k"], r["n"])].append(r)

    out = []
    for (k, n), rs in by_shape.items():
        out.append(f"\n### K x N = {k} x {n}\n")
        out.append("| M | pattern | thr | oneDNN | OpenBLAS | sparsec dense | "
                   "sparsec sparse | sparse / oneDNN | sparse / best lib | "
                   "dense / oneDNN |")
        out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in sorted(rs, key=lambda r: (r["pattern"], r["m"], r["threads"])):
            g = r["gflops"]
            best = max(g["onednn"], g["openblas"])
            out.append(
                f"| {r['m']} | {r['pattern']} | {r['threads']} | {g['onednn']:.0f} | "
                f"{g['openblas']:.0f} | {g['sparsec_dense']:.0f} | "
                f"{g['sparsec_sparse']:.0f} | {g['sparsec_sparse'] / g['onednn']:.2f}x | "
                f"{g['sparsec_sparse'] / best:.2f}x | "
                f"{g['sparsec_dense'] / g['onednn']:.2f}x |")

    def cells(pattern=None, thr=1, pred=lambda r: True):
        return [r for r in rows if (pattern is None or r["pattern"] == pattern)
                and r["threads"] == thr and pred(r)]

    def span(values):
        return f"{min(values):.2f}x - {max(values):.2f}x" if values else "n/a"

    summary = ["| bar (1 thread unless said) | measured (min - max) | met |",
               "|---|---|---|"]

    def bar(text, values, threshold):
        met = values and min(values) >= threshold
        summary.append(f"| {text} | {span(values)} | {'yes' if met else 'no'} |")

    dense = [r["gflops"]["sparsec_dense"] / r["gflops"]["onednn"]
             for r in cells(thr=1, pred=lambda r: r["m"] >= 16)
             if r["pattern"] == "nm2:4"]
    bar("sparsec dense >= 0.9x oneDNN, M >= 16", dense, 0.9)
    gemv = [r["gflops"]["sparsec_dense"] / max(r["gflops"]["onednn"], r["gflops"]["openblas"])
            for r in cells("nm2:4", pred=lambda r: r["m"] == 1 and r["k"] * r["n"] * 4 > 32 << 20)]
    bar("sparsec dense >= 1.1x best library, M = 1, cold weights", gemv, 1.1)

    def ratio(pattern, pred, vs_best=False):
        return [r["gflops"]["sparsec_sparse"] /
                (max(r["gflops"]["onednn"], r["gflops"]["openblas"]) if vs_best
                 else r["gflops"]["onednn"]) for r in cells(pattern, pred=pred)]

    bar("2:4 >= 1.35x oneDNN, M >= 16", ratio("nm2:4", lambda r: r["m"] >= 16), 1.35)
    bar("2:4 >= 1.6x best library, M = 1, cold weights",
        ratio("nm2:4", lambda r: r["m"] == 1 and r["k"] * r["n"] * 4 > 32 << 20, True), 1.6)
    for density, threshold in (("0.5", 1.8), ("0.25", 3.3), ("0.1", 7.0)):
        bar(f"block 16x16 at {float(density):.0%} >= {threshold}x oneDNN, M >= 128",
            ratio(f"block16x16@{density}", lambda r: r["m"] >= 128), threshold)
    bar("block 16x16 GEMV at 10% >= 9x best library",
        ratio("block16x16@0.1", lambda r: r["m"] == 1, True), 9.0)
    bar("CSR at 10% >= 4x oneDNN, M >= 128", ratio("csr@0.1", lambda r: r["m"] >= 128), 4.0)
    bar("CSR at 10% >= 3x oneDNN, M = 16", ratio("csr@0.1", lambda r: r["m"] == 16), 3.0)
    scaling = []
    for r2 in cells(thr=2, pred=lambda r: r["m"] >= 128 and r["pattern"] != "dense"):
        for r1 in cells(r2["pattern"], pred=lambda r: r["m"] == r2["m"] and
                        (r["k"], r["n"]) == (r2["k"], r2["n"])):
            scaling.append(r2["gflops"]["sparsec_sparse"] / r1["gflops"]["sparsec_sparse"])
    bar("2 threads >= 1.8x 1 thread, M >= 128 (every sparse kernel)", scaling, 1.8)
    print("\n".join(summary))
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1:] or ["matmul.json"])
