"""Go text behaviour the string functions need: quoting, case mapping, graphemes, big.Float formatting, JSON."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ..cty import types as T
from ..cty.numbers import Num
from ..cty.values import Value

# ---------------------------------------------------------------- strconv.Quote / QuoteRune


def go_is_print(c: str) -> bool:
    """unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space."""
    if c == " ":
        return True
    return unicodedata.category(c)[0] in "LMNPS"


_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _quote_char(c: str, quote: str) -> str:
    if c == quote or c == "\\":
        return "\\" + c
    if go_is_print(c):
        return c
    if c in _ESCAPES:
        return _ESCAPES[c]
    o = ord(c)
    if o < 0x20 or o == 0x7F:
        return f"\\x{o:02x}"
    if o < 0x10000:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


def go_quote(s: str) -> str:
    """strconv.Quote (what %q prints for a Go string)."""
    return '"' + "".join(_quote_char(c, '"') for c in s) + '"'


def go_quote_rune(c: str) -> str:
    """strconv.QuoteRune (what %q prints for a rune)."""
    return "'" + _quote_char(c, "'") + "'"


# ---------------------------------------------------------------- unicode package behaviour

# unicode.IsSpace: the White_Space property.
GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def go_upper_char(c: str) -> str:
    """unicode.ToUpper: the simple (one-to-one) mapping; characters with only a full mapping are kept."""
    u = c.upper()
    if len(u) == 1:
        return u
    t = c.title()
    return t if len(t) == 1 else c


def go_lower_char(c: str) -> str:
    """unicode.ToLower: the simple mapping."""
    if c == "\u0130":
        return "i"
    low = c.lower()
    return low if len(low) == 1 else c


def go_title_char(c: str) -> str:
    """unicode.ToTitle: the simple titlecase mapping."""
    t = c.title()
    if len(t) == 1:
        return t
    return go_upper_char(c) if len(c.upper()) == 1 else c


def go_upper(s: str) -> str:
    """strings.ToUpper."""
    return "".join(go_upper_char(c) for c in s)


def go_lower(s: str) -> str:
    """strings.ToLower."""
    return "".join(go_lower_char(c) for c in s)


def _is_separator(c: str) -> bool:
    o = ord(c)
    if o <= 0x7F:
        return not (c.isascii() and (c.isalnum() or c == "_"))
    cat = unicodedata.category(c)
    if cat[0] == "L" or cat == "Nd":
        return False
    return c in GO_SPACE


def go_title(s: str) -> str:
    """strings.Title: upper-case (titlecase) each letter that follows a separator."""
    out = []
    prev = " "
    for c in s:
        out.append(go_title_char(c) if _is_separator(prev) else c)
        prev = c
    return "".join(out)


# ---------------------------------------------------------------- grapheme clusters (UAX #29, Unicode 13 rules)
#
# go-cty segments with go-textseg v13. Python has no grapheme data, so the Grapheme_Cluster_Break property is
# derived from general categories plus the short lists Unicode adds to them; Extended_Pictographic is taken
# from emoji-data.txt's ranges. Indic conjunct rules (GB9c, Unicode 15.1) are not applied, as in textseg v13.

_CR, _LF, _CONTROL, _EXTEND, _ZWJ, _RI, _PREPEND, _SPACING, _L, _V, _T, _LV, _LVT, _PICT, _OTHER = range(15)

_OTHER_EXTEND = frozenset(
    [0x09BE, 0x09D7, 0x0B3E, 0x0B57, 0x0BBE, 0x0BD7, 0x0CC2, 0x0CD5, 0x0CD6, 0x0D3E, 0x0D57, 0x0DCF, 0x0DDF,
     0x1B35, 0x200C, 0x302E, 0x302F, 0xFF9E, 0xFF9F, 0x1133E, 0x11357, 0x114B0, 0x114BD, 0x115AF, 0x11930,
     0x1D165, *range(0x1D16E, 0x1D173), *range(0xE0020, 0xE0080), *range(0x1F3FB, 0x1F400)]
)
_PREPENDS = frozenset(
    [*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x08E2, 0x0D4E, 0x110BD, 0x110CD, 0x111C2, 0x111C3, 0x1193F, 0x11941,
     0x11A3A, *range(0x11A84, 0x11A8A), 0x11D46]
)
_NOT_SPACING = frozenset(
    [0x102B, 0x102C, 0x1038, 0x1062, 0x1063, 0x1064, *range(0x1067, 0x106E), 0x1083, *range(0x1087, 0x108D), 0x108F,
     0x109A, 0x109B, 0x109C, 0x1A61, 0x1A63, 0x1A64, 0xAA7B, 0xAA7D, 0x11720, 0x11721]
)
_PICT_RANGES = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122), (0x2139, 0x2139),
    (0x2194, 0x2199), (0x21A9, 0x21AA), (0x231A, 0x231B), (0x2328, 0x2328), (0x2388, 0x2388), (0x23CF, 0x23CF),
    (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2), (0x25AA, 0x25AB), (0x25B6, 0x25B6), (0x25C0, 0x25C0),
    (0x25FB, 0x25FE), (0x2600, 0x2605), (0x2607, 0x2612), (0x2614, 0x2685), (0x2690, 0x2705), (0x2708, 0x2712),
    (0x2714, 0x2714), (0x2716, 0x2716), (0x271D, 0x271D), (0x2721, 0x2721), (0x2728, 0x2728), (0x2733, 0x2734),
    (0x2744, 0x2744), (0x2747, 0x2747), (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755), (0x2757, 0x2757),
    (0x2763, 0x2767), (0x2795, 0x2797), (0x27A1, 0x27A1), (0x27B0, 0x27B0), (0x27BF, 0x27BF), (0x2934, 0x2935),
    (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D),
    (0x3297, 0x3297), (0x3299, 0x3299), (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F), (0x1F12F, 0x1F12F),
    (0x1F16C, 0x1F171), (0x1F17E, 0x1F17F), (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1E5),
    (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A), (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A), (0x1F23C, 0x1F23F),
    (0x1F249, 0x1F3FA), (0x1F400, 0x1F53D), (0x1F546, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F),
    (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F), (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F), (0x1F888, 0x1F88F),
    (0x1F8AE, 0x1F8FF), (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945), (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD),
)


@lru_cache(maxsize=4096)
def _gcb(c: str) -> int:
    o = ord(c)
    if o == 0x0D:
        return _CR
    if o == 0x0A:
        return _LF
    if o == 0x200D:
        return _ZWJ
    if 0x1F1E6 <= o <= 0x1F1FF:
        return _RI
    if o in _OTHER_EXTEND:
        return _EXTEND
    if o in _PREPENDS:
        return _PREPEND
    if 0x1100 <= o <= 0x115F or 0xA960 <= o <= 0xA97C:
        return _L
    if 0x1160 <= o <= 0x11A7 or 0xD7B0 <= o <= 0xD7C6:
        return _V
    if 0x11A8 <= o <= 0x11FF or 0xD7CB <= o <= 0xD7FB:
        return _T
    if 0xAC00 <= o <= 0xD7A3:
        return _LV if (o - 0xAC00) % 28 == 0 else _LVT
    cat = unicodedata.category(c)
    if cat in ("Mn", "Me"):
        return _EXTEND
    if cat in ("Cc", "Zl", "Zp", "Cf"):
        return _CONTROL
    if (cat == "Mc" and o not in _NOT_SPACING) or o in (0x0E33, 0x0EB3):
        return _SPACING
    for lo, hi in _PICT_RANGES:
        if lo <= o <= hi:
            return _PICT
        if o < lo:
            break
    return _OTHER


_JOINED = {
    (_L, _L), (_L, _V), (_L, _LV), (_L, _LVT), (_LV, _V), (_LV, _T), (_V, _V), (_V, _T), (_LVT, _T), (_T, _T),
}


def _breaks(prev: int, cur: int, pict_zwj: bool, ri_run: int) -> bool:
    """Whether there is a grapheme boundary between two characters of these properties (GB3-GB999)."""
    if prev == _CR and cur == _LF:
        return False
    if prev in (_CONTROL, _CR, _LF) or cur in (_CONTROL, _CR, _LF):
        return True
    if (prev, cur) in _JOINED or cur in (_EXTEND, _ZWJ, _SPACING) or prev == _PREPEND:
        return False
    if prev == _ZWJ and cur == _PICT and pict_zwj:
        return False
    if prev == _RI and cur == _RI:
        return ri_run % 2 == 0
    return True


def graphemes(s: str) -> list[str]:
    """The extended grapheme clusters of s, in order."""
    out: list[str] = []
    if not s:
        return out
    start = 0
    prev = _gcb(s[0])
    ri_run = 1 if prev == _RI else 0  # regional indicators in the current run
    pict_zwj = False  # ExtPict Extend* ZWJ just seen
    pict_seen = prev == _PICT  # ExtPict Extend* so far
    for i in range(1, len(s)):
        cur = _gcb(s[i])
        brk = _breaks(prev, cur, pict_zwj, ri_run)
        # state for GB11 and GB12/13
        pict_zwj = pict_seen and cur == _ZWJ
        if cur == _PICT:
            pict_seen = True
        elif cur != _EXTEND:
            pict_seen = False
        ri_run = ri_run + 1 if cur == _RI else 0
        if brk:
            out.append(s[start:i])
            start = i
        prev = cur
    out.append(s[start:])
    return out


# ---------------------------------------------------------------- big.Float text formatting


class Decimal:
    """big's decimal: digits (no trailing zeros) and exp, the value being 0.digits * 10**exp."""

    __slots__ = ("exp", "mant")

    def __init__(self, mant: str, exp: int) -> None:
        self.mant = mant
        self.exp = exp

    @classmethod
    def of_binary(cls, m: int, e: int) -> Decimal:
        """The exact decimal of m * 2**e (m >= 0)."""
        if m == 0:
            return cls("", 0)
        if e >= 0:
            digits = str(m << e)
            k = 0
        else:
            digits = str(m * 5 ** (-e))
            k = -e
        exp = len(digits) - k
        digits = digits.rstrip("0")
        return cls(digits, exp)

    def at(self, i: int) -> str:
        return self.mant[i] if 0 <= i < len(self.mant) else "0"

    def round(self, n: int) -> None:
        if n < 0 or n >= len(self.mant):
            return
        if self._should_round_up(n):
            self.round_up(n)
        else:
            self.round_down(n)

    def _should_round_up(self, n: int) -> bool:
        if self.mant[n] == "5" and n + 1 == len(self.mant):
            return n > 0 and (ord(self.mant[n - 1]) - ord("0")) & 1 != 0
        return self.mant[n] >= "5"

    def round_up(self, n: int) -> None:
        if n < 0 or n >= len(self.mant):
            return
        while n > 0 and self.mant[n - 1] >= "9":
            n -= 1
        if n == 0:
            self.mant = "1"
            self.exp += 1
            return
        self.mant = self.mant[: n - 1] + chr(ord(self.mant[n - 1]) + 1)

    def round_down(self, n: int) -> None:
        if n < 0 or n >= len(self.mant):
            return
        self.mant = self.mant[:n].rstrip("0")
        if not self.mant:
            self.exp = 0


def _binary_parts(n: Num) -> tuple[int, int]:
    """|n| as m * 2**e with m odd (or 0)."""
    q = abs(n.q)
    if q == 0:
        return 0, 0
    num, den = q.numerator, q.denominator
    e = -(den.bit_length() - 1)
    assert den == 1 << -e, "number is not binary"
    tz = (num & -num).bit_length() - 1
    return num >> tz, e + tz


def _round_shortest(d: Decimal, n: Num) -> None:
    if not d.mant:
        return
    m, e = _binary_parts(n)
    prec = max(n.prec, 1)
    shift = (prec + 1) - m.bit_length()
    mant = m << shift if shift >= 0 else m >> -shift
    exp = e - shift
    lower = Decimal.of_binary(mant - 1, exp)
    upper = Decimal.of_binary(mant + 1, exp)
    inclusive = mant & 2 == 0
    for i, digit in enumerate(d.mant):
        lo = lower.at(i)
        up = upper.at(i)
        okdown = lo != digit or (inclusive and i + 1 == len(lower.mant))
        okup = digit != up and (inclusive or chr(ord(digit) + 1) < up or i + 1 < len(upper.mant))
        if okdown and okup:
            d.round(i + 1)
            return
        if okdown:
            d.round_down(i + 1)
            return
        if okup:
            d.round_up(i + 1)
            return


def _fmt_e(fmt: str, prec: int, d: Decimal) -> str:
    out = d.mant[0] if d.mant else "0"
    if prec > 0:
        out += "." + d.mant[1 : prec + 1].ljust(prec, "0")
    exp = d.exp - 1 if d.mant else 0
    sign = "-" if exp < 0 else "+"
    exp = abs(exp)
    return f"{out}{fmt}{sign}{exp:02d}"


def _fmt_f(prec: int, d: Decimal) -> str:
    out = d.mant[: d.exp].ljust(d.exp, "0") if d.exp > 0 else "0"
    if prec > 0:
        out += "." + "".join(d.at(d.exp + i) for i in range(prec))
    return out


def big_float_text(n: Num, fmt: str, prec: int) -> str:
    """big.Float.Text(fmt, prec) for fmt in e E f g G."""
    sign = "-" if n.sign() < 0 else ""
    if n.inf:
        return "-Inf" if n.inf < 0 else "+Inf"
    m, e = _binary_parts(n)
    d = Decimal.of_binary(m, e)
    shortest = prec < 0
    if shortest:
        _round_shortest(d, n)
        if fmt in "eE":
            prec = len(d.mant) - 1
        elif fmt == "f":
            prec = max(len(d.mant) - d.exp, 0)
        else:
            prec = len(d.mant)
    elif fmt in "eE":
        d.round(1 + prec)
    elif fmt == "f":
        d.round(d.exp + prec)
    else:
        if prec == 0:
            prec = 1
        d.round(prec)
    if fmt in "eE":
        return sign + _fmt_e(fmt, prec, d)
    if fmt == "f":
        return sign + _fmt_f(prec, d)
    eprec = prec
    if eprec > len(d.mant) and len(d.mant) >= d.exp:
        eprec = len(d.mant)
    if shortest:
        eprec = 6
    exp = d.exp - 1
    if exp < -4 or exp >= eprec:
        if prec > len(d.mant):
            prec = len(d.mant)
        return sign + _fmt_e("e" if fmt == "g" else "E", prec - 1, d)
    if prec > d.exp:
        prec = len(d.mant)
    return sign + _fmt_f(max(prec - d.exp, 0), d)


# ---------------------------------------------------------------- JSON as cty's json.Marshal writes it


def go_json_string(s: str) -> str:
    """encoding/json's string encoding (HTML-safe, \\b and \\f short forms as Go 1.22+ writes them)."""
    out = ['"']
    for c in s:
        o = ord(c)
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c == "\b":
            out.append("\\b")
        elif c == "\f":
            out.append("\\f")
        elif o < 0x20 or c in "<>&" or o in (0x2028, 0x2029):
            out.append(f"\\u{o:04x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


class JSONError(Exception):
    """A value cty cannot write as JSON."""


def cty_json(v: Value) -> str:
    """cty/json.Marshal(v, v.Type()) for a wholly known, unmarked value."""
    if v.marks:
        raise JSONError("value has marks, so it cannot be serialized as JSON")
    if v.is_null:
        return "null"
    if not v.known:
        raise JSONError("value is not known")
    raw = v.raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, str):
        return go_json_string(raw)
    if isinstance(raw, Num):
        if raw.inf:
            raise JSONError("cannot serialize infinity as JSON")
        return big_float_text_f(raw)
    if isinstance(raw, tuple):
        return "[" + ",".join(cty_json(e) for e in raw) + "]"
    if isinstance(v.ty, (T.Map, T.Object)):
        return "{" + ",".join(go_json_string(k) + ":" + cty_json(e) for k, e in sorted(raw.items())) + "}"
    raise JSONError(f"cannot JSON-serialize {v.ty.friendly()}")  # pragma: no cover


def big_float_text_f(n: Num) -> str:
    """big.Float.Text('f', -1): the shortest decimal without exponent."""
    return big_float_text(n, "f", -1)
