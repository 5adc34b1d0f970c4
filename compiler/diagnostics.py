"""Diagnostics as values (severity, summary, detail, range) and their text and JSON renderings."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

import msgspec

from .source import Range, SourceText


class Severity(enum.Enum):
    """How bad a diagnostic is."""

    ERROR = "error"
    WARNING = "warning"


class Diagnostic(msgspec.Struct, frozen=True):
    """One problem found in the input, positioned where the user can see it."""

    severity: Severity
    summary: str
    detail: str = ""
    range: Range | None = None

    @property
    def is_error(self) -> bool:
        """Whether this diagnostic makes the input invalid."""
        return self.severity is Severity.ERROR


def error(summary: str, detail: str, rng: Range | None) -> Diagnostic:
    """Build an error diagnostic."""
    return Diagnostic(Severity.ERROR, summary, detail, rng)


def warning(summary: str, detail: str, rng: Range | None) -> Diagnostic:
    """Build a warning diagnostic."""
    return Diagnostic(Severity.WARNING, summary, detail, rng)


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    """Whether any diagnostic is an error."""
    return any(d.is_error for d in diags)


def render_text(diag: Diagnostic, sources: Mapping[str, SourceText] | None = None) -> str:
    """Render as `file:line:col: severity: summary`, the source line, a caret span and the detail."""
    head = f"{diag.severity.value}: {diag.summary}"
    rng = diag.range
    lines: list[str] = []
    if rng is None:
        lines.append(head)
    else:
        lines.append(f"{rng.filename}:{rng.start.line}:{rng.start.column}: {head}")
        src = sources.get(rng.filename) if sources else None
        if src is not None:
            text = src.line_text(rng.start.line)
            safe = "".join(ch if ch.isprintable() or ch == "\t" else "\ufffd" for ch in text)
            start_col = rng.start.column
            same_line = rng.end.line == rng.start.line
            end_col = max(rng.end.column, start_col + 1) if same_line else len(text) + 2
            end_col = min(end_col, max(len(text) + 2, start_col + 1))
            gutter = f"{rng.start.line:>5} | "
            lines.append(f"{gutter}{safe}")
            pad = "".join("\t" if c == "\t" else " " for c in safe[: start_col - 1])
            lines.append(" " * (len(gutter) - 2) + "| " + pad + "^" * (end_col - start_col))
    if diag.detail:
        lines.append("")
        lines.extend(diag.detail.splitlines())
    return "\n".join(lines) + "\n"


def to_json_obj(diag: Diagnostic) -> dict[str, object]:
    """Return the JSON contract form of a diagnostic."""
    rng = diag.range
    out: dict[str, object] = {
        "severity": diag.severity.value,
        "summary": diag.summary,
        "detail": diag.detail,
        "range": None,
    }
    if rng is not None:
        out["range"] = {
            "filename": rng.filename,
            "start": {"line": rng.start.line, "column": rng.start.column, "byte": rng.start.byte},
            "end": {"line": rng.end.line, "column": rng.end.column, "byte": rng.end.byte},
        }
    return out
