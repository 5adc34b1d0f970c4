"""The HCL syntax tree: frozen nodes, each with its source Range; expressions are never strings."""

from __future__ import annotations

from typing import Any, Union

import msgspec

from ..source import Range


class Node(msgspec.Struct, frozen=True, tag=True, tag_field="node"):
    """Base of all syntax nodes."""

    range: Range


# ------------------------------------------------------------------ expressions


class NumberLit(Node, frozen=True):
    """A number literal, kept as its exact decimal text (arbitrary precision)."""

    text: str


class BoolLit(Node, frozen=True):
    """`true` or `false`."""

    value: bool


class NullLit(Node, frozen=True):
    """`null`."""


class TemplateLiteral(Node, frozen=True):
    """A literal part of a template, escapes decoded and strip markers applied."""

    value: str


class Template(Node, frozen=True):
    """A quoted or heredoc template: literal parts, interpolations and directives."""

    parts: tuple[Expr, ...]
    heredoc: bool = False


class TemplateWrap(Node, frozen=True):
    """A template made of one interpolation only: it yields the value unconverted."""

    wrapped: Expr


class TemplateIf(Node, frozen=True):
    """`%{ if }` ... `%{ else }` ... `%{ endif }`."""

    condition: Expr
    then: Template
    otherwise: Template | None


class TemplateFor(Node, frozen=True):
    """`%{ for k, v in coll }` ... `%{ endfor }`."""

    key_var: str | None
    value_var: str
    collection: Expr
    body: Template


class Variable(Node, frozen=True):
    """A reference to a variable in scope."""

    name: str


class GetAttr(Node, frozen=True):
    """`source.name`."""

    source: Expr
    name: str
    name_range: Range


class Index(Node, frozen=True):
    """`source[key]`, or the legacy `source.0` form."""

    source: Expr
    key: Expr
    legacy: bool = False


class SplatItem(Node, frozen=True):
    """The current element inside a splat's per-element expression."""


class Splat(Node, frozen=True):
    """`source.*.attr` (attribute-only) or `source[*].attr[0]` (full): `each` is applied per item."""

    source: Expr
    each: Expr
    full: bool


class FunctionCall(Node, frozen=True):
    """`name(args...)`, with `...` expansion of the last argument when expand_final."""

    name: str
    name_range: Range
    args: tuple[Expr, ...]
    expand_final: bool = False


class Tuple(Node, frozen=True):
    """`[a, b, c]`."""

    items: tuple[Expr, ...]


class ObjectItem(msgspec.Struct, frozen=True):
    """One `key = value` of an object constructor; a bare identifier key is a literal name."""

    key: Expr
    value: Expr
    bare_key: bool


class Object(Node, frozen=True):
    """`{ key = value, ... }`."""

    items: tuple[ObjectItem, ...]


class For(Node, frozen=True):
    """A for expression producing a tuple or (when is_object) an object."""

    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None
    value: Expr
    condition: Expr | None
    group: bool
    is_object: bool


class Conditional(Node, frozen=True):
    """`cond ? a : b`."""

    condition: Expr
    true_expr: Expr
    false_expr: Expr


class BinaryOp(Node, frozen=True):
    """`lhs op rhs`, op being the operator's text (`+`, `==`, `&&`...)."""

    op: str
    lhs: Expr
    rhs: Expr


class UnaryOp(Node, frozen=True):
    """`-x` or `!x`."""

    op: str
    operand: Expr


class Paren(Node, frozen=True):
    """`(expr)`: kept so that object keys and formatting know about the parentheses."""

    expr: Expr


Expr = Union[  # noqa: UP007 - msgspec needs a runtime union of the node classes
    NumberLit, BoolLit, NullLit, TemplateLiteral, Template, TemplateWrap, TemplateIf, TemplateFor,
    Variable, GetAttr, Index, SplatItem, Splat, FunctionCall, Tuple, Object, For, Conditional,
    BinaryOp, UnaryOp, Paren,
]  # fmt: skip

# ------------------------------------------------------------------ structure


class Attribute(Node, frozen=True):
    """`name = expr`."""

    name: str
    name_range: Range
    expr: Expr


class Block(Node, frozen=True):
    """`type "label" label {` body `}`."""

    type: str
    labels: tuple[str, ...]
    type_range: Range
    label_ranges: tuple[Range, ...]
    body: Body
    open_brace_range: Range
    close_brace_range: Range


class Body(Node, frozen=True):
    """Attributes and blocks in source order."""

    attributes: tuple[Attribute, ...]
    blocks: tuple[Block, ...]

    def attribute(self, name: str) -> Attribute | None:
        """Return the attribute with this name, if set."""
        for attr in self.attributes:
            if attr.name == name:
                return attr
        return None


class Comment(Node, frozen=True):
    """A comment, kept for tools that rewrite files."""

    text: str


class File(msgspec.Struct, frozen=True):
    """A parsed configuration file."""

    filename: str
    body: Body
    comments: tuple[Comment, ...] = ()


def without_ranges(value: Any) -> Any:
    """Return a plain structure of a node with every range dropped (compare trees by shape)."""
    return _strip(msgspec.to_builtins(value))


def _strip(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {
            k: _strip(v)
            for k, v in obj.items()
            if k != "range" and not k.endswith(("_range", "_ranges"))
        }
    if isinstance(obj, (list, tuple)):
        return [_strip(v) for v in obj]
    return obj
