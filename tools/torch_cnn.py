#!/usr/bin/python3
"""torch_cnn.py - the PyTorch side of the layer networks' parity test.

Builds two small CNNs as torch.nn.Sequential, from fixed seeded weights, and
trains each for STEPS steps of SGD with momentum (lr 0.05, momentum 0.9) and
of Adam (lr 1e-2) on one fixed batch of random 1x8x8 images with labels in
0..2, in float32 at one thread. For each case it writes the descent spec,
the data, the initial parameters in descent's order ([every conv and dense
weight | every bias, batch norm's gamma and beta], layer by layer; conv
weights OIHW and dense weights [out, in], which are torch's own layouts) and
the loss of every step (the mean cross-entropy of the forward pass before
the update), then the loss in evaluation mode after the last step (batch
norm's running statistics; none where that is ill-conditioned, see
is_noisy), and the trained weights as torch's state_dict in
DIR/torch_cnn_K.safetensors (K = 0, 1, ... in case order), which the test
loads (--init-from's reader) to find the same evaluation loss. tests/unit/test_net_torch.c reads the file and
checks descent against it.

Needs Debian's /usr/bin/python3 (python3-torch 1.13); the test suite only
reads the stored numbers, never torch.

usage: /usr/bin/python3 tools/torch_cnn.py [DIR] > tests/data/train/torch_cnn.txt
       (DIR: where the .safetensors files go, default tests/data/train)
"""
import json
import os
import struct
import sys

import torch
from torch import nn

STEPS = 8
ROWS = 16

CASES = [
    ("net:in=1x8x8|conv:4,3,same|relu|maxpool:2|dense:3",
     lambda: nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                           nn.Flatten(), nn.Linear(64, 3))),
    ("net:in=1x8x8|conv:4,3,same|batchnorm|relu|maxpool:2|dense:5|batchnorm|relu|dense:3",
     lambda: nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                           nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 5), nn.BatchNorm1d(5),
                           nn.ReLU(), nn.Linear(5, 3))),
    ("net:in=1x8x8|conv:3,3,1,stride=2|tanh|avgpool:2|dense:3",
     lambda: nn.Sequential(nn.Conv2d(1, 3, 3, padding=1, stride=2), nn.Tanh(), nn.AvgPool2d(2),
                           nn.Flatten(), nn.Linear(12, 3))),
]
OPTS = [
    ("sgd:lr=0.05,momentum=0.9", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    ("adam:lr=0.01", lambda p: torch.optim.Adam(p, lr=0.01)),
]


def flat_params(model):
    """Descent's order: weights of conv/linear layers, then biases and gamma/beta."""
    weights, biases = [], []
    for m in model:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            weights.append(m.weight.detach().reshape(-1))
            biases.append(m.bias.detach().reshape(-1))
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            biases.append(m.weight.detach().reshape(-1))
            biases.append(m.bias.detach().reshape(-1))
    return torch.cat(weights + biases)


def is_noisy(model, opt_spec):
    """Adam with batch norm: the bias before a batch norm has a gradient of 0
    up to rounding, which Adam divides by its own size into steps of lr, so
    that bias (and the running mean that follows it) walks by rounding noise;
    the loss in evaluation mode then differs by 4e-4 between torch's own
    float32 and float64 runs. The training losses are unaffected (batch norm
    removes the bias) and are still compared."""
    return opt_spec.startswith("adam") and any(
        isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) for m in model)


def save_safetensors(state, path):
    """The safetensors layout, written here so no other package is needed:
    8-byte little-endian header length, JSON header, raw little-endian data."""
    header, blobs, off = {}, [], 0
    for name, t in state.items():
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        raw = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def put(name, values, fmt="%.9g"):
    print(name, len(values), " ".join(fmt % v for v in values))


def main():
    torch.set_num_threads(1)
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/train"
    n = 0
    for spec, make in CASES:
        for opt_spec, make_opt in OPTS:
            torch.manual_seed(1)
            model = make()
            x = torch.randn(ROWS, 1, 8, 8)
            y = torch.randint(0, 3, (ROWS,))
            print("case", spec, opt_spec)
            put("x", x.reshape(-1).tolist())
            put("labels", y.tolist(), "%d")
            put("params", flat_params(model).tolist())
            opt = make_opt(model.parameters())
            losses = []
            model.train()
            for _ in range(STEPS):
                opt.zero_grad()
                loss = nn.functional.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
                losses.append(loss.item())
            put("losses", losses)
            model.eval()
            with torch.no_grad():
                ev = [nn.functional.cross_entropy(model(x), y).item()]
            put("eval", [] if is_noisy(model, opt_spec) else ev)
            save_safetensors(model.state_dict(), os.path.join(out, "torch_cnn_%d.safetensors" % n))
            n += 1


if __name__ == "__main__":
    main()
