"""What every step runner gets: the step, the template root, output and secret masking."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bake.compiler import planfile as pf

from .interfaces import Artifact, Session


class StepFailed(Exception):
    """A step did not succeed; the message says what happened (output tail included)."""


class StepContext:
    """Context for provisioners and post-processors."""

    def __init__(
        self,
        step: pf.Step,
        build: pf.Build,
        root: Path,
        say: Callable[[str], None],
        session: Session | None = None,
        artifact: Artifact | None = None,
        deadline: float | None = None,
    ) -> None:
        self.step = step
        self.build = build
        self.root = root
        self.say = say
        self.session = session
        self.artifact = artifact
        self.deadline = deadline  # time.monotonic() by which the step must end (its `timeout`), if any

    def time_left(self) -> float | None:
        """Seconds left before the step's timeout (None: no timeout); StepFailed once it has passed."""
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            took = self.step.options.get("timeout")
            raise StepFailed(f"the {self.step.type} {self.step.kind} timed out after {took}")
        return left

    @property
    def config(self) -> dict[str, Any]:
        """The step's configuration as planned."""
        return self.step.config

    def local(self, path: str) -> Path:
        """A local file named in the plan (relative to the template root)."""
        p = Path(path)
        return p if p.is_absolute() else self.root / p


def as_list(value: Any) -> list[Any]:
    """A config value that may be one item or a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def check_plain(config: Any, where: str) -> None:
    """Refuse values the runtime cannot obtain yet (secrets, values known only at build time)."""
    stack = [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("$sensitive") is True:
                raise StepFailed(f"{where} uses a sensitive value; bake apply cannot obtain secrets again yet")
            if "$unknown" in item and len(item) == 1:
                raise StepFailed(f"{where} uses a value known only while building (build.*), not supported yet")
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
