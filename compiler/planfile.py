"""The plan file: its schema (versioned msgspec Structs), canonical encoding, hashing, and safe decoding."""

# This is the one module that reads and writes plan files; the runtime imports it too, so it
# depends on nothing but msgspec and the standard library.

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

import msgspec

FORMAT_VERSION = "1"


class PlanError(Exception):
    """A plan file that cannot be used: unreadable, not a plan, of an unknown format, or altered."""


class Step(msgspec.Struct, forbid_unknown_fields=True):
    """One step of a build: the source, a provisioner, finalize, or a post-processor."""

    key: str
    kind: str  # source | provisioner | finalize | post-processor | error-cleanup-provisioner
    type: str
    config: dict[str, Any]
    files: dict[str, str] = {}  # files this step reads (relative path -> digest), part of its key
    chain: int | None = None  # post-processors: which chain
    name: str | None = None  # cosmetic: outside the key
    options: dict[str, Any] = {}  # cosmetic: timeout, pause_before, max_retries... outside the key
    supported: bool = True


class Build(msgspec.Struct, forbid_unknown_fields=True):
    """One build (`build.type.name`) and its steps in order."""

    name: str
    builder: str
    supported: bool
    steps: list[Step]


class Inputs(msgspec.Struct, forbid_unknown_fields=True):
    """Everything the plan was computed from."""

    files: dict[str, str]  # relative path -> "sha256:..." (a folder: its Merkle digest, path ends in "/")
    env: dict[str, str | None]
    source_date_epoch: int
    modes: dict[str, int] = {}
    variables: dict[str, Any] = {}  # non-sensitive variable values
    sensitive: dict[str, str] = {}  # sensitive variable -> where its value comes from (never the value)


class Plan(msgspec.Struct, forbid_unknown_fields=True):
    """A plan file (format_version "1"); plan_hash covers everything else in it."""

    format_version: str
    bake_version: str
    inputs: Inputs
    builds: list[Build]
    plan_hash: str = ""
    template: str = ""  # the template path as given, relative to the working folder


# ------------------------------------------------------------------ canonical JSON (RFC 8785 subset)


_HIGH = re.compile("[\ue000-\U0010ffff]")


def check(value: Any) -> bool:
    """Refuse what canonical JSON cannot hold; True when some key needs UTF-16 ordering."""
    astral_keys = False
    stack = [value]
    while stack:
        item = stack.pop()
        if item is None or isinstance(item, (bool, int, str)):
            continue
        if isinstance(item, float):
            raise PlanError(
                "a float cannot go into a plan: "
                + ("NaN and infinities have no JSON form" if not math.isfinite(item) else "numbers must be integers")
            )
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            for k, v in item.items():
                if not isinstance(k, str):
                    raise PlanError(f"object keys must be strings, not {type(k).__name__}")
                if not astral_keys and _HIGH.search(k):
                    astral_keys = True
                stack.append(v)
        else:
            raise PlanError(f"cannot encode a {type(item).__name__} in a plan")
    return astral_keys


def has_sensitive(data: Any) -> bool:
    """Whether plan data holds a sensitive-value marker ({"$sensitive": true}) anywhere."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("$sensitive") is True:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _utf16_sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _utf16_sorted(value[k]) for k in sorted(value, key=lambda s: s.encode("utf-16-be"))}
    if isinstance(value, (list, tuple)):
        return [_utf16_sorted(v) for v in value]
    return value


def canonical(value: Any, checked: bool = False, utf16: bool = False) -> bytes:
    """Canonical JSON (RFC 8785 for bake's data): keys sorted by UTF-16 code units, no whitespace,
    integers only, minimal escapes, UTF-8.

    `checked` skips the type walk for data whose parts went through check() already (then `utf16`
    says whether check() found keys that need UTF-16 ordering).
    """
    if isinstance(value, msgspec.Struct):
        value = msgspec.to_builtins(value)
    if utf16 if checked else check(value):
        # msgspec's "sorted" orders keys by code point; UTF-16 order differs only above U+E000
        value = _utf16_sorted(value)
        return msgspec.json.encode(value)
    try:
        return msgspec.json.encode(value, order="sorted")
    except (UnicodeEncodeError, msgspec.EncodeError) as exc:
        raise PlanError(f"cannot encode this in a plan: {exc}") from None


def file_mode(st_mode: int) -> int:
    """A file's mode as plans record it (as git does): 0o755 if executable by anyone, else 0o644."""
    return 0o755 if st_mode & 0o111 else 0o644


def tree_digest(entries: list[list[Any]]) -> str:
    """The Merkle digest of a folder: its sorted [relative path, mode, file digest] entries."""
    return digest(sorted(entries))


def digest(value: Any, checked: bool = False, utf16: bool = False) -> str:
    """sha256 of the canonical encoding, as "sha256:<hex>"."""
    return "sha256:" + hashlib.sha256(canonical(value, checked, utf16)).hexdigest()


# ------------------------------------------------------------------ plan files


def plan_hash(plan: Plan, checked: bool = False, utf16: bool = False) -> str:
    """The hash of a plan's canonical encoding without its plan_hash field."""
    doc = msgspec.to_builtins(plan)
    doc.pop("plan_hash", None)
    return digest(doc, checked, utf16)


def seal(plan: Plan, checked: bool = False, utf16: bool = False) -> Plan:
    """The plan with its plan_hash filled in (`checked`: every part went through check() already)."""
    return msgspec.structs.replace(plan, plan_hash=plan_hash(plan, checked, utf16))


def encode(plan: Plan) -> bytes:
    """The bytes of a plan file: sorted, indented JSON (readable in a diff), byte-identical for equal plans.

    The hash is over the canonical encoding, so the file's layout does not affect it.
    """
    doc = msgspec.to_builtins(plan)
    check(doc)  # refuses floats, NaN and non-string keys before anything is written
    return (json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def decode(data: bytes, name: str = "plan") -> Plan:
    """Read a plan file, refusing anything that is not an intact plan of a known format."""
    try:
        raw = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise PlanError(f"{name} is not a plan file: {_first_line(exc)}") from None
    if not isinstance(raw, dict):
        raise PlanError(f"{name} is not a plan file: it is not a JSON object")
    version = raw.get("format_version")
    if version != FORMAT_VERSION:
        raise PlanError(
            f"{name} has format_version {version!r}; this bake reads format_version {FORMAT_VERSION!r} only"
        )
    try:
        plan = msgspec.convert(raw, Plan)
    except msgspec.ValidationError as exc:
        raise PlanError(f"{name} is not a valid plan file: {exc}") from None
    try:
        want = plan_hash(plan)
    except PlanError as exc:
        raise PlanError(f"{name} is not a valid plan file: {exc}") from None
    if plan.plan_hash != want:
        raise PlanError(f"{name} was altered after planning: its plan_hash {plan.plan_hash} does not match its content")
    return plan


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
