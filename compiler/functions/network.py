"""CIDR functions: cidrhost cidrnetmask cidrsubnet cidrsubnets, as go-cty-funcs (Go's net package and go-cidr)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from ..cty import types as T
from ..cty.values import Value, list_of, string
from .base import CallContext, Function, FunctionError, Param, register
from .gostr import go_int

FUNCTIONS: dict[str, Function] = {}


def _param(name: str, ty: T.Type) -> Param:
    """A parameter as go-cty-funcs and cty's stdlib declare these: no AllowDynamicType."""
    return Param(name, ty, allow_dynamic=False)

# Go's net.IP is a byte string of 4 or 16 bytes; IPv4 addresses parsed from text are 16-byte v4-mapped ones.
IP = bytes
_V4_IN_V6 = b"\x00" * 10 + b"\xff\xff"
IPV4_ZERO = _V4_IN_V6 + b"\x00\x00\x00\x00"
IPV6_ZERO = b"\x00" * 16


class _Panic(Exception):
    """A Go runtime panic inside the function, which go-cty reports as an error."""


class IPNet:
    """net.IPNet: a network number and a mask (either may be None, as Go's nil)."""

    def __init__(self, ip: IP | None, mask: bytes | None) -> None:
        self.ip = ip
        self.mask = mask

    def __str__(self) -> str:
        nn, m = _network_number_and_mask(self)
        if nn is None or m is None:
            return "<nil>"
        n = _simple_mask_length(m)
        if n == -1:
            return ip_string(nn) + "/" + m.hex()
        return ip_string(nn) + "/" + str(n)

    def contains(self, ip: IP | None) -> bool:
        """IPNet.Contains."""
        nn, m = _network_number_and_mask(self)
        if nn is None or m is None or ip is None:
            return False
        x = to4(ip)
        if x is not None:
            ip = x
        if len(ip) != len(nn):
            return False
        return all(nn[i] & m[i] == ip[i] & m[i] for i in range(len(ip)))


def to4(ip: IP) -> IP | None:
    """IP.To4."""
    if len(ip) == 4:
        return ip
    if len(ip) == 16 and ip[:12] == _V4_IN_V6:
        return ip[12:]
    return None


def ip_string(ip: IP | None) -> str:
    """IP.String: dotted quad for IPv4 (and v4-mapped IPv6), RFC 5952 for IPv6."""
    if not ip:
        return "<nil>"
    if len(ip) not in (4, 16):
        return "?" + ip.hex()
    v4 = to4(ip)
    if v4 is not None:
        return ".".join(str(b) for b in v4)
    groups = [int.from_bytes(ip[i : i + 2], "big") for i in range(0, 16, 2)]
    best_start, best_len = -1, 0
    i = 0
    while i < 8:
        if groups[i] == 0:
            j = i
            while j < 8 and groups[j] == 0:
                j += 1
            if j - i > best_len and j - i >= 2:
                best_start, best_len = i, j - i
            i = j
        else:
            i += 1
    if best_start < 0:
        return ":".join(f"{g:x}" for g in groups)
    head = ":".join(f"{g:x}" for g in groups[:best_start])
    tail = ":".join(f"{g:x}" for g in groups[best_start + best_len :])
    return head + "::" + tail


def cidr_mask(ones: int, bits: int) -> bytes | None:
    """net.CIDRMask (None when out of range)."""
    if bits not in (32, 128) or ones < 0 or ones > bits:
        return None
    value = ((1 << ones) - 1) << (bits - ones)
    return value.to_bytes(bits // 8, "big")


def mask_size(mask: bytes | None) -> tuple[int, int]:
    """IPMask.Size: (ones, bits), or (0, 0) for a non-canonical mask."""
    if not mask:
        return 0, 0
    ones = _simple_mask_length(mask)
    if ones == -1:
        return 0, 0
    return ones, len(mask) * 8


def _simple_mask_length(mask: bytes) -> int:
    n = 0
    for i, v in enumerate(mask):
        if v == 0xFF:
            n += 8
            continue
        while v & 0x80:
            n += 1
            v = (v << 1) & 0xFF
        if v != 0:
            return -1
        if any(b != 0 for b in mask[i + 1 :]):
            return -1
        break
    return n


def ip_mask(ip: IP | None, mask: bytes | None) -> IP | None:
    """IP.Mask (nil IPs and masks as empty ones)."""
    ip = ip or b""
    mask = mask or b""
    if len(mask) == 16 and len(ip) == 4 and mask[:12] == b"\xff" * 12:
        mask = mask[12:]
    if len(mask) == 4 and len(ip) == 16 and ip[:12] == _V4_IN_V6:
        ip = ip[12:]
    if len(ip) != len(mask):
        return None
    return bytes(a & b for a, b in zip(ip, mask, strict=True))


def ip_equal(a: IP, b: IP) -> bool:
    """IP.Equal."""
    if len(a) == len(b):
        return a == b
    if len(a) == 4 and len(b) == 16:
        return b[:12] == _V4_IN_V6 and a == b[12:]
    if len(a) == 16 and len(b) == 4:
        return a[:12] == _V4_IN_V6 and a[12:] == b
    return False


def _network_number_and_mask(n: IPNet) -> tuple[IP | None, bytes | None]:
    if n.ip is None:
        return None, None
    ip = to4(n.ip)
    if ip is None:
        ip = n.ip
        if len(ip) != 16:
            return None, None
    m = n.mask
    if m is None:
        return None, None
    if len(m) == 4:
        if len(ip) != 4:
            return None, None
    elif len(m) == 16:
        if len(ip) == 4:
            m = m[12:]
    else:
        return None, None
    return ip, m


def _parse_addr(text: str) -> IP | None:
    """netip.ParseAddr as 16 bytes (IPv4 as v4-mapped) and whether it was IPv4; None when invalid or zoned."""
    for ch in text:
        if ch == ".":
            try:
                return _V4_IN_V6 + ipaddress.IPv4Address(text).packed
            except ValueError:
                return None
        if ch == ":":
            if "%" in text:
                return None
            try:
                return ipaddress.IPv6Address(text).packed
            except ValueError:
                return None
        if ch == "%":
            return None
    return None


def parse_cidr(s: str) -> IPNet:
    """net.ParseCIDR's network, or FunctionError("invalid CIDR expression: invalid CIDR address: ...")."""
    addr, sep, mask_text = s.partition("/")
    ip = _parse_addr(addr) if sep else None
    is4 = ip is not None and "." in addr and ":" not in addr
    bits = 32 if is4 else 128
    digits = 0
    while digits < len(mask_text) and "0" <= mask_text[digits] <= "9":
        digits += 1
    if ip is None or digits == 0 or digits != len(mask_text) or int(mask_text) > bits:
        raise FunctionError(f"invalid CIDR expression: invalid CIDR address: {s}")
    m = cidr_mask(int(mask_text), bits)
    return IPNet(ip_mask(ip, m), m)


# ------------------------------------------------------------------ go-cidr


def _ip_to_int(ip: IP | None) -> tuple[int, int]:
    if ip is None or len(ip) not in (4, 16):
        raise _Panic(f"Unsupported address length {0 if ip is None else len(ip)}")
    return int.from_bytes(ip, "big"), 32 if len(ip) == 4 else 128


def _int_to_ip(value: int, bits: int) -> IP:
    raw = abs(value)
    size = (raw.bit_length() + 7) // 8
    if size > bits // 8:
        raise _Panic("runtime error: index out of range [-1]")
    return raw.to_bytes(bits // 8, "big")


def _insert_num(ip: IP | None, num: int, prefix_len: int) -> IP:
    ip_int, total = _ip_to_int(ip)
    shift = total - prefix_len
    return _int_to_ip(ip_int | (num << shift), total)


def cidr_host(base: IPNet, num: int) -> IP:
    """cidr.Host (HostBig), including its treatment of negative host numbers."""
    parent_len, addr_len = mask_size(base.mask)
    host_len = addr_len - parent_len
    max_host = (1 << host_len) - 1
    num_u = abs(num) & ((1 << 64) - 1)
    if num < 0:
        num_u = -num - 1
        num = max_host - num_u
    if num_u > max_host:
        raise FunctionError(f"prefix of {parent_len} does not accommodate a host numbered {num}")
    bitlength = 32 if base.ip is not None and to4(base.ip) is not None else 128
    return _insert_num(base.ip, num, bitlength)


def cidr_subnet(base: IPNet, new_bits: int, num: int) -> IPNet:
    """cidr.Subnet (SubnetBig)."""
    parent_len, addr_len = mask_size(base.mask)
    new_len = parent_len + new_bits
    if new_len > addr_len:
        raise FunctionError(f"insufficient address space to extend prefix of {parent_len} by {new_bits}")
    max_net = ((1 << new_bits) if 0 <= new_bits < 64 else 0) - 1
    max_net &= (1 << 64) - 1
    if abs(num) & ((1 << 64) - 1) > max_net:
        raise FunctionError(f"prefix extension of {new_bits} does not accommodate a subnet numbered {num}")
    return IPNet(_insert_num(base.ip, num, new_len), cidr_mask(new_len, addr_len))


def _check_ipv4(ip: IP) -> IP:
    return to4(ip) or ip


def _dec(ip: IP) -> IP:
    b = bytearray(_check_ipv4(ip))
    for j in range(len(b) - 1, -1, -1):
        b[j] = (b[j] - 1) & 0xFF
        if b[j] < 255:
            break
    return bytes(b)


def _inc(ip: IP) -> IP:
    b = bytearray(_check_ipv4(ip))
    for j in range(len(b) - 1, -1, -1):
        b[j] = (b[j] + 1) & 0xFF
        if b[j] > 0:
            break
    return bytes(b)


def _address_range_last(n: IPNet) -> IP:
    prefix_len, bits = mask_size(n.mask)
    first = n.ip
    if prefix_len == bits:
        return first or b""
    first_int, bits = _ip_to_int(first)
    host_len = bits - prefix_len
    return _int_to_ip(first_int | ((1 << host_len) - 1), bits)


def previous_subnet(n: IPNet, prefix_len: int) -> IPNet:
    """cidr.PreviousSubnet (its rollover flag is not used by cidrsubnets)."""
    start = _check_ipv4(n.ip or b"")
    m = cidr_mask(prefix_len, 8 * len(start))
    prev = _dec(start)
    return IPNet(ip_mask(prev, m), m)


def next_subnet(n: IPNet, prefix_len: int) -> tuple[IPNet, bool]:
    """cidr.NextSubnet: the next subnet of a prefix length, and whether the address space rolled over."""
    current_last = _address_range_last(n)
    m = cidr_mask(prefix_len, 8 * len(current_last))
    current = IPNet(ip_mask(current_last, m), m)
    last = _inc(_address_range_last(current))
    nxt = IPNet(ip_mask(last, m), m)
    return nxt, ip_equal(last, IPV4_ZERO) or ip_equal(last, IPV6_ZERO)


# ------------------------------------------------------------------ the functions


def _panicking(err: _Panic) -> FunctionError:
    return FunctionError(f"panic in function implementation: {err}")


def _cidrhost(args: Sequence[Value], ctx: CallContext) -> Value:
    host = go_int(args[1])
    network = parse_cidr(args[0].as_string())
    try:
        return string(ip_string(cidr_host(network, host)))
    except _Panic as exc:
        raise _panicking(exc) from None


def _cidrnetmask(args: Sequence[Value], ctx: CallContext) -> Value:
    network = parse_cidr(args[0].as_string())
    return string(ip_string(network.mask))


def _cidrsubnet(args: Sequence[Value], ctx: CallContext) -> Value:
    new_bits = go_int(args[1])
    num = go_int(args[2])
    network = parse_cidr(args[0].as_string())
    if new_bits > 32:
        raise FunctionError("may not extend prefix by more than 32 bits")
    try:
        return string(str(cidr_subnet(network, new_bits, num)))
    except _Panic as exc:
        raise _panicking(exc) from None


def _cidrsubnets(args: Sequence[Value], ctx: CallContext) -> Value:
    try:
        network = parse_cidr(args[0].as_string())
    except FunctionError as exc:
        raise FunctionError(exc.message, 0) from None
    start_len, _ = mask_size(network.mask)
    lengths = args[1:]
    if not lengths:
        return list_of([], T.STRING)
    try:
        first = go_int(lengths[0]) + start_len
    except FunctionError as exc:
        raise FunctionError(exc.message, 1) from None
    out: list[Value] = []
    try:
        current = previous_subnet(network, first)
        addr_bits = len(network.ip or b"") * 8
        for i, arg in enumerate(lengths):
            try:
                length = go_int(arg)
            except FunctionError as exc:
                raise FunctionError(exc.message, i + 1) from None
            if length < 1:
                raise FunctionError("must extend prefix by at least one bit", i + 1)
            if length > 32:
                raise FunctionError("may not extend prefix by more than 32 bits", i + 1)
            length += start_len
            if length > addr_bits:
                protocol = {32: "IPv4", 128: "IPv6"}.get(addr_bits, "IP")
                raise FunctionError(
                    f"would extend prefix to {length} bits, which is too long for an {protocol} address", i + 1
                )
            nxt, rollover = next_subnet(current, length)
            if rollover or not network.contains(nxt.ip):
                raise FunctionError(
                    f"not enough remaining address space for a subnet with a prefix of {length} bits after {current}",
                    i + 1,
                )
            current = nxt
            out.append(string(str(current)))
    except _Panic as exc:
        raise _panicking(exc) from None
    return list_of(out, T.STRING)


register(
    FUNCTIONS,
    Function(
        "cidrhost",
        [_param("prefix", T.STRING), _param("hostnum", T.NUMBER)],
        T.STRING,
        _cidrhost,
        description="The IP address of a host number within a CIDR prefix (negative numbers count from the end).",
    ),
)
register(
    FUNCTIONS,
    Function(
        "cidrnetmask",
        [_param("prefix", T.STRING)],
        T.STRING,
        _cidrnetmask,
        description="The netmask of a CIDR prefix, in address notation.",
    ),
)
register(
    FUNCTIONS,
    Function(
        "cidrsubnet",
        [_param("prefix", T.STRING), _param("newbits", T.NUMBER), _param("netnum", T.NUMBER)],
        T.STRING,
        _cidrsubnet,
        description="A subnet of a CIDR prefix: newbits more prefix bits, numbered netnum.",
    ),
)
register(
    FUNCTIONS,
    Function(
        "cidrsubnets",
        [_param("prefix", T.STRING)],
        T.List(T.STRING),
        _cidrsubnets,
        var_param=_param("newbits", T.NUMBER),
        description="Consecutive subnets of a CIDR prefix, one per number of additional prefix bits.",
    ),
)
