"""cidrhost, cidrnetmask, cidrsubnet and cidrsubnets against go-cty-funcs (Go's net and go-cidr)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bake.compiler.cty import types as T
from bake.compiler.cty.numbers import Num
from bake.compiler.cty.values import SENSITIVE, Value, list_of, null, number, string, unknown
from bake.compiler.functions.base import ArityError, FunctionError
from bake.compiler.functions.network import FUNCTIONS

S, N = string, number
WHOLE = "value must be a whole number, between -9223372036854775808 and 9223372036854775807"


def call(name: str, *args: str | int | Value) -> Value:
    vals = [a if isinstance(a, Value) else S(a) if isinstance(a, str) else N(a) for a in args]
    return FUNCTIONS[name].call(vals)


OK = [
    ("cidrhost", ("10.12.112.0/20", 16), "10.12.112.16"),
    ("cidrhost", ("10.12.112.0/20", 268), "10.12.113.12"),
    ("cidrhost", ("fd00:fd12:3456:7890:00a2::/72", 34), "fd00:fd12:3456:7890::22"),
    ("cidrhost", ("192.168.1.0/24", 5), "192.168.1.5"),
    ("cidrhost", ("192.168.1.0/24", -5), "192.168.1.251"),
    ("cidrhost", ("192.168.1.0/24", -256), "192.168.1.0"),
    ("cidrhost", ("192.168.1.0/24", -1), "192.168.1.255"),
    ("cidrhost", ("192.168.1.77/24", 1), "192.168.1.1"),
    ("cidrhost", ("10.0.0.0/32", 0), "10.0.0.0"),
    ("cidrhost", ("0.0.0.0/0", 4294967295), "255.255.255.255"),
    ("cidrhost", ("::/0", -1), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
    ("cidrhost", ("2001:db8::/32", 65536), "2001:db8::1:0"),
    ("cidrhost", ("10.0.0.0/008", 1), "10.0.0.1"),
    ("cidrnetmask", ("172.16.0.0/12",), "255.240.0.0"),
    ("cidrnetmask", ("10.0.0.0/8",), "255.0.0.0"),
    ("cidrnetmask", ("10.0.0.0/0",), "0.0.0.0"),
    ("cidrnetmask", ("10.1.2.3/32",), "255.255.255.255"),
    ("cidrnetmask", ("fd00::/64",), "ffff:ffff:ffff:ffff::"),
    ("cidrnetmask", ("fd00::/0",), "::"),
    ("cidrsubnet", ("172.16.0.0/12", 4, 2), "172.18.0.0/16"),
    ("cidrsubnet", ("10.1.2.0/24", 4, 15), "10.1.2.240/28"),
    ("cidrsubnet", ("fd00:fd12:3456:7890::/56", 16, 162), "fd00:fd12:3456:7800:a200::/72"),
    ("cidrsubnet", ("192.168.2.0/20", 4, 6), "192.168.6.0/24"),
    ("cidrsubnet", ("fe80::/48", 16, 6), "fe80:0:0:6::/64"),
    ("cidrsubnet", ("fe80::/48", 0, 0), "fe80::/48"),
    ("cidrsubnet", ("10.0.0.0/16", -8, 0), "10.0.0.0/8"),
    ("cidrsubnet", ("10.0.0.0/16", 8, -1), "0.0.1.0/24"),
    ("cidrsubnet", ("10.0.0.0/8", 24, 16777215), "10.255.255.255/32"),
]


@pytest.mark.parametrize(("fn", "args", "want"), OK)
def test_ok(fn: str, args: tuple[str | int, ...], want: str) -> None:
    assert call(fn, *args) == S(want)


ERRORS = [
    ("cidrhost", ("192.168.1.0/30", 255), "prefix of 30 does not accommodate a host numbered 255"),
    ("cidrhost", ("192.168.1.0/30", -255), "prefix of 30 does not accommodate a host numbered -251"),
    ("cidrhost", ("192.168.1.0/30", 4), "prefix of 30 does not accommodate a host numbered 4"),
    ("cidrhost", ("not-a-cidr", 6), "invalid CIDR expression: invalid CIDR address: not-a-cidr"),
    ("cidrhost", ("10.256.0.0/8", 6), "invalid CIDR expression: invalid CIDR address: 10.256.0.0/8"),
    ("cidrhost", ("10.0.0.0", 6), "invalid CIDR expression: invalid CIDR address: 10.0.0.0"),
    ("cidrhost", ("10.0.0.0/33", 6), "invalid CIDR expression: invalid CIDR address: 10.0.0.0/33"),
    ("cidrhost", ("010.0.0.0/8", 6), "invalid CIDR expression: invalid CIDR address: 010.0.0.0/8"),
    ("cidrhost", ("10.0.0.0/+8", 6), "invalid CIDR expression: invalid CIDR address: 10.0.0.0/+8"),
    ("cidrhost", ("10.0.0.0/8/8", 6), "invalid CIDR expression: invalid CIDR address: 10.0.0.0/8/8"),
    ("cidrhost", ("fe80::1%eth0/64", 6), "invalid CIDR expression: invalid CIDR address: fe80::1%eth0/64"),
    ("cidrhost", ("10.0.0.0/8", Num.parse("1.5")), WHOLE),
    ("cidrhost", ("10.0.0.0/8", Num.parse("1e30")), WHOLE),
    ("cidrnetmask", ("10.0.0.0/",), "invalid CIDR expression: invalid CIDR address: 10.0.0.0/"),
    ("cidrnetmask", ("::/129",), "invalid CIDR expression: invalid CIDR address: ::/129"),
    ("cidrsubnet", ("10.0.0.0/16", 17, 0), "insufficient address space to extend prefix of 16 by 17"),
    ("cidrsubnet", ("10.0.0.0/16", 33, 0), "may not extend prefix by more than 32 bits"),
    ("cidrsubnet", ("::/0", 33, 0), "may not extend prefix by more than 32 bits"),
    ("cidrsubnet", ("10.0.0.0/16", 4, 16), "prefix extension of 4 does not accommodate a subnet numbered 16"),
    ("cidrsubnet", ("10.0.0.0/16", 4, -17), "prefix extension of 4 does not accommodate a subnet numbered -17"),
    ("cidrsubnet", ("bad", 4, 1), "invalid CIDR expression: invalid CIDR address: bad"),
    ("cidrsubnet", ("10.0.0.0/16", Num.parse("0.5"), 1), WHOLE),
]


@pytest.mark.parametrize(("fn", "args", "message"), ERRORS)
def test_errors(fn: str, args: tuple[str | int | Num, ...], message: str) -> None:
    vals = [S(a) if isinstance(a, str) else N(a) for a in args]
    with pytest.raises(FunctionError) as exc:
        FUNCTIONS[fn].call(vals)
    assert exc.value.message == message


def test_cidrsubnets() -> None:
    assert call("cidrsubnets", "10.1.0.0/16", 4, 4, 8, 4) == list_of(
        [S("10.1.0.0/20"), S("10.1.16.0/20"), S("10.1.32.0/24"), S("10.1.48.0/20")]
    )
    assert call("cidrsubnets", "fd00:fd12:3456:7890::/56", 16, 16, 16, 32) == list_of(
        [S("fd00:fd12:3456:7800::/72"), S("fd00:fd12:3456:7800:100::/72"), S("fd00:fd12:3456:7800:200::/72"),
         S("fd00:fd12:3456:7800:300::/88")]
    )
    assert call("cidrsubnets", "10.0.0.0/8") == list_of([], T.STRING)
    assert call("cidrsubnets", "10.0.0.0/30", 1, 1) == list_of([S("10.0.0.0/31"), S("10.0.0.2/31")])
    assert call("cidrsubnets", "10.0.0.0/24", 2, 1) == list_of([S("10.0.0.0/26"), S("10.0.0.128/25")])


@pytest.mark.parametrize(
    ("args", "message", "arg"),
    [
        (("10.0.0.0/30", 1, 1, 1), "not enough remaining address space for a subnet with a prefix of 31 bits after "
         "10.0.0.2/31", 3),
        (("0.0.0.0/8", 8), "not enough remaining address space for a subnet with a prefix of 16 bits after "
         "255.255.0.0/16", 1),
        (("10.0.0.0/24", 0), "must extend prefix by at least one bit", 1),
        (("10.0.0.0/24", 4, -1), "must extend prefix by at least one bit", 2),
        (("10.0.0.0/24", 33), "may not extend prefix by more than 32 bits", 1),
        (("10.0.0.0/24", 9), "would extend prefix to 33 bits, which is too long for an IPv4 address", 1),
        (("::/120", 9), "would extend prefix to 129 bits, which is too long for an IPv6 address", 1),
        (("nope", 1), "invalid CIDR expression: invalid CIDR address: nope", 0),
        (("10.0.0.0/24", Num.parse("1.5")), WHOLE, 1),
        (("10.0.0.0/24", 1, Num.parse("1.5")), WHOLE, 2),
    ],
)
def test_cidrsubnets_errors(args: tuple[str | int | Num, ...], message: str, arg: int) -> None:
    vals = [S(a) if isinstance(a, str) else N(a) for a in args]
    with pytest.raises(FunctionError) as exc:
        FUNCTIONS["cidrsubnets"].call(vals)
    assert (exc.value.message, exc.value.arg) == (message, arg)


def test_unknown_null_marked_and_arity() -> None:
    assert call("cidrhost", unknown(T.STRING), 1) == unknown(T.STRING)
    assert call("cidrhost", unknown(T.DYNAMIC), 1) == unknown(T.DYNAMIC)
    assert call("cidrsubnets", "10.0.0.0/8", unknown(T.NUMBER)) == unknown(T.List(T.STRING))
    assert call("cidrnetmask", S("10.0.0.0/8").with_marks({SENSITIVE})) == S("255.0.0.0").with_marks({SENSITIVE})
    assert call("cidrhost", "10.0.0.0/8", S("3")) == S("10.0.0.3")
    with pytest.raises(FunctionError, match="must not be null"):
        call("cidrsubnet", null(T.STRING), 1, 1)
    with pytest.raises(FunctionError, match="a number is required"):
        call("cidrhost", "10.0.0.0/8", S("x"))
    with pytest.raises(ArityError):
        call("cidrsubnet", "10.0.0.0/8", 1)
    with pytest.raises(ArityError):
        call("cidrsubnets")


@given(st.ip_addresses(v=4), st.integers(0, 32), st.integers(0, 2**32))
def test_cidrhost_matches_ipaddress(addr: ipaddress.IPv4Address, prefix: int, host: int) -> None:
    net = ipaddress.ip_network(f"{addr}/{prefix}", strict=False)
    if host < net.num_addresses:
        assert call("cidrhost", f"{addr}/{prefix}", host) == S(str(net[host]))
        assert call("cidrhost", f"{addr}/{prefix}", -host - 1) == S(str(net[net.num_addresses - host - 1]))


@given(st.ip_addresses(v=6), st.integers(0, 128), st.integers(0, 40))
def test_ipv6_subnet_matches_ipaddress(addr: ipaddress.IPv6Address, prefix: int, extra: int) -> None:
    net = ipaddress.ip_network(f"{addr}/{prefix}", strict=False)
    assert call("cidrnetmask", f"{addr}/{prefix}") == S(str(net.netmask))
    new = prefix + min(extra, 32)
    if new <= 128 and not addr.ipv4_mapped:
        assert call("cidrsubnet", f"{addr}/{prefix}", new - prefix, 0) == S(f"{net.network_address}/{new}")
