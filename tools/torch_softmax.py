#!/usr/bin/python3
"""torch_softmax.py - the PyTorch side of the softmax-regression comparison.

Trains softmax regression (descent's `--model mlp:784-10 --init zeros
--batch full --val 0 --opt OPT --epochs 20`) on the Fashion-MNIST training
set with PyTorch 1.13 in float32 and writes one row per epoch:
epoch, the train loss (the mean cross-entropy that epoch's forward pass
computed, before its update). tests/cli/train_softmax.sh compares descent's
--log against the stored output within 1e-4 relative.

Pixels are scaled to [0, 1] by dividing by 255, as descent's IDX loader does.
Needs Debian's /usr/bin/python3 (torch 1.13, numpy); the test suite only reads
the stored numbers (tests/data/train/softmax_fmnist_RULE.csv), never torch.

usage: /usr/bin/python3 tools/torch_softmax.py [RULE [DIR]] > tests/data/train/softmax_fmnist_RULE.csv
RULE (default sgd) and descent's --opt for it:
  sgd       sgd:lr=0.1
  momentum  sgd:lr=0.1,momentum=0.9
  adam      adam:lr=0.01
"""
import gzip
import struct
import sys

import numpy as np
import torch


def read_idx(path):
    """Reads an IDX file (gzip or raw): big-endian dims after a 4-byte magic."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    rule = sys.argv[1] if len(sys.argv) > 1 else "sgd"
    root = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
    images = read_idx(root + "/train-images-idx3-ubyte.gz")
    labels = read_idx(root + "/train-labels-idx1-ubyte.gz")
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / np.float32(255))
    y = torch.from_numpy(labels.astype(np.int64))
    torch.set_num_threads(1)
    model = torch.nn.Linear(784, 10)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    opt = {
        "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
        "momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        "adam": lambda p: torch.optim.Adam(p, lr=0.01),
    }[rule](model.parameters())
    print("epoch,train_loss")
    for epoch in range(1, 21):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        print("%d,%.9g" % (epoch, loss.item()))


if __name__ == "__main__":
    main()
