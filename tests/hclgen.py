"""Hypothesis strategies producing HCL native-syntax documents (valid ones, and mutations)."""

from __future__ import annotations

from hypothesis import strategies as st

# ------------------------------------------------------------------ lexical pieces

KEYWORDS = {"true", "false", "null", "for", "in", "if", "else", "endif", "endfor"}

# Characters that are ID_Start / ID_Continue in every Unicode version Go and Python know.
_ID_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_éñßλΩжЯ漢字ā"
_ID_CONT = _ID_START + "0123456789-"

identifiers = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(_ID_START),
    st.text(_ID_CONT, max_size=5),
).filter(lambda s: s not in KEYWORDS)

# Short, readable names, so that generated documents often reuse names.
names = st.one_of(st.sampled_from(["a", "b", "c", "x", "y", "foo", "bar-baz", "é", "λ_1"]), identifiers)


@st.composite
def numbers(draw: st.DrawFn) -> str:
    digits = draw(st.text("0123456789", min_size=1, max_size=draw(st.sampled_from([3, 3, 40]))))
    if len(digits) > 1 and draw(st.booleans()):
        digits = digits.lstrip("0") or "0"
    text = digits
    if draw(st.booleans()):
        text += "." + draw(st.text("0123456789", min_size=1, max_size=30))
    if draw(st.integers(0, 3)) == 0:
        text += draw(st.sampled_from(["e", "E"])) + draw(st.sampled_from(["", "+", "-"]))
        text += str(draw(st.integers(0, 60)))
    return text


# Literal text inside quoted strings and heredocs: never `$`, `%`, quotes, backslashes,
# braces or newlines (those come from the dedicated pieces below).
_SAFE_CHARS = st.characters(
    codec="utf-8",
    exclude_categories=["Cs", "Cc", "Zl", "Zp"],
    exclude_characters='"\\$%{}\r\n~',
)
safe_text = st.text(_SAFE_CHARS, min_size=1, max_size=8)


def _codepoint(limit: int) -> st.SearchStrategy[int]:
    return st.integers(0, limit).filter(lambda c: not 0xD800 <= c <= 0xDFFF)


escapes = st.one_of(
    st.sampled_from(["\\n", "\\r", "\\t", '\\"', "\\\\"]),
    _codepoint(0xFFFF).map(lambda c: f"\\u{c:04x}"),
    _codepoint(0x10FFFF).map(lambda c: f"\\U{c:08X}"),
)

# Sequences that look like template introducers but are literal.
template_escapes = st.sampled_from(["$${", "%%{", "$x", "%x", "$ ", "% ", "}", "{", "~"])


def _strip(draw: st.DrawFn) -> tuple[str, str]:
    return draw(st.sampled_from(["", "~"])), draw(st.sampled_from(["", "~"]))


def _sp(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["", " ", "  ", "\t"]))


# ------------------------------------------------------------------ expressions


def _template_parts(draw: st.DrawFn, expr: st.SearchStrategy[str], quoted: bool, depth: int) -> str:
    """Body of a template; in heredocs newlines are allowed (and escapes are literal)."""
    out: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 9 if depth < 2 else 5))
        if kind <= 2:
            out.append(draw(safe_text))
        elif kind == 3:
            out.append(draw(escapes))  # literal backslashes in heredocs
        elif kind == 4:
            out.append(draw(template_escapes))
        elif kind == 5:
            out.append("\n" if not quoted else draw(escapes))
        elif kind <= 7:
            lo, hi = _strip(draw)
            out.append("${" + lo + _sp(draw) + draw(expr) + _sp(draw) + hi + "}")
        elif kind == 8:
            lo, hi = _strip(draw)
            inner = _template_parts(draw, expr, quoted, depth + 1)
            text = "%{" + lo + " if " + draw(expr) + " " + hi + "}" + inner
            if draw(st.booleans()):
                lo, hi = _strip(draw)
                text += "%{" + lo + " else " + hi + "}" + _template_parts(draw, expr, quoted, depth + 1)
            lo, hi = _strip(draw)
            out.append(text + "%{" + lo + " endif " + hi + "}")
        else:
            lo, hi = _strip(draw)
            var = draw(names)
            if draw(st.booleans()):
                var = draw(names) + ", " + var
            inner = _template_parts(draw, expr, quoted, depth + 1)
            text = "%{" + lo + " for " + var + " in " + draw(expr) + " " + hi + "}" + inner
            lo, hi = _strip(draw)
            out.append(text + "%{" + lo + " endfor " + hi + "}")
    return "".join(out)


@st.composite
def quoted_string(draw: st.DrawFn, expr: st.SearchStrategy[str] | None = None) -> str:
    parts = _template_parts(draw, expr if expr is not None else st.nothing(), True, 0 if expr is not None else 9)
    return '"' + parts + '"'


HEREDOC_MARKERS = ["EOT", "END", "EOF", "X"]


@st.composite
def heredoc(draw: st.DrawFn, expr: st.SearchStrategy[str]) -> str:
    """A heredoc, always followed by its closing newline (the caller continues on a new line)."""
    flush = draw(st.booleans())
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        indent = draw(st.sampled_from(["", "  ", "    ", "\t"]))
        body = _template_parts(draw, expr, False, 1)
        lines.append(indent + body)
    body = "\n".join(lines)
    # No line of the body (nested heredocs included) may be the marker itself.
    taken = {ln.strip() for ln in body.split("\n")}
    marker = draw(st.sampled_from(HEREDOC_MARKERS))
    while marker in taken:
        marker += "X"
    close_indent = draw(st.sampled_from(["", "  "])) if flush else ""
    content = body + "\n" if lines else ""
    return "<<" + ("-" if flush else "") + marker + "\n" + content + close_indent + marker + "\n"


def _sep_items(draw: st.DrawFn, items: list[str], in_object: bool) -> str:
    if not items:
        return draw(st.sampled_from(["", " ", "\n"]))
    out = draw(st.sampled_from(["", " ", "\n"]))
    for i, item in enumerate(items):
        out += item
        last = i == len(items) - 1
        if in_object:
            sep = draw(st.sampled_from([",", "\n", ",\n", " ,"])) if not last else ""
            if last:
                sep = draw(st.sampled_from(["", ",", "\n", ",\n"]))
        else:
            sep = draw(st.sampled_from([",", ", ", ",\n", "\n,"])) if not last else ""
            if last:
                sep = draw(st.sampled_from(["", ",", "\n", ",\n"]))
        out += sep
    return out


def _compound(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def source(draw: st.DrawFn) -> str:
        # A traversal's source: a bare number would swallow the `.` (`1.e5`, `1.5.e5`).
        text = draw(children)
        # A splat inside an attribute-only splat is an error (`x.*.*`): parenthesise those too.
        return "(" + text + ")" if text[0].isdigit() or "*" in text else text

    @st.composite
    def build(draw: st.DrawFn) -> str:
        kind = draw(st.integers(0, 17))
        c = children
        if kind == 0:
            return "[" + _sep_items(draw, draw(st.lists(c, max_size=4)), False) + "]"
        if kind == 1:
            items = []
            for _ in range(draw(st.integers(0, 4))):
                key = draw(
                    st.one_of(
                        names,
                        quoted_string(),
                        numbers(),
                        st.sampled_from(["true", "false"]),
                        c.map(lambda e: "(" + e + ")"),
                        c.map(lambda e: '"${' + e + '}"'),
                    )
                )
                op = draw(st.sampled_from([" = ", "=", ": ", " :"]))
                items.append(key + op + draw(c))
            return "{" + _sep_items(draw, items, True) + "}"
        if kind == 2:
            v = draw(names)
            if draw(st.booleans()):
                v = draw(names) + ", " + v
            cond = " if " + draw(c) if draw(st.booleans()) else ""
            if draw(st.booleans()):
                return "[for " + v + " in " + draw(c) + " : " + draw(c) + cond + "]"
            group = "..." if draw(st.booleans()) else ""
            body = draw(c) + " => " + draw(c) + group
            return "{for " + v + " in " + draw(c) + " : " + body + cond + "}"
        if kind == 3:
            return source(draw) + ".*" + "".join(draw(st.lists(names.map(lambda n: "." + n), max_size=2)))
        if kind == 4:
            tail = draw(
                st.lists(
                    st.one_of(names.map(lambda n: "." + n), c.map(lambda e: "[" + e + "]")),
                    max_size=2,
                )
            )
            return source(draw) + "[*]" + "".join(tail)
        if kind == 5:
            return source(draw) + "[" + draw(c) + "]"
        if kind == 6:
            return source(draw) + "." + draw(names)
        if kind == 7:
            return draw(names) + "." + str(draw(st.integers(0, 99)))
        if kind == 8:
            fname = draw(names)
            if draw(st.integers(0, 3)) == 0:
                fname = draw(names) + "::" + fname
                if draw(st.booleans()):
                    fname = draw(names) + "::" + fname
            args = draw(st.lists(c, max_size=3))
            text = ", ".join(args)
            if args and draw(st.booleans()):
                text += "..."
            elif args and draw(st.booleans()):
                text += ","
            return fname + "(" + text + ")"
        if kind == 9:
            return draw(c) + " ? " + draw(c) + " : " + draw(c)
        if kind == 10:
            return draw(st.sampled_from(["-", "!"])) + draw(c)
        if kind <= 12:
            op = draw(
                st.sampled_from(["||", "&&", "==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%"])
            )
            return draw(c) + " " + op + " " + draw(c)
        if kind == 13:
            return "(" + draw(c) + ")"
        if kind <= 15:
            return draw(quoted_string(c))
        # Heredocs end with a newline: parentheses or brackets make that harmless anywhere.
        opener, closer = draw(st.sampled_from(["()", "[]"]))
        return opener + draw(heredoc(c)) + closer

    return build()


atoms = st.one_of(
    numbers(),
    st.sampled_from(["true", "false", "null"]),
    names,
    quoted_string(),
    numbers().map(lambda n: "-" + n),
)

expressions = st.recursive(atoms, _compound, max_leaves=12)


def _ends_heredoc(text: str) -> bool:
    return text.endswith("\n")


# ------------------------------------------------------------------ bodies


def _comment(draw: st.DrawFn, inline: bool) -> str:
    text = draw(st.text(_SAFE_CHARS, max_size=10)).replace("*/", "")
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return "#" + text + "\n"
    if kind == 1:
        return "//" + text + "\n"
    return "/*" + text.replace("\n", "") + ("\n" if not inline and draw(st.booleans()) else "") + "*/"


@st.composite
def attribute(draw: st.DrawFn, name: str) -> str:
    value = draw(st.one_of(expressions, heredoc(expressions)))
    text = name + draw(st.sampled_from([" = ", "=", " =\t"])) + value
    if _ends_heredoc(value):
        return text
    if draw(st.integers(0, 4)) == 0:
        c = _comment(draw, inline=True)
        return text + " " + c + ("" if c.endswith("\n") else "\n")
    return text + "\n"


@st.composite
def body(draw: st.DrawFn, depth: int = 0) -> str:
    out: list[str] = []
    used: set[str] = set()
    block_types: set[str] = set()
    indent = "  " * depth
    for _ in range(draw(st.integers(0, 5 if depth == 0 else 3))):
        kind = draw(st.integers(0, 9))
        if kind <= 4:
            name = draw(names.filter(lambda n, u=used | block_types: n not in u))  # type: ignore[misc]
            used.add(name)
            out.append(indent + draw(attribute(name)))
        elif kind <= 6 and depth < 3:
            btype = draw(names.filter(lambda n, u=used: n not in u))  # type: ignore[misc]
            block_types.add(btype)
            labels = draw(
                st.lists(st.one_of(names, quoted_string(), st.just('"a b"')), max_size=2)
            )
            head = " ".join([btype, *labels])
            if draw(st.integers(0, 3)) == 0:
                # One-line block: empty or a single attribute.
                if draw(st.booleans()):
                    out.append(indent + head + " {}\n")
                else:
                    value = draw(expressions.filter(lambda e: not e.endswith("\n")))
                    out.append(indent + head + " { " + draw(names) + " = " + value + " }\n")
            else:
                inner = draw(body(depth + 1))
                out.append(indent + head + " {\n" + inner + indent + "}\n")
        elif kind <= 8:
            c = _comment(draw, inline=False)
            out.append(indent + c + ("" if c.endswith("\n") else "\n"))
        else:
            out.append("\n")
    return "".join(out)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A valid document; sometimes with CRLF line endings or without the final newline."""
    text = draw(body())
    variant = draw(st.integers(0, 5))
    if variant == 0:
        text = text.replace("\n", "\r\n")
    elif variant == 1 and text.endswith("\n") and not text.rstrip("\n").endswith(
        tuple(HEREDOC_MARKERS)
    ) and not text.rstrip("\n").endswith("X"):
        text = text.rstrip("\n")
    return text


# ------------------------------------------------------------------ mutations

MUTATION_TOKENS = [
    '"', "'", "{", "}", "[", "]", "(", ")", "\n", "\r\n", "\r", ",", "=", ":", "${", "%{", "~",
    "}", "$", "%", "\\", "#", "//", "/*", "*/", "<<EOT\n", "<<-EOT\n", "EOT", ".", "..", "...",
    "*", "?", "!", "-", "=>", "::", " ", "\t", "0", "1.", "e", "x", "for", "in", "if", "endif",
    "else", "endfor", "true", "null", "\ufeff", "é", ";", "&&", "|", "\\u", "\\U0001F600",
]


@st.composite
def mutated_documents(draw: st.DrawFn) -> str:
    """A valid document with one to three small edits: delete/duplicate/insert chars or tokens."""
    text = draw(documents())
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.integers(0, 4))
        pos = draw(st.integers(0, len(text)))
        if op == 0 and text:
            pos = min(pos, len(text) - 1)
            text = text[:pos] + text[pos + 1 :]
        elif op == 1 and text:
            pos = min(pos, len(text) - 1)
            text = text[: pos + 1] + text[pos:]
        elif op == 2:
            text = text[:pos] + draw(st.sampled_from(MUTATION_TOKENS)) + text[pos:]
        elif op == 3:
            # Delete one occurrence of a token.
            tok = draw(st.sampled_from(MUTATION_TOKENS))
            idx = text.find(tok, pos)
            if idx < 0:
                idx = text.find(tok)
            if idx >= 0:
                text = text[:idx] + text[idx + len(tok) :]
        else:
            # Duplicate a token.
            tok = draw(st.sampled_from(MUTATION_TOKENS))
            idx = text.find(tok, pos)
            if idx >= 0:
                text = text[:idx] + tok + text[idx:]
    return text


SOUP_TOKENS = [
    *MUTATION_TOKENS, "a", "b", "a = ", " = ", "1", "2.5", "1e3", '"x"', '"${a}"', "a.b", "a[0]",
    "f(", "[for x in y : ", "{for k, v in y : ", " if ", " ? ", " : ", " => ", "<<EOT\nx\nEOT\n",
    "{\n", "}\n", "b {", "%{ if a }", "%{ endif }", "%{ else }", "%{ for x in y }", "%{ endfor }",
]


@st.composite
def token_soup(draw: st.DrawFn) -> str:
    """Short random sequences of HCL tokens, mostly invalid: exercises error paths."""
    prefix = draw(st.sampled_from(["", "a = ", "a {\n", "a = [", 'a = "', "a = <<EOT\n"]))
    return prefix + "".join(draw(st.lists(st.sampled_from(SOUP_TOKENS), max_size=10)))
