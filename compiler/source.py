"""Source positions and ranges: every token, node and diagnostic points back into a file."""

from __future__ import annotations

import msgspec


class Pos(msgspec.Struct, frozen=True):
    """A point in a source file; line and column count from 1, byte from 0."""

    line: int
    column: int
    byte: int


class Range(msgspec.Struct, frozen=True):
    """A half-open span of a source file, as given to the user (filename as passed in)."""

    filename: str
    start: Pos
    end: Pos

    def join(self, other: Range) -> Range:
        """Return the smallest range covering both ranges (of the same file)."""
        start = self.start if self.start.byte <= other.start.byte else other.start
        end = self.end if self.end.byte >= other.end.byte else other.end
        return Range(self.filename, start, end)

    def __str__(self) -> str:
        return f"{self.filename}:{self.start.line},{self.start.column}-{self.end.line},{self.end.column}"


class SourceText:
    """Decoded text of one file, mapping character offsets to line, column and UTF-8 byte."""

    __slots__ = ("_ascii", "_line_bytes", "_line_starts", "filename", "text")

    def __init__(self, filename: str, text: str) -> None:
        self.filename = filename
        self.text = text
        self._ascii = text.isascii()
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._line_starts = starts
        self._line_bytes: list[int] | None = None

    @classmethod
    def from_bytes(cls, filename: str, data: bytes) -> SourceText:
        """Decode UTF-8; undecodable bytes become lone surrogates the scanner reports."""
        return cls(filename, data.decode("utf-8", errors="surrogateescape"))

    def line_of(self, offset: int) -> int:
        """Return the 0-based line index holding a character offset."""
        lo, hi = 0, len(self._line_starts) - 1
        starts = self._line_starts
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def pos(self, offset: int, line: int | None = None) -> Pos:
        """Return the position of a character offset (line index may be given as a hint)."""
        li = self.line_of(offset) if line is None else line
        col = offset - self._line_starts[li]
        if li == 0 and col > 0 and self.text.startswith("\ufeff"):
            col -= 1  # a leading byte order mark takes no column, as in hclsyntax
        if self._ascii:
            return Pos(li + 1, col + 1, offset)
        if self._line_bytes is None:
            lb = [0]
            text = self.text
            starts = self._line_starts
            for k in range(1, len(starts)):
                seg = text[starts[k - 1] : starts[k]]
                lb.append(lb[-1] + len(seg.encode("utf-8", "surrogateescape")))
            self._line_bytes = lb
        start = self._line_starts[li]
        prefix = self.text[start:offset]
        return Pos(li + 1, col + 1, self._line_bytes[li] + len(prefix.encode("utf-8", "surrogateescape")))

    def range(self, start: int, end: int) -> Range:
        """Return the range between two character offsets."""
        return Range(self.filename, self.pos(start), self.pos(end))

    def line_text(self, line: int) -> str:
        """Return the text of a 1-based line, without its newline."""
        starts = self._line_starts
        if line < 1 or line > len(starts):
            return ""
        s = starts[line - 1]
        e = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[s:e].rstrip("\r")
