#!/usr/bin/python3
"""torch_bench.py - the PyTorch side of bench/vs-pytorch.sh.

Runs the workloads `descent bench` runs, the same way, and prints one JSON
object per line so the driver can put both side by side:

  optim  one torch.optim step over N float32 parameters (one tensor, the
         gradient already in .grad), best of REPS after one warm-up step, for
         each rule torch.optim has; torch.set_num_threads(T).
  train  Fashion-MNIST from Debian's dataset-fashion-mnist IDX files (pixels
         / 255, as descent reads them), mlp 784-256-128-10 with ReLU, He
         (kaiming_normal_, fan_in) init before each ReLU and Xavier-uniform on
         the output layer, zero biases (descent's default init), softmax
         cross-entropy, Adam lr 1e-3, batch 64, a fresh shuffle per epoch.
         Reports the training time of each epoch (data loading excluded) and
         the test accuracy after the last one.

Usage: torch_bench.py optim --threads T [--params N] [--reps R]
       torch_bench.py train --threads T [--epochs E] [--batch B] [--seed S]
                      [--model mlp|2c2d] [--limit N] [--precision fp32|bf16]
Needs Debian's python3-torch (torch 1.13) and python3-numpy.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch

FASHION = "/usr/share/datasets/fashion-mnist"

# descent's rule name -> the torch.optim constructor with descent's defaults
# (torch's own defaults, except SGD, which has no default lr in torch).
RULES = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.01),
    "adagrad": lambda p: torch.optim.Adagrad(p),
    "rmsprop": lambda p: torch.optim.RMSprop(p),
    "adam": lambda p: torch.optim.Adam(p),
    "adamw": lambda p: torch.optim.AdamW(p),
    "adamax": lambda p: torch.optim.Adamax(p),
    "nadam": lambda p: torch.optim.NAdam(p),
    "radam": lambda p: torch.optim.RAdam(p),
    "adadelta": lambda p: torch.optim.Adadelta(p),
}


def bench_optim(args):
    """Seconds of one step of each rule: the best of args.reps."""
    out = []
    for name, make in RULES.items():
        x = torch.nn.Parameter(torch.rand(args.params) * 0.1 - 0.05)
        x.grad = torch.rand(args.params) * 0.01 - 0.005
        opt = make([x])
        opt.step()  # warm-up: allocates the state, as descent's _init does
        best = float("inf")
        for _ in range(args.reps):
            t0 = time.perf_counter()
            opt.step()
            best = min(best, time.perf_counter() - t0)
        out.append({"name": name, "seconds_per_step": best,
                    "params_per_s": args.params / best})
    return {"threads": torch.get_num_threads(), "params": args.params, "optimizers": out}


def read_idx(path):
    """An IDX file (gzip) as a numpy array, as the format's header says."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(kind):
    """(x, y) tensors of the train or t10k split, pixels scaled to [0, 1]."""
    x = read_idx(os.path.join(FASHION, f"{kind}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(FASHION, f"{kind}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(x.reshape(len(x), -1).astype(np.float32) / 255.0)
    return x, torch.from_numpy(y.astype(np.int64))


def make_model(sizes):
    """The mlp with descent's default init: He before ReLU, Xavier last."""
    layers = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        last = i == len(sizes) - 2
        if last:
            torch.nn.init.xavier_uniform_(lin.weight)
        else:
            torch.nn.init.kaiming_normal_(lin.weight, mode="fan_in", nonlinearity="relu")
        torch.nn.init.zeros_(lin.bias)
        layers += [lin] if last else [lin, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers)


def make_2c2d():
    """DeepOBS's fmnist_2c2d, descent's --model 2c2d (torch's default init)."""
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(3136, 1024), nn.ReLU(), nn.Linear(1024, 10))


def train_epoch(model, opt, x, y, batch, gen, bf16=False):
    """One epoch over a fresh permutation; returns its training seconds.
    bf16: the forward pass under CPU autocast (bf16 convolutions and linear
    layers, fp32 weights and optimizer), as torch does mixed precision."""
    loss_fn = torch.nn.CrossEntropyLoss()
    t0 = time.perf_counter()
    order = torch.randperm(len(x), generator=gen)
    for i in range(0, len(x), batch):
        idx = order[i:i + batch]
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    return time.perf_counter() - t0


def bench_train(args):
    torch.manual_seed(args.seed)
    xtr, ytr = load("train")
    xte, yte = load("t10k")
    if args.limit:
        xtr, ytr = xtr[:args.limit], ytr[:args.limit]
    if args.model == "2c2d":
        xtr, xte = xtr.reshape(-1, 1, 28, 28), xte.reshape(-1, 1, 28, 28)
    model = make_2c2d() if args.model == "2c2d" else make_model([784, 256, 128, 10])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(args.seed)
    bf16 = args.precision == "bf16"
    secs = [train_epoch(model, opt, xtr, ytr, args.batch, gen, bf16) for _ in range(args.epochs)]
    with torch.no_grad():
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    return {"threads": torch.get_num_threads(), "batch": args.batch, "epochs": args.epochs,
            "seconds": sum(secs), "seconds_per_epoch": sum(secs) / len(secs),
            "best_epoch_seconds": min(secs),
            "examples_per_s": len(xtr) * len(secs) / sum(secs), "test_accuracy": acc,
            "precision": args.precision}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("workload", choices=["optim", "train"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--params", type=int, default=10_000_000)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", choices=["mlp", "2c2d"], default="mlp")
    ap.add_argument("--limit", type=int, default=0, help="train on the first N rows only")
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                    help="bf16: the forward pass under CPU autocast")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    result = bench_optim(args) if args.workload == "optim" else bench_train(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
