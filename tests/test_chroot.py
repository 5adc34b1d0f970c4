"""The chroot communicator with real processes in a busybox tree: namespaces, timeouts, files, rooted paths."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

from bake.runtime.communicators.chroot import ChrootCommunicator, isolation, resolve_in_root
from bake.runtime.interfaces import BuildError, CommandTimeout

BUSYBOX = Path("/bin/busybox")
APPLETS = (
    "sh", "echo", "cat", "ls", "id", "sleep", "kill", "mkdir", "chmod", "touch", "stat", "readlink", "env", "pwd",
    "test",
)  # fmt: skip

pytestmark = pytest.mark.skipif(not BUSYBOX.exists(), reason="needs /bin/busybox (Debian package busybox-static)")


def _make_tree(root: Path, applets: tuple[str, ...] = APPLETS) -> Path:
    (root / "bin").mkdir(parents=True)
    shutil.copy2(BUSYBOX, root / "bin" / "busybox")
    listed = set(subprocess.run([str(BUSYBOX), "--list"], capture_output=True, text=True, check=True).stdout.split())
    for name in applets:
        assert name in listed, f"busybox has no {name} applet"
        (root / "bin" / name).symlink_to("busybox")
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return _make_tree(tmp_path / "tree")


@pytest.fixture
def comm(tree: Path) -> ChrootCommunicator:
    return ChrootCommunicator(tree)


def _sh(
    comm: ChrootCommunicator,
    script: str,
    env: dict[str, str] | None = None,
    user: str | None = None,
    workdir: str | None = None,
) -> tuple[int, list[str]]:
    lines: list[str] = []
    result = comm.run(["/bin/sh", "-c", script], env=env, user=user, workdir=workdir, output=lines.append)
    assert result.output_tail == "\n".join(lines[-40:])
    return result.exit_code, lines


def _scan(root: Path) -> dict[str, tuple[int, ...]]:
    """Every entry under root with what a snapshot would compare (ctime and atime excluded)."""
    seen: dict[str, tuple[int, ...]] = {}
    for folder, dirs, files in os.walk(root):
        for name in [".", *dirs, *files]:
            path = Path(folder, name)
            st = os.lstat(path)
            seen[str(path.relative_to(root))] = (
                st.st_mode, st.st_uid, st.st_gid, st.st_size, st.st_mtime_ns, st.st_ino, st.st_nlink,
            )  # fmt: skip
    return seen


def _host_processes(needle: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if needle in cmdline:
                found.append(f"{entry.name}: {cmdline}")
    return found


# -- commands


def test_isolation_is_known() -> None:
    assert isolation() in ("root", "user")


def test_output_is_streamed_in_order_with_the_exit_code(comm: ChrootCommunicator) -> None:
    seen: list[tuple[str, float]] = []
    result = comm.run(
        ["/bin/sh", "-c", "echo one; echo two >&2; sleep 0.5; echo 'three ü'"],
        output=lambda line: seen.append((line, time.monotonic())),
    )
    ended = time.monotonic()
    assert result.exit_code == 0
    assert [line for line, _ in seen] == ["one", "two", "three ü"]
    assert result.output_tail == "one\ntwo\nthree ü"
    assert ended - seen[0][1] > 0.3  # "one" arrived while the command still ran


def test_a_failing_command_gives_its_exit_status(comm: ChrootCommunicator) -> None:
    code, lines = _sh(comm, "echo failing >&2; exit 3")
    assert (code, lines) == (3, ["failing"])


def test_the_output_tail_keeps_the_last_40_lines(comm: ChrootCommunicator) -> None:
    result = comm.run(["/bin/sh", "-c", "i=0; while [ $i -lt 50 ]; do i=$((i+1)); echo line$i; done"])
    assert result.output_tail.splitlines() == [f"line{i}" for i in range(11, 51)]


def test_environment_is_clean_plus_env(comm: ChrootCommunicator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAKE_HOST_ONLY", "leaked")
    code, lines = _sh(comm, "env", env={"GREETING": "hello world", "EMPTY": ""})
    assert code == 0
    env = dict(line.split("=", 1) for line in lines)
    assert env["GREETING"] == "hello world" and env["EMPTY"] == ""
    assert env["PATH"] == "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    assert env["HOME"] == "/root"
    assert "BAKE_HOST_ONLY" not in env
    assert set(env) <= {"GREETING", "EMPTY", "PATH", "HOME", "PWD", "SHLVL"}


def test_bad_environment_names_are_refused(comm: ChrootCommunicator) -> None:
    with pytest.raises(BuildError, match="environment variable"):
        comm.run(["env"], env={"A=B": "x"})


def test_workdir(comm: ChrootCommunicator) -> None:
    assert _sh(comm, "pwd", workdir="/bin") == (0, ["/bin"])
    assert _sh(comm, "pwd", workdir="bin/../../bin") == (0, ["/bin"])
    assert _sh(comm, "pwd") == (0, ["/"])
    with pytest.raises(BuildError, match="no such folder"):
        comm.run(["pwd"], workdir="/nowhere")


def test_user_by_numbers(comm: ChrootCommunicator) -> None:
    if isolation() != "root":
        pytest.skip("other users need the builder to run as root")
    assert _sh(comm, "id -u; id -g", user="1000:1000") == (0, ["1000", "1000"])


def test_user_by_name_from_the_trees_own_files(tree: Path) -> None:
    if isolation() != "root":
        pytest.skip("other users need the builder to run as root")
    (tree / "etc").mkdir()
    (tree / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\nbuilder:x:1234:2345::/home/b:/bin/sh\n")
    (tree / "etc" / "group").write_text("root:x:0:\nbuilders:x:2345:\nextra:x:777:someone,builder\n")
    comm = ChrootCommunicator(tree, exec_user="builder")
    assert _sh(comm, "id -u; id -g; id -G; echo $HOME") == (0, ["1234", "2345", "2345 777", "/home/b"])
    assert _sh(comm, "id -u; id -g", user="builder:extra") == (0, ["1234", "777"])
    assert _sh(comm, "id -u", user="root") == (0, ["0"])
    with pytest.raises(BuildError, match="no such user"):
        comm.run(["id"], user="nobody-here")


def test_commands_get_their_own_pid_namespace(comm: ChrootCommunicator) -> None:
    code, lines = _sh(comm, "echo $$; ls /proc")
    assert code == 0
    assert int(lines[0]) < 100
    pids = [name for name in lines[1:] if name.isdigit()]
    assert 1 <= len(pids) <= 5, pids


def test_dev_has_the_usual_devices(comm: ChrootCommunicator) -> None:
    script = "echo gone > /dev/null && test -c /dev/null && test -c /dev/urandom && test -L /dev/fd && echo ok"
    assert _sh(comm, script) == (0, ["ok"])


def test_the_tree_is_unchanged_by_a_command_that_does_nothing(tree: Path, comm: ChrootCommunicator) -> None:
    before = _scan(tree)
    assert _sh(comm, ":") == (0, [])
    assert not (tree / "proc").exists() and not (tree / "dev").exists()
    assert _scan(tree) == before


def test_existing_mount_points_stay(tree: Path, comm: ChrootCommunicator) -> None:
    (tree / "proc").mkdir()
    (tree / "dev").mkdir()
    (tree / "dev" / "hidden").write_text("under the tmpfs")
    before = _scan(tree)
    assert _sh(comm, "ls /dev/hidden 2>/dev/null || echo hidden") == (0, ["hidden"])
    assert _scan(tree) == before


def test_dev_as_a_symlink_is_refused(tree: Path, comm: ChrootCommunicator) -> None:
    (tree / "dev").symlink_to("/host-somewhere")
    before = _scan(tree)
    with pytest.raises(BuildError, match="symbolic link"):
        comm.run(["/bin/sh", "-c", ":"])
    assert _scan(tree) == before  # no /proc left behind either


def test_proc_as_a_file_is_refused(tree: Path, comm: ChrootCommunicator) -> None:
    (tree / "proc").write_text("")
    with pytest.raises(BuildError, match="not a folder"):
        comm.run(["/bin/sh", "-c", ":"])


def test_a_timeout_kills_the_command_and_its_children(comm: ChrootCommunicator) -> None:
    seen: list[str] = []
    started = time.monotonic()
    with pytest.raises(CommandTimeout) as caught:
        comm.run(["/bin/sh", "-c", "echo started; sleep 1234 & sleep 1234"], output=seen.append, timeout=1)
    assert time.monotonic() - started < 3
    first, *rest = str(caught.value).splitlines()
    assert first == "command timed out after 1 s and was killed: /bin/sh -c 'echo started; sleep 1234 & sleep 1234'"
    assert rest == ["--- last output ---", "started"]
    assert seen == ["started"]
    assert _host_processes("sleep 1234") == []


def test_an_interrupt_kills_the_command(comm: ChrootCommunicator) -> None:
    main = threading.get_ident()
    timer = threading.Timer(0.5, signal.pthread_kill, args=(main, signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            comm.run(["/bin/sh", "-c", "sleep 1235 & sleep 1235"])
    finally:
        timer.cancel()
    assert _host_processes("sleep 1235") == []


def test_background_processes_end_with_the_command(comm: ChrootCommunicator) -> None:
    started = time.monotonic()
    assert _sh(comm, "sleep 1236 & echo done") == (0, ["done"])
    assert time.monotonic() - started < 3
    assert _host_processes("sleep 1236") == []


def test_a_shell_that_kills_itself_gives_137(comm: ChrootCommunicator) -> None:
    code, _ = _sh(comm, "kill -9 $$; sleep 5")
    assert code == 137


def test_a_command_missing_from_the_tree_gives_127(comm: ChrootCommunicator) -> None:
    lines: list[str] = []
    result = comm.run(["no-such-tool", "--help"], output=lines.append)
    assert result.exit_code == 127
    path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    assert lines == [f"bake: no-such-tool: command not found in the tree (PATH={path})"]
    assert comm.run(["/usr/bin/absent"]).output_tail == "bake: /usr/bin/absent: not found in the tree"


def test_a_tree_without_a_shell_says_so(tmp_path: Path) -> None:
    root = _make_tree(tmp_path / "bare", applets=("echo",))
    comm = ChrootCommunicator(root)
    result = comm.run(["/bin/sh", "-c", "echo hi"])
    assert (result.exit_code, result.output_tail) == (127, "bake: /bin/sh: not found in the tree")
    assert comm.run(["echo", "direct"]).output_tail == "direct"  # commands run without a shell in the tree
    (root / "bin" / "script").write_text("#!/bin/sh\necho hi\n")
    (root / "bin" / "script").chmod(0o755)
    result = comm.run(["script"])
    assert result.exit_code == 127
    assert result.output_tail == "bake: cannot run /bin/script: its interpreter /bin/sh is not in the tree"


def test_a_missing_root_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="does not exist"):
        ChrootCommunicator(tmp_path / "missing").run(["true"])


# -- files


def test_upload_a_file_keeps_its_mode(tmp_path: Path, tree: Path, comm: ChrootCommunicator) -> None:
    local = tmp_path / "tool.sh"
    local.write_text("#!/bin/sh\necho tool ran\n")
    local.chmod(0o750)
    comm.upload(str(local), "/usr/local/bin/tool")
    placed = tree / "usr" / "local" / "bin" / "tool"
    st = placed.stat()
    assert stat.S_IMODE(st.st_mode) == 0o750 and st.st_mtime_ns == local.stat().st_mtime_ns
    assert stat.S_IMODE((tree / "usr" / "local").stat().st_mode) == 0o755
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (0, 0)
    assert _sh(comm, "tool") == (0, ["tool ran"])
    comm.upload(str(local), "/opt/")  # into a folder: keeps the name
    assert (tree / "opt" / "tool.sh").read_text() == local.read_text()


def test_upload_a_file_onto_a_folder_is_refused(tmp_path: Path, tree: Path, comm: ChrootCommunicator) -> None:
    local = tmp_path / "f"
    local.write_text("x")
    (tree / "target").mkdir()
    with pytest.raises(BuildError, match="is a folder"):
        comm.upload(str(local), "/target")


def _local_folder(base: Path) -> Path:
    src = base / "site"
    (src / "sub").mkdir(parents=True)
    (src / "index.html").write_text("hello")
    (src / "sub" / "run.sh").write_text("run")
    (src / "sub" / "run.sh").chmod(0o700)
    (src / "link").symlink_to("/etc/passwd")
    return src


def test_upload_a_folder_itself(tmp_path: Path, tree: Path, comm: ChrootCommunicator) -> None:
    src = _local_folder(tmp_path)
    comm.upload(str(src), "/srv")
    assert (tree / "srv" / "site" / "index.html").read_text() == "hello"
    assert stat.S_IMODE((tree / "srv" / "site" / "sub" / "run.sh").stat().st_mode) == 0o700
    assert os.readlink(tree / "srv" / "site" / "link") == "/etc/passwd"  # copied as a link, not followed


def test_upload_a_folders_contents(tmp_path: Path, tree: Path, comm: ChrootCommunicator) -> None:
    src = _local_folder(tmp_path)
    (tree / "srv").mkdir(mode=0o711)
    (tree / "srv").chmod(0o711)
    comm.upload(str(src) + "/", "/srv")
    assert sorted(os.listdir(tree / "srv")) == ["index.html", "link", "sub"]
    assert stat.S_IMODE((tree / "srv").stat().st_mode) == 0o711  # the destination folder is left as it was
    comm.upload(str(src) + "/", "/srv")  # again: files and links are replaced
    assert (tree / "srv" / "sub" / "run.sh").read_text() == "run"


def test_upload_bytes_with_a_mode(tree: Path, comm: ChrootCommunicator) -> None:
    comm.upload_bytes(b"#!/bin/sh\necho script\n", "/tmp/script_1.sh", 0o755)
    comm.upload_bytes(b"secret", "etc/key", 0o600)
    assert stat.S_IMODE((tree / "tmp" / "script_1.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE((tree / "etc" / "key").stat().st_mode) == 0o600
    assert (tree / "etc" / "key").read_bytes() == b"secret"
    assert _sh(comm, "/tmp/script_1.sh") == (0, ["script"])
    with pytest.raises(BuildError, match="a file name is needed"):
        comm.upload_bytes(b"", "/tmp/")


def test_paths_with_spaces_and_unicode(tmp_path: Path, tree: Path, comm: ChrootCommunicator) -> None:
    comm.upload_bytes("grüße\n".encode(), "/opt/my dir/ünï côde.txt")
    assert _sh(comm, 'cat "/opt/my dir/ünï côde.txt"') == (0, ["grüße"])
    comm.download("/opt/my dir/", str(tmp_path / "out dir"))
    assert (tmp_path / "out dir" / "ünï côde.txt").read_text() == "grüße\n"


def test_download_a_file(tmp_path: Path, tree: Path, comm: ChrootCommunicator) -> None:
    comm.upload_bytes(b"report", "/var/log/report.txt", 0o4755)
    comm.download("/var/log/report.txt", str(tmp_path / "copy.txt"))
    assert (tmp_path / "copy.txt").read_bytes() == b"report"
    assert stat.S_IMODE((tmp_path / "copy.txt").stat().st_mode) == 0o755  # no setuid on this host
    (tmp_path / "into").mkdir()
    comm.download("/var/log/report.txt", str(tmp_path / "into"))
    assert (tmp_path / "into" / "report.txt").read_bytes() == b"report"
    with pytest.raises(BuildError, match="no such file"):
        comm.download("/var/log/missing", str(tmp_path / "x"))


def test_download_a_folder(tmp_path: Path, tree: Path, comm: ChrootCommunicator) -> None:
    comm.upload(str(_local_folder(tmp_path)), "/srv")
    comm.download("/srv/site", str(tmp_path / "whole"))
    assert (tmp_path / "whole" / "site" / "sub" / "run.sh").read_text() == "run"
    assert os.readlink(tmp_path / "whole" / "site" / "link") == "/etc/passwd"
    comm.download("/srv/site/", str(tmp_path / "contents"))
    assert sorted(os.listdir(tmp_path / "contents")) == ["index.html", "link", "sub"]


# -- rooted paths


def test_resolve_follows_links_inside_the_root(tree: Path) -> None:
    (tree / "usr" / "lib").mkdir(parents=True)
    (tree / "lib").symlink_to("usr/lib")
    (tree / "usr" / "lib" / "abs").symlink_to("/usr/lib")
    (tree / "usr" / "lib" / "up").symlink_to("../../..")
    assert resolve_in_root(tree, "/lib/x.so") == tree / "usr" / "lib" / "x.so"
    assert resolve_in_root(tree, "lib/abs/abs/y") == tree / "usr" / "lib" / "y"
    assert resolve_in_root(tree, "/../../../etc/passwd") == tree / "etc" / "passwd"
    assert resolve_in_root(tree, "/lib/up/etc") == tree / "etc"
    assert resolve_in_root(tree, "/lib/up/up/etc") == tree / "up" / "etc"  # "up" is not at the top
    assert resolve_in_root(tree, "/") == tree
    assert resolve_in_root(tree, "/lib", follow_last=False) == tree / "lib"
    assert resolve_in_root(tree, "/missing/deeper/../file") == tree / "missing" / "file"


def test_links_to_host_folders_are_rerooted(tree: Path, comm: ChrootCommunicator) -> None:
    (tree / "tmp").mkdir()
    (tree / "tmp" / "x").symlink_to("/etc")
    marker = "bake-chroot-test-marker"
    assert resolve_in_root(tree, f"/tmp/x/{marker}") == tree / "etc" / marker
    comm.upload_bytes(b"inside", f"/tmp/x/{marker}")
    assert (tree / "etc" / marker).read_bytes() == b"inside"
    assert not Path("/etc", marker).exists()
    (tree / "tmp" / "last").symlink_to("/etc/hostname")
    comm.upload_bytes(b"replaced", "/tmp/last")  # the link itself is replaced, as docker's copy does
    assert (tree / "tmp" / "last").read_bytes() == b"replaced" and not (tree / "tmp" / "last").is_symlink()


def test_a_symlink_loop_is_an_error(tree: Path) -> None:
    (tree / "a").symlink_to("b")
    (tree / "b").symlink_to("/a")
    with pytest.raises(BuildError, match="too many levels of symbolic links"):
        resolve_in_root(tree, "/a/file")


def test_hostname_changes_stay_inside(comm: ChrootCommunicator) -> None:
    before = socket.gethostname()
    result = comm.run(["/bin/sh", "-c", "hostname bake-inside && hostname"])
    assert result.exit_code == 0, result.output_tail
    assert result.output_tail.strip() == "bake-inside"
    assert socket.gethostname() == before
