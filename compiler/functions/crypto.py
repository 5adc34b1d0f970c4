"""Hash and crypto functions: md5 sha1 sha256 sha512 bcrypt rsadecrypt, as go-cty-funcs' crypto package."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

from ..cty import types as T
from ..cty.values import Value, string
from .base import CallContext, Function, FunctionError, Param, register
from .gostr import go_base64_decode, go_int, go_quote

FUNCTIONS: dict[str, Function] = {}


def _param(name: str, ty: T.Type) -> Param:
    """A parameter as go-cty-funcs and cty's stdlib declare these: no AllowDynamicType."""
    return Param(name, ty, allow_dynamic=False)


def _hash_function(name: str, algo: Callable[[bytes], hashlib._Hash]) -> Function:
    def impl(args: Sequence[Value], ctx: CallContext) -> Value:
        return string(algo(args[0].as_string().encode("utf-8")).hexdigest())

    return Function(name, [_param("str", T.STRING)], T.STRING, impl, description=f"Hex {name} of a string's UTF-8.")


register(FUNCTIONS, _hash_function("md5", hashlib.md5))
register(FUNCTIONS, _hash_function("sha1", hashlib.sha1))
register(FUNCTIONS, _hash_function("sha256", hashlib.sha256))
register(FUNCTIONS, _hash_function("sha512", hashlib.sha512))

# ------------------------------------------------------------------ bcrypt

BCRYPT_MIN_COST = 4
BCRYPT_MAX_COST = 31
BCRYPT_DEFAULT_COST = 10


def _bcrypt(args: Sequence[Value], ctx: CallContext) -> Value:
    import bcrypt

    cost = BCRYPT_DEFAULT_COST
    if len(args) > 1:
        cost = go_int(args[1])
    if len(args) > 2:
        raise FunctionError("bcrypt() takes no more than two arguments")
    password = args[0].as_string().encode("utf-8")
    if len(password) > 72:
        raise FunctionError("error occured generating password bcrypt: password length exceeds 72 bytes")
    if cost < BCRYPT_MIN_COST:
        cost = BCRYPT_DEFAULT_COST
    if cost > BCRYPT_MAX_COST:
        raise FunctionError(
            f"error occured generating password crypto/bcrypt: cost {cost} is outside allowed inclusive range "
            f"{BCRYPT_MIN_COST}..{BCRYPT_MAX_COST}"
        )
    hashed = bcrypt.hashpw(password, bcrypt.gensalt(rounds=cost, prefix=b"2a"))
    return string(hashed.decode("ascii"))


register(
    FUNCTIONS,
    Function(
        "bcrypt",
        [_param("str", T.STRING)],
        T.STRING,
        _bcrypt,
        var_param=_param("cost", T.NUMBER),
        description="A bcrypt hash ($2a$, random salt) of a string, with an optional cost (default 10).",
    ),
)

# ------------------------------------------------------------------ rsadecrypt

_PEM = re.compile(
    rb"-----BEGIN (?P<type>[^\r\n]*?)-----\r?\n(?P<body>.*?)-----END (?P=type)-----",
    re.DOTALL,
)


def _pem_decode(data: bytes) -> tuple[dict[str, str], bytes] | None:
    """The first PEM block's headers and bytes, roughly as encoding/pem.Decode finds it."""
    for m in _PEM.finditer(data):
        body = m.group("body")
        headers: dict[str, str] = {}
        lines = body.split(b"\n")
        rest_start = 0
        for i, line in enumerate(lines):
            text = line.strip(b" \t\r")
            if b":" not in text:
                rest_start = i
                break
            key, _, value = text.partition(b":")
            headers[key.strip().decode("latin-1")] = value.strip().decode("latin-1")
        else:
            rest_start = len(lines)
        b64 = b"".join(line.strip(b" \t\r") for line in lines[rest_start:])
        try:
            import base64
            import binascii

            der = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            continue
        return headers, der
    return None


def _der_elements(der: bytes) -> list[tuple[int, bytes]] | None:
    """The (tag, content) elements inside a top-level DER SEQUENCE, or None if it is not one."""

    def read(buf: bytes, i: int) -> tuple[int, bytes, int] | None:
        if i + 2 > len(buf):
            return None
        tag, length = buf[i], buf[i + 1]
        i += 2
        if length & 0x80:
            n = length & 0x7F
            if n == 0 or n > 4 or i + n > len(buf):
                return None
            length = int.from_bytes(buf[i : i + n], "big")
            i += n
        if i + length > len(buf):
            return None
        return tag, buf[i : i + length], i + length

    top = read(der, 0)
    if top is None or top[0] != 0x30 or top[2] != len(der):
        return None
    out: list[tuple[int, bytes]] = []
    i, body = 0, top[1]
    while i < len(body):
        el = read(body, i)
        if el is None:
            return None
        out.append((el[0], el[1]))
        i = el[2]
    return out


def _parse_pkcs1(der: bytes) -> tuple[int, int]:
    """(n, d) of a PKCS #1 RSA private key, with x509.ParsePKCS1PrivateKey's errors."""
    els = _der_elements(der)
    ints = [int.from_bytes(c, "big", signed=True) for t, c in els or [] if t == 0x02]
    if els is None or len(els) < 9 or len(ints) != len(els):
        if els and len(els) >= 2 and els[0][0] == 0x02 and els[1][0] == 0x04:
            raise FunctionError("x509: failed to parse private key (use ParseECPrivateKey instead for this key format)")
        if els and len(els) >= 3 and els[0][0] == 0x02 and els[1][0] == 0x30 and els[2][0] == 0x04:
            raise FunctionError(
                "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)"
            )
        raise FunctionError("asn1: structure error: not a PKCS #1 RSA private key")
    version, n, _e, d, p, q = ints[:6]
    if version > 1:
        raise FunctionError("x509: unsupported private key version")
    if n <= 0 or d <= 0 or p <= 0 or q <= 0:
        raise FunctionError("x509: private key contains zero or negative value")
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    try:
        load_der_private_key(der, password=None)
    except (ValueError, TypeError):
        raise FunctionError("crypto/rsa: invalid private key") from None
    return n, d


def _rsadecrypt(args: Sequence[Value], ctx: CallContext) -> Value:
    s = args[0].as_string()
    key = args[1].as_string()
    try:
        ciphertext = go_base64_decode(s.encode("utf-8"))
    except ValueError:
        raise FunctionError(f"failed to decode input {go_quote(s)}: cipher text must be base64-encoded") from None
    block = _pem_decode(key.encode("utf-8"))
    if block is None:
        raise FunctionError("failed to parse key: no key found")
    headers, der = block
    if headers.get("Proc-Type") == "4,ENCRYPTED":
        raise FunctionError(
            "failed to parse key: password protected keys are not supported. Please decrypt the key prior to use"
        )
    n, d = _parse_pkcs1(der)
    k = (n.bit_length() + 7) // 8
    if len(ciphertext) > k or k < 11:
        raise FunctionError("crypto/rsa: decryption error")
    c = int.from_bytes(ciphertext, "big")
    if c >= n:
        raise FunctionError("crypto/rsa: decryption error")
    em = pow(c, d, n).to_bytes(k, "big")
    # EM = 0x00 || 0x02 || PS (at least 8 non-zero bytes) || 0x00 || M
    sep = em.find(b"\x00", 2)
    if em[0] != 0 or em[1] != 2 or sep < 10:
        raise FunctionError("crypto/rsa: decryption error")
    return string(em[sep + 1 :].decode("utf-8", "replace"))


register(
    FUNCTIONS,
    Function(
        "rsadecrypt",
        [_param("ciphertext", T.STRING), _param("privatekey", T.STRING)],
        T.STRING,
        _rsadecrypt,
        description="Decrypt base64 RSA PKCS #1 v1.5 ciphertext with a PEM PKCS #1 private key.",
    ),
)
