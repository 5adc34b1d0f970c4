"""Date and time functions against go-cty v1.13.3 and Packer: results, errors, unknowns, nulls, marks, arity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bake.compiler.cty import types as T
from bake.compiler.cty.numbers import Num
from bake.compiler.cty.values import SENSITIVE, Value, list_of, null, number, object_of, string, unknown
from bake.compiler.functions.base import ArityError, CallContext, FunctionError
from bake.compiler.functions.datetime import (
    FUNCTIONS,
    RFC3339_PARSE_TYPE,
    UNIX_TIMESTAMP_PARSE_TYPE,
    civil_from_days,
    days_from_civil,
    from_unix,
    go_format,
    parse_duration,
)
from bake.compiler.inputs import Inputs

# 2006-01-02T15:04:05Z, Go's reference time, as the build clock.
EPOCH = 1136214245
REF = "2006-01-02T15:04:05Z"
STR = T.STRING


class Err(NamedTuple):
    """An expected error: its message and the argument blamed."""

    message: str
    arg: int | None = None


def s(x: str) -> Value:
    return string(x)


def sens(x: Value) -> Value:
    return x.with_marks({SENSITIVE})


@pytest.fixture
def ctx(tmp_path: Path) -> CallContext:
    return CallContext(Inputs(root=tmp_path, env={}, source_date_epoch=EPOCH))


def run(name: str, args: list[Value], ctx: CallContext) -> Value | Err:
    try:
        return FUNCTIONS[name].call(args, ctx)
    except ArityError as exc:
        return Err("arity: " + exc.message)
    except FunctionError as exc:
        return Err(exc.message, exc.arg)


def fd(fmt: str, ts: str = REF) -> list[Value]:
    return [s(fmt), s(ts)]


# ------------------------------------------------------------------ formatdate: go-cty's own test table

FORMATDATE = [
    ("", ""),
    ("YYYY-MM-DD", "2006-01-02"),
    ("EEE, MMM D ''YY", "Mon, Jan 2 '06"),
    ("hh:mm:ss", "15:04:05"),
    ("H 'o''clock' AA", "3 o'clock PM"),
    ("H 'o''clock'", "3 o'clock"),
    ("hh:mm:ssZZZZ", "15:04:05+0000"),
    ("hh:mm:ssZZZZZ", "15:04:05+00:00"),
    ("MMMM", "January"),
    ("EEEE", "Monday"),
    ("aa", "pm"),
    ("YYYY-MM-DD'T'hh:mm:ssZ", "2006-01-02T15:04:05Z"),
    ("DD MMM YYYY hh:mm ZZZ", "02 Jan 2006 15:04 UTC"),
    ("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "Monday, 02-Jan-06 15:04:05 UTC"),
    ("EEE, DD MMM YYYY hh:mm:ss ZZZ", "Mon, 02 Jan 2006 15:04:05 UTC"),
    # more of the language
    ("M/D h:m:s", "1/2 15:4:5"),
    ("HH", "03"),
    ("'YYYY'", "YYYY"),
    ("'it''s'", "it's"),
    ("''", "'"),
    ("'abc''", "abc'"),  # a doubled quote at the very end closes the literal, as cty's scanner does
    ("YYYY年MM月DD日", "2006年01月02日"),
    ("[YYYY] (MM) {DD} 1-2-3", "[2006] (01) {02} 1-2-3"),
]

FORMATDATE_ERRORS = [
    ("Y", 'invalid date format verb "Y": year must either be "YY" or "YYYY"'),
    ("YYYYY", 'invalid date format verb "YYYYY": year must either be "YY" or "YYYY"'),
    ("YYY", 'invalid date format verb "YYY": year must either be "YY" or "YYYY"'),
    ("A", 'invalid date format verb "A": must be "AA"'),
    ("a", 'invalid date format verb "a": must be "aa"'),
    ("AAA", 'invalid date format verb "AAA": must be "AA"'),
    ("'blah blah", "unterminated literal '"),
    ("'", "unterminated literal '"),
    ("MMMMM", 'invalid date format verb "MMMMM": month must be "M", "MM", "MMM", or "MMMM"'),
    ("DDD", 'invalid date format verb "DDD": day of month must either be "D" or "DD"'),
    ("E", 'invalid date format verb "E": day of week must either be "EEE" or "EEEE"'),
    ("hhh", 'invalid date format verb "hhh": 24-hour must either be "h" or "hh"'),
    ("HHH", 'invalid date format verb "HHH": 12-hour must either be "H" or "HH"'),
    ("mmm", 'invalid date format verb "mmm": minute must either be "m" or "mm"'),
    ("sss", 'invalid date format verb "sss": second must either be "s" or "ss"'),
    ("ZZ", 'invalid date format verb "ZZ": timezone must be Z, ZZZZ, or ZZZZZ'),
    ("ZZZZZZ", 'invalid date format verb "ZZZZZZ": timezone must be Z, ZZZZ, or ZZZZZ'),
    ("x", 'invalid date format verb "x"'),
    ("YYYY-MM-DDThh", 'invalid date format verb "T"'),
]

# Timestamps cty refuses, with its messages (which lean on quirks of Go's time.Parse).
TIMESTAMP_ERRORS = [
    ("", "not a valid RFC3339 timestamp: end of string before year"),
    ("2017-01-02", "not a valid RFC3339 timestamp: missing required time introducer 'T'"),
    ("2017-12-02t00:00:00Z", "not a valid RFC3339 timestamp: missing required time introducer 'T'"),
    ("2017:01:02", 'not a valid RFC3339 timestamp: found ":01:02" where "-" is expected'),
    ("2017", 'not a valid RFC3339 timestamp: end of string where "-" is expected'),
    ("2017-01-02T", "not a valid RFC3339 timestamp: end of string before hour"),
    ("2017-01-02T00", 'not a valid RFC3339 timestamp: end of string where ":" is expected'),
    ("2017-01-02T00:00:00", "not a valid RFC3339 timestamp: end of string before UTC offset"),
    ("2017-01-02T26:00:00Z", "not a valid RFC3339 timestamp: hour must be between 0 and 23 inclusive"),
    ("2017-13-02T00:00:00Z", 'not a valid RFC3339 timestamp: cannot use "-02T00:00:00Z" as month'),
    ("2017-02-31T00:00:00Z", "not a valid RFC3339 timestamp: day out of range"),
    ('"2017-12-02T00:00:00Z"', 'not a valid RFC3339 timestamp: cannot use "\\"2017-12-02T00:00:00Z\\"" as year'),
    ("2-12-02T00:00:00Z", 'not a valid RFC3339 timestamp: cannot use "2-12-02T00:00:00Z" as year'),
    ("2000-01-01T1:12:34Z", "not a valid RFC3339 timestamp: hour must have exactly two digits"),
    ("2000-01-01T01:1:34Z", "not a valid RFC3339 timestamp: minute must have exactly two digits"),
    ("2000-01-01T01:01:1Z", 'not a valid RFC3339 timestamp: cannot use "1Z" as second'),
    ("2000-01-01T00:00:00,000Z", 'not a valid RFC3339 timestamp: cannot use "," as timestamp segment'),
    ("2000-01-01T00:00:00+24:00", 'not a valid RFC3339 timestamp: cannot use "+24:00" as UTC offset'),
    ("2000-01-01T00:00:00+00:60", 'not a valid RFC3339 timestamp: cannot use "+00:60" as UTC offset'),
    # beyond go-cty's table
    ("2000-01-01T00:00:00Zabc", 'not a valid RFC3339 timestamp: cannot use "abc" as timestamp segment'),
    ("2000-01-01T00:00:60Z", 'not a valid RFC3339 timestamp: cannot use "Z" as second'),
    ("2000-01-01T00:60:00Z", "not a valid RFC3339 timestamp: minute must have exactly two digits"),
    ("2000-00-01T00:00:00Z", 'not a valid RFC3339 timestamp: cannot use "-01T00:00:00Z" as month'),
    ("2001-02-29T00:00:00Z", "not a valid RFC3339 timestamp: day out of range"),
    ("2000-01-01T00:00:00+0100", 'not a valid RFC3339 timestamp: cannot use "+0100" as UTC offset'),
    ("2000-01-01T00:00:00z", 'not a valid RFC3339 timestamp: cannot use "z" as UTC offset'),
    ("2000-01-01T00:00:00.Z", 'not a valid RFC3339 timestamp: cannot use ".Z" as UTC offset'),
    ("2000-01-01 00:00:00Z", "not a valid RFC3339 timestamp: missing required time introducer 'T'"),
    ("2000-01-01T00:00:00é99:00", 'not a valid RFC3339 timestamp: cannot use "é99:00" as UTC offset'),
    ("2000-01-01T00:00:00\n", 'not a valid RFC3339 timestamp: cannot use "\\n" as UTC offset'),
]

# The same instants in several spellings (go-cty's parse success table and more).
TIMESTAMP_OK = [
    ("2022-03-01T00:23:45Z", "2022-03-01T00:23:45Z", "Tuesday, 01-Mar-22 00:23:45 UTC"),
    ("2022-03-01T00:23:45+00:00", "2022-03-01T00:23:45Z", "Tuesday, 01-Mar-22 00:23:45 UTC"),
    ("2022-03-01T00:23:45+01:00", "2022-03-01T00:23:45+01:00", "Tuesday, 01-Mar-22 00:23:45 +0100"),
    ("2022-03-01T00:23:45-01:00", "2022-03-01T00:23:45-01:00", "Tuesday, 01-Mar-22 00:23:45 -0100"),
    ("1900-01-01T00:00:00Z", "1900-01-01T00:00:00Z", "Monday, 01-Jan-00 00:00:00 UTC"),
    ("2000-02-29T23:59:59.999999999-09:30", "2000-02-29T23:59:59-09:30", "Tuesday, 29-Feb-00 23:59:59 -0930"),
    ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "Saturday, 01-Jan-00 00:00:00 UTC"),
    ("9999-12-31T23:59:59+23:59", "9999-12-31T23:59:59+23:59", "Friday, 31-Dec-99 23:59:59 +2359"),
]

RFC3339_FMT = "YYYY-MM-DD'T'hh:mm:ssZ"
RFC850_FMT = "EEEE, DD-MMM-YY hh:mm:ss ZZZ"

CASES: list[object] = []
for f, want in FORMATDATE:
    CASES.append(pytest.param("formatdate", fd(f), s(want), id=f"formatdate {f!r}"))
for f, msg in FORMATDATE_ERRORS:
    CASES.append(pytest.param("formatdate", fd(f), Err(msg, 0), id=f"formatdate error {f!r}"))
for ts, msg in TIMESTAMP_ERRORS:
    CASES.append(pytest.param("formatdate", fd("", ts), Err(msg, 1), id=f"formatdate bad time {ts!r}"))
for ts, rfc3339, rfc850 in TIMESTAMP_OK:
    CASES.append(pytest.param("formatdate", fd(RFC3339_FMT, ts), s(rfc3339), id=f"formatdate rfc3339 {ts}"))
    CASES.append(pytest.param("formatdate", fd(RFC850_FMT, ts), s(rfc850), id=f"formatdate rfc850 {ts}"))

CASES += [
    pytest.param("formatdate", fd("h H AA aa", "2020-01-01T00:30:00Z"), s("0 12 AM am"), id="formatdate midnight"),
    pytest.param("formatdate", fd("h H AA", "2020-01-01T12:30:00Z"), s("12 12 PM"), id="formatdate noon"),
    pytest.param(
        "formatdate",
        fd("Z ZZZ ZZZZ ZZZZZ", "2020-01-01T12:30:00-05:30"),
        s("-05:30 -0530 -0530 -05:30"),
        id="formatdate zones with an offset",
    ),
    pytest.param("formatdate", fd("Z ZZZ", "2020-01-01T12:30:00-00:00"), s("Z UTC"), id="formatdate -00:00"),
    pytest.param("formatdate", fd("YY", "0005-01-01T00:00:00Z"), s("05"), id="formatdate YY of year 5"),
    pytest.param("formatdate", fd("YYYY", "0005-01-01T00:00:00Z"), s("0005"), id="formatdate YYYY of year 5"),
    pytest.param("formatdate", fd("s", "2020-01-01T00:00:07.9Z"), s("7"), id="formatdate fraction ignored"),
    # types, unknowns, nulls, marks, arity
    pytest.param("formatdate", [unknown(STR), s(REF)], unknown(STR), id="formatdate unknown format"),
    pytest.param("formatdate", [s("YYYY"), unknown(T.DYNAMIC)], unknown(STR), id="formatdate unknown time"),
    pytest.param("formatdate", [s("YYYY"), null(STR)], Err("argument must not be null", 1), id="formatdate null"),
    pytest.param("formatdate", [s("YYYY"), sens(s(REF))], sens(s("2006")), id="formatdate sensitive time"),
    pytest.param("formatdate", [sens(s("YYYY")), sens(s(REF))], sens(s("2006")), id="formatdate all sensitive"),
    pytest.param("formatdate", [number(2006), s(REF)], s("2006"), id="formatdate number format converts"),
    pytest.param("formatdate", [list_of([s("a")]), s(REF)], Err("string required", 0), id="formatdate list format"),
    pytest.param(
        "formatdate",
        [s("YYYY")],
        Err('arity: Function "formatdate" expects 2 arguments. Missing value for "time".'),
        id="formatdate arity",
    ),
    # timeadd
    pytest.param("timeadd", [s("2017-11-22T00:00:00Z"), s("10m")], s("2017-11-22T00:10:00Z"), id="timeadd 10m"),
    pytest.param("timeadd", [s("2017-11-22T00:00:00Z"), s("-1h")], s("2017-11-21T23:00:00Z"), id="timeadd -1h"),
    pytest.param("timeadd", [s("2017-11-22T00:00:00Z"), s("1h30m")], s("2017-11-22T01:30:00Z"), id="timeadd 1h30m"),
    pytest.param("timeadd", [s("2017-11-22T00:00:00Z"), s("-2.5h")], s("2017-11-21T21:30:00Z"), id="timeadd -2.5h"),
    pytest.param(
        "timeadd",
        [s("2017-11-22T00:00:00+01:00"), s("1.5h")],
        s("2017-11-22T01:30:00+01:00"),
        id="timeadd keeps the offset",
    ),
    pytest.param(
        "timeadd", [s("2017-11-22T00:00:00+00:00"), s("0")], s("2017-11-22T00:00:00Z"), id="timeadd +00:00 prints Z"
    ),
    pytest.param(
        "timeadd", [s("2017-11-22T00:00:00.5Z"), s("300ms")], s("2017-11-22T00:00:00Z"), id="timeadd drops fractions"
    ),
    pytest.param(
        "timeadd", [s("2017-11-22T00:00:00.999999999Z"), s("1ns")], s("2017-11-22T00:00:01Z"), id="timeadd 1ns carries"
    ),
    pytest.param(
        "timeadd",
        [s("2017-11-22T00:00:00Z"), s("1us1µs1μs")],
        s("2017-11-22T00:00:00Z"),
        id="timeadd microsecond spellings",
    ),
    pytest.param("timeadd", [s("2020-02-28T12:00:00Z"), s("24h")], s("2020-02-29T12:00:00Z"), id="timeadd leap day"),
    pytest.param(
        "timeadd", [s("0000-01-01T00:00:00Z"), s("-1h")], s("-0001-12-31T23:00:00Z"), id="timeadd before year 0"
    ),
    pytest.param(
        "timeadd", [s("9999-12-31T23:59:59Z"), s("1s")], s("10000-01-01T00:00:00Z"), id="timeadd past year 9999"
    ),
    pytest.param(
        "timeadd",
        [s("2017-11-22"), s("1h")],
        Err("not a valid RFC3339 timestamp: missing required time introducer 'T'"),
        id="timeadd bad time",
    ),
    pytest.param("timeadd", [s(REF), s("1")], Err('time: missing unit in duration "1"'), id="timeadd no unit"),
    pytest.param("timeadd", [s(REF), s("1d")], Err('time: unknown unit "d" in duration "1d"'), id="timeadd day unit"),
    pytest.param("timeadd", [s(REF), s("")], Err('time: invalid duration ""'), id="timeadd empty duration"),
    pytest.param(
        "timeadd",
        [s(REF), s("1é")],
        Err('time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'),
        id="timeadd non-ASCII unit",
    ),
    pytest.param("timeadd", [unknown(STR), s("1h")], unknown(STR), id="timeadd unknown"),
    pytest.param("timeadd", [s(REF), sens(s("1h"))], sens(s("2006-01-02T16:04:05Z")), id="timeadd sensitive"),
    pytest.param("timeadd", [s(REF), null(STR)], Err("argument must not be null", 1), id="timeadd null"),
    # timestamp: the build clock, SOURCE_DATE_EPOCH
    pytest.param("timestamp", [], s(REF), id="timestamp"),
    pytest.param(
        "timestamp", [s("x")], Err('arity: Function "timestamp" expects only no arguments.'), id="timestamp arity"
    ),
    # legacy_isotime: Go layouts on the build clock
    pytest.param("legacy_isotime", [], s(REF), id="legacy_isotime no format"),
    pytest.param("legacy_isotime", [s("01-02-2006")], s("01-02-2006"), id="legacy_isotime 01-02-2006"),
    pytest.param("legacy_isotime", [s("Mon Jan 02, 2006")], s("Mon Jan 02, 2006"), id="legacy_isotime words"),
    pytest.param(
        "legacy_isotime",
        [s("Mon Jan _2 15:04:05 MST 2006")],
        s("Mon Jan  2 15:04:05 UTC 2006"),
        id="legacy_isotime UnixDate",
    ),
    pytest.param(
        "legacy_isotime",
        [s("2006-01-02T15:04:05.000Z07:00 -0700 -07:00:00 Z07")],
        s("2006-01-02T15:04:05.000Z +0000 +00:00:00 Z"),
        id="legacy_isotime zones and millis",
    ),
    pytest.param(
        "legacy_isotime",
        [s("3:04PM pm __2 002 .999 ,000")],
        s("3:04PM pm   2 002  ,000"),
        id="legacy_isotime odd elements",
    ),
    pytest.param("legacy_isotime", [s("Jant Month 2006x")], s("Jant Month 2006x"), id="legacy_isotime near misses"),
    pytest.param("legacy_isotime", [s("20060102150405")], s("20060102150405"), id="legacy_isotime packed"),
    pytest.param(
        "legacy_isotime",
        [s("a"), s("b")],
        Err("too many values, 1 needed: [{{{{} 83}} a} {{{{} 83}} b}]"),
        id="legacy_isotime two formats",
    ),
    pytest.param("legacy_isotime", [unknown(STR)], unknown(STR), id="legacy_isotime unknown"),
    # legacy_strftime: jehiah/go-strftime
    pytest.param("legacy_strftime", [s("%Y-%m-%d %H:%M:%S")], s("2006-01-02 15:04:05"), id="legacy_strftime date"),
    pytest.param(
        "legacy_strftime",
        [s("%B %b %A %a %I %p %Z %z %L %y %%")],
        s("January Jan Monday Mon 03 PM UTC +0000 .000 06 %"),
        id="legacy_strftime every directive",
    ),
    pytest.param("legacy_strftime", [s("%q %j %")], s("%q %j %"), id="legacy_strftime unknown kept"),
    pytest.param("legacy_strftime", [s("100%é")], s("100%é"), id="legacy_strftime non-ASCII after %"),
    pytest.param("legacy_strftime", [], s(REF), id="legacy_strftime no format"),
    pytest.param(
        "legacy_strftime",
        [s("%Y"), s("%m")],
        Err("too many values, 1 needed: [{{{{} 83}} %Y} {{{{} 83}} %m}]"),
        id="legacy_strftime two formats",
    ),
    # rfc3339_parse
    pytest.param(
        "rfc3339_parse", [s("abcdef")], Err('"abcdef" is not a valid RFC3339 timestamp', 0), id="rfc3339_parse invalid"
    ),
    pytest.param(
        "rfc3339_parse",
        [s("2023-07-25T23:43:16")],
        Err('"2023-07-25T23:43:16" is not a valid RFC3339 timestamp', 0),
        id="rfc3339_parse no zone",
    ),
    pytest.param(
        "rfc3339_parse",
        [s("tab\there")],
        Err('"tab\\there" is not a valid RFC3339 timestamp', 0),
        id="rfc3339_parse quoting",
    ),
    pytest.param("rfc3339_parse", [unknown(STR)], unknown(RFC3339_PARSE_TYPE), id="rfc3339_parse unknown"),
    pytest.param("rfc3339_parse", [null(STR)], Err("argument must not be null", 0), id="rfc3339_parse null"),
    # unix_timestamp_parse
    pytest.param(
        "unix_timestamp_parse",
        [number(Num.parse("1690328596.5"))],
        Err(
            "unix_timestamp must be a whole number of seconds representable as a 64-bit integer: value must "
            "be a whole number, between -9223372036854775808 and 9223372036854775807",
            0,
        ),
        id="unix_timestamp_parse fraction",
    ),
    pytest.param(
        "unix_timestamp_parse",
        [number(Num.parse("100000000000000000000"))],
        Err(
            "unix_timestamp must be a whole number of seconds representable as a 64-bit integer: value must "
            "be a whole number, between -9223372036854775808 and 9223372036854775807",
            0,
        ),
        id="unix_timestamp_parse out of range",
    ),
    pytest.param("unix_timestamp_parse", [s("x")], Err("a number is required", 0), id="unix_timestamp_parse string"),
    pytest.param(
        "unix_timestamp_parse",
        [unknown(T.NUMBER)],
        unknown(UNIX_TIMESTAMP_PARSE_TYPE),
        id="unix_timestamp_parse unknown",
    ),
]


def parsed(
    year: int,
    yday: int,
    day: int,
    month: int,
    weekday: int,
    hour: int,
    minute: int,
    second: int,
    iso: tuple[int, int],
    **extra: Value,
) -> Value:
    months = [
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
    ]
    days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    return object_of(
        {
            "year": number(year),
            "year_day": number(yday),
            "day": number(day),
            "month": number(month),
            "month_name": s(months[month - 1]),
            "weekday": number(weekday),
            "weekday_name": s(days[weekday]),
            "hour": number(hour),
            "minute": number(minute),
            "second": number(second),
            "iso_year": number(iso[0]),
            "iso_week": number(iso[1]),
            **extra,
        }
    )


JULY = parsed(2023, 206, 25, 7, 2, 23, 43, 16, (2023, 30), unix=number(1690328596))
DECEMBER = parsed(1996, 354, 19, 12, 4, 16, 39, 57, (1996, 51), unix=number(851042397))
CASES += [
    pytest.param("rfc3339_parse", [s("2023-07-25T23:43:16Z")], JULY, id="rfc3339_parse Z"),
    pytest.param("rfc3339_parse", [s("1996-12-19T16:39:57-08:00")], DECEMBER, id="rfc3339_parse offset"),
    pytest.param("rfc3339_parse", [s("2023-07-25 23:43:16Z")], JULY, id="rfc3339_parse space"),
    pytest.param("rfc3339_parse", [s("2023-07-25T23:43:16.512345Z")], JULY, id="rfc3339_parse fraction"),
    pytest.param("rfc3339_parse", [s("1996-12-19 16:39:57.25-08:00")], DECEMBER, id="rfc3339_parse space fraction"),
    pytest.param("rfc3339_parse", [s("2023-07-25   23:43:16Z")], JULY, id="rfc3339_parse runs of spaces (Go)"),
    pytest.param("rfc3339_parse", [s("2023-07-25T23:43:16,512345Z")], JULY, id="rfc3339_parse comma (Go)"),
    pytest.param(
        "rfc3339_parse",
        [s("2021-01-03T05:06:07Z")],
        parsed(2021, 3, 3, 1, 0, 5, 6, 7, (2020, 53), unix=number(1609650367)),
        id="rfc3339_parse ISO week of the previous year",
    ),
    pytest.param(
        "rfc3339_parse",
        [s("2023-07-25T5:43:16+24:00")],
        parsed(2023, 206, 25, 7, 2, 5, 43, 16, (2023, 30), unix=number(1690177396)),
        id="rfc3339_parse Go's lenient hour and offset",
    ),
    pytest.param("rfc3339_parse", [sens(s("2023-07-25T23:43:16Z"))], sens(JULY), id="rfc3339_parse sensitive"),
    pytest.param(
        "unix_timestamp_parse",
        [number(1690328596)],
        parsed(2023, 206, 25, 7, 2, 23, 43, 16, (2023, 30), rfc3339=s("2023-07-25T23:43:16Z")),
        id="unix_timestamp_parse 2023",
    ),
    pytest.param(
        "unix_timestamp_parse",
        [number(851042397)],
        parsed(1996, 355, 20, 12, 5, 0, 39, 57, (1996, 51), rfc3339=s("1996-12-20T00:39:57Z")),
        id="unix_timestamp_parse 1996",
    ),
    pytest.param(
        "unix_timestamp_parse",
        [number(-1)],
        parsed(1969, 365, 31, 12, 3, 23, 59, 59, (1970, 1), rfc3339=s("1969-12-31T23:59:59Z")),
        id="unix_timestamp_parse before 1970",
    ),
    pytest.param(
        "unix_timestamp_parse",
        [s("0")],
        parsed(1970, 1, 1, 1, 4, 0, 0, 0, (1970, 1), rfc3339=s("1970-01-01T00:00:00Z")),
        id="unix_timestamp_parse string converts",
    ),
]


@pytest.mark.parametrize(("name", "args", "want"), CASES)
def test_call(name: str, args: list[Value], want: Value | Err, ctx: CallContext) -> None:
    assert run(name, args, ctx) == want


def test_case_count() -> None:
    assert len(CASES) >= 150


# ------------------------------------------------------------------ the clock


def test_clock_needs_inputs() -> None:
    for name in ("timestamp", "legacy_isotime", "legacy_strftime"):
        with pytest.raises(FunctionError, match=f"^{name} is not available here"):
            FUNCTIONS[name].call([], CallContext())


def test_clock_from_environment(tmp_path: Path) -> None:
    ctx = CallContext(Inputs(root=tmp_path, env={"SOURCE_DATE_EPOCH": "0"}))
    assert FUNCTIONS["timestamp"].call([], ctx) == s("1970-01-01T00:00:00Z")
    assert FUNCTIONS["legacy_isotime"].call([s("2006")], ctx) == s("1970")


def test_clock_recorded_once(tmp_path: Path) -> None:
    inputs = Inputs(root=tmp_path, env={})
    ctx = CallContext(inputs)
    first = FUNCTIONS["timestamp"].call([], ctx)
    assert inputs.source_date_epoch is not None
    assert FUNCTIONS["timestamp"].call([], ctx) == first
    assert FUNCTIONS["legacy_isotime"].call([], ctx) == first


def test_pure_functions_need_no_inputs() -> None:
    assert FUNCTIONS["formatdate"].call(fd("YYYY")) == s("2006")
    assert FUNCTIONS["timeadd"].call([s(REF), s("1s")]) == s("2006-01-02T15:04:06Z")


# ------------------------------------------------------------------ durations


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("0", 0),
        ("-0", 0),
        ("+5s", 5_000_000_000),
        ("1.5h", 5_400_000_000_000),
        (".5s", 500_000_000),
        ("5.s", 5_000_000_000),
        ("1h1m1s1ms1us1ns", 3_661_001_001_001),
        ("-9223372036854775808ns", -(1 << 63)),
        ("9223372036854775807ns", (1 << 63) - 1),
        ("2562047h47m16.854775807s", (1 << 63) - 1),
        ("1.0000000000000000000001h", 3_600_000_000_000),
        ("9223372036854775808ns9223372036854775808ns", 0),  # Go's uint64 sum wraps around
    ],
)
def test_parse_duration(text: str, ns: int) -> None:
    assert parse_duration(text) == ns


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", 'time: invalid duration "abc"'),
        (".s", 'time: invalid duration ".s"'),
        ("-", 'time: invalid duration "-"'),
        ("1.5.5h", 'time: missing unit in duration "1.5.5h"'),
        ("1h ", 'time: unknown unit "h " in duration "1h "'),
        ("9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'),
        ("2562047h47m16.854775808s", 'time: invalid duration "2562047h47m16.854775808s"'),
        ('1"x', 'time: unknown unit "\\"x" in duration "1\\"x"'),
    ],
)
def test_parse_duration_errors(text: str, message: str) -> None:
    with pytest.raises(FunctionError) as info:
        parse_duration(text)
    assert info.value.message == message


# ------------------------------------------------------------------ properties against Python's calendar

DATETIMES = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59))
OFFSETS = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59)


def _rfc3339(when: dt.datetime, offset_min: int) -> str:
    sign = "-" if offset_min < 0 else "+"
    zone = "Z" if offset_min == 0 else f"{sign}{abs(offset_min) // 60:02d}:{abs(offset_min) % 60:02d}"
    return when.strftime("%Y-%m-%dT%H:%M:%S").rjust(19, "0") + zone


@given(DATETIMES, OFFSETS)
def test_formatdate_round_trip(when: dt.datetime, offset_min: int) -> None:
    ts = _rfc3339(when.replace(microsecond=0), offset_min)
    assert FUNCTIONS["formatdate"].call(fd("YYYY-MM-DD'T'hh:mm:ssZ", ts)) == s(ts)


@given(DATETIMES)
def test_formatdate_matches_python(when: dt.datetime) -> None:
    when = when.replace(microsecond=0)
    got = FUNCTIONS["formatdate"].call(fd("EEEE EEE MMMM MMM MM DD hh mm ss HH aa", _rfc3339(when, 0)))
    assert got == s(when.strftime("%A %a %B %b %m %d %H %M %S %I %p").replace("AM", "am").replace("PM", "pm"))


@given(st.integers(min_value=-(10**11), max_value=10**11))
def test_unix_round_trip(sec: int) -> None:
    out = FUNCTIONS["unix_timestamp_parse"].call([number(sec)])
    rfc3339 = out.attrs()["rfc3339"].as_string()
    if not rfc3339.startswith("-") and len(rfc3339) == 20:
        back = FUNCTIONS["rfc3339_parse"].call([s(rfc3339)])
        assert back.attrs()["unix"] == number(sec)


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_calendar_matches_python(days: int) -> None:
    year, month, day = civil_from_days(days)
    assert days_from_civil(year, month, day) == days
    if -719162 <= days <= 2932896:
        date = dt.date(1970, 1, 1) + dt.timedelta(days=days)
        assert (year, month, day) == (date.year, date.month, date.day)
        f = from_unix(days * 86400).fields()
        assert (f.iso_week(), f.yday, (f.weekday + 6) % 7) == (
            tuple(date.isocalendar())[:2],
            date.timetuple().tm_yday,
            date.weekday(),
        )


@given(DATETIMES)
def test_go_layouts_match_python(when: dt.datetime) -> None:
    when = when.replace(microsecond=0, tzinfo=dt.UTC)
    t = from_unix(int(when.timestamp()))
    assert go_format(t, "Monday Mon January Jan 2006 01 02 15 03 04 05 PM") == when.strftime(
        "%A %a %B %b %Y %m %d %H %I %M %S %p"
    ).replace(when.strftime("%Y"), f"{when.year:04d}", 1)


@given(DATETIMES, st.integers(min_value=-(10**6), max_value=10**6))
def test_timeadd_matches_python(when: dt.datetime, seconds: int) -> None:
    when = when.replace(microsecond=0)
    later = when + dt.timedelta(seconds=seconds)
    if 1 <= later.year <= 9999:
        got = FUNCTIONS["timeadd"].call([s(_rfc3339(when, 0)), s(f"{seconds}s")])
        assert got == s(_rfc3339(later, 0))
