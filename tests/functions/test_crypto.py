"""Hashes, bcrypt and rsadecrypt against go-cty-funcs' crypto package (Terraform's documented examples)."""

from __future__ import annotations

import base64

import bcrypt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from bake.compiler.cty import types as T
from bake.compiler.cty.numbers import Num
from bake.compiler.cty.values import SENSITIVE, Value, boolean, null, number, string, tuple_of, unknown
from bake.compiler.functions.base import ArityError, FunctionError
from bake.compiler.functions.crypto import FUNCTIONS

S = string
WHOLE = "value must be a whole number, between -9223372036854775808 and 9223372036854775807"

HASHES = [
    ("md5", "hello world", "5eb63bbbe01eeed093cb22bb8f5acdc3"),
    ("md5", "", "d41d8cd98f00b204e9800998ecf8427e"),
    ("md5", "é", "66ddcd97cfdeabb2f6fb8a999b4bc76f"),
    ("sha1", "hello world", "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
    ("sha1", "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("sha256", "hello world", "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
    ("sha256", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("sha512", "hello world", "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f"
     "989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f"),
    ("sha512", "", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
     "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
]


@pytest.mark.parametrize(("fn", "text", "want"), HASHES)
def test_hashes(fn: str, text: str, want: str) -> None:
    assert FUNCTIONS[fn].call([S(text)]) == S(want)


@pytest.mark.parametrize("fn", ["md5", "sha1", "sha256", "sha512"])
def test_hash_unknown_marked_and_converted(fn: str) -> None:
    f = FUNCTIONS[fn]
    assert f.call([unknown(T.STRING)]) == unknown(T.STRING)
    assert f.call([unknown(T.DYNAMIC)]) == unknown(T.DYNAMIC)  # no AllowDynamicType in go-cty-funcs
    assert f.call([S("x").with_marks({SENSITIVE})]).marks == frozenset({SENSITIVE})
    assert f.call([number(1)]) == f.call([S("1")])
    assert f.call([boolean(True)]) == f.call([S("true")])
    with pytest.raises(FunctionError, match="must not be null"):
        f.call([null(T.STRING)])
    with pytest.raises(FunctionError, match="string required"):
        f.call([tuple_of([])])
    with pytest.raises(ArityError):
        f.call([])


def test_bcrypt_default_cost_verifies() -> None:
    got = FUNCTIONS["bcrypt"].call([S("hello world")]).as_string()
    assert got.startswith("$2a$10$") and len(got) == 60
    assert bcrypt.checkpw(b"hello world", got.encode())


@pytest.mark.parametrize(("cost", "prefix"), [(4, "$2a$04$"), (5, "$2a$05$"), (3, "$2a$10$"), (-1, "$2a$10$")])
def test_bcrypt_cost(cost: int, prefix: str) -> None:
    got = FUNCTIONS["bcrypt"].call([S("pw"), number(cost)]).as_string()
    assert got.startswith(prefix)
    assert bcrypt.checkpw(b"pw", got.encode())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([S("pw"), number(32)], "error occured generating password crypto/bcrypt: cost 32 is outside allowed "
         "inclusive range 4..31"),
        ([S("pw"), number(Num.parse("4.5"))], WHOLE),
        ([S("pw"), number(4), number(4)], "bcrypt() takes no more than two arguments"),
        ([S("x" * 73)], "error occured generating password bcrypt: password length exceeds 72 bytes"),
        ([S("pw"), S("abc")], "a number is required"),
    ],
)
def test_bcrypt_errors(args: list[Value], message: str) -> None:
    with pytest.raises(FunctionError) as exc:
        FUNCTIONS["bcrypt"].call(args)
    assert exc.value.message == message


def test_bcrypt_unknown_marked_arity() -> None:
    f = FUNCTIONS["bcrypt"]
    assert f.call([unknown(T.STRING)]) == unknown(T.STRING)
    assert f.call([S("a"), unknown(T.NUMBER)]) == unknown(T.STRING)
    assert f.call([S("a").with_marks({SENSITIVE}), number(4)]).marks == frozenset({SENSITIVE})
    assert bcrypt.checkpw(b"x" * 72, f.call([S("x" * 72), number(4)]).as_string().encode())
    with pytest.raises(ArityError):
        f.call([])


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


def _pem(key: rsa.RSAPrivateKey, fmt: serialization.PrivateFormat) -> str:
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()


def _encrypt(key: rsa.RSAPrivateKey, text: bytes) -> str:
    return base64.b64encode(key.public_key().encrypt(text, padding.PKCS1v15())).decode()


def test_rsadecrypt(rsa_key: rsa.RSAPrivateKey) -> None:
    pem = _pem(rsa_key, serialization.PrivateFormat.TraditionalOpenSSL)
    f = FUNCTIONS["rsadecrypt"]
    assert f.call([S(_encrypt(rsa_key, b"Hello, world!")), S(pem)]) == S("Hello, world!")
    assert f.call([S(_encrypt(rsa_key, "héllo".encode())), S("junk before\n" + pem)]) == S("héllo")
    assert f.call([S(_encrypt(rsa_key, b"")), S(pem)]) == S("")
    marked = f.call([S(_encrypt(rsa_key, b"x")), S(pem).with_marks({SENSITIVE})])
    assert marked == S("x").with_marks({SENSITIVE})
    assert f.call([unknown(T.STRING), S(pem)]) == unknown(T.STRING)


def test_rsadecrypt_errors(rsa_key: rsa.RSAPrivateKey) -> None:
    f = FUNCTIONS["rsadecrypt"]
    pem = _pem(rsa_key, serialization.PrivateFormat.TraditionalOpenSSL)
    good = _encrypt(rsa_key, b"x")

    def err(args: list[Value]) -> str:
        with pytest.raises(FunctionError) as exc:
            f.call(args)
        return exc.value.message

    assert err([S("not base64!"), S(pem)]) == 'failed to decode input "not base64!": cipher text must be base64-encoded'
    assert err([S(good), S("no key here")]) == "failed to parse key: no key found"
    encrypted = pem.replace("-----\n", "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n", 1)
    assert err([S(good), S(encrypted)]) == (
        "failed to parse key: password protected keys are not supported. Please decrypt the key prior to use"
    )
    pkcs8 = _pem(rsa_key, serialization.PrivateFormat.PKCS8)
    assert err([S(good), S(pkcs8)]) == (
        "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)"
    )
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_pem = _pem(ec_key, serialization.PrivateFormat.TraditionalOpenSSL)  # type: ignore[arg-type]
    assert err([S(good), S(ec_pem)]) == (
        "x509: failed to parse private key (use ParseECPrivateKey instead for this key format)"
    )
    assert err([S(base64.b64encode(b"\x00" * 128).decode()), S(pem)]) == "crypto/rsa: decryption error"
    assert err([S(base64.b64encode(b"\xff" * 129).decode()), S(pem)]) == "crypto/rsa: decryption error"
    with pytest.raises(ArityError):
        f.call([S(good)])


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=40))
def test_rsadecrypt_round_trip(text: str) -> None:
    key = _KEY
    pem = _pem(key, serialization.PrivateFormat.TraditionalOpenSSL)
    got = FUNCTIONS["rsadecrypt"].call([S(_encrypt(key, text.encode())), S(pem)])
    assert got == S(text)


_KEY = rsa.generate_private_key(public_exponent=65537, key_size=1024)
