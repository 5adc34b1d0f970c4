"""Live progress of bake apply on a terminal (rich): one line per build, its current step, times, cache hits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text


class BuildState:
    """What the live view knows of one build."""

    def __init__(self, name: str, total: int, now: float) -> None:
        self.name = name
        self.total = total
        self.started = now
        self.step = "waiting"
        self.step_started = now
        self.run = 0
        self.cached = 0
        self.finished: float | None = None
        self.ok = True


class LiveProgress:
    """Shows a live table of the builds under the lines that the apply prints (those scroll above it).

    Used only when the output is a terminal and not `--format json`; everything printed goes through
    `line`, so that the table is redrawn below it rather than torn.
    """

    def __init__(
        self,
        console: Console,
        builds: dict[str, int],
        clock: Callable[[], float] = time.monotonic,
        auto_refresh: bool = True,
    ) -> None:
        self.console = console
        self.clock = clock
        now = clock()
        self.builds = {name: BuildState(name, total, now) for name, total in builds.items()}
        self._lock = threading.Lock()
        self._live = Live(
            self,
            console=console,
            refresh_per_second=8,
            transient=True,
            auto_refresh=auto_refresh,
            redirect_stdout=False,
            redirect_stderr=False,
        )

    def __enter__(self) -> LiveProgress:
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.stop()

    def line(self, text: str) -> None:
        """Print text (already masked) above the live table."""
        self.console.print(Text(text.rstrip("\n")), highlight=False, markup=False, soft_wrap=True)

    def event(self, event: dict[str, Any]) -> None:
        """Follow an apply event."""
        state = self.builds.get(event.get("build", ""))
        if state is None:
            return
        now = self.clock()
        with self._lock:
            kind = event["event"]
            if kind == "step_start":
                state.step = f"{event['kind']} {event['type']}"
                state.step_started = now
            elif kind == "step_cached":
                state.cached += 1
                state.step = f"{event['kind']} {event['type']} (cached)"
                state.step_started = now
            elif kind == "step_done":
                state.run += 1
            elif kind == "build_done":
                state.finished = now
                state.ok = bool(event["ok"])
        self._live.refresh()

    def __rich__(self) -> RenderableType:
        now = self.clock()
        table = Table.grid(padding=(0, 2))
        with self._lock:
            for state in self.builds.values():
                counts = f"{state.run + state.cached}/{state.total} steps ({state.cached} cached)"
                if state.finished is not None:
                    mark = Text("done", style="green") if state.ok else Text("FAILED", style="bold red")
                    table.add_row(mark, state.name, counts, f"{state.finished - state.started:.1f}s")
                else:
                    step = f"{state.step} {now - state.step_started:.1f}s"
                    table.add_row(
                        Spinner("dots", style="cyan"), state.name, counts, f"{now - state.started:.1f}s", step
                    )
        return Group(Text("Applying:", style="bold"), table)
