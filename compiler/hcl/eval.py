"""Expression evaluation over the syntax tree, with hclsyntax's semantics and diagnostics."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import diagnostics as dg
from ..cty import types as T
from ..cty import values as V
from ..cty.convert import ConversionError, convert, unify
from ..cty.numbers import Num, NumberError
from ..cty.values import Value
from ..functions.base import ArityError, CallContext, Function, FunctionError
from ..source import Range
from . import syntax as sx

# Functions whose arguments are expressions, not values: the evaluator implements them.
SPECIAL_FUNCTIONS = frozenset({"try", "can", "convert", "templatefile"})


class EvalFailed(Exception):
    """Evaluation stopped with error diagnostics."""

    def __init__(self, diags: list[dg.Diagnostic]) -> None:
        super().__init__(diags[0].summary if diags else "evaluation failed")
        self.diags = diags


class Scope:
    """What expressions can see: variables, functions, and the impure-function context."""

    def __init__(
        self,
        variables: Mapping[str, Value] | None = None,
        functions: Mapping[str, Function] | None = None,
        ctx: CallContext | None = None,
        parent: Scope | None = None,
    ) -> None:
        self.variables = dict(variables or {})
        self.parent = parent
        self.functions: Mapping[str, Function] = (
            functions if functions is not None else (parent.functions if parent else {})
        )
        self.ctx: CallContext = ctx or (parent.ctx if parent else CallContext())
        self.splat_item: Value | None = parent.splat_item if parent else None
        self.template_loader: Callable[[str, Range], tuple[sx.Expr, str]] | None = (
            parent.template_loader if parent else None
        )

    def child(self, variables: Mapping[str, Value]) -> Scope:
        """A nested scope (for expressions, template for directives) defining more names."""
        return Scope(variables, parent=self)

    def lookup(self, name: str) -> Value | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.variables:
                return scope.variables[name]
            scope = scope.parent
        return None

    def names(self) -> list[str]:
        out: set[str] = set()
        scope: Scope | None = self
        while scope is not None:
            out |= set(scope.variables)
            scope = scope.parent
        return sorted(out)


def evaluate(expr: sx.Expr, scope: Scope) -> tuple[Value, list[dg.Diagnostic]]:
    """Evaluate an expression; on errors the value is an unknown of dynamic type."""
    try:
        return _Evaluator(scope).eval(expr), []
    except EvalFailed as exc:
        return V.DYNAMIC_UNKNOWN, exc.diags


def _err(summary: str, detail: str, rng: Range | None) -> EvalFailed:
    return EvalFailed([dg.error(summary, detail, rng)])


def suggestion(name: str, candidates: Sequence[str]) -> str:
    """A ' Did you mean "x"?' hint, as HCL gives for misspelled names."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""


_ARITH = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod"}
_COMPARE = {"<", ">", "<=", ">="}


class _Evaluator:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def eval(self, e: sx.Expr) -> Value:
        method = getattr(self, "_" + type(e).__name__)
        return method(e)  # type: ignore[no-any-return]

    def within(self, scope: Scope, e: sx.Expr) -> Value:
        saved = self.scope
        self.scope = scope
        try:
            return self.eval(e)
        finally:
            self.scope = saved

    # ---------------------------------------------------------- literals
    def _NumberLit(self, e: sx.NumberLit) -> Value:
        try:
            return Value(T.NUMBER, Num.parse(e.text))
        except NumberError:
            raise _err(
                "Invalid number literal", "Failed to recognize the value of this number literal.", e.range
            ) from None

    def _BoolLit(self, e: sx.BoolLit) -> Value:
        return V.TRUE if e.value else V.FALSE

    def _NullLit(self, e: sx.NullLit) -> Value:
        return V.null(T.DYNAMIC)

    def _TemplateLiteral(self, e: sx.TemplateLiteral) -> Value:
        return V.string(e.value)

    def _Paren(self, e: sx.Paren) -> Value:
        return self.eval(e.expr)

    # ---------------------------------------------------------- templates
    def _TemplateWrap(self, e: sx.TemplateWrap) -> Value:
        return self.eval(e.wrapped)

    def _Template(self, e: sx.Template) -> Value:
        chunks: list[str] = []
        marks: set[str] = set()
        known = True
        for part in e.parts:
            if isinstance(part, sx.TemplateLiteral):
                chunks.append(part.value)
                continue
            v = self.eval(part)
            if v.marks:
                v, m = v.unmark()
                marks |= m
            if v.is_null:
                raise _err(
                    "Invalid template interpolation value",
                    "The expression result is null. Cannot include a null value in a string template.",
                    part.range,
                )
            if not v.known:
                known = False
                continue
            try:
                s = convert(v, T.STRING)
            except ConversionError as exc:
                raise _err(
                    "Invalid template interpolation value",
                    f"Cannot include the given value in a string template: {exc}.",
                    part.range,
                ) from None
            if not s.known:
                known = False
                continue
            s, m = s.unmark_deep()
            marks |= m
            chunks.append(s.as_string())
        if not known:
            return V.unknown(T.STRING).with_marks(marks)
        return V.string("".join(chunks)).with_marks(marks)

    def _TemplateIf(self, e: sx.TemplateIf) -> Value:
        cond = self._condition(e.condition)
        if cond is None:
            return V.unknown(T.STRING)
        cv, marks = cond
        if cv:
            return self.eval(e.then).with_marks(marks)
        if e.otherwise is None:
            return V.string("").with_marks(marks)
        return self.eval(e.otherwise).with_marks(marks)

    def _TemplateFor(self, e: sx.TemplateFor) -> Value:
        coll = self._iterable(e.collection)
        if coll is None:
            return V.unknown(T.STRING)
        coll, marks = coll.unmark()
        out: list[str] = []
        extra: set[str] = set(marks)
        for k, v in coll.iterate():
            names = {e.value_var: v}
            if e.key_var:
                names[e.key_var] = k
            part = self.within(self.scope.child(names), e.body)
            if not part.known:
                return V.unknown(T.STRING).with_marks(extra)
            part, m = part.unmark()
            extra |= m
            out.append(part.as_string())
        return V.string("".join(out)).with_marks(extra)

    # ---------------------------------------------------------- references
    def _Variable(self, e: sx.Variable) -> Value:
        v = self.scope.lookup(e.name)
        if v is None:
            raise _err(
                "Unknown variable",
                f'There is no variable named "{e.name}".' + suggestion(e.name, self.scope.names()),
                e.range,
            )
        return v

    def _SplatItem(self, e: sx.SplatItem) -> Value:
        assert self.scope.splat_item is not None
        return self.scope.splat_item

    def _GetAttr(self, e: sx.GetAttr) -> Value:
        return get_attr(self.eval(e.source), e.name, e.name_range, e.range)

    def _Index(self, e: sx.Index) -> Value:
        coll = self.eval(e.source)
        key = self.eval(e.key)
        return index(coll, key, e.range, e.key.range)

    def _Splat(self, e: sx.Splat) -> Value:
        src = self.eval(e.source)
        src, marks = src.unmark()
        if not src.known:
            return V.DYNAMIC_UNKNOWN.with_marks(marks)
        if isinstance(src.ty, (T.List, T.Set, T.Tuple)):
            if src.is_null:
                raise _err(
                    "Splat of null value",
                    "Splat expressions (with the * symbol) cannot be applied to null sequences.",
                    e.source.range,
                )
            items = list(src.elements())
            as_list = not isinstance(src.ty, T.Tuple)
        elif src.is_null:
            return V.tuple_of([]).with_marks(marks)
        else:
            items = [src]
            as_list = False
        results: list[Value] = []
        for item in items:
            scope = self.scope.child({})
            scope.splat_item = item
            results.append(self.within(scope, e.each))
        if as_list:
            if not results:
                return V.list_of([], T.DYNAMIC).with_marks(marks)
            ty = unify([r.ty for r in results])
            if ty is None:
                return V.tuple_of(results).with_marks(marks)
            return V.list_of([convert(r, ty) for r in results], ty).with_marks(marks)
        return V.tuple_of(results).with_marks(marks)

    # ---------------------------------------------------------- constructors
    def _Tuple(self, e: sx.Tuple) -> Value:
        return V.tuple_of(self.eval(x) for x in e.items)

    def _Object(self, e: sx.Object) -> Value:
        out: dict[str, Value] = {}
        marks: set[str] = set()
        known = True
        for item in e.items:
            key_expr = item.key
            if item.bare_key and isinstance(key_expr, sx.Variable):
                name: str | None = key_expr.name
            elif isinstance(key_expr, sx.BoolLit):
                name = "true" if key_expr.value else "false"
            elif isinstance(key_expr, sx.NullLit):
                name = "null"
            elif isinstance(key_expr, (sx.GetAttr, sx.Index)) and _static_root(key_expr):
                raise _err(
                    "Ambiguous attribute key",
                    "If this expression is intended to be a reference, wrap it in parentheses. If it's instead "
                    "intended as a literal name containing periods, wrap it in quotes to create a string literal.",
                    key_expr.range,
                )
            else:
                kv = self.eval(key_expr)
                if kv.is_null:
                    raise _err("Null value as key", "Can't use a null value as a key.", item.value.range)
                kv, m = kv.unmark()
                marks |= m
                try:
                    kv = convert(kv, T.STRING)
                except ConversionError as exc:
                    raise _err("Incorrect key type", f"Can't use this value as a key: {exc}.", key_expr.range) from None
                if not kv.known:
                    known = False
                    name = None
                else:
                    name = kv.as_string()
            value = self.eval(item.value)
            if name is not None:
                out[name] = value
        if not known:
            return V.DYNAMIC_UNKNOWN
        return V.object_of(out).with_marks(marks)

    def _For(self, e: sx.For) -> Value:
        coll = self._iterable(e.collection)
        if coll is None:
            return V.DYNAMIC_UNKNOWN
        coll, marks = coll.unmark()
        tuple_items: list[Value] = []
        obj: dict[str, Value] = {}
        groups: dict[str, list[Value]] = {}
        order: list[str] = []
        for k, v in coll.iterate():
            names = {e.value_var: v}
            if e.key_var:
                names[e.key_var] = k
            scope = self.scope.child(names)
            if e.condition is not None:
                cond = self.within(scope, e.condition)
                if cond.is_null:
                    raise _err("Condition is null", "The value of the 'if' clause must not be null.", e.condition.range)
                cond, m = cond.unmark()
                marks |= m
                try:
                    cond = convert(cond, T.BOOL)
                except ConversionError as exc:
                    raise _err(
                        "Invalid 'for' condition", f"The 'if' clause value is invalid: {exc}.", e.condition.range
                    ) from None
                if not cond.known:
                    return V.DYNAMIC_UNKNOWN
                if not cond.as_bool():
                    continue
            if not e.is_object:
                tuple_items.append(self.within(scope, e.value))
                continue
            assert e.key is not None
            kv = self.within(scope, e.key)
            if kv.is_null:
                raise _err(
                    "Invalid object key",
                    "Key expression in 'for' expression must not produce a null value.",
                    e.key.range,
                )
            kv, m = kv.unmark()
            marks |= m
            try:
                kv = convert(kv, T.STRING)
            except ConversionError as exc:
                raise _err(
                    "Invalid object key", f"The key expression produced an invalid result: {exc}.", e.key.range
                ) from None
            if not kv.known:
                return V.DYNAMIC_UNKNOWN
            key = kv.as_string()
            val = self.within(scope, e.value)
            if e.group:
                if key not in groups:
                    groups[key] = []
                    order.append(key)
                groups[key].append(val)
            else:
                if key in obj:
                    raise _err(
                        "Duplicate object key",
                        f"Two different items produced the key \"{key}\" in this 'for' expression. If duplicates are "
                        "expected, use the ellipsis (...) after the value expression to enable grouping by key.",
                        e.key.range,
                    )
                obj[key] = val
        if not e.is_object:
            return V.tuple_of(tuple_items).with_marks(marks)
        if e.group:
            return V.object_of({k: V.tuple_of(groups[k]) for k in order}).with_marks(marks)
        return V.object_of(obj).with_marks(marks)

    def _iterable(self, expr: sx.Expr) -> Value | None:
        coll = self.eval(expr)
        if coll.is_null:
            raise _err(
                "Iteration over null value",
                "A null value cannot be used as the collection in a 'for' expression.",
                expr.range,
            )
        if not coll.known:
            return None
        if not isinstance(coll.ty, (T.List, T.Set, T.Tuple, T.Map, T.Object)):
            raise _err(
                "Iteration over non-iterable value",
                f"A value of type {coll.ty.friendly()} cannot be used as the collection in a 'for' expression.",
                expr.range,
            )
        if not coll.is_wholly_known() and isinstance(coll.ty, T.Set):
            return None
        return coll

    # ---------------------------------------------------------- operators
    def _condition(self, expr: sx.Expr) -> tuple[bool, frozenset[str]] | None:
        cond = self.eval(expr)
        if cond.is_null:
            raise _err(
                "Null condition", "The condition value is null. Conditions must either be true or false.", expr.range
            )
        cond, marks = cond.unmark()
        try:
            cond = convert(cond, T.BOOL)
        except ConversionError as exc:
            raise _err(
                "Incorrect condition type", f"The condition expression must be of type bool: {exc}.", expr.range
            ) from None
        if not cond.known:
            return None
        return cond.as_bool(), marks

    def _Conditional(self, e: sx.Conditional) -> Value:
        cond_val = self.eval(e.condition)
        # Both results are evaluated for their types; only the selected one's errors count.
        t_val, t_err = self._try(e.true_expr)
        f_val, f_err = self._try(e.false_expr)
        ty = unify([t_val.ty, f_val.ty])
        if ty is None:
            raise _err(
                "Inconsistent conditional result types",
                f"The true and false result expressions must have consistent types. The 'true' value is "
                f"{t_val.ty.friendly()}, but the 'false' value is {f_val.ty.friendly()}.",
                e.range,
            )
        if cond_val.is_null:
            raise _err(
                "Null condition",
                "The condition value is null. Conditions must either be true or false.",
                e.condition.range,
            )
        cond_val, marks = cond_val.unmark()
        try:
            cond_val = convert(cond_val, T.BOOL)
        except ConversionError as exc:
            raise _err(
                "Incorrect condition type", f"The condition expression must be of type bool: {exc}.", e.condition.range
            ) from None
        if not cond_val.known:
            return V.unknown(ty).with_marks(marks)
        chosen, err = (t_val, t_err) if cond_val.as_bool() else (f_val, f_err)
        if err is not None:
            raise err
        try:
            return convert(chosen, ty).with_marks(marks)
        except ConversionError:
            return chosen.with_marks(marks)

    def _try(self, expr: sx.Expr) -> tuple[Value, EvalFailed | None]:
        try:
            return self.eval(expr), None
        except EvalFailed as exc:
            return V.DYNAMIC_UNKNOWN, exc

    def _UnaryOp(self, e: sx.UnaryOp) -> Value:
        v = self.eval(e.operand)
        v, marks = v.unmark()
        want = T.NUMBER if e.op == "-" else T.BOOL
        if v.is_null:
            raise _err(
                "Invalid operand", "Unsuitable value for unary operand: argument must not be null.", e.operand.range
            )
        try:
            v = convert(v, want)
        except ConversionError as exc:
            raise _err("Invalid operand", f"Unsuitable value for unary operand: {exc}.", e.operand.range) from None
        if not v.known:
            return V.unknown(want).with_marks(marks)
        if e.op == "-":
            return Value(T.NUMBER, v.as_num().neg()).with_marks(marks)
        return V.boolean(not v.as_bool()).with_marks(marks)

    def _BinaryOp(self, e: sx.BinaryOp) -> Value:
        lhs = self.eval(e.lhs)
        rhs = self.eval(e.rhs)
        op = e.op
        if op in ("==", "!="):
            eq = equals(lhs, rhs)
            if op == "!=" and eq.known:
                eq = V.boolean(not eq.unmark()[0].as_bool()).with_marks(eq.marks)
            return eq
        want = T.BOOL if op in ("&&", "||") else T.NUMBER
        a, am = lhs.unmark()
        b, bm = rhs.unmark()
        marks = am | bm
        converted: list[Value] = []
        for side, v, rng in (("left", a, e.lhs.range), ("right", b, e.rhs.range)):
            if v.is_null:
                raise _err("Invalid operand", f"Unsuitable value for {side} operand: argument must not be null.", rng)
            try:
                converted.append(convert(v, want))
            except ConversionError as exc:
                raise _err("Invalid operand", f"Unsuitable value for {side} operand: {exc}.", rng) from None
        a, b = converted
        result_ty = T.BOOL if (op in _COMPARE or want == T.BOOL) else T.NUMBER
        if not a.known or not b.known:
            if op == "&&" and ((a.known and a.raw is False) or (b.known and b.raw is False)):
                return V.FALSE.with_marks(marks)
            if op == "||" and ((a.known and a.raw is True) or (b.known and b.raw is True)):
                return V.TRUE.with_marks(marks)
            return V.unknown(result_ty).with_marks(marks)
        if op == "&&":
            return V.boolean(a.as_bool() and b.as_bool()).with_marks(marks)
        if op == "||":
            return V.boolean(a.as_bool() or b.as_bool()).with_marks(marks)
        x, y = a.as_num(), b.as_num()
        if op in _COMPARE:
            c = x.cmp(y)
            res = {"<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0}[op]
            return V.boolean(res).with_marks(marks)
        try:
            n = getattr(x, _ARITH[op])(y)
        except NumberError as exc:
            raise _err("Operation failed", f"Error during operation: {exc}.", e.range) from None
        return Value(T.NUMBER, n).with_marks(marks)

    # ---------------------------------------------------------- functions
    def _FunctionCall(self, e: sx.FunctionCall) -> Value:
        special_ok = e.name in _SPECIAL_OK or (e.name == "templatefile" and self.scope.template_loader is not None)
        if e.name in SPECIAL_FUNCTIONS and special_ok:
            return getattr(self, "_fn_" + e.name)(e)  # type: ignore[no-any-return]
        fn = self.scope.functions.get(e.name)
        if fn is None:
            names = sorted(set(self.scope.functions) | _SPECIAL_OK)
            raise _err(
                "Call to unknown function",
                f'There is no function named "{e.name}".' + suggestion(e.name, names),
                e.name_range,
            )
        args: list[Value] = []
        arg_ranges: list[Range] = []
        for i, a in enumerate(e.args):
            v = self.eval(a)
            if e.expand_final and i == len(e.args) - 1:
                v, m = v.unmark()
                if v.is_null:
                    raise _err(
                        "Invalid expanding argument value",
                        "The expanding argument (indicated by ...) must not be null.",
                        a.range,
                    )
                if not v.known:
                    return V.unknown(fn.return_type(args)).with_marks(m)
                if not isinstance(v.ty, (T.List, T.Set, T.Tuple)):
                    raise _err(
                        "Invalid expanding argument value",
                        "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
                        a.range,
                    )
                for el in v.elements():
                    args.append(el.with_marks(m))
                    arg_ranges.append(a.range)
                continue
            args.append(v)
            arg_ranges.append(a.range)
        try:
            return fn.call(args, self.scope.ctx)
        except ArityError as exc:
            summary = "Too many function arguments" if exc.too_many else "Not enough function arguments"
            where = arg_ranges[len(fn.params)] if exc.too_many and len(arg_ranges) > len(fn.params) else e.range
            raise _err(summary, exc.message, where) from None
        except FunctionError as exc:
            if exc.arg is not None and exc.arg < len(arg_ranges):
                param = fn.params[exc.arg] if exc.arg < len(fn.params) else fn.var_param
                pname = param.name if param else "argument"
                raise _err(
                    "Invalid function argument",
                    f'Invalid value for "{pname}" parameter: {exc.message}.',
                    arg_ranges[exc.arg],
                ) from None
            raise _err(
                "Error in function call", f'Call to function "{e.name}" failed: {exc.message}.', e.range
            ) from None

    def _fn_try(self, e: sx.FunctionCall) -> Value:
        if not e.args:
            raise _err("Not enough function arguments", 'Function "try" expects at least one argument.', e.range)
        errors: list[dg.Diagnostic] = []
        for a in e.args:
            try:
                v = self.eval(a)
            except EvalFailed as exc:
                errors.extend(exc.diags)
                continue
            if not v.is_wholly_known():
                return V.DYNAMIC_UNKNOWN
            return v
        raise _err(
            "Error in function call",
            'Call to function "try" failed: no expression succeeded:\n'
            + "\n".join(f"- {d.summary} ({_short(d.range)}): {d.detail}" for d in errors)
            + "\n\nAt least one expression must produce a successful result.",
            e.range,
        )

    def _fn_can(self, e: sx.FunctionCall) -> Value:
        if len(e.args) != 1:
            raise _err(
                "Not enough function arguments" if not e.args else "Too many function arguments",
                'Function "can" expects 1 argument(s).',
                e.range,
            )
        try:
            v = self.eval(e.args[0])
        except EvalFailed:
            return V.FALSE
        if not v.is_wholly_known():
            return V.unknown(T.BOOL)
        return V.TRUE

    def _fn_convert(self, e: sx.FunctionCall) -> Value:
        from .typeexpr import TypeExprError, type_constraint

        if len(e.args) != 2:
            raise _err(
                "Not enough function arguments" if len(e.args) < 2 else "Too many function arguments",
                'Function "convert" expects 2 arguments.',
                e.range,
            )
        v = self.eval(e.args[0])
        try:
            want, _defaults = type_constraint(e.args[1])
        except TypeExprError as exc:
            raise EvalFailed([exc.diag]) from None
        try:
            return convert(v, want)
        except ConversionError as exc:
            raise _err(
                "Invalid function argument", f'Invalid value for "value" parameter: {exc}.', e.args[0].range
            ) from None

    def _fn_templatefile(self, e: sx.FunctionCall) -> Value:
        if len(e.args) != 2:
            raise _err(
                "Not enough function arguments" if len(e.args) < 2 else "Too many function arguments",
                'Function "templatefile" expects 2 arguments.',
                e.range,
            )
        path = self.eval(e.args[0])
        vars_v = self.eval(e.args[1])
        if not path.known or not vars_v.is_wholly_known():
            return V.unknown(T.STRING)
        try:
            path = convert(path.unmark()[0], T.STRING)
        except ConversionError as exc:
            raise _err(
                "Invalid function argument", f'Invalid value for "path" parameter: {exc}.', e.args[0].range
            ) from None
        vars_v, marks = vars_v.unmark()
        if not isinstance(vars_v.ty, (T.Object, T.Map)):
            raise _err(
                "Invalid function argument",
                'Invalid value for "vars" parameter: invalid vars value: must be a map.',
                e.args[1].range,
            )
        loader = self.scope.template_loader
        if loader is None:
            raise _err(
                "Error in function call",
                'Call to function "templatefile" failed: no template folder to read from.',
                e.range,
            )
        template, name = loader(path.as_string(), e.range)
        names = {}
        for k, v in vars_v.items():
            if not _is_identifier(k):
                raise _err(
                    "Invalid function argument",
                    f'Invalid value for "vars" parameter: invalid template variable name "{k}": must start with '
                    "a letter, followed by zero or more letters, digits, and underscores.",
                    e.args[1].range,
                )
            names[k] = v
        inner = Scope(
            names, functions={k: f for k, f in self.scope.functions.items() if k != "templatefile"}, ctx=self.scope.ctx
        )
        inner.template_loader = None
        try:
            result = _Evaluator(inner).eval(template)
        except EvalFailed as exc:
            raise _err(
                "Error in function call",
                f'Call to function "templatefile" failed: {name}: '
                + "; ".join(f"{d.summary}: {d.detail}" for d in exc.diags),
                e.range,
            ) from None
        if result.known and not result.is_null and result.ty != T.STRING:
            try:
                result = convert(result, T.STRING)
            except ConversionError as exc:
                raise _err(
                    "Error in function call", f'Call to function "templatefile" failed: {name}: {exc}.', e.range
                ) from None
        return result.with_marks(marks)


_SPECIAL_OK = frozenset({"try", "can", "convert"})


def _is_identifier(name: str) -> bool:
    import re

    return re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) is not None


def _short(rng: Range | None) -> str:
    if rng is None:
        return "?"
    return f"{rng.filename}:{rng.start.line},{rng.start.column}"


def _static_root(e: sx.Expr) -> bool:
    while isinstance(e, (sx.GetAttr, sx.Index)):
        if isinstance(e, sx.Index) and not e.legacy and not isinstance(e.key, (sx.NumberLit, sx.Template)):
            return False
        e = e.source
    return isinstance(e, sx.Variable)


# ------------------------------------------------------------------ value operations


def equals(a: Value, b: Value) -> Value:
    """cty's Equals: unknown if either side is unknown, false across types."""
    a, am = a.unmark()
    b, bm = b.unmark()
    marks = am | bm
    if a.known and b.known and a.is_null and b.is_null:
        return V.TRUE.with_marks(marks)
    if a.known and b.known and (a.is_null or b.is_null):
        return V.FALSE.with_marks(marks)
    if not a.is_wholly_known() or not b.is_wholly_known():
        return V.unknown(T.BOOL).with_marks(marks)
    return V.boolean(_deep_equal(a, b)).with_marks(marks)


def _deep_equal(a: Value, b: Value) -> bool:
    if a.ty != b.ty:
        return False
    ra, rb = a.unmark_deep()[0].raw, b.unmark_deep()[0].raw
    if isinstance(ra, tuple) and isinstance(rb, tuple):
        return len(ra) == len(rb) and all(_deep_equal(x, y) for x, y in zip(ra, rb, strict=True))
    if isinstance(ra, dict) and isinstance(rb, dict):
        return ra.keys() == rb.keys() and all(_deep_equal(ra[k], rb[k]) for k in ra)
    return bool(ra == rb)


def get_attr(obj: Value, name: str, name_range: Range, rng: Range) -> Value:
    """`obj.name` with hclsyntax's errors."""
    obj, marks = obj.unmark()
    if obj.is_null:
        raise _err(
            "Attempt to get attribute from null value",
            "This value is null, so it does not have any attributes.",
            name_range,
        )
    ty = obj.ty
    if isinstance(ty, T.Object):
        if name not in ty.attr_types:
            raise _err(
                "Unsupported attribute",
                f'This object does not have an attribute named "{name}".' + suggestion(name, list(ty.attr_types)),
                name_range,
            )
        if not obj.known:
            return V.unknown(ty.attr_types[name]).with_marks(marks)
        return obj.attrs()[name].with_marks(marks)
    if isinstance(ty, T.Map):
        if not obj.known:
            return V.unknown(ty.elem).with_marks(marks)
        if name not in obj.attrs():
            raise _err("Missing map element", f'This map does not have an element with the key "{name}".', name_range)
        return obj.attrs()[name].with_marks(marks)
    if isinstance(ty, T.Dynamic):
        return V.DYNAMIC_UNKNOWN.with_marks(marks)
    if isinstance(ty, (T.List, T.Set, T.Tuple)):
        raise _err(
            "Unsupported attribute",
            "Can't access attributes on a list of objects. Did you mean to access an attribute for a specific "
            "element of the list, or across all elements of the list?",
            name_range,
        )
    raise _err(
        "Unsupported attribute", f"Can't access attributes on a primitive-typed value ({ty.friendly()}).", name_range
    )


def index(coll: Value, key: Value, rng: Range, key_range: Range) -> Value:
    """`coll[key]` with hclsyntax's errors."""
    coll, cm = coll.unmark()
    key, km = key.unmark()
    marks = cm | km
    if coll.is_null:
        raise _err("Invalid index", "Can't use a null value as an indexed collection.", rng)
    if key.is_null:
        raise _err("Invalid index", "Can't use a null value as a key.", key_range)
    ty = coll.ty
    if isinstance(ty, T.Set):
        raise _err(
            "Invalid index",
            "Elements of a set are identified only by their value and don't have any separate index or key to "
            "select with, so it's only possible to perform operations across all elements of the set.",
            key_range,
        )
    if isinstance(ty, (T.List, T.Tuple)):
        try:
            k = convert(key, T.NUMBER)
        except ConversionError as exc:
            raise _err(
                "Invalid index",
                f"The given key does not identify an element in this collection value: {exc}.",
                key_range,
            ) from None
        if not coll.known or not k.known:
            elem_ty = ty.elem if isinstance(ty, T.List) else T.DYNAMIC
            return V.unknown(elem_ty).with_marks(marks)
        n = k.as_num()
        elems = coll.elements()
        if not n.is_int():
            raise _err(
                "Invalid index",
                "The given key does not identify an element in this collection value: an integer is required.",
                key_range,
            )
        i = n.to_int()
        if i < 0:
            raise _err(
                "Invalid index",
                "The given key does not identify an element in this collection value: a negative number is "
                "not a valid index for a sequence.",
                key_range,
            )
        if i >= len(elems):
            detail = (
                "the collection has no elements."
                if not elems
                else "the given index is greater than or equal to the length of the collection."
            )
            raise _err(
                "Invalid index",
                f"The given key does not identify an element in this collection value: {detail}",
                key_range,
            )
        return elems[i].with_marks(marks)
    if isinstance(ty, (T.Map, T.Object)):
        try:
            k = convert(key, T.STRING)
        except ConversionError as exc:
            raise _err(
                "Invalid index",
                f"The given key does not identify an element in this collection value: {exc}.",
                key_range,
            ) from None
        if not coll.known or not k.known:
            if isinstance(ty, T.Map):
                return V.unknown(ty.elem).with_marks(marks)
            if k.known and k.as_string() in ty.attr_types:
                return V.unknown(ty.attr_types[k.as_string()]).with_marks(marks)
            return V.DYNAMIC_UNKNOWN.with_marks(marks)
        name = k.as_string()
        attrs = coll.attrs()
        if name not in attrs:
            if isinstance(ty, T.Object):
                raise _err(
                    "Invalid index", "The given key does not identify an element in this collection value.", key_range
                )
            raise _err(
                "Invalid index", "The given key does not identify an element in this collection value.", key_range
            )
        return attrs[name].with_marks(marks)
    if isinstance(ty, T.Dynamic):
        return V.DYNAMIC_UNKNOWN.with_marks(marks)
    raise _err("Invalid index", "This value does not have any indices.", rng)


def value_of(e: sx.Expr, scope: Scope | None = None) -> Any:
    """Convenience for tests and the console: evaluate, raising EvalFailed on errors."""
    return _Evaluator(scope or Scope()).eval(e)
