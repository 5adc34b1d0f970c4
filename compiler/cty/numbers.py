"""Numbers as go-cty has them: binary floating point with a per-value precision (512 bits when parsed)."""

from __future__ import annotations

import decimal
import math
from fractions import Fraction

PARSE_PREC = 512  # cty.ParseNumberVal and HCL number literals
INT_PREC = 64  # cty.NumberIntVal
FLOAT_PREC = 53  # cty.NumberFloatVal (float64 results of math functions)


class NumberError(ValueError):
    """A number cannot be parsed, or an operation has no numeric result."""


def _round(q: Fraction, prec: int) -> Fraction:
    """Round q to the nearest binary float with `prec` mantissa bits (ties to even), as math/big does."""
    if q == 0:
        return Fraction(0)
    sign = -1 if q < 0 else 1
    n, d = abs(q.numerator), q.denominator
    # exponent e with 2**(prec-1) <= n/d * 2**-e < 2**prec
    e = n.bit_length() - d.bit_length() - prec
    while True:
        if e >= 0:
            num, den = n, d << e
        else:
            num, den = n << -e, d
        m, r = divmod(num, den)
        if m >= (1 << prec):
            e += 1
            continue
        if m < (1 << (prec - 1)):
            e -= 1
            continue
        break
    twice = 2 * r
    if twice > den or (twice == den and m & 1):
        m += 1
    return sign * (Fraction(m) * (Fraction(2) ** e))


class Num:
    """A finite number (exact rational, already rounded to `prec` bits) or a signed infinity."""

    __slots__ = ("inf", "prec", "q")

    def __init__(self, q: Fraction, prec: int = PARSE_PREC, inf: int = 0) -> None:
        self.q = q
        self.prec = prec
        self.inf = inf  # -1 or +1 for infinities, 0 for finite numbers

    # -- construction
    @classmethod
    def parse(cls, text: str) -> Num:
        """Parse a decimal number (HCL literal or string conversion) at 512-bit precision."""
        s = text.strip() if text != text.strip() else text
        if not s or any(c in s for c in "_ \t\n") or s.lower() in ("inf", "+inf", "-inf", "infinity", "nan"):
            raise NumberError(text)
        try:
            q = Fraction(decimal.Decimal(s))
        except (decimal.InvalidOperation, ValueError, OverflowError) as exc:
            raise NumberError(text) from exc
        return cls(_round(q, PARSE_PREC), PARSE_PREC)

    @classmethod
    def of(cls, value: int | float | Fraction | decimal.Decimal) -> Num:
        """Build from a Python number: ints at 64 bits (or more), floats at 53."""
        if isinstance(value, bool):
            raise TypeError("bool is not a number")
        if isinstance(value, int):
            return cls(Fraction(value), max(INT_PREC, value.bit_length()))
        if isinstance(value, float):
            if math.isinf(value):
                return cls.infinity(1 if value > 0 else -1)
            if math.isnan(value):
                raise NumberError("NaN")
            return cls(Fraction(value), FLOAT_PREC)
        if isinstance(value, decimal.Decimal):
            return cls(_round(Fraction(value), PARSE_PREC), PARSE_PREC)
        return cls(_round(value, PARSE_PREC), PARSE_PREC)

    @classmethod
    def infinity(cls, sign: int) -> Num:
        """Positive or negative infinity."""
        return cls(Fraction(0), 0, 1 if sign > 0 else -1)

    # -- inspection
    def is_int(self) -> bool:
        """Whether the number is finite and integral."""
        return not self.inf and self.q.denominator == 1

    def to_int(self) -> int:
        """The integer value (callers check is_int first)."""
        return int(self.q)

    def to_float(self) -> float:
        """Nearest float64 (math functions work at float64, as cty's do)."""
        if self.inf:
            return math.inf * self.inf
        return float(self.q)

    def sign(self) -> int:
        """-1, 0 or 1."""
        if self.inf:
            return self.inf
        return (self.q > 0) - (self.q < 0)

    # -- arithmetic (each result rounded to the larger operand precision, as math/big does)
    def _prec(self, other: Num) -> int:
        return max(self.prec, other.prec, 1)

    def add(self, other: Num) -> Num:
        """self + other."""
        if self.inf or other.inf:
            if self.inf and other.inf and self.inf != other.inf:
                raise NumberError("can't add infinities of opposite sign")
            return Num.infinity(self.inf or other.inf)
        p = self._prec(other)
        return Num(_round(self.q + other.q, p), p)

    def neg(self) -> Num:
        """-self."""
        return Num(-self.q, self.prec, -self.inf)

    def sub(self, other: Num) -> Num:
        """self - other."""
        return self.add(other.neg())

    def mul(self, other: Num) -> Num:
        """self * other."""
        if self.inf or other.inf:
            s = self.sign() * other.sign()
            if s == 0:
                raise NumberError("can't multiply zero by infinity")
            return Num.infinity(s)
        exact = self.q * other.q
        p = self._prec(other)
        # cty keeps the exact product when it needs more bits (up to 512)
        need = _min_prec(exact)
        p = max(p, min(need, PARSE_PREC))
        return Num(_round(exact, p), p)

    def div(self, other: Num) -> Num:
        """self / other; x/0 is an infinity, 0/0 an error."""
        if other.inf and self.inf:
            raise NumberError("can't divide zero by zero or infinity by infinity")
        if other.inf:
            return Num(Fraction(0), self._prec(other))
        if other.q == 0:
            if self.inf == 0 and self.q == 0:
                raise NumberError("can't divide zero by zero or infinity by infinity")
            return Num.infinity(self.sign())
        if self.inf:
            return Num.infinity(self.inf * other.sign())
        p = self._prec(other)
        return Num(_round(self.q / other.q, p), p)

    def mod(self, other: Num) -> Num:
        """self % other, the way cty computes it: self - other * trunc(self / other)."""
        if self.inf or other.inf:
            return self.mul(other)
        if other.q == 0:
            return self
        ratio = self.div(other)
        t = Fraction(math.trunc(ratio.q))
        p = self.prec
        work = _round(other.q * t, max(p, other.prec))
        return Num(_round(self.q - work, max(p, other.prec)), max(p, other.prec))

    def cmp(self, other: Num) -> int:
        """-1, 0 or 1 (infinities order below and above every finite number)."""
        a, b = (self.inf, self.q), (other.inf, other.q)
        return (a > b) - (a < b)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Num) and self.inf == other.inf and self.q == other.q

    def __hash__(self) -> int:
        return hash((self.inf, self.q))

    def __repr__(self) -> str:
        return f"Num({format_number(self)})"


def _min_prec(q: Fraction) -> int:
    """Bits needed to represent q exactly (or a large number when it has no finite binary form)."""
    if q == 0:
        return 0
    d = q.denominator
    if d & (d - 1):
        return PARSE_PREC * 4
    n = abs(q.numerator)
    return n.bit_length() - ((n & -n).bit_length() - 1)


def format_number(n: Num) -> str:
    """The shortest decimal that reads back as the same number at its precision (big.Float 'f', -1)."""
    if n.inf:
        return "+Inf" if n.inf > 0 else "-Inf"
    q = n.q
    prec = max(n.prec, 1)
    if q.denominator == 1 and abs(q.numerator).bit_length() <= prec:
        return str(q.numerator)
    ctx = decimal.Context(rounding=decimal.ROUND_HALF_EVEN, Emax=10**9, Emin=-(10**9))
    num = decimal.Decimal(q.numerator)
    den = decimal.Decimal(q.denominator)
    for digits in range(1, 400):
        ctx.prec = digits
        cand = ctx.divide(num, den)
        if _round(Fraction(cand), prec) == q:
            return _plain(cand)
    return _plain(decimal.Context(prec=400).divide(num, den))  # pragma: no cover


def _plain(d: decimal.Decimal) -> str:
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s
