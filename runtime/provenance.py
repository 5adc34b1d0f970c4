"""Build provenance: in-toto Statement v1 with a SLSA Provenance v1 predicate, DSSE-signed with ed25519."""

# Encoding: a statement's bytes are its canonical JSON (compiler.planfile.canonical: keys sorted,
# no whitespace, UTF-8, integers only). encode() returns exactly those bytes, without a newline:
# they are what a DSSE envelope carries as its payload and what is signed. A provenance file
# (write()) holds one such JSON document, statement or envelope, followed by one "\n", so it is
# also a one-line JSON Lines bundle as in-toto tools expect of *.intoto.jsonl.

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from bake.compiler import planfile as pf

if TYPE_CHECKING:  # cryptography is imported only where keys are used: most applies sign nothing
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "BUILDER_ID",
    "BUILD_TYPE",
    "PAYLOAD_TYPE",
    "PREDICATE_TYPE",
    "SENSITIVE",
    "STATEMENT_TYPE",
    "ProvenanceError",
    "StepRecord",
    "encode",
    "file_digest",
    "is_envelope",
    "is_rfc3339",
    "keyid",
    "load_private_key",
    "load_public_key",
    "pae",
    "parse_document",
    "provenance_path",
    "public_key_pem",
    "read",
    "redact",
    "rfc3339",
    "sign",
    "statement",
    "validate_statement",
    "verify_envelope",
    "write",
]

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://slsa.dev/provenance/v1"
BUILD_TYPE = "https://bake.build/buildtypes/apply/v1"
BUILDER_ID = "https://bake.build/builder/local/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
SENSITIVE = "<sensitive>"
SUFFIX = ".intoto.json"

# Lengths of hex digests in an in-toto DigestSet, for the algorithms whose values are hex.
_HEX_LENGTHS = {
    "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128, "sha512_224": 56, "sha512_256": 64,
    "sha3_224": 56, "sha3_256": 64, "sha3_384": 96, "sha3_512": 128, "md5": 32, "gitCommit": 40, "gitTree": 40,
    "gitBlob": 40, "dirHash": 64,
}  # fmt: skip
_LOWER_HEX = re.compile(r"[0-9a-f]+")
_SHA256 = re.compile(r"sha256:([0-9a-fA-F]{64})")
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S*")


class ProvenanceError(Exception):
    """A statement that cannot be made, written, read or verified; the message is for the user."""


class StepRecord(msgspec.Struct, frozen=True):
    """One step of a build as provenance and the audit log record it."""

    key: str  # "sha256:<hex>", the step's cache key
    kind: str
    type: str
    cached: bool


# ------------------------------------------------------------------ the statement


def is_rfc3339(text: str) -> bool:
    """Whether text is an RFC 3339 timestamp (date, time, optional fraction, Z or an offset)."""
    if not _RFC3339.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def rfc3339(when: float) -> str:
    """A unix time as an RFC 3339 UTC timestamp to the second: "2026-12-06T06:10:17Z"."""
    return datetime.fromtimestamp(int(when), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hex(digest: str, what: str) -> str:
    m = _SHA256.fullmatch(digest) if isinstance(digest, str) else None
    if not m:
        raise ProvenanceError(f'{what} has digest {digest!r}; expected "sha256:" and 64 hex digits')
    return m[1].lower()


def _digest_set(digest: str, what: str) -> dict[str, str]:
    """The DigestSet of "algo:hex"; sha256 is checked strictly, another algorithm passes through."""
    algo, sep, value = digest.partition(":")
    if algo == "sha256" or not sep or not algo or not value:
        return {"sha256": _hex(digest, what)}
    return {algo: value.lower()}


def _needles(secrets: Sequence[str]) -> list[str]:
    found: set[str] = set()
    for s in secrets:
        if not s:
            continue
        found.add(s)
        found.update(line.strip() for line in s.splitlines() if line.strip())  # as apply masks output
    return sorted(found, key=len, reverse=True)


def redact(value: Any, secrets: Sequence[str]) -> Any:
    """A copy of JSON data in which every string (key or value) holding a secret is "<sensitive>".

    Integers whose decimal form holds one are replaced too; a resource descriptor whose "uri"
    holds one loses it for {"name": "<sensitive>"} (a uri must stay a URI). Two keys that both
    hold a secret collapse into one "<sensitive>" key (the data is lost, never the secret leaked).
    """
    needles = _needles(secrets)
    if not needles:
        return value

    def hit(text: str) -> bool:
        return any(n in text for n in needles)

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return SENSITIVE if hit(item) else item
        if isinstance(item, int) and not isinstance(item, bool):
            return SENSITIVE if hit(str(item)) else item
        if isinstance(item, Mapping):
            out = {(SENSITIVE if hit(str(k)) else k): walk(v) for k, v in item.items()}
            if out.get("uri") == SENSITIVE and "uri" in item:  # a descriptor's uri must stay a URI: name it instead
                del out["uri"]
                out.setdefault("name", SENSITIVE)
            return out
        if isinstance(item, (list, tuple)):
            return [walk(v) for v in item]
        return item

    return walk(value)


def statement(
    *,
    subjects: Sequence[tuple[str, str]],
    plan_hash: str,
    build: str,
    builder: str,
    variables: Mapping[str, Any],
    inputs: Mapping[str, str],
    base: tuple[str, str] | None,
    steps: Sequence[StepRecord],
    invocation_id: str,
    started: float,
    finished: float,
    version: str,
    secrets: Sequence[str] = (),
) -> dict[str, Any]:
    """An in-toto Statement v1 with a SLSA Provenance v1 predicate, for one build's artifact.

    Statement: https://in-toto.io/Statement/v1; predicate: https://slsa.dev/provenance/v1.

    `subjects`: (name, "sha256:<hex>") per artifact file or image; `inputs`: the plan's input
    files (relative path -> "sha256:..."; a folder's path ends in "/" and its digest is bake's
    Merkle digest, annotated so); `base`: (URI or name, "algo:hex") of the base image, if any.
    Byproducts name each step "step/<index>/<kind>/<type>", index counting from 0 (the source).
    Raises ProvenanceError for no subject or a malformed digest.
    """
    if not subjects:
        raise ProvenanceError(f"build {build}: provenance needs at least one subject (an artifact with a digest)")
    subject = [{"name": name, "digest": {"sha256": _hex(d, f"subject {name!r}")}} for name, d in subjects]
    deps: list[dict[str, Any]] = []
    for path in sorted(inputs):
        dep: dict[str, Any] = {"uri": "file:" + path, "digest": {"sha256": _hex(inputs[path], f"input {path!r}")}}
        if path.endswith("/"):
            dep["annotations"] = {"bake.tree": True}  # Merkle digest of [path, mode, digest] entries
        deps.append(dep)
    if base is not None:
        ref, base_digest = base
        deps.append({"uri" if "://" in ref else "name": ref, "digest": _digest_set(base_digest, f"base {ref!r}")})
    byproducts = [
        {
            "name": f"step/{i}/{s.kind}/{s.type}",
            "digest": {"sha256": _hex(s.key, f"step {i}")},
            "annotations": {"cached": s.cached, "kind": s.kind, "type": s.type},
        }
        for i, s in enumerate(steps)
    ]
    doc: dict[str, Any] = {
        "_type": STATEMENT_TYPE,
        "subject": subject,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": {"plan_hash": plan_hash, "build": build, "variables": dict(variables)},
                "internalParameters": {"builder": builder, "bake_version": version},
                "resolvedDependencies": deps,
            },
            "runDetails": {
                "builder": {"id": BUILDER_ID, "version": {"bake": version}},
                "metadata": {
                    "invocationId": invocation_id,
                    "startedOn": rfc3339(started),
                    "finishedOn": rfc3339(finished),
                },
                "byproducts": byproducts,
            },
        },
    }
    out: dict[str, Any] = redact(doc, secrets)
    return out


# ------------------------------------------------------------------ validation


def _str(
    parent: Mapping[str, Any], key: str, where: str, errs: list[str], *, required: bool, uri: bool = False
) -> None:
    if key not in parent:
        if required:
            errs.append(f"{where} is missing")
        return
    value = parent[key]
    if not isinstance(value, str) or not value:
        errs.append(f"{where} must be a non-empty string")
    elif uri and not _URI.fullmatch(value):
        errs.append(f"{where} must be a URI, not {value!r}")


def _obj(
    parent: Mapping[str, Any] | None, key: str, where: str, errs: list[str], *, required: bool
) -> Mapping[str, Any] | None:
    """The object at parent[key]; None (and a message) when it is missing or not an object."""
    if parent is None:
        return None  # the parent's own problem is reported already
    if key not in parent:
        if required:
            errs.append(f"{where} is missing")
        return None
    value = parent[key]
    if not isinstance(value, Mapping):
        errs.append(f"{where} must be an object")
        return None
    return value


def _digests(value: Any, where: str, errs: list[str]) -> None:
    if not isinstance(value, Mapping) or not value:
        errs.append(f"{where} must be a non-empty object of algorithm -> hex value")
        return
    for algo, hexval in value.items():
        if not isinstance(hexval, str) or not hexval:
            errs.append(f"{where}.{algo} must be a non-empty string")
        elif algo in _HEX_LENGTHS and not (len(hexval) == _HEX_LENGTHS[algo] and _LOWER_HEX.fullmatch(hexval)):
            errs.append(f"{where}.{algo} must be {_HEX_LENGTHS[algo]} lowercase hex digits, not {hexval!r}")


def _descriptor(value: Any, where: str, errs: list[str], *, need_digest: bool) -> None:
    if not isinstance(value, Mapping):
        errs.append(f"{where} must be a resource descriptor (an object)")
        return
    if need_digest and "digest" not in value:
        errs.append(f"{where}.digest is missing")
    elif not any(k in value for k in ("uri", "digest", "content")):
        errs.append(f"{where} needs one of uri, digest or content")
    if "digest" in value:
        _digests(value["digest"], f"{where}.digest", errs)
    for key in ("name", "uri", "downloadLocation", "mediaType", "content"):
        if key in value and not isinstance(value[key], str):
            errs.append(f"{where}.{key} must be a string")
    for key in ("uri", "downloadLocation"):
        if isinstance(value.get(key), str) and not _URI.fullmatch(value[key]):
            errs.append(f"{where}.{key} must be a URI, not {value[key]!r}")
    if "annotations" in value and not isinstance(value["annotations"], Mapping):
        errs.append(f"{where}.annotations must be an object")


def _descriptors(parent: Mapping[str, Any], key: str, where: str, errs: list[str]) -> None:
    if key not in parent:
        return
    value = parent[key]
    if not isinstance(value, list):
        errs.append(f"{where} must be a list of resource descriptors")
        return
    for i, item in enumerate(value):
        _descriptor(item, f"{where}[{i}]", errs, need_digest=False)


def _timestamp(parent: Mapping[str, Any], key: str, where: str, errs: list[str]) -> None:
    if key not in parent:
        return
    value = parent[key]
    if not isinstance(value, str) or not is_rfc3339(value):
        errs.append(f'{where} must be an RFC 3339 timestamp like "2026-12-06T06:10:17Z", not {value!r}')


def validate_statement(doc: Mapping[str, Any]) -> list[str]:
    """Every violated in-toto v1 / SLSA v1 field rule, as messages naming the field; [] when valid.

    Messages start with the field's path: "predicate.runDetails.builder.id is missing".
    Required: _type (the Statement v1 URI), subject (non-empty; each with a digest), predicateType
    (the SLSA Provenance v1 URI), predicate.buildDefinition.{buildType, externalParameters},
    predicate.runDetails.builder.id. Optional fields are checked when present. Digest values must
    be lowercase hex of their algorithm's length; timestamps RFC 3339.
    """
    errs: list[str] = []
    given: object = doc  # from JSON: anything at all
    if not isinstance(given, Mapping):
        return ["the statement must be a JSON object"]
    if "_type" not in doc:
        errs.append("_type is missing")
    elif doc["_type"] != STATEMENT_TYPE:
        errs.append(f"_type must be {STATEMENT_TYPE}, not {doc['_type']!r}")
    if "subject" not in doc:
        errs.append("subject is missing")
    elif not isinstance(doc["subject"], list) or not doc["subject"]:
        errs.append("subject must be a non-empty list of resource descriptors")
    else:
        for i, item in enumerate(doc["subject"]):
            _descriptor(item, f"subject[{i}]", errs, need_digest=True)
    if "predicateType" not in doc:
        errs.append("predicateType is missing")
    elif doc["predicateType"] != PREDICATE_TYPE:
        errs.append(f"predicateType must be {PREDICATE_TYPE}, not {doc['predicateType']!r}")
    predicate = _obj(doc, "predicate", "predicate", errs, required=True)
    where = "predicate.buildDefinition"
    bd = _obj(predicate, "buildDefinition", where, errs, required=True)
    if bd is not None:
        _str(bd, "buildType", f"{where}.buildType", errs, required=True, uri=True)
        _obj(bd, "externalParameters", f"{where}.externalParameters", errs, required=True)
        _obj(bd, "internalParameters", f"{where}.internalParameters", errs, required=False)
        _descriptors(bd, "resolvedDependencies", f"{where}.resolvedDependencies", errs)
    where = "predicate.runDetails"
    rd = _obj(predicate, "runDetails", where, errs, required=True)
    builder = _obj(rd, "builder", f"{where}.builder", errs, required=True)
    if builder is not None:
        _str(builder, "id", f"{where}.builder.id", errs, required=True, uri=True)
        for k, v in (_obj(builder, "version", f"{where}.builder.version", errs, required=False) or {}).items():
            if not isinstance(v, str):
                errs.append(f"{where}.builder.version.{k} must be a string")
        _descriptors(builder, "builderDependencies", f"{where}.builder.builderDependencies", errs)
    meta = _obj(rd, "metadata", f"{where}.metadata", errs, required=False)
    if meta is not None:
        _str(meta, "invocationId", f"{where}.metadata.invocationId", errs, required=False)
        _timestamp(meta, "startedOn", f"{where}.metadata.startedOn", errs)
        _timestamp(meta, "finishedOn", f"{where}.metadata.finishedOn", errs)
    if rd is not None:
        _descriptors(rd, "byproducts", f"{where}.byproducts", errs)
    return errs


# ------------------------------------------------------------------ encoding and files


def encode(doc: Mapping[str, Any]) -> bytes:
    """Canonical JSON (keys sorted, compact, UTF-8, integers only) without a trailing newline: the signed bytes."""
    try:
        return pf.canonical(dict(doc))
    except pf.PlanError as exc:
        raise ProvenanceError(f"cannot encode provenance: {exc}") from None


def file_digest(path: Path) -> str:
    """The "sha256:<hex>" of a file's bytes (ProvenanceError when it cannot be read)."""
    try:
        with open(path, "rb") as f:
            return "sha256:" + hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as exc:
        raise ProvenanceError(f"cannot read {path}: {exc.strerror or exc}") from None


def write(path: Path, doc_or_envelope: Mapping[str, Any]) -> str:
    """Atomically write (temp file + os.replace) and return the file's "sha256:<hex>".

    The file is the canonical JSON of the document and one "\\n"; missing folders are made.
    """
    data = encode(doc_or_envelope) + b"\n"
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise ProvenanceError(f"cannot write provenance to {path}: {exc.strerror or exc}") from None
    return "sha256:" + hashlib.sha256(data).hexdigest()


def is_envelope(doc: Mapping[str, Any]) -> bool:
    """Whether a provenance document is a DSSE envelope (rather than a plain statement)."""
    return "payloadType" in doc and "signatures" in doc


def read(path: Path, public_key_pem: bytes | None = None) -> dict[str, Any]:
    """The statement in a provenance file, plain or a DSSE envelope (verified when it is one).

    A signed file needs a public key: the given one or, from `bake audit verify`, the key the
    build's audit record names (AuditLog.verify passes it here). ProvenanceError for an unreadable
    file, a document that is neither a statement nor an envelope, a signed file without a key, or
    a bad signature.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ProvenanceError(f"cannot read provenance {path}: {exc.strerror or exc}") from None
    doc = parse_document(data, f"provenance {path}")
    if is_envelope(doc):
        if public_key_pem is None:
            raise ProvenanceError(
                f"provenance {path} is signed: give the public key to verify it "
                "(the audit log records the key of each signed build)"
            )
        return verify_envelope(doc, public_key_pem)
    if "_type" not in doc:
        raise ProvenanceError(f"provenance {path} is neither an in-toto statement nor a DSSE envelope")
    return doc


def parse_document(data: bytes, what: str) -> dict[str, Any]:
    """A JSON object from bytes; ProvenanceError naming `what` otherwise."""
    try:
        doc = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise ProvenanceError(f"{what} is not JSON: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    if not isinstance(doc, dict):
        raise ProvenanceError(f"{what} is not a JSON object")
    return doc


def provenance_path(artifact_files: Sequence[str], root: Path, build: str) -> Path:
    """Where the provenance of an artifact goes.

    Next to its first file as "<file>.intoto.json" (a relative file is taken relative to `root`);
    for an artifact without files (a docker image): root/.bake/provenance/<build name>.intoto.json.
    """
    if artifact_files:
        first = Path(artifact_files[0])
        first = first if first.is_absolute() else Path(root) / first
        return first.with_name(first.name + SUFFIX)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", build).lstrip(".") or "build"
    return Path(root) / ".bake" / "provenance" / (safe + SUFFIX)


# ------------------------------------------------------------------ keys and DSSE


def _private_key(pem: bytes, what: str) -> Ed25519PrivateKey:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        if pem.lstrip().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----"):
            key: object = serialization.load_ssh_private_key(pem, password=None)
        else:
            key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise ProvenanceError(f"{what} is encrypted; bake needs an unencrypted ed25519 private key") from None
    except (ValueError, UnsupportedAlgorithm):
        raise ProvenanceError(
            f"{what} is not a PEM private key (make one with: openssl genpkey -algorithm ed25519 -out key.pem)"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ProvenanceError(f"{what} is {_kind(key)}; bake signs provenance with ed25519 keys only")
    return key


def _public_key(pem: bytes, what: str) -> Ed25519PublicKey:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    text = pem.strip()
    try:
        if text.startswith(b"ssh-"):
            key: object = serialization.load_ssh_public_key(text)
        elif b"PRIVATE KEY" in text:
            key = _private_key(pem, what).public_key()
        else:
            key = serialization.load_pem_public_key(text)
    except (ValueError, UnsupportedAlgorithm):
        raise ProvenanceError(f"{what} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ProvenanceError(f"{what} is {_kind(key)}; bake verifies ed25519 signatures only")
    return key


def _kind(key: object) -> str:
    name = type(key).__name__.lstrip("_").replace("PrivateKey", "").replace("PublicKey", "")
    return f"a key of type {name or 'unknown'}"


def _raw(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _pem(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def keyid(public_key: bytes) -> str:
    """The DSSE keyid bake uses: sha256 hex of the raw 32-byte ed25519 public key (from its PEM)."""
    return hashlib.sha256(_raw(_public_key(public_key, "the public key"))).hexdigest()


def public_key_pem(private_key_pem: bytes) -> bytes:
    """The SubjectPublicKeyInfo PEM of an ed25519 private key's public half."""
    return _pem(_private_key(private_key_pem, "the signing key").public_key())


def load_private_key(path: Path | str) -> bytes:
    """An ed25519 private key file (PKCS#8 PEM or OpenSSH), as unencrypted PKCS#8 PEM; ProvenanceError otherwise."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ProvenanceError(f"cannot read the signing key {path}: {exc.strerror or exc}") from None
    from cryptography.hazmat.primitives import serialization

    key = _private_key(data, f"the signing key {path}")
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_public_key(path: Path | str) -> bytes:
    """An ed25519 public key file (PEM, "ssh-ed25519 ..." or a private key), as PEM; ProvenanceError otherwise."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ProvenanceError(f"cannot read the public key {path}: {exc.strerror or exc}") from None
    return _pem(_public_key(data, f"the public key {path}"))


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: "DSSEv1 <len> <type> <len> <body>" (lengths in bytes, decimal)."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def sign(statement: Mapping[str, Any], private_key_pem: bytes) -> dict[str, Any]:
    """A DSSE envelope of the statement, signed with ed25519 over DSSE's PAE.

    {payloadType: "application/vnd.in-toto+json", payload: base64(encode(statement)),
    signatures: [{keyid, sig}]}; keyid = sha256 hex of the raw public key, sig = base64 of the
    ed25519 signature of "DSSEv1 <len> <type> <len> <body>".
    Refuses (ProvenanceError) to sign a statement that validate_statement finds fault with.
    """
    problems = validate_statement(statement)
    if problems:
        raise ProvenanceError("refusing to sign an invalid statement: " + "; ".join(problems))
    key = _private_key(private_key_pem, "the signing key")
    payload = encode(statement)
    sig = key.sign(pae(PAYLOAD_TYPE, payload))
    return {
        "payloadType": PAYLOAD_TYPE,
        "payload": base64.b64encode(payload).decode("ascii"),
        "signatures": [
            {"keyid": hashlib.sha256(_raw(key.public_key())).hexdigest(), "sig": base64.b64encode(sig).decode("ascii")}
        ],
    }


def _b64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise ProvenanceError(f"the envelope's {what} must be a base64 string")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        try:  # DSSE allows URL-safe base64 as well
            return base64.urlsafe_b64decode(text.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise ProvenanceError(f"the envelope's {what} is not base64") from None


def verify_envelope(envelope: Mapping[str, Any], public_key_pem: bytes | None = None) -> dict[str, Any]:
    """The statement inside a DSSE envelope once its signature checks (ProvenanceError otherwise).

    A key is required; a signature whose keyid names another key is skipped, and one valid
    signature by the given key suffices.
    """
    from cryptography.exceptions import InvalidSignature

    if public_key_pem is None:
        raise ProvenanceError("no public key to verify the provenance signature with")
    key = _public_key(public_key_pem, "the public key")
    if not isinstance(envelope, Mapping) or not is_envelope(envelope):
        raise ProvenanceError("not a DSSE envelope (payloadType, payload and signatures are required)")
    if envelope["payloadType"] != PAYLOAD_TYPE:
        raise ProvenanceError(f"the envelope's payloadType is {envelope['payloadType']!r}, not {PAYLOAD_TYPE}")
    payload = _b64(envelope.get("payload"), "payload")
    sigs = envelope["signatures"]
    if not isinstance(sigs, list) or not sigs:
        raise ProvenanceError("the envelope has no signatures")
    mine = hashlib.sha256(_raw(key)).hexdigest()
    message = pae(PAYLOAD_TYPE, payload)
    tried = False
    for entry in sigs:
        if not isinstance(entry, Mapping):
            continue
        kid = entry.get("keyid", "")
        if kid and kid != mine:
            continue
        tried = True
        try:
            key.verify(_b64(entry.get("sig"), "signature"), message)
        except (InvalidSignature, ProvenanceError):
            continue
        return parse_document(payload, "the envelope's payload")
    if not tried:
        raise ProvenanceError(f"the envelope is not signed by the given key (keyid {mine[:16]}…)")
    raise ProvenanceError("the provenance signature does not verify: the envelope was altered or signed by another key")
