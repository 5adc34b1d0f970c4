"""Encoding functions: base64, gzip, URL, text encodings, CSV, JSON and YAML, with go-cty's exact behaviour."""

from __future__ import annotations

import base64
import codecs
import re
import zlib
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote_plus

from ..cty import types as T
from ..cty.numbers import Num, NumberError, format_number
from ..cty.values import Value, boolean, list_of, null, number, object_of, string, tuple_of, unknown
from .base import CallContext, Function, FunctionError, Param, register
from .gostr import CorruptInputError, go_base64_decode, go_quote, quote_rune
from .iana_encodings import IANA_ENCODINGS
from .yamlemit import YAMLEncodeError, yaml_encode

FUNCTIONS: dict[str, Function] = {}


def _param(name: str, ty: T.Type) -> Param:
    """A parameter as go-cty-funcs and cty's stdlib declare these: no AllowDynamicType."""
    return Param(name, ty, allow_dynamic=False)

# ------------------------------------------------------------------ base64, gzip, URL


def _base64encode(args: Sequence[Value], ctx: CallContext) -> Value:
    return string(base64.b64encode(args[0].as_string().encode("utf-8")).decode("ascii"))


def _base64decode(args: Sequence[Value], ctx: CallContext) -> Value:
    s = args[0].as_string()
    try:
        raw = go_base64_decode(s.encode("utf-8"))
    except CorruptInputError:
        raise FunctionError(f"failed to decode base64 data '{s}'") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError("the result of decoding the the provided string is not valid UTF-8") from None
    return string(text)


def go_gzip(data: bytes) -> bytes:
    """gzip as Go's gzip.Writer frames it (no name, mtime 0, OS 255), after Write, Flush and Close.

    The deflate body comes from zlib at level 6 and so may differ from Go's compress/flate bytes; the framing,
    the sync-flush marker and the final empty stored block are Go's.
    """
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = zlib.crc32(data).to_bytes(4, "little") + (len(data) & 0xFFFFFFFF).to_bytes(4, "little")
    return header + body + b"\x01\x00\x00\xff\xff" + trailer


def _base64gzip(args: Sequence[Value], ctx: CallContext) -> Value:
    return string(base64.b64encode(go_gzip(args[0].as_string().encode("utf-8"))).decode("ascii"))


def _urlencode(args: Sequence[Value], ctx: CallContext) -> Value:
    return string(quote_plus(args[0].as_string().encode("utf-8"), safe=""))


# ------------------------------------------------------------------ text encodings (ianaindex.IANA)


def _iana(name: str) -> tuple[str, str]:
    found = IANA_ENCODINGS.get(name.strip().lower())
    if found is None:
        raise FunctionError(f"{go_quote(name)} is not a supported IANA encoding name or alias", 1)
    return found


def _encode_text(text: str, codec: str) -> bytes:
    if codec == "utf-16":  # Go: UTF-16 big endian with a byte order mark
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(codec)


def _decode_text(raw: bytes, codec: str) -> str:
    if codec == "utf-16":  # big endian unless a byte order mark says otherwise; the mark is dropped
        if raw.startswith(codecs.BOM_UTF16_LE):
            return raw[2:].decode("utf-16-le", "replace")
        if raw.startswith(codecs.BOM_UTF16_BE):
            raw = raw[2:]
        return raw.decode("utf-16-be", "replace")
    return raw.decode(codec, "replace")


def _textencodebase64(args: Sequence[Value], ctx: CallContext) -> Value:
    name, codec = _iana(args[1].as_string())
    try:
        encoded = _encode_text(args[0].as_string(), codec)
    except UnicodeEncodeError:
        raise FunctionError(f"the given string contains characters that cannot be represented in {name}", 0) from None
    return string(base64.b64encode(encoded).decode("ascii"))


def _textdecodebase64(args: Sequence[Value], ctx: CallContext) -> Value:
    name, codec = _iana(args[1].as_string())
    try:
        raw = go_base64_decode(args[0].as_string().encode("utf-8"))
    except CorruptInputError as exc:
        raise FunctionError(
            f"the given value is has an invalid base64 symbol at offset {exc.offset}", 0
        ) from None
    decoded = _decode_text(raw, codec)
    if "\ufffd" in decoded:
        raise FunctionError(f"the given string contains symbols that are not defined for {name}", 0)
    return string(decoded)


# ------------------------------------------------------------------ csvdecode (encoding/csv)


class _CSVError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_ERR_BARE_QUOTE = 'bare " in non-quoted-field'
_ERR_QUOTE = 'extraneous or missing " in quoted-field'
_ERR_FIELD_COUNT = "wrong number of fields"


class _CSVReader:
    """encoding/csv.Reader with its defaults (comma, no comments, strict quotes)."""

    def __init__(self, text: str) -> None:
        self.buf = text
        self.pos = 0
        self.num_line = 0
        self.fields_per_record = 0

    def _read_line(self) -> tuple[str, bool]:
        """A line with its newline ("\r\n" made "\n"), and whether input ended before it (io.EOF)."""
        if self.pos >= len(self.buf):
            self.num_line += 1
            return "", True
        end = self.buf.find("\n", self.pos)
        if end < 0:
            line = self.buf[self.pos :]
            self.pos = len(self.buf)
            if line.endswith("\r"):
                line = line[:-1]
        else:
            line = self.buf[self.pos : end + 1]
            self.pos = end + 1
        self.num_line += 1
        if line.endswith("\r\n"):
            line = line[:-2] + "\n"
        return line, False

    def read(self) -> list[str] | None:
        """One record, or None at the end of input."""
        while True:
            line, eof = self._read_line()
            if not eof and line == "\n":
                continue
            break
        if eof:
            return None
        rec_line = self.num_line
        fields: list[str] = []
        pos_line = self.num_line
        while True:
            if not line or line[0] != '"':
                i = line.find(",")
                field = line[:i] if i >= 0 else (line[:-1] if line.endswith("\n") else line)
                if '"' in field:
                    raise _CSVError(self.num_line, _ERR_BARE_QUOTE)
                fields.append(field)
                if i >= 0:
                    line = line[i + 1 :]
                    continue
                break
            # quoted field
            line = line[1:]
            parts: list[str] = []
            while True:
                i = line.find('"')
                if i >= 0:
                    parts.append(line[:i])
                    line = line[i + 1 :]
                    nxt = line[:1]
                    if nxt == '"':
                        parts.append('"')
                        line = line[1:]
                    elif nxt == ",":
                        line = line[1:]
                        fields.append("".join(parts))
                        break
                    elif line in ("", "\n"):
                        fields.append("".join(parts))
                        line = ""
                        break
                    else:
                        raise _CSVError(self.num_line, _ERR_QUOTE)
                elif line:
                    parts.append(line)
                    line, eof = self._read_line()
                    if line:
                        pos_line += 1
                else:
                    raise _CSVError(pos_line, _ERR_QUOTE)
            if not line:
                break
        if self.fields_per_record > 0:
            if len(fields) != self.fields_per_record:
                raise _CSVError(rec_line, _ERR_FIELD_COUNT)
        elif self.fields_per_record == 0:
            self.fields_per_record = len(fields)
        return fields


def _csvdecode(args: Sequence[Value], ctx: CallContext) -> Value:
    reader = _CSVReader(args[0].as_string())
    try:
        headers = reader.read()
    except _CSVError as exc:
        raise FunctionError(f"CSV parse error on line {exc.line}: {exc.message}") from None
    if headers is None:
        raise FunctionError("missing header line")
    seen: set[str] = set()
    for name in headers:
        if name in seen:
            raise FunctionError(f"duplicate column name {go_quote(name)}")
        seen.add(name)
    ety = T.object_of({name: T.STRING for name in headers})
    rows: list[Value] = []
    while True:
        try:
            cols = reader.read()
        except _CSVError as exc:
            raise FunctionError(f"CSV parse error on line {exc.line}: {exc.message}") from None
        if cols is None:
            break
        rows.append(Value(ety, {headers[i]: string(c) for i, c in enumerate(cols)}))
    return list_of(rows, ety)


# ------------------------------------------------------------------ jsonencode (cty/json, encoding/json strings)


class _JSONEncodeError(Exception):
    pass


def json_string(s: str) -> str:
    """A string as Go's encoding/json writes it, HTML-escaped."""
    out = ['"']
    for ch in s:
        cp = ord(ch)
        if ch in '\\"':
            out.append("\\" + ch)
        elif cp < 0x20 or ch in "<>&":
            out.append({8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t"}.get(cp, f"\\u00{cp:02x}"))
        elif cp in (0x2028, 0x2029):
            out.append(f"\\u{cp:04x}")
        elif 0xD800 <= cp < 0xE000:
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def json_encode(v: Value) -> str:
    """cty/json.Marshal of a wholly known, unmarked value with its own type."""
    parts: list[str] = []
    _marshal(v, parts)
    return "".join(parts)


def _marshal(v: Value, out: list[str]) -> None:
    if v.marks:
        raise _JSONEncodeError("value has marks, so it cannot be serialized as JSON")
    if v.is_null:
        out.append("null")
        return
    if not v.known:
        raise _JSONEncodeError("value is not known")
    raw = v.raw
    if isinstance(raw, bool):
        out.append("true" if raw else "false")
    elif isinstance(raw, Num):
        if raw.inf:
            raise _JSONEncodeError("cannot serialize infinity as JSON")
        out.append(format_number(raw))
    elif isinstance(raw, str):
        out.append(json_string(raw))
    elif isinstance(raw, tuple):
        out.append("[")
        for i, e in enumerate(raw):
            if i:
                out.append(",")
            _marshal(e, out)
        out.append("]")
    elif isinstance(raw, dict):
        out.append("{")
        for i, (k, e) in enumerate(sorted(raw.items())):
            if i:
                out.append(",")
            out.append(json_string(k))
            out.append(":")
            _marshal(e, out)
        out.append("}")
    else:  # pragma: no cover
        raise _JSONEncodeError(f"cannot JSON-serialize {v.ty.friendly()}")


def _jsonencode(args: Sequence[Value], ctx: CallContext) -> Value:
    plain, marks = args[0].unmark_deep()
    if not plain.is_wholly_known():
        return unknown(T.STRING).with_marks(marks)
    try:
        return string(json_encode(plain)).with_marks(marks)
    except _JSONEncodeError as exc:
        raise FunctionError(str(exc)) from None


# ------------------------------------------------------------------ jsondecode (encoding/json Decoder.Token)


class JSONSyntaxError(ValueError):
    """A JSON document that Go's decoder rejects, with its message."""


_TOP, _ARR_START, _ARR_VALUE, _ARR_COMMA, _OBJ_START, _OBJ_KEY, _OBJ_COLON, _OBJ_VALUE, _OBJ_COMMA = range(9)
_SPACE = b" \t\r\n"


class _Delim(str):
    pass


class _Number(str):
    pass


def _quote_char(c: int) -> str:
    if c == 0x27:
        return "'\\''"
    if c == 0x22:
        return "'\"'"
    return "'" + quote_rune(chr(c), '"') + "'"


class _Decoder:
    """The Token API of Go's json.Decoder over a complete buffer (UseNumber on)."""

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self.pos = 0
        self.state = _TOP
        self.stack: list[int] = []

    def peek(self) -> int | None:
        buf, i = self.buf, self.pos
        while i < len(buf) and buf[i] in _SPACE:
            i += 1
        self.pos = i
        return buf[i] if i < len(buf) else None

    def more(self) -> bool:
        c = self.peek()
        return c is not None and c not in b"]}"

    def _value_allowed(self) -> bool:
        return self.state in (_TOP, _ARR_START, _ARR_VALUE, _OBJ_VALUE)

    def _value_end(self) -> None:
        if self.state in (_ARR_START, _ARR_VALUE):
            self.state = _ARR_COMMA
        elif self.state == _OBJ_VALUE:
            self.state = _OBJ_COMMA

    def _token_error(self, c: int) -> JSONSyntaxError:
        context = {
            _TOP: " looking for beginning of value",
            _ARR_START: " looking for beginning of value",
            _ARR_VALUE: " looking for beginning of value",
            _OBJ_VALUE: " looking for beginning of value",
            _ARR_COMMA: " after array element",
            _OBJ_KEY: " looking for beginning of object key string",
            _OBJ_COLON: " after object key",
            _OBJ_COMMA: " after object key:value pair",
        }.get(self.state, "")
        return JSONSyntaxError("invalid character " + _quote_char(c) + context)

    def token(self) -> Any:
        while True:
            c = self.peek()
            if c is None:
                raise JSONSyntaxError("EOF")
            ch = chr(c)
            if ch in "[{":
                if not self._value_allowed():
                    raise self._token_error(c)
                self.pos += 1
                self.stack.append(self.state)
                self.state = _ARR_START if ch == "[" else _OBJ_START
                return _Delim(ch)
            if ch in "]}":
                ok = (_ARR_START, _ARR_COMMA) if ch == "]" else (_OBJ_START, _OBJ_COMMA)
                if self.state not in ok:
                    raise self._token_error(c)
                self.pos += 1
                self.state = self.stack.pop()
                self._value_end()
                return _Delim(ch)
            if ch == ":":
                if self.state != _OBJ_COLON:
                    raise self._token_error(c)
                self.pos += 1
                self.state = _OBJ_VALUE
                continue
            if ch == ",":
                if self.state == _ARR_COMMA:
                    self.pos += 1
                    self.state = _ARR_VALUE
                    continue
                if self.state == _OBJ_COMMA:
                    self.pos += 1
                    self.state = _OBJ_KEY
                    continue
                raise self._token_error(c)
            if ch == '"' and self.state in (_OBJ_START, _OBJ_KEY):
                key = self._scalar()
                self.state = _OBJ_COLON
                return key
            if not self._value_allowed():
                raise self._token_error(c)
            value = self._scalar()
            self._value_end()
            return value

    def _scalar(self) -> Any:
        start = self.pos
        end = _scan_scalar(self.buf, start)
        self.pos = end
        text = self.buf[start:end]
        first = text[0]
        if first == 0x22:
            return _unquote(text[1:-1])
        if first == 0x74:
            return True
        if first == 0x66:
            return False
        if first == 0x6E:
            return None
        return _Number(text.decode("ascii"))


def _unexpected_eof() -> JSONSyntaxError:
    return JSONSyntaxError("unexpected EOF")


def _scan_scalar(buf: bytes, i: int) -> int:
    """End offset of the scalar JSON value at buf[i], with the scanner's errors."""
    n = len(buf)
    c = buf[i]
    if c == 0x22:
        j = i + 1
        while True:
            if j >= n:
                raise _unexpected_eof()
            c = buf[j]
            if c == 0x22:
                return j + 1
            if c == 0x5C:
                j += 1
                if j >= n:
                    raise _unexpected_eof()
                e = buf[j]
                if e in b'"\\/bfnrt':
                    j += 1
                    continue
                if e == 0x75:
                    for k in range(1, 5):
                        if j + k >= n:
                            raise _unexpected_eof()
                        if buf[j + k] not in b"0123456789abcdefABCDEF":
                            raise JSONSyntaxError(
                                f"invalid character {_quote_char(buf[j + k])} in \\u hexadecimal character escape"
                            )
                    j += 5
                    continue
                raise JSONSyntaxError(f"invalid character {_quote_char(e)} in string escape code")
            if c < 0x20:
                raise JSONSyntaxError(f"invalid character {_quote_char(c)} in string literal")
            j += 1
    if c == 0x2D or 0x30 <= c <= 0x39:
        j = i
        if c == 0x2D:
            j += 1
            if j >= n:
                raise _unexpected_eof()
            if not 0x30 <= buf[j] <= 0x39:
                raise JSONSyntaxError(f"invalid character {_quote_char(buf[j])} in numeric literal")
        if buf[j] == 0x30:
            j += 1
        else:
            while j < n and 0x30 <= buf[j] <= 0x39:
                j += 1
        if j < n and buf[j] == 0x2E:
            j += 1
            if j >= n:
                raise _unexpected_eof()
            if not 0x30 <= buf[j] <= 0x39:
                raise JSONSyntaxError(f"invalid character {_quote_char(buf[j])} after decimal point in numeric literal")
            while j < n and 0x30 <= buf[j] <= 0x39:
                j += 1
        if j < n and buf[j] in b"eE":
            j += 1
            if j < n and buf[j] in b"+-":
                j += 1
            if j >= n:
                raise _unexpected_eof()
            if not 0x30 <= buf[j] <= 0x39:
                raise JSONSyntaxError(f"invalid character {_quote_char(buf[j])} in exponent of numeric literal")
            while j < n and 0x30 <= buf[j] <= 0x39:
                j += 1
        return j
    for word in (b"true", b"false", b"null"):
        if c == word[0]:
            for k in range(1, len(word)):
                if i + k >= n:
                    raise _unexpected_eof()
                if buf[i + k] != word[k]:
                    raise JSONSyntaxError(
                        f"invalid character {_quote_char(buf[i + k])} in literal {word.decode()} "
                        f"(expecting {_quote_char(word[k])})"
                    )
            return i + len(word)
    raise JSONSyntaxError(f"invalid character {_quote_char(c)} looking for beginning of value")


_SIMPLE_ESC = {ord('"'): '"', ord("\\"): "\\", ord("/"): "/", ord("b"): "\b", ord("f"): "\f", ord("n"): "\n",
               ord("r"): "\r", ord("t"): "\t"}


def _unquote(raw: bytes) -> str:
    if b"\\" not in raw:
        return raw.decode("utf-8", "replace")
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        j = raw.find(b"\\", i)
        if j < 0:
            out.append(raw[i:].decode("utf-8", "replace"))
            break
        out.append(raw[i:j].decode("utf-8", "replace"))
        e = raw[j + 1]
        if e != 0x75:
            out.append(_SIMPLE_ESC[e])
            i = j + 2
            continue
        r = int(raw[j + 2 : j + 6], 16)
        i = j + 6
        if 0xD800 <= r < 0xE000:
            if 0xD800 <= r < 0xDC00 and raw[i : i + 2] == b"\\u":
                r2 = int(raw[i + 2 : i + 6], 16)
                if 0xDC00 <= r2 < 0xE000:
                    out.append(chr(0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00)))
                    i += 6
                    continue
            out.append("\ufffd")
            continue
        out.append(chr(r))
    return "".join(out)


def json_decode(text: str) -> Value:
    """jsondecode: cty/json ImpliedType and Unmarshal (objects become objects, arrays tuples)."""
    dec = _Decoder(text.encode("utf-8"))
    value = _json_value(dec, dec.token())
    if dec.more():
        raise JSONSyntaxError("extraneous data after JSON object")
    return value


def _json_value(dec: _Decoder, tok: Any) -> Value:
    if tok is None:
        return null(T.DYNAMIC)
    if isinstance(tok, bool):
        return boolean(tok)
    if isinstance(tok, _Number):
        return number(_parse_number(tok))
    if isinstance(tok, _Delim):
        if tok == "{":
            attrs: dict[str, Value] = {}
            while True:
                key = dec.token()
                if isinstance(key, _Delim):
                    break
                attrs[key] = _json_value(dec, dec.token())
            return object_of(attrs)
        elems: list[Value] = []
        while True:
            t = dec.token()
            if isinstance(t, _Delim) and t == "]":
                break
            elems.append(_json_value(dec, t))
        return tuple_of(elems)
    return string(tok)


def _parse_number(text: str) -> Num:
    try:
        return Num.parse(text)
    except (NumberError, OverflowError):
        raise JSONSyntaxError("a number is required") from None


def _jsondecode(args: Sequence[Value], ctx: CallContext) -> Value:
    try:
        return json_decode(args[0].as_string())
    except JSONSyntaxError as exc:
        raise FunctionError(str(exc)) from None
    except RecursionError:
        raise FunctionError("exceeded max depth") from None


# ------------------------------------------------------------------ yamldecode (go-cty-yaml v1.0.1)


class YAMLDecodeError(ValueError):
    """A YAML document go-cty-yaml rejects, with its message."""


_TAG = "tag:yaml.org,2002:"
_STR, _BOOL, _INT, _FLOAT, _NULL, _TIMESTAMP, _BINARY, _MAP, _SEQ = (
    _TAG + t for t in ("str", "bool", "int", "float", "null", "timestamp", "binary", "map", "seq")
)
_RESOLVE_MAP: dict[str, Value] = {}
for _v, _words in (
    (boolean(True), "y Y yes Yes YES true True TRUE on On ON"),
    (boolean(False), "n N no No NO false False FALSE off Off OFF"),
    (null(T.DYNAMIC), "~ null Null NULL"),
    (number(Num.infinity(1)), ".inf .Inf .INF +.inf +.Inf +.INF"),
    (number(Num.infinity(-1)), "-.inf -.Inf -.INF"),
):
    for _w in _words.split():
        _RESOLVE_MAP[_w] = _v
_RESOLVE_MAP[""] = null(T.DYNAMIC)
_MERGE = object()
_BIG_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eEpP][+-]?[0-9]+)?")


def _parse_number_val(s: str) -> Value | None:
    """cty.ParseNumberVal (big.ParseFloat base 10), or None when it fails."""
    body = s[1:] if s[:1] in "+-" else s
    if body in ("inf", "Inf"):
        return number(Num.infinity(-1 if s.startswith("-") else 1))
    if not _BIG_FLOAT.fullmatch(s):
        return None
    if "p" in s or "P" in s:
        from fractions import Fraction

        mant, _, exp = s.replace("P", "p").partition("p")
        q = Fraction(Num.parse(mant).q) * Fraction(2) ** int(exp)
        return number(Num.of(q))
    try:
        return number(Num.parse(s))
    except (NumberError, OverflowError):
        return None


_TS = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:(?P<sep>[Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?"
)


def _parse_timestamp(s: str) -> str | None:
    """A YAML timestamp in the formats go-cty-yaml accepts, as RFC 3339 (seconds precision), or None."""
    import calendar

    i = 0
    while i < len(s) and s[i].isascii() and s[i].isdigit():
        i += 1
    if i != 4 or i == len(s) or s[i] != "-":
        return None
    m = _TS.fullmatch(s)
    if m is None:
        return None
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    sep, tz = m.group("sep"), m.group("tz")
    if sep is None:
        return f"{year:04d}-{month:02d}-{day:02d}T00:00:00Z"
    if (sep in "Tt") != (tz is not None):
        return None  # T/t layouts need a zone; the space layout has none
    hour, minute, sec = int(m.group(5)), int(m.group(6)), int(m.group(7))
    if hour > 23 or minute > 59 or sec > 59:
        return None
    zone = "Z"
    if tz and tz != "Z":
        if int(tz[1:3]) > 23 or int(tz[4:6]) > 59:
            return None
        zone = "Z" if tz[1:] == "00:00" else tz
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{sec:02d}{zone}"


def _resolve_scalar(tag: str, src: str, style: str | None) -> Any:
    """go-cty-yaml's resolveScalar: a Value, or _MERGE for the merge key."""
    if tag not in ("", _STR, _BOOL, _INT, _FLOAT, _NULL, _TIMESTAMP, _BINARY):
        raise YAMLDecodeError(f"unsupported tag {go_quote(tag)}")
    hint = "N"
    if src:
        c = src[0]
        hint = "S" if c in "+-" else "D" if c in "0123456789" else "M" if c in "yYnNtTfFoO~" else ""
        hint = "." if c == "." else hint
    if hint and tag not in (_STR, _BINARY):
        if style in ("'", '"'):
            return string(src)
        if src in _RESOLVE_MAP:
            return _RESOLVE_MAP[src]
        if tag == "" and src in (".nan", ".NaN", ".NAN"):
            raise YAMLDecodeError("floating point NaN is not supported")
        if hint == ".":
            v = _parse_number_val(src)
            if v is not None:
                return v
        elif hint in ("D", "S"):
            if tag in ("", _TIMESTAMP):
                ts = _parse_timestamp(src)
                if ts is not None:
                    return string(ts)
            plain = src.replace("_", "")
            v = _parse_number_val(plain)
            if v is not None:
                return v
            if plain.startswith(("0b", "-0b")):
                tag = _INT
    if tag == "" and src == "<<":
        return _MERGE
    if tag in (_STR, _BINARY):
        if tag == _BINARY:
            try:
                go_base64_decode(src.encode("utf-8"))
            except CorruptInputError:
                raise YAMLDecodeError(f"cannot parse {go_quote(src)} as {tag}: not valid base64") from None
        return string(src)
    if tag == _BOOL:
        found = _RESOLVE_MAP.get(src)
        if found is None or found.ty != T.BOOL:
            raise YAMLDecodeError(f"cannot parse {go_quote(src)} as {tag}")
        return found
    if tag in (_FLOAT, _INT):
        plain = src.replace("_", "")
        v = _parse_number_val(plain)
        if v is not None:
            return v
        as_int = _go_parse_int(plain)
        if as_int is not None:
            return number(as_int)
        raise YAMLDecodeError(f"cannot parse {go_quote(src)} as {tag}")
    if tag == _TIMESTAMP:
        ts = _parse_timestamp(src)
        if ts is not None:
            return string(ts)
        raise YAMLDecodeError(f"cannot parse {go_quote(src)} as {tag}")
    if tag == _NULL:
        return null(T.DYNAMIC)
    return string(src)


def _go_parse_int(s: str) -> int | None:
    """strconv.ParseInt/ParseUint with base 0 (0x, 0o, 0b and leading-0 octal), within 64 bits."""
    neg = s.startswith("-")
    body = s[1:] if s[:1] in "+-" else s
    base = 10
    digits = body
    low = body.lower()
    if low.startswith("0x"):
        base, digits = 16, body[2:]
    elif low.startswith("0b"):
        base, digits = 2, body[2:]
    elif low.startswith("0o"):
        base, digits = 8, body[2:]
    elif body.startswith("0") and len(body) > 1:
        base, digits = 8, body[1:]
    if not digits or not all(c in "0123456789abcdef"[:base] for c in digits.lower()):
        return None
    n = int(digits, base)
    n = -n if neg else n
    if -(1 << 63) <= n < (1 << 64) and not (neg and n < -(1 << 63)):
        return n
    return None


def _yaml_events(src: bytes) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.parse(src, Loader=loader)


class _YAMLState:
    def __init__(self, src: bytes) -> None:
        self.events = _yaml_events(src)
        self.pending: dict[str, int] = {}
        self.anchors: dict[str, Value] = {}

    def next(self) -> Any:
        import yaml

        try:
            return next(self.events)
        except yaml.MarkedYAMLError as exc:
            raise YAMLDecodeError(_parser_error(exc)) from None
        except yaml.reader.ReaderError as exc:
            raise YAMLDecodeError(str(exc.reason)) from None
        except yaml.YAMLError as exc:  # pragma: no cover
            raise YAMLDecodeError(str(exc) or "invalid YAML syntax") from None


def _parser_error(exc: Any) -> str:
    import yaml

    problem = exc.problem or "invalid YAML syntax"
    mark, ctx_mark = exc.problem_mark, exc.context_mark
    if mark is not None and mark.line != 0:
        line, column = mark.line, mark.column
        if isinstance(exc, yaml.scanner.ScannerError):
            line, column = line + 1, 0
        return f"on line {line}, column {column + 1}: {problem}"
    if ctx_mark is not None and ctx_mark.line != 0:
        return f"on line {ctx_mark.line}, column {ctx_mark.column + 1}: {problem}"
    return str(problem)


def _event_error(evt: Any, message: str) -> YAMLDecodeError:
    mark = evt.start_mark
    if mark is None or mark.line == 0:
        return YAMLDecodeError(message)
    return YAMLDecodeError(f"on line {mark.line}, column {mark.column + 1}: {message}")


def _event_name(evt: Any) -> str:
    name = type(evt).__name__.replace("Event", "")
    return {
        "StreamStart": "stream start", "StreamEnd": "stream end", "DocumentStart": "document start",
        "DocumentEnd": "document end", "Alias": "alias", "Scalar": "scalar", "SequenceStart": "sequence start",
        "SequenceEnd": "sequence end", "MappingStart": "mapping start", "MappingEnd": "mapping end",
    }.get(name, name)


def yaml_decode(text: str) -> Value:
    """yamldecode as go-cty-yaml v1.0.1 (Packer's version) has it; a top-level null is an unknown value."""
    import yaml.events as E

    src = text.encode("utf-8") or b"\n"
    st = _YAMLState(src)
    evt = st.next()
    if not isinstance(evt, E.StreamStartEvent):
        raise _event_error(evt, "missing stream start token")
    evt = st.next()
    if not isinstance(evt, E.DocumentStartEvent):
        raise _event_error(evt, "missing start of document")
    value = _yaml_node(st, st.next())
    evt = st.next()
    if isinstance(evt, E.DocumentStartEvent):
        raise _event_error(evt, "only a single document is allowed")
    if not isinstance(evt, E.DocumentEndEvent):
        raise _event_error(evt, f"unexpected extra content ({_event_name(evt)}) after value")
    evt = st.next()
    if not isinstance(evt, E.StreamEndEvent):
        raise _event_error(evt, "unexpected extra content after value")
    if value.is_null:
        return unknown(T.DYNAMIC)  # v1.0.1 returns cty.DynamicVal when the implied type is dynamic
    return value


def _yaml_node(st: _YAMLState, evt: Any) -> Value:
    import yaml.events as E

    if isinstance(evt, E.ScalarEvent):
        anchor = evt.anchor
        if anchor:
            st.pending[anchor] = st.pending.get(anchor, 0) + 1
        tag = evt.tag or ""
        try:
            v = _resolve_scalar(tag, evt.value, evt.style)
        except YAMLDecodeError as exc:
            raise _event_error(evt, str(exc)) from None
        if v is _MERGE:
            v = string("<<")
        if anchor:
            _complete(st, anchor, v)
        return v  # type: ignore[no-any-return]
    if isinstance(evt, E.AliasEvent):
        name = evt.anchor or ""
        if name in st.pending:
            raise _event_error(evt, f"cannot refer to anchor {go_quote(name)} from inside its own definition")
        if name not in st.anchors:
            raise _event_error(evt, f"reference to undefined anchor {go_quote(name)}")
        return st.anchors[name]
    if isinstance(evt, E.MappingStartEvent):
        tag = evt.tag or ""
        if tag not in ("", _MAP):
            raise _event_error(evt, f"can't interpret mapping as {tag}")
        anchor = evt.anchor
        if anchor:
            st.pending[anchor] = st.pending.get(anchor, 0) + 1
        attrs: dict[str, Value] = {}
        while True:
            key_evt = st.next()
            if isinstance(key_evt, E.MappingEndEvent):
                obj = object_of(attrs)
                if anchor:
                    _complete(st, anchor, obj)
                return obj
            if not isinstance(key_evt, E.ScalarEvent):
                raise _event_error(key_evt, "only strings are allowed as mapping keys")
            key = _resolve_scalar(key_evt.tag or "", key_evt.value, key_evt.style)
            if key is _MERGE:
                merged = _yaml_node(st, st.next())
                if not isinstance(merged.ty, (T.Object, T.Map)) or merged.is_null:
                    raise _event_error(key_evt, f"cannot merge {merged.ty.friendly()} into mapping")
                for k, mv in merged.items():
                    attrs[k] = mv
                continue
            if key.is_null:
                raise _event_error(key_evt, "mapping key cannot be null")
            if key.ty == T.NUMBER:
                key_text = format_number(key.as_num())
            elif key.ty == T.BOOL:
                key_text = "true" if key.as_bool() else "false"
            elif key.ty == T.STRING:
                key_text = key.as_string()
            else:
                raise _event_error(key_evt, "only strings are allowed as mapping keys")
            attrs[key_text] = _yaml_node(st, st.next())
    if isinstance(evt, E.SequenceStartEvent):
        tag = evt.tag or ""
        if tag not in ("", _SEQ):
            raise _event_error(evt, f"can't interpret sequence as {tag}")
        anchor = evt.anchor
        if anchor:
            st.pending[anchor] = st.pending.get(anchor, 0) + 1
        elems: list[Value] = []
        while True:
            item = st.next()
            if isinstance(item, E.SequenceEndEvent):
                tup = tuple_of(elems)
                if anchor:
                    _complete(st, anchor, tup)
                return tup
            elems.append(_yaml_node(st, item))
    if isinstance(evt, E.DocumentStartEvent):
        raise _event_error(evt, "only a single document is allowed")
    if isinstance(evt, E.StreamEndEvent):
        raise _event_error(evt, "expecting value but found end of stream")
    raise _event_error(evt, f"unexpected parser event {_event_name(evt)}")


def _complete(st: _YAMLState, anchor: str, v: Value) -> None:
    st.pending[anchor] -= 1
    if st.pending[anchor] == 0:
        del st.pending[anchor]
    st.anchors[anchor] = v


def _yamldecode(args: Sequence[Value], ctx: CallContext) -> Value:
    try:
        return yaml_decode(args[0].as_string())
    except YAMLDecodeError as exc:
        raise FunctionError(str(exc)) from None
    except RecursionError:
        raise FunctionError("exceeded max depth") from None


def _yamlencode(args: Sequence[Value], ctx: CallContext) -> Value:
    plain, marks = args[0].unmark_deep()
    if not plain.is_wholly_known():
        return unknown(T.STRING).with_marks(marks)
    try:
        return string(yaml_encode(plain)).with_marks(marks)
    except YAMLEncodeError as exc:  # pragma: no cover - unknowns are handled above
        raise FunctionError(str(exc)) from None


# ------------------------------------------------------------------ the table

_S = [_param("str", T.STRING)]
register(FUNCTIONS, Function("base64encode", _S, T.STRING, _base64encode,
                             description="Base64 (standard alphabet) of a string's UTF-8."))
register(FUNCTIONS, Function("base64decode", _S, T.STRING, _base64decode,
                             description="The UTF-8 string that standard base64 encodes."))
register(FUNCTIONS, Function("base64gzip", _S, T.STRING, _base64gzip,
                             description="Base64 of the gzip compression of a string's UTF-8."))
register(FUNCTIONS, Function("urlencode", _S, T.STRING, _urlencode,
                             description="A string escaped for a URL query (url.QueryEscape)."))
register(FUNCTIONS, Function(
    "textencodebase64", [_param("string", T.STRING), _param("encoding", T.STRING)], T.STRING, _textencodebase64,
    description="Base64 of a string encoded in an IANA character set."))
register(FUNCTIONS, Function(
    "textdecodebase64", [_param("source", T.STRING), _param("encoding", T.STRING)], T.STRING, _textdecodebase64,
    description="The string that base64 bytes in an IANA character set encode."))
register(FUNCTIONS, Function("csvdecode", _S, T.DYNAMIC, _csvdecode,
                             description="A list of objects from CSV whose first line names the columns."))
register(FUNCTIONS, Function(
    "jsonencode",
    [Param("val", T.DYNAMIC, allow_null=True, allow_unknown=True, allow_marked=True, allow_dynamic=True)],
    T.STRING,
    _jsonencode,
    description="The JSON text of a value (object keys sorted, <, > and & escaped).",
))
register(FUNCTIONS, Function("jsondecode", _S, T.DYNAMIC, _jsondecode,
                             description="The value of JSON text: objects become objects, arrays tuples."))
register(FUNCTIONS, Function("yamldecode", [_param("src", T.STRING)], T.DYNAMIC, _yamldecode,
                             description="The value of one YAML document: mappings become objects, sequences tuples."))
register(FUNCTIONS, Function(
    "yamlencode",
    [Param("value", T.DYNAMIC, allow_null=True, allow_unknown=True, allow_marked=True, allow_dynamic=True)],
    T.STRING,
    _yamlencode,
    description="The YAML text of a value, block style, strings double-quoted (or literal when multi-line).",
))
