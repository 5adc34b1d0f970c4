"""The shell provisioner: inline commands or scripts, run inside the machine being built."""

from __future__ import annotations

import shlex

from ..steps import StepContext, StepFailed, as_list

DEFAULT_EXECUTE = "chmod +x {{.Path}}; {{.Vars}} {{.Path}}"


def _vars(config: dict[str, object]) -> dict[str, str]:
    env: dict[str, str] = {}
    for item in as_list(config.get("environment_vars")):
        key, _, value = str(item).partition("=")
        env[key] = value
    for key, value in dict(config.get("env") or {}).items():  # type: ignore[call-overload]
        env[str(key)] = str(value)
    return env


def run(ctx: StepContext) -> None:
    """Upload each script (inline commands become one) and run it with execute_command."""
    assert ctx.session is not None
    config = ctx.config
    comm = ctx.session.communicator
    env = _vars(config)
    env_prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(env.items()))
    remote_folder = str(config.get("remote_folder") or "/tmp")
    remote_file = str(config.get("remote_file") or f"script_{ctx.step.key[7:15]}.sh")
    execute = str(config.get("execute_command") or DEFAULT_EXECUTE)
    valid = [int(x) for x in as_list(config.get("valid_exit_codes"))] or [0]
    scripts: list[tuple[str, bytes]] = []
    inline = as_list(config.get("inline"))
    if inline:
        shebang = str(config.get("inline_shebang") or "/bin/sh -e")
        body = f"#!{shebang}\n" + "".join(f"{line}\n" for line in inline)
        scripts.append(("inline", body.encode()))
    for path in as_list(config.get("script")) + as_list(config.get("scripts")):
        try:
            scripts.append((str(path), ctx.local(str(path)).read_bytes()))
        except OSError as exc:
            raise StepFailed(f"cannot read script {path}: {exc.strerror}") from None
    for i, (name, data) in enumerate(scripts):
        remote = str(config.get("remote_path") or f"{remote_folder}/{remote_file}")
        if len(scripts) > 1 and not config.get("remote_path"):
            remote = f"{remote_folder}/{i}-{remote_file}"
        comm.upload_bytes(data, remote, 0o755)
        command = execute.replace("{{.Vars}}", env_prefix).replace("{{ .Vars }}", env_prefix)
        command = command.replace("{{.Path}}", shlex.quote(remote)).replace("{{ .Path }}", shlex.quote(remote))
        result = comm.run(["/bin/sh", "-c", command], output=ctx.say, timeout=ctx.time_left())
        if result.exit_code not in valid:
            if config.get("expect_disconnect") and result.exit_code == -1:
                continue
            raise StepFailed(
                f"script {name} exited with status {result.exit_code}\n--- last output ---\n{result.output_tail}"
            )
        if not config.get("skip_clean"):
            cleaned = comm.run(["rm", "-f", remote], timeout=ctx.time_left())
            if cleaned.exit_code != 0:  # as Packer: a script left in the image fails the step
                raise StepFailed(
                    f"cannot remove the temporary script {remote} (exit status {cleaned.exit_code}); "
                    f"set skip_clean = true to leave it\n--- last output ---\n{cleaned.output_tail}"
                )
