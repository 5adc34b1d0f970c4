"""The YAML output of go-cty-yaml's yamlencode: libyaml's emitter (as go-yaml ports it) for the events cty makes."""

from __future__ import annotations

from ..cty import types as T
from ..cty.numbers import format_number
from ..cty.values import Value

PLAIN, DOUBLE, LITERAL = "plain", "double", "literal"
_BREAKS = "\r\n\x85\u2028\u2029"


class YAMLEncodeError(ValueError):
    """A value yamlencode cannot write."""


def _printable(ch: str) -> bool:
    cp = ord(ch)
    return cp == 0x0A or 0x20 <= cp <= 0x7E or 0xA0 <= cp <= 0xD7FF or (0xE000 <= cp <= 0xFFFD and cp != 0xFEFF)


class _Analysis:
    __slots__ = ("block_allowed", "block_plain_allowed", "flow_plain_allowed", "multiline", "single_quoted_allowed")

    def __init__(self, value: str) -> None:
        if not value:
            self.multiline = False
            self.flow_plain_allowed = False
            self.block_plain_allowed = True
            self.single_quoted_allowed = True
            self.block_allowed = False
            return
        block_ind = flow_ind = line_breaks = special = False
        leading_space = leading_break = trailing_space = trailing_break = False
        break_space = space_break = previous_space = previous_break = False
        if value.startswith(("---", "...")):
            block_ind = flow_ind = True
        preceded_by_ws = True
        n = len(value)
        for i, ch in enumerate(value):
            followed_by_ws = i + 1 >= n or value[i + 1] in " \t"
            if i == 0:
                if ch in "#,[]{}&*!|>'\"%@`":
                    flow_ind = block_ind = True
                elif ch in "?:":
                    flow_ind = True
                    if followed_by_ws:
                        block_ind = True
                elif ch == "-" and followed_by_ws:
                    flow_ind = block_ind = True
            elif ch in ",?[]{}":
                flow_ind = True
            elif ch == ":":
                flow_ind = True
                if followed_by_ws:
                    block_ind = True
            elif ch == "#" and preceded_by_ws:
                flow_ind = block_ind = True
            if not _printable(ch):
                special = True
            if ch == " ":
                if i == 0:
                    leading_space = True
                if i == n - 1:
                    trailing_space = True
                if previous_break:
                    break_space = True
                previous_space, previous_break = True, False
            elif ch in _BREAKS:
                line_breaks = True
                if i == 0:
                    leading_break = True
                if i == n - 1:
                    trailing_break = True
                if previous_space:
                    space_break = True
                previous_space, previous_break = False, True
            else:
                previous_space = previous_break = False
            preceded_by_ws = ch in " \t" or ch in _BREAKS or ch == "\x00"
        self.multiline = line_breaks
        self.flow_plain_allowed = self.block_plain_allowed = True
        self.single_quoted_allowed = self.block_allowed = True
        if leading_space or leading_break or trailing_space or trailing_break:
            self.flow_plain_allowed = self.block_plain_allowed = False
        if trailing_space:
            self.block_allowed = False
        if break_space:
            self.flow_plain_allowed = self.block_plain_allowed = self.single_quoted_allowed = False
        if space_break or special:
            self.flow_plain_allowed = self.block_plain_allowed = False
            self.single_quoted_allowed = self.block_allowed = False
        if line_breaks:
            self.flow_plain_allowed = self.block_plain_allowed = False
        if flow_ind:
            self.flow_plain_allowed = False
        if block_ind:
            self.block_plain_allowed = False


class Emitter:
    """Writes one document of block-style YAML the way yaml_emitter_t does with go-cty-yaml's events."""

    best_indent = 2
    best_width = 80

    def __init__(self) -> None:
        self.out: list[str] = []
        self.column = 0
        self.indent = -1
        self.indents: list[int] = []
        self.whitespace = True
        self.indention = True
        self.open_ended = False
        self.flow_level = 0
        self.root = self.sequence = self.mapping = self.simple_key = False

    # -- low-level writing
    def _put(self, s: str) -> None:
        self.out.append(s)
        self.column += len(s)

    def _put_break(self) -> None:
        self.out.append("\n")
        self.column = 0

    def _write_break(self, ch: str) -> None:
        if ch == "\n":
            self._put_break()
        else:
            self.out.append(ch)
            self.column = 0

    def _write_indent(self) -> None:
        indent = max(self.indent, 0)
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self._put_break()
        while self.column < indent:
            self._put(" ")
        self.whitespace = True
        self.indention = True

    def _indicator(self, s: str, need_ws: bool, is_ws: bool, is_indention: bool) -> None:
        if need_ws and not self.whitespace:
            self._put(" ")
        self._put(s)
        self.whitespace = is_ws
        self.indention = self.indention and is_indention
        self.open_ended = False

    def _increase_indent(self, flow: bool, indentless: bool) -> None:
        self.indents.append(self.indent)
        if self.indent < 0:
            self.indent = self.best_indent if flow else 0
        elif not indentless:
            self.indent += self.best_indent

    def _pop_indent(self) -> None:
        self.indent = self.indents.pop()

    # -- document
    def document(self, v: Value) -> str:
        """The whole stream for one value."""
        self.node(v, root=True)
        self._write_indent()  # document end (implicit)
        if self.open_ended:  # stream end
            self._indicator("...", True, False, False)
            self._write_indent()
        return "".join(self.out)

    # -- nodes
    def node(self, v: Value, root: bool = False, sequence: bool = False, mapping: bool = False,
             simple_key: bool = False) -> None:
        """Emit one value with its context flags."""
        self.root, self.sequence, self.mapping, self.simple_key = root, sequence, mapping, simple_key
        if v.is_null:
            self.scalar("null", PLAIN)
            return
        if not v.known:
            raise YAMLEncodeError("cannot serialize unknown value as YAML")
        ty = v.ty
        if ty == T.STRING:
            s = v.as_string()
            self.scalar(s, LITERAL if "\n" in s else DOUBLE)
        elif ty == T.NUMBER:
            self.scalar(format_number(v.as_num()), PLAIN)
        elif ty == T.BOOL:
            self.scalar("true" if v.as_bool() else "false", PLAIN)
        elif isinstance(ty, (T.List, T.Set, T.Tuple)):
            self.sequence_node(list(v.elements()))
        elif isinstance(ty, (T.Map, T.Object)):
            self.mapping_node(v.items())
        else:  # pragma: no cover
            raise YAMLEncodeError(f"can't marshal {ty.friendly()} as YAML")

    def _flow_empty(self, open_: str, close: str) -> None:
        self._indicator(open_, True, True, False)
        self._increase_indent(True, False)
        self._pop_indent()
        self._indicator(close, False, False, False)

    def sequence_node(self, elems: list[Value]) -> None:
        """A block sequence (or [] when empty)."""
        if self.flow_level > 0 or not elems:
            self._flow_empty("[", "]")
            return
        self._increase_indent(False, self.mapping and not self.indention)
        for e in elems:
            self._write_indent()
            self._indicator("-", True, False, True)
            self.node(e, sequence=True)
        self._pop_indent()

    def mapping_node(self, items: list[tuple[str, Value]]) -> None:
        """A block mapping (or {} when empty); keys are always strings."""
        if self.flow_level > 0 or not items:
            self._flow_empty("{", "}")
            return
        self._increase_indent(False, False)
        for key, value in items:
            self._write_indent()
            a = _Analysis(key)
            if not a.multiline and len(key.encode("utf-8")) <= 128:
                self.root, self.sequence, self.mapping, self.simple_key = False, False, True, True
                self.scalar(key, LITERAL if "\n" in key else DOUBLE)
                self._indicator(":", False, False, False)
            else:
                self._indicator("?", True, False, True)
                self.root, self.sequence, self.mapping, self.simple_key = False, False, True, False
                self.scalar(key, LITERAL if "\n" in key else DOUBLE)
                self._write_indent()
                self._indicator(":", True, False, True)
            self.node(value, mapping=True)
        self._pop_indent()

    def scalar(self, value: str, style: str) -> None:
        """Select the style as yaml_emitter_select_scalar_style does, then write the scalar."""
        a = _Analysis(value)
        if self.simple_key and a.multiline:
            style = DOUBLE
        plain_allowed = a.flow_plain_allowed if self.flow_level > 0 else a.block_plain_allowed
        if style == PLAIN and not plain_allowed:
            style = DOUBLE  # single quotes are never chosen for cty's values (they are plain-safe)
        if style == LITERAL and (not a.block_allowed or self.flow_level > 0 or self.simple_key):
            style = DOUBLE
        self._increase_indent(True, False)
        if style == PLAIN:
            self._write_plain(value)
        elif style == DOUBLE:
            self._write_double(value, not self.simple_key)
        else:
            self._write_literal(value)
        self._pop_indent()

    def _write_plain(self, value: str) -> None:
        if not self.whitespace:
            self._put(" ")
        self._put(value)  # numbers, bools and null: no spaces or breaks
        self.whitespace = False
        self.indention = False
        if self.root:
            self.open_ended = True

    def _write_double(self, value: str, allow_breaks: bool) -> None:
        spaces = False
        self._indicator('"', True, False, False)
        n = len(value)
        i = 0
        while i < n:
            ch = value[i]
            if not _printable(ch) or ch == "\ufeff" or ch in _BREAKS or ch in '"\\':
                self._put("\\" + _escape(ch))
                spaces = False
                i += 1
            elif ch == " ":
                if allow_breaks and not spaces and self.column > self.best_width and 0 < i < n - 1:
                    self._write_indent()
                    if value[i + 1] == " ":
                        self._put("\\")
                else:
                    self._put(ch)
                spaces = True
                i += 1
            else:
                self._put(ch)
                spaces = False
                i += 1
        self._indicator('"', False, False, False)
        self.whitespace = False
        self.indention = False

    def _write_literal(self, value: str) -> None:
        self._indicator("|", True, False, False)
        # block scalar hints
        if value[:1] == " " or (value[:1] in _BREAKS and value):
            self._indicator(str(self.best_indent), False, False, False)
        self.open_ended = False
        chomp = ""
        if not value or value[-1] not in _BREAKS:
            chomp = "-"
        elif len(value) == 1 or value[-2] in _BREAKS:
            chomp = "+"  # go-yaml sets open_ended here, but writing the indicator clears it again
        if chomp:
            self._indicator(chomp, False, False, False)
        self._put_break()
        self.indention = True
        self.whitespace = True
        breaks = True
        for ch in value:
            if ch in _BREAKS:
                self._write_break(ch)
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self._write_indent()
                self._put(ch)
                self.indention = False
                breaks = False


_NAMED = {0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f", 0x0D: "r", 0x1B: "e",
          0x22: '"', 0x5C: "\\", 0x85: "N", 0xA0: "_", 0x2028: "L", 0x2029: "P"}


def _escape(ch: str) -> str:
    cp = ord(ch)
    if cp in _NAMED:
        return _NAMED[cp]
    if cp <= 0xFF:
        return f"x{cp:02X}"
    if cp <= 0xFFFF:
        return f"u{cp:04X}"
    return f"U{cp:08X}"


def yaml_encode(v: Value) -> str:
    """yamlencode's text for a wholly known, unmarked value."""
    return Emitter().document(v)
