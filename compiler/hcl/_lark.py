"""The one module that touches Lark: grammar loading with an on-disk cache, and the LALR driver."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import lark
from lark.lexer import Lexer
from lark.parsers.lalr_parser_state import ParseConf, ParserState

GRAMMAR_PACKAGE = "bake.grammar"
GRAMMAR_FILE = "hcl2.lark"


class _NoLexer(Lexer):
    """bake's scanner feeds tokens itself; Lark never lexes."""

    def __init__(self, conf: Any) -> None:
        pass

    def lex(self, lexer_state: Any, parser_state: Any) -> Any:  # pragma: no cover - never called
        raise NotImplementedError


def grammar_text() -> str:
    """Return the grammar shipped with bake."""
    return resources.files(GRAMMAR_PACKAGE).joinpath(GRAMMAR_FILE).read_text(encoding="utf-8")


def cache_dir() -> Path:
    """Where the pre-built parser tables live: outside the package directory."""
    base = os.environ.get("BAKE_PARSER_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg) if xdg else Path.home() / ".cache"
    return root / "bake" / "parser"


class Grammar:
    """A loaded LALR parser: its tables, terminal patterns and per-state accepted terminals."""

    def __init__(self, parser: lark.Lark) -> None:
        self.lark = parser
        self.patterns: dict[str, str] = {}
        for term in parser.terminals:
            self.patterns[term.name] = term.pattern.to_regexp()
        self.parse_table: Any = parser.parser.parser.parser.parse_table
        self.states: Mapping[int, Mapping[str, Any]] = self.parse_table.states
        self.start_state: int = self.parse_table.start_states["start"]

    def new_state(self, transformer: object) -> ParserState[int]:
        """Return a fresh LALR parser state whose reductions call the transformer's methods."""
        tree_builder: Any = self.lark._parse_tree_builder
        callbacks = tree_builder.create_callback(transformer)
        no_lexer: Any = None
        return ParserState(ParseConf(self.parse_table, callbacks, "start"), no_lexer)


def _build() -> lark.Lark:
    return lark.Lark(
        grammar_text(),
        parser="lalr",
        lexer=_NoLexer,
        start="start",
        maybe_placeholders=False,
        keep_all_tokens=True,
    )


_GRAMMAR: Grammar | None = None


def load() -> Grammar:
    """Load the parser, from the cache when the grammar and Lark version are unchanged."""
    global _GRAMMAR
    if _GRAMMAR is not None:
        return _GRAMMAR
    text = grammar_text()
    digest = hashlib.sha256(f"{lark.__version__}\0{text}".encode()).hexdigest()[:24]
    path = cache_dir() / f"hcl2-{digest}.pickle"
    parser: lark.Lark | None = None
    try:
        with path.open("rb") as fh:
            parser = lark.Lark.load(fh)
    except Exception:  # any unreadable cache is rebuilt
        parser = None
    if parser is None:
        parser = _build()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hcl2-")
            with os.fdopen(fd, "wb") as fh:
                parser.save(fh)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only home only costs start-up time
    _GRAMMAR = Grammar(parser)
    return _GRAMMAR


UnexpectedToken = lark.exceptions.UnexpectedToken
LarkToken = lark.Token
