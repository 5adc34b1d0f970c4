"""Compare whole-process parse time of bake, python-hcl2 and pygohcl over the corpus."""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE / "corpus"

HCL2_GOAL = 3.0  # python-hcl2 / bake must be at least this
GOHCL_GOAL = 10.0  # bake / pygohcl must be at most this

# Each library gets a fresh interpreter that parses every file named on its command line.
# A rejected file is reported as "REJECT <path>: <error>" and makes the process exit 1.
_LOADER = """\
import sys
from pathlib import Path
import {module}
bad = 0
for name in sys.argv[1:]:
    try:
        {module}.loads(Path(name).read_text(encoding="utf-8"))
    except Exception as exc:
        bad += 1
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"REJECT {{name}}: {{type(exc).__name__}}: {{first}}")
sys.exit(1 if bad else 0)
"""


@dataclass(frozen=True)
class Tool:
    """One contender: a name and the argv prefix that parses the files appended to it."""

    name: str
    argv: list[str]


@dataclass(frozen=True)
class Timing:
    """Median and minimum wall-clock seconds of repeated runs."""

    median: float
    minimum: float


def find_bake() -> list[str]:
    """Return the argv of the `bake` executable installed next to this interpreter."""
    bindir = Path(sys.executable).parent
    for name in ("bake", "bake.exe"):
        candidate = bindir / name
        if candidate.exists():
            return [str(candidate)]
    raise SystemExit(f"bench_parse: no `bake` executable in {bindir}; install the project first")


def loader(module: str) -> list[str]:
    """Return the argv of a fresh interpreter that parses its arguments with `module`."""
    return [sys.executable, "-c", _LOADER.format(module=module)]


def corpus_files(root: Path) -> list[Path]:
    """Every HCL file under `root`, sorted for stable output."""
    if root.is_file():
        return [root]
    files = sorted(p for p in root.rglob("*.hcl") if p.is_file())
    if not files:
        raise SystemExit(f"bench_parse: no *.hcl files under {root}")
    return files


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run `argv` to completion, capturing its output."""
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def timed(argv: list[str], repeat: int) -> Timing:
    """Run `argv` `repeat` times and return the median and minimum wall time."""
    samples: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        samples.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"bench_parse: {shlex.join(argv[:3])} ... exited {proc.returncode}")
    return Timing(statistics.median(samples), min(samples))


def check(tool: Tool, files: list[Path]) -> bool:
    """Warm `tool` up once over all files and report whether it accepted every one."""
    proc = run([*tool.argv, *map(str, files)])
    if proc.returncode == 0:
        return True
    print(f"\n{tool.name} rejected part of the corpus (exit {proc.returncode}):")
    out = (proc.stdout + proc.stderr).strip()
    lines = out.splitlines()
    for line in lines[:40]:
        print(f"  {line}")
    if len(lines) > 40:
        print(f"  ... {len(lines) - 40} more lines")
    return False


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, check all tools accept the corpus, time them and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per tool (default 5)")
    parser.add_argument(
        "--bake",
        metavar="CMD",
        help="command line to use instead of the installed `bake` (shell-quoted)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    files = corpus_files(args.corpus)
    kb = sum(p.stat().st_size for p in files) / 1024
    lines = sum(len(p.read_bytes().splitlines()) for p in files)
    bake = shlex.split(args.bake) if args.bake else find_bake()

    tools = [
        Tool("bake", [*bake, "validate", "--syntax-only"]),
        Tool("python-hcl2", loader("hcl2")),
        Tool("pygohcl", loader("pygohcl")),
    ]

    print(f"corpus: {args.corpus} ({len(files)} files, {kb:.1f} KB, {lines} lines)")
    print(f"python: {sys.executable}")
    print(f"bake:   {shlex.join(bake)}")
    print(f"repeat: {args.repeat} (median and min of whole-process wall time)")

    accepted = [check(tool, files) for tool in tools]
    if not all(accepted):
        print("\nbench_parse: not every tool accepts every file; fix the corpus or the parser")
        return 1

    results = {tool.name: timed([*tool.argv, *map(str, files)], args.repeat) for tool in tools}

    print()
    print(f"{'tool':<14} {'median s':>9} {'min s':>9} {'files':>6} {'KB':>8}")
    for tool in tools:
        t = results[tool.name]
        print(f"{tool.name:<14} {t.median:>9.3f} {t.minimum:>9.3f} {len(files):>6} {kb:>8.1f}")

    hcl2_ratio = results["python-hcl2"].median / results["bake"].median
    gohcl_ratio = results["bake"].median / results["pygohcl"].median
    hcl2_ok = hcl2_ratio >= HCL2_GOAL
    gohcl_ok = gohcl_ratio <= GOHCL_GOAL
    print()
    print(f"python-hcl2 / bake = {hcl2_ratio:6.2f}x  (goal >= {HCL2_GOAL:g}x)")
    print(f"bake / pygohcl     = {gohcl_ratio:6.2f}x  (goal <= {GOHCL_GOAL:g}x)")
    print(
        f"goals: python-hcl2/bake {'MET' if hcl2_ok else 'NOT MET'}, "
        f"bake/pygohcl {'MET' if gohcl_ok else 'NOT MET'}"
    )

    smallest = min(files, key=lambda p: p.stat().st_size)
    startup = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("bake --help", [*bake, "--help"]),
        ("bake validate 1 file", [*bake, "validate", "--syntax-only", str(smallest)]),
    ]
    print()
    print(f"start-up (one file: {smallest.name})")
    print(f"{'command':<22} {'median s':>9} {'min s':>9}")
    for label, cmd in startup:
        run(cmd)  # warm
        t = timed(cmd, args.repeat)
        print(f"{label:<22} {t.median:>9.3f} {t.minimum:>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
