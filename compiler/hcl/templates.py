"""Template literal processing: escapes, `$${`/`%%{`, strip markers and `<<-` heredoc flushing."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from .. import diagnostics as dg
from ..source import Range
from .tokens import Token

_QUOTED_PIECE = re.compile(r"\\u[0-9A-Fa-f]{0,4}|\\U[0-9A-Fa-f]{0,8}|\\[\s\S]?|\$\$\{|%%\{|[^\\$%]+|[$%]")
_HEREDOC_PIECE = re.compile(r"\$\$\{|%%\{|[^$%]+|[$%]")
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def decode_literal(tok: Token, quoted: bool, rng: Callable[[int, int], Range], diags: list[dg.Diagnostic]) -> str:
    """Decode one literal token: escapes (quoted only) and doubled template introducers."""
    text = tok.text
    if quoted and "\\" not in text and "$${" not in text and "%%{" not in text:
        return text
    if not quoted and "$${" not in text and "%%{" not in text:
        return text
    out: list[str] = []
    pattern = _QUOTED_PIECE if quoted else _HEREDOC_PIECE
    for m in pattern.finditer(text):
        piece = m.group()
        if piece in ("$${", "%%{"):
            out.append(piece[1:])
        elif quoted and piece[0] == "\\":
            where = rng(tok.start + m.start(), tok.start + m.end())
            if len(piece) < 2:
                diags.append(
                    dg.error(
                        "Invalid escape sequence",
                        "Backslash must be followed by an escape sequence selector character.",
                        where,
                    )
                )
                continue
            sel = piece[1]
            if sel in _SIMPLE_ESCAPES:
                out.append(_SIMPLE_ESCAPES[sel])
            elif sel in "uU":
                want = 4 if sel == "u" else 8
                if len(piece) != want + 2:
                    diags.append(
                        dg.error(
                            "Invalid escape sequence",
                            f"The \\{sel} escape sequence must be followed by "
                            f"{'four' if sel == 'u' else 'eight'} hexadecimal digits.",
                            where,
                        )
                    )
                    continue
                num = int(piece[2:], 16)
                if num > 0x10FFFF or 0xD800 <= num <= 0xDFFF:
                    diags.append(
                        dg.error(
                            "Invalid escape sequence",
                            f"Cannot encode character U+{num:04x} in UTF-8.",
                            where,
                        )
                    )
                    continue
                out.append(chr(num))
            else:
                diags.append(
                    dg.error(
                        "Invalid escape sequence",
                        f"The symbol {piece[1:]!r} is not a valid escape sequence selector.".replace("'", '"'),
                        where,
                    )
                )
                out.append(piece[1:])
        else:
            out.append(piece)
    return "".join(out)


# A template's own parts, in order, for strip-marker and flush processing:
# ("lit", token) or ("seq", open_token, close_token) for ${...} and %{...}.
Part = tuple[str, Token, Token | None]


def _lstrip(s: str) -> str:
    return s.lstrip()


def _rstrip(s: str) -> str:
    return s.rstrip()


def literal_values(
    parts: list[Part],
    quoted: bool,
    flush: bool,
    rng: Callable[[int, int], Range],
    diags: list[dg.Diagnostic],
) -> dict[int, str]:
    """Return the final value of each literal token of one template, keyed by token start offset."""
    values: list[str | None] = []
    for k, (kind, tok, _close) in enumerate(parts):
        if kind != "lit":
            values.append(None)
            continue
        val = decode_literal(tok, quoted, rng, diags)
        if k > 0 and parts[k - 1][0] == "seq":
            prev_close = parts[k - 1][2]
            if prev_close is not None and prev_close.text.startswith("~"):
                val = _lstrip(val)
        if k + 1 < len(parts) and parts[k + 1][0] == "seq" and parts[k + 1][1].text.endswith("~"):
            val = _rstrip(val)
        values.append(val)
    if flush:
        _flush(values)
    out: dict[int, str] = {}
    for (kind, tok, _close), final in zip(parts, values, strict=True):
        if kind == "lit" and final is not None:
            out[tok.start] = unicodedata.normalize("NFC", final)
    return out


def _flush(values: list[str | None]) -> None:
    """Remove the common leading whitespace of lines, as hclsyntax does for `<<-` heredocs."""
    big = 1 << 62
    min_spaces = big
    newline = True
    adjust: list[int] = []
    for k, val in enumerate(values):
        if newline:
            newline = False
            spaces = 0
            if val is not None:
                trimmed = val.lstrip()
                if not trimmed and val.endswith("\n"):
                    spaces = big
                else:
                    spaces = len(val) - len(trimmed)
                    adjust.append(k)
            min_spaces = min(min_spaces, spaces)
        if val is not None and val.endswith("\n"):
            newline = True
    if min_spaces == big:
        return
    for k in adjust:
        val = values[k]
        assert val is not None
        values[k] = val[min_spaces:]
