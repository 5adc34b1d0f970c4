"""The docker builder and communicator against a real Docker Engine (see the docker_host fixture)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import tarfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bake.runtime.builders.docker import DockerBuilder, DockerSession, parse_run_command
from bake.runtime.interfaces import BuildError, CommandTimeout

KEY = "sha256:" + hashlib.sha256(b"a step").hexdigest()
FINAL_KEY = "sha256:" + hashlib.sha256(b"the final step").hexdigest()


def docker_cli(*args: str) -> str:
    r = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout


def containers_of(build: str) -> list[str]:
    return docker_cli("ps", "-aq", "--filter", f"label=bake.build={build}").split()


@pytest.fixture
def warnings() -> list[str]:
    return []


@pytest.fixture
def builder(docker_client: Any, warnings: list[str]) -> DockerBuilder:
    return DockerBuilder(docker_client, warn=warnings.append)


@pytest.fixture
def build_name() -> str:
    return f"test.docker.{uuid.uuid4().hex[:10]}"


@pytest.fixture
def source(base_image: str) -> dict[str, Any]:
    return {"image": base_image, "pull": False}


@pytest.fixture
def session(builder: DockerBuilder, source: dict[str, Any], build_name: str) -> Iterator[DockerSession]:
    s = builder.start(source, build_name)
    yield s
    s.close()


def sh(session: DockerSession, script: str, **kw: Any) -> list[str]:
    lines: list[str] = []
    result = session.communicator.run(["/bin/sh", "-c", script], output=lines.append, **kw)
    assert result.exit_code == 0, result.output_tail
    return lines


# -- commands


def test_exit_codes_and_streamed_output(session: DockerSession) -> None:
    lines: list[str] = []
    script = "echo one; echo two >&2; printf 'caf\\303\\251 '; printf 'no newline'; exit 3"
    result = session.communicator.run(["/bin/sh", "-c", script], output=lines.append)
    assert result.exit_code == 3
    # stdout and stderr are separate pipes: lines stay whole, but their order across the two is not fixed
    assert [line for line in lines if line != "two"] == ["one", "café no newline"] and "two" in lines
    assert result.output_tail.splitlines() == lines
    assert session.communicator.run(["true"]).exit_code == 0
    assert session.communicator.run(["/bin/sh", "-c", "kill -9 $$"]).exit_code == 137


def test_env_user_and_workdir(session: DockerSession) -> None:
    out = sh(
        session, 'echo "$GREETING"; id -u; pwd', env={"GREETING": "hello 'there' $x"}, user="nobody", workdir="/tmp"
    )
    assert out == ["hello 'there' $x", "65534", "/tmp"]
    assert sh(session, "id -u; pwd") == ["0", "/"]


def test_a_missing_command_is_an_exit_code_not_a_crash(session: DockerSession) -> None:
    result = session.communicator.run(["/no/such/program"])
    assert result.exit_code in (126, 127)


def test_timeout_kills_the_command_and_its_children(session: DockerSession) -> None:
    lines: list[str] = []
    t0 = time.monotonic()
    with pytest.raises(CommandTimeout, match=r"timed out after 1 s") as info:
        session.communicator.run(["/bin/sh", "-c", "echo started; sleep 60 & sleep 61"], output=lines.append, timeout=1)
    assert time.monotonic() - t0 < 8
    assert lines == ["started"] and "started" in str(info.value)
    # nothing of it is left running, and the session is still usable
    assert not [line for line in sh(session, "ps -o args") if "sleep 6" in line]
    assert sh(session, "echo still here", timeout=10) == ["still here"]


# -- files


def make_tree(root: Path) -> None:
    (root / "sub" / "données").mkdir(parents=True)
    (root / "run.sh").write_text("#!/bin/sh\necho run\n")
    (root / "run.sh").chmod(0o755)
    (root / "secret.key").write_bytes(b"\x00\x01binary\xff")
    (root / "secret.key").chmod(0o600)
    (root / "sub" / "日本語.txt").write_text("こんにちは\n")
    (root / "sub" / "données" / "é à.txt").write_text("accents\n")
    (root / "sub" / "données").chmod(0o750)
    (root / "empty").mkdir()
    (root / "link").symlink_to("run.sh")


def tree(root: Path) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        if stat.S_ISLNK(st.st_mode):
            what = "-> " + os.readlink(p)
        elif p.is_dir():
            what = "dir"
        else:
            what = hashlib.sha256(p.read_bytes()).hexdigest()
        out[p.relative_to(root).as_posix()] = (stat.S_IMODE(st.st_mode), what)
    return out


def test_folder_upload_and_download_round_trip(session: DockerSession, tmp_path: Path) -> None:
    src = tmp_path / "payload"
    make_tree(src)
    comm = session.communicator
    comm.upload(str(src), "/opt/a")  # no trailing slash: the folder itself, made under a new /opt/a
    comm.upload(str(src) + "/", "/opt/b")  # trailing slash: its contents
    listing = sh(session, "cd /opt && find . | sort")
    assert "./a/payload/sub/données/é à.txt" in listing and "./b/sub/日本語.txt" in listing
    assert "./b/payload" not in listing
    assert sh(session, "stat -c '%a %u' /opt/b/run.sh /opt/b/secret.key /opt/b/sub/données") == [
        "755 0",
        "600 0",
        "750 0",
    ]
    assert sh(session, "/opt/a/payload/link") == ["run"]

    comm.download("/opt/b/", str(tmp_path / "back-contents"))
    comm.download("/opt/a/payload", str(tmp_path / "back"))
    assert tree(tmp_path / "back-contents") == tree(src)
    assert tree(tmp_path / "back" / "payload") == tree(src)


def test_file_upload_download_and_bytes(session: DockerSession, tmp_path: Path) -> None:
    comm = session.communicator
    f = tmp_path / "ünï.txt"
    f.write_text("one file\n")
    f.chmod(0o640)
    comm.upload(str(f), "/etc/renamed.txt")
    comm.upload(str(f), "/deep/new/dir/")  # a trailing slash names a folder: made if missing
    comm.upload_bytes(b"#!/bin/sh\necho from bytes\n", "/usr/local/bin/hello", mode=0o755)
    assert sh(session, "stat -c '%a %n' /etc/renamed.txt /deep/new/dir/ünï.txt") == [
        "640 /etc/renamed.txt",
        "640 /deep/new/dir/ünï.txt",
    ]
    assert sh(session, "hello") == ["from bytes"]
    comm.download("/etc/renamed.txt", str(tmp_path / "out" / "copy.txt"))
    (tmp_path / "into").mkdir()
    comm.download("/usr/local/bin/hello", str(tmp_path / "into"))
    assert (tmp_path / "out" / "copy.txt").read_text() == "one file\n"
    assert stat.S_IMODE((tmp_path / "into" / "hello").stat().st_mode) == 0o755
    with pytest.raises(BuildError, match="no such file"):
        comm.download("/not/there", str(tmp_path / "x"))
    with pytest.raises(BuildError, match="no such file"):
        comm.upload(str(tmp_path / "missing"), "/tmp/")


def test_uploads_belong_to_the_container_user(builder: DockerBuilder, source: dict[str, Any], build_name: str) -> None:
    run = ["-d", "-i", "-t", "--user=nobody", "--entrypoint=/bin/sh", "--", "{{.Image}}"]
    s = builder.start({**source, "run_command": run}, build_name)
    try:
        s.communicator.upload_bytes(b"x", "/tmp/owned")
        assert sh(s, "id -u; stat -c %u /tmp/owned") == ["65534", "65534"]
    finally:
        s.close()


# -- layers and artifacts


def test_snapshot_and_resume_keep_the_files(
    builder: DockerBuilder, session: DockerSession, source: dict[str, Any], build_name: str, docker_client: Any
) -> None:
    session.communicator.upload_bytes(b"kept\n", "/srv/state.txt", mode=0o600)
    layer, size = builder.snapshot(session, KEY)
    assert layer.startswith("sha256:") and 0 < size < 1_000_000
    assert builder.layer_exists(layer) and not builder.layer_exists("sha256:" + "0" * 64)
    image = docker_client.images.get(layer)
    assert image.labels["bake.key"] == KEY
    assert f"bake-layer:{KEY[7:39]}" in image.tags
    resumed = builder.resume(layer, source, build_name)
    try:
        assert sh(resumed, "cat /srv/state.txt; stat -c %a /srv/state.txt") == ["kept", "600"]
    finally:
        resumed.close()


def test_finalize_commit_applies_changes(builder: DockerBuilder, session: DockerSession, docker_client: Any) -> None:
    sh(session, "mkdir -p /app && echo 'echo app says $GREETING from $(pwd)' > /app/run.sh")
    layer, _ = builder.snapshot(session, FINAL_KEY)
    config = {
        "commit": True,
        "changes": [
            "ENV GREETING=hi",
            "WORKDIR /app",
            'ENTRYPOINT ["/bin/sh"]',
            'CMD ["/app/run.sh"]',
            "LABEL team=build",
            "EXPOSE 8080",
        ],
        "author": "bake tests",
        "message": "finalized",
    }
    artifact = builder.finalize(session, config, FINAL_KEY)
    assert artifact is not None and artifact.builder == "docker"
    assert artifact.id.startswith("sha256:") and artifact.digest == artifact.id
    (info,) = json.loads(docker_cli("inspect", artifact.id))
    assert "GREETING=hi" in info["Config"]["Env"]
    assert info["Config"]["WorkingDir"] == "/app"
    assert info["Config"]["Entrypoint"] == ["/bin/sh"] and info["Config"]["Cmd"] == ["/app/run.sh"]
    assert info["Config"]["Labels"]["team"] == "build" and "8080/tcp" in info["Config"]["ExposedPorts"]
    assert info["Author"] == "bake tests" and info["Comment"] == "finalized"
    assert docker_cli("run", "--rm", "--network", "none", artifact.id).strip() == "app says hi from /app"
    # a cache hit finds the same image again, and makes it anew when it was deleted
    assert builder.restore_artifact(layer, config) == artifact
    docker_client.images.remove(artifact.id)
    again = builder.restore_artifact(layer, config)
    assert again is not None and again.id != artifact.id
    assert docker_cli("run", "--rm", "--network", "none", again.id).strip() == "app says hi from /app"


def test_finalize_export_path_writes_a_tar(builder: DockerBuilder, session: DockerSession, tmp_path: Path) -> None:
    session.communicator.upload_bytes(b"exported\n", "/data/ß.txt", mode=0o640)
    layer, _ = builder.snapshot(session, FINAL_KEY)
    path = tmp_path / "out" / "image.tar"
    artifact = builder.finalize(session, {"export_path": str(path)}, FINAL_KEY)
    assert artifact is not None and artifact.files == [str(path)] and artifact.id == str(path)
    assert artifact.digest == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    with tarfile.open(path) as tar:
        member = tar.getmember("data/ß.txt")
        assert stat.S_IMODE(member.mode) == 0o640
        reader = tar.extractfile(member)
        assert reader is not None and reader.read() == b"exported\n"
        assert tar.getmember("bin/busybox").isfile()
    assert list(path.parent.iterdir()) == [path]  # no partial files left
    path.unlink()
    restored = builder.restore_artifact(layer, {"export_path": str(path)})
    assert restored is not None and restored.files == [str(path)]
    with tarfile.open(path) as tar:
        assert "data/ß.txt" in tar.getnames()


def test_finalize_discard_and_bad_finalize_configs(builder: DockerBuilder, session: DockerSession) -> None:
    assert builder.finalize(session, {"discard": True}, FINAL_KEY) is None
    with pytest.raises(BuildError, match="exactly one of commit, export_path or discard"):
        builder.finalize(session, {}, FINAL_KEY)
    with pytest.raises(BuildError, match=r"exactly one .*\(got commit, discard\)"):
        builder.finalize(session, {"commit": True, "discard": True}, FINAL_KEY)
    with pytest.raises(BuildError, match='"RUN echo hi" cannot be applied by docker commit'):
        builder.finalize(session, {"commit": True, "changes": ["RUN echo hi"]}, FINAL_KEY)


# -- lifecycle and errors


def test_close_removes_the_container(builder: DockerBuilder, source: dict[str, Any], build_name: str) -> None:
    s = builder.start(source, build_name)
    assert len(containers_of(build_name)) == 1
    s.close()
    s.close()  # idempotent
    assert containers_of(build_name) == []
    with pytest.raises(BuildError, match="already removed"):
        builder.snapshot(s, KEY)


def test_a_container_that_stops_at_once_is_an_error_and_removed(
    builder: DockerBuilder, source: dict[str, Any], build_name: str
) -> None:
    run = ["-d", "--entrypoint=/bin/sh", "--", "{{.Image}}", "-c", "echo bye"]  # no -i: sh exits at once
    started: list[DockerSession] = []
    # found at start when the container is already gone, else at the first command
    with pytest.raises(BuildError, match="run_command must keep it running") as info:
        started.append(builder.start({**source, "run_command": run}, build_name))
        # a command may still slip in before the shell has exited: keep trying for a while
        for _ in range(50):
            started[0].communicator.run(["true"])
            time.sleep(0.1)
    assert "bye" in str(info.value)
    for s in started:
        s.close()
    assert containers_of(build_name) == []


def test_missing_images_and_failed_pulls(
    builder: DockerBuilder, base_image: str, build_name: str, warnings: list[str]
) -> None:
    with pytest.raises(BuildError, match=r"cannot pull image bake/absent:1 \(.*\), and the Docker Engine does not"):
        builder.start({"image": "bake/absent:1"}, build_name)
    with pytest.raises(BuildError, match="image bake/absent:1 is not in the Docker Engine and pull = false"):
        builder.start({"image": "bake/absent:1", "pull": False}, build_name)
    with pytest.raises(BuildError, match="no longer in the Docker Engine"):
        builder.resume("sha256:" + "0" * 64, {"image": base_image}, build_name)
    # no registry is reachable: the pull fails, the local image is used, with a warning
    s = builder.start({"image": base_image}, build_name)
    s.close()
    assert len(warnings) == 1 and f"could not pull {base_image}" in warnings[0]
    assert containers_of(build_name) == []


def test_config_options_reach_the_container(
    builder: DockerBuilder, source: dict[str, Any], build_name: str, tmp_path: Path, docker_client: Any
) -> None:
    (tmp_path / "shared.txt").write_text("from the host\n")
    config = {
        **source,
        "volumes": {str(tmp_path): "/mnt/host"},
        "cap_drop": ["CHOWN"],
        "exec_user": "nobody",
        "container_dir": "/scratch",
    }
    s = builder.start(config, build_name)
    try:
        assert sh(s, "cat /mnt/host/shared.txt", user="root") == ["from the host"]
        assert sh(s, "id -u") == ["65534"]
        assert s.communicator.run(["chown", "nobody", "/tmp"], user="root").exit_code != 0  # CHOWN dropped
        attrs = docker_client.containers.get(s.container_id).attrs
        assert attrs["HostConfig"]["NetworkMode"] == "none"
        assert attrs["Config"]["Labels"]["bake.build"] == build_name
        assert "/scratch" in attrs["HostConfig"]["Tmpfs"]
    finally:
        s.close()


def test_parse_run_command() -> None:
    kw, cmd = parse_run_command(
        ["-dit", "--entrypoint=/bin/sh", "-e", "A=1", "-v", "/h:/c", "--", "{{ .Image }}"], "img"
    )
    assert kw == {
        "stdin_open": True,
        "tty": True,
        "entrypoint": ["/bin/sh"],
        "environment": ["A=1"],
        "volumes": ["/h:/c"],
    }
    assert cmd == []
    assert parse_run_command(["{{.Image}}", "sleep", "1"], "img") == ({}, ["sleep", "1"])
    with pytest.raises(BuildError, match="does not support the docker run option --gpus"):
        parse_run_command(["--gpus", "all", "{{.Image}}"], "img")
    with pytest.raises(BuildError, match="not the build's image"):
        parse_run_command(["-d", "other"], "img")
