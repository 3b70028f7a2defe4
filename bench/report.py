#!/usr/bin/python3
"""report.py - turns bench/vs-pytorch.sh's JSON lines into the comparison
tables (Markdown) and checks the speed targets of the issue:

  1. every optimizer step >= 90% of the triad bandwidth, at 1 thread and at
     all threads; Adam >= 3x torch.optim at equal thread count;
  2. issue 11's epoch targets: <= 0.55x PyTorch's epoch at one thread and,
     at all threads, <= 0.35x PyTorch's best thread count, with the same or
     better test accuracy; the products inside training >= 85% of the
     backend's matrix product alone on the same shapes; bf16 <= 0.65x fp32;
  3. more threads never slower than one.

Each side keeps its best run per workload and thread count (the least
disturbed one), as STREAM keeps its best repetition.

Usage: report.py RESULTS.jsonl
"""
import json
import sys


def best(rows, side, work, threads, key):
    """The run of side/work/threads with the smallest value of key."""
    runs = [r for r in rows if r["side"] == side and r["workload"] == work
            and r["threads"] == threads]
    return min(runs, key=key) if runs else None


def optim_table(rows, threads):
    """Per optimizer: best descent and torch step times at each thread count.
    The triad fraction divides the best step's bandwidth by the best triad of
    the whole run at that thread count, so a triad measured in a busy moment
    cannot inflate it."""
    checks = []
    triads = {t: max(r["triad_bytes_per_s"] for r in rows if r["side"] == "descent"
                     and r["workload"] == "optim" and r["threads"] == t) for t in threads}
    print("| threads | optimizer | descent ms/step | GB/s | triad fraction | torch ms/step | torch / descent |")
    print("|---|---|---|---|---|---|---|")
    for t in threads:
        d_runs = [r for r in rows if r["side"] == "descent" and r["workload"] == "optim"
                  and r["threads"] == t]
        t_runs = [r for r in rows if r["side"] == "torch" and r["workload"] == "optim"
                  and r["threads"] == t]
        names = [o["name"] for o in d_runs[0]["optimizers"]]
        for name in names:
            d = min((o for r in d_runs for o in r["optimizers"] if o["name"] == name),
                    key=lambda o: o["seconds_per_step"])
            frac = d["bytes_per_s"] / triads[t]
            tt = [o["seconds_per_step"] for r in t_runs for o in r["optimizers"]
                  if o["name"] == name]
            ts = min(tt) if tt else None
            ratio = ts / d["seconds_per_step"] if ts else None
            print(f"| {t} | {name} | {d['seconds_per_step'] * 1e3:.2f} | "
                  f"{d['bytes_per_s'] / 1e9:.1f} | {frac:.2f} | "
                  f"{'%.2f' % (ts * 1e3) if ts else '-'} | "
                  f"{'%.1fx' % ratio if ratio else '-'} |")
            checks.append((f"{name} at {t} thread(s) >= 0.90 of triad", frac >= 0.90,
                           f"{frac:.2f}"))
            if name == "adam":
                checks.append((f"adam at {t} thread(s) >= 3x torch.optim", ratio >= 3,
                               f"{ratio:.1f}x"))
    for name in names:
        step = {t: min(o["seconds_per_step"] for r in rows if r["side"] == "descent"
                       and r["workload"] == "optim" and r["threads"] == t
                       for o in r["optimizers"] if o["name"] == name) for t in threads}
        for t in threads[1:]:
            checks.append((f"{name} at {t} threads not slower than 1", step[t] <= step[1],
                           f"{step[t] * 1e3:.2f} vs {step[1] * 1e3:.2f} ms"))
    print()
    print("Triad (a = b + s c, 12 bytes per element, best of the run): " +
          ", ".join(f"{t} thread(s) {b / 1e9:.1f} GB/s" for t, b in triads.items()))
    return checks


def other_sides(rows, threads, key):
    """descent in bf16 and on the OpenBLAS build, where the run has them."""
    sides = [s for s in ("descent-bf16", "descent-openblas") if any(r["side"] == s for r in rows)]
    if not sides:
        return []
    print("\n| threads | run | s/epoch (best) | / descent fp32 | / torch | test acc |")
    print("|---|---|---|---|---|---|")
    checks = []
    for t in threads:
        d, p = best(rows, "descent", "train", t, key), best(rows, "torch", "train", t, key)
        for s in sides:
            r = best(rows, s, "train", t, key)
            ratio = r["best_epoch_seconds"] / d["best_epoch_seconds"]
            print(f"| {t} | {s} | {r['best_epoch_seconds']:.3f} | {ratio:.2f}x | "
                  f"{r['best_epoch_seconds'] / p['best_epoch_seconds']:.2f}x | {r['test_accuracy']:.4f} |")
            if s == "descent-bf16":
                checks.append((f"bf16 epoch <= 0.65 x fp32 at {t} threads", ratio <= 0.65,
                               f"{ratio:.2f}"))
    return checks


def train_table(rows, threads):
    checks = []
    print("| threads | descent s/epoch (best) | GFLOP/s | products GFLOP/s in training | "
          "sgemm GFLOP/s same shapes | descent test acc | torch s/epoch (best) | torch test acc | "
          "torch / descent |")
    print("|---|---|---|---|---|---|---|---|---|")
    key = lambda r: r["best_epoch_seconds"]
    for t in threads:
        d, p = best(rows, "descent", "train", t, key), best(rows, "torch", "train", t, key)
        prod = d.get("product_gflops") or float("nan")
        print(f"| {t} | {d['best_epoch_seconds']:.3f} | "
              f"{d['flops_per_example'] * d['examples'] / d['epochs'] / d['best_epoch_seconds'] / 1e9:.1f} | "
              f"{prod:.1f} | {d['sgemm_gflops']:.1f} | {d['test_accuracy']:.4f} | "
              f"{p['best_epoch_seconds']:.3f} | {p['test_accuracy']:.4f} | "
              f"{p['best_epoch_seconds'] / d['best_epoch_seconds']:.2f}x |")
        frac = prod / d["sgemm_gflops"]
        checks.append((f"products in training >= 0.85 of sgemm alone at {t} thread(s)",
                       frac >= 0.85, f"{frac:.2f}"))
    d1, p1 = best(rows, "descent", "train", 1, key), best(rows, "torch", "train", 1, key)
    ratio = d1["best_epoch_seconds"] / p1["best_epoch_seconds"]
    checks.append(("epoch <= 0.55 x PyTorch's at one thread", ratio <= 0.55, f"{ratio:.2f}"))
    d_all = best(rows, "descent", "train", threads[-1], key)
    p_best = min((best(rows, "torch", "train", t, key) for t in threads), key=key)
    ratio = d_all["best_epoch_seconds"] / p_best["best_epoch_seconds"]
    checks.append(("epoch at all threads <= 0.35 x PyTorch's best thread count", ratio <= 0.35,
                   f"{ratio:.2f} (descent {d_all['threads']}T vs torch {p_best['threads']}T)"))
    d_acc = [r["test_accuracy"] for r in rows if r["side"] == "descent" and r["workload"] == "train"]
    p_acc = [r["test_accuracy"] for r in rows if r["side"] == "torch" and r["workload"] == "train"]
    da, pa = sum(d_acc) / len(d_acc), sum(p_acc) / len(p_acc)
    checks.append(("test accuracy same or better (mean over the runs' seeds)", da >= pa,
                   f"descent {da:.4f} ({len(d_acc)} runs), torch {pa:.4f} ({len(p_acc)} runs)"))
    checks += other_sides(rows, threads, key)
    for t in threads[1:]:
        r = best(rows, "descent", "train", t, key)
        checks.append((f"train at {t} threads not slower than 1",
                       r["best_epoch_seconds"] <= d1["best_epoch_seconds"],
                       f"{r['best_epoch_seconds']:.3f} vs {d1['best_epoch_seconds']:.3f} s"))
    return checks


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    threads = sorted({r["threads"] for r in rows if r["side"] == "descent"})
    print("## Optimizer step, %d parameters\n" % rows[0].get("params", 0))
    checks = optim_table(rows, threads)
    epochs = max(r["epochs"] for r in rows if r["workload"] == "train")
    print(f"\n## Fashion-MNIST, mlp:784-256-128-10 relu, adam 1e-3, batch 64, {epochs} epochs\n")
    checks += train_table(rows, threads)
    print("\n## Targets\n")
    for what, ok, value in checks:
        print(f"- {'PASS' if ok else 'FAIL'}: {what}: {value}")


if __name__ == "__main__":
    main()
