"""uuidv4 (pure, seeded) and uuidv5 against go-cty-funcs and Terraform's documented examples."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bake.compiler.cty import types as T
from bake.compiler.cty.values import SENSITIVE, null, number, string, unknown
from bake.compiler.functions.base import ArityError, CallContext, FunctionError
from bake.compiler.functions.uuid import FUNCTIONS, parse_uuid, uuid_v4

V4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
S = string

V5_CASES = [
    ("dns", "www.terraform.io", "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    ("url", "https://www.terraform.io/", "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"),
    ("oid", "1.3.6.1.4", "af9d40a5-7a36-5c07-b23a-851cd99fbfa5"),
    ("x500", "CN=Example,C=GB", "84e09961-4aa4-57f8-95b7-03edb1073253"),
    ("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io", "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    ("6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "www.terraform.io", "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    ("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "www.terraform.io", "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    ("urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io", "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    ("6ba7b8109dad11d180b400c04fd430c8", "www.terraform.io", "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    ("dns", "", "4ebd0208-8328-5d69-8c44-ec50939c0967"),
]


@pytest.mark.parametrize(("ns", "name", "want"), V5_CASES)
def test_uuidv5(ns: str, name: str, want: str) -> None:
    assert FUNCTIONS["uuidv5"].call([S(ns), S(name)]) == S(want)


@pytest.mark.parametrize(
    ("ns", "message"),
    [
        ("DNS", "uuidv5() doesn't support namespace DNS (invalid UUID length: 3)"),
        ("", "uuidv5() doesn't support namespace  (invalid UUID length: 0)"),
        ("6ba7b810x9dad-11d1-80b4-00c04fd430c8", "uuidv5() doesn't support namespace "
         "6ba7b810x9dad-11d1-80b4-00c04fd430c8 (invalid UUID format)"),
        ("6ba7b810-9dad-11d1-80b4-00c04fd430cg", "uuidv5() doesn't support namespace "
         "6ba7b810-9dad-11d1-80b4-00c04fd430cg (invalid UUID format)"),
        ("urx:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8", "uuidv5() doesn't support namespace "
         'urx:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8 (invalid urn prefix: "urx:uuid:")'),
        ("6ba7b8109dad11d180b400c04fd430cz", "uuidv5() doesn't support namespace "
         "6ba7b8109dad11d180b400c04fd430cz (invalid UUID format)"),
    ],
)
def test_uuidv5_bad_namespace(ns: str, message: str) -> None:
    with pytest.raises(FunctionError) as exc:
        FUNCTIONS["uuidv5"].call([S(ns), S("x")])
    assert exc.value.message == message


def test_uuidv5_unknown_marked_null_and_arity() -> None:
    f = FUNCTIONS["uuidv5"]
    assert f.call([S("dns"), unknown(T.STRING)]) == unknown(T.STRING)
    assert f.call([S("dns"), unknown(T.DYNAMIC)]) == unknown(T.DYNAMIC)
    got = f.call([S("dns").with_marks({SENSITIVE}), S("www.terraform.io")])
    assert got == S("a5008fae-b28c-5ba5-96cd-82b4c53552d6").with_marks({SENSITIVE})
    assert f.call([S("dns"), number(1)]) == f.call([S("dns"), S("1")])
    with pytest.raises(FunctionError, match="must not be null"):
        f.call([null(T.STRING), S("x")])
    with pytest.raises(ArityError):
        f.call([S("dns")])


def test_uuidv4_is_pure_and_distinct() -> None:
    f = FUNCTIONS["uuidv4"]
    a = CallContext(seed=b"plan-1")
    first, second = f.call([], a), f.call([], a)
    assert V4.fullmatch(first.as_string()) and V4.fullmatch(second.as_string())
    assert first != second
    b = CallContext(seed=b"plan-1")
    assert [f.call([], b), f.call([], b)] == [first, second]
    assert f.call([], CallContext(seed=b"plan-2")) != first
    with pytest.raises(ArityError):
        f.call([S("x")])


@given(st.binary(max_size=32), st.integers(min_value=0, max_value=2**32))
def test_uuidv4_format(seed: bytes, counter: int) -> None:
    u = uuid_v4(seed, counter)
    assert V4.fullmatch(u)
    assert parse_uuid(u).hex() == u.replace("-", "")


@given(st.uuids())
def test_parse_uuid_round_trip(u: object) -> None:
    text = str(u)
    assert parse_uuid(text).hex() == text.replace("-", "")
    assert parse_uuid("urn:uuid:" + text.upper()).hex() == text.replace("-", "")
