"""Numeric functions (work in progress)."""

from __future__ import annotations

from .base import Function

FUNCTIONS: dict[str, Function] = {}
