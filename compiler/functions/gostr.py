"""Go behaviour the functions share: strconv.Quote, gocty int conversion, base64.StdEncoding decoding."""

from __future__ import annotations

from ..cty.values import Value
from .base import FunctionError

_ESC = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}


def go_quote(data: bytes | str) -> str:
    """strconv.Quote: a double-quoted Go string literal, escaping invalid UTF-8 and non-printable runes."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    out = ['"']
    i = 0
    while i < len(raw):
        ch, size = _decode_rune(raw, i)
        if ch is None:
            out.append(f"\\x{raw[i]:02x}")
            i += 1
            continue
        i += size
        out.append(quote_rune(ch, '"'))
    out.append('"')
    return "".join(out)


def quote_rune(ch: str, quote: str) -> str:
    """One rune as strconv's appendEscapedRune writes it inside `quote`."""
    cp = ord(ch)
    if ch in (quote, "\\"):
        return "\\" + ch
    if ch.isprintable():
        return ch
    if cp in _ESC:
        return _ESC[cp]
    if cp < 0x20 or cp == 0x7F:
        return f"\\x{cp:02x}"
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _decode_rune(raw: bytes, i: int) -> tuple[str | None, int]:
    b = raw[i]
    if b < 0x80:
        return chr(b), 1
    for size in (2, 3, 4):
        chunk = raw[i : i + size]
        try:
            s = chunk.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(s) == 1:
            return s, size
    return None, 1


# ------------------------------------------------------------------ numbers as gocty.FromCtyValue(&int) reads them

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


def go_int(v: Value) -> int:
    """A known number as a Go int (64-bit), with gocty's error when it is not a whole number in range."""
    n = v.as_num()
    if n.is_int():
        i = n.to_int()
        if INT64_MIN <= i <= INT64_MAX:
            return i
    raise FunctionError(f"value must be a whole number, between {INT64_MIN} and {INT64_MAX}")


# ------------------------------------------------------------------ base64.StdEncoding.DecodeString


class CorruptInputError(ValueError):
    """Illegal base64 data at an input byte offset (base64.CorruptInputError)."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"illegal base64 data at input byte {offset}")
        self.offset = offset


_B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_MAP = {c: i for i, c in enumerate(_B64)}


def go_base64_decode(src: bytes) -> bytes:
    """Decode standard, padded base64 as Go does: CR and LF skipped anywhere, non-zero trailing bits allowed."""
    out = bytearray()
    si = 0
    n = len(src)
    while si < n:
        dbuf = [0, 0, 0, 0]
        dlen = 4
        j = 0
        err: int | None = None
        while j < 4:
            if si == n:
                if j == 0:
                    return bytes(out)
                raise CorruptInputError(si - j)
            c = src[si]
            si += 1
            if c in _B64_MAP:
                dbuf[j] = _B64_MAP[c]
                j += 1
                continue
            if c in (0x0A, 0x0D):
                continue
            if c != 0x3D:  # '='
                raise CorruptInputError(si - 1)
            if j in (0, 1):
                raise CorruptInputError(si - 1)
            if j == 2:
                while si < n and src[si] in (0x0A, 0x0D):
                    si += 1
                if si == n:
                    raise CorruptInputError(n)
                if src[si] != 0x3D:
                    raise CorruptInputError(si - 1)
                si += 1
            while si < n and src[si] in (0x0A, 0x0D):
                si += 1
            if si < n:
                err = si
            dlen = j
            break
        val = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3]
        out += val.to_bytes(3, "big")[: dlen - 1]
        if err is not None:
            raise CorruptInputError(err)
    return bytes(out)
