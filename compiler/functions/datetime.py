"""Date and time functions: formatdate, timeadd, timestamp and Packer's legacy and parsing helpers, as Go does them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..cty import types as T
from ..cty.values import Value, number, object_of, string
from .base import CallContext, Function, FunctionError, Param, register

FUNCTIONS: dict[str, Function] = {}

# ------------------------------------------------------------------ Go's time, as far as these functions need it

_LONG_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_LONG_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

RFC3339 = "2006-01-02T15:04:05Z07:00"
RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00"


class GoTime(NamedTuple):
    """An instant (Unix seconds and nanoseconds) seen in a fixed zone (offset east of UTC, abbreviation)."""

    sec: int
    nsec: int = 0
    offset: int = 0
    zone: str = "UTC"

    def add_ns(self, d: int) -> GoTime:
        """This instant plus d nanoseconds, in the same zone (time.Time.Add)."""
        sec, nsec = divmod(self.sec * 1_000_000_000 + self.nsec + d, 1_000_000_000)
        return GoTime(sec, nsec, self.offset, self.zone)

    def fields(self) -> Fields:
        """The civil date and clock in this time's zone."""
        days, secs = divmod(self.sec + self.offset, 86400)
        year, month, day = civil_from_days(days)
        return Fields(
            year,
            month,
            day,
            secs // 3600,
            secs % 3600 // 60,
            secs % 60,
            (days + 4) % 7,
            days - days_from_civil(year, 1, 1) + 1,
            days,
        )


class Fields(NamedTuple):
    """Civil fields of a time: weekday 0 is Sunday, yday counts from 1, days since 1970-01-01."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    weekday: int
    yday: int
    days: int

    def iso_week(self) -> tuple[int, int]:
        """ISO 8601 year and week number (time.Time.ISOWeek)."""
        thursday = self.days + 3 - (self.weekday + 6) % 7
        year, _, _ = civil_from_days(thursday)
        return year, (thursday - days_from_civil(year, 1, 1)) // 7 + 1


def civil_from_days(z: int) -> tuple[int, int, int]:
    """Proleptic Gregorian (year, month, day) of a count of days since 1970-01-01, for any year."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month - 3 if month > 2 else month + 9) + 2) // 5 + day - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if _is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _date(
    year: int, month: int, day: int, hour: int, minute: int, sec: int, nsec: int, offset: int, zone: str
) -> GoTime:
    unix = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + sec - offset
    return GoTime(unix, nsec, offset, zone)


def from_unix(sec: int) -> GoTime:
    """time.Unix(sec, 0).UTC()."""
    return GoTime(sec, 0, 0, "UTC")


# -- layouts (time/format.go)

_STD_LONG_MONTH, _STD_MONTH, _STD_NUM_MONTH, _STD_ZERO_MONTH = "January", "Jan", "1", "01"
_STD_LONG_WEEKDAY, _STD_WEEKDAY = "Monday", "Mon"
_STD_DAY, _STD_UNDER_DAY, _STD_ZERO_DAY = "2", "_2", "02"
_STD_UNDER_YDAY, _STD_ZERO_YDAY = "__2", "002"
_STD_HOUR, _STD_HOUR12, _STD_ZERO_HOUR12 = "15", "3", "03"
_STD_MINUTE, _STD_ZERO_MINUTE, _STD_SECOND, _STD_ZERO_SECOND = "4", "04", "5", "05"
_STD_LONG_YEAR, _STD_YEAR, _STD_PM, _STD_pm, _STD_TZ = "2006", "06", "PM", "pm", "MST"
_STD_FRAC0, _STD_FRAC9 = "frac0", "frac9"

_ISO_TZ = {"Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07"}
_NUM_TZ = {"-070000", "-07:00:00", "-0700", "-07:00", "-07"}
_STD0X = ("01", "02", "03", "04", "05", "06")


class Std(NamedTuple):
    """A layout element: its kind (the reference text, or frac0/frac9), and for fractions digits and separator."""

    kind: str
    digits: int = 0
    sep: str = "."


def next_std_chunk(layout: str) -> tuple[str, Std | None, str]:
    """The text before the first layout element, the element, and the text after (nextStdChunk)."""
    n = len(layout)
    for i, c in enumerate(layout):
        rest = layout[i:]
        if c == "J" and rest.startswith("Jan"):
            if rest.startswith("January"):
                return layout[:i], Std(_STD_LONG_MONTH), layout[i + 7 :]
            if not _starts_lower(layout[i + 3 :]):
                return layout[:i], Std(_STD_MONTH), layout[i + 3 :]
        elif c == "M" and n >= i + 3:
            if rest.startswith("Mon"):
                if rest.startswith("Monday"):
                    return layout[:i], Std(_STD_LONG_WEEKDAY), layout[i + 6 :]
                if not _starts_lower(layout[i + 3 :]):
                    return layout[:i], Std(_STD_WEEKDAY), layout[i + 3 :]
            if rest.startswith("MST"):
                return layout[:i], Std(_STD_TZ), layout[i + 3 :]
        elif c == "0":
            if n >= i + 2 and "1" <= layout[i + 1] <= "6":
                return layout[:i], Std(_STD0X[ord(layout[i + 1]) - ord("1")]), layout[i + 2 :]
            if rest.startswith("002"):
                return layout[:i], Std(_STD_ZERO_YDAY), layout[i + 3 :]
        elif c == "1":
            if rest.startswith("15"):
                return layout[:i], Std(_STD_HOUR), layout[i + 2 :]
            return layout[:i], Std(_STD_NUM_MONTH), layout[i + 1 :]
        elif c == "2":
            if rest.startswith("2006"):
                return layout[:i], Std(_STD_LONG_YEAR), layout[i + 4 :]
            return layout[:i], Std(_STD_DAY), layout[i + 1 :]
        elif c == "_":
            if rest.startswith("_2"):
                if rest.startswith("_2006"):
                    return layout[: i + 1], Std(_STD_LONG_YEAR), layout[i + 5 :]
                return layout[:i], Std(_STD_UNDER_DAY), layout[i + 2 :]
            if rest.startswith("__2"):
                return layout[:i], Std(_STD_UNDER_YDAY), layout[i + 3 :]
        elif c == "3":
            return layout[:i], Std(_STD_HOUR12), layout[i + 1 :]
        elif c == "4":
            return layout[:i], Std(_STD_MINUTE), layout[i + 1 :]
        elif c == "5":
            return layout[:i], Std(_STD_SECOND), layout[i + 1 :]
        elif c == "P" and rest.startswith("PM"):
            return layout[:i], Std(_STD_PM), layout[i + 2 :]
        elif c == "p" and rest.startswith("pm"):
            return layout[:i], Std(_STD_pm), layout[i + 2 :]
        elif c in "-Z":
            for std in ("070000", "07:00:00", "0700", "07:00", "07"):
                if rest.startswith(c + std):
                    return layout[:i], Std(c + std), layout[i + 1 + len(std) :]
        elif c in ".," and i + 1 < n and layout[i + 1] in "09":
            ch = layout[i + 1]
            j = i + 1
            while j < n and layout[j] == ch:
                j += 1
            if not (j < n and layout[j].isascii() and layout[j].isdigit()):
                kind = _STD_FRAC0 if ch == "0" else _STD_FRAC9
                return layout[:i], Std(kind, j - (i + 1), c), layout[j:]
    return layout, None, ""


def _starts_lower(s: str) -> bool:
    return bool(s) and "a" <= s[0] <= "z"


def _append_int(x: int, width: int) -> str:
    """appendInt: decimal, zero-padded to width (the sign not counted)."""
    digits = str(abs(x)).rjust(width, "0")
    return "-" + digits if x < 0 else digits


def _append_nano(nsec: int, std: Std) -> str:
    trim = std.kind == _STD_FRAC9
    if trim and (std.digits == 0 or nsec == 0):
        return ""
    text = std.sep + str(nsec).rjust(9, "0")[: std.digits] if std.digits < 9 else std.sep + str(nsec).rjust(9, "0")
    if trim:
        text = text.rstrip("0")
        if text == std.sep:
            text = ""
    return text


def go_format(t: GoTime, layout: str) -> str:
    """time.Time.Format with Go's reference-time layout language."""
    f = t.fields()
    out: list[str] = []
    while layout:
        prefix, std, layout = next_std_chunk(layout)
        out.append(prefix)
        if std is None:
            break
        k = std.kind
        if k == _STD_YEAR:
            out.append(_append_int(abs(f.year) % 100, 2))
        elif k == _STD_LONG_YEAR:
            out.append(_append_int(f.year, 4))
        elif k == _STD_MONTH:
            out.append(_LONG_MONTHS[f.month - 1][:3])
        elif k == _STD_LONG_MONTH:
            out.append(_LONG_MONTHS[f.month - 1])
        elif k in (_STD_NUM_MONTH, _STD_ZERO_MONTH):
            out.append(_append_int(f.month, 2 if k == _STD_ZERO_MONTH else 0))
        elif k == _STD_WEEKDAY:
            out.append(_LONG_DAYS[f.weekday][:3])
        elif k == _STD_LONG_WEEKDAY:
            out.append(_LONG_DAYS[f.weekday])
        elif k == _STD_DAY:
            out.append(_append_int(f.day, 0))
        elif k == _STD_UNDER_DAY:
            out.append((" " if f.day < 10 else "") + _append_int(f.day, 0))
        elif k == _STD_ZERO_DAY:
            out.append(_append_int(f.day, 2))
        elif k == _STD_UNDER_YDAY:
            out.append(str(f.yday).rjust(3))
        elif k == _STD_ZERO_YDAY:
            out.append(_append_int(f.yday, 3))
        elif k == _STD_HOUR:
            out.append(_append_int(f.hour, 2))
        elif k in (_STD_HOUR12, _STD_ZERO_HOUR12):
            out.append(_append_int(f.hour % 12 or 12, 2 if k == _STD_ZERO_HOUR12 else 0))
        elif k in (_STD_MINUTE, _STD_ZERO_MINUTE):
            out.append(_append_int(f.minute, 2 if k == _STD_ZERO_MINUTE else 0))
        elif k in (_STD_SECOND, _STD_ZERO_SECOND):
            out.append(_append_int(f.second, 2 if k == _STD_ZERO_SECOND else 0))
        elif k == _STD_PM:
            out.append("PM" if f.hour >= 12 else "AM")
        elif k == _STD_pm:
            out.append("pm" if f.hour >= 12 else "am")
        elif k in _ISO_TZ or k in _NUM_TZ:
            out.append(_format_offset(t.offset, k))
        elif k == _STD_TZ:
            if t.zone:
                out.append(t.zone)
            else:
                zone = abs(t.offset) // 60
                out.append(("-" if t.offset < 0 else "+") + _append_int(zone // 60, 2) + _append_int(zone % 60, 2))
        else:
            out.append(_append_nano(t.nsec, std))
    return "".join(out)


def _format_offset(offset: int, kind: str) -> str:
    if offset == 0 and kind[0] == "Z":
        return "Z"
    zone = int(offset / 60)  # Go's division truncates
    absoffset = abs(offset)
    text = "-" if zone < 0 else "+"
    zone = abs(zone)
    text += _append_int(zone // 60, 2)
    colon = ":" in kind
    if colon:
        text += ":"
    if kind[1:] != "07":
        text += _append_int(zone % 60, 2)
    if kind[1:] in ("070000", "07:00:00"):
        if colon:
            text += ":"
        text += _append_int(absoffset % 60, 2)
    return text


def format_rfc3339(t: GoTime) -> str:
    """time.RFC3339 formatting."""
    return go_format(t, RFC3339)


# -- parsing (time.Parse, for the RFC 3339 layouts only)


class GoParseError(Exception):
    """time.ParseError: the layout and value elements that failed, and a message (maybe empty)."""

    def __init__(self, layout_elem: bytes, value_elem: bytes, message: str) -> None:
        super().__init__(message)
        self.layout_elem = layout_elem
        self.value_elem = value_elem
        self.message = message


class _Bad(Exception):
    """errBad: a field that does not parse."""


def _isdigit(s: bytes, i: int) -> bool:
    return i < len(s) and 0x30 <= s[i] <= 0x39


def _getnum(s: bytes, fixed: bool) -> tuple[int, bytes]:
    if not _isdigit(s, 0):
        raise _Bad
    if not _isdigit(s, 1):
        if fixed:
            raise _Bad
        return s[0] - 0x30, s[1:]
    return (s[0] - 0x30) * 10 + s[1] - 0x30, s[2:]


def _skip(value: bytes, prefix: bytes) -> bytes:
    while prefix:
        if prefix[0] == 0x20:
            if value and value[0] != 0x20:
                raise _Bad
            prefix = prefix.lstrip(b" ")
            value = value.lstrip(b" ")
            continue
        if not value or value[0] != prefix[0]:
            raise _Bad
        prefix, value = prefix[1:], value[1:]
    return value


def _parse_nanoseconds(value: bytes, nbytes: int) -> int:
    if value[:1] not in (b".", b","):
        raise _Bad
    if nbytes > 10:
        value, nbytes = value[:10], 10
    digits = value[1:nbytes]
    if not digits.isdigit():
        raise _Bad
    return int(digits.ljust(9, b"0"))


def go_parse(layout: str, text: str) -> GoTime:
    """time.Parse for layouts made of 2006 01 02 15 04 05 .999... Z07:00 and literal text; raises GoParseError."""
    value = text.encode("utf-8")
    lay = layout
    year, month, day, hour, minute, sec, nsec = 0, -1, -1, 0, 0, 0, 0
    offset: int | None = None
    utc = True
    while True:
        prefix, std, suffix = next_std_chunk(lay)
        stdstr = lay[len(prefix) : len(lay) - len(suffix)].encode()
        try:
            value = _skip(value, prefix.encode())
        except _Bad:
            raise GoParseError(prefix.encode(), value, "") from None
        if std is None:
            if value:
                raise GoParseError(b"", value, ": extra text: " + time_quote(value))
            break
        lay = suffix
        hold = value
        range_err = ""
        try:
            k = std.kind
            if k == _STD_LONG_YEAR:
                if len(value) < 4 or not _isdigit(value, 0) or not value[:4].isdigit():
                    raise _Bad
                year, value = int(value[:4]), value[4:]
            elif k == _STD_ZERO_MONTH:
                month, value = _getnum(value, True)
                if not 0 < month <= 12:
                    range_err = "month"
            elif k == _STD_ZERO_DAY:
                day, value = _getnum(value, True)
            elif k == _STD_HOUR:
                hour, value = _getnum(value, False)
                if not 0 <= hour < 24:
                    range_err = "hour"
            elif k == _STD_ZERO_MINUTE:
                minute, value = _getnum(value, True)
                if not 0 <= minute < 60:
                    range_err = "minute"
            elif k == _STD_ZERO_SECOND:
                sec, value = _getnum(value, True)
                if not 0 <= sec < 60:
                    range_err = "second"
                elif len(value) >= 2 and value[:1] in (b".", b",") and _isdigit(value, 1):
                    _, nxt, _ = next_std_chunk(lay)
                    if nxt is None or nxt.kind not in (_STD_FRAC0, _STD_FRAC9):
                        n = 2
                        while _isdigit(value, n):
                            n += 1
                        nsec, value = _parse_nanoseconds(value, n), value[n:]
            elif k == _STD_FRAC9:
                if len(value) >= 2 and value[:1] in (b".", b",") and _isdigit(value, 1):
                    i = 0
                    while _isdigit(value, i + 1):
                        i += 1
                    nsec, value = _parse_nanoseconds(value, 1 + i), value[1 + i :]
            elif k == "Z07:00":
                if value[:1] == b"Z":
                    value, offset, utc = value[1:], 0, True
                else:
                    utc = False
                    if len(value) < 6 or value[3] != 0x3A:
                        raise _Bad
                    sign, hh, mm, value = value[:1], value[1:3], value[4:6], value[6:]
                    hr = mi = 0
                    err = False
                    try:
                        hr, _ = _getnum(hh, True)
                        mi, _ = _getnum(mm, True)
                    except _Bad:
                        err = True
                    if hr > 24:
                        range_err = "time zone offset hour"
                    if mi > 60:
                        range_err = "time zone offset minute"
                    offset = (hr * 60 + mi) * 60
                    if sign == b"-":
                        offset = -offset
                    elif sign != b"+":
                        err = True
                    if err and not range_err:
                        raise _Bad
            else:  # pragma: no cover - no other element is used with go_parse
                raise NotImplementedError(k)
        except _Bad:
            if range_err:
                raise GoParseError(stdstr, value, f": {range_err} out of range") from None
            raise GoParseError(stdstr, hold, "") from None
        if range_err:
            raise GoParseError(stdstr, value, f": {range_err} out of range")
    if month < 0:
        month = 1
    if day < 0:
        day = 1
    if day < 1 or day > _days_in(month, year):
        raise GoParseError(b"", value, ": day out of range")
    if utc or offset is None:
        return _date(year, month, day, hour, minute, sec, nsec, 0, "UTC")
    return _date(year, month, day, hour, minute, sec, nsec, offset, "")


def time_quote(s: bytes) -> str:
    """The time package's quote: non-ASCII and control bytes as \\x escapes."""
    out = ['"']
    text = s.decode("utf-8", "surrogateescape")
    for c in text:
        if ord(c) >= 0x80 or c < " ":
            out.extend(f"\\x{b:02x}" for b in c.encode("utf-8", "surrogateescape"))
        else:
            if c in '"\\':
                out.append("\\")
            out.append(c)
    out.append('"')
    return "".join(out)


def strconv_quote(s: str | bytes) -> str:
    """strconv.Quote (what %q prints for a string): Go escapes, printable runes kept."""
    text = s.decode("utf-8", "surrogateescape") if isinstance(s, bytes) else s
    out = ['"']
    named = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
    for c in text:
        o = ord(c)
        if 0xDC80 <= o <= 0xDCFF:  # an invalid byte
            out.append(f"\\x{o - 0xDC00:02x}")
        elif c in '"\\':
            out.append("\\" + c)
        elif c.isprintable():
            out.append(c)
        elif c in named:
            out.append(named[c])
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


# -- cty's strict RFC 3339 parsing (cty/function/stdlib/datetime_rfc3339.go)


def _parse_rfc3339_strict(s: str) -> GoTime | None:
    b = s.encode("utf-8")
    if len(b) < 19:
        return None
    ok = True

    def uint(part: bytes, lo: int, hi: int) -> int:
        nonlocal ok
        if not part.isdigit() or not part.isascii():
            ok = False
            return lo
        x = int(part)
        if not lo <= x <= hi:
            ok = False
            return lo
        return x

    year = uint(b[0:4], 0, 9999)
    month = uint(b[5:7], 1, 12)
    day = uint(b[8:10], 1, _days_in(month, year))
    hour = uint(b[11:13], 0, 23)
    minute = uint(b[14:16], 0, 59)
    sec = uint(b[17:19], 0, 59)
    if not ok or b[4:5] + b[7:8] + b[10:11] + b[13:14] + b[16:17] != b"--T::":
        return None
    rest = b[19:]
    nsec = 0
    if len(rest) >= 2 and rest[:1] == b"." and _isdigit(rest, 1):
        n = 2
        while _isdigit(rest, n):
            n += 1
        nsec = _parse_nanoseconds(rest, n)
        rest = rest[n:]
    if rest == b"Z":
        return _date(year, month, day, hour, minute, sec, nsec, 0, "UTC")
    if len(rest) != 6:
        return None
    hr = uint(rest[1:3], 0, 23)
    mm = uint(rest[4:6], 0, 59)
    if not ok or rest[:1] not in (b"-", b"+") or rest[3:4] != b":":
        return None
    offset = (hr * 60 + mm) * 60
    return _date(year, month, day, hour, minute, sec, nsec, -offset if rest[:1] == b"-" else offset, "")


def parse_timestamp(ts: str) -> GoTime:
    """cty's parseTimestamp: a strict RFC 3339 timestamp, or FunctionError with cty's friendly message."""
    t = _parse_rfc3339_strict(ts)
    if t is not None:
        return t
    try:
        go_parse(RFC3339, ts)
    except GoParseError as exc:
        raise FunctionError(_friendly_parse_error(exc)) from None
    b = ts.encode("utf-8")
    err: GoParseError | None = None
    if b[12:13] == b":":
        err = GoParseError(b"15", b[11:12], ": hour must have two digits")
    elif b[19:20] == b",":
        err = GoParseError(b".", b",", ": sub-second separator must be a period")
    elif b[-1:] != b"Z":
        if _num2(b[-5:]) >= 24:
            err = GoParseError(b"Z07:00", b[-6:], ": timezone hour out of range")
        elif _num2(b[-2:]) >= 60:
            err = GoParseError(b"Z07:00", b[-6:], ": timezone minute out of range")
    else:
        err = GoParseError(RFC3339.encode(), b, "")
    if err is not None:
        raise FunctionError(_friendly_parse_error(err))
    return GoTime(-62135596800)  # Go's zero time, which cty returns when none of its checks apply


def _num2(s: bytes) -> int:
    return (10 * (s[0] - 0x30) + (s[1] - 0x30)) & 0xFF


def _friendly_parse_error(err: GoParseError) -> str:
    layout, value = err.layout_elem, err.value_elem
    if layout == b"" and value == b"" and err.message:
        return "not a valid RFC3339 timestamp" + err.message
    what = {
        b"2006": "year",
        b"01": "month",
        b"02": "day of month",
        b"15": "hour",
        b"04": "minute",
        b"05": "second",
        b"Z07:00": "UTC offset",
    }.get(layout, "timestamp segment")
    if layout == b"T":
        return "not a valid RFC3339 timestamp: missing required time introducer 'T'"
    if layout in (b":", b"-"):
        if value == b"":
            return f"not a valid RFC3339 timestamp: end of string where {strconv_quote(layout)} is expected"
        return f"not a valid RFC3339 timestamp: found {strconv_quote(value)} where {strconv_quote(layout)} is expected"
    if value == b"":
        return f"not a valid RFC3339 timestamp: end of string before {what}"
    if what == "hour" and b":" in value:
        return "not a valid RFC3339 timestamp: hour must be between 0 and 23 inclusive"
    if what == "hour" and len(value) != 2:
        return "not a valid RFC3339 timestamp: hour must have exactly two digits"
    if what == "minute" and len(value) != 2:
        return "not a valid RFC3339 timestamp: minute must have exactly two digits"
    return f"not a valid RFC3339 timestamp: cannot use {strconv_quote(value)} as {what}"


# -- durations (time.ParseDuration)

_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_U63 = 1 << 63
_U64 = (1 << 64) - 1


def parse_duration(s: str) -> int:
    """time.ParseDuration: nanoseconds, or FunctionError with Go's message."""
    orig = s
    raw = s.encode("utf-8")
    invalid = FunctionError("time: invalid duration " + time_quote(orig.encode("utf-8")))
    neg = False
    if raw[:1] in (b"-", b"+"):
        neg = raw[:1] == b"-"
        raw = raw[1:]
    if raw == b"0":
        return 0
    if raw == b"":
        raise invalid
    d = 0
    while raw:
        if not (raw[:1] == b"." or _isdigit(raw, 0)):
            raise invalid
        i = 0
        v = 0
        while _isdigit(raw, i):
            if v > _U63 // 10:
                raise invalid
            v = v * 10 + raw[i] - 0x30
            if v > _U63:
                raise invalid
            i += 1
        pre = i > 0
        raw = raw[i:]
        post = False
        f, scale = 0, 1.0
        if raw[:1] == b".":
            raw = raw[1:]
            i = 0
            overflow = False
            while _isdigit(raw, i):
                if not overflow:
                    if f > (_U63 - 1) // 10:
                        overflow = True
                    else:
                        y = f * 10 + raw[i] - 0x30
                        if y > _U63:
                            overflow = True
                        else:
                            f = y
                            scale *= 10
                i += 1
            post = i > 0
            raw = raw[i:]
        if not pre and not post:
            raise invalid
        i = 0
        while i < len(raw) and not (raw[i] == 0x2E or 0x30 <= raw[i] <= 0x39):
            i += 1
        if i == 0:
            raise FunctionError("time: missing unit in duration " + time_quote(orig.encode("utf-8")))
        unit_text, raw = raw[:i], raw[i:]
        unit = _UNITS.get(unit_text.decode("utf-8", "surrogateescape"))
        if unit is None:
            raise FunctionError(
                f"time: unknown unit {time_quote(unit_text)} in duration {time_quote(orig.encode('utf-8'))}"
            )
        if v > _U63 // unit:
            raise invalid
        v *= unit
        if f > 0:
            v += int(float(f) * (float(unit) / scale))
            if v > _U63:
                raise invalid
        d = (d + v) & _U64
        if d > _U63:
            raise invalid
    if neg:
        return -d
    if d > _U63 - 1:
        raise invalid
    return d


# -- jehiah/go-strftime

_STRFTIME = {
    "B": "January",
    "b": "Jan",
    "m": "01",
    "A": "Monday",
    "a": "Mon",
    "d": "02",
    "H": "15",
    "I": "03",
    "M": "04",
    "S": "05",
    "Y": "2006",
    "y": "06",
    "p": "PM",
    "Z": "MST",
    "z": "-0700",
    "L": ".000",
}


def strftime(fmt: str, t: GoTime) -> str:
    """github.com/jehiah/go-strftime's Format: %-directives mapped onto Go layouts, unknown ones kept."""
    b = fmt.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(b):
        ni = b.find(b"%", i)
        if ni < 0:
            ni = len(b)
        out += b[i:ni]
        if ni + 1 < len(b):
            c = chr(b[ni + 1])
            if c == "%":
                out += b"%"
            elif c in _STRFTIME:
                out += go_format(t, _STRFTIME[c]).encode("utf-8")
            else:
                out += b"%" + bytes([b[ni + 1]])
        elif ni < len(b):
            out += b"%"
        i = ni + 2
    return out.decode("utf-8")


# ------------------------------------------------------------------ formatdate (cty's format language)


def _split_date_format(s: str) -> list[str]:
    tokens: list[str] = []
    while s:
        c = s[0]
        if c == "'":
            if len(s) > 1 and s[1] == "'":
                n = 2
            else:
                n = len(s)
                j = 1
                while j < len(s):
                    if s[j] == "'":
                        if j + 1 == len(s):
                            break
                        if s[j + 1] == "'":
                            j += 2
                            continue
                        n = j + 1
                        break
                    j += 1
        elif _is_verb(c):
            n = 1
            while n < len(s) and s[n] == c:
                n += 1
        else:
            n = 1
            while n < len(s) and s[n] != "'" and not _is_verb(s[n]):
                n += 1
        tokens.append(s[:n])
        s = s[n:]
    return tokens


def _is_verb(c: str) -> bool:
    return "a" <= c <= "z" or "A" <= c <= "Z"


def format_date(fmt: str, t: GoTime) -> str:
    """The formatdate language: YYYY MM DD hh mm ss ..., quoted literals; FunctionError (arg 0) when invalid."""
    f = t.fields()
    out: list[str] = []
    for tok in _split_date_format(fmt):
        n = len(tok)
        c = tok[0]

        def bad(why: str, tok: str = tok) -> FunctionError:
            return FunctionError(f'invalid date format verb "{tok}"{why}', 0)

        if c == "'":
            if tok[-1] != "'" or n == 1:
                raise FunctionError("unterminated literal '", 0)
            if n == 2:
                out.append("'")
            else:
                raw = tok[1:-1]
                i = 0
                while i < len(raw):
                    out.append(raw[i])
                    if raw[i] == "'":
                        i += 1
                    i += 1
        elif not _is_verb(c):
            out.append(tok)
        elif c == "Y":
            if n not in (2, 4):
                raise bad(': year must either be "YY" or "YYYY"')
            out.append(f"{_go_rem(f.year, 100):02d}" if n == 2 else f"{f.year:04d}")
        elif c == "M":
            if n > 4:
                raise bad(': month must be "M", "MM", "MMM", or "MMMM"')
            name = _LONG_MONTHS[f.month - 1]
            out.append([str(f.month), f"{f.month:02d}", name[:3], name][n - 1])
        elif c == "D":
            if n > 2:
                raise bad(': day of month must either be "D" or "DD"')
            out.append(str(f.day) if n == 1 else f"{f.day:02d}")
        elif c == "E":
            if n not in (3, 4):
                raise bad(': day of week must either be "EEE" or "EEEE"')
            name = _LONG_DAYS[f.weekday]
            out.append(name[:3] if n == 3 else name)
        elif c in "hHms":
            value = {"h": f.hour, "H": f.hour % 12 or 12, "m": f.minute, "s": f.second}[c]
            if n > 2:
                what = {"h": "24-hour", "H": "12-hour", "m": "minute", "s": "second"}[c]
                raise bad(f': {what} must either be "{c}" or "{c}{c}"')
            out.append(str(value) if n == 1 else f"{value:02d}")
        elif c in "Aa":
            if n != 2:
                raise bad(f': must be "{c}{c}"')
            marker = "AM" if f.hour < 12 else "PM"
            out.append(marker if c == "A" else marker.lower())
        elif c == "Z":
            if n == 1:
                out.append(_format_offset(t.offset, "Z07:00"))
            elif n == 3:
                text = _format_offset(t.offset, "-0700")
                out.append("UTC" if text == "+0000" else text)
            elif n == 4:
                out.append(_format_offset(t.offset, "-0700"))
            elif n == 5:
                out.append(_format_offset(t.offset, "-07:00"))
            else:
                raise bad(": timezone must be Z, ZZZZ, or ZZZZZ")
        else:
            raise bad("")
    return "".join(out)


def _go_rem(a: int, b: int) -> int:
    r = abs(a) % b
    return -r if a < 0 else r


# ------------------------------------------------------------------ the functions


def _formatdate(args: Sequence[Value], ctx: CallContext) -> Value:
    fmt, ts = args[0].as_string(), args[1].as_string()
    try:
        t = parse_timestamp(ts)
    except FunctionError as exc:
        raise FunctionError(exc.message, 1) from None
    return string(format_date(fmt, t))


def _timeadd(args: Sequence[Value], ctx: CallContext) -> Value:
    t = parse_timestamp(args[0].as_string())
    d = parse_duration(args[1].as_string())
    return string(format_rfc3339(t.add_ns(d)))


def _now(ctx: CallContext, fn: str) -> GoTime:
    return from_unix(int(ctx.require_inputs(fn).now().timestamp()))


def _timestamp(args: Sequence[Value], ctx: CallContext) -> Value:
    return string(format_rfc3339(_now(ctx, "timestamp")))


def _go_value_list(args: Sequence[Value]) -> str:
    # fmt's %v of a []cty.Value of strings: each a {ty v} struct around a primitive type of kind 'S' (83).
    return "[" + " ".join(f"{{{{{{{{}} 83}}}} {a.as_string()}}}" for a in args) + "]"


def _legacy(fn: str, apply: str) -> Function:
    def impl(args: Sequence[Value], ctx: CallContext) -> Value:
        if len(args) > 1:
            raise FunctionError(f"too many values, 1 needed: {_go_value_list(args)}")
        t = _now(ctx, fn)
        if not args:
            return string(format_rfc3339(t))
        fmt = args[0].as_string()
        return string(go_format(t, fmt) if apply == "layout" else strftime(fmt, t))

    return Function(fn, [], T.STRING, impl, var_param=Param("format", T.STRING))


_DATE_ATTRS: dict[str, T.Type] = {
    "year": T.NUMBER,
    "year_day": T.NUMBER,
    "day": T.NUMBER,
    "month": T.NUMBER,
    "month_name": T.STRING,
    "weekday": T.NUMBER,
    "weekday_name": T.STRING,
    "hour": T.NUMBER,
    "minute": T.NUMBER,
    "second": T.NUMBER,
    "iso_year": T.NUMBER,
    "iso_week": T.NUMBER,
}
RFC3339_PARSE_TYPE = T.object_of({**_DATE_ATTRS, "unix": T.NUMBER})
UNIX_TIMESTAMP_PARSE_TYPE = T.object_of({**_DATE_ATTRS, "rfc3339": T.STRING})


def _date_attrs(t: GoTime) -> dict[str, Value]:
    f = t.fields()
    iso_year, iso_week = f.iso_week()
    return {
        "year": number(f.year),
        "year_day": number(f.yday),
        "day": number(f.day),
        "month": number(f.month),
        "month_name": string(_LONG_MONTHS[f.month - 1]),
        "weekday": number(f.weekday),
        "weekday_name": string(_LONG_DAYS[f.weekday]),
        "hour": number(f.hour),
        "minute": number(f.minute),
        "second": number(f.second),
        "iso_year": number(iso_year),
        "iso_week": number(iso_week),
    }


def _rfc3339_parse(args: Sequence[Value], ctx: CallContext) -> Value:
    ts = args[0].as_string()
    for layout in (RFC3339_NANO, "2006-01-02 15:04:05.999999999Z07:00"):
        try:
            t = go_parse(layout, ts)
        except GoParseError:
            continue
        return object_of({**_date_attrs(t), "unix": number(t.sec)})
    raise FunctionError(f"{strconv_quote(ts)} is not a valid RFC3339 timestamp", 0)


def _unix_timestamp_parse(args: Sequence[Value], ctx: CallContext) -> Value:
    n = args[0].as_num()
    if not n.is_int() or not -(1 << 63) <= n.to_int() < (1 << 63):
        raise FunctionError(
            "unix_timestamp must be a whole number of seconds representable as a 64-bit integer: "
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
            0,
        )
    t = from_unix(n.to_int())
    return object_of({**_date_attrs(t), "rfc3339": string(format_rfc3339(t))})


register(FUNCTIONS, Function("formatdate", [Param("format", T.STRING), Param("time", T.STRING)], T.STRING, _formatdate))
register(
    FUNCTIONS, Function("timeadd", [Param("timestamp", T.STRING), Param("duration", T.STRING)], T.STRING, _timeadd)
)
register(FUNCTIONS, Function("timestamp", [], T.STRING, _timestamp))
register(FUNCTIONS, _legacy("legacy_isotime", "layout"))
register(FUNCTIONS, _legacy("legacy_strftime", "strftime"))
register(FUNCTIONS, Function("rfc3339_parse", [Param("timestamp", T.STRING)], RFC3339_PARSE_TYPE, _rfc3339_parse))
register(
    FUNCTIONS,
    Function(
        "unix_timestamp_parse", [Param("unix_timestamp", T.NUMBER)], UNIX_TIMESTAMP_PARSE_TYPE, _unix_timestamp_parse
    ),
)
