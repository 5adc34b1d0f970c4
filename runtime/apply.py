"""The apply loop: verify the plan, then run each build's steps in order, reusing cached layers."""

from __future__ import annotations

import json
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TextIO

import msgspec

from bake.compiler import planfile as pf

from .interfaces import Artifact, Builder, BuildError, Session
from .steps import StepContext, StepFailed, check_plain

Emit = Callable[[dict[str, Any]], None]


class ApplyOptions(msgspec.Struct):
    """How to apply."""

    no_cache: bool = False
    on_error: str = "cleanup"  # cleanup | abort
    parallel_builds: int = 0  # 0: all at once
    json: bool = False


class BuildResult(msgspec.Struct):
    """The outcome of one build."""

    name: str
    ok: bool
    steps_run: int = 0
    steps_cached: int = 0
    artifact: Artifact | None = None
    error: str = ""


def make_builder(kind: str, say: Callable[[str], None]) -> Builder:
    """The driver of a builder type."""
    if kind == "docker":
        from .builders.docker import DockerBuilder

        return DockerBuilder(warn=say)
    raise StepFailed(f'bake has no driver for the builder "{kind}"')


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)")


def seconds(text: str | None) -> float | None:
    """A Go duration ("1h30m", "90s") in seconds."""
    if not text:
        return None
    total = 0.0
    scale = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
    for number, unit in _DURATION.findall(text):
        total += float(number) * scale[unit]
    return total


class Runner:
    """Applies one verified plan."""

    def __init__(self, plan: pf.Plan, root: Path, cache: Any, options: ApplyOptions, out: TextIO) -> None:
        self.plan = plan
        self.root = root
        self.cache = cache
        self.options = options
        self.out = out
        self.lock = threading.Lock()

    # -- output
    def emit(self, event: dict[str, Any]) -> None:
        with self.lock:
            if self.options.json:
                self.out.write(json.dumps(event, sort_keys=True) + "\n")
            else:
                self.out.write(_human(event))
            self.out.flush()

    # -- the loop
    def run(self) -> list[BuildResult]:
        workers = self.options.parallel_builds or max(len(self.plan.builds), 1)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(self.run_build, self.plan.builds))

    def run_build(self, build: pf.Build) -> BuildResult:
        result = BuildResult(build.name, True)
        started = time.monotonic()

        def say(line: str) -> None:
            self.emit({"event": "output", "build": build.name, "line": line})

        session: Session | None = None
        keep = False
        try:
            builder = make_builder(build.builder, say)
            layer: str | None = None
            source = build.steps[0]
            main = [s for s in build.steps if s.kind in ("source", "provisioner", "finalize")]
            for step in main:
                check_plain(step.config, f"{step.kind} {step.type}")
                hit = None if self.options.no_cache else self.cache.lookup(step.key, builder.layer_exists)
                if hit is not None:
                    layer = hit.layer
                    self.cache.touch(step.key)
                    result.steps_cached += 1
                    if step.kind == "finalize":
                        result.artifact = builder.restore_artifact(layer, step.config)
                    if session is not None:
                        session.close()
                        session = None
                    self.emit(
                        {
                            "event": "step_cached",
                            "build": build.name,
                            "kind": step.kind,
                            "type": step.type,
                            "key": step.key,
                        }
                    )
                    continue
                t0 = time.monotonic()
                self.emit(
                    {"event": "step_start", "build": build.name, "kind": step.kind, "type": step.type, "key": step.key}
                )
                if session is None:
                    if layer is None:
                        session = builder.start(source.config, build.name)
                    else:
                        session = builder.resume(layer, source.config, build.name)
                if step.kind == "provisioner":
                    self.run_provisioner(step, build, session, say)
                layer, size = builder.snapshot(session, step.key)
                if step.kind == "finalize":
                    result.artifact = builder.finalize(session, step.config, step.key)
                self.cache.put(step.key, build.builder, layer, size)
                result.steps_run += 1
                self.emit({"event": "step_done", "build": build.name, "kind": step.kind, "type": step.type,
                           "key": step.key, "seconds": round(time.monotonic() - t0, 3)})  # fmt: skip
            if session is not None:
                session.close()
                session = None
            self.run_post_processors(build, result, say)
        except Exception as exc:  # every failure ends the build cleanly, with a message
            result.ok = False
            expected = isinstance(exc, (StepFailed, BuildError))
            result.error = str(exc) if expected else f"{type(exc).__name__}: {exc}"
            if not expected:
                say("".join(traceback.format_exception_only(type(exc), exc)).strip())
            keep = self.options.on_error == "abort" and session is not None
            if keep:
                result.error += f"\n(the build's container was kept for debugging: {getattr(session, 'name', '')})"
        finally:
            if session is not None and not keep:
                session.close()
        self.emit({"event": "build_done", "build": build.name, "ok": result.ok, "error": result.error,
                   "steps_run": result.steps_run, "steps_cached": result.steps_cached,
                   "seconds": round(time.monotonic() - started, 3)})  # fmt: skip
        return result

    def run_provisioner(self, step: pf.Step, build: pf.Build, session: Session, say: Callable[[str], None]) -> None:
        from .provisioners import PROVISIONERS

        runner = PROVISIONERS.get(step.type)
        if runner is None:
            raise StepFailed(f'bake has no driver for the provisioner "{step.type}"')
        pause = seconds(step.options.get("pause_before"))
        if pause:
            time.sleep(pause)
        attempts = 1 + int(step.options.get("max_retries") or 0)
        for attempt in range(1, attempts + 1):
            try:
                runner(StepContext(step, build, self.root, say, session))
                return
            except StepFailed:
                if attempt == attempts:
                    raise
                say(f"retrying ({attempt}/{attempts - 1})")

    def run_post_processors(self, build: pf.Build, result: BuildResult, say: Callable[[str], None]) -> None:
        from .postprocessors import POST_PROCESSORS

        chains: dict[int, list[pf.Step]] = {}
        for s in build.steps:
            if s.kind == "post-processor":
                chains.setdefault(s.chain or 0, []).append(s)
        for _chain, steps in sorted(chains.items()):
            artifact = result.artifact
            for step in steps:
                check_plain(step.config, f"post-processor {step.type}")
                if not self.options.no_cache and self.cache.lookup(step.key) is not None:
                    result.steps_cached += 1
                    self.emit(
                        {
                            "event": "step_cached",
                            "build": build.name,
                            "kind": step.kind,
                            "type": step.type,
                            "key": step.key,
                        }
                    )
                    continue
                runner = POST_PROCESSORS.get(step.type)
                if runner is None:
                    raise StepFailed(f'bake has no driver for the post-processor "{step.type}"')
                self.emit(
                    {"event": "step_start", "build": build.name, "kind": step.kind, "type": step.type, "key": step.key}
                )
                artifact = runner(StepContext(step, build, self.root, say, artifact=artifact))
                self.cache.put(step.key, "post-processor", artifact.id if artifact else "", 0)
                result.steps_run += 1
                self.emit(
                    {"event": "step_done", "build": build.name, "kind": step.kind, "type": step.type, "key": step.key}
                )


def _human(event: dict[str, Any]) -> str:
    kind = event["event"]
    build = event.get("build", "")
    if kind == "output":
        return f"    {build}: {event['line']}\n"
    if kind == "step_cached":
        return f"  = {build}: {event['kind']} {event['type']} (cached {event['key'][7:19]})\n"
    if kind == "step_start":
        return f"  + {build}: {event['kind']} {event['type']} {event['key'][7:19]}\n"
    if kind == "step_done":
        took = f" in {event['seconds']}s" if "seconds" in event else ""
        return f"    {build}: done{took}\n"
    if kind == "build_done":
        if event["ok"]:
            return (
                f"{build}: finished ({event['steps_run']} run, {event['steps_cached']} cached) in {event['seconds']}s\n"
            )
        return f"{build}: FAILED\n{event['error']}\n"
    if kind == "apply_complete":
        return f"Apply complete: {event['steps_run']} steps run, {event['steps_cached']} cached.\n"
    return json.dumps(event) + "\n"


def apply_plan(plan_path: str, options: ApplyOptions, out: TextIO = sys.stdout) -> int:
    """Verify and apply a plan file; the exit code (0 ok, 1 a build failed, 3 plan refused)."""
    from .verify import PlanRefused, verify

    try:
        plan, root = verify(plan_path)
    except PlanRefused as exc:
        sys.stderr.write(f"Error: plan refused: {exc}\n")
        return 3
    from .cache import LayerCache

    runner = Runner(plan, root, LayerCache(), options, out)
    results = runner.run()
    event = {
        "event": "apply_complete",
        "plan_hash": plan.plan_hash,
        "steps_run": sum(r.steps_run for r in results),
        "steps_cached": sum(r.steps_cached for r in results),
        "artifacts": [
            {
                "build": r.name,
                "id": r.artifact.id,
                "files": r.artifact.files,
                "digest": r.artifact.digest,
                "provenance": "",
            }
            for r in results
            if r.artifact is not None
        ],
        "ok": all(r.ok for r in results),
    }
    runner.emit(event)
    return 0 if event["ok"] else 1
