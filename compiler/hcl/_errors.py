"""Syntax error messages: turn an unexpected token in an LALR state into hclsyntax's wording."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import diagnostics as dg
from ..source import Range
from .tokens import END, Token

if TYPE_CHECKING:
    from .parser import _Driver

_EXPR_START = frozenset({"NUMBER", "OQUOTE", "OHEREDOC", "OBRACK", "OPAREN", "MINUS", "BANG"})

_DESCRIBE = {
    "NEWLINE": "newline",
    END: "end of file",
    "OQUOTE": "quoted string",
    "OHEREDOC": "heredoc",
    "QLIT": "string",
    "HLIT": "string",
    "TEMPLATE_INTERP": 'interpolation "${"',
    "TEMPLATE_CONTROL": 'template directive "%{"',
}


def describe(tok: Token) -> str:
    """A user-facing description of a token (never a grammar terminal name)."""
    if tok.type in _DESCRIBE:
        return _DESCRIBE[tok.type]
    if tok.type == "IDENT":
        return f'identifier "{tok.text}"'
    if tok.type == "NUMBER":
        return f"number {tok.text}"
    return f'"{tok.text}"'


_Err = Callable[..., dg.Diagnostic]

_UNBALANCED = "The control directives within this template are unbalanced."


def _classify(drv: _Driver, tok: Token) -> dg.Diagnostic:
    b = drv.builder
    rng = b.trange(tok)
    if tok.type == END:
        rng = Range(rng.filename, rng.start, rng.start)
    if tok.type == "NEWLINE" and not tok.text:
        rng = Range(rng.filename, rng.start, rng.start)
    state = drv.state.state_stack[-1]
    exp = set(drv.states[state].keys())
    frames = drv.frames
    top = frames[-1]
    prev = drv.prev
    pt = prev.type if prev is not None else None
    t = tok.type
    is_end = t == END

    def err(summary: str, detail: str, where: Range | None = None) -> dg.Diagnostic:
        return dg.error(summary, detail, where or rng)

    def open_range() -> Range:
        assert top.open is not None
        return b.trange(top.open)

    # ---- templates
    if top.kind in ("quote", "heredoc") or (top.kind == "control" and pt == "TEMPLATE_SEQ_END"):
        directive_expected = "ENDIF" in exp or "ENDFOR" in exp or "ELSE" in exp
        if directive_expected and t in ("IDENT", "IF", "FOR", "ELSE", "ENDIF", "ENDFOR"):
            return err(f"Unexpected {tok.text} directive", _UNBALANCED)
        if is_end:
            where = open_range() if top.open is not None else rng
            return err("Unterminated template string", "No closing marker was found for the string.", where)
        if t in ("CQUOTE", "CHEREDOC"):
            return err("Unexpected end of template", _UNBALANCED)
    if pt == "TEMPLATE_CONTROL":
        if t == "IDENT" or t in ("IF", "FOR", "ELSE", "ENDIF", "ENDFOR"):
            if t in ("ELSE", "ENDIF", "ENDFOR") or tok.text in ("else", "endif", "endfor"):
                return err(f"Unexpected {tok.text} directive", _UNBALANCED)
            return err(
                "Invalid template control keyword",
                f'"{tok.text}" is not a valid template control keyword.',
            )
        return err(
            "Invalid template directive",
            'A template directive keyword ("if", "for", etc) is expected at the beginning of a %{ sequence.',
        )
    if pt in ("ELSE", "ENDIF", "ENDFOR") and "TEMPLATE_SEQ_END" in exp:
        return err(
            f"Extra characters in {prev.text if prev else ''} marker",
            "Expected a closing brace to end the sequence, but found extra characters.",
        )
    if top.kind == "control" and "TEMPLATE_SEQ_END" in exp and not ({"NUMBER", "IDENT"} & exp):
        if pt == "FOR" or (pt == "IDENT" and "IN" in exp):
            pass
        else:
            return err(
                "Extra characters after interpolation expression",
                "Expected a closing brace to end the sequence, but found extra characters.",
            )
    if top.kind == "control" and pt == "FOR":
        return err("Invalid 'for' directive", "For directive requires variable name after 'for'.")
    if top.kind == "control" and "IN" in exp:
        return err("Invalid 'for' directive", "For directive requires 'in' keyword after names.")
    if top.kind == "interp" and "TEMPLATE_SEQ_END" in exp and not ({"NUMBER"} & exp):
        if is_end or t in ("CQUOTE", "OQUOTE"):
            return err(
                "Unclosed template interpolation sequence",
                "There is no closing brace for this interpolation sequence before the end of "
                + ("the file." if is_end else "the quoted template.")
                + " This might be caused by incorrect nesting inside the given expression.",
                open_range(),
            )
        if t == "COLON":
            return err(
                "Extra characters after interpolation expression",
                "Template interpolation doesn't expect a colon at this location. Did you intend "
                "this to be a literal sequence to be processed as part of another language? If "
                'so, you can escape it by starting with "$${" instead of just "${".',
            )
        return err(
            "Extra characters after interpolation expression",
            "Expected a closing brace to end the interpolation expression, but found extra "
            "characters.\n\nThis can happen when you include interpolation syntax for another "
            "language, such as shell scripting, but forget to escape the interpolation start "
            "token. If this is an embedded sequence for another language, escape it by starting "
            'with "$${" instead of just "${".',
        )
    # ---- labels
    if pt == "OQUOTE" and exp <= {"QLIT", "CQUOTE"} and t in ("TEMPLATE_INTERP", "TEMPLATE_CONTROL"):
        return err(
            "Invalid string literal",
            'Template sequences are not allowed in this string. To include a literal "$", '
            'double it (as "$$") to escape it.',
        )
    # ---- expressions
    if pt == "DOT":
        return err("Invalid attribute name", "An attribute name is required after a dot.")
    if pt == "DCOLON":
        return err(
            "Missing function name",
            "Function scope resolution symbol :: must be followed by a function name in this scope.",
        )
    if "DCOLON" in exp and "OPAREN" in exp and "IDENT" not in exp and pt == "IDENT" and _after_dcolon(drv):
        return err(
            "Missing open parenthesis",
            "Function selector must be followed by an open parenthesis to begin the function call.",
        )
    if top.kind == "for":
        return _for_error(drv, tok, exp, err)
    if "NUMBER" in exp and not (exp & {"IF"} and t == "IF"):
        # the start of an expression was expected
        if is_end:
            return err("Missing expression", "Expected the start of an expression, but found the end of the file.")
        return err(
            "Invalid expression",
            "Expected the start of an expression, but found an invalid expression token.",
        )
    if top.kind == "index" and "CBRACK" in exp:
        if pt == "STAR":
            return err(
                "Missing close bracket on splat index",
                'The star for a full splat operator must be immediately followed by a closing bracket ("]").',
            )
        return err("Missing close bracket on index", 'The index operator must end with a closing bracket ("]").')
    if "COLON" in exp and _in_conditional(drv):
        return err(
            "Missing false expression in conditional",
            "The conditional operator (...?...:...) requires a false expression, delimited by a colon.",
        )
    if top.kind == "tuple":
        if is_end:
            return err(
                "Unterminated tuple constructor expression",
                "There is no corresponding closing bracket before the end of the file. This may be "
                "caused by incorrect bracket nesting elsewhere in this file.",
                open_range(),
            )
        return err("Missing item separator", "Expected a comma to mark the beginning of the next item.")
    if top.kind == "paren":
        return err("Unbalanced parentheses", "Expected a closing parenthesis to terminate the expression.")
    if top.kind == "call":
        if pt == "ELLIPSIS":
            return err(
                "Missing closing parenthesis",
                "An expanded function argument (with ...) must be immediately followed by closing parentheses.",
            )
        if is_end:
            return err(
                "Unterminated function call",
                "There is no closing parenthesis for this function call before the end of the file. "
                "This may be caused by incorrect parenthesis nesting elsewhere in this file.",
                open_range(),
            )
        return err(
            "Missing argument separator", "A comma is required to separate each function argument from the next."
        )
    if top.kind == "object":
        unterminated = (
            "Unterminated object constructor expression",
            "There is no corresponding closing brace before the end of the file. This may be "
            "caused by incorrect brace nesting elsewhere in this file.",
        )
        if top.phase == "key":
            if t in ("NEWLINE", "COMMA"):
                return err(
                    "Missing attribute value", 'Expected an attribute value, introduced by an equals sign ("=").'
                )
            if is_end:
                return err(*unterminated, open_range())
            if t == "IDENT":
                return err(
                    "Missing key/value separator",
                    'Expected an equals sign ("=") to mark the beginning of the attribute value. If '
                    "you intended to given an attribute name containing periods or spaces, write "
                    "the name in quotes to create a string literal.",
                )
            return err(
                "Missing key/value separator",
                'Expected an equals sign ("=") to mark the beginning of the attribute value.',
            )
        if is_end:
            return err(*unterminated, open_range())
        return err(
            "Missing attribute separator", "Expected a newline or comma to mark the beginning of the next attribute."
        )
    # ---- structure
    if top.kind == "oneline":
        return _oneline_error(drv, tok, exp, err, open_range)
    if top.kind in ("top", "block"):
        return _body_error(drv, tok, exp, err, open_range)
    return err("Unexpected " + describe(tok), f"Did not expect {describe(tok)} here.")


def _after_dcolon(drv: _Driver) -> bool:
    vs = drv.state.value_stack
    return len(vs) >= 2 and isinstance(vs[-2], Token) and vs[-2].type == "DCOLON"


def _in_conditional(drv: _Driver) -> bool:
    for v in reversed(drv.state.value_stack):
        if isinstance(v, Token):
            if v.type == "QUESTION":
                return True
            if v.type in (
                "OBRACK",
                "OPAREN",
                "OBRACE",
                "OBRACE_OBJ",
                "EQUAL",
                "COLON",
                "NEWLINE",
                "TEMPLATE_INTERP",
                "TEMPLATE_CONTROL",
                "COMMA",
            ):
                return False
    return False


def _for_error(drv: _Driver, tok: Token, exp: set[str], err: _Err) -> dg.Diagnostic:
    pt = drv.prev.type if drv.prev else None
    if pt == "FOR":
        detail = "For expression requires variable name after 'for'."
    elif pt == "COMMA" and "IDENT" in exp and "NUMBER" not in exp:
        detail = "For expression requires value variable name after comma."
    elif "IN" in exp:
        detail = "For expression requires the 'in' keyword after its name declarations."
    elif "COLON" in exp and "FAT_ARROW" not in exp and _after_in(drv):
        detail = "For expression requires a colon after the collection expression."
    elif "NUMBER" in exp:
        if tok.type == END:
            return err("Missing expression", "Expected the start of an expression, but found the end of the file.")
        return err(
            "Invalid expression",
            "Expected the start of an expression, but found an invalid expression token.",
        )
    else:
        detail = "Extra characters after the end of the 'for' expression."
    return err("Invalid 'for' expression", detail)


def _after_in(drv: _Driver) -> bool:
    for v in reversed(drv.state.value_stack):
        if isinstance(v, Token):
            if v.type == "IN":
                return True
            if v.type in ("COLON", "FOR"):
                return False
    return False


def _oneline_error(
    drv: _Driver, tok: Token, exp: set[str], err: _Err, open_range: Callable[[], Range]
) -> dg.Diagnostic:
    t = tok.type
    pt = drv.prev.type if drv.prev else None
    if t == END:
        return err(
            "Unclosed configuration block",
            "There is no closing brace for this block before the end of the file. This may be "
            "caused by incorrect brace nesting elsewhere in this file.",
            open_range(),
        )
    if pt == "IDENT" and exp == {"EQUAL"}:
        prev = drv.prev
        assert prev is not None
        if t in ("OQUOTE", "OBRACE", "OBRACE_OBJ", "IDENT"):
            return err(
                "Argument definition required",
                "A single-line block definition can contain only a single argument. If you meant to "
                f'define argument "{prev.text}", use an equals sign to assign it a value. To define '
                "a nested block, place it on a line of its own within its parent block.",
                drv.builder.span(prev, tok),
            )
        return err(
            "Argument or block definition required",
            "An argument or block definition is required here. To set an argument, use the equals "
            'sign "=" to introduce the argument value.',
            drv.builder.trange(prev),
        )
    if pt == "OBRACE":
        return err("Argument or block definition required", "An argument or block definition is required here.")
    if t == "COMMA":
        detail = (
            "Single-line block syntax can include only one argument definition. To define "
            "multiple arguments, use the multi-line block syntax with one argument definition per line."
        )
    elif t == "NEWLINE":
        detail = (
            "An argument definition on the same line as its containing block creates a "
            "single-line block definition, which must also be closed on the same line. Place the "
            "block's closing brace immediately after the argument definition."
        )
    else:
        detail = (
            "A single-line block definition must end with a closing brace immediately after its "
            "single argument definition."
        )
    return err("Invalid single-argument block definition", detail)


def _body_error(drv: _Driver, tok: Token, exp: set[str], err: _Err, open_range: Callable[[], Range]) -> dg.Diagnostic:
    t = tok.type
    prev = drv.prev
    pt = prev.type if prev else None
    top = drv.frames[-1]
    item_start = pt is None or pt == "NEWLINE"
    if item_start:
        if t == END and top.kind == "block":
            return err(
                "Unclosed configuration block",
                "There is no closing brace for this block before the end of the file. This may be "
                "caused by incorrect brace nesting elsewhere in this file.",
                open_range(),
            )
        if t == "OQUOTE":
            return err("Invalid argument name", "Argument names must not be quoted.")
        return err("Argument or block definition required", "An argument or block definition is required here.")
    if pt == "CBRACE" and exp == {"NEWLINE"}:
        return err("Missing newline after block definition", "A block definition must end with a newline.")
    if "EQUAL" in exp and pt == "IDENT":
        assert prev is not None
        return err(
            "Argument or block definition required",
            "An argument or block definition is required here. To set an argument, use the equals "
            'sign "=" to introduce the argument value.',
            drv.builder.trange(prev),
        )
    if "OBRACE" in exp:
        if t == "EQUAL":
            detail = 'The equals sign "=" indicates an argument definition, and must not be used when defining a block.'
        elif t == "NEWLINE":
            detail = (
                'A block definition must have block content delimited by "{" and "}", starting on '
                "the same line as the block header."
            )
        else:
            detail = 'Either a quoted string block label or an opening brace ("{") is expected here.'
        return err("Invalid block definition", detail)
    if "NEWLINE" in exp:
        if t == "COMMA":
            return err(
                "Unexpected comma after argument",
                "Argument definitions must be separated by newlines, not commas. An argument "
                "definition must end with a newline.",
            )
        return err("Missing newline after argument", "An argument definition must end with a newline.")
    return err("Unexpected " + describe(tok), f"Did not expect {describe(tok)} here.")
