"""Packer's language: variables and their precedence, locals, builds, and every error path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_bake

from bake.compiler.cty import values as V
from bake.compiler.packer.config import Options, check_version, load

BASE = """
variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "size" {
  type    = number
  default = 10
  validation {
    condition     = var.size >= 5
    error_message = "The size must be at least 5."
  }
}

variable "tags" {
  type = map(string)
  default = {}
}

variable "password" {
  type      = string
  default   = "hunter2"
  sensitive = true
}

variable "settings" {
  type = object({
    name  = string
    debug = optional(bool, false)
  })
  default = { name = "x" }
}

locals {
  prefix   = "${var.region}-${local.suffix}"
  suffix   = var.size > 20 ? "big" : "small"
  rootfile = "${path.root}/files"
  merged   = merge(var.tags, { owner = "ops" })
}

source "docker" "base" {
  image  = "busybox:${var.size}"
  commit = true
}

source "null" "other" {
  communicator = "none"
}

build {
  name    = "main"
  sources = ["source.docker.base", "null.other"]

  source "docker.base" {
    name    = "renamed"
    changes = ["ENV A=${source.name}"]
  }

  provisioner "shell" {
    inline = ["echo ${local.prefix} ${build.name} ${source.type}.${source.name}"]
    only   = ["docker.renamed", "docker.base"]
  }

  provisioner "shell" {
    inline   = ["echo default"]
    override = {
      other = { inline = ["echo overridden"] }
    }
  }

  post-processors {
    post-processor "docker-tag" {
      repository = "bake/${var.region}"
      tags       = ["latest"]
    }
    post-processor "manifest" {}
  }
}
"""


def folder(tmp_path: Path, text: str = BASE, **extra: str) -> Path:
    (tmp_path / "main.pkr.hcl").write_text(text)
    for name, content in extra.items():
        (tmp_path / name.replace("__", ".")).write_text(content)
    return tmp_path


def errors(diags: list) -> list[tuple[str, int]]:
    return [(d.summary, d.range.start.line if d.range else 0) for d in diags if d.is_error]


def test_full_template(tmp_path: Path) -> None:
    t, diags, _ = load(str(folder(tmp_path)), Options(env={}))
    assert t is not None, errors(diags)
    assert not errors(diags)
    assert V.to_python(t.locals["prefix"].value) == "eu-west-1-small"  # type: ignore[arg-type]
    assert V.to_python(t.locals["rootfile"].value) == f"{tmp_path}/files"  # type: ignore[arg-type]
    assert V.to_python(t.locals["merged"].value) == {"owner": "ops"}  # type: ignore[arg-type]
    assert V.to_python(t.variables["settings"].value) == {"name": "x", "debug": False}  # type: ignore[arg-type]
    (build,) = t.builds
    names = [s.full_name for s in build.sources]
    assert names == ["main.docker.base", "main.null.other", "main.docker.renamed"]
    renamed = build.sources[2]
    assert V.to_python(renamed.config["changes"]) == ["ENV A=renamed"]
    assert V.to_python(renamed.config["image"]) == "busybox:10"
    first = renamed.provisioners[0]
    assert V.to_python(first.config["inline"]) == ["echo eu-west-1-small main docker.renamed"]
    other = build.sources[1]
    assert [p.type for p in other.provisioners] == ["shell"]  # `only` left the first one out
    assert V.to_python(other.provisioners[0].config["inline"]) == ["echo overridden"]
    assert [[p.type for p in c] for c in other.post_processors] == [["docker-tag", "manifest"]]


def test_variable_precedence(tmp_path: Path) -> None:
    d = folder(
        tmp_path,
        a__auto__pkrvars__hcl='region = "from-auto-a"\n',
        b__auto__pkrvars__hcl='region = "from-auto-b"\n',
        x__pkrvars__hcl='region = "from-file"\nsize = 30\n',
    )

    def region(options: Options) -> object:
        t, diags, _ = load(str(d), options)
        assert t is not None, errors(diags)
        return V.to_python(t.variables["region"].value)  # type: ignore[arg-type]

    assert region(Options(env={})) == "from-auto-b"
    assert region(Options(env={"PKR_VAR_region": "from-env"})) == "from-auto-b"
    (tmp_path / "a.auto.pkrvars.hcl").unlink()
    (tmp_path / "b.auto.pkrvars.hcl").unlink()
    assert region(Options(env={"PKR_VAR_region": "from-env"})) == "from-env"
    file_then_var = Options(env={}, ordered=[("file", str(d / "x.pkrvars.hcl")), ("var", "region=from-arg")])
    assert region(file_then_var) == "from-arg"
    var_then_file = Options(env={}, ordered=[("var", "region=from-arg"), ("file", str(d / "x.pkrvars.hcl"))])
    assert region(var_then_file) == "from-file"
    t, _, _ = load(str(d), var_then_file)
    assert t is not None and V.to_python(t.locals["suffix"].value) == "big"  # type: ignore[arg-type]


def test_sensitive_values_never_shown(tmp_path: Path, bake_exe: str) -> None:
    d = folder(tmp_path, BASE.replace('inline   = ["echo default"]', 'inline   = ["echo ${var.password}"]'))
    r = run_bake(bake_exe, "inspect", "--format", "json", str(d))
    assert r.returncode == 0, r.stderr
    assert b"hunter2" not in r.stdout and b"hunter2" not in r.stderr
    doc = json.loads(r.stdout)
    assert doc["variables"]["password"]["value"] == "<sensitive>"
    assert doc["builds"][0]["per_source"]["main.docker.base"]["provisioners"][1]["inline"] == ["<sensitive>"]


def test_inspect_json_contract(tmp_path: Path, bake_exe: str) -> None:
    r = run_bake(bake_exe, "inspect", "--format", "json", str(folder(tmp_path)))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc) >= {"variables", "builds"}
    (b,) = doc["builds"]
    assert b["name"] == "main"
    assert b["sources"] == ["main.docker.base", "main.null.other", "main.docker.renamed"]
    assert b["provisioners"][0]["type"] == "shell"
    assert [[p["type"] for p in c] for c in b["post_processors"]] == [["docker-tag", "manifest"]]
    assert doc["variables"]["size"]["value"] == 10


ERROR_CASES = [
    # (description, template change, extra args, summary, text on the line the error points at)
    ("undefined variable", ('"busybox:${var.size}"', '"busybox:${var.nope}"'), [], "Unsupported attribute", "var.nope"),
    ("unknown function", ("merge(var.tags", "merj(var.tags"), [], "Call to unknown function", "merj("),
    ("wrong argument count", ('merge(var.tags, { owner = "ops" })', 'upper(var.region, "x")'), [],
     "Too many function arguments", "upper("),
    ("cycle in locals", ('suffix   = var.size > 20 ? "big" : "small"', "suffix   = local.prefix"), [],
     "Cycle in local values", "prefix   ="),
    ("failing validation", ("default = 10", "default = 2"), [], "Invalid value for variable", "condition"),
    ("wrong -var type", None, ["-var", "size=abc"], "Invalid argument value for -var variable", ""),
    ("undeclared -var", None, ["-var", "nope=1"], "Undefined -var variable", ""),
    ("missing required variable", ('default = "eu-west-1"', ""), [], 'Unset variable "region"', 'variable "region"'),
    ("bad default type", ("default = 10", 'default = "ten"'), [], "Invalid default value for variable", '"ten"'),
    ("unknown source", ('"null.other"', '"null.nope"'), [], "Unknown source", '"null.nope"'),
]  # fmt: skip


@pytest.mark.parametrize(("what", "change", "args", "summary", "marker"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_paths_exit_1_with_positioned_diagnostics(
    tmp_path: Path, bake_exe: str, what: str, change: tuple[str, str] | None, args: list[str], summary: str, marker: str
) -> None:
    text = BASE if change is None else BASE.replace(change[0], change[1], 1)
    assert change is None or text != BASE, what
    d = folder(tmp_path, text)
    r = run_bake(bake_exe, "validate", "--format", "json", *args, str(d))
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert b"Traceback" not in r.stderr
    doc = json.loads(r.stdout)
    found = [x for x in doc["diagnostics"] if x["severity"] == "error"]
    assert found and found[0]["summary"] == summary, found
    if marker:
        line = found[0]["range"]["start"]["line"]
        assert marker in text.splitlines()[line - 1], (line, found[0])
        assert found[0]["range"]["filename"].endswith("main.pkr.hcl")
    if what == "failing validation":
        assert "The size must be at least 5." in found[0]["detail"]
    if what == "cycle in locals":
        assert "local.prefix" in found[0]["detail"] and "local.suffix" in found[0]["detail"]
    text_run = run_bake(bake_exe, "validate", *args, str(d))
    assert text_run.returncode == 1 and summary.encode() in text_run.stderr


def test_console_in_template_context(tmp_path: Path, bake_exe: str) -> None:
    d = folder(tmp_path)
    r = run_bake(
        bake_exe, "console", "--format", "json", str(d),
        stdin=b'var.region\nlocal.prefix\nupper(var.region)\nvar.password\nnope(1)\n',
    )  # fmt: skip
    lines = [json.loads(x) for x in r.stdout.decode().splitlines()]
    assert lines[:4] == [
        {"value": "eu-west-1"},
        {"value": "eu-west-1-small"},
        {"value": "EU-WEST-1"},
        {"value": "<sensitive>"},
    ]
    assert "Call to unknown function" in lines[4]["error"]
    assert r.returncode == 1


def test_console_without_template(bake_exe: str) -> None:
    r = run_bake(bake_exe, "console", stdin=b'1 + 2\n"a${"b"}"\n[for x in [1, 2]: x * 2]\n')
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines() == ["3", '"ab"', "[2, 4]"]


@pytest.mark.parametrize(
    ("constraint", "ok"),
    [(">= 1.7.0", True), ("~> 1.9", True), ("~> 1.11.0", True), ("~> 1.10.0", False), ("< 1.0", False),
     (">= 1.2, < 2.0.0", True), ("= 1.11.2", True), ("!= 1.11.2", False)],
)  # fmt: skip
def test_required_version(constraint: str, ok: bool) -> None:
    assert (check_version(constraint, "1.11.2") is None) == ok


SCHEMA_TEMPLATE = """
source "docker" "a" {
  image   = "busybox"
  commit  = true
  bogus   = 1
  changes = "not a list"
}

source "amazon-ebs" "b" {
  ami_name = "x"
}

build {
  sources = ["docker.a", "amazon-ebs.b"]

  provisioner "shell" {
    inline = ["true"]
    frobnicate = true
  }

  provisioner "ansible" {
    playbook_file = "x.yml"
  }
}
"""


def test_configs_are_checked_against_schemas(tmp_path: Path) -> None:
    t, diags, _ = load(str(folder(tmp_path, SCHEMA_TEMPLATE)), Options(env={}))
    got = sorted((d.severity.value, d.summary, d.range.start.line if d.range else 0) for d in diags)
    assert got == [
        ("error", "Incorrect attribute value type", 6),
        ("error", "Unsupported argument", 5),
        ("error", "Unsupported argument", 18),
        ("warning", "Provisioner type not supported by bake yet", 21),
        ("warning", "Source type not supported by bake yet", 9),
    ]
    changes = next(d for d in diags if d.summary == "Incorrect attribute value type")
    assert 'Inappropriate value for attribute "changes": list of string required.' in changes.detail
    assert t is not None
    docker, ebs = t.builds[0].sources
    assert not docker.supported  # the ansible step has no driver
    assert not ebs.supported
    assert V.to_python(ebs.config["ami_name"]) == "x"  # kept raw, so it can still be inspected


def test_supported_configs_are_converted(tmp_path: Path) -> None:
    text = 'source "docker" "a" {\n  image = "busybox"\n  commit = "true"\n}\nbuild {\n  sources = ["docker.a"]\n}\n'
    t, diags, _ = load(str(folder(tmp_path, text)), Options(env={}))
    assert t is not None and not diags
    (src,) = t.builds[0].sources
    assert src.supported and src.config["commit"] == V.TRUE


def test_var_and_var_file_apply_in_command_line_order(tmp_path: Path, bake_exe: str) -> None:
    d = folder(tmp_path, x__pkrvars__hcl='region = "from-file"\n')
    varfile = str(d / "x.pkrvars.hcl")

    def region(*args: str) -> str:
        r = run_bake(bake_exe, "inspect", "--format", "json", *args, str(d))
        assert r.returncode == 0, r.stderr
        return str(json.loads(r.stdout)["variables"]["region"]["value"])

    assert region("-var-file", varfile, "-var", "region=from-arg") == "from-arg"
    assert region("-var", "region=from-arg", "-var-file", varfile) == "from-file"
    assert region("--var=region=a", "-var", "region=b") == "b"
    r = run_bake(bake_exe, "inspect", "-var", "region", str(d))
    assert r.returncode == 2 and b"NAME=VALUE" in r.stderr


DYNAMIC_TEMPLATE = """
variable "scripts" {
  default = ["a.sh", "b.sh"]
}

source "docker" "a" {
  image  = "busybox"
  commit = true
  dynamic "run_command" {
    for_each = []
    content {}
  }
}

build {
  sources = ["docker.a"]

  dynamic "provisioner" {
    for_each = var.scripts
    iterator = s
    labels   = ["shell"]
    content {
      inline = ["sh ${s.value} # ${s.key}"]
    }
  }

  post-processors {
    dynamic "post-processor" {
      for_each = { tag1 = "x", tag2 = "y" }
      labels   = ["docker-tag"]
      content {
        repository = "r"
        tags       = [post-processor.key, post-processor.value]
      }
    }
  }
}
"""


def test_dynamic_blocks_generate_steps(tmp_path: Path) -> None:
    t, diags, _ = load(str(folder(tmp_path, DYNAMIC_TEMPLATE)), Options(env={}))
    assert t is not None, errors(diags)
    (src,) = t.builds[0].sources
    assert [V.to_python(p.config["inline"]) for p in src.provisioners] == [["sh a.sh # 0"], ["sh b.sh # 1"]]
    (chain,) = src.post_processors
    assert [V.to_python(p.config["tags"]) for p in chain] == [["tag1", "x"], ["tag2", "y"]]


def test_templatefile_and_file_read_through_inputs(tmp_path: Path) -> None:
    text = (
        'variable "users" {\n  default = ["ann", "bob"]\n}\n'
        "locals {\n"
        '  rendered = templatefile("${path.root}/t.tpl", { users = var.users, greeting = "hi" })\n'
        '  raw      = file("data.txt")\n'
        '  wrapped  = templatefile("one.tpl", { x = 5 })\n'
        "}\n"
    )
    d = folder(
        tmp_path,
        text,
        t__tpl="%{ for u in users ~}\n${greeting} ${u}\n%{ endfor ~}\n",
        data__txt="payload\n",
        one__tpl="${x}",
    )
    t, diags, _ = load(str(d), Options(env={}))
    assert t is not None and not errors(diags), errors(diags)
    assert V.to_python(t.locals["rendered"].value) == "hi ann\nhi bob\n"  # type: ignore[arg-type]
    assert V.to_python(t.locals["raw"].value) == "payload\n"  # type: ignore[arg-type]
    assert t.locals["wrapped"].value == V.string("5")  # templatefile always gives a string


def test_templatefile_errors_name_the_template(tmp_path: Path) -> None:
    text = 'locals {\n  x = templatefile("t.tpl", {})\n  y = templatefile("missing.tpl", {})\n}\n'
    d = folder(tmp_path, text, t__tpl="${nope}\n")
    _, diags, _ = load(str(d), Options(env={}))
    found = [(d.summary, d.detail) for d in diags if d.is_error]
    assert any("t.tpl" in detail and "nope" in detail for _, detail in found), found
    assert any("missing.tpl" in detail for _, detail in found), found
