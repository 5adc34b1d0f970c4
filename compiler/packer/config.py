"""Decode a Packer template folder: variables, locals, data sources, sources and builds, evaluated."""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import msgspec

from .. import diagnostics as dg
from ..cty import types as T
from ..cty import values as V
from ..cty.convert import ConversionError, convert
from ..cty.values import Value
from ..functions import all_functions
from ..functions.base import CallContext, Function, Param
from ..hcl import syntax as sx
from ..hcl.eval import EvalFailed, Scope, evaluate
from ..hcl.parser import parse, parse_expression, parse_template
from ..hcl.typeexpr import Defaults, TypeExprError, apply_defaults, type_constraint
from ..inputs import InputError, Inputs
from ..source import Range, SourceText
from . import PACKER_COMPAT_VERSION, schemas
from .refs import references

TEMPLATE_SUFFIX = ".pkr.hcl"
VARFILE_SUFFIX = ".pkrvars.hcl"
AUTO_VARFILE_SUFFIX = ".auto.pkrvars.hcl"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")

# Fields of `build` known only when a build runs (Packer fills them in per builder).
BUILD_RUNTIME_FIELDS = (
    "ID", "Host", "Port", "User", "Password", "SSHPublicKey", "SSHPrivateKey", "SSHAgentAuth", "WinRMPassword",
    "ConnType", "PackerRunUUID", "PackerHTTPAddr", "PackerHTTPIP", "PackerHTTPPort", "SourceAMI", "SourceAMIName",
    "SourceAMIOwner", "SourceAMIOwnerName", "SourceAMICreationDate", "SourceImageName", "SourceImageID",
)  # fmt: skip


def _env_impl(args: Sequence[Value], ctx: CallContext) -> Value:
    value = ctx.require_inputs("env").env(args[0].as_string())
    return V.string(value or "")


ENV_FUNCTION = Function("env", [Param("key", T.STRING)], T.STRING, _env_impl, impure=True)


class Diags(list[dg.Diagnostic]):
    """A list of diagnostics with helpers."""

    def error(self, summary: str, detail: str, rng: Range | None) -> None:
        self.append(dg.error(summary, detail, rng))

    def warn(self, summary: str, detail: str, rng: Range | None) -> None:
        self.append(dg.warning(summary, detail, rng))

    def failed(self) -> bool:
        """Whether any error was reported (a method: the answer changes as stages run)."""
        return dg.has_errors(self)


class Validation(msgspec.Struct, frozen=True):
    """A variable's validation rule."""

    condition: sx.Expr
    error_message: sx.Expr
    range: Range


class Variable(msgspec.Struct):
    """A declared input variable and the value it ended up with."""

    name: str
    range: Range
    type: T.Type = T.DYNAMIC
    defaults: Defaults | None = None
    default: Value | None = None
    description: str = ""
    sensitive: bool = False
    nullable: bool = True
    validations: list[Validation] = msgspec.field(default_factory=list)
    value: Value | None = None
    source: str = "default"  # default, env, varfile, arg
    origin: str = "default"  # where the value came from, for the plan: env:PKR_VAR_x, var-file:<path>, arg

    def marked(self) -> Value:
        """The value as expressions see it (sensitive values are marked)."""
        v = self.value if self.value is not None else V.DYNAMIC_UNKNOWN
        return v.with_marks([V.SENSITIVE]) if self.sensitive else v


class Local(msgspec.Struct):
    """A local value's expression and result."""

    name: str
    expr: sx.Expr
    range: Range
    sensitive: bool = False
    value: Value | None = None


class Source(msgspec.Struct):
    """A top-level `source "type" "name" {}` block."""

    type: str
    name: str
    block: sx.Block


class Provisioner(msgspec.Struct):
    """A provisioner (or post-processor) as it applies to one source of one build."""

    type: str
    name: str
    config: dict[str, Value]
    range: Range
    supported: bool = True
    pause_before: str | None = None
    max_retries: int | None = None
    timeout: str | None = None
    keep_input_artifact: bool | None = None


class BuildSource(msgspec.Struct):
    """One source of one build: what Packer calls a build, named `build.type.name`."""

    full_name: str
    type: str
    name: str
    config: dict[str, Value]
    range: Range
    supported: bool = True  # bake has a driver for the builder and every step
    provisioners: list[Provisioner] = msgspec.field(default_factory=list)
    error_cleanup: Provisioner | None = None
    post_processors: list[list[Provisioner]] = msgspec.field(default_factory=list)


class Build(msgspec.Struct):
    """A `build {}` block."""

    name: str
    description: str
    range: Range
    sources: list[BuildSource] = msgspec.field(default_factory=list)


class Template(msgspec.Struct):
    """A decoded and evaluated template folder."""

    root: str
    files: list[str]
    variables: dict[str, Variable]
    locals: dict[str, Local]
    data: dict[str, Value]
    builds: list[Build]
    required_plugins: dict[str, Value]
    required_version: str | None
    inputs: Inputs | None = None  # what was read to decode it (files, environment, clock)


class Options(msgspec.Struct):
    """What the command line adds: -var-file and -var in order, -only/-except, the environment."""

    var_files: list[str] = msgspec.field(default_factory=list)
    vars: list[tuple[str, str]] = msgspec.field(default_factory=list)
    # Command-line order of -var and -var-file: ("file", path) or ("var", "name=value").
    ordered: list[tuple[str, str]] = msgspec.field(default_factory=list)
    env: dict[str, str] | None = None
    strict: bool = False  # validate: undeclared variables in var files are errors, unset ones too
    source_date_epoch: int | None = None


# ---------------------------------------------------------------------- loading


def template_files(path: str) -> tuple[list[str], list[str], Diags]:
    """The template files and auto var files of a file or folder, as Packer picks them."""
    diags = Diags()
    p = Path(path)
    if p.is_dir():
        names = sorted(os.listdir(p))
        hcl = [os.path.join(path, n) for n in names if n.endswith(TEMPLATE_SUFFIX) and (p / n).is_file()]
        auto = [os.path.join(path, n) for n in names if n.endswith(AUTO_VARFILE_SUFFIX) and (p / n).is_file()]
        if not hcl:
            diags.error("No template files", f"There are no {TEMPLATE_SUFFIX} files in {path}.", None)
        return hcl, auto, diags
    if p.is_file():
        return [path], [], diags
    diags.error("No such file or directory", f"There is no file or folder at {path!r}.", None)
    return [], [], diags


class _Loader:
    def __init__(self, path: str, options: Options) -> None:
        self.path = path
        self.options = options
        p = Path(path)
        self.root = str(p if p.is_dir() else (p.parent if str(p.parent) else Path(".")))
        self.inputs = Inputs(self.root, env=options.env, source_date_epoch=options.source_date_epoch)
        self.diags = Diags()
        self.sources_text: dict[str, object] = {}
        self.functions: dict[str, Function] = dict(all_functions())
        # `env` exists only where Packer allows it: in variable defaults.
        self.functions_with_env = {**self.functions, "env": ENV_FUNCTION}

    # -- parsing
    def parse_files(self, names: Sequence[str]) -> list[sx.File]:
        files: list[sx.File] = []
        for name in names:
            try:
                data = self.inputs.read_bytes(os.path.relpath(name, self.root) if not os.path.isabs(name) else name)
            except InputError as exc:
                self.diags.error("Cannot read file", str(exc), None)
                continue
            result = parse(data, name)
            self.sources_text[name] = result.source
            self.diags.extend(result.diagnostics)
            if result.file is not None and result.ok:
                files.append(result.file)
        return files

    def scope(self, variables: Mapping[str, Value], allow_env: bool = False) -> Scope:
        functions = self.functions_with_env if allow_env else self.functions
        scope = Scope(variables, functions, CallContext(self.inputs, allow_env=allow_env))
        scope.template_loader = self.load_template
        return scope

    def load_template(self, path: str, rng: Range) -> tuple[sx.Expr, str]:
        try:
            data = self.inputs.read_bytes(path)
        except InputError as exc:
            raise EvalFailed(
                [dg.error("Error in function call", f'Call to function "templatefile" failed: {exc}.', rng)]
            ) from None
        parsed = parse_template(data, path)
        if not parsed.ok or parsed.expr is None:
            raise EvalFailed(parsed.diagnostics)
        return parsed.expr, path

    def eval(self, e: sx.Expr, scope: Scope) -> Value:
        value, diags = evaluate(e, scope)
        self.diags.extend(diags)
        return value


def _start(path: str, options: Options | None) -> tuple[_Loader, _Decoder | None, list[str]]:
    """Find and parse a template's files; the decoder is None when they have errors."""
    ld = _Loader(path, options or Options())
    hcl, auto, diags = template_files(path)
    ld.diags.extend(diags)
    files = ld.parse_files(hcl)
    if ld.diags.failed():
        return ld, None, auto
    return ld, _Decoder(ld, files), auto


def load(
    path: str, options: Options | None = None
) -> tuple[Template | None, list[dg.Diagnostic], Mapping[str, object]]:
    """Decode and evaluate a template file or folder; diagnostics explain anything that went wrong."""
    ld, decoder, auto = _start(path, options)
    if decoder is None:
        return None, ld.diags, ld.sources_text
    # Values and scopes form no cycles: the cycle collector would only cost time here.
    collecting = gc.isenabled()
    gc.disable()
    try:
        template = decoder.run(auto)
    finally:
        if collecting:
            gc.enable()
    if template is not None:
        template.inputs = ld.inputs
    return template, ld.diags, ld.sources_text


# ---------------------------------------------------------------------- decoding

_TOP_BLOCKS = {"packer", "variable", "variables", "locals", "local", "source", "build", "data"}


def _string_literal(e: sx.Expr) -> str | None:
    if isinstance(e, sx.Template) and all(isinstance(p, sx.TemplateLiteral) for p in e.parts):
        return "".join(p.value for p in e.parts if isinstance(p, sx.TemplateLiteral))
    return None


def _obj(values: Mapping[str, Value]) -> Value:
    return V.object_of(dict(values))


def _plain(v: Value) -> object:
    return V.to_python(v) if v.is_wholly_known() else None


class _Decoder:
    def __init__(self, ld: _Loader, files: list[sx.File]) -> None:
        self.ld = ld
        self.files = files
        self.diags = ld.diags
        self.variables: dict[str, Variable] = {}
        self.locals: dict[str, Local] = {}
        self.data_blocks: dict[str, sx.Block] = {}
        self.data: dict[str, Value] = {}
        self.sources: dict[str, Source] = {}
        self.build_blocks: list[sx.Block] = []
        self.required_plugins: dict[str, Value] = {}
        self.required_version: str | None = None
        root = ld.root.replace("\\", "/")
        self.path_value = _obj({"root": V.string(root), "cwd": V.string(os.getcwd().replace("\\", "/"))})
        self.packer_value = _obj({"version": V.string(PACKER_COMPAT_VERSION)})
        self.warned: set[tuple[str, str]] = set()
        # Blocks made by dynamic blocks, and the iterator values their bodies see.
        self.bindings: dict[int, dict[str, Value]] = {}
        self.keep: list[sx.Block] = []

    # -- the stages
    def run(self, auto_var_files: list[str]) -> Template | None:
        for f in self.files:
            self.collect(f)
        if self.diags.failed():
            return None
        self.assign_variables(auto_var_files)
        if self.diags.failed():
            return None
        self.evaluate_locals_and_data()
        if self.diags.failed():
            return None
        builds = [self.decode_build(b) for b in self.build_blocks]
        return Template(
            root=self.ld.root,
            files=[f.filename for f in self.files],
            variables=self.variables,
            locals=self.locals,
            data=self.data,
            builds=[b for b in builds if b is not None],
            required_plugins=self.required_plugins,
            required_version=self.required_version,
        )

    def base_scope(self, extra: Mapping[str, Value] | None = None) -> Scope:
        names: dict[str, Value] = {
            "var": _obj({n: v.marked() for n, v in self.variables.items()}),
            "local": _obj(
                {
                    n: (lv.value if lv.value is not None else V.DYNAMIC_UNKNOWN)
                    for n, lv in self.locals.items()
                    if lv.value is not None
                }
            ),
            "data": self._data_object(),
            "path": self.path_value,
            "packer": self.packer_value,
        }
        if extra:
            names.update(extra)
        return self.ld.scope(names)

    def _data_object(self) -> Value:
        by_type: dict[str, dict[str, Value]] = {}
        for key, v in self.data.items():
            t, n = key.split(".", 1)
            by_type.setdefault(t, {})[n] = v
        return _obj({t: _obj(vs) for t, vs in by_type.items()})

    # -- collection of top-level blocks
    def collect(self, f: sx.File) -> None:
        for attr in f.body.attributes:
            self.diags.error(
                "Unsupported argument", f'An argument named "{attr.name}" is not expected here.', attr.name_range
            )
        for b in f.body.blocks:
            if b.type not in _TOP_BLOCKS:
                self.diags.error(
                    "Unsupported block type", f'Blocks of type "{b.type}" are not expected here.', b.type_range
                )
            elif b.type == "packer":
                self.decode_packer(b)
            elif b.type == "variable":
                self.declare_variable(b)
            elif b.type == "variables":
                for attr in b.body.attributes:
                    self.declare_legacy_variable(attr)
            elif b.type == "locals":
                for attr in b.body.attributes:
                    self.add_local(Local(attr.name, attr.expr, attr.range))
                for inner in b.body.blocks:
                    self.diags.error(
                        "Unsupported block type",
                        f'Blocks of type "{inner.type}" are not expected here.',
                        inner.type_range,
                    )
            elif b.type == "local":
                self.decode_local_block(b)
            elif b.type == "source":
                self.declare_source(b)
            elif b.type == "data":
                if not self._labels(b, 2):
                    continue
                key = f"{b.labels[0]}.{b.labels[1]}"
                if key in self.data_blocks:
                    self.diags.error(
                        "Duplicate data block", f'Duplicate data "{b.labels[0]}" "{b.labels[1]}" block.', b.type_range
                    )
                self.data_blocks[key] = b
            elif b.type == "build":
                self.build_blocks.append(b)

    def _labels(self, b: sx.Block, n: int) -> bool:
        if len(b.labels) != n:
            noun = "label" if n == 1 else "labels"
            self.diags.error(
                "Invalid block definition",
                f'A "{b.type}" block requires {n} {noun}; this one has {len(b.labels)}.',
                b.type_range,
            )
            return False
        return True

    def decode_packer(self, b: sx.Block) -> None:
        scope = self.ld.scope({})
        for attr in b.body.attributes:
            if attr.name == "required_version":
                v = self.ld.eval(attr.expr, scope)
                if v.known and v.ty == T.STRING:
                    self.required_version = v.as_string()
                    problem = check_version(v.as_string(), PACKER_COMPAT_VERSION)
                    if problem:
                        self.diags.error(
                            "Unsupported Packer Core version",
                            f"This template requires Packer version {v.as_string()}, but bake is compatible "
                            f"with Packer {PACKER_COMPAT_VERSION}: {problem}",
                            attr.expr.range,
                        )
            else:
                self.diags.error(
                    "Unsupported argument", f'An argument named "{attr.name}" is not expected here.', attr.name_range
                )
        for inner in b.body.blocks:
            if inner.type != "required_plugins":
                self.diags.error(
                    "Unsupported block type", f'Blocks of type "{inner.type}" are not expected here.', inner.type_range
                )
                continue
            for attr in inner.body.attributes:
                self.required_plugins[attr.name] = self.ld.eval(attr.expr, scope)

    # -- variables
    def declare_variable(self, b: sx.Block) -> None:
        if not self._labels(b, 1):
            return
        name = b.labels[0]
        if not _IDENT.match(name):
            self.diags.error(
                "Invalid variable name",
                "A name must start with a letter or underscore and may contain only letters, digits, "
                "underscores, and dashes.",
                b.label_ranges[0],
            )
            return
        if name in self.variables:
            self.diags.error("Duplicate variable", f"Duplicate {name} variable definition found.", b.label_ranges[0])
            return
        var = Variable(name, b.range)
        body = b.body
        allowed = {"type", "default", "description", "sensitive", "nullable", "validation"}
        for attr in body.attributes:
            if attr.name not in allowed or attr.name == "validation":
                self.diags.error(
                    "Unsupported argument", f'An argument named "{attr.name}" is not expected here.', attr.name_range
                )
        type_attr = body.attribute("type")
        if type_attr is not None:
            try:
                var.type, var.defaults = type_constraint(type_attr.expr)
            except TypeExprError as exc:
                self.diags.append(exc.diag)
        for field in ("description",):
            a = body.attribute(field)
            if a is not None:
                v = self.ld.eval(a.expr, self.ld.scope({}))
                if v.known and not v.is_null:
                    var.description = convert(v, T.STRING).as_string()
        for field in ("sensitive", "nullable"):
            a = body.attribute(field)
            if a is not None:
                v = self.ld.eval(a.expr, self.ld.scope({}))
                try:
                    setattr(var, field, convert(v, T.BOOL).as_bool())
                except (ConversionError, AssertionError):
                    self.diags.error("Invalid value", f'The "{field}" argument must be true or false.', a.expr.range)
        default = body.attribute("default")
        if default is not None:
            v = self.ld.eval(default.expr, self.ld.scope({}, allow_env=True))
            if not self.diags.failed():
                try:
                    v = convert(v, var.type)
                    var.default = apply_defaults(v, var.defaults) if var.defaults else v
                except ConversionError as exc:
                    self.diags.error(
                        "Invalid default value for variable",
                        f"This default value is not compatible with the variable's type constraint: {exc}.",
                        default.expr.range,
                    )
        for inner in body.blocks:
            if inner.type != "validation":
                self.diags.error(
                    "Unsupported block type", f'Blocks of type "{inner.type}" are not expected here.', inner.type_range
                )
                continue
            cond = inner.body.attribute("condition")
            msg = inner.body.attribute("error_message")
            if cond is None or msg is None:
                missing = "condition" if cond is None else "error_message"
                self.diags.error(
                    "Missing required argument",
                    f'The argument "{missing}" is required, but no definition was found.',
                    inner.range,
                )
                continue
            refs = {tuple(p[:2]) for p, _ in references(cond.expr) if p and p[0] == "var"}
            if not refs:
                self.diags.error(
                    "Invalid variable validation condition",
                    f'The condition for variable "{name}" must refer to var.{name} in order to test incoming values.',
                    cond.expr.range,
                )
                continue
            if any(r != ("var", name) for r in refs):
                self.diags.error(
                    "Invalid reference in variable validation",
                    f'The condition for variable "{name}" can only refer to the variable itself, using var.{name}.',
                    cond.expr.range,
                )
                continue
            var.validations.append(Validation(cond.expr, msg.expr, inner.range))
        var.value = var.default
        self.variables[name] = var

    def declare_legacy_variable(self, attr: sx.Attribute) -> None:
        if attr.name in self.variables:
            self.diags.error("Duplicate variable", f"Duplicate {attr.name} variable definition found.", attr.name_range)
            return
        v = self.ld.eval(attr.expr, self.ld.scope({}, allow_env=True))
        var = Variable(attr.name, attr.range, default=v, value=v)
        self.variables[attr.name] = var

    def assign_variables(self, auto_var_files: list[str]) -> None:
        env = self.ld.options.env if self.ld.options.env is not None else dict(os.environ)
        for key in sorted(env):
            if key.startswith("PKR_VAR_") and key[8:] in self.variables:
                name = key[8:]
                self.ld.inputs.env(key)
                self._assign(name, env[key], "env", f"<value for var.{name} from env>")
        for f in sorted(auto_var_files):
            self._assign_file(f)
        ordered = list(self.ld.options.ordered) or (
            [("file", f) for f in self.ld.options.var_files] + [("var", f"{k}={v}") for k, v in self.ld.options.vars]
        )
        for kind, item in ordered:
            if kind == "file":
                self._assign_file(item)
            else:
                name, _, value = item.partition("=")
                if name not in self.variables:
                    self.diags.error(
                        "Undefined -var variable",
                        f'A "{name}" variable was passed in the command line but was not found in known '
                        f'variables. To declare variable "{name}", place this block in one of your .pkr files, '
                        "such as variables.pkr.hcl",
                        None,
                    )
                    continue
                self._assign(name, value, "arg", f"<value for var.{name} from arguments>")
        for var in self.variables.values():
            self._validate(var)

    def _assign(self, name: str, text: str, source: str, filename: str) -> None:
        var = self.variables[name]
        if var.type in (T.STRING, T.NUMBER, T.DYNAMIC):
            # taken literally, as Packer does; positioned in a pseudo-file named after its origin
            value = V.string(text)
            src = SourceText(filename, text)
            self.ld.sources_text[filename] = src
            rng = src.range(0, len(text))
        else:
            parsed = parse_expression(text, filename)
            self.ld.sources_text[filename] = parsed.source
            self.diags.extend(parsed.diagnostics)
            if parsed.expr is None:
                return
            value = self.ld.eval(parsed.expr, self.ld.scope({}))
            rng = parsed.expr.range
        self._set(var, value, source, rng)

    def _set(self, var: Variable, value: Value, source: str, rng: Range | None) -> None:
        try:
            value = convert(value, var.type)
            value = apply_defaults(value, var.defaults) if var.defaults else value
        except ConversionError as exc:
            summary = "Invalid argument value for -var variable" if source == "arg" else "Invalid value for variable"
            self.diags.error(
                summary, f"The value for {var.name} is not compatible with the variable's type constraint: {exc}.", rng
            )
            var.value, var.source = V.unknown(var.type), "invalid"  # reported: not "unset" as well
            return
        if value.is_null and not var.nullable:
            self.diags.error("Invalid value for variable", f"The variable {var.name} does not accept null values.", rng)
            var.value, var.source = V.unknown(var.type), "invalid"
            return
        var.value = value
        var.source = source
        var.origin = {"env": f"env:PKR_VAR_{var.name}", "arg": "arg"}.get(source, source)

    def _assign_file(self, path: str) -> None:
        try:
            data = self.ld.inputs.read_bytes(os.path.abspath(path))  # as given: relative to the working folder
        except InputError as exc:
            self.diags.error("Cannot read variable file", str(exc), None)
            return
        result = parse(data, path)
        self.ld.sources_text[path] = result.source
        self.diags.extend(result.diagnostics)
        if result.file is None or not result.ok:
            return
        for b in result.file.body.blocks:
            if b.type == "variable":
                self.diags.error(
                    "Variable declaration in a .pkrvar file",
                    "A .pkrvar file is used to assign values to variables that have already been declared in "
                    ".pkr files, not to declare new variables. To set a value for this variable in "
                    f"{path}, use the definition syntax instead:\n    {b.labels[0] if b.labels else 'name'} = <value>",
                    b.type_range,
                )
            else:
                self.diags.error(
                    "Unsupported block type", f'Blocks of type "{b.type}" are not expected here.', b.type_range
                )
        for attr in result.file.body.attributes:
            var = self.variables.get(attr.name)
            if var is None:
                report = self.diags.error if self.ld.options.strict else self.diags.warn
                report(
                    "Undefined variable",
                    f'The variable "{attr.name}" was set but was not declared as an input variable.\nTo declare '
                    f'variable "{attr.name}" place this block in one of your .pkr.hcl files, such as '
                    f'variables.pkr.hcl\n\nvariable "{attr.name}" {{\n  type    = string\n  default = null\n}}',
                    attr.name_range,
                )
                continue
            value = self.ld.eval(attr.expr, self.ld.scope({}))
            self._set(var, value, "varfile", attr.expr.range)
            if var.source == "varfile":
                var.origin = f"var-file:{path}"

    def _validate(self, var: Variable) -> None:
        if var.value is None and not self.ld.options.strict:
            var.value = V.unknown(var.type)  # inspect and console: known when the user sets it
            var.source = "unset"
            return
        if var.value is None:
            self.diags.error(
                f'Unset variable "{var.name}"',
                "A used variable must be set or have a default value; see "
                "https://packer.io/docs/templates/hcl_templates/syntax for details.",
                var.range,
            )
            return
        if not var.validations or not var.value.is_wholly_known():
            return
        scope = self.ld.scope({"var": _obj({var.name: var.marked()})})
        for rule in var.validations:
            ok = self.ld.eval(rule.condition, scope)
            if not ok.known:
                continue
            ok, _ = ok.unmark()
            if ok.is_null:
                self.diags.error(
                    "Invalid variable validation result",
                    "Validation condition expression must return either true or false, not null.",
                    rule.condition.range,
                )
                continue
            try:
                passed = convert(ok, T.BOOL).as_bool()
            except ConversionError as exc:
                self.diags.error(
                    "Invalid variable validation result",
                    f"Invalid validation condition result value: {exc}.",
                    rule.condition.range,
                )
                continue
            if passed:
                continue
            msg = self.ld.eval(rule.error_message, scope)
            text = (
                msg.as_string()
                if msg.known and msg.ty == T.STRING and not msg.marks
                else "(error message not shown: it is sensitive)"
            )
            where = {"env": "env ", "varfile": "varfile ", "arg": "-var "}.get(var.source, "")
            self.diags.error(
                f"Invalid value for {where}variable".replace("  ", " "),
                f"{text}\n\nThis was checked by the validation rule at {rule.range}.",
                rule.condition.range,
            )

    # -- locals and data, in dependency order
    def add_local(self, local: Local) -> None:
        if local.name in self.locals:
            self.diags.error("Duplicate local", f'Duplicate local "{local.name}" definition found.', local.range)
            return
        self.locals[local.name] = local

    def decode_local_block(self, b: sx.Block) -> None:
        if not self._labels(b, 1):
            return
        expr = b.body.attribute("expression")
        if expr is None:
            self.diags.error(
                "Missing required argument",
                'The argument "expression" is required, but no definition was found.',
                b.range,
            )
            return
        sensitive = False
        s = b.body.attribute("sensitive")
        if s is not None:
            sv = self.ld.eval(s.expr, self.ld.scope({}))
            sensitive = bool(sv.known and sv.raw is True)
        self.add_local(Local(b.labels[0], expr.expr, b.range, sensitive))

    def evaluate_locals_and_data(self) -> None:
        nodes: dict[str, Local | sx.Block] = {f"local.{n}": lv for n, lv in self.locals.items()}
        nodes.update({f"data.{k}": b for k, b in self.data_blocks.items()})
        deps: dict[str, list[str]] = {}
        for node, obj in nodes.items():
            exprs = [obj.expr] if isinstance(obj, Local) else _body_exprs(obj.body)
            out: list[str] = []
            for e in exprs:
                for path, _ref in references(e):
                    if path[0] == "local" and len(path) > 1:
                        key = f"local.{path[1]}"
                    elif path[0] == "data" and len(path) > 2:
                        key = f"data.{path[1]}.{path[2]}"
                    else:
                        continue
                    if key in nodes and key not in out:
                        out.append(key)
            deps[node] = out
        order = self._dependency_order(nodes, deps)
        if order is None:
            return
        for node in order:
            obj = nodes[node]
            if isinstance(obj, Local):
                value = self.ld.eval(obj.expr, self.base_scope())
                obj.value = value.with_marks([V.SENSITIVE]) if obj.sensitive else value
            else:
                self.data[node[5:]] = self.decode_data(obj)

    def _dependency_order(
        self, nodes: Mapping[str, Local | sx.Block], deps: Mapping[str, list[str]]
    ) -> list[str] | None:
        """Dependencies first (iteratively: chains of any length); a cycle is one diagnostic naming it."""
        order: list[str] = []
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        found_cycle = False
        for root in sorted(nodes):
            if state.get(root):
                continue
            path: list[str] = [root]
            pending: list[list[str]] = [list(deps[root])]
            state[root] = 1
            while path:
                if not pending[-1]:
                    done = path.pop()
                    pending.pop()
                    state[done] = 2
                    order.append(done)
                    continue
                nxt = pending[-1].pop(0)
                if state.get(nxt) == 2:
                    continue
                if state.get(nxt) == 1:
                    if not found_cycle:
                        cycle = [*path[path.index(nxt) :], nxt]
                        obj = nodes[cycle[0]]
                        rng = obj.range if isinstance(obj, Local) else obj.type_range
                        detail = "The values reference each other in a cycle: " + " → ".join(cycle) + "."
                        self.diags.error("Cycle in local values", detail, rng)
                    found_cycle = True
                    continue
                state[nxt] = 1
                path.append(nxt)
                pending.append(list(deps[nxt]))
        return None if found_cycle else order

    def decode_data(self, b: sx.Block) -> Value:
        dtype = b.labels[0]
        config = self.eval_body(b.body, self.base_scope())
        if dtype == "null":
            inp = config.get("input")
            if inp is None:
                self.diags.error(
                    "Missing required argument",
                    'The argument "input" is required, but no definition was found.',
                    b.range,
                )
                return V.DYNAMIC_UNKNOWN
            return _obj({"input": inp, "output": inp})
        self.diags.warn(
            "Data source not supported by bake yet",
            f'bake cannot read data "{dtype}" yet; its attributes are unknown until it can.',
            b.type_range,
        )
        return V.DYNAMIC_UNKNOWN

    # -- sources and builds
    def declare_source(self, b: sx.Block) -> None:
        if not self._labels(b, 2):
            return
        key = f"{b.labels[0]}.{b.labels[1]}"
        if key in self.sources:
            self.diags.error(
                "Duplicate source", f'Duplicate source "{b.labels[0]}" "{b.labels[1]}" block.', b.type_range
            )
            return
        self.sources[key] = Source(b.labels[0], b.labels[1], b)

    def eval_body(
        self, body: sx.Body, scope: Scope, skip: frozenset[str] = frozenset(), where: dict[str, Range] | None = None
    ) -> dict[str, Value]:
        """Evaluate a body without a schema: attributes by name, nested blocks as lists of objects.

        `where`, when given, receives each name's range (blocks under the key "<name> block").
        """
        out: dict[str, Value] = {}
        for attr in body.attributes:
            if attr.name not in skip:
                out[attr.name] = self.ld.eval(attr.expr, scope)
                if where is not None:
                    where[attr.name] = attr.name_range
        groups: dict[str, list[Value]] = {}
        for block in body.blocks:
            if block.type in skip:
                continue
            if block.type == "dynamic":
                for kind, value in self.expand_dynamic(block, scope):
                    groups.setdefault(kind, []).append(value)
                    if where is not None:
                        where.setdefault(f"{kind} block", block.type_range)
                continue
            groups.setdefault(block.type, []).append(_obj(self.eval_body(block.body, scope)))
            if where is not None:
                where.setdefault(f"{block.type} block", block.type_range)
        for kind, items in groups.items():
            out[kind] = V.tuple_of(items)
        return out

    def check_schema(
        self, kind: str, type_name: str, config: dict[str, Value], where: dict[str, Range], rng: Range
    ) -> tuple[dict[str, Value], bool]:
        """Check a config against its type's schema; an unknown type is kept raw with a warning."""
        if schemas.schema(kind, type_name) is None:
            key = (kind, type_name)
            if key not in self.warned:
                self.warned.add(key)
                self.diags.warn(
                    f"{kind.capitalize()} type not supported by bake yet",
                    f'bake has no driver for the {kind} type "{type_name}": it can be inspected and planned, '
                    "but not applied.",
                    rng,
                )
            return config, False
        checked, diags = schemas.check(kind, type_name, config, where, rng)
        for d in diags:  # a source's or step's config is checked once per build source: report once
            if d not in self.diags:
                self.diags.append(d)
        return checked, True

    def expand_dynamic(self, block: sx.Block, scope: Scope) -> list[tuple[str, Value]]:
        if not self._labels(block, 1):
            return []
        kind = block.labels[0]
        body = block.body
        for_each = body.attribute("for_each")
        content = [b for b in body.blocks if b.type == "content"]
        if for_each is None or len(content) != 1:
            what = '"for_each" argument' if for_each is None else "one content block"
            self.diags.error("Invalid dynamic block", f"A dynamic block requires a {what}.", block.range)
            return []
        iterator = kind
        it_attr = body.attribute("iterator")
        if it_attr is not None:
            if isinstance(it_attr.expr, sx.Variable):
                iterator = it_attr.expr.name
            else:
                self.diags.error(
                    "Invalid dynamic iterator name",
                    "Dynamic iterator must be a single variable name.",
                    it_attr.expr.range,
                )
                return []
        coll = self.ld.eval(for_each.expr, scope)
        if not coll.known:
            self.diags.warn(
                "Dynamic block unknown until the build runs",
                f'The for_each value of this dynamic "{kind}" block is not known yet; it contributes no blocks here.',
                for_each.expr.range,
            )
            return []
        coll, _ = coll.unmark()
        if coll.is_null or not isinstance(coll.ty, (T.List, T.Set, T.Tuple, T.Map, T.Object)):
            self.diags.error(
                "Invalid dynamic for_each value",
                f"Cannot use a {coll.ty.friendly()} value in for_each. An iterable collection is required.",
                for_each.expr.range,
            )
            return []
        out = []
        for k, v in coll.iterate():
            inner = scope.child({iterator: _obj({"key": k, "value": v})})
            out.append((kind, _obj(self.eval_body(content[0].body, inner))))
        return out

    def build_scope(self, build_name: str, src_type: str, src_name: str) -> Scope:
        build = {"name": V.string(build_name)}
        build.update({f: V.unknown(T.STRING) for f in BUILD_RUNTIME_FIELDS})
        source = _obj({"name": V.string(src_name), "type": V.string(src_type)})
        return self.base_scope({"build": _obj(build), "source": source})

    def decode_build(self, b: sx.Block) -> Build | None:
        body = b.body
        scope = self.base_scope()
        name = ""
        description = ""
        for attr in body.attributes:
            if attr.name in ("name", "description"):
                v = self.ld.eval(attr.expr, scope)
                if v.known and not v.is_null:
                    try:
                        text = convert(v.unmark()[0], T.STRING).as_string()
                    except ConversionError as exc:
                        self.diags.error(
                            "Incorrect attribute value type",
                            f'Inappropriate value for attribute "{attr.name}": {exc}.',
                            attr.expr.range,
                        )
                        continue
                    if attr.name == "name":
                        name = text
                    else:
                        description = text
            elif attr.name != "sources":
                self.diags.error(
                    "Unsupported argument", f'An argument named "{attr.name}" is not expected here.', attr.name_range
                )
        build = Build(name, description, b.range)
        refs: list[tuple[str, Range, sx.Block | None]] = []
        sources_attr = body.attribute("sources")
        if sources_attr is not None:
            v = self.ld.eval(sources_attr.expr, scope)
            try:
                names = convert(v, T.List(T.STRING))
            except ConversionError as exc:
                self.diags.error(
                    "Incorrect attribute value type",
                    f'Inappropriate value for attribute "sources": {exc}.',
                    sources_attr.expr.range,
                )
                names = V.list_of([], T.STRING)
            items = sources_attr.expr.items if isinstance(sources_attr.expr, sx.Tuple) else []
            for i, n in enumerate(names.elements() if names.known else ()):
                rng = items[i].range if i < len(items) else sources_attr.expr.range
                refs.append((n.as_string(), rng, None))
        blocks = list(body.blocks)
        provisioners: list[sx.Block] = []
        post: list[list[sx.Block]] = []
        cleanup: sx.Block | None = None
        blocks = self.expand_structural(blocks, scope)
        for inner in blocks:
            if inner.type == "source":
                if self._labels(inner, 1):
                    refs.append((inner.labels[0], inner.label_ranges[0], inner))
            elif inner.type == "provisioner":
                if self._labels(inner, 1):
                    provisioners.append(inner)
            elif inner.type == "error-cleanup-provisioner":
                if self._labels(inner, 1):
                    cleanup = inner
            elif inner.type == "post-processor":
                if self._labels(inner, 1):
                    post.append([inner])
            elif inner.type == "post-processors":
                members = self.expand_structural(list(inner.body.blocks), scope)
                chain = [pp for pp in members if pp.type == "post-processor" and self._labels(pp, 1)]
                for other in members:
                    if other.type != "post-processor":
                        self.diags.error(
                            "Unsupported block type",
                            f'Blocks of type "{other.type}" are not expected here.',
                            other.type_range,
                        )
                post.append(chain)
            elif inner.type == "hcp_packer_registry" or (
                inner.type == "dynamic" and inner.labels == ("hcp_packer_registry",)
            ):
                pass  # accepted: HCP Packer metadata does not change what is built
            else:
                self.diags.error(
                    "Unsupported block type", f'Blocks of type "{inner.type}" are not expected here.', inner.type_range
                )
        seen: set[str] = set()
        for ref, rng, override in refs:
            parts = ref.split(".")
            key = ".".join(parts[1:]) if len(parts) == 3 else ref  # as Packer: "<anything>.type.name"
            src = self.sources.get(key)
            if src is None:
                self.diags.error(
                    "Unknown source",
                    f'Unknown source {ref}. Declare it with a source "{key.split(".")[0]}" '
                    f'"{key.split(".", 1)[-1]}" block.',
                    rng,
                )
                continue
            src_name = src.name
            extra: dict[str, Value] = {}
            bound = self.bindings.get(id(override), {}) if override is not None else {}
            if override is not None:
                name_attr = override.body.attribute("name")
                if name_attr is not None:
                    nv = self.ld.eval(name_attr.expr, scope.child(bound))
                    if nv.known and nv.ty == T.STRING:
                        src_name = nv.as_string()
            full = ".".join(x for x in (name, src.type, src_name) if x)
            if full in seen:
                self.diags.error(
                    "Duplicate source in build",
                    f"The source {src.type}.{src_name} is used twice in this build; rename one with a name argument.",
                    rng,
                )
                continue
            seen.add(full)
            bscope = self.build_scope(name, src.type, src_name)
            where: dict[str, Range] = {}
            config = self.eval_body(src.block.body, bscope, where=where)
            if override is not None:
                extra = self.eval_body(override.body, bscope.child(bound), skip=frozenset({"name"}), where=where)
                config.update(extra)
            config, supported = self.check_schema("source", src.type, config, where, src.block.type_range)
            bs = BuildSource(full, src.type, src_name, config, src.block.range, supported)
            short = f"{src.type}.{src_name}"
            for p in provisioners:
                prov = self.decode_step(p, short, src_name, bscope)
                if prov is not None:
                    bs.provisioners.append(prov)
            if cleanup is not None:
                bs.error_cleanup = self.decode_step(cleanup, short, src_name, bscope)
            for chain in post:
                decoded = [self.decode_step(pp, short, src_name, bscope) for pp in chain]
                kept = [s for s in decoded if s is not None]
                if kept:
                    bs.post_processors.append(kept)
            steps = [*bs.provisioners, *[p for chain in bs.post_processors for p in chain]]
            if bs.error_cleanup is not None:
                steps.append(bs.error_cleanup)
            bs.supported = bs.supported and all(s.supported for s in steps)
            build.sources.append(bs)
        return build

    def expand_structural(self, blocks: list[sx.Block], scope: Scope) -> list[sx.Block]:
        """Expand `dynamic` blocks into the blocks they stand for (provisioners, post-processors...).

        As Packer's dynblock.Expand does before decoding: each generated block's body is evaluated
        later with the iterator bound (kept in self.bindings).
        """
        out: list[sx.Block] = []
        for block in blocks:
            if block.type != "dynamic":
                out.append(block)
                continue
            if not self._labels(block, 1):
                continue
            kind = block.labels[0]
            body = block.body
            for_each = body.attribute("for_each")
            content = [b for b in body.blocks if b.type == "content"]
            if for_each is None or len(content) != 1:
                what = '"for_each" argument' if for_each is None else "one content block"
                self.diags.error("Invalid dynamic block", f"A dynamic block requires a {what}.", block.range)
                continue
            iterator = kind
            it_attr = body.attribute("iterator")
            if it_attr is not None and isinstance(it_attr.expr, sx.Variable):
                iterator = it_attr.expr.name
            coll = self.ld.eval(for_each.expr, scope)
            coll, _ = coll.unmark()
            if not coll.known or coll.is_null or not isinstance(coll.ty, (T.List, T.Set, T.Tuple, T.Map, T.Object)):
                self.diags.error(
                    "Invalid dynamic for_each value",
                    f"Cannot use a {coll.ty.friendly()} value in for_each. An iterable collection is required.",
                    for_each.expr.range,
                )
                continue
            labels_attr = body.attribute("labels")
            for k, v in coll.iterate():
                bindings = {**self.bindings.get(id(block), {}), iterator: _obj({"key": k, "value": v})}
                labels: tuple[str, ...] = ()
                if labels_attr is not None:
                    lv = self.ld.eval(labels_attr.expr, scope.child(bindings))
                    try:
                        labels = tuple(x.as_string() for x in convert(lv.unmark()[0], T.List(T.STRING)).elements())
                    except (ConversionError, AssertionError):
                        self.diags.error(
                            "Invalid dynamic block labels",
                            "The labels must be a list of strings.",
                            labels_attr.expr.range,
                        )
                        continue
                made = sx.Block(
                    block.range, kind, labels, block.type_range, tuple(block.label_ranges[:1]) * len(labels),
                    content[0].body, block.open_brace_range, block.close_brace_range,
                )  # fmt: skip
                self.bindings[id(made)] = bindings
                self.keep.append(made)
                out.append(made)
        return out

    def decode_step(self, b: sx.Block, short_source: str, source_name: str, scope: Scope) -> Provisioner | None:
        if id(b) in self.bindings:
            scope = scope.child(self.bindings[id(b)])
        meta = {"only", "except", "override", "pause_before", "max_retries", "timeout", "name", "keep_input_artifact"}
        body = b.body
        filters: dict[str, list[str]] = {}
        for field in ("only", "except"):
            a = body.attribute(field)
            if a is None:
                continue
            v = self.ld.eval(a.expr, scope)
            if v.is_null:
                continue  # Packer decodes into a []string: null is no filter
            try:
                filters[field] = [x.as_string() for x in convert(v.unmark()[0], T.List(T.STRING)).elements()]
            except (ConversionError, AssertionError):
                self.diags.error(
                    "Incorrect attribute value type",
                    f'Inappropriate value for attribute "{field}": list of string required.',
                    a.expr.range,
                )
                return None
        if filters.get("only") and filters.get("except"):
            error = dg.error("Invalid provisioner", "only one of 'only' or 'except' may be specified", b.type_range)
            if error not in self.diags:
                self.diags.append(error)
            return None
        # Packer compares "type.name" exactly, and an empty list filters nothing.
        if filters.get("only") and short_source not in filters["only"]:
            return None
        if filters.get("except") and short_source in filters["except"]:
            return None
        where: dict[str, Range] = {}
        config = self.eval_body(body, scope, skip=frozenset(meta), where=where)
        ov = body.attribute("override")
        if ov is not None:
            value = self.ld.eval(ov.expr, scope)
            if value.known and isinstance(value.ty, (T.Object, T.Map)):
                per = value.attrs().get(source_name)  # keyed by the source's name, as Packer does
                if per is not None and per.known and isinstance(per.ty, (T.Object, T.Map)):
                    config.update(per.attrs())
                    where.update({k: ov.name_range for k in per.attrs() if k not in where})
        kind = "post-processor" if b.type == "post-processor" else "provisioner"
        config, supported = self.check_schema(kind, b.labels[0], config, where, b.type_range)
        step = Provisioner(b.labels[0], "", config, b.range, supported)
        for field in ("name", "pause_before", "timeout", "max_retries"):
            a = body.attribute(field)
            if a is None:
                continue
            v = self.ld.eval(a.expr, scope)
            if v.is_sensitive:
                if field == "name":
                    step.name = "<sensitive>"  # names are shown everywhere: never a secret's value
                else:
                    self.diags.error(
                        "Sensitive value not allowed here",
                        f'"{field}" is shown in plans and logs, so it cannot be computed from a sensitive value.',
                        a.expr.range,
                    )
                continue
            if not v.known or v.is_null:
                continue
            if field != "max_retries":
                setattr(step, field, convert(v.unmark()[0], T.STRING).as_string())
                continue
            try:
                step.max_retries = convert(v, T.NUMBER).as_num().to_int()
            except ConversionError as exc:
                self.diags.error(
                    "Incorrect attribute value type",
                    f'Inappropriate value for attribute "max_retries": {exc}.',
                    a.expr.range,
                )
        a = body.attribute("keep_input_artifact")
        if a is not None:
            v = self.ld.eval(a.expr, scope)
            if v.known and v.ty == T.BOOL:
                step.keep_input_artifact = v.as_bool()
        return step


def _body_exprs(body: sx.Body) -> list[sx.Expr]:
    out: list[sx.Expr] = [a.expr for a in body.attributes]
    for b in body.blocks:
        out.extend(_body_exprs(b.body))
    return out


# ---------------------------------------------------------------------- version constraints


def _version_tuple(text: str) -> tuple[int, ...] | None:
    m = re.fullmatch(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?", text.strip())
    if not m:
        return None
    return tuple(int(x) if x is not None else 0 for x in m.groups())


def check_version(constraint: str, version: str) -> str | None:
    """Check a version against constraints like ">= 1.7.0, < 2.0" or "~> 1.9"; a problem, or None."""
    have = _version_tuple(version)
    assert have is not None
    for part in constraint.split(","):
        part = part.strip()
        m = re.fullmatch(r"(>=|<=|!=|~>|>|<|=)?\s*(\S+)", part)
        if not m:
            return f"cannot read the constraint {part!r}"
        op = m.group(1) or "="
        want = _version_tuple(m.group(2))
        if want is None:
            return f"cannot read the version {m.group(2)!r}"
        ok = {
            "=": have == want,
            "!=": have != want,
            ">": have > want,
            ">=": have >= want,
            "<": have < want,
            "<=": have <= want,
        }.get(op)
        if op == "~>":
            segments = m.group(2).count(".") + 1
            upper = list(want[: max(segments - 1, 1)])
            upper[-1] += 1
            ok = have >= want and have[: len(upper)] < tuple(upper)
        if not ok:
            return f"{version} does not satisfy {part}"
    return None


def console_scope(
    path: str, options: Options | None = None
) -> tuple[Scope | None, list[dg.Diagnostic], Mapping[str, object]]:
    """The scope `bake console PATH` evaluates in: var, local, data, path and packer of the template."""
    ld, decoder, auto = _start(path, options)
    if decoder is None:
        return None, ld.diags, ld.sources_text
    for f in decoder.files:
        decoder.collect(f)
    if not ld.diags.failed():
        decoder.assign_variables(auto)
    if not ld.diags.failed():
        decoder.evaluate_locals_and_data()
    if ld.diags.failed():
        return None, ld.diags, ld.sources_text
    return decoder.base_scope(), ld.diags, ld.sources_text
