"""Compare in-process parse time with plan time (load + make_plan) on generated templates of N sources."""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bake.compiler import diagnostics as dg
from bake.compiler.hcl.parser import parse
from bake.compiler.packer.config import Options, load
from bake.compiler.planner import make_plan

SIZES = (100, 1000)
PROVISIONERS = 10
EPOCH = 1700000000
PLAN_PARSE_GOAL = 4.0  # plan / parse at the largest N must be at most this
SCALING_GOAL = 12.0  # time(1000) / time(100) must be at most this (10x the work)


def template(n: int) -> str:
    """N docker sources, each in its own build with PROVISIONERS inline shell provisioners."""
    out = [
        'variable "greeting" {\n  type    = string\n  default = "hello"\n}\n',
        'variable "retries" {\n  type    = number\n  default = 3\n}\n',
        "locals {\n"
        '  prefix  = "bench"\n'
        '  workdir = "/opt/${local.prefix}"\n'
        '  tags    = ["a", "b", "c"]\n'
        '  banner  = upper("${var.greeting} from ${local.prefix}")\n'
        "}\n",
    ]
    for i in range(n):
        out.append(f'source "docker" "s{i}" {{\n  image  = "bake/busybox:{i % 7}"\n  commit = true\n}}\n')
    for i in range(n):
        provs = []
        for j in range(PROVISIONERS):
            provs.append(
                f'  provisioner "shell" {{\n'
                f"    inline = [\n"
                f'      "echo ${{var.greeting}} ${{local.banner}} {i}-{j}",\n'
                f'      "mkdir -p ${{local.workdir}}/${{source.name}}/{j}",\n'
                f'      "echo ${{join(",", local.tags)}} > ${{local.workdir}}/tags-{j}",\n'
                f"    ]\n"
                f'    environment_vars = ["STEP={j}", "RETRIES=${{var.retries}}", "BUILD=${{build.name}}"]\n'
                f"  }}\n"
            )
        out.append(f'build {{\n  name    = "b{i}"\n  sources = ["source.docker.s{i}"]\n\n' + "\n".join(provs) + "}\n")
    return "\n".join(out)


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def do_parse(data: bytes, name: str) -> None:
    result = parse(data, name)
    if not result.ok:
        raise SystemExit(f"bench_plan: the generated {name} does not parse")


def do_plan(folder: str, n: int) -> None:
    template_, diags, _ = load(folder, Options(source_date_epoch=EPOCH))
    if template_ is None or dg.has_errors(diags):
        raise SystemExit(f"bench_plan: the generated template does not load: {[d.summary for d in diags]}")
    plan, more = make_plan(template_, folder)
    if plan is None or dg.has_errors(more):
        raise SystemExit(f"bench_plan: the generated template does not plan: {[d.summary for d in more]}")
    steps = sum(len(b.steps) for b in plan.builds)
    if steps != n * (PROVISIONERS + 2):
        raise SystemExit(f"bench_plan: expected {n * (PROVISIONERS + 2)} steps, got {steps}")


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def profile(folder: str, n: int, top: int) -> None:
    """Plan once under cProfile and print the functions with the most own and cumulative time."""
    prof = cProfile.Profile()
    prof.runcall(do_plan, folder, n)
    for order in ("tottime", "cumulative"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(order).print_stats(top)
        print(f"\nprofile of one plan at N={n}, sorted by {order}:")
        print(buf.getvalue().strip())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per measurement, best kept (default 3)")
    ap.add_argument("--profile", action="store_true", help="profile planning at the largest N with cProfile")
    ap.add_argument("--top", type=int, default=25, help="functions to list with --profile (default 25)")
    args = ap.parse_args(argv)

    times: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench_plan.") as tmp:
        for n in SIZES:
            folder = Path(tmp, f"n{n}")
            folder.mkdir()
            path = folder / "bench.pkr.hcl"
            data = template(n).encode()
            path.write_bytes(data)
            parse_s = best_of(args.repeat, lambda data=data, path=path: do_parse(data, str(path)))
            plan_s = best_of(args.repeat, lambda folder=folder, n=n: do_plan(str(folder), n))
            times[n] = (parse_s, plan_s)
            lines = data.count(b"\n")
            print(
                f"N={n:<5} ({n * PROVISIONERS} provisioners, {lines} lines, {len(data) // 1024} KiB)  "
                f"parse {parse_s * 1000:8.1f} ms   plan {plan_s * 1000:8.1f} ms   plan/parse {plan_s / parse_s:5.2f}x"
            )
        small, large = SIZES[0], SIZES[-1]
        ratio = times[large][1] / times[large][0]
        scale_parse = times[large][0] / times[small][0]
        scale_plan = times[large][1] / times[small][1]
        print()
        print(
            f"plan/parse at N={large}: {ratio:.2f}x (goal <= {PLAN_PARSE_GOAL:g}x): {verdict(ratio <= PLAN_PARSE_GOAL)}"
        )
        print(
            f"scaling parse time({large})/time({small}): {scale_parse:.2f}x "
            f"(goal <= {SCALING_GOAL:g}x): {verdict(scale_parse <= SCALING_GOAL)}"
        )
        print(
            f"scaling plan  time({large})/time({small}): {scale_plan:.2f}x "
            f"(goal <= {SCALING_GOAL:g}x): {verdict(scale_plan <= SCALING_GOAL)}"
        )
        if args.profile:
            profile(str(Path(tmp, f"n{large}")), large, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
