"""The shell-local provisioner (and post-processor): commands run on the machine that runs bake."""

from __future__ import annotations

import os
import subprocess
import tempfile

from ..steps import StepContext, StepFailed, as_list


def run(ctx: StepContext) -> None:
    """Run `inline`, `command` or `script(s)` locally, in the template folder."""
    config = ctx.config
    env = dict(os.environ)
    for item in as_list(config.get("environment_vars")):
        key, _, value = str(item).partition("=")
        env[key] = value
    env["PACKER_BUILD_NAME"] = ctx.build.name
    env["PACKER_BUILDER_TYPE"] = ctx.build.builder
    commands: list[list[str]] = []
    inline = as_list(config.get("inline"))
    if config.get("command"):
        inline.append(str(config["command"]))
    if inline:
        shebang = str(config.get("inline_shebang") or "/bin/sh -e")
        with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as fh:
            fh.write(f"#!{shebang}\n" + "".join(f"{c}\n" for c in inline))
        commands.append([*shebang.split(), fh.name])
    for path in as_list(config.get("script")) + as_list(config.get("scripts")):
        commands.append(["/bin/sh", str(ctx.local(str(path)))])
    for cmd in commands:
        limit = ctx.time_left()
        try:
            proc = subprocess.run(
                cmd, cwd=ctx.root, env=env, capture_output=True, text=True, timeout=limit or 3600, check=False
            )
        except subprocess.TimeoutExpired:
            raise StepFailed(f"local command timed out after {limit or 3600:g} s and was killed") from None
        finally:
            if cmd[-1].startswith(tempfile.gettempdir()):
                os.unlink(cmd[-1])
        for line in (proc.stdout + proc.stderr).splitlines():
            ctx.say(line)
        valid = [int(x) for x in as_list(config.get("valid_exit_codes"))] or [0]
        if proc.returncode not in valid:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
            raise StepFailed(f"local command exited with status {proc.returncode}\n--- last output ---\n{tail}")
