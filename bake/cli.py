"""The bake command line: argv in, compiler/runtime calls, rendering and exit codes out."""

from __future__ import annotations

import difflib
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bake.compiler import diagnostics as dg
from bake.compiler.source import SourceText

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2
EXIT_UNFORMATTED = 3

CONFIG_SUFFIXES = (".pkr.hcl", ".pkrvars.hcl")

app = typer.Typer(
    name="bake",
    help="Build machine images from Packer HCL2 templates: plan, then apply.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    """Output formats for diagnostics."""

    text = "text"
    json = "json"


def _config_files(paths: Iterable[str], recursive: bool = False) -> tuple[list[str], list[dg.Diagnostic]]:
    """Expand files and folders into configuration files, keeping each path as the user gave it."""
    files: list[str] = []
    problems: list[dg.Diagnostic] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            walker = sorted(p.rglob("*")) if recursive else sorted(p.iterdir())
            for child in walker:
                if child.is_file() and child.name.endswith(CONFIG_SUFFIXES):
                    files.append(os.path.join(given, str(child.relative_to(p))))
        elif p.is_file():
            files.append(given)
        else:
            problems.append(dg.error(
                "No such file or directory", f"There is no file or folder at {given!r}.", None
            ))
    return files, problems


def _emit(diags: Sequence[dg.Diagnostic], sources: Mapping[str, SourceText], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        return
    for d in diags:
        sys.stderr.write(dg.render_text(d, sources))
        sys.stderr.write("\n")


@app.command()
def validate(
    paths: Annotated[list[str], typer.Argument(help="Template files or folders.", show_default=False)],
    syntax_only: Annotated[bool, typer.Option("--syntax-only", help="Only check HCL syntax.")] = False,
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.text,
) -> None:
    """Check templates and report every problem with its position."""
    from bake.compiler.hcl.parser import parse

    files, diags = _config_files(paths)
    sources: dict[str, SourceText] = {}
    for name in files:
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            diags.append(dg.error("Cannot read file", f"{name}: {exc.strerror}", None))
            continue
        result = parse(data, name)
        sources[name] = result.source
        diags.extend(result.diagnostics)
    if not syntax_only:
        diags.append(dg.warning(
            "Only syntax was checked",
            "Template evaluation is not implemented yet; this run checked HCL syntax only.",
            None,
        ))
    valid = not dg.has_errors(diags)
    if output is OutputFormat.json:
        doc = {"valid": valid, "diagnostics": [dg.to_json_obj(d) for d in diags]}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    else:
        _emit(diags, sources, output)
        if valid:
            sys.stdout.write("The configuration is valid.\n")
    raise typer.Exit(EXIT_OK if valid else EXIT_ERRORS)


@app.command("fmt")
def fmt_command(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin.", show_default=False)],
    check: Annotated[bool, typer.Option("--check", help="Exit 3 if any file is not formatted; write nothing.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff of the changes.")] = False,
    recursive: Annotated[bool, typer.Option("--recursive", help="Also format files in subfolders.")] = False,
    write: Annotated[bool, typer.Option("--write/--no-write", help="Write changes back to the files.")] = True,
) -> None:
    """Rewrite templates in the canonical layout `packer fmt` produces."""
    from bake.compiler.hcl.format import format_source
    from bake.compiler.hcl.parser import parse

    if paths == ["-"]:
        data = sys.stdin.buffer.read()
        result = parse(data, "<stdin>")
        if not result.ok:
            _emit(result.diagnostics, {"<stdin>": result.source}, OutputFormat.text)
            raise typer.Exit(EXIT_ERRORS)
        formatted = format_source(result.source.text, "<stdin>")
        if check:
            raise typer.Exit(EXIT_OK if formatted == result.source.text else EXIT_UNFORMATTED)
        if diff:
            sys.stdout.write(_diff("<stdin>", result.source.text, formatted))
        else:
            sys.stdout.write(formatted)
        raise typer.Exit(EXIT_OK)
    files, problems = _config_files(paths, recursive)
    failed = bool(problems)
    _emit(problems, {}, OutputFormat.text)
    unformatted = False
    for name in files:
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            _emit([dg.error("Cannot read file", f"{name}: {exc.strerror}", None)], {}, OutputFormat.text)
            failed = True
            continue
        result = parse(data, name)
        if not result.ok:
            _emit(result.diagnostics, {name: result.source}, OutputFormat.text)
            failed = True
            continue
        formatted = format_source(result.source.text, name)
        if formatted == result.source.text:
            continue
        unformatted = True
        sys.stdout.write(name + "\n")
        if diff:
            sys.stdout.write(_diff(name, result.source.text, formatted))
        if write and not check:
            tmp = Path(name + ".bake-fmt.tmp")
            tmp.write_bytes(formatted.encode("utf-8", "surrogateescape"))
            os.replace(tmp, name)
    if failed:
        raise typer.Exit(EXIT_ERRORS)
    if check and unformatted:
        raise typer.Exit(EXIT_UNFORMATTED)
    raise typer.Exit(EXIT_OK)


def _diff(name: str, old: str, new: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"old/{name}", f"new/{name}"
    )
    return "".join(lines)


# Packer spells long options with one dash (-syntax-only, -var-file=x); accept both.
_LONG_OPTIONS = {
    "syntax-only", "format", "check", "diff", "recursive", "write", "no-write", "var", "var-file",
    "only", "except", "out", "help", "detailed-exitcode", "no-cache", "on-error",
    "parallel-builds", "audit-log",
}  # fmt: skip


_BOOL_OPTIONS = {"syntax-only", "check", "diff", "recursive", "write", "detailed-exitcode", "no-cache"}
_NEGATABLE = {"write"}


def normalize_argv(argv: Sequence[str]) -> list[str]:
    """Rewrite Packer-style `-option[=value]` (and `-flag=true|false`) into GNU spelling."""
    out: list[str] = []
    passthrough = False
    for arg in argv:
        if passthrough or arg == "-" or not arg.startswith("-"):
            out.append(arg)
            passthrough = passthrough or arg == "--"
            continue
        bare = arg.lstrip("-")
        name, eq, value = bare.partition("=")
        if arg.startswith("--") and name not in _BOOL_OPTIONS:
            out.append(arg)
            continue
        if name not in _LONG_OPTIONS:
            out.append(arg)
            continue
        if name in _BOOL_OPTIONS and eq:
            if value.lower() in ("true", "1", "yes"):
                out.append("--" + name)
            elif value.lower() in ("false", "0", "no"):
                if name in _NEGATABLE:
                    out.append("--no-" + name)
            else:
                out.append("--" + bare)  # let the option parser report the bad value
            continue
        out.append("--" + bare)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `bake` command."""
    args = normalize_argv(sys.argv[1:] if argv is None else argv)
    try:
        app(args=args, prog_name="bake", standalone_mode=True)
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        raise SystemExit(130) from None
