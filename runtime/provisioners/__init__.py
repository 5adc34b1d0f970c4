"""Provisioners bake runs, registered by type name."""

from __future__ import annotations

from collections.abc import Callable

from ..steps import StepContext
from . import file, shell, shell_local

Runner = Callable[[StepContext], None]

PROVISIONERS: dict[str, Runner] = {
    "shell": shell.run,
    "file": file.run,
    "shell-local": shell_local.run,
}
