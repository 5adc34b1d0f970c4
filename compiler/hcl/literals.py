"""Constant folding of literal-only HCL expressions into plain Python values."""

from __future__ import annotations

from decimal import Decimal

from . import syntax as sx

# Integral numbers whose decimal exponent exceeds this stay Decimal (1e999999 is no int to build).
_MAX_INT_EXPONENT = 4096

_NOT_LITERAL: tuple[bool, object] = (False, None)


def literal_value(expr: sx.Expr) -> tuple[bool, object]:
    """Return (True, value) when expr is a constant made only of literals, else (False, None).

    Numbers become int when integral (else decimal.Decimal), strings come from templates made of
    literal parts only, tuples become lists and objects with literal or bare-identifier keys
    become dicts (a later duplicate key wins, as in HCL). Parentheses and `"${...}"` wrappers of
    a literal are transparent; `-` applies to a literal number and `!` to a literal bool.
    """
    if isinstance(expr, sx.NumberLit):
        return True, _number(expr.text)
    if isinstance(expr, sx.BoolLit):
        return True, expr.value
    if isinstance(expr, sx.NullLit):
        return True, None
    if isinstance(expr, sx.TemplateLiteral):
        return True, expr.value
    if isinstance(expr, sx.Template):
        chunks: list[str] = []
        for part in expr.parts:
            if not isinstance(part, sx.TemplateLiteral):
                return _NOT_LITERAL
            chunks.append(part.value)
        return True, "".join(chunks)
    if isinstance(expr, sx.TemplateWrap):
        return literal_value(expr.wrapped)
    if isinstance(expr, sx.Paren):
        return literal_value(expr.expr)
    if isinstance(expr, sx.UnaryOp):
        return _unary(expr)
    if isinstance(expr, sx.Tuple):
        items: list[object] = []
        for item in expr.items:
            ok, value = literal_value(item)
            if not ok:
                return _NOT_LITERAL
            items.append(value)
        return True, items
    if isinstance(expr, sx.Object):
        return _object(expr)
    return _NOT_LITERAL


def _number(text: str) -> int | Decimal:
    value = Decimal(text)
    if value == value.to_integral_value() and value.adjusted() <= _MAX_INT_EXPONENT:
        return int(value)
    return value


def _unary(expr: sx.UnaryOp) -> tuple[bool, object]:
    ok, value = literal_value(expr.operand)
    if not ok:
        return _NOT_LITERAL
    if expr.op == "-" and isinstance(value, Decimal):
        return True, value.copy_negate()  # exact: `-value` would round to the context precision
    if expr.op == "-" and isinstance(value, int) and not isinstance(value, bool):
        return True, -value
    if expr.op == "!" and isinstance(value, bool):
        return True, not value
    return _NOT_LITERAL


def _object(expr: sx.Object) -> tuple[bool, object]:
    out: dict[str, object] = {}
    for item in expr.items:
        if item.bare_key and isinstance(item.key, sx.Variable):
            key: str | None = item.key.name
        else:
            ok, raw = literal_value(item.key)
            key = _key_string(raw) if ok else None
        if key is None:
            return _NOT_LITERAL
        ok, value = literal_value(item.value)
        if not ok:
            return _NOT_LITERAL
        out[key] = value
    return True, out


def _key_string(raw: object) -> str | None:
    """Convert a key's value to a string as HCL does (numbers in plain, shortest notation)."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, Decimal):
        text = format(raw, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("", "-0") else text
    return None
