"""Go (RE2) regular expressions on Python's re: syntax translated, Go's errors and match iteration kept."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterator
from functools import lru_cache


class RE2Error(Exception):
    """A pattern Go's regexp/syntax rejects: code is the ErrorCode text, expr the offending text."""

    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"error parsing regexp: {code}: `{expr}`")
        self.code = code
        self.expr = expr


MISSING_PAREN = "missing closing )"
UNEXPECTED_PAREN = "unexpected )"
MISSING_BRACKET = "missing closing ]"
INVALID_ESCAPE = "invalid escape sequence"
INVALID_PERL_OP = "invalid or unsupported Perl syntax"
INVALID_NAMED_CAPTURE = "invalid named capture"
INVALID_CHAR_RANGE = "invalid character class range"
MISSING_REPEAT_ARG = "missing argument to repetition operator"
INVALID_REPEAT_OP = "invalid nested repetition operator"
INVALID_REPEAT_SIZE = "invalid repeat count"
TRAILING_BACKSLASH = "trailing backslash at end of expression"

_WORD = [(ord("0"), ord("9")), (ord("A"), ord("Z")), (ord("_"), ord("_")), (ord("a"), ord("z"))]
_PERL = {
    "d": [(ord("0"), ord("9"))],
    "s": [(9, 10), (12, 13), (32, 32)],
    "w": _WORD,
}
_POSIX = {
    "alnum": [(48, 57), (65, 90), (97, 122)],
    "alpha": [(65, 90), (97, 122)],
    "ascii": [(0, 0x7F)],
    "blank": [(9, 9), (32, 32)],
    "cntrl": [(0, 31), (0x7F, 0x7F)],
    "digit": [(48, 57)],
    "graph": [(33, 126)],
    "lower": [(97, 122)],
    "print": [(32, 126)],
    "punct": [(33, 47), (58, 64), (91, 96), (123, 126)],
    "space": [(9, 13), (32, 32)],
    "upper": [(65, 90)],
    "word": _WORD,
    "xdigit": [(48, 57), (65, 70), (97, 102)],
}
_WB = "[0-9A-Za-z_]"
_ESCAPE_CHARS = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}


@lru_cache(maxsize=1)
def _category_table() -> dict[str, list[tuple[int, int]]]:
    """Ranges of every general category (and major class), built once from unicodedata."""
    table: dict[str, list[tuple[int, int]]] = {}
    for cp in range(sys.maxunicode + 1):
        cat = unicodedata.category(chr(cp))
        for key in (cat, cat[0]) if cat != "Cn" else ():
            ranges = table.setdefault(key, [])
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return table


def _unicode_table(name: str) -> list[tuple[int, int]] | None:
    if name == "Any":
        return [(0, sys.maxunicode)]
    if name in ("C", "L", "M", "N", "P", "S", "Z") or (
        len(name) == 2 and name[0] in "CLMNPSZ" and name != "Cn" and name in _category_table()
    ):
        return _category_table().get(name, [])
    return None


def _negate(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    nxt = 0
    for lo, hi in sorted(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = max(nxt, hi + 1)
    if nxt <= sys.maxunicode:
        out.append((nxt, sys.maxunicode))
    return out


def _class_source(ranges: list[tuple[int, int]], negate: bool) -> str:
    if not ranges:
        return "[^\\x00-\\U0010ffff]" if not negate else "[\\x00-\\U0010ffff]"
    body = "".join(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)
    return f"[{'^' if negate else ''}{body}]"


class _Flags:
    __slots__ = ("dotnl", "fold", "multiline", "ungreedy")

    def __init__(self, fold: bool = False, multiline: bool = False, dotnl: bool = False, ungreedy: bool = False):
        self.fold = fold
        self.multiline = multiline
        self.dotnl = dotnl
        self.ungreedy = ungreedy

    def copy(self) -> _Flags:
        return _Flags(self.fold, self.multiline, self.dotnl, self.ungreedy)


def _is_valid_name(name: str) -> bool:
    return bool(name) and all(c == "_" or (c.isascii() and c.isalnum()) for c in name)


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.whole = pattern
        self.names: list[str] = []  # one per capture group, "" when unnamed

    # -- escapes
    def _escape(self, s: str, i: int) -> tuple[int, int]:
        """Parse a literal escape at s[i] == '\\'; return (code point, next index)."""
        start = i
        i += 1
        if i >= len(s):
            raise RE2Error(TRAILING_BACKSLASH, "")
        c = s[i]
        i += 1
        if c < "\x80" and not (c.isascii() and c.isalnum()):
            return ord(c), i
        if "1" <= c <= "7" and not (i < len(s) and "0" <= s[i] <= "7"):
            raise RE2Error(INVALID_ESCAPE, s[start:i])
        if "0" <= c <= "7":
            r = ord(c) - 48
            for _ in range(2):
                if i < len(s) and "0" <= s[i] <= "7":
                    r = r * 8 + ord(s[i]) - 48
                    i += 1
                else:
                    break
            return r, i
        if c == "x":
            if i >= len(s):
                raise RE2Error(INVALID_ESCAPE, s[start:i])
            c2 = s[i]
            i += 1
            if c2 == "{":
                r = 0
                nhex = 0
                while True:
                    if i >= len(s):
                        raise RE2Error(INVALID_ESCAPE, s[start:i])
                    c3 = s[i]
                    i += 1
                    if c3 == "}":
                        break
                    if c3 not in "0123456789abcdefABCDEF":
                        raise RE2Error(INVALID_ESCAPE, s[start:i])
                    r = r * 16 + int(c3, 16)
                    if r > sys.maxunicode:
                        raise RE2Error(INVALID_ESCAPE, s[start:i])
                    nhex += 1
                if nhex == 0:
                    raise RE2Error(INVALID_ESCAPE, s[start:i])
                return r, i
            if i >= len(s):
                raise RE2Error(INVALID_ESCAPE, s[start:i])
            c3 = s[i]
            i += 1
            hexd = "0123456789abcdefABCDEF"
            if c2 not in hexd or c3 not in hexd:
                raise RE2Error(INVALID_ESCAPE, s[start:i])
            return int(c2 + c3, 16), i
        if c in _ESCAPE_CHARS:
            return _ESCAPE_CHARS[c], i
        raise RE2Error(INVALID_ESCAPE, s[start:i])

    def _unicode_class(self, s: str, i: int) -> tuple[list[tuple[int, int]], int] | None:
        """\\pX, \\p{Name}, \\PX, \\p{^Name} at s[i]; None when not one."""
        if i + 1 >= len(s) or s[i] != "\\" or s[i + 1] not in "pP":
            return None
        negate = s[i + 1] == "P"
        if i + 2 >= len(s):
            raise RE2Error(INVALID_CHAR_RANGE, s[i:])
        if s[i + 2] == "{":
            end = s.find("}", i + 2)
            if end < 0:
                raise RE2Error(INVALID_CHAR_RANGE, s[i:])
            seq, name, nxt = s[i : end + 1], s[i + 3 : end], end + 1
        else:
            seq, name, nxt = s[i : i + 3], s[i + 2], i + 3
        if name.startswith("^"):
            negate = not negate
            name = name[1:]
        table = _unicode_table(name)
        if table is None:
            raise RE2Error(INVALID_CHAR_RANGE, seq)
        return (_negate(table) if negate else list(table)), nxt

    # -- classes
    def _class(self, s: str, i: int) -> tuple[str, int]:
        whole = s[i:]
        i += 1
        negate = False
        if i < len(s) and s[i] == "^":
            negate = True
            i += 1
        ranges: list[tuple[int, int]] = []
        first = True
        while i >= len(s) or s[i] != "]" or first:
            first = False
            if i + 2 < len(s) and s[i] == "[" and s[i + 1] == ":":
                j = s.find(":]", i + 2)
                if j >= 0:
                    name = s[i : j + 2]
                    inner = name[2:-2]
                    neg = inner.startswith("^")
                    table = _POSIX.get(inner[1:] if neg else inner)
                    if table is None:
                        raise RE2Error(INVALID_CHAR_RANGE, name)
                    ranges.extend(_negate(table) if neg else table)
                    i = j + 2
                    continue
            uc = self._unicode_class(s, i) if i < len(s) else None
            if uc is not None:
                ranges.extend(uc[0])
                i = uc[1]
                continue
            if i + 1 < len(s) and s[i] == "\\" and s[i + 1] in "dswDSW":
                table = _PERL[s[i + 1].lower()]
                ranges.extend(_negate(table) if s[i + 1].isupper() else table)
                i += 2
                continue
            rng_start = i
            lo, i = self._class_char(s, i, whole)
            hi = lo
            if i + 1 < len(s) and s[i] == "-" and s[i + 1] != "]":
                hi, i = self._class_char(s, i + 1, whole)
                if hi < lo:
                    raise RE2Error(INVALID_CHAR_RANGE, s[rng_start:i])
            ranges.append((lo, hi))
        return _class_source(sorted(ranges), negate), i + 1

    def _class_char(self, s: str, i: int, whole: str) -> tuple[int, int]:
        if i >= len(s):
            raise RE2Error(MISSING_BRACKET, whole)
        if s[i] == "\\":
            return self._escape(s, i)
        return ord(s[i]), i + 1

    # -- the main loop
    def parse(self) -> str:
        s = self.whole
        i = 0
        flags = _Flags()
        # stack of (alternatives, current alternative, saved flags, group opener)
        stack: list[tuple[list[list[str]], list[str], _Flags, str]] = []
        alts: list[list[str]] = []
        cur: list[str] = []
        last_repeat = -1
        while i < len(s):
            repeat_at = -1
            c = s[i]
            if c == "(":
                outer = flags
                if s.startswith("(?", i):
                    opener, i, flags = self._group_flags(s, i, flags)
                    if opener is None:
                        last_repeat = repeat_at
                        continue
                else:
                    opener = "("
                    self.names.append("")
                    i += 1
                stack.append((alts, cur, outer.copy(), opener))
                alts, cur = [], []
            elif c == ")":
                if not stack:
                    raise RE2Error(UNEXPECTED_PAREN, s)
                body = "|".join("".join(a) for a in [*alts, cur])
                alts, cur, flags, opener = stack.pop()
                cur.append(opener + body + ")")
                i += 1
            elif c == "|":
                alts.append(cur)
                cur = []
                i += 1
            elif c in "*+?{":
                if c == "{":
                    m = re.match(r"\{(\d+)(,(\d*))?\}", s[i:])
                    if m is None:
                        cur.append(self._lit(ord("{"), flags))
                        i += 1
                        last_repeat = -1
                        continue
                    lo_n = int(m.group(1))
                    hi_n = lo_n if m.group(2) is None else (int(m.group(3)) if m.group(3) else -1)
                    end = i + m.end()
                    if lo_n > 1000 or hi_n > 1000 or (hi_n >= 0 and lo_n > hi_n):
                        raise RE2Error(INVALID_REPEAT_SIZE, s[i:end])
                    if m.group(2) is None:
                        quant = f"{{{lo_n}}}"
                    else:
                        quant = f"{{{lo_n},}}" if hi_n < 0 else f"{{{lo_n},{hi_n}}}"
                else:
                    end = i + 1
                    quant = c
                lazy = end < len(s) and s[end] == "?"
                if lazy:
                    end += 1
                if last_repeat >= 0:
                    raise RE2Error(INVALID_REPEAT_OP, s[last_repeat:end])
                if not cur:
                    raise RE2Error(MISSING_REPEAT_ARG, s[i:end])
                if lazy != flags.ungreedy:
                    quant += "?"
                cur[-1] = "(?:" + cur[-1] + ")" + quant
                repeat_at = i
                i = end
            elif c == ".":
                cur.append("(?s:.)" if flags.dotnl else "(?-s:.)")
                i += 1
            elif c == "^":
                cur.append("(?m:^)" if flags.multiline else "\\A")
                i += 1
            elif c == "$":
                cur.append("(?m:$)" if flags.multiline else "\\Z")
                i += 1
            elif c == "[":
                src, i = self._class(s, i)
                cur.append(f"(?i:{src})" if flags.fold else src)
            elif c == "\\":
                i = self._backslash(s, i, flags, cur)
            else:
                cur.append(self._lit(ord(c), flags))
                i += 1
            last_repeat = repeat_at
        if stack:
            raise RE2Error(MISSING_PAREN, s)
        return "|".join("".join(a) for a in [*alts, cur])

    def _lit(self, cp: int, flags: _Flags) -> str:
        src = re.escape(chr(cp)) if cp >= 32 else f"\\x{cp:02x}"
        return f"(?i:{src})" if flags.fold else src

    def _backslash(self, s: str, i: int, flags: _Flags, cur: list[str]) -> int:
        nxt = s[i + 1] if i + 1 < len(s) else ""
        if nxt == "A":
            cur.append("\\A")
            return i + 2
        if nxt == "z":
            cur.append("\\Z")
            return i + 2
        if nxt == "b":
            cur.append(f"(?:(?<={_WB})(?!{_WB})|(?<!{_WB})(?={_WB}))")
            return i + 2
        if nxt == "B":
            cur.append(f"(?:(?<={_WB})(?={_WB})|(?<!{_WB})(?!{_WB}))")
            return i + 2
        if nxt == "Q":
            end = s.find("\\E", i + 2)
            text = s[i + 2 :] if end < 0 else s[i + 2 : end]
            cur.extend(self._lit(ord(ch), flags) for ch in text)
            return len(s) if end < 0 else end + 2
        if nxt and nxt in "dswDSW":
            table = _PERL[nxt.lower()]
            cur.append(_class_source(table, nxt.isupper()))
            return i + 2
        uc = self._unicode_class(s, i)
        if uc is not None:
            src = _class_source(uc[0], False)
            cur.append(f"(?i:{src})" if flags.fold else src)
            return uc[1]
        cp, i = self._escape(s, i)
        cur.append(self._lit(cp, flags))
        return i

    def _group_flags(self, s: str, i: int, flags: _Flags) -> tuple[str | None, int, _Flags]:
        """Handle "(?" at s[i]: a named capture, a flag group "(?flags:" or flags "(?flags)"."""
        t = s[i:]
        starts_p = len(t) > 4 and t[2] == "P" and t[3] == "<"
        starts_name = len(t) > 3 and t[2] == "<"
        if starts_p or starts_name:
            begin = 4 if starts_p else 3
            end = t.find(">")
            if end < 0:
                raise RE2Error(INVALID_NAMED_CAPTURE, t)
            name = t[begin:end]
            if not _is_valid_name(name):
                raise RE2Error(INVALID_NAMED_CAPTURE, t[: end + 1])
            self.names.append(name)
            return "(", i + end + 1, flags
        new = flags.copy()
        sign = 1
        saw = False
        j = 2
        while j < len(t):
            c = t[j]
            j += 1
            if c in "imsU":
                value = sign > 0
                if c == "i":
                    new.fold = value
                elif c == "m":
                    new.multiline = value
                elif c == "s":
                    new.dotnl = value
                else:
                    new.ungreedy = value
                saw = True
            elif c == "-":
                if sign < 0:
                    break
                sign = -1
                saw = False
            elif c in ":)":
                if sign < 0 and not saw:
                    break
                if c == ":":
                    return "(?:", i + j, new
                return None, i + j, new
            else:
                break
        raise RE2Error(INVALID_PERL_OP, t[:j])


class GoRegexp:
    """A compiled Go regular expression: the Python pattern and the names of its capture groups."""

    def __init__(self, pattern: str) -> None:
        parser = _Parser(pattern)
        source = parser.parse()
        self.names = parser.names
        try:
            self.re = re.compile(source)
        except (re.error, OverflowError, RecursionError) as exc:  # pragma: no cover - translation limits
            raise RE2Error("expression too large", pattern) from exc

    def find_all(self, s: str) -> Iterator[re.Match[str]]:
        """Successive matches as Go's FindAll finds them (no empty match right after a match)."""
        pos = 0
        prev_end = -1
        end = len(s)
        while pos <= end:
            m = self.re.search(s, pos)
            if m is None:
                break
            accept = True
            if m.end() == pos:
                if m.start() == prev_end:
                    accept = False
                pos += 1
            else:
                pos = m.end()
            prev_end = m.end()
            if accept:
                yield m

    def replace_all(self, s: str, template: str) -> str:
        """Regexp.ReplaceAllString: $1, ${1}, $name, ${name} and $$ in the template."""
        out: list[str] = []
        last_end = 0
        search = 0
        while search <= len(s):
            m = self.re.search(s, search)
            if m is None:
                break
            out.append(s[last_end : m.start()])
            if m.end() > last_end or m.start() == 0:
                out.append(self.expand(template, m))
            last_end = m.end()
            width = 1 if search < len(s) else 0
            if search + width > m.end():
                search += width
            elif search + 1 > m.end():
                search += 1
            else:
                search = m.end()
        out.append(s[last_end:])
        return "".join(out)

    def expand(self, template: str, m: re.Match[str]) -> str:
        out: list[str] = []
        while template:
            k = template.find("$")
            if k < 0:
                break
            out.append(template[:k])
            template = template[k + 1 :]
            if template.startswith("$"):
                out.append("$")
                template = template[1:]
                continue
            parsed = _extract(template)
            if parsed is None:
                out.append("$")
                continue
            name, num, template = parsed
            if num >= 0:
                if num <= len(self.names) and m.group(num) is not None:
                    out.append(m.group(num))
            else:
                for idx, gname in enumerate(self.names, start=1):
                    if gname == name:
                        if m.group(idx) is not None:
                            out.append(m.group(idx))
                        break
        out.append(template)
        return "".join(out)


def _extract(s: str) -> tuple[str, int, str] | None:
    if not s:
        return None
    brace = s[0] == "{"
    if brace:
        s = s[1:]
    i = 0
    while i < len(s):
        c = s[i]
        cat = unicodedata.category(c)
        if not (cat[0] == "L" or cat == "Nd" or c == "_"):
            break
        i += 1
    if i == 0:
        return None
    name = s[:i]
    if brace:
        if i >= len(s) or s[i] != "}":
            return None
        i += 1
    num = 0
    for ch in name:
        if not ("0" <= ch <= "9") or num >= 100_000_000:
            num = -1
            break
        num = num * 10 + ord(ch) - 48
    if name[0] == "0" and len(name) > 1:
        num = -1
    return name, num, s[i:]


@lru_cache(maxsize=256)
def compile_go(pattern: str) -> GoRegexp:
    """Compile (and cache) a Go pattern; raises RE2Error as regexp.Compile fails."""
    return GoRegexp(pattern)
