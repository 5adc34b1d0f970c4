"""Packer's function library, one module per kind; `all_functions()` is the table the evaluator uses."""

from __future__ import annotations

import importlib

from .base import Function

# Modules by kind; each defines FUNCTIONS: dict[str, Function].
MODULES = (
    "numeric",
    "strings",
    "collections",
    "encoding",
    "filesystem",
    "datetime",
    "crypto",
    "network",
    "uuid",
)

_TABLE: dict[str, Function] | None = None


def all_functions() -> dict[str, Function]:
    """Every function bake knows, by name."""
    global _TABLE
    if _TABLE is None:
        table: dict[str, Function] = {}
        for name in MODULES:
            mod = importlib.import_module(f"{__name__}.{name}")
            for fname, fn in mod.FUNCTIONS.items():
                if fname in table:
                    raise ValueError(f"function {fname} defined in two modules")
                table[fname] = fn
        _TABLE = table
    return _TABLE
