"""The apply loop: verify the plan, then run each build's steps in order, reusing cached layers."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

import msgspec

from bake.compiler import planfile as pf

from .interfaces import Artifact, Builder, BuildError, CommandTimeout, Session
from .steps import StepContext, StepFailed, check_plain

if TYPE_CHECKING:
    from .progress import LiveProgress
    from .trail import Trail

Emit = Callable[[dict[str, Any]], None]
# How long an interrupted apply waits for its builds to stop once their machines are removed.
CANCEL_GRACE = 20.0
# The cache entry `<finalize key><ARTIFACT_SUFFIX>` records the artifact a finalize step made.
ARTIFACT_SUFFIX = "/artifact"


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived while applying: builds stop, their machines are removed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Cancelled(Exception):
    """A build stopped because the apply was interrupted."""


class ApplyOptions(msgspec.Struct):
    """How to apply."""

    no_cache: bool = False
    on_error: str = "cleanup"  # cleanup | abort
    parallel_builds: int = 0  # 0: all at once
    json: bool = False
    vars: list[str] = []  # -var values for secrets that were given with -var when planning
    audit_log: str = ""  # default: .bake/audit.jsonl beside the template
    sign_key: str = ""  # an ed25519 private key: provenance as signed DSSE envelopes


class StepRun(msgspec.Struct, frozen=True):
    """A step of an apply, and whether its cached result was reused."""

    key: str
    kind: str
    type: str
    cached: bool


class BuildResult(msgspec.Struct):
    """The outcome of one build."""

    name: str
    ok: bool
    steps_run: int = 0
    steps_cached: int = 0
    artifact: Artifact | None = None  # what the build finally produced (after its post-processors)
    error: str = ""
    built: Artifact | None = None  # what the builder produced (finalize), before any post-processor
    steps: list[StepRun] = []
    started: float = 0.0  # unix times
    finished: float = 0.0


def make_builder(build: pf.Build, say: Callable[[str], None], cache: Any, root: Path) -> Builder:
    """The driver of a build's builder type."""
    if build.builder == "docker":
        from .builders.docker import DockerBuilder

        return DockerBuilder(warn=say)
    if build.builder == "rootfs":
        from .builders.rootfs import RootfsBuilder

        return RootfsBuilder(cache, root, build.steps[0].config, warn=say, steps=build.steps)
    raise StepFailed(f'bake has no driver for the builder "{build.builder}"')


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
        self.secrets: list[str] = []  # values to mask in everything written
        self.live: LiveProgress | None = None  # the live view on a terminal
        self.cancelled = threading.Event()
        self._sessions_lock = threading.Lock()
        self._sessions: list[Session] = []
        self.results: list[BuildResult | None] = []

    # -- output
    def emit(self, event: dict[str, Any]) -> None:
        with self.lock:
            text = json.dumps(event, sort_keys=True) + "\n" if self.options.json else _human(event)
            for secret in self.secrets:  # longest first, so that no part of a secret survives
                text = text.replace(secret, "<sensitive>")
            if self.live is not None:  # the lines scroll above the live table of builds
                self.live.line(text)
                self.live.event(event)
                return
            self.out.write(text)
            self.out.flush()

    def step_event(self, event: str, build: pf.Build, step: pf.Step, started: float | None = None) -> None:
        """Emit step_start, step_cached or step_done for a step (with its seconds when `started` is given)."""
        data: dict[str, Any] = {
            "event": event,
            "build": build.name,
            "kind": step.kind,
            "type": step.type,
            "key": step.key,
        }
        if started is not None:
            data["seconds"] = round(time.monotonic() - started, 3)
        self.emit(data)

    # -- the loop
    def run(self) -> list[BuildResult]:
        """Run every build (parallel_builds at once); on KeyboardInterrupt, cancel them all, then re-raise.

        asyncio schedules the builds (a semaphore admits `--parallel-builds` at a time); each build's
        steps are blocking driver calls (the Docker SDK, subprocesses), so each runs in a daemon worker
        thread whose end resolves an asyncio future: a build stuck in a call that cannot be cut short
        never keeps bake from exiting.
        """
        builds = self.plan.builds
        self.results = [None] * len(builds)
        threads: list[threading.Thread] = []
        try:
            asyncio.run(self._run_all(threads))
        except KeyboardInterrupt:
            self.cancel()
            deadline = time.monotonic() + CANCEL_GRACE
            for t in threads:
                t.join(max(deadline - time.monotonic(), 0))
            raise
        return self.finished()

    async def _run_all(self, threads: list[threading.Thread]) -> None:
        builds = self.plan.builds
        gate = asyncio.Semaphore(self.options.parallel_builds or max(len(builds), 1))
        loop = asyncio.get_running_loop()

        async def one(i: int, build: pf.Build) -> None:
            async with gate:
                if self.cancelled.is_set():
                    self.results[i] = BuildResult(build.name, False, error="interrupted")
                    return
                done: asyncio.Future[None] = loop.create_future()

                def work() -> None:
                    error: BaseException | None = None
                    try:
                        self.results[i] = self.run_build(build)  # kept even if the apply was interrupted
                    except BaseException as exc:  # run_build reports its own failures; this is a bug
                        error = exc
                    # after an interrupt the loop may be gone: then nobody waits for this build any more
                    with contextlib.suppress(RuntimeError):
                        loop.call_soon_threadsafe(_settle, done, error)

                thread = threading.Thread(target=work, name=f"build-{build.name}", daemon=True)
                threads.append(thread)
                thread.start()
                await done

        await asyncio.gather(*(one(i, b) for i, b in enumerate(builds)))

    def finished(self) -> list[BuildResult]:
        """The results so far: a build that did not finish counts as failed, with nothing run."""
        return [
            r or BuildResult(b.name, False, error="interrupted")
            for r, b in zip(self.results, self.plan.builds, strict=True)
        ]

    def cancel(self) -> None:
        """Stop every build: no new step starts, and the machines of running ones are removed now."""
        with self._sessions_lock:
            self.cancelled.set()
            sessions = list(self._sessions)
        for session in sessions:
            try:
                session.close()
            except Exception as exc:  # the build's own cleanup tries again
                self.emit({"event": "output", "build": "", "line": f"cleanup: {exc}"})

    def _track(self, session: Session) -> Session:
        """Register a new session so cancel() can close it (closing it at once if cancelled already)."""
        with self._sessions_lock:
            if not self.cancelled.is_set():
                self._sessions.append(session)
                return session
        session.close()
        raise Cancelled("interrupted")

    def _untrack(self, session: Session) -> None:
        with self._sessions_lock:
            if session in self._sessions:
                self._sessions.remove(session)

    def _check_cancelled(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled("interrupted")

    def run_build(self, build: pf.Build) -> BuildResult:
        result = BuildResult(build.name, True, started=time.time())
        started = time.monotonic()

        def say(line: str) -> None:
            self.emit({"event": "output", "build": build.name, "line": line})

        session: Session | None = None
        keep = False
        lazy_restore: Callable[[], Artifact | None] | None = None
        current: pf.Step | None = None
        try:
            builder = make_builder(build, say, self.cache, self.root)
            layer: str | None = None
            source = build.steps[0]
            main = [s for s in build.steps if s.kind in ("source", "provisioner", "finalize")]
            for step in main:
                current = step
                self._check_cancelled()
                check_plain(step.config, f"{step.kind} {step.type}")
                hit = None if self.options.no_cache else self.cache.lookup(step.key, builder.layer_exists)
                if hit is not None:
                    layer = hit.layer
                    self.cache.touch(step.key)
                    result.steps_cached += 1
                    result.steps.append(StepRun(step.key, step.kind, step.type, True))
                    if step.kind == "finalize":
                        result.built = made = self._cached_artifact(step.key)
                        if made is not None and made.files and _outputs_exist(made, self.root, digest=True):
                            result.artifact = made  # its files are still there, unchanged
                        else:
                            # restored only if a post-processor has to run: a cached chain may have
                            # consumed (deleted) it, and re-creating it would undo that
                            lazy_restore = functools.partial(
                                builder.restore_artifact, layer, self._local_config(step.config)
                            )
                    if session is not None:
                        session.close()
                        self._untrack(session)
                        session = None
                    self.step_event("step_cached", build, step)
                    continue
                t0 = time.monotonic()
                self.step_event("step_start", build, step)
                if session is None:
                    if layer is None:
                        session = self._track(builder.start(source.config, build.name))
                    else:
                        session = self._track(builder.resume(layer, source.config, build.name))
                if step.kind == "provisioner":
                    self.run_provisioner(step, build, session, say)
                self._check_cancelled()  # a step cut short by an interrupt is never cached
                layer, size = builder.snapshot(session, step.key)
                if step.kind == "finalize":
                    result.artifact = result.built = builder.finalize(
                        session, self._local_config(step.config), step.key
                    )
                    if result.built is not None:  # the artifact's name and digest, for later applies
                        self.cache.put(step.key + ARTIFACT_SUFFIX, "artifact", _encode_artifact(result.built), 0)
                self.cache.put(step.key, build.builder, layer, size)
                result.steps_run += 1
                result.steps.append(StepRun(step.key, step.kind, step.type, False))
                self.step_event("step_done", build, step, started=t0)
            if session is not None:
                session.close()
                self._untrack(session)
                session = None
            self._check_cancelled()
            self.run_post_processors(build, result, say, lazy_restore)
        except Exception as exc:  # every failure ends the build cleanly, with a message
            result.ok = False
            if self.cancelled.is_set():  # whatever broke, it broke because the machine was removed
                result.error = "interrupted"
            else:
                expected = isinstance(exc, (StepFailed, BuildError))
                result.error = str(exc) if expected else f"{type(exc).__name__}: {exc}"
                if not expected:
                    say("".join(traceback.format_exception_only(type(exc), exc)).strip())
                keep = self.options.on_error == "abort" and session is not None
                if not keep and session is not None and current is not None and current.kind == "provisioner":
                    self.run_error_cleanup(build, session, say)
            if keep:
                mark = getattr(session, "keep", None)
                if callable(mark):
                    mark()
                hint = getattr(session, "remove_hint", "")
                what = getattr(session, "kind", "container")
                result.error += f"\n(the build's {what} was kept for debugging: {getattr(session, 'name', '')}"
                result.error += f"; remove it with: {hint})" if hint else ")"
        finally:
            if session is not None and not keep:
                session.close()
            if session is not None:
                self._untrack(session)
        result.finished = time.time()
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
            self.cancelled.wait(pause)
            self._check_cancelled()
        timeout = seconds(str(step.options.get("timeout") or "")) or None
        attempts = 1 + int(step.options.get("max_retries") or 0)
        for attempt in range(1, attempts + 1):
            try:
                try:  # as in Packer, the timeout bounds each attempt of the whole provisioner
                    deadline = None if timeout is None else time.monotonic() + timeout
                    runner(StepContext(step, build, self.root, say, session, deadline=deadline))
                except CommandTimeout as exc:
                    output = str(exc).partition("\n")[2]  # the killed command's last output
                    raise StepFailed(
                        f"the {step.type} provisioner timed out after {step.options['timeout']} and was stopped"
                        + (f"\n{output}" if output else "")
                    ) from exc
                return
            except StepFailed:
                self._check_cancelled()
                if attempt == attempts:
                    raise
                say(f"retrying ({attempt}/{attempts - 1})")

    def run_error_cleanup(self, build: pf.Build, session: Session, say: Callable[[str], None]) -> None:
        """As Packer does, run the build's error-cleanup-provisioner in its machine after a provisioner failed.

        It is never cached (it makes no layer), and its own failure is reported without hiding the first one.
        """
        step = next((s for s in build.steps if s.kind == "error-cleanup-provisioner"), None)
        if step is None:
            return
        self.step_event("step_start", build, step)
        t0 = time.monotonic()
        try:
            check_plain(step.config, f"{step.kind} {step.type}")
            self.run_provisioner(step, build, session, say)
        except Exception as exc:  # the build failed already: say so and go on cleaning up
            say(f"the error-cleanup-provisioner failed too: {exc}")
            return
        self.step_event("step_done", build, step, started=t0)

    def _local_config(self, config: dict[str, Any]) -> dict[str, Any]:
        """The builder's config with local output paths made relative to the template root, like every
        other path in the plan (so that applying from another folder writes to the same place)."""
        path = config.get("export_path")
        if isinstance(path, str) and path and not Path(path).is_absolute():
            return {**config, "export_path": str(self.root / path)}
        return config

    def run_post_processors(
        self,
        build: pf.Build,
        result: BuildResult,
        say: Callable[[str], None],
        restore: Callable[[], Artifact | None] | None = None,
    ) -> None:
        """Run each chain on the build's artifact; a cached post-processor hands on the artifact it made."""
        from .postprocessors import POST_PROCESSORS

        chains: dict[int, list[pf.Step]] = {}
        for s in build.steps:
            if s.kind == "post-processor":
                chains.setdefault(s.chain or 0, []).append(s)
        last: Artifact | None = None
        for _chain, steps in sorted(chains.items()):
            artifact = result.artifact
            restored = result.artifact is not None
            for step in steps:
                self._check_cancelled()
                check_plain(step.config, f"post-processor {step.type}")
                hit = None if self.options.no_cache else self.cache.lookup(step.key)
                made = _decode_artifact(hit.layer) if hit is not None else None
                if hit is not None and _outputs_exist(made, self.root):
                    artifact = made
                    result.steps_cached += 1
                    result.steps.append(StepRun(step.key, step.kind, step.type, True))
                    self.step_event("step_cached", build, step)
                    continue
                runner = POST_PROCESSORS.get(step.type)
                if runner is None:
                    raise StepFailed(f'bake has no driver for the post-processor "{step.type}"')
                if artifact is None and not restored and restore is not None:
                    artifact = result.artifact = restore()  # the build's artifact, needed after all
                    result.built = result.built or artifact
                    restored = True
                self.step_event("step_start", build, step)
                artifact = runner(StepContext(step, build, self.root, say, artifact=artifact))
                self.cache.put(step.key, "post-processor", _encode_artifact(artifact), 0)
                result.steps_run += 1
                result.steps.append(StepRun(step.key, step.kind, step.type, False))
                self.step_event("step_done", build, step)
            last = artifact if steps else last
        if last is not None:
            result.artifact = last  # what the build finally produced
        elif result.artifact is None and restore is not None and not chains:
            result.artifact = restore()
            result.built = result.built or result.artifact

    def _cached_artifact(self, key: str) -> Artifact | None:
        """The artifact a cached finalize step made (its name and digest), if recorded."""
        entry = None if self.options.no_cache else self.cache.get(key + ARTIFACT_SUFFIX)
        return _decode_artifact(entry.layer) if entry is not None else None


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    """Resolve a build's future in the event loop (once; an interrupted apply may have cancelled it)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(None)


def _encode_artifact(artifact: Artifact | None) -> str:
    return "" if artifact is None else msgspec.json.encode(artifact).decode()


def _decode_artifact(layer: str) -> Artifact | None:
    if not layer.startswith("{"):
        return None
    try:
        return msgspec.json.decode(layer, type=Artifact)
    except msgspec.DecodeError:
        return None


def _outputs_exist(artifact: Artifact | None, root: Path, digest: bool = False) -> bool:
    """A cached post-processor whose output files were deleted since must run again.

    With `digest`, an artifact that is one regular file must also still have its recorded content.
    """
    if artifact is None:
        return True
    for name in artifact.files:
        if ":" in name and not name.startswith(("/", ".")):
            continue  # an image reference such as repo:tag, not a file
        p = Path(name)
        if not (p if p.is_absolute() else root / p).exists() and not p.exists():
            return False
    if digest and len(artifact.files) == 1 and artifact.digest.startswith("sha256:"):
        p = Path(artifact.files[0])
        p = p if p.is_absolute() else root / p
        if p.is_file():
            with p.open("rb") as f:
                return "sha256:" + hashlib.file_digest(f, "sha256").hexdigest() == artifact.digest
    return True


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
        done = f"interrupted ({event['interrupted']})" if event.get("interrupted") else "complete"
        lines = [f"Apply {done}: {event['steps_run']} steps run, {event['steps_cached']} cached.\n"]
        for a in event.get("artifacts", []):
            what = ", ".join(a["files"]) or a["id"]
            lines.append(f"  {a['build']}: {what} ({a['digest']})\n")
            if a.get("provenance"):
                lines.append(f"    provenance: {a['provenance']}\n")
        return "".join(lines)
    return json.dumps(event) + "\n"


def obtain_secrets(plan_path: str, extra_vars: list[str]) -> dict[str, Any]:
    """The plan's secrets, obtained again from where they came from by a child bake process.

    The child re-evaluates the template (this process never imports the compiler), checks that every
    step key is still the reviewed one, and answers through a pipe: nothing is written to disk.
    """
    from .verify import PlanRefused

    cmd = [sys.executable, "-m", "bake.cli", "_reveal", plan_path]
    for v in extra_vars:
        cmd += ["--var", v]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        reason = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
        raise PlanRefused(f"the plan's sensitive values cannot be obtained again: {reason}")
    try:
        found: dict[str, Any] = json.loads(proc.stdout)
    except ValueError:
        raise PlanRefused("the plan's sensitive values cannot be obtained again: bad answer") from None
    return found


def prepare(plan_path: str, extra_vars: list[str]) -> tuple[pf.Plan, Path, list[str]] | int:
    """A verified plan with its secrets obtained again, its template root and the secret values to mask;
    or exit code 3 (the reason written to stderr) when the plan is refused."""
    from .verify import PlanRefused, verify

    try:
        plan, root = verify(plan_path)
    except PlanRefused as exc:
        sys.stderr.write(f"Error: plan refused: {exc}\n")
        return 3
    secrets: list[str] = []
    if any(pf.has_sensitive(s.config) for b in plan.builds for s in b.steps):
        try:
            found = obtain_secrets(plan_path, extra_vars)
        except PlanRefused as exc:
            sys.stderr.write(f"Error: plan refused: {exc}\n")
            return 3
        for b in plan.builds:
            for s in b.steps:
                if s.key in found["configs"]:
                    s.config = found["configs"][s.key]  # in memory only: never written, never hashed
        secrets = list(found["secrets"])
    return plan, root, secrets


def apply_plan(plan_path: str, options: ApplyOptions, out: TextIO = sys.stdout) -> int:
    """Verify and apply a plan file; the exit code (0 ok, 1 a build failed, 3 plan refused)."""
    prepared = prepare(plan_path, options.vars)
    if isinstance(prepared, int):
        return prepared
    plan, root, secrets = prepared
    from .cache import LayerCache
    from .trail import Trail, TrailError

    try:
        trail = Trail(plan, plan_path, root, uuid.uuid4().hex, options.audit_log, options.sign_key, secrets)
        trail.check()
    except TrailError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        return 1
    cache = LayerCache()
    runner = Runner(plan, root, cache, options, out)
    runner.secrets = secrets
    interrupted: Interrupted | None = None
    live: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if not options.json and _is_terminal(out):
        from rich.console import Console

        from .progress import LiveProgress

        runner.live = LiveProgress(Console(file=out), {b.name: len(b.steps) for b in plan.builds})
        live = runner.live
    try:
        with live, _interrupts():
            results = runner.run()
    except Interrupted as exc:
        interrupted = exc
        results = runner.finished()
    finally:
        cache.close()
    runner.live = None  # the summary goes under the final output
    provenance = record_trail(trail, runner, results)
    event: dict[str, Any] = {
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
                "provenance": provenance.get(r.name, ""),
            }
            for r in results
            if r.artifact is not None
        ],
        "ok": interrupted is None and all(r.ok for r in results),
    }
    if interrupted is not None:
        event["interrupted"] = signal.Signals(interrupted.signum).name
    try:
        trail.apply(event["ok"], event["steps_run"], event["steps_cached"])
    except Exception as exc:  # the builds are done: say the record is missing, never hide the results
        runner.emit({"event": "output", "build": "", "line": f"audit log: cannot append the apply record: {exc}"})
        event["ok"] = False
    runner.emit(event)
    if interrupted is not None:
        sys.stderr.write(f"Interrupted ({event['interrupted']}): the running builds were stopped and cleaned up.\n")
        return 128 + interrupted.signum
    return 0 if event["ok"] else 1


def record_trail(trail: Trail, runner: Runner, results: list[BuildResult]) -> dict[str, str]:
    """Provenance files and audit records for the builds (build name -> provenance path); a build whose
    trail cannot be written is reported and counted as failed, never silently left unrecorded."""
    from .provenance import StepRecord

    paths: dict[str, str] = {}
    for r in results:
        try:
            steps = [StepRecord(key=s.key, kind=s.kind, type=s.type, cached=s.cached) for s in r.steps]
            paths[r.name] = trail.build(
                r.name, r.ok, r.error, r.artifact, r.built, steps, r.started or time.time(), r.finished or time.time()
            )
        except Exception as exc:
            runner.emit({"event": "output", "build": r.name, "line": f"provenance/audit log: {exc}"})
            r.ok = False
            r.error = r.error or f"its provenance or audit record could not be written: {exc}"
    return paths


def _is_terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def _interrupts() -> Iterator[None]:
    """SIGINT and SIGTERM raise Interrupted in the main thread (once: repeats wait for the cleanup)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised = False

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal raised
        if not raised:
            raised = True
            raise Interrupted(signum)

    previous: dict[int, Any] = {}
    for signum in (int(signal.SIGINT), int(signal.SIGTERM)):
        if signal.getsignal(signum) is not signal.SIG_IGN:  # a shell's background job keeps ignoring ^C
            previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
