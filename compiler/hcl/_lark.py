"""The one module that touches Lark: it compiles grammar/hcl2.lark into LALR tables, cached on disk."""

# At run time bake loads the cached tables (plain data) and does not import Lark at all; Lark is
# imported only to build the tables the first time a grammar version is seen.

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path
from typing import Any

import msgspec

GRAMMAR_FILE = "hcl2.lark"
TABLES_FORMAT = "2"
STARTS = ("start", "expr_start", "template_start")


def grammar_text() -> str:
    """Return the grammar shipped with bake (package data of bake.grammar)."""
    from bake import grammar

    return (Path(grammar.__file__).parent / GRAMMAR_FILE).read_text(encoding="utf-8")


def cache_dir() -> Path:
    """Where the pre-built parser tables live: outside the package directory."""
    base = os.environ.get("BAKE_PARSER_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg) if xdg else Path.home() / ".cache"
    return root / "bake" / "parser"


class Rule(msgspec.Struct, frozen=True):
    """One grammar rule as the LALR driver needs it."""

    origin: str  # the nonterminal it reduces to
    size: int  # number of symbols on its right-hand side
    name: str  # the builder method to call (alias or origin)
    inline: bool  # origin starts with "_": children are spliced into the parent
    expand1: bool  # a ?rule without alias: a single child stands for itself
    splice: tuple[bool, ...]  # which right-hand-side symbols are inlined rules


class Tables(msgspec.Struct, frozen=True):
    """LALR(1) tables: per state, symbol -> shift target (>= 0) or reduce rule (-1 - index)."""

    patterns: dict[str, str]
    actions: list[dict[str, int]]
    rules: list[Rule]
    start_states: dict[str, int]
    end_states: dict[str, int]


def _build() -> Tables:
    import lark  # only here: building the tables is the only use of Lark
    from lark.lexer import Lexer

    class _NoLexer(Lexer):
        """bake's scanner feeds tokens itself; Lark never lexes."""

        def __init__(self, conf: Any) -> None:
            pass

        def lex(self, lexer_state: Any, parser_state: Any) -> Any:  # pragma: no cover - never called
            raise NotImplementedError

    parser = lark.Lark(
        grammar_text(),
        parser="lalr",
        lexer=_NoLexer,
        start=list(STARTS),
        maybe_placeholders=False,
        keep_all_tokens=True,
    )
    table: Any = parser.parser.parser.parser.parse_table
    rule_index: dict[Any, int] = {}
    rules: list[Rule] = []
    for r in parser.rules:
        rule_index[r] = len(rules)
        origin = str(r.origin.name)
        rules.append(
            Rule(
                origin=origin,
                size=len(r.expansion),
                name=str(r.alias or origin),
                inline=origin.startswith("_"),
                expand1=bool(r.options.expand1) and not r.alias,
                splice=tuple((not s.is_term) and s.name.startswith("_") for s in r.expansion),
            )
        )
    n_states = max(table.states) + 1
    actions: list[dict[str, int]] = [{} for _ in range(n_states)]
    for state, row in table.states.items():
        for sym, (action, arg) in row.items():
            if action.name == "Shift":
                actions[int(state)][str(sym)] = int(arg)
            else:
                actions[int(state)][str(sym)] = -1 - rule_index[arg]
    patterns = {str(t.name): str(t.pattern.to_regexp()) for t in parser.terminals}
    starts = {s: int(table.start_states[s]) for s in STARTS}
    ends = {s: int(table.end_states[s]) for s in STARTS}
    return Tables(patterns, actions, rules, starts, ends)


def _encode(t: Tables) -> bytes:
    rules = [(r.origin, r.size, r.name, r.inline, r.expand1, r.splice) for r in t.rules]
    return marshal.dumps((TABLES_FORMAT, t.patterns, t.actions, rules, t.start_states, t.end_states))


def _decode(data: bytes) -> Tables:
    fmt, patterns, actions, rules, start, end = marshal.loads(data)
    if fmt != TABLES_FORMAT:
        raise ValueError("old table format")
    return Tables(patterns, actions, [Rule(*r) for r in rules], start, end)


_TABLES: Tables | None = None


def load() -> Tables:
    """Load the parser tables, from the cache when this grammar was built before."""
    global _TABLES
    if _TABLES is not None:
        return _TABLES
    text = grammar_text()
    digest = hashlib.sha256(f"{TABLES_FORMAT}\0{text}".encode()).hexdigest()[:24]
    path = cache_dir() / f"hcl2-{digest}.tables"
    tables: Tables | None = None
    try:
        tables = _decode(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        tables = None
    if tables is None:
        tables = _build()
        try:
            import tempfile

            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hcl2-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(_encode(tables))
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only home only costs start-up time
    _TABLES = tables
    return tables
