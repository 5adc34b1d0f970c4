"""UUID functions: uuidv4 (made pure: derived from the context seed) and uuidv5, as go-cty-funcs has them."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..cty import types as T
from ..cty.values import Value, string
from .base import CallContext, Function, FunctionError, Param, register
from .gostr import go_quote

FUNCTIONS: dict[str, Function] = {}


def _param(name: str, ty: T.Type) -> Param:
    """A parameter as go-cty-funcs and cty's stdlib declare these: no AllowDynamicType."""
    return Param(name, ty, allow_dynamic=False)

NAMESPACES = {
    "dns": bytes.fromhex("6ba7b8109dad11d180b400c04fd430c8"),
    "url": bytes.fromhex("6ba7b8119dad11d180b400c04fd430c8"),
    "oid": bytes.fromhex("6ba7b8129dad11d180b400c04fd430c8"),
    "x500": bytes.fromhex("6ba7b8149dad11d180b400c04fd430c8"),
}


def format_uuid(b: bytes) -> str:
    """The canonical 8-4-4-4-12 lower-case form."""
    h = b.hex()
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _set_version(b: bytes, version: int) -> bytes:
    u = bytearray(b[:16])
    u[6] = (u[6] & 0x0F) | (version << 4)
    u[8] = (u[8] & 0x3F) | 0x80
    return bytes(u)


_FORMAT_ERROR = "invalid UUID format"


def parse_uuid(s: str) -> bytes:
    """Parse a UUID as github.com/google/uuid's Parse does (raising ValueError with its message)."""
    raw = s.encode("utf-8", "surrogateescape")
    n = len(raw)
    if n == 32:
        if not all(c in _HEX for c in raw):
            _bad()
        return bytes.fromhex(raw.decode("ascii"))
    if n == 36 + 9:
        if raw[:9].lower() != b"urn:uuid:":
            raise ValueError(f"invalid urn prefix: {go_quote(raw[:9])}")
        raw = raw[9:]
    elif n == 36 + 2:
        raw = raw[1:]
    elif n != 36:
        raise ValueError(f"invalid UUID length: {n}")
    if raw[8:9] != b"-" or raw[13:14] != b"-" or raw[18:19] != b"-" or raw[23:24] != b"-":
        _bad()
    out = bytearray()
    for x in (0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34):
        pair = raw[x : x + 2]
        if not all(c in _HEX for c in pair):
            _bad()
        out.append(int(pair.decode("ascii"), 16))
    return bytes(out)


_HEX = frozenset(b"0123456789abcdefABCDEF")


def _bad() -> bytes:
    raise ValueError(_FORMAT_ERROR)


def uuid_v5(namespace: bytes, name: bytes) -> str:
    """A name-based (SHA-1) UUID, as uuid.NewSHA1."""
    return format_uuid(_set_version(hashlib.sha1(namespace + name).digest(), 5))


def uuid_v4(seed: bytes, counter: int) -> str:
    """A version-4 UUID whose 122 "random" bits are SHA-256(seed, counter): pure, yet distinct per call."""
    digest = hashlib.sha256(b"bake-uuidv4\x00" + seed + b"\x00" + counter.to_bytes(8, "big")).digest()
    return format_uuid(_set_version(digest, 4))


def _uuidv4(args: Sequence[Value], ctx: CallContext) -> Value:
    return string(uuid_v4(ctx.seed, ctx.next_counter()))


def _uuidv5(args: Sequence[Value], ctx: CallContext) -> Value:
    ns_text = args[0].as_string()
    namespace = NAMESPACES.get(ns_text)
    if namespace is None:
        try:
            namespace = parse_uuid(ns_text)
        except ValueError as exc:
            raise FunctionError(f"uuidv5() doesn't support namespace {ns_text} ({exc})") from None
    return string(uuid_v5(namespace, args[1].as_string().encode("utf-8")))


register(
    FUNCTIONS,
    Function(
        "uuidv4",
        [],
        T.STRING,
        _uuidv4,
        description="A version 4 UUID. bake derives it from the plan inputs and the call site (CallContext.seed and "
        "a per-context counter) instead of a random source, so a plan is reproducible.",
    ),
)
register(
    FUNCTIONS,
    Function(
        "uuidv5",
        [_param("namespace", T.STRING), _param("name", T.STRING)],
        T.STRING,
        _uuidv5,
        description="A name-based (SHA-1) UUID in a namespace: dns, url, oid, x500 or a UUID.",
    ),
)
