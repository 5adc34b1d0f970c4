"""The live progress view of bake apply: what a terminal shows while builds run."""

from __future__ import annotations

import io

from rich.console import Console

from bake.runtime.progress import LiveProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def screen(progress: LiveProgress) -> str:
    out = io.StringIO()
    Console(file=out, width=120, color_system=None).print(progress)
    return out.getvalue()


def test_live_table_follows_builds_steps_and_cache_hits() -> None:
    clock = Clock()
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    progress = LiveProgress(console, {"docker.a": 4, "docker.b": 3}, clock=clock, auto_refresh=False)
    with progress:
        progress.event({"event": "step_cached", "build": "docker.a", "kind": "source", "type": "docker", "key": "k"})
        progress.event({"event": "step_start", "build": "docker.a", "kind": "provisioner", "type": "shell", "key": "k"})
        clock.now += 2.5
        shown = screen(progress)
        assert "provisioner shell 2.5s" in shown
        assert "1/4 steps (1 cached)" in shown and "0/3 steps (0 cached)" in shown
        progress.event({"event": "step_done", "build": "docker.a", "kind": "provisioner", "type": "shell", "key": "k"})
        progress.event({"event": "build_done", "build": "docker.b", "ok": False, "error": "boom"})
        clock.now += 1.0
        shown = screen(progress)
        assert "2/4 steps (1 cached)" in shown and "3.5s" in shown
        assert "FAILED" in shown and "docker.b" in shown
        progress.event({"event": "build_done", "build": "docker.a", "ok": True})
        assert "done" in screen(progress)
        progress.line("    docker.a: some output\n")
        progress.event({"event": "output", "build": "nobody", "line": "ignored by the table"})
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert "docker.a: some output" in printed
