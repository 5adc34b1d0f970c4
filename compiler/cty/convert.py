"""Type conversion and unification with go-cty's rules (cty/convert)."""

from __future__ import annotations

from collections.abc import Sequence

from . import types as T
from .numbers import Num, NumberError, format_number
from .values import Value, list_of, map_of, null, set_of, string, tuple_of, unknown


class ConversionError(ValueError):
    """A value cannot take the wanted type; path says where inside it ('element 1: attribute "x"')."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.message = message
        self.path = path


def _required(want: T.Type) -> str:
    if isinstance(want, T.Primitive):
        return {"string": "string required", "number": "number required", "bool": "bool required"}[want.name]
    if isinstance(want, T.Object):
        return "object required"
    if isinstance(want, T.Tuple):
        return "tuple required"
    return f"{want.friendly()} required"


def convert(v: Value, want: T.Type) -> Value:
    """Return v converted to `want`, or raise ConversionError."""
    if isinstance(want, T.Dynamic) or v.ty == want:
        return v
    if v.marks:
        plain, marks = v.unmark()
        return convert(plain, want).with_marks(marks)
    if not v.known or v.raw is None:
        if not isinstance(v.ty, T.Dynamic) and not can_convert(v.ty, want):
            raise ConversionError(_required(want))
        return unknown(want) if not v.known else null(want)
    if isinstance(want, T.Primitive):
        return _primitive(v, want)
    if isinstance(want, (T.List, T.Set)):
        if not isinstance(v.ty, (T.List, T.Set, T.Tuple)):
            raise ConversionError(_required(want))
        elems = [_convert_at(e, want.elem, f"element {i}") for i, e in enumerate(v.elements())]
        elem_ty = want.elem
        if isinstance(elem_ty, T.Dynamic) or T.has_dynamic(elem_ty):
            unified = unify([e.ty for e in elems]) if elems else T.DYNAMIC
            if unified is None:
                kind = "list" if isinstance(want, T.List) else "set"
                raise ConversionError(f"all {kind} elements must have the same type")
            elems = [convert(e, unified) for e in elems]
            elem_ty = unified
        return list_of(elems, elem_ty) if isinstance(want, T.List) else set_of(elems, elem_ty)
    if isinstance(want, T.Map):
        if not isinstance(v.ty, (T.Map, T.Object)):
            raise ConversionError(_required(want))
        attrs = {k: _convert_at(e, want.elem, f'element "{k}"') for k, e in v.items()}
        elem_ty = want.elem
        if T.has_dynamic(elem_ty):
            unified = unify([e.ty for e in attrs.values()]) if attrs else T.DYNAMIC
            if unified is None:
                raise ConversionError("all map elements must have the same type")
            attrs = {k: convert(e, unified) for k, e in attrs.items()}
            elem_ty = unified
        return map_of(attrs, elem_ty)
    if isinstance(want, T.Tuple):
        if not isinstance(v.ty, (T.Tuple, T.List, T.Set)):
            raise ConversionError(_required(want))
        elems = list(v.elements())
        if len(elems) != len(want.elems):
            raise ConversionError(f"tuple required with exactly {len(want.elems)} elements")
        return tuple_of(
            _convert_at(e, t, f"element {i}") for i, (e, t) in enumerate(zip(elems, want.elems, strict=True))
        )
    if isinstance(want, T.Object):
        if not isinstance(v.ty, (T.Object, T.Map)):
            raise ConversionError(_required(want))
        have = v.attrs()
        out: dict[str, Value] = {}
        for name, aty in want.attrs:
            if name in have:
                out[name] = _convert_at(have[name], aty, f'attribute "{name}"')
            elif name in want.optional:
                out[name] = null(aty)
            else:
                raise ConversionError(f'attribute "{name}" is required')
        if isinstance(v.ty, T.Map):
            extra = sorted(set(have) - set(want.attr_types))
            if extra:
                raise ConversionError(f'unsupported attribute "{extra[0]}"')
        result_ty = T.Object(tuple((n, out[n].ty if T.has_dynamic(t) else t) for n, t in want.attrs), frozenset())
        return Value(result_ty, out)
    raise ConversionError(_required(want))  # pragma: no cover


def _convert_at(v: Value, want: T.Type, where: str) -> Value:
    """Convert one element or attribute; errors name where, as cty does ('element 1: attribute "x": ...')."""
    try:
        return convert(v, want)
    except ConversionError as exc:
        raise ConversionError(exc.message, f"{where}: {exc.path}" if exc.path else where) from None


def _primitive(v: Value, want: T.Primitive) -> Value:
    raw = v.raw
    if want.name == "string":
        if isinstance(raw, Num):
            return string(format_number(raw))
        if isinstance(raw, bool):
            return string("true" if raw else "false")
    elif want.name == "number":
        if isinstance(raw, str):
            try:
                return Value(T.NUMBER, Num.parse(raw))
            except NumberError:
                raise ConversionError("a number is required") from None
    elif want.name == "bool" and isinstance(raw, str):
        if raw == "true":
            return Value(T.BOOL, True)
        if raw == "false":
            return Value(T.BOOL, False)
        raise ConversionError("a bool is required")
    raise ConversionError(_required(want))


def can_convert(have: T.Type, want: T.Type) -> bool:
    """Whether some value of `have` may convert to `want` (decided by type alone)."""
    if isinstance(want, T.Dynamic) or isinstance(have, T.Dynamic) or have == want:
        return True
    if isinstance(want, T.Primitive) and isinstance(have, T.Primitive):
        return want.name == "string" or have.name == "string"
    if isinstance(want, (T.List, T.Set)) and isinstance(have, (T.List, T.Set)):
        return can_convert(have.elem, want.elem)
    if isinstance(want, (T.List, T.Set)) and isinstance(have, T.Tuple):
        return all(can_convert(e, want.elem) for e in have.elems)
    if isinstance(want, T.Map) and isinstance(have, T.Map):
        return can_convert(have.elem, want.elem)
    if isinstance(want, T.Map) and isinstance(have, T.Object):
        return all(can_convert(t, want.elem) for _, t in have.attrs)
    if isinstance(want, T.Tuple) and isinstance(have, T.Tuple):
        return len(want.elems) == len(have.elems) and all(
            can_convert(h, w) for h, w in zip(have.elems, want.elems, strict=True)
        )
    if isinstance(want, T.Tuple) and isinstance(have, (T.List, T.Set)):
        return all(can_convert(have.elem, w) for w in want.elems)
    if isinstance(want, T.Object) and isinstance(have, T.Object):
        h = have.attr_types
        return all((n in h and can_convert(h[n], t)) or n in want.optional for n, t in want.attrs)
    if isinstance(want, T.Object) and isinstance(have, T.Map):
        return all(can_convert(have.elem, t) for _, t in want.attrs)
    return False


def unify(types: Sequence[T.Type]) -> T.Type | None:
    """The one type all of `types` convert to, as cty's convert.Unify finds it (None if there is none)."""
    if not types:
        return T.DYNAMIC
    first = types[0]
    if all(t == first for t in types):
        return first
    if any(isinstance(t, T.Dynamic) for t in types):
        return T.DYNAMIC
    if all(isinstance(t, T.Primitive) for t in types):
        if any(t == T.STRING for t in types):
            return T.STRING
        return None
    if all(isinstance(t, (T.List, T.Tuple, T.Set)) for t in types):
        elems: list[T.Type] = []
        kind: type = T.List
        for t in types:
            if isinstance(t, T.Tuple):
                elems.extend(t.elems)
            else:
                elems.append(t.elem)  # type: ignore[attr-defined]
                if isinstance(t, T.Set):
                    kind = T.Set
        if all(isinstance(t, T.Tuple) for t in types):
            lengths = {len(t.elems) for t in types if isinstance(t, T.Tuple)}
            if len(lengths) == 1:
                cols = [unify([t.elems[i] for t in types if isinstance(t, T.Tuple)]) for i in range(lengths.pop())]
                if all(c is not None for c in cols):
                    return T.Tuple(tuple(c for c in cols if c is not None))
        u = unify(elems) if elems else T.DYNAMIC
        return None if u is None else kind(u)
    if all(isinstance(t, (T.Map, T.Object)) for t in types):
        objs = [t for t in types if isinstance(t, T.Object)]
        if len(objs) == len(types):
            names = {tuple(n for n, _ in o.attrs) for o in objs}
            if len(names) == 1:
                attrs: dict[str, T.Type] = {}
                for name in next(iter(names)):
                    u = unify([o.attr_types[name] for o in objs])
                    if u is None:
                        break
                    attrs[name] = u
                else:
                    return T.object_of(attrs)
        vals: list[T.Type] = []
        for t in types:
            if isinstance(t, T.Object):
                vals.extend(ty for _, ty in t.attrs)
            else:
                vals.append(t.elem)  # type: ignore[attr-defined]
        u = unify(vals) if vals else T.DYNAMIC
        return None if u is None else T.Map(u)
    return None
