"""cty values: known or unknown, possibly null, possibly marked (sensitive), immutable."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from . import types as T
from .numbers import Num, format_number

SENSITIVE = "sensitive"

_NO_MARKS: frozenset[str] = frozenset()


class Value:
    """A value of a type. raw holds str, Num, bool, tuple[Value, ...] (list/set/tuple) or dict (map/object)."""

    __slots__ = ("known", "marks", "raw", "ty")

    def __init__(self, ty: T.Type, raw: Any, known: bool = True, marks: frozenset[str] = _NO_MARKS) -> None:
        self.ty = ty
        self.raw = raw
        self.known = known
        self.marks = marks

    # -- state
    @property
    def is_null(self) -> bool:
        """A known null."""
        return self.known and self.raw is None

    @property
    def is_marked(self) -> bool:
        """Whether this value (not its elements) carries marks."""
        return bool(self.marks)

    @property
    def is_sensitive(self) -> bool:
        """Whether this value or anything inside it is sensitive."""
        return SENSITIVE in self.deep_marks()

    def is_wholly_known(self) -> bool:
        """Known, and every element known too."""
        if not self.known:
            return False
        if isinstance(self.raw, tuple):
            return all(v.is_wholly_known() for v in self.raw)
        if isinstance(self.raw, dict):
            return all(v.is_wholly_known() for v in self.raw.values())
        return True

    def deep_marks(self) -> frozenset[str]:
        """Marks of this value and everything inside it."""
        marks = set(self.marks)
        if isinstance(self.raw, tuple):
            for v in self.raw:
                marks |= v.deep_marks()
        elif isinstance(self.raw, dict):
            for v in self.raw.values():
                marks |= v.deep_marks()
        return frozenset(marks)

    def with_marks(self, *marks: Iterable[str]) -> Value:
        """The same value with more marks."""
        extra = frozenset().union(*marks)
        if not extra or extra <= self.marks:
            return self
        return Value(self.ty, self.raw, self.known, self.marks | extra)

    def unmark(self) -> tuple[Value, frozenset[str]]:
        """This value without its own marks, and those marks."""
        if not self.marks:
            return self, _NO_MARKS
        return Value(self.ty, self.raw, self.known), self.marks

    def unmark_deep(self) -> tuple[Value, frozenset[str]]:
        """This value with no marks anywhere inside it, and all the marks removed."""
        marks = self.deep_marks()
        if not marks:
            return self, _NO_MARKS
        return _strip_marks(self), marks

    # -- access
    def as_string(self) -> str:
        """The Python string of a known, non-null string."""
        assert isinstance(self.raw, str), self
        return self.raw

    def as_num(self) -> Num:
        """The number of a known, non-null number."""
        assert isinstance(self.raw, Num), self
        return self.raw

    def as_bool(self) -> bool:
        """The bool of a known, non-null bool."""
        assert isinstance(self.raw, bool), self
        return self.raw

    def elements(self) -> tuple[Value, ...]:
        """Elements of a known list, set or tuple."""
        assert isinstance(self.raw, tuple), self
        return self.raw

    def items(self) -> list[tuple[str, Value]]:
        """Key/value pairs of a known map or object, in key order."""
        assert isinstance(self.raw, dict), self
        return sorted(self.raw.items())

    def attrs(self) -> dict[str, Value]:
        """The raw mapping of a known map or object."""
        assert isinstance(self.raw, dict), self
        return self.raw

    def length(self) -> int:
        """Number of elements of a known collection or structural value (or string characters)."""
        if isinstance(self.raw, (tuple, dict)):
            return len(self.raw)
        raise TypeError(f"no length for {self.ty.friendly()}")

    def iterate(self) -> Iterator[tuple[Value, Value]]:
        """(key, value) pairs as a for expression sees them: indexes for sequences, sorted keys for maps."""
        if isinstance(self.raw, tuple):
            if isinstance(self.ty, T.Set):
                for v in self.raw:
                    yield v, v
            else:
                for i, v in enumerate(self.raw):
                    yield number(i), v
        elif isinstance(self.raw, dict):
            for k, v in sorted(self.raw.items()):
                yield string(k), v

    # -- equality as data (RawEquals), for tests and caches
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Value):
            return NotImplemented
        return (
            self.ty == other.ty
            and self.known == other.known
            and self.marks == other.marks
            and self.raw == other.raw
        )

    def __hash__(self) -> int:
        raw = self.raw
        if isinstance(raw, dict):
            raw = tuple(sorted(raw.items()))
        return hash((self.ty, raw, self.known))

    def __repr__(self) -> str:
        marks = f" marked {sorted(self.marks)}" if self.marks else ""
        if not self.known:
            return f"unknown({self.ty.type_expr()}){marks}"
        if self.raw is None:
            return f"null({self.ty.type_expr()}){marks}"
        return f"{self.ty.type_expr()}:{render(self)}{marks}"


def _strip_marks(v: Value) -> Value:
    raw = v.raw
    if isinstance(raw, tuple):
        raw = tuple(_strip_marks(e) for e in raw)
    elif isinstance(raw, dict):
        raw = {k: _strip_marks(e) for k, e in raw.items()}
    return Value(v.ty, raw, v.known)


# ------------------------------------------------------------------ constructors

TRUE_RAW = True


def string(s: str) -> Value:
    """A string value (normalised to NFC, as cty.StringVal does)."""
    import unicodedata

    return Value(T.STRING, unicodedata.normalize("NFC", s))


def number(n: int | float | Num | Fraction | Decimal) -> Value:
    """A number value."""
    return Value(T.NUMBER, n if isinstance(n, Num) else Num.of(n))


def boolean(b: bool) -> Value:
    """A bool value."""
    return Value(T.BOOL, bool(b))


TRUE = boolean(True)
FALSE = boolean(False)


def null(ty: T.Type = T.DYNAMIC) -> Value:
    """A null of a type."""
    return Value(ty, None)


def unknown(ty: T.Type = T.DYNAMIC) -> Value:
    """An unknown value of a type: known only when the build runs."""
    return Value(ty, None, known=False)


DYNAMIC_UNKNOWN = unknown(T.DYNAMIC)


def tuple_of(elems: Iterable[Value]) -> Value:
    """A tuple value."""
    es = tuple(elems)
    return Value(T.Tuple(tuple(e.ty for e in es)), es)


def object_of(attrs: Mapping[str, Value]) -> Value:
    """An object value."""
    d = dict(attrs)
    return Value(T.object_of({k: v.ty for k, v in d.items()}), d)


def list_of(elems: Iterable[Value], elem_ty: T.Type | None = None) -> Value:
    """A list value; all elements must already have elem_ty (or one common type)."""
    es = tuple(elems)
    ty = elem_ty if elem_ty is not None else (es[0].ty if es else T.DYNAMIC)
    return Value(T.List(ty), es)


def map_of(attrs: Mapping[str, Value], elem_ty: T.Type | None = None) -> Value:
    """A map value; all elements must already have elem_ty (or one common type)."""
    d = dict(attrs)
    ty = elem_ty if elem_ty is not None else (next(iter(d.values())).ty if d else T.DYNAMIC)
    return Value(T.Map(ty), d)


def set_of(elems: Iterable[Value], elem_ty: T.Type | None = None) -> Value:
    """A set value: duplicates removed, elements in cty's canonical order."""
    es = list(elems)
    ty = elem_ty if elem_ty is not None else (es[0].ty if es else T.DYNAMIC)
    unique: dict[Any, Value] = {}
    unknowns: list[Value] = []
    for e in es:
        if not e.is_wholly_known():
            unknowns.append(e)
            continue
        unique.setdefault(set_key(e), e)
    ordered = sorted(unique.values(), key=set_sort_key)
    return Value(T.Set(ty), tuple(ordered) + tuple(unknowns))


def set_key(v: Value) -> Any:
    """A hashable identity for set membership (value and marks)."""
    return (v.ty, _freeze(v), v.deep_marks())


def _freeze(v: Value) -> Any:
    raw = v.raw
    if isinstance(raw, tuple):
        return tuple(_freeze(e) for e in raw)
    if isinstance(raw, dict):
        return tuple(sorted((k, _freeze(e)) for k, e in raw.items()))
    return (v.known, raw)


def set_sort_key(v: Value) -> Any:
    """cty orders sets of strings lexically and of numbers numerically; others by rendering."""
    raw = v.raw
    if isinstance(raw, str):
        return (0, raw)
    if isinstance(raw, Num):
        return (1, raw.inf, raw.q)
    if isinstance(raw, bool):
        return (2, raw)
    return (3, render(v))


# ------------------------------------------------------------------ rendering and Python interop


def render(v: Value) -> str:
    """HCL-like rendering of a value, for messages and the console (sensitive shown as such)."""
    if SENSITIVE in v.marks:
        return "(sensitive value)"
    if not v.known:
        return "(known after apply)"
    raw = v.raw
    if raw is None:
        return "null"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, Num):
        return format_number(raw)
    if isinstance(raw, str):
        return _quote(raw)
    if isinstance(raw, tuple):
        return "[" + ", ".join(render(e) for e in raw) + "]"
    if isinstance(raw, dict):
        return "{" + ", ".join(f"{_key(k)} = {render(e)}" for k, e in sorted(raw.items())) + "}"
    raise TypeError(raw)  # pragma: no cover


def _key(k: str) -> str:
    import re

    return k if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", k) else _quote(k)


def _quote(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return '"' + out.replace("${", "$${").replace("%{", "%%{") + '"'


def from_python(obj: Any) -> Value:
    """A value from plain Python data (JSON-like): dicts become objects and lists tuples."""
    if isinstance(obj, Value):
        return obj
    if obj is None:
        return null()
    if isinstance(obj, bool):
        return boolean(obj)
    if isinstance(obj, (int, float, Decimal, Fraction, Num)):
        return number(obj)
    if isinstance(obj, str):
        return string(obj)
    if isinstance(obj, (list, tuple)):
        return tuple_of(from_python(e) for e in obj)
    if isinstance(obj, dict):
        return object_of({str(k): from_python(e) for k, e in obj.items()})
    raise TypeError(f"cannot make an HCL value of {type(obj).__name__}")


def to_python(v: Value) -> Any:
    """Plain Python data of a wholly known value: numbers as int or Decimal."""
    if not v.known:
        raise ValueError("value is not known")
    raw = v.raw
    if raw is None or isinstance(raw, (bool, str)):
        return raw
    if isinstance(raw, Num):
        if raw.is_int():
            return raw.to_int()
        if raw.inf:
            return float("inf") * raw.inf
        return Decimal(format_number(raw))
    if isinstance(raw, tuple):
        return [to_python(e) for e in raw]
    return {k: to_python(e) for k, e in sorted(raw.items())}
