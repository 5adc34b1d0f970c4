"""Provenance statements (in-toto Statement v1 + SLSA Provenance v1) and their DSSE ed25519 signatures."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from bake.runtime import provenance as prov

HEX64 = re.compile(r"[0-9a-f]{64}")
RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def new_key() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def make_statement(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "subjects": [("hello.tar", sha("artifact"))],
        "plan_hash": sha("plan"),
        "build": "hello.docker.box",
        "builder": "docker",
        "variables": {"region": "eu-west-1", "count": 3},
        "inputs": {"scripts/setup.sh": sha("setup"), "files/": sha("tree")},
        "base": ("busybox:latest", sha("base")),
        "steps": [
            prov.StepRecord(sha("s0"), "source", "docker", True),
            prov.StepRecord(sha("s1"), "provisioner", "shell", False),
            prov.StepRecord(sha("s2"), "finalize", "docker", False),
        ],
        "invocation_id": "0f8e2c3a-inv",
        "started": 1_700_000_000.25,
        "finished": 1_700_000_042.9,
        "version": "0.1.0",
    }
    args.update(overrides)
    return prov.statement(**args)


# ------------------------------------------------------------------ the statement


def _digest_values(value: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "digest" and isinstance(v, dict):
                found += list(v.items())
            else:
                found += _digest_values(v)
    elif isinstance(value, list):
        for v in value:
            found += _digest_values(v)
    return found


def test_statement_has_the_in_toto_and_slsa_shape() -> None:
    st = make_statement()
    assert prov.validate_statement(st) == []
    assert st["_type"] == "https://in-toto.io/Statement/v1"
    assert st["predicateType"] == "https://slsa.dev/provenance/v1"
    assert st["subject"] == [{"name": "hello.tar", "digest": {"sha256": sha("artifact")[7:]}}]
    bd = st["predicate"]["buildDefinition"]
    assert bd["buildType"] == prov.BUILD_TYPE
    assert bd["externalParameters"] == {
        "plan_hash": sha("plan"),
        "build": "hello.docker.box",
        "variables": {"region": "eu-west-1", "count": 3},
    }
    assert bd["internalParameters"] == {"builder": "docker", "bake_version": "0.1.0"}
    deps = bd["resolvedDependencies"]
    assert {"uri": "file:scripts/setup.sh", "digest": {"sha256": sha("setup")[7:]}} in deps
    assert {"name": "busybox:latest", "digest": {"sha256": sha("base")[7:]}} in deps
    assert any(d.get("uri") == "file:files/" for d in deps)
    rd = st["predicate"]["runDetails"]
    assert rd["builder"] == {"id": prov.BUILDER_ID, "version": {"bake": "0.1.0"}}
    assert rd["metadata"] == {
        "invocationId": "0f8e2c3a-inv",
        "startedOn": "2023-11-14T22:13:20Z",
        "finishedOn": "2023-11-14T22:14:02Z",
    }
    assert rd["byproducts"][1] == {
        "name": "step/1/provisioner/shell",
        "digest": {"sha256": sha("s1")[7:]},
        "annotations": {"cached": False, "kind": "provisioner", "type": "shell"},
    }
    assert [b["annotations"]["cached"] for b in rd["byproducts"]] == [True, False, False]


def test_digests_are_lowercase_hex_without_prefix_and_timestamps_rfc3339() -> None:
    upper = "sha256:" + sha("artifact")[7:].upper()
    st = make_statement(subjects=[("a", upper)], base=("docker://busybox", "sha256:" + "AB" * 32))
    digests = _digest_values(st)
    assert len(digests) == 1 + 2 + 1 + 3  # subject, two inputs, base, three steps
    for algo, value in digests:
        assert algo == "sha256"
        assert HEX64.fullmatch(value), value
    assert st["subject"][0]["digest"]["sha256"] == sha("artifact")[7:]
    assert {"uri": "docker://busybox", "digest": {"sha256": "ab" * 32}} in st["predicate"]["buildDefinition"][
        "resolvedDependencies"
    ]
    meta = st["predicate"]["runDetails"]["metadata"]
    for field in ("startedOn", "finishedOn"):
        assert RFC3339_UTC.fullmatch(meta[field])
        assert datetime.fromisoformat(meta[field].replace("Z", "+00:00")).utcoffset().total_seconds() == 0


def test_statement_refuses_no_subject_and_bad_digests() -> None:
    with pytest.raises(prov.ProvenanceError, match="at least one subject"):
        make_statement(subjects=[])
    with pytest.raises(prov.ProvenanceError, match="subject 'a'"):
        make_statement(subjects=[("a", "md5:abc")])
    with pytest.raises(prov.ProvenanceError, match="input 'scripts/x'"):
        make_statement(inputs={"scripts/x": "sha256:1234"})
    with pytest.raises(prov.ProvenanceError, match="step 0"):
        make_statement(steps=[prov.StepRecord("nokey", "source", "docker", False)])


def test_no_base_means_only_input_files_are_dependencies() -> None:
    st = make_statement(base=None, inputs={})
    assert st["predicate"]["buildDefinition"]["resolvedDependencies"] == []
    assert prov.validate_statement(st) == []


# Every field the in-toto Statement v1 and SLSA Provenance v1 specs require.
REQUIRED = [
    "_type",
    "subject",
    "subject[0].digest",
    "predicateType",
    "predicate",
    "predicate.buildDefinition",
    "predicate.buildDefinition.buildType",
    "predicate.buildDefinition.externalParameters",
    "predicate.runDetails",
    "predicate.runDetails.builder",
    "predicate.runDetails.builder.id",
]


def _split(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return parts


def _parent(doc: dict[str, Any], path: str) -> tuple[Any, str | int]:
    parts = _split(path)
    node: Any = doc
    for p in parts[:-1]:
        node = node[p]
    return node, parts[-1]


@pytest.mark.parametrize("path", REQUIRED)
def test_validate_reports_each_missing_required_field(path: str) -> None:
    st = copy.deepcopy(make_statement())
    parent, last = _parent(st, path)
    del parent[last]
    problems = prov.validate_statement(st)
    assert f"{path} is missing" in problems, problems


MISTYPED: list[tuple[str, Any, str]] = [
    ("_type", "https://in-toto.io/Statement/v0.1", "_type must be https://in-toto.io/Statement/v1"),
    ("_type", 1, "_type must be"),
    ("subject", [], "subject must be a non-empty list"),
    ("subject", {"name": "x"}, "subject must be a non-empty list"),
    ("subject[0]", "hello.tar", "subject[0] must be a resource descriptor"),
    ("subject[0].digest", {}, "subject[0].digest must be a non-empty object"),
    ("subject[0].digest", "sha256:abc", "subject[0].digest must be a non-empty object"),
    ("subject[0].digest.sha256", "ABCDEF" * 10 + "ABCD", "subject[0].digest.sha256 must be 64 lowercase hex"),
    ("subject[0].digest.sha256", "sha256:" + "a" * 64, "subject[0].digest.sha256 must be 64 lowercase hex"),
    ("subject[0].digest.sha256", "a" * 63, "subject[0].digest.sha256 must be 64 lowercase hex"),
    ("subject[0].digest.sha256", 7, "subject[0].digest.sha256 must be a non-empty string"),
    ("subject[0].name", 7, "subject[0].name must be a string"),
    ("predicateType", "https://slsa.dev/provenance/v0.2", "predicateType must be https://slsa.dev/provenance/v1"),
    ("predicate", [], "predicate must be an object"),
    ("predicate.buildDefinition", "x", "predicate.buildDefinition must be an object"),
    ("predicate.buildDefinition.buildType", 5, "predicate.buildDefinition.buildType must be a non-empty string"),
    ("predicate.buildDefinition.buildType", "apply v1", "predicate.buildDefinition.buildType must be a URI"),
    ("predicate.buildDefinition.externalParameters", [], "predicate.buildDefinition.externalParameters must be an"),
    ("predicate.buildDefinition.internalParameters", "x", "predicate.buildDefinition.internalParameters must be an"),
    ("predicate.buildDefinition.resolvedDependencies", {}, "predicate.buildDefinition.resolvedDependencies must be"),
    ("predicate.buildDefinition.resolvedDependencies[0]", {"name": "x"}, "resolvedDependencies[0] needs one of uri"),
    ("predicate.buildDefinition.resolvedDependencies[0].uri", "not a uri", "resolvedDependencies[0].uri must be a URI"),
    ("predicate.runDetails", 1, "predicate.runDetails must be an object"),
    ("predicate.runDetails.builder", "x", "predicate.runDetails.builder must be an object"),
    ("predicate.runDetails.builder.id", "", "predicate.runDetails.builder.id must be a non-empty string"),
    ("predicate.runDetails.builder.id", "bake", "predicate.runDetails.builder.id must be a URI"),
    ("predicate.runDetails.builder.version", {"bake": 1}, "predicate.runDetails.builder.version.bake must be a string"),
    ("predicate.runDetails.metadata", [], "predicate.runDetails.metadata must be an object"),
    ("predicate.runDetails.metadata.invocationId", 5, "predicate.runDetails.metadata.invocationId must be a"),
    ("predicate.runDetails.metadata.startedOn", "2026-12-06 06:10:17", "metadata.startedOn must be an RFC 3339"),
    ("predicate.runDetails.metadata.startedOn", "2026-13-45T06:10:17Z", "metadata.startedOn must be an RFC 3339"),
    ("predicate.runDetails.metadata.finishedOn", 1700000000, "metadata.finishedOn must be an RFC 3339"),
    ("predicate.runDetails.byproducts", "x", "predicate.runDetails.byproducts must be a list"),
    ("predicate.runDetails.byproducts[0].digest.sha256", "F" * 64, "byproducts[0].digest.sha256 must be 64 lowercase"),
    ("predicate.runDetails.byproducts[0].annotations", [], "byproducts[0].annotations must be an object"),
]


@pytest.mark.parametrize(("path", "value", "message"), MISTYPED)
def test_validate_reports_each_mistyped_field(path: str, value: Any, message: str) -> None:
    st = copy.deepcopy(make_statement())
    parent, last = _parent(st, path)
    parent[last] = value
    problems = prov.validate_statement(st)
    assert any(message in p for p in problems), problems


def test_validate_refuses_a_non_object() -> None:
    assert prov.validate_statement([]) == ["the statement must be a JSON object"]  # type: ignore[arg-type]


# ------------------------------------------------------------------ secrets


def test_secrets_never_appear_in_the_encoded_or_signed_statement() -> None:
    secrets = ["hunter2-s3cret", "line-one-of-key\nline-two-of-key", "9876543210"]
    st = make_statement(
        build="build-hunter2-s3cret",
        variables={"password": "hunter2-s3cret", "token-hunter2-s3cret": 1, "pin": 9876543210, "ok": "visible"},
        inputs={"secrets/line-two-of-key.txt": sha("x"), "scripts/setup.sh": sha("setup")},
        invocation_id="run hunter2-s3cret",
        secrets=secrets,
    )
    data = prov.encode(st)
    envelope = prov.sign(st, new_key())
    for blob in (data, base64.b64decode(envelope["payload"]), json.dumps(envelope).encode()):
        for s in ["hunter2-s3cret", "line-one-of-key", "line-two-of-key", "9876543210"]:
            assert s.encode() not in blob
    assert b"<sensitive>" in data
    params = st["predicate"]["buildDefinition"]["externalParameters"]
    assert params["variables"]["ok"] == "visible"
    assert params["variables"]["password"] == "<sensitive>"
    assert params["build"] == "<sensitive>"
    assert prov.validate_statement(st) == []


# ------------------------------------------------------------------ encoding and files


def test_encode_is_canonical_and_write_is_atomic(tmp_path: Path) -> None:
    st = make_statement()
    data = prov.encode(st)
    assert data == json.dumps(st, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert not data.endswith(b"\n")
    reordered = json.loads(json.dumps(st, sort_keys=False))
    assert prov.encode(dict(reversed(list(reordered.items())))) == data
    path = tmp_path / "out" / "a.tar.intoto.json"
    digest = prov.write(path, st)
    assert path.read_bytes() == data + b"\n"
    assert digest == "sha256:" + hashlib.sha256(data + b"\n").hexdigest() == prov.file_digest(path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.tar.intoto.json"]  # no temp file left
    assert prov.read(path) == st


def test_encode_refuses_floats() -> None:
    with pytest.raises(prov.ProvenanceError, match="float"):
        prov.encode({"x": 1.5})


def test_provenance_path(tmp_path: Path) -> None:
    assert prov.provenance_path(["out/image.tar", "out/b"], tmp_path, "x") == tmp_path / "out/image.tar.intoto.json"
    assert prov.provenance_path(["/abs/image.qcow2"], tmp_path, "x") == Path("/abs/image.qcow2.intoto.json")
    docker = prov.provenance_path([], tmp_path, "hello.docker.box")
    assert docker == tmp_path / ".bake" / "provenance" / "hello.docker.box.intoto.json"
    odd = prov.provenance_path([], tmp_path, "../a/b")
    assert odd.parent == tmp_path / ".bake" / "provenance"


def test_read_refuses_what_is_not_provenance(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(prov.ProvenanceError, match="not JSON"):
        prov.read(bad)
    bad.write_text('{"a": 1}')
    with pytest.raises(prov.ProvenanceError, match="neither an in-toto statement nor a DSSE envelope"):
        prov.read(bad)
    with pytest.raises(prov.ProvenanceError, match="cannot read"):
        prov.read(tmp_path / "missing.json")


# ------------------------------------------------------------------ DSSE


def test_sign_and_verify_round_trip(tmp_path: Path) -> None:
    key = new_key()
    pub = prov.public_key_pem(key)
    st = make_statement()
    env = prov.sign(st, key)
    assert set(env) == {"payloadType", "payload", "signatures"}
    assert env["payloadType"] == "application/vnd.in-toto+json"
    assert base64.b64decode(env["payload"]) == prov.encode(st)
    raw = serialization.load_pem_public_key(pub).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert env["signatures"][0]["keyid"] == hashlib.sha256(raw).hexdigest() == prov.keyid(pub)
    # the signature is over DSSE's PAE, checked here independently of prov.pae
    payload = base64.b64decode(env["payload"])
    message = b"DSSEv1 28 application/vnd.in-toto+json " + str(len(payload)).encode() + b" " + payload
    loaded = serialization.load_pem_public_key(pub)
    assert isinstance(loaded, ed25519.Ed25519PublicKey)
    loaded.verify(base64.b64decode(env["signatures"][0]["sig"]), message)
    assert prov.verify_envelope(env, pub) == st
    path = tmp_path / "p.intoto.json"
    prov.write(path, env)
    assert prov.read(path, pub) == st
    with pytest.raises(prov.ProvenanceError, match="give the public key"):
        prov.read(path)


@pytest.mark.parametrize("where", [0, 1, 100, -2, -1])
def test_a_changed_payload_byte_fails(where: int) -> None:
    key = new_key()
    env = prov.sign(make_statement(), key)
    payload = bytearray(base64.b64decode(env["payload"]))
    payload[where] ^= 0x01
    env["payload"] = base64.b64encode(bytes(payload)).decode()
    with pytest.raises(prov.ProvenanceError, match="does not verify"):
        prov.verify_envelope(env, prov.public_key_pem(key))


@pytest.mark.parametrize("where", [0, 31, 63])
def test_a_changed_signature_byte_fails(where: int) -> None:
    key = new_key()
    env = prov.sign(make_statement(), key)
    sig = bytearray(base64.b64decode(env["signatures"][0]["sig"]))
    sig[where] ^= 0x80
    env["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
    with pytest.raises(prov.ProvenanceError, match="does not verify"):
        prov.verify_envelope(env, prov.public_key_pem(key))


def test_a_changed_payload_type_fails() -> None:
    key = new_key()
    env = prov.sign(make_statement(), key)
    env["payloadType"] = "application/json"
    with pytest.raises(prov.ProvenanceError, match="payloadType"):
        prov.verify_envelope(env, prov.public_key_pem(key))


def test_a_wrong_key_fails() -> None:
    env = prov.sign(make_statement(), new_key())
    other = prov.public_key_pem(new_key())
    with pytest.raises(prov.ProvenanceError, match="not signed by the given key"):
        prov.verify_envelope(env, other)
    env["signatures"][0]["keyid"] = ""  # no keyid: the signature is tried, and fails
    with pytest.raises(prov.ProvenanceError, match="does not verify"):
        prov.verify_envelope(env, other)
    with pytest.raises(prov.ProvenanceError, match="no public key"):
        prov.verify_envelope(env, None)


def test_sign_refuses_an_invalid_statement() -> None:
    st = make_statement()
    del st["predicate"]["runDetails"]["builder"]["id"]
    with pytest.raises(prov.ProvenanceError, match=r"predicate\.runDetails\.builder\.id is missing"):
        prov.sign(st, new_key())


def _pem(key: Any) -> bytes:
    pem: bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem


BAD_KEYS = {
    "ec": (lambda: _pem(ec.generate_private_key(ec.SECP256R1())), "ed25519 keys only"),
    "rsa": (lambda: _pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)), "ed25519 keys only"),
    "garbage": (lambda: b"this is not a key\n", "not a PEM private key"),
    "empty": (lambda: b"", "not a PEM private key"),
    "truncated": (lambda: new_key()[:60], "not a PEM private key"),
    "encrypted": (
        lambda: ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"pw"),
        ),
        "encrypted",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_KEYS))
def test_a_non_ed25519_or_garbage_key_is_a_clear_error(kind: str, tmp_path: Path) -> None:
    make, message = BAD_KEYS[kind]
    pem = make()
    path = tmp_path / "key.pem"
    path.write_bytes(pem)
    with pytest.raises(prov.ProvenanceError, match=message) as info:
        prov.load_private_key(path)
    assert str(path) in str(info.value)
    assert "Traceback" not in str(info.value)
    with pytest.raises(prov.ProvenanceError, match=message):
        prov.sign(make_statement(), pem)
    with pytest.raises(prov.ProvenanceError):
        prov.public_key_pem(pem)


def test_a_non_ed25519_public_key_is_refused() -> None:
    env = prov.sign(make_statement(), new_key())
    ec_pub = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(prov.ProvenanceError, match="ed25519"):
        prov.verify_envelope(env, ec_pub)
    with pytest.raises(prov.ProvenanceError, match="not a PEM public key"):
        prov.verify_envelope(env, b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")


def test_load_keys_from_files(tmp_path: Path) -> None:
    with pytest.raises(prov.ProvenanceError, match=r"cannot read the signing key .*missing\.pem"):
        prov.load_private_key(tmp_path / "missing.pem")
    with pytest.raises(prov.ProvenanceError, match="cannot read the public key"):
        prov.load_public_key(tmp_path / "missing.pub")
    k = ed25519.Ed25519PrivateKey.generate()
    openssh = k.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    (tmp_path / "id_ed25519").write_bytes(openssh)
    pem = prov.load_private_key(tmp_path / "id_ed25519")
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    (tmp_path / "id_ed25519.pub").write_bytes(
        k.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    )
    pub = prov.load_public_key(tmp_path / "id_ed25519.pub")
    assert pub == prov.public_key_pem(pem)
    env = prov.sign(make_statement(), pem)
    assert prov.verify_envelope(env, pub) == make_statement()
