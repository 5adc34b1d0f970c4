"""Type constraint expressions (`list(string)`, `object({a = optional(number, 1)})`) as Terraform's typeexpr."""

from __future__ import annotations

import msgspec

from .. import diagnostics as dg
from ..cty import types as T
from ..cty.values import Value
from . import syntax as sx


class TypeExprError(Exception):
    """An invalid type constraint, with its diagnostic."""

    def __init__(self, detail: str, rng: object) -> None:
        super().__init__(detail)
        self.diag = dg.error("Invalid type specification", detail, rng)  # type: ignore[arg-type]


class Defaults(msgspec.Struct):
    """Default values of optional object attributes, nested as the type is."""

    type: T.Type
    values: dict[str, Value] = msgspec.field(default_factory=dict)
    children: dict[str, Defaults] = msgspec.field(default_factory=dict)


_NOT_A_TYPE = (
    "A type specification is either a primitive type keyword (bool, number, string) or a complex type "
    "constructor call, like list(string)."
)
_OPTIONAL_ARGS = (
    "Optional attribute modifier requires the attribute type as its argument, and may have a default value "
    "as its second argument."
)
_KEYWORDS = {"string": T.STRING, "number": T.NUMBER, "bool": T.BOOL, "any": T.DYNAMIC}
_COLLECTIONS = {"list": T.List, "set": T.Set, "map": T.Map}


def type_constraint(e: sx.Expr) -> tuple[T.Type, Defaults | None]:
    """The type an expression denotes, and the defaults its optional attributes declare."""
    return _walk(e, allow_optional=False)


def _walk(e: sx.Expr, allow_optional: bool) -> tuple[T.Type, Defaults | None]:
    if isinstance(e, sx.Paren):
        return _walk(e.expr, allow_optional)
    if isinstance(e, sx.Variable):
        if e.name in _KEYWORDS:
            return _KEYWORDS[e.name], None
        if e.name in _COLLECTIONS or e.name in ("object", "tuple"):
            raise TypeExprError(
                f"The {e.name} type constructor requires one argument specifying the element type.", e.range
            )
        raise TypeExprError(f'The keyword "{e.name}" is not a valid type specification.', e.range)
    if not isinstance(e, sx.FunctionCall):
        raise TypeExprError(_NOT_A_TYPE, e.range)
    name = e.name
    if name in _COLLECTIONS:
        if len(e.args) != 1:
            raise TypeExprError(
                f"The {name} type constructor requires one argument specifying the element type.", e.range
            )
        elem, d = _walk(e.args[0], False)
        ty = _COLLECTIONS[name](elem)
        return ty, (Defaults(ty, children={"": d}) if d else None)
    if name == "tuple":
        if len(e.args) != 1 or not isinstance(e.args[0], sx.Tuple):
            raise TypeExprError(
                "The tuple type constructor requires one argument specifying the element types as a list.", e.range
            )
        elems = [_walk(x, False) for x in e.args[0].items]
        ty = T.Tuple(tuple(t for t, _ in elems))
        kids = {str(i): d for i, (_, d) in enumerate(elems) if d}
        return ty, (Defaults(ty, children=kids) if kids else None)
    if name == "object":
        if len(e.args) != 1 or not isinstance(e.args[0], sx.Object):
            raise TypeExprError(
                "The object type constructor requires one argument specifying the attribute types as a map.", e.range
            )
        attrs: dict[str, T.Type] = {}
        optional: set[str] = set()
        values: dict[str, Value] = {}
        children: dict[str, Defaults] = {}
        for item in e.args[0].items:
            key = item.key
            if isinstance(key, sx.Variable) and item.bare_key:
                aname = key.name
            elif isinstance(key, sx.BoolLit):
                aname = "true" if key.value else "false"
            elif isinstance(key, sx.NullLit):
                aname = "null"
            elif isinstance(key, sx.Template) and len(key.parts) == 1 and isinstance(key.parts[0], sx.TemplateLiteral):
                aname = key.parts[0].value
            elif isinstance(key, sx.Template) and not key.parts:
                aname = ""
            else:
                raise TypeExprError("Object constructor map keys must be attribute names.", key.range)
            value = item.value
            if isinstance(value, sx.FunctionCall) and value.name == "optional":
                if not 1 <= len(value.args) <= 2:
                    raise TypeExprError(_OPTIONAL_ARGS, value.range)
                aty, d = _walk(value.args[0], False)
                optional.add(aname)
                if len(value.args) == 2:
                    from ..cty.convert import ConversionError, convert
                    from .eval import EvalFailed, Scope, value_of

                    try:
                        dv = value_of(value.args[1], Scope())
                        values[aname] = convert(dv, aty)
                    except EvalFailed as exc:
                        raise TypeExprError(exc.diags[0].detail, value.args[1].range) from None
                    except ConversionError as exc:
                        raise TypeExprError(
                            f"Invalid default value for optional attribute: {exc}.", value.args[1].range
                        ) from None
            else:
                aty, d = _walk(value, False)
            attrs[aname] = aty
            if d:
                children[aname] = d
        ty = T.object_of(attrs, frozenset(optional))
        return ty, (Defaults(ty, values, children) if values or children else None)
    if name == "optional":
        raise TypeExprError('Keyword "optional" is valid only as a modifier for object type attributes.', e.range)
    raise TypeExprError(f'Keyword "{name}" is not a valid type constructor.', e.name_range)


def apply_defaults(v: Value, defaults: Defaults | None) -> Value:
    """Fill null optional attributes with their declared defaults, recursively (after conversion)."""
    from ..cty import values as V

    if defaults is None or not v.known or v.is_null:
        return v
    raw, marks = v.unmark()
    ty = raw.ty
    if isinstance(ty, T.Object) and isinstance(defaults.type, T.Object):
        out = dict(raw.attrs())
        for name, dv in defaults.values.items():
            if name in out and out[name].is_null:
                out[name] = dv
        for name, child in defaults.children.items():
            if name in out:
                out[name] = apply_defaults(out[name], child)
        return Value(ty, out).with_marks(marks)
    elem_defaults = defaults.children.get("")
    if elem_defaults is not None and isinstance(ty, (T.List, T.Set, T.Map)):
        if isinstance(ty, T.Map):
            return V.map_of({k: apply_defaults(x, elem_defaults) for k, x in raw.items()}, ty.elem).with_marks(marks)
        elems = [apply_defaults(x, elem_defaults) for x in raw.elements()]
        return (V.list_of(elems, ty.elem) if isinstance(ty, T.List) else V.set_of(elems, ty.elem)).with_marks(marks)
    if isinstance(ty, T.Tuple):
        elems = [apply_defaults(x, defaults.children.get(str(i))) for i, x in enumerate(raw.elements())]
        return V.tuple_of(elems).with_marks(marks)
    return v
