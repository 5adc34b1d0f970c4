"""Time a 10-step build on a tree of 5,000 files: the file operations alone, then with a layer per step."""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bake.runtime.layers import diff, extract_layer, scan, write_layer, write_oci_layout, write_tree

EPOCH = 1700000000
FILES = 5000
STEPS = 10
TOUCH, ADD, DELETE = 50, 20, 10  # per step: files rewritten, added, deleted


class Tree:
    """A folder of files in nested dirs, and the list of its files, changed the same way for every run."""

    def __init__(self, root: Path, files: int) -> None:
        self.root = root
        self.files: list[str] = []
        self.serial = 0
        for _ in range(files):
            self.add(random.Random(self.serial))

    def add(self, rng: random.Random) -> None:
        n = self.serial
        self.serial += 1
        name = f"d{n % 10}/s{n // 10 % 10}/t{n // 100 % 5}/f{n:05}.dat"
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rng.randbytes(rng.randint(1000, 4000)))
        self.files.append(name)

    def step(self, i: int) -> None:
        rng = random.Random(1000 + i)
        for name in rng.sample(self.files, TOUCH):
            with open(self.root / name, "ab") as f:
                f.write(rng.randbytes(100))
        for _ in range(ADD):
            self.add(rng)
        for name in rng.sample(self.files, DELETE):
            (self.root / name).unlink()
            self.files.remove(name)


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def plain_run(tmp: Path, files: int) -> list[float]:
    tree = Tree(tmp / "plain", files)
    return [timed(lambda i=i: tree.step(i)) for i in range(STEPS)]


def layered_run(tmp: Path, files: int) -> tuple[list[tuple[float, float, float, float]], dict[str, float], list[Path]]:
    """Per step: (file operations, scan, diff, write_layer); plus the one-off costs around the build."""
    tree = Tree(tmp / "layered", files)
    once: dict[str, float] = {}
    layers = [tmp / "layer00.tar"]
    with open(layers[0], "wb") as out:
        once["write_tree (base layer)"] = timed(lambda: write_tree(tree.root, EPOCH, out))
    t0 = time.perf_counter()
    state = scan(tree.root)
    once["first scan"] = time.perf_counter() - t0
    steps = []
    for i in range(STEPS):
        ops = timed(lambda i=i: tree.step(i))
        t0 = time.perf_counter()
        now = scan(tree.root)
        t1 = time.perf_counter()
        changes = diff(state, now)
        t2 = time.perf_counter()
        layers.append(tmp / f"layer{i + 1:02}.tar")
        with open(layers[-1], "wb") as out:
            write_layer(tree.root, changes, EPOCH, out)
        t3 = time.perf_counter()
        state = now
        steps.append((ops, t1 - t0, t2 - t1, t3 - t2))

    def replay() -> None:
        for layer in layers:
            with open(layer, "rb") as src:
                extract_layer(src, tmp / "replay")

    once["replay: extract all layers"] = timed(replay)
    once["OCI layout of all layers"] = timed(lambda: write_oci_layout(tmp / "oci", layers, EPOCH))
    return steps, once, layers


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=FILES, help=f"files in the tree (default {FILES})")
    ap.add_argument("--repeat", type=int, default=3, help="rounds, medians shown (default 3)")
    args = ap.parse_args(argv)
    plains, layereds, onces = [], [], []
    for _ in range(args.repeat):
        tmp = Path(tempfile.mkdtemp(prefix="bench_layers."))
        try:
            plains.append(plain_run(tmp, args.files))
            steps, once, layers = layered_run(tmp, args.files)
            layereds.append(steps)
            onces.append(once)
            sizes = [layer.stat().st_size for layer in layers]
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    print(f"tree: {args.files} files in nested dirs; {STEPS} steps, each rewriting {TOUCH} files, adding {ADD}, "
          f"deleting {DELETE}; {args.repeat} rounds, medians\n")  # fmt: skip
    print(f"{'step':<6}{'plain':>10}{'layered':>10}{'= ops':>10}{'+ scan':>10}{'+ diff':>10}{'+ write':>10}"
          f"{'layer':>12}")  # fmt: skip
    plain_total = layered_total = 0.0
    for i in range(STEPS):
        plain = ms([r[i] for r in plains])
        parts = [ms([r[i][k] for r in layereds]) for k in range(4)]
        plain_total += plain
        layered_total += sum(parts)
        print(f"{i + 1:<6}{plain:>10.1f}{sum(parts):>10.1f}" + "".join(f"{p:>10.1f}" for p in parts)
              + f"{sizes[i + 1] / 1024:>9.0f} KB")  # fmt: skip
    print(f"{'total':<6}{plain_total:>10.1f}{layered_total:>10.1f}  ms\n")
    print(f"layering overhead: {layered_total / plain_total:.1f}x the file operations alone "
          f"(+{(layered_total - plain_total) / STEPS:.1f} ms per step)\n")  # fmt: skip
    print("one-off costs:")
    for key in onces[0]:
        print(f"  {key:<30}{ms([o[key] for o in onces]):>10.1f} ms")
    print(f"  {'base layer size':<30}{sizes[0] / 1024 / 1024:>10.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
