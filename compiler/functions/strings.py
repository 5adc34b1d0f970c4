"""String functions (format, regex, case, trimming, graphemes...) with go-cty's and Packer's behaviour."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..cty import types as T
from ..cty.convert import ConversionError, convert
from ..cty.numbers import Num
from ..cty.values import Value, boolean, list_of, null, object_of, string, tuple_of, unknown
from ._goutil import (
    GO_SPACE,
    JSONError,
    big_float_text,
    cty_json,
    go_json_string,
    go_lower,
    go_quote,
    go_quote_rune,
    go_title,
    go_upper,
    graphemes,
)
from ._re2 import RE2Error, compile_go
from .base import CallContext, Function, FunctionError, Param, register
from .numeric import to_go_int

FUNCTIONS: dict[str, Function] = {}

Impl = Callable[[Sequence[Value], CallContext], Value]


def _str_fn(name: str, fn: Callable[[str], str], description: str) -> None:
    def impl(args: Sequence[Value], ctx: CallContext) -> Value:
        return string(fn(args[0].as_string()))

    register(FUNCTIONS, Function(name, [Param("str", T.STRING)], T.STRING, impl, description=description))


def _str2_fn(name: str, second: str, returns: T.Type, fn: Callable[[str, str], Value], description: str) -> None:
    def impl(args: Sequence[Value], ctx: CallContext) -> Value:
        return fn(args[0].as_string(), args[1].as_string())

    params = [Param("str", T.STRING), Param(second, T.STRING)]
    register(FUNCTIONS, Function(name, params, returns, impl, description=description))


# ---------------------------------------------------------------- simple string functions


def _trim_space(s: str) -> str:
    start, end = 0, len(s)
    while start < end and s[start] in GO_SPACE:
        start += 1
    while end > start and s[end - 1] in GO_SPACE:
        end -= 1
    return s[start:end]


def _trim(s: str, cutset: str) -> str:
    return s.strip(cutset) if cutset else s


def _trim_prefix(s: str, prefix: str) -> str:
    return s[len(prefix) :] if s.startswith(prefix) else s


def _trim_suffix(s: str, suffix: str) -> str:
    return s[: len(s) - len(suffix)] if suffix and s.endswith(suffix) else s


_str_fn("upper", go_upper, "Letters to upper case.")
_str_fn("lower", go_lower, "Letters to lower case.")
_str_fn("title", go_title, "First letter of each word to title case.")
_str_fn("trimspace", _trim_space, "Remove white space from both ends.")
_str_fn("chomp", lambda s: s.rstrip("\r\n"), "Remove newline characters from the end.")
_str_fn("strrev", lambda s: "".join(reversed(graphemes(s))), "Reverse the characters (grapheme clusters).")
_str2_fn("trim", "cutset", T.STRING, lambda s, c: string(_trim(s, c)), "Remove characters in cutset from both ends.")
_str2_fn("trimprefix", "prefix", T.STRING, lambda s, p: string(_trim_prefix(s, p)), "Remove a prefix.")
_str2_fn("trimsuffix", "suffix", T.STRING, lambda s, p: string(_trim_suffix(s, p)), "Remove a suffix.")
_str2_fn("startswith", "prefix", T.BOOL, lambda s, p: boolean(s.startswith(p)), "Whether str starts with prefix.")
_str2_fn("endswith", "suffix", T.BOOL, lambda s, p: boolean(s.endswith(p)), "Whether str ends with suffix.")
_str2_fn("strcontains", "substr", T.BOOL, lambda s, p: boolean(p in s), "Whether str contains substr.")


def _replace(args: Sequence[Value], ctx: CallContext) -> Value:
    s, old, new = (a.as_string() for a in args)
    if old == "":
        # strings.Replace with an empty search string inserts at every rune boundary
        return string(new + new.join(s) + new if s else new)
    return string(s.replace(old, new))


register(FUNCTIONS, Function(
    "replace", [Param("str", T.STRING), Param("substr", T.STRING), Param("replace", T.STRING)], T.STRING,
    _replace, description="Replace every occurrence of substr (a plain string, as stdlib.ReplaceFunc does)."))


def _split(args: Sequence[Value], ctx: CallContext) -> Value:
    sep, s = args[0].as_string(), args[1].as_string()
    parts = list(s) if sep == "" else s.split(sep)
    return list_of([string(p) for p in parts], T.STRING)


register(FUNCTIONS, Function("split", [Param("separator", T.STRING), Param("str", T.STRING)], T.List(T.STRING),
                             _split, description="Split a string at each separator."))


def _join(args: Sequence[Value], ctx: CallContext) -> Value:
    sep = args[0].as_string()
    lists = args[1:]
    if not lists:
        raise FunctionError("at least one list is required")
    marks: set[str] = set()
    items: list[str] = []
    for li, lst in enumerate(lists):
        plain, m = lst.unmark_deep()
        marks |= m
        if not plain.is_wholly_known():
            return unknown(T.STRING).with_marks(marks)
        for ei, elem in enumerate(plain.elements()):
            if elem.is_null:
                if len(lists) > 1:
                    msg = f"element {ei} of list {li + 1} is null; cannot concatenate null values"
                else:
                    msg = f"element {ei} is null; cannot concatenate null values"
                raise FunctionError(msg, li + 1)
            items.append(elem.as_string())
    return string(sep.join(items)).with_marks(marks)


register(FUNCTIONS, Function(
    "join", [Param("separator", T.STRING)], T.STRING, _join,
    var_param=Param("lists", T.List(T.STRING), allow_unknown=True, allow_marked=True),
    description="Join the strings of lists with a separator."))


def _indent(args: Sequence[Value], ctx: CallContext) -> Value:
    spaces = to_go_int(args[0])
    if spaces < 0:
        raise FunctionError("panic in function implementation: strings: negative Repeat count")
    return string(args[1].as_string().replace("\n", "\n" + " " * spaces))


register(FUNCTIONS, Function("indent", [Param("spaces", T.NUMBER), Param("str", T.STRING)], T.STRING, _indent,
                             description="Add spaces after each newline."))


def _substr(args: Sequence[Value], ctx: CallContext) -> Value:
    clusters = graphemes(args[0].as_string())
    offset = to_go_int(args[1])
    length = to_go_int(args[2])
    if offset < 0:
        offset += len(clusters)
    elif length == 0:
        return string("")
    pos = 0
    i = 0
    if offset > 0:
        while i < len(clusters):
            i += 1
            pos += 1
            if pos == offset:
                break
            if i >= len(clusters):
                return string("")
        clusters = clusters[i:]
    if length < 0:
        return string("".join(clusters))
    pos = 0
    i = 0
    while i < len(clusters):
        i += 1
        pos += 1
        if pos == length:
            break
    return string("".join(clusters[:i]))


register(FUNCTIONS, Function(
    "substr", [Param("str", T.STRING), Param("offset", T.NUMBER), Param("length", T.NUMBER)], T.STRING, _substr,
    description="A substring by offset and length in characters (grapheme clusters)."))


# ---------------------------------------------------------------- regular expressions


def _pattern_type(pattern: str) -> T.Type:
    try:
        rx = compile_go(pattern)
    except RE2Error as exc:
        raise FunctionError(f"invalid regexp pattern: {exc.code} in {exc.expr}", 0) from None
    names = rx.names
    named = [n for n in names if n]
    unnamed = len(names) - len(named)
    if not names:
        return T.STRING
    if named and unnamed:
        raise FunctionError("invalid regexp pattern: cannot mix both named and unnamed capture groups", 0)
    if unnamed:
        return T.Tuple(tuple(T.STRING for _ in names))
    return T.object_of({n: T.STRING for n in named})


def _match_value(pattern: str, m_groups: Sequence[str | None], whole: str, ty: T.Type) -> Value:
    if ty == T.STRING:
        return string(whole)
    vals = [string(g) if g is not None else null(T.STRING) for g in m_groups]
    if isinstance(ty, T.Tuple):
        return tuple_of(vals)
    names = compile_go(pattern).names
    return object_of(dict(zip(names, vals, strict=True)))


def _regex_returns(args: Sequence[Value]) -> T.Type:
    if not args[0].known:
        return T.DYNAMIC
    return _pattern_type(args[0].as_string())


def _regexall_returns(args: Sequence[Value]) -> T.Type:
    if not args[0].known:
        return T.List(T.DYNAMIC)
    return T.List(_pattern_type(args[0].as_string()))


def _regex(args: Sequence[Value], ctx: CallContext) -> Value:
    pattern, s = args[0], args[1]
    if not pattern.known:
        return unknown(T.DYNAMIC)
    ty = _pattern_type(pattern.as_string())
    if not s.known:
        return unknown(ty)
    m = compile_go(pattern.as_string()).re.search(s.as_string())
    if m is None:
        raise FunctionError("pattern did not match any part of the given string")
    return _match_value(pattern.as_string(), m.groups(), m.group(0), ty)


def _regexall(args: Sequence[Value], ctx: CallContext) -> Value:
    pattern, s = args[0], args[1]
    if not pattern.known:
        return unknown(T.List(T.DYNAMIC))
    ty = _pattern_type(pattern.as_string())
    if not s.known:
        return unknown(T.List(ty))
    rx = compile_go(pattern.as_string())
    elems = [_match_value(pattern.as_string(), m.groups(), m.group(0), ty) for m in rx.find_all(s.as_string())]
    return list_of(elems, ty)


_RE_PARAMS = [Param("pattern", T.STRING, allow_unknown=True), Param("string", T.STRING, allow_unknown=True)]
register(FUNCTIONS, Function("regex", _RE_PARAMS, _regex_returns, _regex,
                             description="The first match of a (Go/RE2) regular expression."))
register(FUNCTIONS, Function("regexall", _RE_PARAMS, _regexall_returns, _regexall,
                             description="All matches of a (Go/RE2) regular expression."))


def _regex_replace(args: Sequence[Value], ctx: CallContext) -> Value:
    s, pattern, repl = (a.as_string() for a in args)
    try:
        rx = compile_go(pattern)
    except RE2Error as exc:
        raise FunctionError(str(exc)) from None
    return string(rx.replace_all(s, repl))


register(FUNCTIONS, Function(
    "regex_replace", [Param("str", T.STRING), Param("pattern", T.STRING), Param("replace", T.STRING)], T.STRING,
    _regex_replace, description="Replace every match of a (Go/RE2) regular expression ($1, ${name} expand)."))


# ---------------------------------------------------------------- format and formatlist


class _Verb:
    __slots__ = ("arg", "has_prec", "has_width", "minus", "mode", "offset", "plus", "prec", "raw", "sharp",
                 "space", "width", "zero")

    def __init__(self, arg: int) -> None:
        self.arg = arg
        self.mode = ""
        self.raw = ""
        self.offset = 0
        self.zero = self.sharp = self.plus = self.minus = self.space = False
        self.has_width = self.has_prec = False
        self.width = -1
        self.prec = -1


class FormatError(Exception):
    """A format string or argument problem; arg is the argument index to blame (1-based as cty's)."""

    def __init__(self, message: str, arg: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.arg = arg


def _byte_offsets(s: str) -> list[int]:
    offs = [0]
    total = 0
    for c in s:
        total += len(c.encode("utf-8"))
        offs.append(total)
    return offs


def go_format(fmt: str, args: Sequence[Value]) -> str:
    """cty's formatFSM: render fmt with wholly known, unmarked args."""
    offs = _byte_offsets(fmt)
    n = len(fmt)
    out: list[str] = []
    next_arg = 1
    highest = 0
    i = 0

    def eof() -> FormatError:
        return FormatError(f"invalid format string starting at offset {offs[n]}")

    def bad(at: int) -> FormatError:
        return FormatError(f"unrecognized format character {go_quote_rune(fmt[at])} at offset {offs[at]}")

    while i < n:
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        ts = i
        i += 1
        if i >= n:
            raise eof()
        if fmt[i] == "%":
            out.append("%")
            i += 1
            continue
        verb = _Verb(next_arg)
        while i < n and fmt[i] in "0#-+ ":
            f = fmt[i]
            if f == "0":
                verb.zero = True
            elif f == "#":
                verb.sharp = True
            elif f == "-":
                verb.minus = True
            elif f == "+":
                verb.plus = True
            else:
                verb.space = True
            i += 1
        if i < n and "1" <= fmt[i] <= "9":
            verb.width = 0
            while i < n and "0" <= fmt[i] <= "9":
                verb.width = verb.width * 10 + ord(fmt[i]) - 48
                i += 1
            verb.has_width = True
        if i < n and fmt[i] == ".":
            i += 1
            verb.prec = 0
            while i < n and "0" <= fmt[i] <= "9":
                verb.prec = verb.prec * 10 + ord(fmt[i]) - 48
                i += 1
            verb.has_prec = True
        if i < n and fmt[i] == "[":
            i += 1
            verb.arg = 0
            if i >= n:
                raise eof()
            if not "1" <= fmt[i] <= "9":
                raise bad(i)
            while i < n and "0" <= fmt[i] <= "9":
                verb.arg = verb.arg * 10 + ord(fmt[i]) - 48
                i += 1
            if i >= n:
                raise eof()
            if fmt[i] != "]":
                raise bad(i)
            i += 1
        if i >= n:
            raise eof()
        if not (fmt[i].isascii() and fmt[i].isalpha()):
            raise bad(i)
        verb.mode = fmt[i]
        i += 1
        verb.raw = fmt[ts:i]
        verb.offset = offs[ts]
        highest = max(highest, verb.arg)
        out.append(_format_one(verb, args))
        next_arg = verb.arg + 1
    if highest < len(args):
        first_bad = highest + 1
        if highest == 0:
            raise FormatError("too many arguments; no verbs in format string", first_bad)
        raise FormatError(f"too many arguments; only {highest} used by format string", first_bad)
    return "".join(out)


def _format_one(verb: _Verb, args: Sequence[Value]) -> str:
    idx = verb.arg - 1
    if idx >= len(args):
        raise FormatError(f"not enough arguments for {go_quote(verb.raw)} at {verb.offset}: "
                          f"need index {verb.arg} but have {len(args)} total")
    arg = args[idx]
    where = f"{go_quote(verb.raw)} at {verb.offset}"
    if verb.mode != "v" and arg.is_null:
        raise FormatError(f"unsupported value for {where}: null value cannot be formatted")
    mode = verb.mode
    if mode == "v":
        if not verb.sharp and not arg.is_null:
            if arg.ty == T.STRING:
                return _pad(verb, arg.as_string())
            if arg.ty == T.NUMBER:
                return _pad(verb, big_float_text(arg.as_num(), "g", -1))
        try:
            return _pad(verb, cty_json(arg))
        except JSONError as exc:
            raise FormatError(f"unsupported value for {where}: {exc}") from None
    if mode == "t":
        b = _convert(arg, T.BOOL, where)
        return "true" if b.as_bool() else "false"
    if mode in "bdoxXeEfgG":
        num = _convert(arg, T.NUMBER, where).as_num()
        if mode in "bdoxX":
            if not num.is_int():
                raise FormatError(f"unsupported value for {where}: an integer is required")
            return _format_int(verb, num.to_int())
        return _format_float(verb, num)
    if mode in "sq":
        s = _convert(arg, T.STRING, where).as_string()
        if verb.prec > 0:
            s = "".join(graphemes(s)[: verb.prec])
        return _pad(verb, s if mode == "s" else go_json_string(s))
    raise FormatError(f"unsupported format verb {go_quote_rune(mode)} in {go_quote(verb.raw)} at offset {verb.offset}")


def _convert(arg: Value, ty: T.Type, where: str) -> Value:
    try:
        return convert(arg, ty)
    except ConversionError as exc:
        raise FormatError(f"unsupported value for {where}: {exc}") from None


def _pad(verb: _Verb, text: str) -> str:
    if not verb.has_width:
        return text
    given = len(graphemes(text))
    if given >= verb.width:
        return text
    pads = ("0" if verb.zero else " ") * (verb.width - given)
    return text + pads if verb.minus else pads + text


def _format_int(verb: _Verb, value: int) -> str:
    """big.Int's Format for b d o x X, as fmt.Sprintf calls it."""
    base = {"b": 2, "d": 10, "o": 8, "x": 16, "X": 16}[verb.mode]
    sign = "-" if value < 0 else ("+" if verb.plus else (" " if verb.space else ""))
    prefix = ""
    if verb.sharp:
        prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb.mode, "")
    mag = abs(value)
    digits = format(mag, {2: "b", 8: "o", 10: "d", 16: "x"}[base])
    if verb.mode == "X":
        digits = digits.upper()
    left = zeros = right = 0
    if verb.has_prec:
        if len(digits) < verb.prec:
            zeros = verb.prec - len(digits)
        elif digits == "0" and verb.prec == 0:
            return ""
    length = len(sign) + len(prefix) + zeros + len(digits)
    if verb.has_width and length < verb.width:
        d = verb.width - length
        if verb.minus:
            right = d
        elif verb.zero and not verb.has_prec:
            zeros = d
        else:
            left = d
    return " " * left + sign + prefix + "0" * zeros + digits + " " * right


def _format_float(verb: _Verb, num: Num) -> str:
    """big.Float's Format for e E f g G, as fmt.Sprintf calls it (zero flag kept with '-', as Go 1.23+)."""
    mode = verb.mode
    prec = verb.prec if verb.has_prec else (-1 if mode in "gG" else 6)
    text = big_float_text(num, mode, prec)
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    elif text[0] == "+":
        sign, text = (" " if verb.space else "+"), text[1:]
    elif verb.plus:
        sign = "+"
    elif verb.space:
        sign = " "
    padding = 0
    if verb.has_width and verb.width > len(sign) + len(text):
        padding = verb.width - len(sign) - len(text)
    if verb.zero and not num.inf:
        return sign + "0" * padding + text
    if verb.minus:
        return sign + text + " " * padding
    return " " * padding + sign + text


def _deep_unmark(args: Sequence[Value]) -> tuple[list[Value], set[str]]:
    marks: set[str] = set()
    plain = []
    for a in args:
        p, m = a.unmark_deep()
        plain.append(p)
        marks |= m
    return plain, marks


def _format(args: Sequence[Value], ctx: CallContext) -> Value:
    fmt = args[0].as_string()
    values, marks = _deep_unmark(args[1:])
    if not all(v.is_wholly_known() for v in values):
        return unknown(T.STRING).with_marks(marks)
    try:
        return string(go_format(fmt, values)).with_marks(marks)
    except FormatError as exc:
        raise FunctionError(exc.message, exc.arg) from None


def _formatlist(args: Sequence[Value], ctx: CallContext) -> Value:
    fmt = args[0].as_string()
    values, marks = _deep_unmark(args[1:])
    ret_ty = T.List(T.STRING)
    if not values:
        try:
            return list_of([string(go_format(fmt, []))], T.STRING).with_marks(marks)
        except FormatError as exc:
            raise FunctionError(exc.message, exc.arg) from None
    iter_len = -1
    chooser = -1
    iterables: dict[int, tuple[Value, ...]] = {}
    any_unknown = False
    for i, v in enumerate(values):
        ty = v.ty
        if isinstance(ty, (T.List, T.Set, T.Tuple)) and not v.is_null:
            if not isinstance(ty, T.Tuple) and not v.known:
                any_unknown = True
                continue
            this_len = len(ty.elems) if isinstance(ty, T.Tuple) else v.length()
            if iter_len == -1:
                iter_len, chooser = this_len, i
            elif this_len != iter_len:
                raise FunctionError(
                    f"argument {i + 1} has length {this_len}, which is inconsistent with "
                    f"argument {chooser + 1} of length {iter_len}", i + 1)
            if not v.known:
                any_unknown = True
                continue
            iterables[i] = v.elements()
        elif isinstance(ty, T.Dynamic) and not v.known:
            any_unknown = True
    if any_unknown:
        return unknown(ret_ty).with_marks(marks)
    if iter_len == 0:
        return list_of([], T.STRING).with_marks(marks)
    if iter_len == -1:
        iter_len = 1
    results: list[Value] = []
    for it in range(iter_len):
        call_args = [iterables[i][it] if i in iterables else v for i, v in enumerate(values)]
        if not all(a.is_wholly_known() for a in call_args):
            results.append(unknown(T.STRING))
            continue
        try:
            results.append(string(go_format(fmt, call_args)))
        except FormatError as exc:
            raise FunctionError(f"error on format iteration {it}: {exc.message}") from None
    return list_of(results, T.STRING).with_marks(marks)


_FMT_ARGS = Param("args", T.DYNAMIC, allow_null=True, allow_unknown=True, allow_marked=True)
register(FUNCTIONS, Function("format", [Param("format", T.STRING)], T.STRING, _format, var_param=_FMT_ARGS,
                             description="printf-style formatting with cty's verbs."))
register(FUNCTIONS, Function("formatlist", [Param("format", T.STRING)], T.List(T.STRING), _formatlist,
                             var_param=_FMT_ARGS, description="format applied element-wise over lists."))
