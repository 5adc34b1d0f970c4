"""HCL native-syntax parser: drives the Lark LALR tables with bake's scanner and recovers from errors."""

from __future__ import annotations

import gc
import re
from collections.abc import Sequence
from typing import Any

import msgspec

from .. import diagnostics as dg
from ..source import Pos, Range, SourceText
from . import _lark
from . import syntax as sx
from .scanner import scan
from .templates import Part, literal_values
from .tokens import CLOSERS, END, OPENERS, Token

MAX_NESTING = 128
MAX_EXPR_DEPTH = 256

KEYWORDS = {"for": "FOR", "in": "IN", "if": "IF", "else": "ELSE", "endif": "ENDIF", "endfor": "ENDFOR"}
_NUMBER_OK = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?\Z")

# Frame kinds. Newlines are fed to the grammar only in bodies and object constructors.
_BODY = frozenset({"top", "block"})
_NL_IGNORED = frozenset({"tuple", "index", "paren", "call", "interp", "control", "for", "expr"})
_EXPR_END = frozenset({"IDENT", "NUMBER", "CPAREN", "CBRACK", "CBRACE", "CQUOTE", "CHEREDOC", "STAR"})


class ParseResult(msgspec.Struct):
    """The outcome of parsing one file: a tree (None only if parsing was abandoned), diagnostics, tokens."""

    file: sx.File | None
    diagnostics: list[dg.Diagnostic]
    tokens: list[Token]
    source: SourceText

    @property
    def ok(self) -> bool:
        """Whether the file has no errors."""
        return not dg.has_errors(self.diagnostics)


def parse(data: bytes | str, filename: str) -> ParseResult:
    """Parse a configuration file; errors come back as diagnostics, never as exceptions."""
    src = SourceText.from_bytes(filename, data) if isinstance(data, bytes) else SourceText(filename, data)
    return parse_source(src)


class ExprResult(msgspec.Struct):
    """A standalone expression or bare template: its tree (None on errors) and diagnostics."""

    expr: sx.Expr | None
    diagnostics: list[dg.Diagnostic]
    source: SourceText

    @property
    def ok(self) -> bool:
        """Whether the text has no errors."""
        return not dg.has_errors(self.diagnostics)


def parse_expression(data: bytes | str, filename: str = "<expr>") -> ExprResult:
    """Parse one expression on its own (newlines are insignificant, as in hclsyntax.ParseExpression)."""
    return _parse_fragment(data, filename, "expr_start")


def parse_template(data: bytes | str, filename: str = "<template>") -> ExprResult:
    """Parse a bare template (a file read by templatefile): literal text with ${} and %{} sequences."""
    return _parse_fragment(data, filename, "template_start")


def _parse_fragment(data: bytes | str, filename: str, start: str) -> ExprResult:
    src = SourceText.from_bytes(filename, data) if isinstance(data, bytes) else SourceText(filename, data)
    scanned = scan(src, template=start == "template_start")
    diags = list(scanned.diagnostics)
    driver = _Driver(src, scanned.tokens, diags, start)
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = driver.run_fragment()
    finally:
        if collecting:
            gc.enable()
    diags.sort(key=lambda d: d.range.start.byte if d.range else -1)
    return ExprResult(None if dg.has_errors(diags) else result, diags, src)


def parse_source(src: SourceText) -> ParseResult:
    """Parse already-decoded source text."""
    scanned = scan(src)
    diags = list(scanned.diagnostics)
    tokens = scanned.tokens
    driver = _Driver(src, tokens, diags)
    # The tree is acyclic: the cycle collector only costs time here, growing with the heap.
    collecting = gc.isenabled()
    gc.disable()
    try:
        file = driver.run()
    finally:
        if collecting:
            gc.enable()
    diags.sort(key=lambda d: d.range.start.byte if d.range else -1)
    return ParseResult(file, diags, tokens, src)


class _TooDeep(Exception):
    def __init__(self, rng: Range) -> None:
        super().__init__("too deep")
        self.range = rng


# ------------------------------------------------------------------ tree building


class _Label(msgspec.Struct, frozen=True):
    value: str
    range: Range


class _Interp(msgspec.Struct, frozen=True):
    expr: sx.Expr
    range: Range


class _Trav(msgspec.Struct, frozen=True):
    kind: str  # attr, legacy, attr_splat, index, full_splat
    range: Range
    name: str = ""
    key: Any = None
    dot: Token | None = None
    tok: Token | None = None


class _BodyItems(msgspec.Struct):
    items: list[Any]


class _Builder:
    """LALR reduction callbacks: turn rule children (tokens and nodes) into syntax nodes."""

    def __init__(
        self, src: SourceText, diags: list[dg.Diagnostic], literals: dict[int, str], templates: dict[int, list[Part]]
    ) -> None:
        self.src = src
        self.diags = diags
        self.literals = literals
        self.template_parts = templates
        self.depth: dict[int, int] = {}
        self.fname = src.filename
        self.ascii = src.text.isascii()

    # -- positions
    def tpos(self, tok: Token) -> tuple[Pos, Pos]:
        src = self.src
        if self.ascii and "\n" not in tok.text:
            # ASCII: bytes are characters; a token without a newline ends on its own line.
            return Pos(tok.line, tok.column, tok.start), Pos(tok.line, tok.column + tok.end - tok.start, tok.end)
        start = src.pos(tok.start, tok.line - 1)
        if "\n" in tok.text:
            return start, src.pos(tok.end)
        return start, src.pos(tok.end, tok.line - 1)

    def trange(self, tok: Token) -> Range:
        s, e = self.tpos(tok)
        return Range(self.fname, s, e)

    def _start(self, x: Any) -> Pos:
        if isinstance(x, Token):
            return self.tpos(x)[0]
        return x.range.start  # type: ignore[no-any-return]

    def _end(self, x: Any) -> Pos:
        if isinstance(x, Token):
            return self.tpos(x)[1]
        return x.range.end  # type: ignore[no-any-return]

    def span(self, a: Any, b: Any) -> Range:
        return Range(self.fname, self._start(a), self._end(b))

    def _deep(self, node: sx.Node, *children: Any) -> None:
        d = 1
        depth = self.depth
        for c in children:
            if c is not None:
                cd = depth.get(id(c), 1)
                if cd >= d:
                    d = cd + 1
        if d > MAX_EXPR_DEPTH:
            raise _TooDeep(node.range)
        depth[id(node)] = d

    # -- structure
    def start(self, ch: list[Any]) -> _BodyItems:
        return ch[0]  # type: ignore[no-any-return]

    def expr_start(self, ch: list[Any]) -> Any:
        return ch[0]

    def template_start(self, ch: list[Any]) -> sx.Expr:
        if not ch:
            return sx.Template(self.src.range(0, 0), ())
        rng = self.span(ch[0], ch[-1])
        own = self.template_parts.get(-1, [])
        if len(ch) == 1 and isinstance(ch[0], _Interp) and len(own) == 1:
            return sx.TemplateWrap(rng, ch[0].expr)
        return self._parts(ch, rng, False)

    def body(self, ch: list[Any]) -> _BodyItems:
        return _BodyItems([c for c in ch if not isinstance(c, Token)])

    def make_body(self, items: _BodyItems, rng: Range) -> sx.Body:
        attrs: list[sx.Attribute] = []
        blocks: list[sx.Block] = []
        seen: dict[str, sx.Attribute] = {}
        for it in items.items:
            if isinstance(it, sx.Attribute):
                prev = seen.get(it.name)
                if prev is not None:
                    self.diags.append(
                        dg.error(
                            "Attribute redefined",
                            f"The argument {it.name!r} was already set at {_where(prev.name_range)}. "
                            "Each argument may be set only once.".replace("'", '"'),
                            it.name_range,
                        )
                    )
                    continue
                seen[it.name] = it
                attrs.append(it)
            elif isinstance(it, sx.Block):
                blocks.append(it)
        return sx.Body(rng, tuple(attrs), tuple(blocks))

    def attribute(self, ch: list[Any]) -> sx.Attribute:
        ident, _eq, expr = ch[0], ch[1], ch[2]
        return sx.Attribute(self.span(ident, expr), ident.text, self.trange(ident), expr)

    def _labels(self, items: Sequence[Any]) -> tuple[tuple[str, ...], tuple[Range, ...]]:
        names: list[str] = []
        ranges: list[Range] = []
        for it in items:
            if isinstance(it, Token):
                names.append(it.text)
                ranges.append(self.trange(it))
            else:
                names.append(it.value)
                ranges.append(it.range)
        return tuple(names), tuple(ranges)

    def _block(self, ch: list[Any], oneline: bool) -> sx.Block:
        ident = ch[0]
        k = 1
        while not (isinstance(ch[k], Token) and ch[k].type == "OBRACE"):
            k += 1
        labels, label_ranges = self._labels(ch[1:k])
        obrace, cbrace = ch[k], ch[-2]
        if oneline:
            items: list[Any] = []
            if len(ch) - k > 3:
                name, expr = ch[k + 1], ch[k + 3]
                items.append(sx.Attribute(self.span(name, expr), name.text, self.trange(name), expr))
            body_items = _BodyItems(items)
        else:
            body_items = ch[k + 2] if isinstance(ch[k + 2], _BodyItems) else _BodyItems([])
        body = self.make_body(body_items, self.span(obrace, cbrace))
        return sx.Block(
            self.span(ident, cbrace),
            ident.text,
            labels,
            self.trange(ident),
            label_ranges,
            body,
            self.trange(obrace),
            self.trange(cbrace),
        )

    def block(self, ch: list[Any]) -> sx.Block:
        return self._block(ch, oneline=False)

    def oneline_block(self, ch: list[Any]) -> sx.Block:
        return self._block(ch, oneline=True)

    def string_lit(self, ch: list[Any]) -> _Label:
        value = ""
        if len(ch) == 3:
            value = self.literals.get(ch[1].start, ch[1].text)
        return _Label(value, self.span(ch[0], ch[-1]))

    # -- expressions
    def conditional(self, ch: list[Any]) -> sx.Conditional:
        node = sx.Conditional(self.span(ch[0], ch[4]), ch[0], ch[2], ch[4])
        self._deep(node, ch[0], ch[2], ch[4])
        return node

    def binary_op(self, ch: list[Any]) -> sx.BinaryOp:
        node = sx.BinaryOp(self.span(ch[0], ch[2]), ch[1].text, ch[0], ch[2])
        self._deep(node, ch[0], ch[2])
        return node

    def unary_op(self, ch: list[Any]) -> sx.UnaryOp:
        node = sx.UnaryOp(self.span(ch[0], ch[1]), ch[0].text, ch[1])
        self._deep(node, ch[1])
        return node

    def number(self, ch: list[Any]) -> sx.NumberLit:
        tok = ch[0]
        rng = self.trange(tok)
        if not _NUMBER_OK.match(tok.text):
            self.diags.append(
                dg.error("Invalid number literal", "Failed to recognize the value of this number literal.", rng)
            )
        return sx.NumberLit(rng, tok.text)

    def variable(self, ch: list[Any]) -> sx.Expr:
        tok = ch[0]
        rng = self.trange(tok)
        name = tok.text
        if name == "true":
            return sx.BoolLit(rng, True)
        if name == "false":
            return sx.BoolLit(rng, False)
        if name == "null":
            return sx.NullLit(rng)
        return sx.Variable(rng, name)

    def function_call(self, ch: list[Any]) -> sx.FunctionCall:
        k = 0
        names: list[str] = []
        while ch[k].type != "OPAREN":
            if ch[k].type == "IDENT":
                names.append(ch[k].text)
            k += 1
        name_range = self.span(ch[0], ch[k - 1])
        args: list[Any] = []
        expand = False
        for c in ch[k + 1 : -1]:
            if isinstance(c, Token):
                if c.type == "ELLIPSIS":
                    expand = True
                continue
            args.append(c)
        node = sx.FunctionCall(self.span(ch[0], ch[-1]), "::".join(names), name_range, tuple(args), expand)
        self._deep(node, *args)
        return node

    def paren(self, ch: list[Any]) -> sx.Paren:
        node = sx.Paren(self.span(ch[0], ch[2]), ch[1])
        self._deep(node, ch[1])
        return node

    def tuple(self, ch: list[Any]) -> sx.Tuple:
        items = [c for c in ch[1:-1] if not isinstance(c, Token)]
        node = sx.Tuple(self.span(ch[0], ch[-1]), tuple(items))
        self._deep(node, *items)
        return node

    def object(self, ch: list[Any]) -> sx.Object:
        items: list[sx.ObjectItem] = []
        inner = [c for c in ch[1:-1] if not (isinstance(c, Token) and c.type in ("NEWLINE", "COMMA"))]
        for k in range(0, len(inner), 3):
            key, value = inner[k], inner[k + 2]
            items.append(sx.ObjectItem(key, value, isinstance(key, sx.Variable)))
        node = sx.Object(self.span(ch[0], ch[-1]), tuple(items))
        self._deep(node, *[i.key for i in items], *[i.value for i in items])
        return node

    def _for(self, ch: list[Any], is_object: bool) -> sx.For:
        rng = self.span(ch[0], ch[-1])
        k = 2
        first = ch[k].text
        key_var: str | None = None
        value_var = first
        if ch[k + 1].type == "COMMA":
            key_var, value_var = first, ch[k + 2].text
            k += 2
        coll = ch[k + 2]
        k += 4  # IN coll COLON
        val = ch[k]
        key: Any = None
        k += 1
        if isinstance(ch[k], Token) and ch[k].type == "FAT_ARROW":
            key, val = val, ch[k + 1]
            k += 2
        group = False
        ellipsis: Token | None = None
        if isinstance(ch[k], Token) and ch[k].type == "ELLIPSIS":
            group, ellipsis = True, ch[k]
            k += 1
        cond: Any = None
        if isinstance(ch[k], Token) and ch[k].type == "IF":
            cond = ch[k + 1]
        if not is_object:
            if key is not None:
                self.diags.append(
                    dg.error(
                        "Invalid 'for' expression",
                        "Key expression is not valid when building a tuple.",
                        key.range,
                    )
                )
            if ellipsis is not None:
                self.diags.append(
                    dg.error(
                        "Invalid 'for' expression",
                        "Grouping ellipsis (...) cannot be used when building a tuple.",
                        self.trange(ellipsis),
                    )
                )
        elif key is None:
            self.diags.append(
                dg.error(
                    "Invalid 'for' expression",
                    "Key expression is required when building an object.",
                    val.range,
                )
            )
        node = sx.For(rng, key_var, value_var, coll, key, val, cond, group, is_object)
        self._deep(node, coll, key, val, cond)
        return node

    def for_tuple(self, ch: list[Any]) -> sx.For:
        return self._for(ch, False)

    def for_object(self, ch: list[Any]) -> sx.For:
        return self._for(ch, True)

    # -- traversals
    def get_attr(self, ch: list[Any]) -> _Trav:
        return _Trav("attr", self.span(ch[0], ch[1]), name=ch[1].text, dot=ch[0], tok=ch[1])

    def legacy_index(self, ch: list[Any]) -> _Trav:
        num = ch[1]
        if "." in num.text:
            a, b = num.text.split(".", 1)
            self.diags.append(
                dg.error(
                    "Invalid legacy index syntax",
                    "When using the legacy index syntax, chaining two indexes together is not "
                    f"permitted. Use the proper index syntax instead, like [{a}][{b}].",
                    self.trange(num),
                )
            )
        key = sx.NumberLit(self.trange(num), num.text)
        return _Trav("legacy", self.span(ch[0], ch[1]), key=key, dot=ch[0], tok=num)

    def attr_splat(self, ch: list[Any]) -> _Trav:
        return _Trav("attr_splat", self.span(ch[0], ch[1]), dot=ch[0], tok=ch[1])

    def index(self, ch: list[Any]) -> _Trav:
        return _Trav("index", self.span(ch[0], ch[2]), key=ch[1])

    def full_splat(self, ch: list[Any]) -> _Trav:
        return _Trav("full_splat", self.span(ch[0], ch[2]))

    def _apply(self, src: Any, t: _Trav) -> Any:
        rng = Range(self.fname, src.range.start, t.range.end)
        if t.kind == "attr":
            assert t.tok is not None
            node: Any = sx.GetAttr(rng, src, t.name, self.trange(t.tok))
        elif t.kind == "legacy":
            node = sx.Index(rng, src, t.key, True)
        else:
            node = sx.Index(rng, src, t.key, False)
        self._deep(node, src, t.key)
        return node

    def traversal(self, ch: list[Any]) -> Any:
        return self._fold(ch[0], ch[1:])

    def _fold(self, expr: Any, travs: list[_Trav]) -> Any:
        k = 0
        while k < len(travs):
            t = travs[k]
            if t.kind in ("attr", "legacy", "index"):
                expr = self._apply(expr, t)
                k += 1
            elif t.kind == "attr_splat":
                item = sx.SplatItem(t.range)
                each: Any = item
                k += 1
                while k < len(travs) and travs[k].kind in ("attr", "legacy", "attr_splat"):
                    if travs[k].kind == "attr_splat":
                        star = travs[k].tok
                        assert star is not None
                        self.diags.append(
                            dg.error(
                                "Nested splat expression not allowed",
                                "A splat expression (*) cannot be used inside another attribute-only splat expression.",
                                self.trange(star),
                            )
                        )
                        k += 1
                        continue
                    each = self._apply(each, travs[k])
                    k += 1
                end = travs[k - 1].range.end
                expr = sx.Splat(Range(self.fname, expr.range.start, end), expr, each, False)
                self._deep(expr, each)
            else:  # full splat: every later traversal applies per element
                item = sx.SplatItem(t.range)
                each = self._fold(item, travs[k + 1 :])
                end = travs[-1].range.end
                expr = sx.Splat(Range(self.fname, expr.range.start, end), expr, each, True)
                self._deep(expr, each)
                break
        return expr

    # -- templates
    def interpolation(self, ch: list[Any]) -> _Interp:
        return _Interp(ch[1], self.span(ch[0], ch[2]))

    def _parts(self, items: Sequence[Any], rng: Range, heredoc: bool) -> sx.Template:
        parts: list[Any] = []
        pending: list[str] = []
        pending_start: Pos | None = None
        pending_end: Pos | None = None
        for it in items:
            if isinstance(it, Token):
                s, e = self.tpos(it)
                if pending_start is None:
                    pending_start = s
                pending_end = e
                pending.append(self.literals.get(it.start, it.text))
                continue
            if pending:
                assert pending_start is not None and pending_end is not None
                parts.append(sx.TemplateLiteral(Range(self.fname, pending_start, pending_end), "".join(pending)))
                pending, pending_start = [], None
            parts.append(it.expr if isinstance(it, _Interp) else it)
        if pending:
            assert pending_start is not None and pending_end is not None
            parts.append(sx.TemplateLiteral(Range(self.fname, pending_start, pending_end), "".join(pending)))
        node = sx.Template(rng, tuple(parts), heredoc)
        self._deep(node, *parts)
        return node

    def template(self, ch: list[Any]) -> sx.Expr:
        rng = self.span(ch[0], ch[-1])
        inner = ch[1:-1]
        heredoc = ch[0].type == "OHEREDOC"
        own = self.template_parts.get(ch[0].start, [])
        if len(inner) == 1 and isinstance(inner[0], _Interp) and len(own) == 1:
            node: sx.Expr = sx.TemplateWrap(rng, inner[0].expr)
            self._deep(node, inner[0].expr)
            return node
        return self._parts(inner, rng, heredoc)

    def template_if(self, ch: list[Any]) -> sx.TemplateIf:
        cond = ch[2]
        body = ch[4:-3]
        split = next((k for k, c in enumerate(body) if isinstance(c, Token) and c.type == "ELSE"), None)
        if split is None:
            then_items, else_items = body, None
        else:
            then_items, else_items = body[: split - 1], body[split + 2 :]
        then_rng = self.span(ch[3], ch[-3]) if split is None else self.span(ch[3], body[split - 1])
        then = self._parts(then_items, then_rng, False)
        otherwise = None
        if else_items is not None:
            assert split is not None
            otherwise = self._parts(else_items, self.span(body[split + 1], ch[-3]), False)
        node = sx.TemplateIf(self.span(ch[0], ch[-1]), cond, then, otherwise)
        self._deep(node, cond, then, otherwise)
        return node

    def template_for(self, ch: list[Any]) -> sx.TemplateFor:
        key_var: str | None = None
        value_var = ch[2].text
        k = 3
        if ch[3].type == "COMMA":
            key_var, value_var = ch[2].text, ch[4].text
            k = 5
        coll = ch[k + 1]
        seq_end = ch[k + 2]
        body = ch[k + 3 : -3]
        tmpl = self._parts(body, self.span(seq_end, ch[-3]), False)
        node = sx.TemplateFor(self.span(ch[0], ch[-1]), key_var, value_var, coll, tmpl)
        self._deep(node, coll, tmpl)
        return node


def _where(rng: Range) -> str:
    return f"{rng.filename}:{rng.start.line},{rng.start.column}-{rng.end.column}"


# ------------------------------------------------------------------ templates pre-pass


def _template_prepass(
    tokens: list[Token], rng: Any, diags: list[dg.Diagnostic], bare: bool = False
) -> tuple[dict[int, str], dict[int, list[Part]]]:
    """Compute every literal token's final value, since strip markers and `<<-` cross directives."""
    literals: dict[int, str] = {}
    own_parts: dict[int, list[Part]] = {}
    # stack entries: [open_token, parts] for templates, or ["seq", open_token] for ${ / %{,
    # or ["brace"] for a plain brace inside a sequence.
    stack: list[list[Any]] = []
    if bare:
        stack.append([Token("OHEREDOC", "", -1, -1, 1, 1), []])
    for tok in tokens:
        t = tok.type
        if t in ("OQUOTE", "OHEREDOC"):
            stack.append([tok, []])
        elif t in ("QLIT", "HLIT"):
            if stack and not isinstance(stack[-1][0], str):
                stack[-1][1].append(("lit", tok, None))
        elif t in ("TEMPLATE_INTERP", "TEMPLATE_CONTROL"):
            stack.append(["seq", tok])
        elif t == "OBRACE":
            stack.append(["brace"])
        elif t == "CBRACE":
            if stack and stack[-1][0] == "brace":
                stack.pop()
        elif t == "TEMPLATE_SEQ_END":
            while stack and stack[-1][0] == "brace":
                stack.pop()
            if stack and stack[-1][0] == "seq":
                opener = stack.pop()[1]
                if stack and not isinstance(stack[-1][0], str):
                    stack[-1][1].append(("seq", opener, tok))
        elif t in ("CQUOTE", "CHEREDOC", "QUOTED_NEWLINE"):
            while stack and isinstance(stack[-1][0], str):
                stack.pop()
            if stack:
                opener, parts = stack.pop()
                quoted = opener.type == "OQUOTE"
                flush = opener.text.startswith("<<-")
                literals.update(literal_values(parts, quoted, flush, rng, diags))
                own_parts[opener.start] = parts
    if bare and stack and stack[0][0].start == -1:
        literals.update(literal_values(stack[0][1], False, False, rng, diags))
        own_parts[-1] = stack[0][1]
    return literals, own_parts


# ------------------------------------------------------------------ the driver


class _Frame(msgspec.Struct):
    """One open construct: a body, bracket, brace or template, and what recovery needs of it."""

    kind: str  # top, block, oneline, object, for, tuple, index, paren, call, quote, heredoc, interp, control
    open: Token | None  # the opening token (None for the file's body)
    snapshot: tuple[list[int], list[Any]] | None = None  # parser stacks at the current body item's start
    fresh: bool = True  # nothing fed since the opener (decides one-line blocks and `{ for`)
    pending_nl: Token | None = None  # newlines held after `{` until we know it is not `{ for`
    phase: str = "key"  # objects: reading a key or a value


_OPEN_KIND = {
    "OQUOTE": "quote",
    "OHEREDOC": "heredoc",
    "TEMPLATE_INTERP": "interp",
    "TEMPLATE_CONTROL": "control",
    "OBRACE": "block",
    "OBRACE_OBJ": "object",
}

_TRACKED = OPENERS | CLOSERS | {"FOR"}

_MATCH = {
    "CBRACE": ("OBRACE", "OBRACE_OBJ"),
    "CBRACK": ("OBRACK",),
    "CPAREN": ("OPAREN",),
    "CQUOTE": ("OQUOTE",),
    "QUOTED_NEWLINE": ("OQUOTE",),
    "CHEREDOC": ("OHEREDOC",),
    "TEMPLATE_SEQ_END": ("TEMPLATE_INTERP", "TEMPLATE_CONTROL"),
}


class _Driver:
    """Feeds scanner tokens to the LALR tables, applying HCL's newline and keyword rules."""

    def __init__(self, src: SourceText, tokens: list[Token], diags: list[dg.Diagnostic], start: str = "start") -> None:
        self.src = src
        self.tokens = tokens
        self.diags = diags
        self.grammar = _lark.load()
        literals, own = _template_prepass(tokens, src.range, diags, bare=start == "template_start")
        self.builder = _Builder(src, diags, literals, own)
        self.state = _LALR(self.grammar, self.builder, start)
        self.states = self.grammar.actions
        top_kind = {"start": "top", "expr_start": "expr", "template_start": "bare"}[start]
        self.frames: list[_Frame] = [_Frame(top_kind, None, fresh=False)]
        self.prev: Token | None = None
        self._before: Token | None = None
        self.comments: list[Token] = []

    # -- helpers
    def snap(self) -> tuple[list[int], list[Any]]:
        return list(self.state.state_stack), list(self.state.value_stack)

    def restore(self, snap: tuple[list[int], list[Any]]) -> None:
        self.state.state_stack[:] = snap[0]
        self.state.value_stack[:] = snap[1]

    def accepts(self, ttype: str) -> bool:
        return ttype in self.states[self.state.state_stack[-1]]

    def run(self) -> sx.File | None:
        try:
            items = self._loop()
        except _TooDeep as e:
            self.diags.append(
                dg.error(
                    "Expression too deeply nested",
                    f"bake accepts at most {MAX_EXPR_DEPTH} levels of nested expressions.",
                    e.range,
                )
            )
            return None
        except _Nesting as e:
            self.diags.append(
                dg.error(
                    "Nesting too deep",
                    f"Brackets, braces, blocks and templates may be nested at most {MAX_NESTING} levels deep.",
                    self.builder.trange(e.tok),
                )
            )
            return None
        if items is None:
            return None
        full = self.src.range(0, len(self.src.text))
        body = self.builder.make_body(items, full)
        comments = tuple(sx.Comment(self.builder.trange(c), c.text.rstrip("\r\n")) for c in self.comments)
        return sx.File(self.src.filename, body, comments)

    def run_fragment(self) -> sx.Expr | None:
        """Parse an expression or bare template; the first syntax error ends it."""
        try:
            value = self._loop()
        except _TooDeep as e:
            detail = f"bake accepts at most {MAX_EXPR_DEPTH} levels of nested expressions."
            self.diags.append(dg.error("Expression too deeply nested", detail, e.range))
            return None
        except _Nesting as e:
            detail = f"Brackets, braces and templates may be nested at most {MAX_NESTING} levels deep."
            self.diags.append(dg.error("Nesting too deep", detail, self.builder.trange(e.tok)))
            return None
        return value  # type: ignore[return-value]

    def _loop(self) -> _BodyItems | None:
        toks = self.tokens
        frames = self.frames
        i = 0
        frames[0].snapshot = self.snap()
        feed = self.state.feed
        while True:
            tok = toks[i]
            i += 1
            t = tok.type
            top = frames[-1]
            if t == "COMMENT":
                self.comments.append(tok)
                if tok.text.startswith("/*"):
                    continue
                t = "NEWLINE"
                tok = Token("NEWLINE", tok.text, tok.start, tok.end, tok.line, tok.column)
            if top.kind == "block" and top.fresh:
                top.fresh = False
                if t != "NEWLINE":
                    top.kind = "oneline"
            if t != "NEWLINE" and top.kind in _BODY and (self.prev is None or self.prev.type == "NEWLINE"):
                top.snapshot = self.snap()  # the start of a body item: where recovery returns to
            if t == "NEWLINE":
                if top.kind in _NL_IGNORED:
                    continue
                if self.prev is not None and self.prev.type == "NEWLINE":
                    continue
                if top.kind == "object" and top.fresh:
                    if top.pending_nl is None:
                        top.pending_nl = tok
                    continue
            elif t in ("QUOTED_NEWLINE", "BAD_UTF8", "INVALID"):
                i = self._recover(tok, i, reported=True)
                continue
            elif t == "IDENT":
                kw = KEYWORDS.get(tok.text)
                if kw is not None and self.accepts(kw):
                    t = kw
                    tok = Token(kw, tok.text, tok.start, tok.end, tok.line, tok.column)
            elif t == "OBRACE":
                if not self.accepts("OBRACE"):
                    t = "OBRACE_OBJ"
                    tok = Token(t, tok.text, tok.start, tok.end, tok.line, tok.column)
            elif t == END and top.kind in _BODY and (self.prev is None or self.prev.type != "NEWLINE"):
                nl = Token("NEWLINE", "", tok.start, tok.start, tok.line, tok.column)
                if not self._feed(nl):
                    i = self._recover(nl, i, reported=False)
                    continue
            if top.kind == "object" and top.fresh:
                top.fresh = False
                pending, top.pending_nl = top.pending_nl, None
                if t == "FOR":
                    top.kind = "for"
                elif pending is not None and not self._feed(pending):
                    i = self._recover(pending, i, reported=False)
                    continue
            if t == END:
                try:
                    result = self.state.finish()
                except _Unexpected:
                    i = self._recover(tok, i, reported=False)
                    if i < 0:
                        return self._final()
                    continue
                return result  # type: ignore[no-any-return]
            try:
                feed(t, tok)
            except _Unexpected:
                i = self._recover(tok, i, reported=False)
                if i < 0:
                    return self._final()
                continue
            self._before = self.prev
            self.prev = tok
            if t in _TRACKED or top.kind == "object":
                self._track(tok, t, top)

    def _final(self) -> _BodyItems | None:
        top = self.frames[0]
        if top.kind not in _BODY:
            return None
        del self.frames[1:]
        assert top.snapshot is not None
        self.restore(top.snapshot)
        try:
            return self.state.finish()  # type: ignore[no-any-return]
        except _Unexpected:
            return None

    def _feed(self, tok: Token) -> bool:
        try:
            self.state.feed(tok.type, tok)
        except _Unexpected:
            return False
        self._before = self.prev
        self.prev = tok
        return True

    def _track(self, tok: Token, t: str, top: _Frame) -> None:
        frames = self.frames
        if t in OPENERS:
            kind = _OPEN_KIND.get(t)
            if kind is None:
                prev = self._before  # the token fed before this opener
                after_expr = prev is not None and prev.type in _EXPR_END
                if t == "OBRACK":
                    kind = "index" if after_expr else "tuple"
                else:
                    kind = "call" if prev is not None and prev.type == "IDENT" else "paren"
            if len(frames) >= MAX_NESTING:
                raise _Nesting(tok)
            frames.append(_Frame(kind, tok, fresh=kind in ("block", "object")))
        elif t in CLOSERS:
            if len(frames) > 1:
                frames.pop()
        elif t == "FOR" and top.kind == "tuple":
            top.kind = "for"
        elif top.kind == "object":
            if t in ("EQUAL", "COLON"):
                top.phase = "value"
            elif t in ("COMMA", "NEWLINE"):
                top.phase = "key"

    # -- errors
    def _recover(self, tok: Token, i: int, reported: bool) -> int:
        """Report a syntax error at tok, then skip to the end of the current body item.

        Returns the index of the next token to process, or -1 when parsing must end.
        """
        if not reported:
            self.diags.append(self._classify(tok))
        frames = self.frames
        if tok.type == END or frames[0].kind not in _BODY:
            return -1
        bi = max(k for k, f in enumerate(frames) if f.kind in _BODY)
        open_types = [f.open.type for f in frames[bi + 1 :] if f.open is not None]
        body = frames[bi]
        del frames[bi + 1 :]
        assert body.snapshot is not None
        self.restore(body.snapshot)
        toks = self.tokens
        j = i - 1
        while True:
            tk = toks[j]
            tt = tk.type
            if tt == END:
                break
            if tt == "NEWLINE" or (tt == "COMMENT" and not tk.text.startswith("/*")):
                if not open_types:
                    j += 1
                    break
            elif tt in OPENERS:
                open_types.append(tt)
            elif tt in _MATCH:
                want = _MATCH[tt]
                if (
                    tt == "CBRACE"
                    and body.kind == "block"
                    and not any(o in ("OBRACE", "OBRACE_OBJ") for o in open_types)
                ):
                    break
                while open_types and open_types[-1] not in want:
                    open_types.pop()
                if open_types:
                    open_types.pop()
            j += 1
        self.prev = Token("NEWLINE", "", 0, 0, 1, 1)
        return j

    def _classify(self, tok: Token) -> dg.Diagnostic:
        return _classify(self, tok)


class _Unexpected(Exception):
    """The current LALR state has no action for the token."""


class _LALR:
    """Runs the LALR(1) tables Lark built for grammar/hcl2.lark, calling the builder on reductions."""

    __slots__ = ("actions", "end_state", "reducers", "state_stack", "unit", "value_stack")

    def __init__(self, tables: _lark.Tables, builder: _Builder, start: str = "start") -> None:
        self.actions = tables.actions
        self.end_state = tables.end_states[start]
        self.state_stack: list[int] = [tables.start_states[start]]
        self.value_stack: list[Any] = []
        self.reducers = [(r.size, r.origin, _reducer(r, builder), any(r.splice), r.splice) for r in tables.rules]
        # Unit rules like `?expression: or_expr` pass their child through: only the state changes.
        self.unit = [r.origin if r.size == 1 and r.expand1 and not r.splice[0] else None for r in tables.rules]

    def feed(self, ttype: str, value: Any) -> None:
        """Shift one token, after every reduction its lookahead calls for."""
        actions = self.actions
        unit = self.unit
        ss = self.state_stack
        while True:
            act = actions[ss[-1]].get(ttype)
            if act is None:
                raise _Unexpected
            if act >= 0:
                ss.append(act)
                self.value_stack.append(value)
                return
            origin = unit[-1 - act]
            if origin is not None:
                ss[-1] = actions[ss[-2]][origin]
            else:
                self._reduce(-1 - act)

    def finish(self) -> Any:
        """Feed the end of input and return the start symbol's value."""
        actions = self.actions
        ss = self.state_stack
        while True:
            act = actions[ss[-1]].get(END)
            if act is None:
                raise _Unexpected
            if act >= 0:  # pragma: no cover - $END is never shifted
                raise _Unexpected
            self._reduce(-1 - act)
            if ss[-1] == self.end_state:
                return self.value_stack[-1]

    def _reduce(self, index: int) -> None:
        size, origin, fn, any_splice, _splice = self.reducers[index]
        ss = self.state_stack
        vs = self.value_stack
        if size:
            children = vs[-size:]
            del ss[-size:]
            del vs[-size:]
        else:
            children = []
        if any_splice and fn is not _Seq:
            children = _flatten(children)
        value = fn(children)
        ss.append(self.actions[ss[-1]][origin])
        vs.append(value)


class _Seq:
    """The children of an inlined rule (`_rule`, `x*`), spliced into the first non-inlined parent.

    Kept as an immutable chain rather than copied into ever longer lists, so that a body of n
    items costs O(n), and recovery snapshots can share it safely.
    """

    __slots__ = ("items",)

    def __init__(self, items: list[Any]) -> None:
        self.items = items


def _flatten(children: list[Any]) -> list[Any]:
    out: list[Any] = []
    stack = [iter(children)]
    while stack:
        for child in stack[-1]:
            if type(child) is _Seq:
                stack.append(iter(child.items))
                break
            out.append(child)
        else:
            stack.pop()
    return out


def _reducer(rule: _lark.Rule, builder: _Builder) -> Any:
    if rule.inline:
        return _Seq
    method = getattr(builder, rule.name, None)
    if rule.expand1:
        return _first if method is None else (lambda ch: ch[0] if len(ch) == 1 else method(ch))
    if method is None:  # pragma: no cover - every named rule has a builder method
        raise AssertionError(f"no builder for rule {rule.name}")
    return method


def _first(children: list[Any]) -> Any:
    return children[0]


class _Nesting(Exception):
    def __init__(self, tok: Token) -> None:
        super().__init__("nesting")
        self.tok = tok


from ._errors import _classify  # noqa: E402  (kept apart: it is long and only about messages)
