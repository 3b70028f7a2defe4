#!/usr/bin/python3
"""idx_head.py - the first N examples of a Fashion-MNIST split as raw IDX
files, for the tests and benchmarks that want a smaller set than the one
Debian's dataset-fashion-mnist ships (descent reads them as
`idx:OUT-images.idx,OUT-labels.idx`).

Usage: idx_head.py train|t10k N OUT
  writes OUT-images.idx (N x 28 x 28) and OUT-labels.idx (N)
"""
import gzip
import sys

SRC = "/usr/share/datasets/fashion-mnist/%s-%s-idx%d-ubyte.gz"


def main():
    split, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    for kind, dims in (("images", 3), ("labels", 1)):
        d = gzip.open(SRC % (split, kind, dims)).read()
        head = 4 + 4 * dims  # magic, then one big-endian count per dimension
        row = 784 if kind == "images" else 1
        with open("%s-%s.idx" % (out, kind), "wb") as f:
            f.write(d[:4] + n.to_bytes(4, "big") + d[8:head] + d[head:head + n * row])


if __name__ == "__main__":
    main()
