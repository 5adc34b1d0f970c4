"""Canonical layout of HCL source, as `packer fmt` gives it (a port of hclwrite.Format)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..source import SourceText
from .scanner import scan
from .tokens import END, Token

# `packer fmt` is hclwrite.Format on the raw bytes, after a syntax check: Packer adds nothing
# (no blank-line folding, no final newline, no expression rewriting). hclwrite.Format only ever
# changes the run of spaces before each token, in three passes over the file's lines: indent
# each line, space the tokens within a line, then line up `=` and trailing comments of
# consecutive lines. Token types below are the scanner's; GO_NAMES gives the hclsyntax names.

_OPENERS = frozenset(
    {"OBRACE", "OBRACE_OBJ", "OBRACK", "OPAREN", "TEMPLATE_INTERP", "TEMPLATE_CONTROL"}
)
_CLOSERS = frozenset({"CBRACE", "CBRACK", "CPAREN", "TEMPLATE_SEQ_END"})
_BRACES = frozenset({"OBRACE", "OBRACE_OBJ"})
_TEMPLATE_OPEN = frozenset({"TEMPLATE_INTERP", "TEMPLATE_CONTROL"})
# No space after these or before them: the pieces of a template's literal text.
_LITERAL_SUBJECTS = frozenset({"QLIT", "HLIT", "OQUOTE", "OHEREDOC"})
_LITERAL_AFTERS = frozenset({"QLIT", "HLIT", "CQUOTE", "CHEREDOC"})
# A minus after one of these (or at the start of a cell) is a negation, written `-x`.
_BEFORE_NEGATION = frozenset(
    {
        "", "OPAREN", "OBRACE", "OBRACE_OBJ", "OBRACK", "EQUAL", "COLON", "COMMA", "QUESTION",
        "PLUS", "STAR", "SLASH", "PERCENT", "MINUS",
        "EQUAL_OP", "NOT_EQUAL", "GT", "GTE", "LT", "LTE",
        "AND", "OR", "BANG",
    }
)  # fmt: skip


@dataclass(slots=True)
class _Tok:
    """A token being laid out: its type and text, and the spaces to write before it."""

    type: str
    text: str
    spaces: int


@dataclass(slots=True)
class _Line:
    """One line in three cells: lead, then `=` and its value, then a trailing comment."""

    lead: list[_Tok]
    assign: list[_Tok] | None = None
    comment: list[_Tok] | None = None


@dataclass(slots=True)
class _Chain:
    """A run of consecutive lines whose cells are aligned together."""

    lines: list[_Line] = field(default_factory=list)
    width: int = 0


_NIL = _Tok("", "", 0)


def format_source(text: str, filename: str = "<stdin>") -> str:
    """Return the whole file laid out canonically; formatted input comes back unchanged."""
    return format_tokens(scan(SourceText(filename, text)).tokens)


def format_tokens(tokens: Sequence[Token]) -> str:
    """Lay out a file's scanned tokens (ending with the end-of-file token) and return the text."""
    toks: list[_Tok] = []
    last_end = 0
    for tok in tokens:
        # Between tokens there are only spaces and tabs; hclwrite counts each as one space.
        toks.append(_Tok(tok.type, tok.text, tok.start - last_end))
        last_end = tok.end
    lines = _lines_for_format(toks)
    _format_indent(lines)
    _format_spaces(lines)
    _format_cells(lines)
    return "".join(" " * t.spaces + t.text for t in toks)


def _bracket_change(tok: _Tok) -> int:
    if tok.type in _OPENERS:
        return 1
    if tok.type in _CLOSERS:
        return -1
    return 0


def _ends_line(tok: _Tok) -> bool:
    # A `#` or `//` comment takes its newline with it, so it ends the line too.
    return tok.type == "NEWLINE" or (tok.type == "COMMENT" and tok.text.endswith("\n"))


def _lines_for_format(toks: list[_Tok]) -> list[_Line]:
    lines: list[_Line] = []
    start = 0
    for i, tok in enumerate(toks):
        if tok.type == END:
            # The end-of-file token belongs to no line: the spaces before it stay as they are.
            lines.append(_Line(toks[start:i]))
            start = len(toks)
            break
        if _ends_line(tok):
            lines.append(_Line(toks[start : i + 1]))
            start = i + 1
    if start < len(toks):
        lines.append(_Line(toks[start:]))

    for line in lines:
        lead = line.lead
        if len(lead) > 1 and lead[-1].type == "COMMENT":
            line.comment = lead[-1:]
            lead = line.lead = lead[:-1]
        for i in range(1, len(lead)):
            if lead[i].type == "EQUAL":
                # Only a value that closes all it opens on this line is an assign cell: a
                # value going on over more lines is not lined up with its neighbours.
                if sum(_bracket_change(t) for t in lead[i:]) == 0:
                    line.assign = lead[i:]
                    line.lead = lead[:i]
                break
    return lines


def _format_indent(lines: list[_Line]) -> None:
    # Each line that opens more brackets than it closes pushes one indent level, remembering
    # how many it opened; closing brackets pop levels as their openers are used up. Counting
    # per line, not per bracket, keeps `[[` ... `]]` at one level.
    indents: list[int] = []
    for line in lines:
        if not line.lead:
            continue
        first = line.lead[0]
        if first.type == "NEWLINE":
            first.spaces = 0
            continue
        net = 0
        for tok in line.lead:
            net += _bracket_change(tok)
            if tok.type == "OHEREDOC":
                break
        for tok in line.assign or ():
            net += _bracket_change(tok)
        if net > 0:
            first.spaces = 2 * len(indents)
            indents.append(net)
            continue
        closed = -net
        while closed > 0 and indents:
            if closed > indents[-1]:
                closed -= indents.pop()
            elif closed < indents[-1]:
                indents[-1] -= closed
                closed = 0
            else:
                indents.pop()
                closed = 0
        first.spaces = 2 * len(indents)


def _space_cell(cell: Sequence[_Tok]) -> None:
    for i in range(len(cell) - 1):
        before = cell[i - 1] if i > 0 else _NIL
        cell[i + 1].spaces = 1 if _space_after(cell[i], before, cell[i + 1]) else 0


def _format_spaces(lines: list[_Line]) -> None:
    for line in lines:
        _space_cell(line.lead)
        if line.assign:
            line.assign[0].spaces = 1
            _space_cell(line.assign)


def _space_after(subject: _Tok, before: _Tok, after: _Tok) -> bool:
    """Whether `subject`, between `before` and `after`, takes a space after it (spaceAfterToken)."""
    s, a = subject.type, after.type
    if a in ("NEWLINE", ""):
        return False
    if s == "IDENT" and a == "OPAREN":
        return False  # a function call: foo(
    if (s == "IDENT" and a == "DCOLON") or (s == "DCOLON" and a == "IDENT"):
        return False  # a namespaced function name: provider::x::f
    if s == "DOT" or a == "DOT":
        return False
    if a in ("COMMA", "ELLIPSIS"):
        return False
    if s == "COMMA":
        return True
    if s in _LITERAL_SUBJECTS or a in _LITERAL_AFTERS:
        return False  # inside a template's literal text
    if s == "IDENT" and subject.text == "in" and before.type == "IDENT":
        return True  # the keyword of `for x in [y]`, not an index into `in`
    if a == "OBRACK" and (s in ("IDENT", "NUMBER") or _bracket_change(subject) < 0):
        return False  # an index: foo[0], foo()[0]
    if s == "BANG":
        return False
    if s == "MINUS":
        # A minus after something that cannot end an operand is a negation: -x.
        return before.type not in _BEFORE_NEGATION
    if s in _BRACES or a == "CBRACE":
        # Braces take spaces inside, `{ a = 1 }`, except an empty pair: `{}`.
        return not (s in _BRACES and a == "CBRACE")
    if s in _TEMPLATE_OPEN and a in _BRACES:
        return True  # `${ {` keeps an object constructor visible
    if s == "CBRACE" and a == "TEMPLATE_SEQ_END":
        return True
    if s == "TEMPLATE_SEQ_END" and a in _TEMPLATE_OPEN:
        return False  # `${a}${b}`
    if _bracket_change(subject) > 0:
        return False
    return _bracket_change(after) >= 0


def _columns(cell: Sequence[_Tok] | None) -> int:
    if not cell:
        return 0
    return sum(t.spaces + grapheme_count(t.text) for t in cell)


def _format_cells(lines: list[_Line]) -> None:
    # `=` first, since moving it moves the comments after it too.
    chain = _Chain()
    for line in [*lines, _Line([])]:
        if line.assign is None:
            for member in chain.lines:
                assert member.assign is not None
                member.assign[0].spaces = chain.width - _columns(member.lead) + 1
            chain = _Chain()
        else:
            chain.lines.append(line)
            chain.width = max(chain.width, _columns(line.lead))
    for line in [*lines, _Line([])]:
        if line.comment is None:
            for member in chain.lines:
                assert member.comment is not None
                width = _columns(member.lead) + _columns(member.assign)
                member.comment[0].spaces = chain.width - width + 1
            chain = _Chain()
        else:
            chain.lines.append(line)
            chain.width = max(chain.width, _columns(line.lead) + _columns(line.assign))


# Grapheme clusters (UAX #29, extended), which hclwrite counts as columns when it aligns.
# Property lookups below approximate Unicode's tables from unicodedata's general categories.

_PREPEND = frozenset(
    [*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x0D4E, 0x110BD, 0x110CD,
     0x111C2, 0x111C3, 0x1193F, 0x11941, 0x11A3A, *range(0x11A84, 0x11A8A), 0x11D46]
)  # fmt: skip
# Format characters that extend the previous cluster rather than standing alone.
_EXTEND_CF = frozenset([0x200C, *range(0xE0020, 0xE0080)])
_PICTOGRAPHIC = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
    (0x2139, 0x2139), (0x2194, 0x21AA), (0x231A, 0x23FF), (0x24C2, 0x24C2), (0x25AA, 0x25FE),
    (0x2600, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D),
    (0x3297, 0x3297), (0x3299, 0x3299), (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F),
    (0x1F12F, 0x1F12F), (0x1F16C, 0x1F171), (0x1F17E, 0x1F17F), (0x1F18E, 0x1F18E),
    (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1E5), (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A),
    (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A), (0x1F23C, 0x1F23F), (0x1F249, 0x1F3FA),
    (0x1F400, 0x1F53D), (0x1F546, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F),
    (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F), (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F),
    (0x1F888, 0x1F88F), (0x1F8AE, 0x1F8FF), (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945),
    (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD),
)  # fmt: skip


def _pictographic(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _PICTOGRAPHIC)


def _break_class(ch: str) -> str:
    """The grapheme-cluster-break property of one character (approximated)."""
    cp = ord(ch)
    if cp < 0x7F:
        if ch == "\r":
            return "CR"
        if ch == "\n":
            return "LF"
        return "Control" if cp < 0x20 else "Other"
    if cp == 0x200D:
        return "ZWJ"
    if 0x1F1E6 <= cp <= 0x1F1FF:
        return "RI"
    if 0x1F3FB <= cp <= 0x1F3FF or cp in _EXTEND_CF or 0xFF9E <= cp <= 0xFF9F:
        return "Extend"
    if cp in _PREPEND:
        return "Prepend"
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me"):
        return "Extend"
    if cat == "Mc":
        return "SpacingMark"
    if cat in ("Cc", "Zl", "Zp", "Cf", "Cs"):
        return "Control"
    if _pictographic(cp):
        return "Pict"
    return "Other"


_HANGUL_JOINS = frozenset(
    {("L", "L"), ("L", "V"), ("L", "LV"), ("L", "LVT"), ("LV", "V"), ("LV", "T"), ("V", "V"),
     ("V", "T"), ("LVT", "T"), ("T", "T")}
)  # fmt: skip


def grapheme_count(text: str) -> int:
    """Count the user-perceived characters (extended grapheme clusters) of a string."""
    if text.isascii():
        return len(text) - text.count("\r\n")
    count = 0
    prev = ""
    pict_run = False  # within Pict Extend* (ZWJ)? — for emoji ZWJ sequences
    ri_odd = False  # an odd number of regional indicators ends the current cluster
    for ch in text:
        cls = _break_class(ch)
        if not prev:
            joined = False
        elif prev == "CR" and cls == "LF":
            joined = True
        elif prev in ("Control", "CR", "LF") or cls in ("Control", "CR", "LF"):
            joined = False
        else:
            joined = (
                (prev, cls) in _HANGUL_JOINS  # GB6-8
                or cls in ("Extend", "ZWJ", "SpacingMark")  # GB9, GB9a
                or prev == "Prepend"  # GB9b
                or (prev == "ZWJ" and cls == "Pict" and pict_run)  # GB11
                or (prev == "RI" and cls == "RI" and ri_odd)  # GB12, GB13
            )
        if not joined:
            count += 1
        # After a pictograph, any Extend run and then one ZWJ keep the emoji sequence going.
        pict_run = (pict_run and prev != "ZWJ") if cls in ("Extend", "ZWJ") else cls == "Pict"
        ri_odd = cls == "RI" and not (joined and prev == "RI")
        prev = cls
    return count
