#!/usr/bin/python3
"""report_2c2d.py - bench/vs-pytorch-2c2d.sh's JSON lines as the table
BENCHMARKS.md shows, with issue 12's targets: at one thread a 2c2d epoch in
<= 0.5x PyTorch's fp32 epoch, <= 0.3x in bf16 (against torch's fp32 epoch),
a peak RSS under 1 GiB, and with more threads descent's best fp32 epoch
<= 0.35x PyTorch's at its best thread count. Each side keeps its best epoch
per precision and thread count (the least disturbed run); RSS is the
largest of the runs.

Usage: report_2c2d.py RESULTS.jsonl
"""
import json
import sys

TARGET = {"fp32": 0.5, "bf16": 0.3}


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    one = [r for r in rows if r.get("threads", 1) == 1]
    runs = lambda side, p: [r for r in one if r["side"] == side and r["precision"] == p]
    torch32 = min(r["best_epoch_seconds"] for r in runs("torch", "fp32"))
    checks = []
    print("| precision | examples | descent s/epoch | GFLOP/s | torch s/epoch | descent / torch |"
          " descent / torch fp32 | descent peak RSS | torch peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|")
    for p in ("fp32", "bf16"):
        d, t = runs("descent", p), runs("torch", p)
        if not d or not t:
            continue
        db = min(d, key=lambda r: r["best_epoch_seconds"])
        ts = min(r["best_epoch_seconds"] for r in t)
        ds = db["best_epoch_seconds"]
        drss = max(r["peak_rss_bytes"] for r in d) / 2**20
        trss = max(r["peak_rss_bytes"] for r in t) / 2**20
        print(f"| {p} | {db['examples']} | {ds:.2f} | {db['gflops']:.1f} | {ts:.2f} |"
              f" {ds / ts:.2f}x | {ds / torch32:.2f}x | {drss:.0f} MiB | {trss:.0f} MiB |")
        checks.append((f"{p} epoch <= {TARGET[p]}x torch's fp32 epoch", ds / torch32 <= TARGET[p]))
        checks.append((f"{p} peak RSS < 1 GiB", drss < 1024))
    counts = sorted({r.get("threads", 1) for r in rows})
    if len(counts) > 1:
        best = {}
        print()
        print("| threads | descent fp32 s/epoch | torch fp32 s/epoch | descent / torch |")
        print("|---|---|---|---|")
        for t in counts:
            pick = lambda side: min(r["best_epoch_seconds"] for r in rows if r["side"] == side
                                    and r["precision"] == "fp32" and r.get("threads", 1) == t)
            best[t] = (pick("descent"), pick("torch"))
            print(f"| {t} | {best[t][0]:.2f} | {best[t][1]:.2f} | {best[t][0] / best[t][1]:.2f}x |")
        d_best = min(v[0] for v in best.values())
        t_best = min(v[1] for v in best.values())
        checks.append((f"all threads: descent's best {d_best:.2f} s <= 0.35x torch's best"
                       f" {t_best:.2f} s ({d_best / t_best:.2f}x)", d_best / t_best <= 0.35))
        checks.append(("two threads never slower than one (descent)",
                       all(best[t][0] <= best[1][0] for t in counts)))
    for name, ok in checks:
        print(f"- {'met' if ok else 'MISSED'}: {name}")


if __name__ == "__main__":
    main()
