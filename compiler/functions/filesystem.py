"""Filesystem functions (go-cty-funcs' filesystem package and Packer's filebase64), reading only through Inputs."""

from __future__ import annotations

import base64
import errno
import os
import posixpath
import stat
from collections.abc import Sequence

from ..cty import types as T
from ..cty.values import Value, boolean, set_of, string
from ..inputs import InputError, Inputs
from .base import CallContext, Function, FunctionError, Param, register
from .datetime import strconv_quote

FUNCTIONS: dict[str, Function] = {}

# ------------------------------------------------------------------ Go's path/filepath (Unix)


def go_clean(path: str) -> str:
    """filepath.Clean: the shortest equivalent path, lexically."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for comp in path.split("/"):
        if comp in ("", "."):
            continue
        if comp == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(comp)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


def go_join(*elems: str) -> str:
    """filepath.Join: the non-empty elements joined with / and cleaned ("" when all are empty)."""
    for i, e in enumerate(elems):
        if e != "":
            return go_clean("/".join(elems[i:]))
    return ""


def go_base(path: str) -> str:
    """filepath.Base."""
    if path == "":
        return "."
    path = path.rstrip("/")
    if path == "":
        return "/"
    return path[path.rfind("/") + 1 :]


def go_dir(path: str) -> str:
    """filepath.Dir."""
    return go_clean(path[: path.rfind("/") + 1])


def _home(inputs: Inputs) -> str:
    home = inputs.env("HOME")
    if not home:
        raise _HomeError("HOME is not set")
    return home


class _HomeError(Exception):
    """~ cannot be expanded."""


def expand_home(path: str, inputs: Inputs) -> str:
    """go-homedir's Expand, with the home folder taken from the recorded HOME."""
    if not path.startswith("~"):
        return path
    if len(path) > 1 and path[1] not in "/\\":
        raise _HomeError("cannot expand user-specific home dir")
    return go_join(_home(inputs), path[1:])


def _go_mode_string(mode: int) -> str:
    """os.FileMode.String() of a stat mode (as Go maps it)."""
    kinds = ""
    fmt = stat.S_IFMT(mode)
    if fmt == stat.S_IFDIR:
        kinds += "d"
    if fmt == stat.S_IFLNK:
        kinds += "L"
    if fmt in (stat.S_IFBLK, stat.S_IFCHR):
        kinds += "D"
    if fmt == stat.S_IFIFO:
        kinds += "p"
    if fmt == stat.S_IFSOCK:
        kinds += "S"
    if mode & stat.S_ISUID:
        kinds += "u"
    if mode & stat.S_ISGID:
        kinds += "g"
    if fmt == stat.S_IFCHR:
        kinds += "c"
    if mode & stat.S_ISVTX:
        kinds += "t"
    perms = "".join(c if mode & (1 << (8 - i)) else "-" for i, c in enumerate("rwxrwxrwx"))
    return (kinds or "-") + perms


def _go_errno_text(code: int) -> str:
    """Go's text for an errno: the C library's, lower-cased at the start."""
    text = os.strerror(code)
    return text[:1].lower() + text[1:]


# ------------------------------------------------------------------ file, filebase64, fileexists


def _template_path(inputs: Inputs, path: str) -> str:
    """A path as go-cty-funcs' file functions take it: ~ expanded, relative to the template root, cleaned."""
    try:
        path = expand_home(path, inputs)
    except _HomeError as exc:
        raise FunctionError(f"failed to expand ~: {exc}") from None
    if not path.startswith("/"):
        path = go_join(str(inputs.root), path)
    return go_clean(path)


def _read(inputs: Inputs, path: str) -> bytes:
    try:
        return inputs.read_bytes(path)
    except InputError:
        try:
            os.stat(path)
        except FileNotFoundError:
            raise FunctionError(f"no file exists at {path}") from None
        except OSError:
            pass
        raise FunctionError(f"failed to read {path}") from None


def _file(args: Sequence[Value], ctx: CallContext) -> Value:
    inputs = ctx.require_inputs("file")
    given = args[0].as_string()
    data = _read(inputs, _template_path(inputs, given))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError(
            f"contents of {given} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded "
            "contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead"
        ) from None
    return string(text)


def _filebase64(args: Sequence[Value], ctx: CallContext) -> Value:
    # Packer's own filebase64 reads the path as given: relative to the working directory, no ~ expansion.
    inputs = ctx.require_inputs("filebase64")
    given = args[0].as_string()
    full = os.path.join(str(inputs.cwd), given)
    if given:
        try:
            return string(base64.b64encode(inputs.read_bytes(full)).decode("ascii"))
        except InputError:
            pass
    op, code = _why_unreadable(full if given else "")
    raise FunctionError(f"failed to read file {strconv_quote(given)}: {op} {given}: {_go_errno_text(code)}")


def _why_unreadable(path: str) -> tuple[str, int]:
    """The failing operation and errno of Go's os.ReadFile on a path Inputs could not read."""
    if not path:
        return "open", errno.ENOENT
    try:
        st = os.stat(path)
    except OSError as exc:
        return "open", exc.errno or errno.EIO
    if stat.S_ISDIR(st.st_mode):
        return "read", errno.EISDIR
    return "open", errno.EACCES


def _fileexists(args: Sequence[Value], ctx: CallContext) -> Value:
    inputs = ctx.require_inputs("fileexists")
    path = _template_path(inputs, args[0].as_string())
    try:
        if inputs.exists(path):
            return boolean(True)
    except InputError:
        pass  # a folder: told apart below
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return boolean(False)
    except OSError:
        raise FunctionError(f"failed to stat {path}") from None
    if stat.S_ISREG(st.st_mode):  # appeared meanwhile
        return boolean(True)
    raise FunctionError(f'{path} is not a regular file, but "{_go_mode_string(st.st_mode)}"')


# ------------------------------------------------------------------ fileset: github.com/bmatcuk/doublestar v1 Glob


class BadPattern(Exception):
    """path.ErrBadPattern."""


def _index_esc(s: str, r: str) -> int:
    end = s.find(r)
    if end > 0 and s[end - 1] == "\\":
        start = end + 1
        sub = _index_esc(s[start:], r)
        return sub + start if sub != -1 else -1
    return end


def _last_index_esc(s: str, r: str) -> int:
    end = s.rfind(r)
    if end > 0 and s[end - 1] == "\\":
        return _last_index_esc(s[: end - 1], r)
    return end


def _index_any_esc(s: str, chars: str) -> int:
    end = next((i for i, c in enumerate(s) if c in chars), -1)
    if end > 0 and s[end - 1] == "\\":
        start = end + 1
        sub = _index_any_esc(s[start:], chars)
        return sub + start if sub != -1 else -1
    return end


def _split_alternatives(s: str) -> tuple[list[str], int]:
    """The options of `{a,b}` (s starts after the brace) and the index after the closing brace, or -1."""
    ret: list[str] = []
    idx, braces, esc, start = 0, 1, False, 0
    while braces > 0:
        if idx >= len(s):
            return [], -1
        c = s[idx]
        if esc:
            esc = False
        elif c == "\\":
            esc = True
        elif c == "{":
            braces += 1
        elif c == "}":
            braces -= 1
        elif c == "," and braces == 1:
            ret.append(s[start:idx])
            start = idx + 1
        idx += 1
    ret.append(s[start : idx - 1])
    return ret, idx


def _is_zero_length(pattern: str) -> bool:
    if pattern in ("", "*", "**"):
        return True
    if pattern[0] == "{":
        options, end = _split_alternatives(pattern[1:])
        if end == -1:
            raise BadPattern
        if not _is_zero_length(pattern[1 + end :]):
            return False
        return any(_is_zero_length(o) for o in options)
    return False


def match_component(pattern: str, name: str) -> list[str] | None:
    """doublestar's matchComponent: None for no match, else the patterns left for the next components."""
    plen, nlen = len(pattern), len(name)
    pi = ni = 0
    while pi < plen and ni < nlen:
        pr, nr = pattern[pi], name[ni]
        if pr == "/":
            pi += 1
            break
        if pr == "\\":
            pi += 1
            if pi >= plen or pattern[pi] == "\ufffd":
                raise BadPattern
            if pattern[pi] != nr:
                return None
            pi += 1
            ni += 1
        elif pr == "*":
            pi += 1
            if pi >= plen:
                return []
            if pattern[pi] == "/":
                return [pattern[pi + 1 :]]
            while ni < nlen:
                m = match_component(pattern[pi:], name[ni:])
                if m is not None:
                    return m
                ni += 1
            return None
        elif pr == "[":
            pi += 1
            end = _index_esc(pattern[pi:], "]")
            if end == -1:
                raise BadPattern
            end += pi
            cls = pattern[pi:end]
            if not cls:
                raise BadPattern
            ci, hit = (1 if cls[0] == "^" else 0), False
            while ci < len(cls):
                low = cls[ci]
                if low == "-":
                    raise BadPattern
                ci += 1
                if low == "\\":
                    if ci >= len(cls):
                        raise BadPattern
                    low = cls[ci]
                    ci += 1
                high = low
                if ci < len(cls) and cls[ci] == "-":
                    ci += 1
                    if ci >= len(cls):
                        raise BadPattern
                    high = cls[ci]
                    if high == "-":
                        raise BadPattern
                    ci += 1
                    if high == "\\":
                        if ci >= len(cls):
                            raise BadPattern
                        high = cls[ci]
                        ci += 1
                if low <= nr <= high:
                    hit = True
            if hit == (cls[0] == "^"):
                return None
            pi = end + 1
            ni += 1
        elif pr == "{":
            pi += 1
            options, end = _split_alternatives(pattern[pi:])
            if end == -1:
                raise BadPattern
            pi += end
            found = False
            rests: list[str] = []
            for o in options:
                m = match_component(o + pattern[pi:], name[ni:])
                if m is not None:
                    found = True
                    rests.extend(m)
            return rests if found else None
        elif pr in ("?", nr):
            pi += 1
            ni += 1
        else:
            return None
    if ni >= nlen:
        if pi >= plen:
            return []
        rest = pattern[pi:]
        slash = _index_esc(rest, "/")
        if _is_zero_length(rest[:slash] if slash >= 0 else rest):
            return [] if slash == -1 else [rest[slash + 1 :]]
    return None


def _literal_prefix(pattern: str) -> tuple[list[str], str] | None:
    """doGlob's first step: the unglobbed leading folders of pattern (cleaned) and the rest, or None to skip."""
    idx = _index_any_esc(pattern, "*?[{\\")
    if idx > 0:
        idx = _last_index_esc(pattern[:idx], "/")
    elif idx == -1:
        idx = _last_index_esc(pattern, "/")
    if idx <= 0:
        return None
    return [p for p in pattern[:idx].split("/") if p not in ("", ".")], pattern[idx + 1 :]


def glob_hits(pattern: str, comps: Sequence[str]) -> bool:
    """Whether doublestar's doGlob, run in a folder with this pattern, yields the path with these components."""
    split = _literal_prefix(pattern)
    if split is not None:
        prefix, pattern = split
        if ".." in prefix or list(comps[: len(prefix)]) != prefix:
            return False
        comps = comps[len(prefix) :]
    if not pattern:
        return not comps
    if not comps:
        return False  # a file, not a folder, with pattern left over
    slash = _index_esc(pattern, "/")
    if (pattern[:slash] if slash >= 0 else pattern) == "**":
        if slash == -1:
            return True
        if len(comps) > 1 and glob_hits(pattern, comps[1:]):
            return True
        pattern = pattern[slash + 1 :]
    m = match_component(pattern, comps[0])
    if m is None:
        return False
    if not m:
        return len(comps) == 1
    return any(glob_hits(alt, comps[1:]) for alt in m)


def _fileset(args: Sequence[Value], ctx: CallContext) -> Value:
    inputs = ctx.require_inputs("fileset")
    path, pattern = args[0].as_string(), args[1].as_string()
    if not path.startswith("/"):
        path = go_join(str(inputs.root), path)
    path = go_clean(path)
    full = go_join(path, pattern)
    # Glob of an absolute pattern: doGlob("/", pattern[1:]), whose unglobbed leading folders are its base.
    rest = full[1:]
    base = "/"
    split = _literal_prefix(rest)
    if split is not None:
        prefix, rest = split
        base = go_clean("/" + "/".join(prefix))
    try:
        found = inputs.glob(base, rest, match=lambda rel: glob_hits(rest, rel.split("/")))
    except BadPattern:
        raise FunctionError(f"failed to glob pattern ({full}): syntax error in pattern") from None
    names = [posixpath.relpath(go_join(base, rel), path) for rel in found]
    return set_of([string(n) for n in names], T.STRING)


# ------------------------------------------------------------------ pure path functions


def _abspath(args: Sequence[Value], ctx: CallContext) -> Value:
    path = args[0].as_string()
    if not path.startswith("/"):
        path = go_join(str(ctx.require_inputs("abspath").cwd), path)
    return string(go_clean(path))


def _pathexpand(args: Sequence[Value], ctx: CallContext) -> Value:
    path = args[0].as_string()
    if not path.startswith("~"):
        return string(path)
    try:
        return string(expand_home(path, ctx.require_inputs("pathexpand")))
    except _HomeError as exc:
        raise FunctionError(str(exc)) from None


_PATH = [Param("path", T.STRING)]

register(FUNCTIONS, Function("abspath", _PATH, T.STRING, _abspath))
register(FUNCTIONS, Function("basename", _PATH, T.STRING, lambda a, c: string(go_base(a[0].as_string()))))
register(FUNCTIONS, Function("dirname", _PATH, T.STRING, lambda a, c: string(go_dir(a[0].as_string()))))
register(FUNCTIONS, Function("pathexpand", _PATH, T.STRING, _pathexpand))
register(FUNCTIONS, Function("file", _PATH, T.STRING, _file))
register(FUNCTIONS, Function("filebase64", _PATH, T.STRING, _filebase64))
register(FUNCTIONS, Function("fileexists", _PATH, T.BOOL, _fileexists))
register(
    FUNCTIONS, Function("fileset", [Param("path", T.STRING), Param("pattern", T.STRING)], T.Set(T.STRING), _fileset)
)
