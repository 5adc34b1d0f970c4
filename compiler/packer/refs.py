"""Static reference analysis: which `local.x`, `var.x` and `data.t.n` an expression mentions."""

from __future__ import annotations

from collections.abc import Iterator

from ..hcl import syntax as sx


def children(e: sx.Expr) -> Iterator[sx.Expr]:
    """The direct sub-expressions of an expression."""
    if isinstance(e, sx.Template):
        yield from e.parts
    elif isinstance(e, sx.TemplateWrap):
        yield e.wrapped
    elif isinstance(e, sx.TemplateIf):
        yield e.condition
        yield e.then
        if e.otherwise is not None:
            yield e.otherwise
    elif isinstance(e, sx.TemplateFor):
        yield e.collection
        yield e.body
    elif isinstance(e, (sx.GetAttr, sx.Splat)):
        yield e.source
        if isinstance(e, sx.Splat):
            yield e.each
    elif isinstance(e, sx.Index):
        yield e.source
        yield e.key
    elif isinstance(e, sx.FunctionCall):
        yield from e.args
    elif isinstance(e, sx.Tuple):
        yield from e.items
    elif isinstance(e, sx.Object):
        for item in e.items:
            yield item.key
            yield item.value
    elif isinstance(e, sx.For):
        yield e.collection
        if e.key is not None:
            yield e.key
        yield e.value
        if e.condition is not None:
            yield e.condition
    elif isinstance(e, sx.Conditional):
        yield e.condition
        yield e.true_expr
        yield e.false_expr
    elif isinstance(e, sx.BinaryOp):
        yield e.lhs
        yield e.rhs
    elif isinstance(e, sx.UnaryOp):
        yield e.operand
    elif isinstance(e, sx.Paren):
        yield e.expr


def traversal(e: sx.Expr) -> list[str] | None:
    """The static names of `root.a.b["c"]` (None if the expression is not such a traversal)."""
    names: list[str] = []
    while True:
        if isinstance(e, sx.GetAttr):
            names.append(e.name)
            e = e.source
        elif (
            isinstance(e, sx.Index)
            and isinstance(e.key, sx.Template)
            and all(isinstance(p, sx.TemplateLiteral) for p in e.key.parts)
        ):
            names.append("".join(p.value for p in e.key.parts if isinstance(p, sx.TemplateLiteral)))
            e = e.source
        elif isinstance(e, sx.Index):
            e = e.source
            names.clear()  # a computed index: only the part up to it is static
        elif isinstance(e, sx.Variable):
            names.append(e.name)
            return names[::-1]
        else:
            return None


def references(e: sx.Expr) -> Iterator[tuple[list[str], sx.Expr]]:
    """Every static traversal in an expression (outermost first), with the node it came from."""
    stack = [e]
    while stack:
        node = stack.pop()
        path = traversal(node) if isinstance(node, (sx.GetAttr, sx.Index, sx.Variable)) else None
        if path is not None:
            yield path, node
            if isinstance(node, sx.Index):
                stack.append(node.key)
                stack.append(node.source)
            continue
        stack.extend(children(node))
