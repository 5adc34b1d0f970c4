"""Filesystem functions against go-cty-funcs, doublestar v1 and Packer, on real files in a temporary folder."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bake.compiler.cty import types as T
from bake.compiler.cty.values import FALSE, SENSITIVE, TRUE, Value, list_of, null, number, set_of, string, unknown
from bake.compiler.functions.base import ArityError, CallContext, FunctionError
from bake.compiler.functions.filesystem import FUNCTIONS, go_base, go_clean, go_dir, match_component
from bake.compiler.inputs import Inputs

STR = T.STRING


class Err(NamedTuple):
    """An expected error message; {root}, {cwd} and {home} stand for the test's folders."""

    message: str


def s(x: str) -> Value:
    return string(x)


def names(*xs: str) -> Value:
    return set_of([s(x) for x in xs], STR)


def sens(x: Value) -> Value:
    return x.with_marks({SENSITIVE})


FILES = {
    "hello.txt": b"Hello World",
    "unicode.txt": "cafe\u0301 ✓\n".encode(),  # decomposed: cty strings are NFC
    "empty.txt": b"",
    "binary.dat": b"\xff\xfe\x00\x01",
    "icon.png": bytes(range(256)),
    "sub/a.txt": b"a",
    "sub/b.md": b"b",
    "sub/deep/c.txt": b"c",
    "sub/deep/d.json": b"{}",
    ".hidden/h.txt": b"h",
    "[x].txt": b"bracket",
    "a,b.txt": b"comma",
    "empty/.keep": b"",
}


class Env(NamedTuple):
    """The folders of one test: template root, working directory, home, and the Inputs over them."""

    root: Path
    cwd: Path
    home: Path
    inputs: Inputs
    ctx: CallContext


@pytest.fixture
def env(tmp_path: Path) -> Env:
    root, cwd, home = tmp_path / "root", tmp_path / "work", tmp_path / "home"
    for rel, data in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "emptydir").mkdir()
    root.chmod(0o755)
    (root / "sub").chmod(0o755)
    cwd.mkdir()
    (cwd / "local.txt").write_bytes(b"from the working directory")
    (cwd / "dir").mkdir()
    home.mkdir()
    (home / ".netrc").write_bytes(b"machine example.com")
    inputs = Inputs(root=root, cwd=cwd, env={"HOME": str(home)}, source_date_epoch=0)
    return Env(root, cwd, home, inputs, CallContext(inputs))


def run(name: str, args: list[Value], env: Env) -> Value | Err:
    try:
        return FUNCTIONS[name].call(args, env.ctx)
    except ArityError as exc:
        return Err("arity: " + exc.message)
    except FunctionError as exc:
        return Err(exc.message)


def b64(data: bytes) -> Value:
    return s(base64.b64encode(data).decode())


NOT_UTF8 = (
    "contents of {} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents "
    "or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead"
)

CASES = [
    # file: relative to the template root, ~ expanded, UTF-8 required
    ("file", ["hello.txt"], s("Hello World")),
    ("file", ["./sub/../hello.txt"], s("Hello World")),
    ("file", ["sub/deep/c.txt"], s("c")),
    ("file", ["unicode.txt"], s("café ✓\n")),
    ("file", ["empty.txt"], s("")),
    ("file", ["{root}/sub/a.txt"], s("a")),
    ("file", ["~/.netrc"], s("machine example.com")),
    ("file", ["nope.txt"], Err("no file exists at {root}/nope.txt")),
    ("file", ["sub/../nope.txt"], Err("no file exists at {root}/nope.txt")),
    ("file", ["sub"], Err("failed to read {root}/sub")),
    ("file", ["hello.txt/x"], Err("failed to read {root}/hello.txt/x")),
    ("file", [""], Err("failed to read {root}")),
    ("file", ["binary.dat"], Err(NOT_UTF8.format("binary.dat"))),
    ("file", ["./icon.png"], Err(NOT_UTF8.format("./icon.png"))),
    ("file", ["~bob/x"], Err("failed to expand ~: cannot expand user-specific home dir")),
    # filebase64 (Packer's own): the path as given, relative to the working directory
    ("filebase64", ["local.txt"], b64(b"from the working directory")),
    ("filebase64", ["{root}/icon.png"], b64(bytes(range(256)))),
    ("filebase64", ["{root}/binary.dat"], s("//4AAQ==")),
    ("filebase64", ["{root}/empty.txt"], s("")),
    ("filebase64", ["hello.txt"], Err('failed to read file "hello.txt": open hello.txt: no such file or directory')),
    ("filebase64", [""], Err('failed to read file "": open : no such file or directory')),
    ("filebase64", ["dir"], Err('failed to read file "dir": read dir: is a directory')),
    ("filebase64", ["local.txt/x"], Err('failed to read file "local.txt/x": open local.txt/x: not a directory')),
    ("filebase64", ["~/.netrc"], Err('failed to read file "~/.netrc": open ~/.netrc: no such file or directory')),
    ("filebase64", ["tab\there"], Err('failed to read file "tab\\there": open tab\there: no such file or directory')),
    # fileexists
    ("fileexists", ["hello.txt"], TRUE),
    ("fileexists", ["./sub/deep/c.txt"], TRUE),
    ("fileexists", ["{root}/hello.txt"], TRUE),
    ("fileexists", ["~/.netrc"], TRUE),
    ("fileexists", ["~/nope"], FALSE),
    ("fileexists", ["nope.txt"], FALSE),
    ("fileexists", ["sub"], Err('{root}/sub is not a regular file, but "drwxr-xr-x"')),
    ("fileexists", [""], Err('{root} is not a regular file, but "drwxr-xr-x"')),
    ("fileexists", ["hello.txt/x"], Err("failed to stat {root}/hello.txt/x")),
    ("fileexists", ["~x"], Err("failed to expand ~: cannot expand user-specific home dir")),
    # fileset: doublestar v1 globbing, results relative to the path
    ("fileset", [".", "*.txt"], names("[x].txt", "a,b.txt", "empty.txt", "hello.txt", "unicode.txt")),
    ("fileset", [".", "sub/*"], names("sub/a.txt", "sub/b.md")),
    ("fileset", [".", "sub/**"], names("sub/a.txt", "sub/b.md", "sub/deep/c.txt", "sub/deep/d.json")),
    ("fileset", ["sub", "**"], names("a.txt", "b.md", "deep/c.txt", "deep/d.json")),
    (
        "fileset",
        [".", "**/*.txt"],
        names(
            ".hidden/h.txt",
            "[x].txt",
            "a,b.txt",
            "empty.txt",
            "hello.txt",
            "sub/a.txt",
            "sub/deep/c.txt",
            "unicode.txt",
        ),
    ),
    ("fileset", [".", "sub/**/*.txt"], names("sub/a.txt", "sub/deep/c.txt")),
    ("fileset", [".", "**/deep/*"], names("sub/deep/c.txt", "sub/deep/d.json")),
    ("fileset", [".", "sub/*/*"], names("sub/deep/c.txt", "sub/deep/d.json")),
    ("fileset", [".", "sub/{a,b}.*"], names("sub/a.txt", "sub/b.md")),
    ("fileset", [".", "{sub,.hidden}/*.txt"], names(".hidden/h.txt", "sub/a.txt")),
    ("fileset", [".", "sub/{a.txt,deep/c.txt}"], names("sub/a.txt", "sub/deep/c.txt")),
    ("fileset", [".", "sub/{a,{b,c}}.*"], names("sub/a.txt", "sub/b.md")),
    ("fileset", [".", "sub/?.*"], names("sub/a.txt", "sub/b.md")),
    ("fileset", [".", "sub/[a-b].txt"], names("sub/a.txt")),
    ("fileset", [".", "sub/[^a].*"], names("sub/b.md")),
    ("fileset", [".", "\\[x\\].txt"], names("[x].txt")),
    ("fileset", [".", "a\\,b.txt"], names("a,b.txt")),
    ("fileset", [".", "[[]x].txt"], names("[x].txt")),
    ("fileset", [".", "sub/deep/c.txt"], names("sub/deep/c.txt")),
    ("fileset", [".", "./sub/../sub/a.txt"], names("sub/a.txt")),
    ("fileset", [".", "sub/"], names()),
    ("fileset", [".", "sub"], names()),
    ("fileset", ["sub", "../*.md"], names()),
    ("fileset", ["sub", "../h*.txt"], names("../hello.txt")),
    ("fileset", ["{root}/sub/a.txt", ""], names(".")),
    ("fileset", ["{root}/sub", "*.md"], names("b.md")),
    ("fileset", ["nowhere", "*"], names()),
    ("fileset", [".", "empty*/*"], names("empty/.keep")),
    ("fileset", [".", "*/.keep"], names("empty/.keep")),
    ("fileset", [".", "["], Err("failed to glob pattern ({root}/[): syntax error in pattern")),
    ("fileset", [".", "sub/[]"], Err("failed to glob pattern ({root}/sub/[]): syntax error in pattern")),
    ("fileset", [".", "sub/{a"], Err("failed to glob pattern ({root}/sub/{a): syntax error in pattern")),
    ("fileset", [".", "sub/a\\"], Err("failed to glob pattern ({root}/sub/a\\): syntax error in pattern")),
    ("fileset", [".", "nowhere/["], names()),  # the bad part is never reached
    # abspath: relative to the working directory
    ("abspath", ["x/../y"], s("{cwd}/y")),
    ("abspath", [""], s("{cwd}")),
    ("abspath", ["/a//b/./c/"], s("/a/b/c")),
    ("abspath", ["/.."], s("/")),
    # basename, dirname: filepath.Base and filepath.Dir
    ("basename", ["testdata/hello.txt"], s("hello.txt")),
    ("basename", ["a/b/"], s("b")),
    ("basename", [""], s(".")),
    ("basename", ["///"], s("/")),
    ("basename", ["hello.txt"], s("hello.txt")),
    ("dirname", ["testdata/hello.txt"], s("testdata")),
    ("dirname", ["a/b/"], s("a/b")),
    ("dirname", ["a"], s(".")),
    ("dirname", [""], s(".")),
    ("dirname", ["/a"], s("/")),
    ("dirname", ["//a//b"], s("/a")),
    ("dirname", ["../x/./y"], s("../x")),
    # pathexpand: the recorded HOME
    ("pathexpand", ["~"], s("{home}")),
    ("pathexpand", ["~/"], s("{home}")),
    ("pathexpand", ["~/x/../.ssh"], s("{home}/.ssh")),
    ("pathexpand", ["~\\x"], s("{home}/\\x")),
    ("pathexpand", ["a/~"], s("a/~")),
    ("pathexpand", [""], s("")),
    ("pathexpand", ["/etc/../x"], s("/etc/../x")),
    ("pathexpand", ["~bob/x"], Err("cannot expand user-specific home dir")),
]


def _fill(text: str, env: Env) -> str:
    return text.replace("{root}", str(env.root)).replace("{cwd}", str(env.cwd)).replace("{home}", str(env.home))


def _fill_value(v: Value, env: Env) -> Value:
    if v.ty == STR and v.known and v.raw is not None:
        return s(_fill(v.as_string(), env))
    return v


@pytest.mark.parametrize(("name", "args", "want"), [pytest.param(*c, id=f"{c[0]}{c[1]}") for c in CASES])
def test_call(name: str, args: list[str], want: Value | Err, env: Env) -> None:
    expected = Err(_fill(want.message, env)) if isinstance(want, Err) else _fill_value(want, env)
    assert run(name, [s(_fill(a, env)) for a in args], env) == expected


GENERIC = [
    ("file", [unknown(STR)], unknown(STR)),
    ("file", [unknown(T.DYNAMIC)], unknown(STR)),
    ("file", [null(STR)], Err("argument must not be null")),
    ("file", [sens(s("hello.txt"))], sens(s("Hello World"))),
    ("file", [list_of([s("a")])], Err("string required")),
    ("file", [], Err('arity: Function "file" expects 1 argument. Missing value for "path".')),
    ("file", [s("a"), s("b")], Err('arity: Function "file" expects only 1 argument.')),
    ("filebase64", [unknown(STR)], unknown(STR)),
    ("filebase64", [sens(s("local.txt"))], sens(b64(b"from the working directory"))),
    ("fileexists", [unknown(STR)], unknown(T.BOOL)),
    ("fileexists", [sens(s("hello.txt"))], sens(TRUE)),
    ("fileexists", [null(STR)], Err("argument must not be null")),
    ("fileset", [s("."), unknown(STR)], unknown(T.Set(STR))),
    ("fileset", [sens(s("sub")), s("*.md")], sens(names("b.md"))),
    ("fileset", [s(".")], Err('arity: Function "fileset" expects 2 arguments. Missing value for "pattern".')),
    ("fileset", [null(STR), s("*")], Err("argument must not be null")),
    ("basename", [unknown(STR)], unknown(STR)),
    ("basename", [number(12)], s("12")),
    ("basename", [sens(s("a/b"))], sens(s("b"))),
    ("dirname", [null(STR)], Err("argument must not be null")),
    ("abspath", [unknown(STR)], unknown(STR)),
    ("pathexpand", [sens(s("~"))], sens(s("{home}"))),
]


@pytest.mark.parametrize(("name", "args", "want"), [pytest.param(*c, id=f"{c[0]}{c[1]}") for c in GENERIC])
def test_generic(name: str, args: list[Value], want: Value | Err, env: Env) -> None:
    if isinstance(want, Value) and want.ty == STR and want.known and want.raw is not None:
        want = s(_fill(want.as_string(), env)).with_marks(want.marks)
    assert run(name, args, env) == want


def test_case_count() -> None:
    assert len(CASES) + len(GENERIC) >= 110


# ------------------------------------------------------------------ recording


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_reads_are_recorded(env: Env) -> None:
    FUNCTIONS["file"].call([s("hello.txt")], env.ctx)
    FUNCTIONS["file"].call([s("./sub/deep/c.txt")], env.ctx)
    FUNCTIONS["file"].call([s("~/.netrc")], env.ctx)
    FUNCTIONS["filebase64"].call([s(str(env.root / "icon.png"))], env.ctx)
    FUNCTIONS["filebase64"].call([s("local.txt")], env.ctx)
    with pytest.raises(FunctionError):
        FUNCTIONS["file"].call([s("binary.dat")], env.ctx)  # read, then refused: still an input
    files = env.inputs.files
    assert {k: r.digest for k, r in files.items()} == {
        "hello.txt": _digest(FILES["hello.txt"]),
        "sub/deep/c.txt": _digest(FILES["sub/deep/c.txt"]),
        # outside the template root: named relative to it, so another checkout names it the same
        os.path.relpath(env.home / ".netrc", env.root): _digest(b"machine example.com"),
        "icon.png": _digest(FILES["icon.png"]),
        os.path.relpath(env.cwd / "local.txt", env.root): _digest(b"from the working directory"),
        "binary.dat": _digest(FILES["binary.dat"]),
    }
    # modes as git records them: executable or not
    assert files["hello.txt"].mode == (0o755 if (env.root / "hello.txt").stat().st_mode & 0o111 else 0o644)


def test_missing_files_record_nothing(env: Env) -> None:
    for name in ("file", "filebase64"):
        with pytest.raises(FunctionError):
            FUNCTIONS[name].call([s("nope.txt")], env.ctx)
    assert env.inputs.files == {}


def test_checks_and_listings_are_recorded(env: Env) -> None:
    FUNCTIONS["fileexists"].call([s("hello.txt")], env.ctx)
    FUNCTIONS["fileexists"].call([s("nope.txt")], env.ctx)
    FUNCTIONS["fileset"].call([s("sub"), s("**/*.txt")], env.ctx)
    FUNCTIONS["fileset"].call([s("."), s("sub/deep/*.json")], env.ctx)
    FUNCTIONS["pathexpand"].call([s("~/x")], env.ctx)
    used = env.inputs.env_used
    assert used["exists:hello.txt"] == "true"
    assert used["exists:nope.txt"] == "false"
    assert used["fileset:sub:**/*.txt"] == "a.txt\ndeep/c.txt"
    assert used["fileset:sub/deep:*.json"] == "d.json"
    assert used["HOME"] == str(env.home)
    assert env.inputs.files == {}


def test_no_home(tmp_path: Path) -> None:
    ctx = CallContext(Inputs(root=tmp_path, env={}))
    with pytest.raises(FunctionError, match=r"^HOME is not set$"):
        FUNCTIONS["pathexpand"].call([s("~/x")], ctx)
    with pytest.raises(FunctionError, match=r"^failed to expand ~: HOME is not set$"):
        FUNCTIONS["file"].call([s("~/x")], ctx)
    assert FUNCTIONS["pathexpand"].call([s("x")], ctx) == s("x")


def test_needs_inputs() -> None:
    for name in ("file", "filebase64", "fileexists", "abspath"):
        with pytest.raises(FunctionError, match=f"^{name} is not available here"):
            FUNCTIONS[name].call([s("x")], CallContext())
    with pytest.raises(FunctionError, match=r"^fileset is not available here"):
        FUNCTIONS["fileset"].call([s("."), s("*")], CallContext())
    assert FUNCTIONS["basename"].call([s("a/b")]) == s("b")
    assert FUNCTIONS["pathexpand"].call([s("a/b")]) == s("a/b")


def test_fileexists_other_kinds(env: Env) -> None:
    fifo = env.root / "pipe"
    os.mkfifo(fifo)
    (env.root / "sticky").mkdir(mode=0o755)
    (env.root / "sticky").chmod(0o1777)
    (env.root / "link").symlink_to("hello.txt")
    (env.root / "broken").symlink_to("nothing")
    assert run("fileexists", [s("pipe")], env) == Err(f'{fifo} is not a regular file, but "p{_perms(fifo)}"')
    assert run("fileexists", [s("sticky")], env) == Err(f'{env.root}/sticky is not a regular file, but "dtrwxrwxrwx"')
    assert run("fileexists", [s("link")], env) == TRUE
    assert run("fileexists", [s("broken")], env) == FALSE
    assert run("file", [s("link")], env) == s("Hello World")


def _perms(path: Path) -> str:
    mode = path.stat().st_mode
    return "".join(c if mode & (1 << (8 - i)) else "-" for i, c in enumerate("rwxrwxrwx"))


# ------------------------------------------------------------------ properties


@given(st.text(alphabet="ab./", max_size=12))
def test_clean_is_idempotent_and_matches_posix(path: str) -> None:
    cleaned = go_clean(path)
    assert go_clean(cleaned) == cleaned
    if not path.startswith("//"):
        assert cleaned == os.path.normpath(path) if path else cleaned == "."
    assert go_dir(path) == go_clean(go_dir(path))
    assert "/" not in go_base(path) or go_base(path) == "/"


@given(st.text(alphabet="abc.", min_size=1, max_size=8), st.text(alphabet="abc.", min_size=1, max_size=8))
def test_literal_patterns_match_themselves_only(pattern: str, name: str) -> None:
    assert (match_component(pattern, name) == []) == (pattern == name)


@given(st.text(alphabet="abc", max_size=8))
def test_star_matches_everything(name: str) -> None:
    if name:
        assert match_component("*", name) == []
        assert match_component("**", name) == []
