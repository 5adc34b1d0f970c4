"""Go's math.Log, math.Exp and math.Pow ports, against bit patterns from Go 1.19 on amd64 (with FMA)."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bake.compiler.functions.gomath import go_divide, go_exp, go_log, go_pow

INF = math.inf


def _bits(x: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


def _compute(op: str, x: float, y: float) -> float:
    if op == "log":
        return go_divide(go_log(x), go_log(y))  # what cty's log does: math.Log(num) / math.Log(base)
    if op == "exp":
        return go_exp(x)
    return go_pow(x, y)


# (operation, x, y, the float64 bits Go returned); NaNs are compared as NaN, whatever their payload.
GO_RESULTS: list[tuple[str, float, float, int]] = [
    ("log", 50.0, 10.0, 0x3FFB2EFB2BD8217F),
    ("log", 1000.0, 10.0, 0x4007FFFFFFFFFFFF),
    ("log", 27.0, 3.0, 0x4008000000000001),
    ("log", 2.0, 8.0, 0x3FD5555555555556),
    ("log", 10.0, 0.1, 0xBFF0000000000001),
    ("log", 5e-324, 10.0, 0xC0733F424BCB5220),
    ("log", 1e-310, 42.0, 0xC067B6D222885A8C),
    ("log", 6.0, 1e-310, 0xBF64B3363169FBC7),
    ("log", 2.2250738585072014e-308, 2.0, 0xC08FF00000000000),
    ("log", 1.7976931348623157e308, 10.0, 0x40734413509F79FE),
    ("log", 0.0, 10.0, 0xFFF0000000000000),
    ("log", 10.0, 0.0, 0x8000000000000000),
    ("log", 10.0, 1.0, 0x7FF0000000000000),
    ("log", 1.0, 1.0, 0xFFF8000000000000),
    ("log", -1.0, 10.0, 0x7FF8000000000001),
    ("log", INF, 10.0, 0x7FF0000000000000),
    ("log", INF, INF, 0xFFF8000000000000),
    ("log", 3.0, 7.0, 0x3FE210FFA96CBE24),
    ("log", 1e-05, 10.0, 0xC014000000000000),
    ("log", 0.1, 10.0, 0xBFEFFFFFFFFFFFFE),
    ("exp", 1.0, 0.0, 0x4005BF0A8B145769),
    ("exp", -1.0, 0.0, 0x3FD78B56362CEF38),
    ("exp", 0.5, 0.0, 0x3FFA61298E1E069C),
    ("exp", 709.7, 0.0, 0x7FF0000000000000),
    ("exp", 709.79, 0.0, 0x7FF0000000000000),
    ("exp", -708.5, 0.0, 0x000E6CF6D08897AC),
    ("exp", -740.0, 0.0, 0x0000000000000055),
    ("exp", -745.1, 0.0, 0x0000000000000001),
    ("exp", -746.0, 0.0, 0x0000000000000000),
    ("exp", 1e-10, 0.0, 0x3FF000000006DF38),
    ("exp", -INF, 0.0, 0x0000000000000000),
    ("exp", INF, 0.0, 0x7FF0000000000000),
    ("exp", 123.456, 0.0, 0x4B11428E1CBC0143),
    ("exp", -3000000000.0, 0.0, 0x0000000000000000),
    ("pow", 8.0, 0.3333333333333333, 0x3FFFFFFFFFFFFFFF),
    ("pow", 1.1, 100.0, 0x40CAEA4E6126BB8C),
    ("pow", 123.456, 7.89, 0x435C37E53D5E93D1),
    ("pow", 10.0, 23.0, 0x44B52D02C7E14AF6),
    ("pow", 10.0, -2.0, 0x3F847AE147AE147B),
    ("pow", 3.0, 40.0, 0x43E517168A4523FD),
    ("pow", 7.0, -3.0, 0x3F67E225515A4F1D),
    ("pow", 0.1, 3.0, 0x3F50624DD2F1A9FD),
    ("pow", 2.0, -1074.0, 0x0000000000000001),
    ("pow", 2.0, -1075.0, 0x0000000000000000),
    ("pow", 2.0, 1024.0, 0x7FF0000000000000),
    ("pow", 1.5, 2.5, 0x40060B9FD68A4555),
    ("pow", 2.0, 0.5, 0x3FF6A09E667F3BCD),
    ("pow", 2.0, -0.5, 0x3FE6A09E667F3BCC),
    ("pow", -8.0, 0.5, 0xFFF8000000000000),
    ("pow", -8.0, 0.3333333333333333, 0x7FF8000000000001),
    ("pow", -2.0, 3.0, 0xC020000000000000),
    ("pow", -2.0, -3.0, 0xBFC0000000000000),
    ("pow", 0.0, -1.0, 0x7FF0000000000000),
    ("pow", 0.0, -2.0, 0x7FF0000000000000),
    ("pow", 0.0, 3.0, 0x0000000000000000),
    ("pow", -1.0, INF, 0x3FF0000000000000),
    ("pow", 0.5, INF, 0x0000000000000000),
    ("pow", 2.0, -INF, 0x0000000000000000),
    ("pow", -INF, 3.0, 0xFFF0000000000000),
    ("pow", -INF, -3.0, 0x8000000000000000),
    ("pow", INF, -1.0, 0x0000000000000000),
    ("pow", -1.0, 1e19, 0x3FF0000000000000),
    ("pow", 1.0000001, 1e19, 0x7FF0000000000000),
    ("pow", 0.9, 1e300, 0x0000000000000000),
    ("pow", 1e300, 1e-300, 0x3FF0000000000000),
    ("pow", 5e-324, 0.75, 0x0CCAE89F995AD3E9),
    ("pow", 1e308, 1.5, 0x7FF0000000000000),
    ("pow", 2.5, 0.75, 0x3FFFCF927FCCD2A0),
    ("pow", 17.0, 0.6, 0x4015E4EB29244F16),
    ("pow", 0.001, -97.3, 0x7C8978B2EDF59B16),
]


@pytest.mark.parametrize(("op", "x", "y", "want"), GO_RESULTS)
def test_matches_go_bits(op: str, x: float, y: float, want: int) -> None:
    got = _compute(op, x, y)
    want_f = float(struct.unpack("<d", struct.pack("<Q", want))[0])
    if math.isnan(want_f):
        assert math.isnan(got)
    else:
        assert _bits(got) == want


def test_subnormal_log_follows_the_assembly() -> None:
    # Go's amd64 Log reads subnormals through their bit fields; libm does not, and is right there.
    assert go_log(5e-324) != math.log(5e-324)
    assert go_log(1e-300) == math.log(1e-300)


def test_go_divide() -> None:
    assert go_divide(1.0, 0.0) == INF
    assert go_divide(-1.0, 0.0) == -INF
    assert go_divide(1.0, -0.0) == -INF
    assert math.isnan(go_divide(0.0, 0.0))
    assert math.isnan(go_divide(math.nan, 0.0))
    assert go_divide(3.0, 2.0) == 1.5


normal = st.floats(min_value=2.2250738585072014e-308, max_value=1.7976931348623157e308)


@given(normal)
def test_log_within_one_ulp_of_libm(x: float) -> None:
    assert abs(go_log(x) - math.log(x)) <= math.ulp(math.log(x))


@given(st.floats(min_value=-700, max_value=700))
def test_exp_within_one_ulp_of_libm(x: float) -> None:
    assert abs(go_exp(x) - math.exp(x)) <= math.ulp(math.exp(x))


@given(st.floats(min_value=0.01, max_value=100), st.floats(min_value=-50, max_value=50))
def test_pow_close_to_libm(x: float, y: float) -> None:
    want = math.pow(x, y)
    assert abs(go_pow(x, y) - want) <= 1e-13 * want  # Go's squarings drift a few ulp from libm


@given(st.integers(-20, 20), st.integers(0, 12))
def test_pow_exact_for_small_integers(x: int, y: int) -> None:
    assert go_pow(float(x), float(y)) == float(x**y)


@given(st.floats(allow_nan=False), st.floats(allow_nan=False))
def test_pow_never_raises(x: float, y: float) -> None:
    r = go_pow(x, y)
    assert isinstance(r, float)
