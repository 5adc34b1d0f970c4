"""Collection functions: go-cty's stdlib (concat, merge, setproduct, ...) and Packer's alltrue/anytrue/index/length."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from ..cty import types as T
from ..cty.convert import ConversionError, convert, unify
from ..cty.numbers import Num
from ..cty.values import (
    FALSE,
    TRUE,
    Value,
    number,
    set_key,
    set_of,
    string,
    tuple_of,
    unknown,
)
from ._goutil import graphemes
from .base import ArityError, CallContext, Function, FunctionError, Param, register

FUNCTIONS: dict[str, Function] = {}

TypeFn = Callable[[Sequence[Value]], T.Type]
GoImpl = Callable[[Sequence[Value], T.Type], Value]

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1


class CtyParam(Param, frozen=True):
    """A parameter with go-cty's AllowDynamicType flag as well."""

    allow_dynamic: bool = False


class CtyFunction(Function):
    """A function called exactly as HCL and go-cty's function.Call do it.

    HCL converts each argument to its parameter type; then go-cty checks nulls, returns an unknown
    of the dynamic type for any dynamically-typed argument a parameter does not accept, runs the
    type function (whose errors are reported even when arguments are unknown), returns an unknown
    of that type for a (shallowly) unknown argument a parameter does not accept, and deep-unmarks
    arguments whose parameter does not take marks, marking the result with what it removed.
    `type_fn` and `go_impl` raise FunctionError (arg set for go-cty's ArgError).
    """

    def __init__(
        self,
        name: str,
        params: Sequence[CtyParam],
        type_fn: TypeFn,
        go_impl: GoImpl,
        var_param: CtyParam | None = None,
        description: str = "",
    ) -> None:
        super().__init__(name, params, returns=type_fn, impl=self._unused, var_param=var_param, description=description)
        self.type_fn = type_fn
        self.go_impl = go_impl

    @staticmethod
    def _unused(args: Sequence[Value], ctx: CallContext) -> Value:  # pragma: no cover - call() is overridden
        raise NotImplementedError

    def _param(self, i: int) -> CtyParam:
        p = self.params[i] if i < len(self.params) else self.var_param
        assert isinstance(p, CtyParam)
        return p

    def call(self, args: Sequence[Value], ctx: CallContext | None = None) -> Value:
        n_fixed = len(self.params)
        if len(args) < n_fixed:
            qual = "at least " if self.var_param is not None else ""
            noun = "argument" if n_fixed == 1 else "arguments"
            raise ArityError(
                f'Function "{self.name}" expects {qual}{n_fixed} {noun}. '
                f'Missing value for "{self.params[len(args)].name}".',
                too_many=False,
            )
        if len(args) > n_fixed and self.var_param is None:
            noun = "argument" if n_fixed == 1 else "arguments"
            count = f"{n_fixed} {noun}" if n_fixed else "no arguments"
            raise ArityError(f'Function "{self.name}" expects only {count}.', too_many=True)
        # HCL: convert each argument to its parameter's type.
        vals: list[Value] = []
        for i, arg in enumerate(args):
            p = self._param(i)
            if not isinstance(p.type, T.Dynamic):
                try:
                    converted = convert(arg, p.type)
                except ConversionError as exc:
                    raise FunctionError(str(exc), i) from None
                if (not arg.known or arg.is_null) and T.has_dynamic(p.type):
                    # go-cty keeps what the input's type says where the wanted type is dynamic
                    converted = Value(dynamic_replace(arg.ty, p.type), None, arg.known, converted.marks)
                arg = converted
            vals.append(arg)
        # go-cty returnTypeForValues.
        for_type = list(vals)
        for i, v in enumerate(vals):
            p = self._param(i)
            if not p.allow_marked and v.deep_marks():
                for_type[i] = v.unmark_deep()[0]
            if v.is_null and not p.allow_null:
                raise FunctionError("argument must not be null", i)
            if isinstance(v.ty, T.Dynamic) and not p.allow_dynamic:
                return unknown(T.DYNAMIC)
        ret = self.type_fn(for_type)
        # go-cty Call.
        marks: set[str] = set()
        ready = list(vals)
        for i, v in enumerate(vals):
            p = self._param(i)
            if not v.known and not p.allow_unknown:
                return unknown(ret)
            if not p.allow_marked:
                plain, m = v.unmark_deep()
                ready[i] = plain
                marks |= m
        result = self.go_impl(ready, ret)
        return result.with_marks(marks) if marks else result


def _fn(
    name: str,
    params: Sequence[CtyParam],
    type_fn: TypeFn,
    impl: GoImpl,
    var_param: CtyParam | None = None,
) -> CtyFunction:
    fn = CtyFunction(name, params, type_fn, impl, var_param)
    register(FUNCTIONS, fn)
    return fn


def _static(ty: T.Type) -> TypeFn:
    return lambda args: ty


# ------------------------------------------------------------------ cty helpers


def _is_seq(ty: T.Type) -> bool:
    return isinstance(ty, (T.List, T.Set, T.Tuple))


def _list(elems: Sequence[Value], ety: T.Type) -> Value:
    return Value(T.List(ety), tuple(elems))


def _list_val(elems: Sequence[Value]) -> Value:
    """cty.ListVal: the element type is the first element's."""
    return Value(T.List(elems[0].ty), tuple(elems))


def _to_int(n: Num) -> int | None:
    """gocty.FromCtyValue into an int: None when not a whole number in int64 range."""
    if not n.is_int():
        return None
    i = n.to_int()
    return i if _INT64_MIN <= i <= _INT64_MAX else None


_WHOLE = f"value must be a whole number, between {_INT64_MIN} and {_INT64_MAX}"


def _conforms(have: T.Type, want: T.Type) -> bool:
    """cty Type.TestConformance: have matches want, where dynamic in want matches anything."""
    if isinstance(want, T.Dynamic) or have == want:
        return True
    if isinstance(have, T.Dynamic):
        return False
    if type(have) is not type(want):
        return False
    if isinstance(have, (T.List, T.Set, T.Map)) and isinstance(want, (T.List, T.Set, T.Map)):
        return _conforms(have.elem, want.elem)
    if isinstance(have, T.Tuple) and isinstance(want, T.Tuple):
        return len(have.elems) == len(want.elems) and all(
            _conforms(h, w) for h, w in zip(have.elems, want.elems, strict=True)
        )
    if isinstance(have, T.Object) and isinstance(want, T.Object):
        h, w = have.attr_types, want.attr_types
        return set(h) == set(w) and all(_conforms(h[k], w[k]) for k in w)
    return False


def dynamic_replace(have: T.Type, want: T.Type) -> T.Type:
    """go-cty's dynamicReplace: `want` with its dynamic parts taken from `have` (for unknown and null conversions)."""
    if isinstance(have, T.Dynamic):
        return want
    if isinstance(want, T.Dynamic):
        return have
    if isinstance(want, T.Primitive):
        return want
    if isinstance(want, (T.List, T.Set, T.Map)):
        inner: T.Type | None = T.DYNAMIC
        if isinstance(have, (T.List, T.Set, T.Map)):
            inner = have.elem
        elif isinstance(have, T.Tuple):
            inner = unify_unsafe(list(have.elems))
        elif isinstance(have, T.Object):
            inner = unify_unsafe([t for _, t in have.attrs])
        elem = want.elem if inner is None else dynamic_replace(inner, want.elem)
        return type(want)(elem)
    if isinstance(want, T.Object):
        out: dict[str, T.Type] = {}
        for name, aty in want.attrs:
            if isinstance(have, T.Map):
                out[name] = dynamic_replace(have.elem, aty)
            elif isinstance(have, T.Object) and name in have.attr_types:
                out[name] = dynamic_replace(have.attr_types[name], aty)
            else:
                out[name] = aty
        return T.object_of(out)
    if isinstance(want, T.Tuple) and isinstance(have, T.Tuple):
        return T.Tuple(tuple(dynamic_replace(h, w) for h, w in zip(have.elems, want.elems, strict=True)))
    return want


def _wholly_known_type(v: Value) -> bool:
    """cty Value.HasWhollyKnownType."""
    if v.is_null:
        return True
    if not v.known:
        return not T.has_dynamic(v.ty)
    if isinstance(v.raw, tuple):
        return all(_wholly_known_type(e) for e in v.raw)
    if isinstance(v.raw, dict):
        return all(_wholly_known_type(e) for e in v.raw.values())
    return True


def cty_equals(a: Value, b: Value) -> bool | None:
    """cty Value.Equals, ignoring marks: True, False, or None when unknown."""
    if not a.known and not b.known:
        return None
    if a.known != b.known:
        k, u = (a, b) if a.known else (b, a)
        if k.is_null or T.has_dynamic(u.ty):
            return None
        return False if k.ty != u.ty else None
    if a.is_null and b.is_null:
        return True
    if a.is_null or b.is_null:
        return False
    if not _wholly_known_type(a) or not _wholly_known_type(b):
        if not _conforms(a.ty, b.ty) and not _conforms(b.ty, a.ty):
            return False
        return None
    if a.ty != b.ty:
        return False
    ra, rb = a.raw, b.raw
    if isinstance(ra, Num):
        return ra.cmp(rb) == 0
    if isinstance(ra, (str, bool)):
        return bool(ra == rb)
    if isinstance(a.ty, T.Set):
        if not all(e.known for e in a.elements() + b.elements()):
            return None
        return all(any(cty_equals(x, y) is True for y in b.elements()) for x in a.elements()) and all(
            any(cty_equals(y, x) is True for x in a.elements()) for y in b.elements()
        )
    if isinstance(ra, tuple):
        if len(ra) != len(rb):
            return False
        pairs = list(zip(ra, rb, strict=True))
    else:
        assert isinstance(ra, dict) and isinstance(rb, dict)
        if len(ra) != len(rb):
            return False
        if set(ra) != set(rb):
            return False
        pairs = [(ra[k], rb[k]) for k in sorted(ra)]
    for x, y in pairs:
        eq = cty_equals(x.unmark()[0], y.unmark()[0])
        if eq is None:
            return None
        if not eq:
            return False
    return True


def unify_unsafe(types: Sequence[T.Type]) -> T.Type | None:
    """convert.UnifyUnsafe: the shared unify, with go-cty's handling of the dynamic pseudo-type."""
    if not types:
        return None
    if all(t == types[0] for t in types):
        return types[0]
    concrete = [t for t in types if not isinstance(t, T.Dynamic)]
    if not concrete:
        return T.DYNAMIC
    if len(concrete) < len(types):
        kinds = {type(t) for t in concrete}
        if len(kinds) == 1 and kinds <= {T.List, T.Set, T.Map, T.Object, T.Tuple}:
            # a collection or structural kind mixed with dynamic: go-cty unifies all as dynamic
            return T.DYNAMIC
        # dynamic has the lowest preference and converts to anything
        return unify(concrete)
    return unify(types)


# ------------------------------------------------------------------ Packer's alltrue, anytrue, index, length


def _alltrue(args: Sequence[Value], ret: T.Type) -> Value:
    for v in args[0].elements():
        if not v.known:
            return unknown(T.BOOL)
        if v.is_null or not v.as_bool():
            return FALSE
    return TRUE


def _anytrue(args: Sequence[Value], ret: T.Type) -> Value:
    has_unknown = False
    for v in args[0].elements():
        if not v.known:
            has_unknown = True
            continue
        if v.is_null:
            continue
        if v.as_bool():
            return TRUE
    return unknown(T.BOOL) if has_unknown else FALSE


_fn("alltrue", [CtyParam("list", T.List(T.BOOL))], _static(T.BOOL), _alltrue)
_fn("anytrue", [CtyParam("list", T.List(T.BOOL))], _static(T.BOOL), _anytrue)


def _index(args: Sequence[Value], ret: T.Type) -> Value:
    lst, value = args
    if not isinstance(lst.ty, (T.List, T.Tuple)):
        raise FunctionError("argument must be a list or tuple")
    if not lst.elements():
        raise FunctionError("cannot search an empty list")
    for i, v in enumerate(lst.elements()):
        eq = cty_equals(v, value)
        if eq is None:
            return unknown(T.NUMBER)
        if eq:
            return number(i)
    raise FunctionError("item not found")


_fn("index", [CtyParam("list"), CtyParam("value")], _static(T.NUMBER), _index)


def _length_type(args: Sequence[Value]) -> T.Type:
    ty = args[0].ty
    if ty == T.STRING or isinstance(ty, (T.Tuple, T.Object, T.List, T.Map, T.Set, T.Dynamic)):
        return T.NUMBER
    raise FunctionError("argument must be a string, a collection type, or a structural type")


def _collection_length(v: Value) -> Value:
    """cty Value.Length of a list, set or map (unknown for a set holding unknowns that may coalesce)."""
    if not v.known:
        return unknown(T.NUMBER)
    n = len(v.raw)
    if isinstance(v.ty, T.Set) and n != 1 and not v.is_wholly_known():
        return unknown(T.NUMBER)
    return number(n)


def _length(args: Sequence[Value], ret: T.Type) -> Value:
    v = args[0]
    ty = v.ty
    if isinstance(ty, T.Dynamic):
        return unknown(T.NUMBER)
    if isinstance(ty, T.Tuple):
        return number(len(ty.elems))
    if isinstance(ty, T.Object):
        return number(len(ty.attrs))
    if ty == T.STRING:
        return number(len(graphemes(v.as_string()))) if v.known else unknown(T.NUMBER)
    return _collection_length(v)


_fn("length", [CtyParam("value", allow_dynamic=True, allow_unknown=True)], _length_type, _length)


# ------------------------------------------------------------------ go-cty stdlib collection functions


def _chunklist(args: Sequence[Value], ret: T.Type) -> Value:
    lst, list_marks = args[0].unmark()
    size_val, size_marks = args[1].unmark()
    marks = list_marks | size_marks
    size = _to_int(size_val.as_num())
    if size is None:
        raise FunctionError(f"invalid size: {_WHOLE}")
    if size < 0:
        raise FunctionError("the size argument must be positive")
    elems = lst.elements()
    if not elems:
        return Value(T.List(lst.ty), ()).with_marks(marks)
    if size == 0:
        return Value(T.List(lst.ty), (lst,)).with_marks(marks)
    assert isinstance(lst.ty, T.List)
    chunks = [_list(elems[i : i + size], lst.ty.elem) for i in range(0, len(elems), size)]
    return Value(T.List(lst.ty), tuple(chunks)).with_marks(marks)


_fn(
    "chunklist",
    [CtyParam("list", T.List(T.DYNAMIC), allow_marked=True), CtyParam("size", T.NUMBER, allow_marked=True)],
    lambda args: T.List(args[0].ty),
    _chunklist,
)


def _coalesce_type(args: Sequence[Value]) -> T.Type:
    ty = unify_unsafe([a.ty for a in args])
    if ty is None:
        raise FunctionError("all arguments must have the same type")
    return ty


def _coalesce(args: Sequence[Value], ret: T.Type) -> Value:
    for arg in args:
        v = convert(arg, ret)
        if not v.known:
            return unknown(ret)
        if v.is_null:
            continue
        if ret == T.STRING and v.raw == "":
            continue
        return v
    raise FunctionError("no non-null, non-empty-string arguments")


_fn(
    "coalesce",
    [],
    _coalesce_type,
    _coalesce,
    var_param=CtyParam("vals", allow_unknown=True, allow_dynamic=True, allow_null=True),
)


def _coalescelist_type(args: Sequence[Value]) -> T.Type:
    if not args:
        raise FunctionError("at least one argument is required")
    for arg in args:
        if not arg.known:
            return T.DYNAMIC
        if not isinstance(arg.ty, (T.List, T.Tuple)):
            raise FunctionError("coalescelist arguments must be lists or tuples")
    first = args[0].ty
    return first if all(a.ty == first for a in args) else T.DYNAMIC


def _coalescelist(args: Sequence[Value], ret: T.Type) -> Value:
    for arg in args:
        if not arg.known:
            return unknown(ret)
        if arg.is_null:
            continue
        if arg.elements():
            return arg
    raise FunctionError("no non-null arguments")


_fn(
    "coalescelist",
    [],
    _coalescelist_type,
    _coalescelist,
    var_param=CtyParam("vals", allow_unknown=True, allow_dynamic=True, allow_null=True),
)


def _compact(args: Sequence[Value], ret: T.Type) -> Value:
    lst = args[0]
    if not lst.is_wholly_known():
        return unknown(ret)
    return _list([v for v in lst.elements() if not v.is_null and v.as_string() != ""], T.STRING)


_fn("compact", [CtyParam("list", T.List(T.STRING))], _static(T.List(T.STRING)), _compact)


def _concat_type(args: Sequence[Value]) -> T.Type:
    if not args:
        raise FunctionError("at least one argument is required")
    if isinstance(args[0].ty, T.List) and all(isinstance(a.ty, T.List) for a in args):
        common = unify_unsafe([a.ty for a in args])
        if common is not None:
            return common
    etys: list[T.Type] = []
    for i, arg in enumerate(args):
        ty = arg.ty
        if isinstance(ty, T.Tuple):
            etys.extend(ty.elems)
        elif isinstance(ty, T.List):
            if not arg.known:
                return T.DYNAMIC
            etys.extend([ty.elem] * len(arg.elements()))
        else:
            raise FunctionError(f"all arguments must be lists or tuples; got {ty.friendly()}", i)
    return T.Tuple(tuple(etys))


def _concat(args: Sequence[Value], ret: T.Type) -> Value:
    vals: list[Value] = []
    marks: set[str] = set()
    for i, seq in enumerate(args):
        if isinstance(ret, T.List):
            try:
                seq = convert(seq, ret)
            except ConversionError as exc:
                raise FunctionError(str(exc), i) from None
        seq, m = seq.unmark()
        marks |= m
        vals.extend(seq.elements())
    if isinstance(ret, T.List):
        return _list(vals, ret.elem).with_marks(marks)
    return tuple_of(vals).with_marks(marks)


_fn("concat", [], _concat_type, _concat, var_param=CtyParam("seqs", allow_marked=True))


def _contains(args: Sequence[Value], ret: T.Type) -> Value:
    lst, value = args
    if not _is_seq(lst.ty):
        raise FunctionError("argument must be list, tuple, or set")
    if not lst.elements():
        return FALSE
    has_unknown = False
    for v in lst.elements():
        eq = cty_equals(value, v)
        if eq is None:
            has_unknown = True
            continue
        if eq:
            return TRUE
    return unknown(T.BOOL) if has_unknown else FALSE


_fn("contains", [CtyParam("list"), CtyParam("value")], _static(T.BOOL), _contains)


def _distinct(args: Sequence[Value], ret: T.Type) -> Value:
    lst = args[0]
    if not lst.is_wholly_known():
        return unknown(ret)
    out: list[Value] = []
    for v in lst.elements():
        if not any(cty_equals(seen, v) is True for seen in out):
            out.append(v)
    assert isinstance(ret, T.List)
    return _list(out, ret.elem)


_fn("distinct", [CtyParam("list", T.List(T.DYNAMIC))], lambda args: args[0].ty, _distinct)


def _element_type(args: Sequence[Value]) -> T.Type:
    lst, index = args
    if index.known and index.as_num().sign() < 0:
        raise FunctionError("cannot use element function with a negative index")
    ty = lst.ty
    if isinstance(ty, T.List):
        return ty.elem
    if isinstance(ty, T.Tuple):
        if not index.known:
            return T.DYNAMIC
        i = _to_int(index.as_num())
        if i is None:
            raise FunctionError(f"invalid index: {_WHOLE}")
        if not ty.elems:
            raise FunctionError("cannot use element function with an empty list")
        return ty.elems[i % len(ty.elems)]
    raise FunctionError(f"cannot read elements from {ty.friendly()}")


def _element(args: Sequence[Value], ret: T.Type) -> Value:
    i = _to_int(args[1].as_num())
    if i is None:
        raise FunctionError(f"invalid index: {_WHOLE}")
    if i < 0:
        raise FunctionError("cannot use element function with a negative index")
    lst, marks = args[0].unmark()
    elems = lst.elements()
    if not elems:
        raise FunctionError("cannot use element function with an empty list")
    return elems[i % len(elems)].with_marks(marks)


_fn(
    "element",
    [CtyParam("list", allow_marked=True), CtyParam("index", T.NUMBER)],
    _element_type,
    _element,
)


def _flattener(v: Value) -> tuple[list[Value], set[str], bool]:
    """Flatten nested lists, sets and tuples; return the values, marks gathered, and whether all is known."""
    v, m = v.unmark()
    marks = set(m)
    if not v.known:
        return [], marks, False
    out: list[Value] = []
    known = True
    for e in v.elements():
        if isinstance(e.ty, T.Dynamic) and not e.known and not e.marks:
            known = False  # DynamicVal may stand for more nested sequences
        if not e.is_null and _is_seq(e.ty):
            if not e.known:
                known = False
                marks |= e.marks
                continue
            sub, sub_marks, sub_known = _flattener(e)
            marks |= sub_marks
            if sub_known:
                out.extend(sub)
            else:
                known = False
        else:
            out.append(e)
    return out, marks, known


def _flatten_type(args: Sequence[Value]) -> T.Type:
    arg = args[0]
    if not arg.is_wholly_known():
        return T.DYNAMIC
    if not _is_seq(arg.ty):
        raise FunctionError("can only flatten lists, sets and tuples")
    vals, _, known = _flattener(arg)
    if not known:
        return T.DYNAMIC  # pragma: no cover - a wholly known value flattens to known values
    return T.Tuple(tuple(v.ty for v in vals))


def _flatten(args: Sequence[Value], ret: T.Type) -> Value:
    plain, marks = args[0].unmark()
    if not plain.elements():
        return tuple_of([]).with_marks(marks)
    vals, all_marks, known = _flattener(args[0])
    if not known:
        return unknown(ret).with_marks(all_marks)
    return tuple_of(vals).with_marks(all_marks)


_fn("flatten", [CtyParam("list", allow_marked=True)], _flatten_type, _flatten)


def _keys_type(args: Sequence[Value]) -> T.Type:
    ty = args[0].ty
    if isinstance(ty, T.Map):
        return T.List(T.STRING)
    if isinstance(ty, T.Object):
        return T.Tuple((T.STRING,) * len(ty.attrs))
    raise FunctionError("must have map or object type", 0)


def _keys(args: Sequence[Value], ret: T.Type) -> Value:
    m, marks = args[0].unmark()
    if isinstance(m.ty, T.Object):
        return tuple_of([string(name) for name, _ in sorted(m.ty.attrs)]).with_marks(marks)
    if not m.known:
        return unknown(ret).with_marks(marks)
    return _list([string(k) for k, _ in m.items()], T.STRING).with_marks(marks)


_fn("keys", [CtyParam("inputMap", allow_unknown=True, allow_marked=True)], _keys_type, _keys)


def _lookup_type(args: Sequence[Value]) -> T.Type:
    coll, key, default = args
    ty = coll.ty
    if isinstance(ty, T.Object):
        if not key.known:
            return T.DYNAMIC
        name = key.unmark()[0].as_string()
        attrs = ty.attr_types
        if name in attrs:
            return attrs[name]
        return default.ty
    if isinstance(ty, T.Map):
        try:
            convert(default, ty.elem)
        except ConversionError:
            raise FunctionError("the default value must have the same type as the map elements", 2) from None
        return ty.elem
    raise FunctionError("lookup() requires a map as the first argument", 0)


def _lookup(args: Sequence[Value], ret: T.Type) -> Value:
    coll, coll_marks = args[0].unmark()
    key, key_marks = args[1].unmark()
    marks = coll_marks | key_marks
    name = key.as_string()
    if not coll.is_wholly_known():
        return unknown(ret).with_marks(marks)
    attrs = coll.attrs()
    if name in attrs:
        return attrs[name].with_marks(marks)
    try:
        default = convert(args[2], ret)
    except ConversionError as exc:
        raise FunctionError(str(exc)) from None
    return default.with_marks(marks)


_fn(
    "lookup",
    [
        CtyParam("inputMap", allow_marked=True),
        CtyParam("key", T.STRING, allow_marked=True),
        CtyParam("default", allow_marked=True),
    ],
    _lookup_type,
    _lookup,
)


def _merge_type(args: Sequence[Value]) -> T.Type:
    if not args:
        return T.EMPTY_OBJECT
    attrs: dict[str, T.Type] = {}
    first: T.Type | None = None
    matching = True
    attrs_known = True
    for i, marked in enumerate(args):
        ty = marked.ty
        if isinstance(ty, T.Dynamic):
            return T.DYNAMIC
        if not isinstance(ty, (T.Map, T.Object)):
            raise FunctionError(f'arguments must be maps or objects, got "{ty.friendly()}"')
        arg = marked.unmark()[0]
        if isinstance(ty, T.Object) and not arg.is_null:
            attrs.update(ty.attr_types)
        elif isinstance(ty, T.Map):
            if arg.is_null:
                pass
            elif arg.known:
                attrs.update({k: ty.elem for k in arg.attrs()})
            else:
                attrs_known = False
        if i == 0:
            first = ty
            continue
        if ty != first:
            matching = False
    if matching:
        assert first is not None
        return first
    if not attrs_known:
        return T.DYNAMIC
    return T.object_of(attrs)


def _merge(args: Sequence[Value], ret: T.Type) -> Value:
    out: dict[str, Value] = {}
    marks: set[str] = set()
    for marked in args:
        if marked.is_null:
            continue
        arg, m = marked.unmark()
        marks |= m
        out.update(arg.attrs())
    if isinstance(ret, T.Map):
        return Value(T.Map(ret.elem), out).with_marks(marks)
    return Value(T.object_of({k: v.ty for k, v in out.items()}), out).with_marks(marks)


_fn(
    "merge",
    [],
    _merge_type,
    _merge,
    var_param=CtyParam("maps", allow_dynamic=True, allow_null=True, allow_marked=True),
)


_ZERO = Num(Fraction(0), 64)
_ONE = Num(Fraction(1), 64)
_MINUS_ONE = Num(Fraction(-1), 64)


def _range(args: Sequence[Value], ret: T.Type) -> Value:
    nums = [a.as_num() for a in args]
    if len(nums) == 1:
        start, end, step = _ZERO, nums[0], (_MINUS_ONE if nums[0].cmp(_ZERO) < 0 else _ONE)
    elif len(nums) == 2:
        start, end = nums
        step = _MINUS_ONE if end.cmp(start) < 0 else _ONE
    elif len(nums) == 3:
        start, end, step = nums
    else:
        raise FunctionError("must have one, two, or three arguments")
    # go-cty's `step == cty.Zero` compares pointers, so a zero step given by a caller is not caught
    # here: it generates values until the 1024 limit (or none when start equals end).
    down = step.cmp(_ZERO) < 0
    if down:
        if end.cmp(start) > 0:
            raise FunctionError("end must be less than start when step is negative", 1)
    elif end.cmp(start) < 0:
        raise FunctionError("end must be greater than start when step is positive", 1)
    vals: list[Value] = []
    num = start
    while True:
        c = num.cmp(end)
        if (down and c <= 0) or (not down and c >= 0):
            break
        if len(vals) >= 1024:
            raise FunctionError(
                "more than 1024 values were generated; either decrease the difference between start and end "
                "or use a smaller step"
            )
        vals.append(Value(T.NUMBER, num))
        num = num.add(step)
    return _list(vals, T.NUMBER)


_fn("range", [], _static(T.List(T.NUMBER)), _range, var_param=CtyParam("params", T.NUMBER))


def _reverse_type(args: Sequence[Value]) -> T.Type:
    ty = args[0].ty
    if isinstance(ty, T.Tuple):
        return T.Tuple(tuple(reversed(ty.elems)))
    if isinstance(ty, (T.List, T.Set)):
        return T.List(ty.elem)
    raise FunctionError(f"can only reverse list or tuple values, not {ty.friendly()}", 0)


def _reverse(args: Sequence[Value], ret: T.Type) -> Value:
    seq, marks = args[0].unmark()
    out = list(reversed(seq.elements()))
    if isinstance(ret, T.Tuple):
        return tuple_of(out).with_marks(marks)
    assert isinstance(ret, T.List)
    return _list(out, ret.elem).with_marks(marks)


_fn("reverse", [CtyParam("list", allow_marked=True)], _reverse_type, _reverse)


def _set_op_type(args: Sequence[Value]) -> T.Type:
    etys: list[T.Type] = []
    for arg in args:
        assert isinstance(arg.ty, T.Set)
        ety = arg.ty.elem
        if arg.known and not arg.elements() and isinstance(ety, T.Dynamic):
            continue
        etys.append(ety)
    if not etys:
        return T.Set(T.DYNAMIC)
    ety_u = unify_unsafe(etys)
    if ety_u is None:
        raise FunctionError("given sets must all have compatible element types")
    return T.Set(ety_u)


def _set_op(union: bool) -> GoImpl:
    def impl(args: Sequence[Value], ret: T.Type) -> Value:
        assert isinstance(ret, T.Set)
        result: list[Value] | None = None
        for i, arg in enumerate(args):
            try:
                s = convert(arg, ret)
            except ConversionError as exc:
                raise FunctionError(str(exc), i) from None
            if not union and not s.is_wholly_known():
                return unknown(ret)
            elems = list(s.elements())
            if result is None:
                result = elems
            elif union:
                result = result + elems
            else:
                keys = {set_key(e) for e in elems}
                result = [e for e in result if set_key(e) in keys]
        assert result is not None
        return set_of(result, ret.elem)

    return impl


_SET_FIRST = CtyParam("first_set", T.Set(T.DYNAMIC), allow_dynamic=True)
_SET_OTHERS = CtyParam("other_sets", T.Set(T.DYNAMIC), allow_dynamic=True)
_fn("setintersection", [_SET_FIRST], _set_op_type, _set_op(union=False), var_param=_SET_OTHERS)
_fn("setunion", [_SET_FIRST], _set_op_type, _set_op(union=True), var_param=_SET_OTHERS)


def _setproduct_type(args: Sequence[Value]) -> T.Type:
    if len(args) < 2:
        raise FunctionError("at least two arguments are required")
    list_count = 0
    etys: list[T.Type] = []
    for i, arg in enumerate(args):
        ty = arg.ty
        if isinstance(ty, T.Set):
            etys.append(ty.elem)
        elif isinstance(ty, T.List):
            etys.append(ty.elem)
            list_count += 1
        elif isinstance(ty, T.Tuple):
            list_count += 1
            if not ty.elems:
                etys.append(T.DYNAMIC)
                continue
            ety = unify_unsafe(list(ty.elems))
            if ety is None:
                raise FunctionError("all elements must be of the same type", i)
            etys.append(ety)
        else:
            raise FunctionError("a set or a list is required", i)
    elem = T.Tuple(tuple(etys))
    return T.List(elem) if list_count == len(args) else T.Set(elem)


def _setproduct(args: Sequence[Value], ret: T.Type) -> Value:
    assert isinstance(ret, (T.List, T.Set)) and isinstance(ret.elem, T.Tuple)
    marks: set[str] = set()
    plain: list[Value] = []
    unknown_length = False
    for arg in args:
        v, m = arg.unmark()
        marks |= m
        plain.append(v)
        if not v.known or (not isinstance(v.ty, T.Tuple) and not _collection_length(v).known):
            unknown_length = True
    if unknown_length:
        return unknown(ret).with_marks(marks)
    sub = ret.elem.elems
    columns: list[list[Value]] = []
    for j, v in enumerate(plain):
        col = []
        for e in v.elements():
            if e.ty != sub[j]:
                try:
                    e = convert(e, sub[j])
                except ConversionError:  # pragma: no cover - the type function checked this
                    raise FunctionError(f"failed to convert argVals[{j}] to {sub[j].friendly()}") from None
            col.append(e)
        columns.append(col)
    rows: list[list[Value]] = [[]]
    for col in columns:
        rows = [[*row, e] for row in rows for e in col]
    product = [tuple_of(r) for r in rows]
    if not product:
        return Value(T.List(ret.elem) if isinstance(ret, T.List) else T.Set(ret.elem), ()).with_marks(marks)
    if isinstance(ret, T.List):
        return _list_val(product).with_marks(marks)
    return set_of(product, product[0].ty).with_marks(marks)


_fn(
    "setproduct",
    [],
    _setproduct_type,
    _setproduct,
    var_param=CtyParam("sets", allow_marked=True, allow_unknown=True),
)


def _slice_indexes(args: Sequence[Value]) -> tuple[int, int, bool]:
    lst = args[0].unmark()[0]
    length: int | None = None
    if isinstance(lst.ty, T.Tuple):
        length = len(lst.ty.elems)
    elif lst.known:
        length = len(lst.elements())
    start = end = 0
    start_known = end_known = False
    if args[1].known:
        s = _to_int(args[1].as_num())
        if s is None:
            raise FunctionError(f"invalid start index: {_WHOLE}", 1)
        if s < 0:
            raise FunctionError("start index must not be less than zero", 1)
        if length is not None and s > length:
            raise FunctionError("start index must not be greater than the length of the list", 1)
        start, start_known = s, True
    if args[2].known:
        e = _to_int(args[2].as_num())
        if e is None:
            raise FunctionError(f"invalid end index: {_WHOLE}", 2)
        if e < 0:
            raise FunctionError("end index must not be less than zero", 2)
        if length is not None and e > length:
            raise FunctionError("end index must not be greater than the length of the list", 2)
        end, end_known = e, True
    if start_known and end_known and start > end:
        raise FunctionError("start index must not be greater than end index", 1)
    return start, end, start_known and end_known


def _slice_type(args: Sequence[Value]) -> T.Type:
    ty = args[0].ty
    if isinstance(ty, T.Set):
        raise FunctionError(
            "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the "
            "ordering of the result is not important",
            0,
        )
    if not isinstance(ty, (T.List, T.Tuple)):
        raise FunctionError("must be a list or tuple value", 0)
    start, end, known = _slice_indexes(args)
    if isinstance(ty, T.List):
        return ty
    if not known:
        return T.DYNAMIC
    return T.Tuple(ty.elems[start:end])


def _slice(args: Sequence[Value], ret: T.Type) -> Value:
    lst, marks = args[0].unmark()
    if isinstance(ret, T.Dynamic):  # pragma: no cover - unknown indexes return before the implementation
        return unknown(T.DYNAMIC).with_marks(marks)
    start, end, _ = _slice_indexes(args)
    out = lst.elements()[start:end]
    if isinstance(ret, T.Tuple):
        return tuple_of(out).with_marks(marks)
    assert isinstance(ret, T.List)
    return _list(out, ret.elem).with_marks(marks)


_fn(
    "slice",
    [CtyParam("list", allow_marked=True), CtyParam("start_index", T.NUMBER), CtyParam("end_index", T.NUMBER)],
    _slice_type,
    _slice,
)


def _sort(args: Sequence[Value], ret: T.Type) -> Value:
    lst = args[0]
    if not lst.is_wholly_known():
        return unknown(ret)
    elems = lst.elements()
    if not elems:
        return lst
    for i, v in enumerate(elems):
        if v.is_null:
            raise FunctionError(f"given list element {i} is null; a null string cannot be sorted")
    return _list([string(s) for s in sorted(v.as_string() for v in elems)], T.STRING)


_fn("sort", [CtyParam("list", T.List(T.STRING), allow_unknown=True)], _static(T.List(T.STRING)), _sort)


def _values_type(args: Sequence[Value]) -> T.Type:
    ty = args[0].ty
    if isinstance(ty, T.Map):
        return T.List(ty.elem)
    if isinstance(ty, T.Object):
        return T.Tuple(tuple(t for _, t in sorted(ty.attrs)))
    raise FunctionError("values() requires a map as the first argument")


def _values(args: Sequence[Value], ret: T.Type) -> Value:
    m, marks = args[0].unmark()
    vals = [v for _, v in m.items()]
    if isinstance(ret, T.Tuple):
        return tuple_of(vals).with_marks(marks)
    assert isinstance(ret, T.List)
    return _list(vals, ret.elem).with_marks(marks)


_fn("values", [CtyParam("mapping", allow_marked=True)], _values_type, _values)


def _zipmap_type(args: Sequence[Value]) -> T.Type:
    keys, values = args
    vty = values.ty
    if isinstance(vty, T.List):
        return T.Map(vty.elem)
    if isinstance(vty, T.Tuple):
        if not keys.is_wholly_known():
            return T.DYNAMIC
        names = keys.unmark()[0].elements()
        if len(names) != len(vty.elems):
            raise FunctionError(f"number of keys ({len(names)}) does not match number of values ({len(vty.elems)})")
        attrs: dict[str, T.Type] = {}
        for i, (k, ety) in enumerate(zip(names, vty.elems, strict=True)):
            if k.is_null:
                raise FunctionError(f"keys list has null value at index {i}")
            attrs[k.unmark()[0].as_string()] = ety
        return T.object_of(attrs)
    raise FunctionError("values argument must be a list or tuple value")


def _zipmap(args: Sequence[Value], ret: T.Type) -> Value:
    keys, key_marks = args[0].unmark()
    values, value_marks = args[1].unmark()
    marks = set(key_marks | value_marks)
    if not keys.is_wholly_known():
        return unknown(ret).with_marks(marks)
    names, vals = keys.elements(), values.elements()
    if len(names) != len(vals):
        raise FunctionError(f"number of keys ({len(names)}) does not match number of values ({len(vals)})")
    out: dict[str, Value] = {}
    for i, (k, v) in enumerate(zip(names, vals, strict=True)):
        k, m = k.unmark()
        if k.is_null:  # go-cty panics here; report it as the tuple case does
            raise FunctionError(f"keys list has null value at index {i}")
        out[k.as_string()] = v
        marks |= m
    if isinstance(ret, T.Map):
        return Value(T.Map(ret.elem), out).with_marks(marks)
    return Value(ret, out).with_marks(marks)


_fn(
    "zipmap",
    [CtyParam("keys", T.List(T.STRING), allow_marked=True), CtyParam("values", allow_marked=True)],
    _zipmap_type,
    _zipmap,
)
