#!/usr/bin/env python3
"""Writes a small MNIST-format CSV for examples/mnist.flyte, offline.

The real MNIST needs a download; this uses the handwritten digits that ship with
scikit-learn (1,797 images of 8x8 pixels, values 0-16), each scaled to 24x24 and padded
to MNIST's 28x28, pixels 0-255. One row per image: the label, then 784 pixels, after a
header line. Usage: mnist_data.py OUT.csv [ROWS]
"""
import sys

from sklearn.datasets import load_digits


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1797
    digits = load_digits()
    with open(out, "w", encoding="ascii") as f:
        f.write("label," + ",".join("p%d" % i for i in range(784)) + "\n")
        for image, label in list(zip(digits.images, digits.target))[:rows]:
            pixels = [[0] * 28 for _ in range(28)]
            for r in range(24):
                for c in range(24):
                    pixels[r + 2][c + 2] = min(255, int(image[r // 3][c // 3]) * 16)
            f.write("%d,%s\n" % (label, ",".join(str(p) for row in pixels for p in row)))


if __name__ == "__main__":
    main()
