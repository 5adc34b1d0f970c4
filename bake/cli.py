"""The bake command line: argv in, compiler/runtime calls, rendering and exit codes out."""

from __future__ import annotations

import difflib
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from bake.compiler import diagnostics as dg
from bake.compiler.source import SourceText

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2
EXIT_UNFORMATTED = 3
EXIT_REFUSED = 3

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
            problems.append(dg.error("No such file or directory", f"There is no file or folder at {given!r}.", None))
    return files, problems


def _emit(diags: Sequence[dg.Diagnostic], sources: Mapping[str, SourceText], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        return
    for d in diags:
        sys.stderr.write(dg.render_text(d, sources))
        sys.stderr.write("\n")


def _template_options(var: list[str] | None, var_file: list[str] | None, strict: bool = False) -> object:
    from bake.compiler.packer.config import Options

    ordered: list[tuple[str, str]] = []
    # typer gives each option's values in order; Packer applies -var-file before -var within one kind,
    # but across kinds the command line order decides; recover it from sys.argv.
    argv = _ARGV
    pending_vars = list(var or [])
    pending_files = list(var_file or [])
    k = 0
    while k < len(argv):
        arg = argv[k]
        for flag, kind, pending in (("--var", "var", pending_vars), ("--var-file", "file", pending_files)):
            if arg == flag and k + 1 < len(argv) and pending and argv[k + 1] == pending[0]:
                ordered.append((kind, pending.pop(0)))
                k += 1
            elif arg.startswith(flag + "=") and pending and arg[len(flag) + 1 :] == pending[0]:
                ordered.append((kind, pending.pop(0)))
        k += 1
    ordered += [("file", f) for f in pending_files] + [("var", v) for v in pending_vars]
    for kind, item in ordered:
        if kind == "var" and "=" not in item:
            sys.stderr.write(f'Error: -var expects NAME=VALUE, got "{item}"\n')
            raise typer.Exit(EXIT_USAGE)
    return Options(ordered=ordered, strict=strict)


@app.command()
def validate(
    paths: Annotated[list[str], typer.Argument(help="Template files or folders.", show_default=False)],
    syntax_only: Annotated[bool, typer.Option("--syntax-only", help="Only check HCL syntax.")] = False,
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.text,
    var: Annotated[list[str] | None, typer.Option("--var", help="Set a variable: NAME=VALUE.")] = None,
    var_file: Annotated[list[str] | None, typer.Option("--var-file", help="Read variable values from a file.")] = None,
) -> None:
    """Check templates and report every problem with its position."""
    diags: list[dg.Diagnostic] = []
    sources: dict[str, SourceText] = {}
    if syntax_only:
        from bake.compiler.hcl.parser import parse

        files, diags = _config_files(paths)
        for name in files:
            try:
                data = Path(name).read_bytes()
            except OSError as exc:
                diags.append(dg.error("Cannot read file", f"{name}: {exc.strerror}", None))
                continue
            result = parse(data, name)
            sources[name] = result.source
            diags.extend(result.diagnostics)
    else:
        from bake.compiler.packer.config import load

        options = _template_options(var, var_file, strict=True)
        for path in paths:
            _template, more, texts = load(path, options)  # type: ignore[arg-type]
            diags.extend(more)
            sources.update({k: v for k, v in texts.items() if isinstance(v, SourceText)})
    valid = not dg.has_errors(diags)
    if output is OutputFormat.json:
        doc = {"valid": valid, "diagnostics": [dg.to_json_obj(d) for d in diags]}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    else:
        _emit(diags, sources, output)
        if valid:
            sys.stdout.write("The configuration is valid.\n")
    raise typer.Exit(EXIT_OK if valid else EXIT_ERRORS)


@app.command()
def inspect(
    path: Annotated[str, typer.Argument(help="A template file or folder.", show_default=False)],
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.text,
    var: Annotated[list[str] | None, typer.Option("--var", help="Set a variable: NAME=VALUE.")] = None,
    var_file: Annotated[list[str] | None, typer.Option("--var-file", help="Read variable values from a file.")] = None,
) -> None:
    """Show a template's variables, locals and builds as bake evaluates them."""
    from bake.compiler.packer.config import load
    from bake.compiler.packer.inspect import inspect_json, inspect_text

    template, diags, texts = load(path, _template_options(var, var_file))  # type: ignore[arg-type]
    sources = {k: v for k, v in texts.items() if isinstance(v, SourceText)}
    _emit(diags, sources, OutputFormat.text)
    if template is None or dg.has_errors(diags):
        raise typer.Exit(EXIT_ERRORS)
    if output is OutputFormat.json:
        sys.stdout.write(json.dumps(inspect_json(template), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(inspect_text(template))
    raise typer.Exit(EXIT_OK)


@app.command()
def console(
    path: Annotated[
        str | None, typer.Argument(help="A template file or folder to evaluate in.", show_default=False)
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.text,
    var: Annotated[list[str] | None, typer.Option("--var", help="Set a variable: NAME=VALUE.")] = None,
    var_file: Annotated[list[str] | None, typer.Option("--var-file", help="Read variable values from a file.")] = None,
) -> None:
    """Evaluate one expression per line of standard input (in the template's context with PATH)."""
    from bake.compiler.cty import values as V
    from bake.compiler.functions import all_functions
    from bake.compiler.hcl.eval import Scope, evaluate
    from bake.compiler.hcl.parser import parse_expression
    from bake.compiler.packer.inspect import value_json

    if path is not None:
        from bake.compiler.packer.config import console_scope

        scope, diags, texts = console_scope(path, _template_options(var, var_file))  # type: ignore[arg-type]
        if scope is None:
            _emit(diags, {k: v for k, v in texts.items() if isinstance(v, SourceText)}, OutputFormat.text)
            raise typer.Exit(EXIT_ERRORS)
    else:
        scope = Scope({}, all_functions())
    failed = False
    for number, line in enumerate(sys.stdin, start=1):
        text = line.strip()
        if not text:
            continue
        name = f"<console input {number}>"
        parsed = parse_expression(text, name)
        diags = list(parsed.diagnostics)
        value = None
        if parsed.expr is not None and parsed.ok:
            value, more = evaluate(parsed.expr, scope)
            diags.extend(more)
        if dg.has_errors(diags) or value is None:
            failed = True
            first = next(d for d in diags if d.is_error)
            if output is OutputFormat.json:
                message = f"{first.summary}: {first.detail}" if first.detail else first.summary
                sys.stdout.write(json.dumps({"error": message}, ensure_ascii=False) + "\n")
            else:
                _emit([d for d in diags if d.is_error], {name: parsed.source}, OutputFormat.text)
            continue
        if output is OutputFormat.json:
            sys.stdout.write(json.dumps({"value": value_json(value)}, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(V.render(value) + "\n")
        sys.stdout.flush()
    raise typer.Exit(EXIT_ERRORS if failed else EXIT_OK)


class PlanFormat(StrEnum):
    """Output formats for plans."""

    text = "text"
    json = "json"
    markdown = "markdown"


def _cached_keys(keys: list[str]) -> set[str]:
    """Keys present in the local layer cache index (none when there is no cache yet)."""
    import sqlite3

    root = Path(os.environ.get("BAKE_CACHE_DIR") or Path.home() / ".cache" / "bake")
    index = root / "index.sqlite"
    if not index.is_file() or not keys:
        return set()
    try:
        con = sqlite3.connect(f"file:{index}?mode=ro", uri=True, timeout=2)
        try:
            rows = con.execute(f"SELECT key FROM layers WHERE key IN ({','.join('?' * len(keys))})", keys).fetchall()
        finally:
            con.close()
    except sqlite3.Error:
        return set()
    return {r[0] for r in rows}


def _read_plan(path: str) -> object:
    from bake.compiler import planfile as pf

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        sys.stderr.write(f"Error: cannot read {path}: {exc.strerror}\n")
        raise typer.Exit(EXIT_REFUSED) from None
    try:
        return pf.decode(data, path)
    except pf.PlanError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        raise typer.Exit(EXIT_REFUSED) from None


def _render_plan(plan: object, output: PlanFormat, old: object | None = None) -> None:
    from bake.compiler import planview

    keys = [s.key for b in plan.builds for s in b.steps]  # type: ignore[attr-defined]
    cached = _cached_keys(keys)
    if output is PlanFormat.json:
        sys.stdout.write(json.dumps(planview.render_json(plan, cached, old), indent=2) + "\n")  # type: ignore[arg-type]
    elif output is PlanFormat.markdown:
        sys.stdout.write(planview.render_markdown(plan, cached, old))  # type: ignore[arg-type]
    else:
        sys.stdout.write(planview.render_text(plan, cached, old))  # type: ignore[arg-type]


@app.command()
def plan(
    path: Annotated[str, typer.Argument(help="A template file or folder.", show_default=False)],
    out: Annotated[str | None, typer.Option("--out", help="Write the plan file here.")] = None,
    output: Annotated[PlanFormat, typer.Option("--format", help="How to show the plan.")] = PlanFormat.text,
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 2 when anything must be built.")
    ] = False,
    compare: Annotated[str | None, typer.Option("--compare", help="Mark the steps changed since this plan.")] = None,
    var: Annotated[list[str] | None, typer.Option("--var", help="Set a variable: NAME=VALUE.")] = None,
    var_file: Annotated[list[str] | None, typer.Option("--var-file", help="Read variable values from a file.")] = None,
    only: Annotated[list[str] | None, typer.Option("--only", help="Plan only the builds matching these globs.")] = None,
    except_: Annotated[
        list[str] | None, typer.Option("--except", help="Leave out builds matching these globs.")
    ] = None,
) -> None:
    """Compile a template into a reviewable, content-hashed plan."""
    from bake.compiler import planfile as pf
    from bake.compiler.packer.config import load
    from bake.compiler.planner import make_plan

    old = _read_plan(compare) if compare else None
    template, diags, texts = load(path, _template_options(var, var_file, strict=True))  # type: ignore[arg-type]
    sources = {k: v for k, v in texts.items() if isinstance(v, SourceText)}
    if template is None or dg.has_errors(diags):
        _emit(diags, sources, OutputFormat.text)
        raise typer.Exit(EXIT_ERRORS)
    globs_only = [g for item in (only or []) for g in item.split(",") if g]
    globs_except = [g for item in (except_ or []) for g in item.split(",") if g]
    the_plan, more = make_plan(template, path, globs_only, globs_except)
    _emit([*diags, *more], sources, OutputFormat.text)
    if the_plan is None or dg.has_errors(more):
        raise typer.Exit(EXIT_ERRORS)
    if out:
        tmp = Path(out + ".tmp")
        tmp.write_bytes(pf.encode(the_plan))
        os.replace(tmp, out)
    _render_plan(the_plan, output, old)
    if detailed_exitcode:
        cached = _cached_keys([s.key for b in the_plan.builds for s in b.steps])
        pending = any(s.key not in cached for b in the_plan.builds for s in b.steps)
        raise typer.Exit(2 if pending else EXIT_OK)
    raise typer.Exit(EXIT_OK)


@app.command()
def show(
    plan_file: Annotated[str, typer.Argument(metavar="PLAN", help="A plan file.", show_default=False)],
    output: Annotated[PlanFormat, typer.Option("--format", help="How to show the plan.")] = PlanFormat.text,
) -> None:
    """Render a saved plan."""
    _render_plan(_read_plan(plan_file), output)
    raise typer.Exit(EXIT_OK)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="The earlier plan file.", show_default=False)],
    new: Annotated[str, typer.Argument(metavar="NEW", help="The later plan file.", show_default=False)],
) -> None:
    """Say which steps' keys changed between two plans, and which inputs caused it."""
    from bake.compiler import planview

    a, b = _read_plan(old), _read_plan(new)
    sys.stdout.write(planview.render_diff(a, b))  # type: ignore[arg-type]
    raise typer.Exit(EXIT_OK)


@app.command("_reveal", hidden=True)
def reveal_command(
    plan_file: Annotated[str, typer.Argument(metavar="PLAN", show_default=False)],
    var: Annotated[list[str] | None, typer.Option("--var")] = None,
) -> None:
    """Internal: bake apply's child process that obtains a plan's secrets again (JSON on stdout)."""
    from bake.compiler.reveal import RevealError, reveal

    try:
        doc = reveal(plan_file, var or [])
    except RevealError as exc:
        sys.stderr.write(f"{exc}\n")
        raise typer.Exit(EXIT_REFUSED) from None
    sys.stdout.write(json.dumps(doc))
    raise typer.Exit(EXIT_OK)


class OnError(StrEnum):
    """What to do with a failed build's machine."""

    cleanup = "cleanup"
    abort = "abort"


@app.command()
def apply(
    plan_file: Annotated[
        str, typer.Argument(metavar="PLAN", help="A plan file made by bake plan.", show_default=False)
    ],
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Run every step, ignoring cached layers.")] = False,
    on_error: Annotated[
        OnError, typer.Option("--on-error", help="cleanup (default) or abort: keep the container.")
    ] = OnError.cleanup,
    parallel_builds: Annotated[
        int, typer.Option("--parallel-builds", min=0, help="How many builds at once (0: all).")
    ] = 0,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text, or json: one event per line.")
    ] = OutputFormat.text,
    var: Annotated[
        list[str] | None, typer.Option("--var", help="Give a sensitive value again (NAME=VALUE), as when planning.")
    ] = None,
    audit_log: Annotated[
        str, typer.Option("--audit-log", help="The audit log to append to (default: .bake/audit.jsonl there).")
    ] = "",
    sign_key: Annotated[
        str, typer.Option("--sign-key", help="An ed25519 private key (PEM): sign provenance as DSSE envelopes.")
    ] = "",
) -> None:
    """Apply exactly a reviewed plan: verified first, every step run once, cached as a layer."""
    from bake.runtime.apply import ApplyOptions, apply_plan

    options = ApplyOptions(
        no_cache, on_error.value, parallel_builds, output is OutputFormat.json, list(var or []), audit_log, sign_key
    )
    raise typer.Exit(apply_plan(plan_file, options))


@app.command()
def verify(
    plan_file: Annotated[
        str, typer.Argument(metavar="PLAN", help="An applied plan file.", show_default=False)
    ],
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text, or json: one event per line.")
    ] = OutputFormat.text,
    var: Annotated[
        list[str] | None, typer.Option("--var", help="Give a sensitive value again (NAME=VALUE), as when planning.")
    ] = None,
    audit_log: Annotated[
        str, typer.Option("--audit-log", help="Where the applied digests were recorded (default: .bake/audit.jsonl).")
    ] = "",
) -> None:
    """Rebuild a plan without the cache in a temporary place and compare with the recorded artifacts."""
    from bake.runtime.reproduce import verify_plan

    raise typer.Exit(verify_plan(plan_file, output is OutputFormat.json, list(var or []), audit_log))


cache_app = typer.Typer(help="Look after the layer cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


def _remove_layer(entry: Any) -> None:
    """Delete what a cache entry points at (a docker image for the docker builder)."""
    if getattr(entry, "builder", "") == "docker":
        import contextlib

        import docker

        # already gone, or the engine is not running: the index entry goes anyway
        with contextlib.suppress(docker.errors.DockerException):
            docker.from_env().images.remove(getattr(entry, "layer", ""), force=True, noprune=False)


@cache_app.command("ls")
def cache_ls_command(
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text, or json: one entry per line.")
    ] = OutputFormat.text,
) -> None:
    """List cached layers, most recently used first."""
    from bake.runtime.cache import CacheError
    from bake.runtime.cachecli import cache_ls

    try:
        sys.stdout.write(cache_ls(output.value))
    except CacheError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        raise typer.Exit(EXIT_ERRORS) from None
    raise typer.Exit(EXIT_OK)


@cache_app.command("prune")
def cache_prune_command(
    older_than: Annotated[
        str | None, typer.Option("--older-than", help='Remove layers unused for this long ("7d").')
    ] = None,
    max_size: Annotated[
        str | None, typer.Option("--max-size", help='Then shrink the cache to this size ("10G").')
    ] = None,
) -> None:
    """Remove old layers, least recently used first."""
    from bake.runtime.cache import CacheError
    from bake.runtime.cachecli import cache_prune

    try:
        sys.stdout.write(cache_prune(older_than, max_size, remove=_remove_layer))
    except ValueError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        raise typer.Exit(EXIT_USAGE) from None
    except CacheError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        raise typer.Exit(EXIT_ERRORS) from None
    raise typer.Exit(EXIT_OK)


audit_app = typer.Typer(help="Read and check the audit log of applies and builds.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")

_DEFAULT_AUDIT_LOG = os.path.join(".bake", "audit.jsonl")
AuditLogOption = Annotated[
    str, typer.Option("--audit-log", metavar="FILE", help="The audit log (default: .bake/audit.jsonl).")
]


@audit_app.command("ls")
def audit_ls_command(
    audit_log: AuditLogOption = _DEFAULT_AUDIT_LOG,
    output: Annotated[
        OutputFormat, typer.Option("--format", help='text, or json: {"records": [...]}.')
    ] = OutputFormat.text,
) -> None:
    """List the audit log's records, oldest first."""
    from bake.runtime.audit import AuditError
    from bake.runtime.auditcli import audit_ls

    try:
        sys.stdout.write(audit_ls(Path(audit_log), output.value))
    except AuditError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        raise typer.Exit(EXIT_ERRORS) from None
    raise typer.Exit(EXIT_OK)


@audit_app.command("verify")
def audit_verify_command(
    audit_log: AuditLogOption = _DEFAULT_AUDIT_LOG,
    key: Annotated[
        str | None,
        typer.Option("--key", metavar="PUBLIC_KEY_PEM", help="Check signatures with this key, not the recorded ones."),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text, or json: ok, records, head, problems.")
    ] = OutputFormat.text,
) -> None:
    """Check the audit log's hash chain and the provenance files it names; exit 1 at the first bad record."""
    from bake.runtime.audit import AuditError
    from bake.runtime.auditcli import audit_verify

    try:
        code, text = audit_verify(Path(audit_log), output.value, Path(key) if key is not None else None)
    except AuditError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        raise typer.Exit(EXIT_ERRORS) from None
    sys.stdout.write(text)
    raise typer.Exit(code)


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
    "parallel-builds", "audit-log", "compare", "older-than", "max-size", "key", "sign-key",
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


_ARGV: list[str] = []


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `bake` command."""
    args = normalize_argv(sys.argv[1:] if argv is None else argv)
    _ARGV[:] = args  # -var and -var-file apply in command-line order, across both options
    try:
        app(args=args, prog_name="bake", standalone_mode=True)
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
