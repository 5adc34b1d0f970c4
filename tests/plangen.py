"""Hypothesis strategies producing small, valid Packer projects (a template plus the files it reads) to plan."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

# Text safe inside an HCL quoted string: no quotes, backslashes, template sequences or newlines;
# some non-ASCII and astral characters, so that canonical key ordering (UTF-16) is exercised.
_SAFE = st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zl", "Zp"], exclude_characters='"\\$%{}\r\n~')
words = st.text(_SAFE, min_size=0, max_size=6)
map_keys = st.one_of(
    st.sampled_from(["a", "B", "é", "\ue000", "😀", "z_1", "ä"]), st.text(_SAFE, min_size=1, max_size=3)
)
file_bytes = st.binary(max_size=40)


def q(s: str) -> str:
    """An HCL quoted string."""
    return '"' + s + '"'


@dataclass
class Project:
    """A template's text and the files it reads (relative path -> bytes; modes as given)."""

    template: dict[str, str]  # file name -> HCL
    files: dict[str, bytes] = field(default_factory=dict)
    modes: dict[str, int] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)  # extra `bake plan` arguments (paths relative to the folder)


@st.composite
def variables(draw: st.DrawFn) -> tuple[list[str], list[str], list[str]]:
    """Variable blocks, the names of plain string variables, and the names of sensitive ones."""
    blocks: list[str] = []
    plain: list[str] = []
    secret: list[str] = []
    for i in range(draw(st.integers(0, 4))):
        name = f"v{i}"
        shape = draw(st.sampled_from(["string", "number", "list", "map", "bool", "secret"]))
        if shape == "string":
            blocks.append(f"variable {q(name)} {{\n  type = string\n  default = {q(draw(words))}\n}}\n")
            plain.append(name)
        elif shape == "secret":
            value = "S3CR3T-" + draw(st.text("abcdefghijklmnop0123456789", min_size=4, max_size=8))
            blocks.append(f"variable {q(name)} {{\n  type = string\n  sensitive = true\n  default = {q(value)}\n}}\n")
            secret.append(name)
        elif shape == "number":
            n = draw(st.one_of(st.integers(-(10**20), 10**20), st.sampled_from(["1.5", "0.1", "1e3", "-2.25"])))
            blocks.append(f"variable {q(name)} {{\n  default = {n}\n}}\n")
        elif shape == "list":
            items = ", ".join(q(w) for w in draw(st.lists(words, max_size=3)))
            blocks.append(f"variable {q(name)} {{\n  type = list(string)\n  default = [{items}]\n}}\n")
        elif shape == "map":
            keys = draw(st.lists(map_keys, max_size=4, unique=True))
            items = ", ".join(f"{q(k)} = {q(draw(words))}" for k in keys)
            blocks.append(f"variable {q(name)} {{\n  type = map(string)\n  default = {{ {items} }}\n}}\n")
        else:
            blocks.append(f"variable {q(name)} {{\n  default = {draw(st.sampled_from(['true', 'false']))}\n}}\n")
    return blocks, plain, secret


@st.composite
def projects(draw: st.DrawFn) -> Project:
    var_blocks, plain, secret = draw(variables())
    project = Project(template={})
    files = project.files
    locals_: list[str] = []
    refs: list[str] = [f"var.{n}" for n in plain]
    for i in range(draw(st.integers(0, 2))):
        base = draw(st.sampled_from(refs)) if draw(st.booleans()) and len(refs) > 0 else q(draw(words))
        fn = draw(st.sampled_from(["upper({})", "lower({})", '"pre-${{{}}}-post"', 'join("-", [{}, "x"])']))
        locals_.append(f"  l{i} = {fn.format(base)}\n")
        refs.append(f"local.l{i}")
    refs += [f"var.{n}" for n in secret]

    def value() -> str:
        if draw(st.booleans()) and len(refs) > 0:
            return '"${' + draw(st.sampled_from(refs)) + '}"'
        return q(draw(words))

    sources: list[str] = []
    blocks: list[str] = []
    for i in range(draw(st.integers(1, 3))):
        name = f"s{i}"
        sources.append(f"docker.{name}")
        body = [f"  image = {q(draw(st.sampled_from(['busybox', 'alpine:3.19', 'ubuntu:24.04'])))}", "  commit = true"]
        if draw(st.booleans()):
            changes = ", ".join(q("ENV K=" + w) for w in draw(st.lists(words, max_size=2)))
            body.append(f"  changes = [{changes}]")
        if draw(st.booleans()):
            body.append(f"  author = {value()}")
        blocks.append(f'source "docker" {q(name)} {{\n' + "\n".join(body) + "\n}\n")

    steps: list[str] = []
    for i in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["inline", "script", "scripts", "folder", "file", "local-inline", "local-script"]))
        lines: list[str] = []
        if kind == "inline":
            ptype = "shell"
            lines.append(f"inline = [{', '.join(value() for _ in range(draw(st.integers(1, 3))))}]")
        elif kind in ("script", "local-script"):
            ptype = "shell" if kind == "script" else "shell-local"
            path = f"scripts/p{i}.sh"
            files[path] = draw(file_bytes)
            project.modes[path] = draw(st.sampled_from([0o644, 0o755]))
            lines.append(f'script = "${{path.root}}/{path}"')
        elif kind == "scripts":
            ptype = "shell"
            paths = [f"scripts/p{i}_{k}.sh" for k in range(draw(st.integers(1, 3)))]
            for p in paths:
                files[p] = draw(file_bytes)
            lines.append("scripts = [" + ", ".join(f'"${{path.root}}/{p}"' for p in paths) + "]")
        elif kind == "folder":
            ptype = "file"
            names = draw(
                st.lists(
                    st.sampled_from(["a", "b.txt", "sub/c", "sub/deeper/d", "z", "é.txt"]),
                    min_size=1,
                    max_size=4,
                    unique=True,
                )
            )
            for n in names:
                files[f"files/p{i}/{n}"] = draw(file_bytes)
            slash = draw(st.sampled_from(["", "/"]))
            lines += [f'source = "${{path.root}}/files/p{i}{slash}"', f'destination = "/opt/p{i}"']
        elif kind == "file":
            ptype = "file"
            files[f"data/f{i}.bin"] = draw(file_bytes)
            lines += [f'source = "${{path.root}}/data/f{i}.bin"', f'destination = "/tmp/f{i}.bin"']
        else:
            ptype = "shell-local"
            lines.append(f"inline = [{value()}]")
        if draw(st.integers(0, 3)) == 0:
            lines.append(f"name = {q('step ' + draw(words))}")
        if draw(st.integers(0, 3)) == 0:
            lines.append(f'timeout = "{draw(st.integers(1, 90))}m"')
        if draw(st.integers(0, 3)) == 0:
            lines.append(f"max_retries = {draw(st.integers(0, 5))}")
        if len(sources) > 1 and draw(st.integers(0, 3)) == 0:
            lines.append(f"{draw(st.sampled_from(['only', 'except']))} = [{q(draw(st.sampled_from(sources)))}]")
        steps.append(f"  provisioner {q(ptype)} {{\n" + "".join(f"    {line}\n" for line in lines) + "  }\n")

    for _ in range(draw(st.integers(0, 2))):
        chain = []
        for _ in range(draw(st.integers(1, 2))):
            if draw(st.booleans()):
                chain.append(
                    f'post-processor "docker-tag" {{\n      repository = {value()}\n      tags = [{value()}]\n    }}'
                )
            else:
                chain.append(f'post-processor "shell-local" {{\n      inline = [{value()}]\n    }}')
        if len(chain) == 1 and draw(st.booleans()):
            steps.append("  " + chain[0].replace("\n  ", "\n") + "\n")
        else:
            steps.append("  post-processors {\n" + "".join(f"    {c}\n" for c in chain) + "  }\n")

    name = draw(st.sampled_from(["", '  name = "b"\n']))
    srcs = ", ".join(q("source." + s) for s in sources)
    build = f"build {{\n{name}  sources = [{srcs}]\n" + "".join(steps) + "}\n"
    template = "".join(var_blocks) + ("locals {\n" + "".join(locals_) + "}\n" if locals_ else "") + "".join(blocks)
    if draw(st.booleans()):
        project.template = {"a.pkr.hcl": template, "b.pkr.hcl": build}
    else:
        project.template = {"t.pkr.hcl": template + build}
    if draw(st.booleans()) and len(plain) > 0:
        files["vars.pkrvars.hcl"] = f"{plain[0]} = {q(draw(words))}\n".encode()
        project.args = ["-var-file", "proj/vars.pkrvars.hcl"]
    return project
