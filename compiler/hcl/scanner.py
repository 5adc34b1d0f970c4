"""Scanner for HCL native syntax: lexes by mode (code, quoted template, heredoc) like hclsyntax."""

from __future__ import annotations

import re
from collections.abc import Iterator

import msgspec

from .. import diagnostics as dg
from ..source import SourceText
from . import _lark
from .tokens import END, Token

# Tokens in code mode, tried in this order (first match wins, so longer operators come first).
_CODE_ORDER = (
    "COMMENT", "NEWLINE", "NUMBER", "IDENT", "OHEREDOC",
    "ELLIPSIS", "EQUAL_OP", "NOT_EQUAL", "LTE", "GTE", "AND", "OR", "DCOLON", "FAT_ARROW",
    "OBRACE", "CBRACE", "OBRACK", "CBRACK", "OPAREN", "CPAREN", "EQUAL", "LT", "GT", "BANG",
    "PLUS", "MINUS", "STAR", "SLASH", "PERCENT", "DOT", "COMMA", "COLON", "QUESTION", "OQUOTE",
)  # fmt: skip
_QUOTE_ORDER = ("TEMPLATE_INTERP", "TEMPLATE_CONTROL", "CQUOTE", "QLIT")

_WS = r"[ \t]+"
_BAD_UTF8 = r"[\udc80-\udcff]"
_STRIP_END = r"~\}"
_FAST_IDENT = r"[A-Za-z_\u0080-\ud7ff\ue000-\U0010ffff][A-Za-z0-9_\-\u0080-\ud7ff\ue000-\U0010ffff]*"

# Characters people type that HCL does not use, with hclsyntax's advice.
_INVALID_ADVICE = {
    "&": ("Unsupported operator", 'Bitwise operators are not supported. Did you mean boolean AND ("&&")?'),
    "|": ("Unsupported operator", 'Bitwise operators are not supported. Did you mean boolean OR ("||")?'),
    "^": ("Unsupported operator", "Bitwise operators are not supported."),
    "~": ("Unsupported operator", 'Bitwise operators are not supported. Did you mean boolean NOT ("!")?'),
    "`": (
        "Invalid character",
        'The "`" character is not valid. To create a multi-line string, use the "heredoc" syntax, like "<<EOT".',
    ),
    "'": ("Invalid character", 'Single quotes are not valid. Use double quotes (") to enclose strings.'),
    ";": (
        "Invalid character",
        'The ";" character is not valid. Use newlines to separate arguments and blocks, and '
        "commas to separate items in collection values.",
    ),
    "\u201c": (
        "Invalid character",
        '"Curly quotes" are not valid here. These can sometimes be inadvertently introduced when '
        "sharing code via documents or discussion forums. It might help to replace the character "
        'with a "straight quote".',
    ),
}
_INVALID_ADVICE["\u201d"] = _INVALID_ADVICE["\u201c"]


class _Tables:
    """Compiled per-mode regular expressions, built from the grammar's terminal definitions."""

    def __init__(self) -> None:
        pats = _lark.load().patterns
        self._ident_pattern = pats["IDENT"]
        self._exact_ident: re.Pattern[str] | None = None
        # Code mode matches identifiers with a cheap class that admits any non-ASCII letter;
        # a non-ASCII match is then checked against the grammar's exact ID_Start/ID_Continue
        # class, compiled only when a file has one (compiling it costs more than most parses).
        fast = {"IDENT": _FAST_IDENT, "OHEREDOC": rf"<<-?(?:{_FAST_IDENT})\r?\n"}
        code = [f"(?P<WS>{_WS})"]
        for name in _CODE_ORDER:
            if name == "OBRACE":
                code.append(f"(?P<STRIP_END>{_STRIP_END})")
            code.append(f"(?P<{name}>{fast.get(name, pats[name])})")
        code += [f"(?P<BAD_UTF8>{_BAD_UTF8})", r"(?P<INVALID>[\s\S])"]
        self.code = re.compile("|".join(code))
        quote = [f"(?P<{n}>{pats[n]})" for n in _QUOTE_ORDER]
        quote += [r"(?P<QUOTED_NEWLINE>\r?\n|\r)", f"(?P<BAD_UTF8>{_BAD_UTF8})", r"(?P<INVALID>[\s\S])"]
        self.quote = re.compile("|".join(quote))
        heredoc = [
            f"(?P<TEMPLATE_INTERP>{pats['TEMPLATE_INTERP']})",
            f"(?P<TEMPLATE_CONTROL>{pats['TEMPLATE_CONTROL']})",
            f"(?P<HLIT>{pats['HLIT']})",
            f"(?P<BAD_UTF8>{_BAD_UTF8})",
            r"(?P<INVALID>[\s\S])",
        ]
        self.heredoc = re.compile("|".join(heredoc))
        bare = [
            f"(?P<TEMPLATE_INTERP>{pats['TEMPLATE_INTERP']})",
            f"(?P<TEMPLATE_CONTROL>{pats['TEMPLATE_CONTROL']})",
            r"(?P<HLIT>(?:[^$%]|\$\$\{|%%\{|\$(?!\{)|%(?!\{))+)",
        ]
        self.bare = re.compile("|".join(bare))

    def exact_ident(self) -> re.Pattern[str]:
        """The grammar's identifier pattern (UAX #31 classes), compiled on first use."""
        if self._exact_ident is None:
            self._exact_ident = re.compile(self._ident_pattern)
        return self._exact_ident


_TABLES: _Tables | None = None


def _tables() -> _Tables:
    global _TABLES
    if _TABLES is None:
        _TABLES = _Tables()
    return _TABLES


class _Heredoc(msgspec.Struct):
    marker: str
    start_of_line: bool = True


class Scan(msgspec.Struct):
    """The tokens of one file (always ending with an end-of-file token) and lexical diagnostics."""

    tokens: list[Token]
    diagnostics: list[dg.Diagnostic] = msgspec.field(default_factory=list)


def scan(src: SourceText, template: bool = False) -> Scan:
    """Scan a whole file into tokens (a bare template when `template`); never raises on bad input."""
    out = Scan(list(iter_tokens(src, template)))
    out.diagnostics.extend(lexical_diagnostics(src, out.tokens))
    return out


def iter_tokens(src: SourceText, template: bool = False) -> Iterator[Token]:
    """Yield tokens, including newlines and comments, ending with an end-of-file token."""
    t = _tables()
    text = src.text
    n = len(text)
    # hclsyntax skips a leading UTF-8 byte order mark: it takes no column.
    pos = line_start = 1 if text.startswith("\ufeff") else 0
    line = 1
    # Mode stack: "Q" quoted template, _Heredoc, "T" template sequence, "B" brace.
    stack: list[object] = ["BT"] if template else []
    code_match = t.code.match
    quote_match = t.quote.match
    heredoc_match = t.heredoc.match

    while pos < n:
        top = stack[-1] if stack else None
        if top == "BT":
            m = t.bare.match(text, pos)
            assert m is not None
            kind = m.lastgroup
            assert kind is not None
            end = m.end()
            if kind in ("TEMPLATE_INTERP", "TEMPLATE_CONTROL"):
                stack.append("T")
        elif top == "Q":
            m = quote_match(text, pos)
            assert m is not None
            kind = m.lastgroup
            assert kind is not None
            end = m.end()
            if kind == "CQUOTE":
                stack.pop()
            elif kind in ("TEMPLATE_INTERP", "TEMPLATE_CONTROL"):
                stack.append("T")
            elif kind == "QUOTED_NEWLINE":
                # A quoted string cannot span lines: end it here so the next line parses normally.
                stack.pop()
                yield Token(kind, "", pos, pos, line, pos - line_start + 1)
                kind = "NEWLINE"
        elif isinstance(top, _Heredoc):
            if top.start_of_line:
                eol = text.find("\n", pos)
                line_text = text[pos : eol - 1] if eol > pos and text[eol - 1] == "\r" else text[pos:eol]
                # As in hclsyntax, the marker line is a literal line: a lone CR makes it something else.
                if eol >= 0 and "\r" not in line_text and line_text.strip(" \t\v\f") == top.marker:
                    cut = eol - 1 if eol > pos and text[eol - 1] == "\r" else eol
                    stack.pop()
                    yield Token("CHEREDOC", text[pos:cut], pos, cut, line, pos - line_start + 1)
                    yield Token("NEWLINE", text[cut : eol + 1], cut, eol + 1, line, cut - line_start + 1)
                    pos = eol + 1
                    line += 1
                    line_start = pos
                    continue
            m = heredoc_match(text, pos)
            assert m is not None
            kind = m.lastgroup
            assert kind is not None
            end = m.end()
            if kind == "HLIT":
                top.start_of_line = text[end - 1] == "\n"
            else:
                top.start_of_line = False
                if kind != "BAD_UTF8" and kind != "INVALID":
                    stack.append("T")
        else:
            m = code_match(text, pos)
            assert m is not None
            kind = m.lastgroup
            assert kind is not None
            end = m.end()
            if kind == "WS":
                pos = end
                continue
            if kind == "IDENT" and not text[pos:end].isascii():
                exact = t.exact_ident().match(text, pos)
                if exact is None:
                    kind, end = "INVALID", pos + 1
                else:
                    end = exact.end()
            elif kind == "OHEREDOC" and not text[pos:end].isascii():
                intro = text[pos:end].rstrip("\r\n")
                name = intro[3:] if intro.startswith("<<-") else intro[2:]
                if not t.exact_ident().fullmatch(name):
                    kind, end = "LT", pos + 1
            if kind == "OBRACE":
                stack.append("B")
            elif kind == "CBRACE":
                if top == "T":
                    kind = "TEMPLATE_SEQ_END"
                if stack:
                    stack.pop()
            elif kind == "STRIP_END":
                kind = "TEMPLATE_SEQ_END"
                if stack:
                    stack.pop()
            elif kind == "OQUOTE":
                stack.append("Q")
            elif kind == "OHEREDOC":
                intro = text[pos:end].rstrip("\r\n")
                marker = intro[3:] if intro.startswith("<<-") else intro[2:]
                stack.append(_Heredoc(marker))
        value = text[pos:end]
        yield Token(kind, value, pos, end, line, pos - line_start + 1)
        if kind in _MULTILINE and "\n" in value:
            line += value.count("\n")
            line_start = pos + value.rindex("\n") + 1
        pos = end
    yield Token(END, "", n, n, line, n - line_start + 1)


_MULTILINE = frozenset({"NEWLINE", "COMMENT", "HLIT", "OHEREDOC", "QLIT", "INVALID"})


def lexical_diagnostics(src: SourceText, tokens: list[Token]) -> Iterator[dg.Diagnostic]:
    """Report characters and encodings HCL never accepts, as hclsyntax does (at most once each)."""
    told_utf8 = False
    told: dict[str, int] = {}
    for tok in tokens:
        if tok.type == "BAD_UTF8":
            if not told_utf8:
                told_utf8 = True
                yield dg.error(
                    "Invalid character encoding",
                    "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.",
                    src.range(tok.start, tok.end),
                )
        elif tok.type == "QUOTED_NEWLINE":
            yield dg.error(
                "Invalid multi-line string",
                "Quoted strings may not be split over multiple lines. To produce a multi-line "
                "string, either use the \\n escape to represent a newline character or use the "
                '"heredoc" multi-line template syntax.',
                src.range(tok.start, tok.start + 1),
            )
        elif tok.type == "INVALID":
            summary, detail = _INVALID_ADVICE.get(
                tok.text, ("Invalid character", "This character is not used within the language.")
            )
            count = told.get(tok.text, 0)
            told[tok.text] = count + 1
            if count < 1 or (tok.text in "'`" and count % 2 == 0 and count < 4):
                yield dg.error(summary, detail, src.range(tok.start, tok.end))
