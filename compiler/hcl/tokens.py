"""Tokens of HCL's native syntax, as the scanner emits them (the formatter works on these)."""

from __future__ import annotations

import msgspec

# Token types are the grammar's terminal names. The table gives hashicorp/hcl's names
# (hclsyntax.TokenType) for readers who know that implementation.
GO_NAMES = {
    "IDENT": "TokenIdent",
    "NUMBER": "TokenNumberLit",
    "OBRACE": "TokenOBrace",
    "OBRACE_OBJ": "TokenOBrace",
    "CBRACE": "TokenCBrace",
    "OBRACK": "TokenOBrack",
    "CBRACK": "TokenCBrack",
    "OPAREN": "TokenOParen",
    "CPAREN": "TokenCParen",
    "OQUOTE": "TokenOQuote",
    "CQUOTE": "TokenCQuote",
    "OHEREDOC": "TokenOHeredoc",
    "CHEREDOC": "TokenCHeredoc",
    "QLIT": "TokenQuotedLit",
    "HLIT": "TokenStringLit",
    "TEMPLATE_INTERP": "TokenTemplateInterp",
    "TEMPLATE_CONTROL": "TokenTemplateControl",
    "TEMPLATE_SEQ_END": "TokenTemplateSeqEnd",
    "STAR": "TokenStar",
    "SLASH": "TokenSlash",
    "PLUS": "TokenPlus",
    "MINUS": "TokenMinus",
    "PERCENT": "TokenPercent",
    "EQUAL": "TokenEqual",
    "EQUAL_OP": "TokenEqualOp",
    "NOT_EQUAL": "TokenNotEqual",
    "LT": "TokenLessThan",
    "LTE": "TokenLessThanEq",
    "GT": "TokenGreaterThan",
    "GTE": "TokenGreaterThanEq",
    "AND": "TokenAnd",
    "OR": "TokenOr",
    "BANG": "TokenBang",
    "DOT": "TokenDot",
    "COMMA": "TokenComma",
    "COLON": "TokenColon",
    "DCOLON": "TokenDoubleColon",
    "QUESTION": "TokenQuestion",
    "ELLIPSIS": "TokenEllipsis",
    "FAT_ARROW": "TokenFatArrow",
    "NEWLINE": "TokenNewline",
    "COMMENT": "TokenComment",
    "QUOTED_NEWLINE": "TokenQuotedNewline",
    "BAD_UTF8": "TokenBadUTF8",
    "INVALID": "TokenInvalid",
    "$END": "TokenEOF",
}

# Tokens that only the scanner produces: the parser reports them, the grammar never accepts them.
ERROR_TYPES = frozenset({"QUOTED_NEWLINE", "BAD_UTF8", "INVALID"})
# Opening and closing brackets, for nesting and recovery.
OPENERS = frozenset(
    {"OBRACE", "OBRACE_OBJ", "OBRACK", "OPAREN", "OQUOTE", "OHEREDOC", "TEMPLATE_INTERP", "TEMPLATE_CONTROL"}
)
CLOSERS = frozenset({"CBRACE", "CBRACK", "CPAREN", "CQUOTE", "CHEREDOC", "TEMPLATE_SEQ_END"})
END = "$END"


class Token(msgspec.Struct, frozen=True, gc=False):
    """One token: its type, its exact source text, character offsets, and start line/column."""

    type: str
    text: str
    start: int
    end: int
    line: int
    column: int

    @property
    def go_name(self) -> str:
        """The hclsyntax name of this token type."""
        return GO_NAMES.get(self.type, self.type)
