"""Go's float64 math.Log, math.Exp and math.Pow bit for bit as Packer's amd64 builds compute them."""

from __future__ import annotations

import math
import struct
from fractions import Fraction

__all__ = ["go_divide", "go_exp", "go_log", "go_pow"]


def _bits(x: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


def _from_bits(b: int) -> float:
    return float(struct.unpack("<d", struct.pack("<Q", b))[0])


def _fma(a: float, b: float, c: float) -> float:
    """a*b+c rounded once, as the VFMADD instructions do (math.fma arrives only in Python 3.13)."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def go_divide(a: float, b: float) -> float:
    """IEEE a/b as Go's `/` gives it: x/±0 is a signed infinity, 0/0 NaN, never an exception."""
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


# ------------------------------------------------------------------ math.Log (log_amd64.s)

_LN2HI = 6.93147180369123816490e-01
_LN2LO = 1.90821492927058770002e-10
_L1 = 6.666666666666735130e-01
_L2 = 3.999999999940941908e-01
_L3 = 2.857142874366239149e-01
_L4 = 2.222219843214978396e-01
_L5 = 1.818357216161805012e-01
_L6 = 1.531383769920937332e-01
_L7 = 1.479819860511658591e-01
_HSQRT2 = 7.07106781186547524401e-01


def go_log(x: float) -> float:
    """math.Log as Go's amd64 assembly computes it: FreeBSD's algorithm in the same operation order.

    The assembly splits x into fraction and exponent by bit fields, so for subnormal x it answers
    differently from a true Frexp (and from libm); that is reproduced too.
    """
    if math.isnan(x) or x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    if math.isinf(x):
        return x
    bits = _bits(x)
    f1 = _from_bits((bits & 0x000FFFFFFFFFFFFF) | 0x3FE0000000000000)
    k = float(((bits >> 52) & 0x7FF) - 0x3FE)
    if f1 < _HSQRT2:
        f1 *= 2
        k -= 1
    f = f1 - 1
    s = f / (2 + f)
    s2 = s * s
    s4 = s2 * s2
    t1 = s2 * (_L1 + s4 * (_L3 + s4 * (_L5 + s4 * _L7)))
    t2 = s4 * (_L2 + s4 * (_L4 + s4 * _L6))
    r = t1 + t2
    hfsq = 0.5 * f * f
    return k * _LN2HI - ((hfsq - (s * (hfsq + r) + k * _LN2LO)) - f)


# ------------------------------------------------------------------ math.Exp (exp_amd64.s, FMA path)

_LOG2E = 1.4426950408889634073599246810018920
_LN2U = 0.69314718055966295651160180568695068359375
_LN2L = 0.28235290563031577122588448175013436025525412068e-12
_EXP_OVERFLOW = 7.09782712893384e02
_TAYLOR = (
    2.4801587301587301587e-5,
    1.9841269841269841270e-4,
    1.3888888888888888889e-3,
    8.3333333333333333333e-3,
    4.1666666666666666667e-2,
    1.6666666666666666667e-1,
    0.5,
    1.0,
)


def go_exp(x: float) -> float:
    """math.Exp as Go's amd64 assembly computes it on a CPU with AVX and FMA (any x86-64 server of the last decade)."""
    if math.isnan(x) or x == math.inf:
        return x
    if x == -math.inf:
        return 0.0
    if x > _EXP_OVERFLOW:
        return math.inf
    t = x * _LOG2E
    if abs(t) >= 2**31:
        return 0.0  # CVTSD2SL gives INT32_MIN and the scaling underflows
    k = round(t)  # CVTSD2SL rounds half to even, as Python's round does
    fk = float(k)
    x0 = _fma(-_LN2U, fk, x)
    x0 = _fma(-_LN2L, fk, x0)
    x0 *= 0.0625
    x1 = _TAYLOR[0]
    for c in _TAYLOR[1:]:
        x1 = _fma(x1, x0, c)
    x0 *= x1
    for _ in range(3):
        x1 = x0 + 2.0
        x0 *= x1
    x1 = x0 + 2.0
    x0 = _fma(x1, x0, 1.0)
    biased = k + 0x3FF
    if biased <= 0:
        if biased < -52:
            return 0.0
        return (x0 * 2.0 ** (k + 1022)) * 2.0**-1022
    if biased >= 0x7FF:
        return math.inf
    return x0 * 2.0**k


# ------------------------------------------------------------------ math.Pow (pow.go; pure Go on amd64)


def _ldexp(frac: float, exp: int) -> float:
    try:
        return math.ldexp(frac, exp)
    except OverflowError:
        return math.copysign(math.inf, frac)


def _is_odd_int(x: float) -> bool:
    if abs(x) >= 2**53:
        return False
    return x == math.trunc(x) and int(x) & 1 == 1


def go_pow(x: float, y: float) -> float:
    """math.Pow as Go computes it: squarings for the integral part of y, Exp(yf*Log(x)) for the rest."""
    special = _pow_special(x, y)
    if special is not None:
        return special
    yf, yi = math.modf(abs(y))
    if yf != 0 and x < 0:
        return math.nan
    if yi >= 2.0**63:
        # a large even integral power: overflow or underflow for every x but -1
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else math.inf

    a1 = 1.0
    ae = 0
    if yf != 0:
        if yf > 0.5:
            yf -= 1
            yi += 1
        a1 = go_exp(yf * go_log(x))

    x1, xe = math.frexp(x)
    i = int(yi)
    while i != 0:
        if xe < -(1 << 12) or xe > (1 << 12):
            ae += xe  # the final Ldexp under- or overflows anyway
            break
        if i & 1 == 1:
            a1 *= x1
            ae += xe
        x1 *= x1
        xe <<= 1
        if x1 < 0.5:
            x1 += x1
            xe -= 1
        i >>= 1

    if y < 0:
        a1 = 1 / a1
        ae = -ae
    return _ldexp(a1, ae)


def _pow_special(x: float, y: float) -> float | None:
    """Go's special cases of Pow, in its order; None when the general algorithm applies."""
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0:
        if y < 0:
            return math.copysign(math.inf, x) if _is_odd_int(y) else math.inf
        return x if _is_odd_int(y) else 0.0
    if math.isinf(y):
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else math.inf
    if math.isinf(x):
        if x < 0:
            return go_pow(1 / x, -y)  # Pow(-0, -y)
        return 0.0 if y < 0 else math.inf
    if y == 0.5:
        return math.sqrt(x) if x >= 0 else math.nan
    if y == -0.5:
        return 1 / math.sqrt(x) if x >= 0 else math.nan
    return None
