"""The chroot communicator: commands in a root folder through chroot in fresh mount and PID namespaces."""

from __future__ import annotations

import codecs
import contextlib
import errno
import functools
import json
import os
import posixpath
import shlex
import shutil
import stat
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

from ..interfaces import BuildError, CommandResult, CommandTimeout, OutputSink

TAIL_LINES = 40
MAX_SYMLINKS = 40  # as the kernel's path walk (ELOOP)
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Own mount and PID namespaces, and own UTS and IPC ones so that `hostname` or System V IPC in a
# provisioner never reaches the host; the network stays the host's (provisioners fetch packages).
NAMESPACES = ["--mount", "--pid", "--uts", "--ipc", "--fork", "--kill-child", "--propagation", "private"]
USER_NAMESPACE = ["--user", "--map-root-user"]
# The steps before the command report on the process's stderr (the command's goes to its stdout):
# "+" once the namespace's shell runs, "+" again once the helper runs, and what failed, if anything.
READY = b"++"

# The namespace's PID 1, a shell on the host: mounts a fresh /proc and a small /dev in the tree, then
# starts the helper (which enters the tree and execs the command) as its child, so the command is not
# PID 1 (which ignores signals, `kill -9 $$` included) and everything left is killed when it ends.
_SETUP = r"""
r=$1; shift
printf + >&2
fail() { printf '%s\n' "$1" >&2; exit 125; }
mount -t proc -o nosuid,nodev,noexec proc "$r/proc" || fail "cannot mount proc on $r/proc"
mount -t tmpfs -o mode=755,nosuid,size=1m tmpfs "$r/dev" || fail "cannot mount a tmpfs on $r/dev"
for n in null zero full random urandom tty; do
    [ -c "/dev/$n" ] || continue
    : >"$r/dev/$n" && mount --bind "/dev/$n" "$r/dev/$n" || fail "cannot bind-mount /dev/$n"
done
ln -s /proc/self/fd "$r/dev/fd" && ln -s /proc/self/fd/0 "$r/dev/stdin" &&
    ln -s /proc/self/fd/1 "$r/dev/stdout" && ln -s /proc/self/fd/2 "$r/dev/stderr" ||
    fail "cannot make the links in $r/dev"
mkdir "$r/dev/shm" "$r/dev/pts" || fail "cannot make $r/dev/shm and $r/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$r/dev/shm" 2>/dev/null
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$r/dev/pts" 2>/dev/null &&
    ln -s pts/ptmx "$r/dev/ptmx"
exec 3<&0
"$@" <&3 3<&- &
exec 2>/dev/null
wait $!
"""

# Runs on the host's Python inside the namespace: reads its orders from stdin, enters the tree
# (chroot, chdir, groups, gid, uid) and execs the command, searching PATH inside the tree.
_ENTER = r"""
import errno, json, os, signal, sys
c = json.loads(sys.stdin.buffer.read())
os.write(2, b"+")
def say(message, code):
    os.write(2, ("bake: " + message + "\n").encode(errors="surrogateescape"))
    os._exit(code)
try:
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.chroot(c["root"])
    os.chdir("/")
    os.chdir(c["workdir"])
    if c["groups"] is not None:
        os.setgroups(c["groups"])
    os.setgid(c["gid"])
    os.setuid(c["uid"])
except OSError as e:
    os.write(2, ("cannot enter the tree: %s\n" % e).encode(errors="surrogateescape"))
    os._exit(125)
os.dup2(1, 2)
os.umask(0o022)
for s in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGQUIT):
    signal.signal(s, signal.SIG_DFL)
argv, env = c["argv"], c["env"]
name = argv[0]
if "/" in name:
    paths = [name]
else:
    paths = [os.path.join(d or ".", name) for d in env.get("PATH", c["path"]).split(":")]
denied = None
for path in paths:
    try:
        os.execve(path, argv, env)
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            if e.errno == errno.ENOENT and os.path.exists(path):
                try:
                    with open(path, "rb") as f:
                        head = f.read(256)
                except OSError:
                    head = b""
                if head.startswith(b"#!"):
                    interp = head[2:].split(b"\n")[0].strip().split(b" ")[0].decode(errors="replace")
                    say("cannot run %s: its interpreter %s is not in the tree" % (path, interp), 127)
                say("cannot run %s: its program loader or a library it needs is not in the tree" % path, 127)
            continue
        if e.errno == errno.EACCES:
            denied = path
            continue
        say("cannot run %s: %s" % (path, e.strerror), 126)
if denied is not None:
    say("cannot run %s: permission denied" % denied, 126)
if "/" in name:
    say("%s: not found in the tree" % name, 127)
say("%s: command not found in the tree (PATH=%s)" % (name, env.get("PATH", c["path"])), 127)
"""


@functools.lru_cache(maxsize=1)
def isolation() -> str:
    """How commands are isolated here: "root" (plain namespaces) or "user" (inside a user namespace too)."""
    said = []
    modes = (("root", NAMESPACES), ("user", [*USER_NAMESPACE, *NAMESPACES]))
    for mode, flags in modes:
        if mode == "root" and os.geteuid() != 0:
            continue
        try:
            probe = subprocess.run(
                ["unshare", *flags, "--", "true"],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=30,
                check=False,
            )
        except FileNotFoundError:
            raise BuildError("the rootfs builder needs util-linux's unshare, which is not installed") from None
        except subprocess.TimeoutExpired:
            said.append(f"unshare {' '.join(flags)} did not answer")
            continue
        if probe.returncode == 0:
            return mode
        said.append(probe.stderr.decode(errors="replace").strip() or f"exit status {probe.returncode}")
    raise BuildError(
        "the rootfs builder needs to run as root, or a kernel that allows unprivileged user namespaces "
        "(sysctl kernel.unprivileged_userns_clone=1): " + "; ".join(said)
    )


def resolve_in_root(root: Path, path: str, *, follow_last: bool = True) -> Path:
    """The host path of `path` as seen inside root (absolute or relative to '/').

    Symlinks are followed as the kernel would with root as '/', never escaping root (like Go's
    filepath-securejoin): '..' at the top stays at root, absolute symlink targets are re-rooted.
    Missing trailing components are fine (for creating). Raises BuildError on symlink loops (> 40 links).
    With follow_last=False a symlink in the last place is returned itself (unless the path ends with '/').
    """
    if path.endswith("/"):
        follow_last = True  # "link/" names the link's target, as for the kernel
    parts: list[str] = []  # resolved names below root: none is a symlink, except missing ones
    pending = deque(p for p in path.split("/") if p not in ("", "."))
    links = 0
    while pending:
        name = pending.popleft()
        if name == "..":
            if parts:
                parts.pop()
            continue
        candidate = root.joinpath(*parts, name)
        try:
            mode = os.lstat(candidate).st_mode
        except ValueError:
            raise BuildError(f"cannot resolve {path!r} in {root}: a NUL character in the path") from None
        except (FileNotFoundError, NotADirectoryError):
            parts.append(name)
            continue
        except OSError as exc:
            raise BuildError(f"cannot resolve {path} in {root}: {exc.strerror}") from None
        if stat.S_ISLNK(mode) and (follow_last or pending):
            links += 1
            if links > MAX_SYMLINKS:
                raise BuildError(f"cannot resolve {path} in {root}: too many levels of symbolic links")
            target = os.readlink(candidate)
            if target.startswith("/"):
                parts = []
            pending.extendleft(reversed([p for p in target.split("/") if p not in ("", ".")]))
            continue
        parts.append(name)
    return root.joinpath(*parts)


class ChrootCommunicator:
    """Runs commands in, and copies files into and out of, a root filesystem kept as a folder on this host."""

    def __init__(self, root: Path, *, exec_user: str = "", user_namespace: bool | None = None) -> None:
        self.root = Path(root)
        self.exec_user = exec_user
        self.user_namespace = user_namespace  # None: decided by isolation()
        self._lock = threading.Lock()
        self._running = 0
        self._procs: set[subprocess.Popen[bytes]] = set()  # commands running now (for kill_all)
        self._made: list[Path] = []
        self._root_times: tuple[int, int, int] | None = None  # (atime, mtime before, mtime after mkdir)

    # -- commands

    def run(
        self,
        command: list[str],
        env: Mapping[str, str] | None = None,
        user: str | None = None,
        workdir: str | None = None,
        output: OutputSink | None = None,
        timeout: float | None = None,
    ) -> CommandResult:
        if not command:
            raise BuildError("cannot run an empty command")
        root = self._root()
        in_user_ns = self.user_namespace if self.user_namespace is not None else isolation() == "user"
        spec = user if user is not None else self.exec_user
        uid, gid, groups, home = _user_ids(root, spec)
        if in_user_ns and (uid != 0 or gid != 0):
            raise BuildError(
                f"cannot run {shlex.join(command)} as user {spec!r}: inside a user namespace only root is "
                "mapped; run the rootfs builder as root for other users"
            )
        environment = {"PATH": DEFAULT_PATH, "HOME": home}
        for key, value in (env or {}).items():
            if not key or "=" in key or "\0" in key or "\0" in value:
                raise BuildError(f"cannot pass the environment variable {key!r} to {shlex.join(command)}")
            environment[key] = value
        cwd = "/"
        if workdir:
            cwd = posixpath.join("/", workdir)  # resolved by the kernel, inside the tree
            if not resolve_in_root(root, cwd).is_dir():
                raise BuildError(f"cannot run {shlex.join(command)} in {workdir}: no such folder in the tree")
        orders = {
            "root": str(root),
            "workdir": cwd,
            "uid": uid,
            "gid": gid,
            "groups": None if in_user_ns else groups,
            "env": environment,
            "path": DEFAULT_PATH,
            "argv": list(command),
        }
        self._enter(root)
        try:
            return self._run(root, command, orders, in_user_ns, output, timeout)
        finally:
            self._leave(root)

    def _run(
        self,
        root: Path,
        command: list[str],
        orders: dict[str, object],
        in_user_ns: bool,
        output: OutputSink | None,
        timeout: float | None,
    ) -> CommandResult:
        status_r, status_w = os.pipe()
        argv = [
            "unshare", *(USER_NAMESPACE if in_user_ns else []), *NAMESPACES, "--",
            "/bin/sh", "-c", _SETUP, "bake-chroot", str(root),
            sys.executable, "-I", "-S", "-c", _ENTER,
        ]  # fmt: skip
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=status_w,
                start_new_session=True,
                env={"PATH": DEFAULT_PATH, "LC_ALL": "C"},
            )
        except BaseException as exc:
            os.close(status_r)
            if isinstance(exc, OSError):
                raise BuildError(f"cannot run {shlex.join(command)}: {exc}") from exc
            raise
        finally:
            os.close(status_w)
        assert proc.stdin is not None and proc.stdout is not None
        with self._lock:
            self._procs.add(proc)
        tail: deque[str] = deque(maxlen=TAIL_LINES)
        failure: list[BaseException] = []
        try:
            feeder = threading.Thread(target=_feed, args=(proc.stdin, json.dumps(orders).encode()), daemon=True)
            feeder.start()
            reader = threading.Thread(
                target=_pump, args=(proc.stdout, tail, output, failure), name="chroot-output", daemon=True
            )
            reader.start()
            reader.join(timeout)
            if reader.is_alive():
                _kill(proc)
                reader.join(5)
                raise CommandTimeout(
                    f"command timed out after {timeout:g} s and was killed: {shlex.join(command)}\n"
                    + "--- last output ---\n"
                    + "\n".join(tail)
                )
            code = proc.wait()
        except BaseException:
            _kill(proc)
            raise
        finally:
            with self._lock:
                self._procs.discard(proc)
            proc.stdout.close()
            with contextlib.suppress(OSError):
                proc.stdin.close()
            status = _read_all(status_r)
        said = status.lstrip(b"+").decode(errors="replace").strip()
        if not status.startswith(b"+"):
            raise BuildError(f"cannot isolate {shlex.join(command)} with unshare: {said}")
        if not status.startswith(READY):
            raise BuildError(f"cannot start {sys.executable} to enter the tree {root}: {said}")
        if said:
            raise BuildError(f"cannot run {shlex.join(command)} in {root}: {said}")
        if failure:
            raise BuildError(f"lost the output of {shlex.join(command)}: {failure[0]}") from failure[0]
        return CommandResult(exit_code=128 - code if code < 0 else code, output_tail="\n".join(tail))

    def kill_all(self) -> None:
        """Kill every command running in the tree now, with all its processes (an interrupted apply)."""
        with self._lock:
            procs = list(self._procs)
        for proc in procs:
            _kill(proc)

    def _root(self) -> Path:
        root = Path(os.path.realpath(self.root))
        if not root.is_dir():
            raise BuildError(f"the root folder {self.root} does not exist")
        return root

    def _enter(self, root: Path) -> None:
        """Check the tree's /proc and /dev mount points, making missing ones (for the first running command)."""
        with self._lock:
            if self._running == 0:
                try:
                    self._mount_points(root)
                except BaseException:
                    self._undo(root)
                    raise
            self._running += 1

    def _mount_points(self, root: Path) -> None:
        missing = []
        for name in ("proc", "dev"):
            point = root / name
            try:
                st = os.lstat(point)
            except FileNotFoundError:
                missing.append(name)
                continue
            if stat.S_ISLNK(st.st_mode):
                raise BuildError(
                    f"the tree's /{name} is a symbolic link (to {os.readlink(point)}): refusing to mount on it"
                )
            if not stat.S_ISDIR(st.st_mode):
                raise BuildError(f"the tree's /{name} is not a folder: cannot mount on it")
        if not missing:
            return
        before = os.stat(root)
        self._root_times = (before.st_atime_ns, before.st_mtime_ns, 0)
        for name in missing:
            try:
                os.mkdir(root / name, 0o755)
                os.chmod(root / name, 0o755)
            except OSError as exc:
                raise BuildError(f"cannot make /{name} in the tree {root}: {exc.strerror}") from exc
            self._made.append(root / name)
        self._root_times = (before.st_atime_ns, before.st_mtime_ns, os.stat(root).st_mtime_ns)

    def _leave(self, root: Path) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0:
                self._undo(root)

    def _undo(self, root: Path) -> None:
        """Remove the mount points made for commands (if still empty); the root folder gets its times back."""
        times = self._root_times
        untouched = times is not None and bool(times[2]) and os.stat(root).st_mtime_ns == times[2]
        removed = True
        for point in reversed(self._made):
            for _ in range(20):
                try:
                    os.rmdir(point)
                    break
                except OSError as exc:
                    if exc.errno != errno.EBUSY:  # busy: the namespace is still going away
                        removed = False
                        break
                    time.sleep(0.05)
            else:
                removed = False
        self._root_times, self._made = None, []
        if removed and untouched and times is not None:
            os.utime(root, ns=(times[0], times[1]))  # nothing else changed the root folder meanwhile

    # -- files

    def upload(self, local_path: str, remote_path: str) -> None:
        """Copy a file, or a folder: "dir/" copies its contents into remote_path, "dir" the folder itself."""
        src = Path(local_path)
        if not src.exists():
            raise BuildError(f"cannot upload {local_path}: no such file or folder")
        root = self._root()
        try:
            if src.is_dir():
                dest = self._make_dirs(root, remote_path)
                if local_path.endswith("/"):
                    for entry in sorted(os.listdir(src)):
                        self._copy(src / entry, dest / entry, remote_path, upload=True)
                else:
                    self._copy(src, dest / src.name, remote_path, upload=True, follow=True)
            else:
                if remote_path.endswith("/"):
                    dest_dir, name = remote_path, src.name
                else:
                    dest_dir, name = posixpath.split(remote_path)
                if name in ("", ".", ".."):
                    raise BuildError(f"cannot upload {local_path} to {remote_path}: a file name is needed")
                dest = self._make_dirs(root, dest_dir or "/")
                self._copy(src, dest / name, remote_path, upload=True, follow=True)
        except OSError as exc:
            raise BuildError(f"cannot upload {local_path} to {remote_path}: {_why(exc, root)}") from exc

    def upload_bytes(self, data: bytes, remote_path: str, mode: int = 0o644) -> None:
        dest_dir, name = posixpath.split(remote_path)
        if name in ("", ".", ".."):
            raise BuildError(f"cannot upload to {remote_path}: a file name is needed")
        root = self._root()
        try:
            dest = self._make_dirs(root, dest_dir or "/") / name
            _clear(dest, remote_path)
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            with open(fd, "wb") as f:
                f.write(data)
                if os.geteuid() == 0:
                    os.fchown(fd, 0, 0)
                os.fchmod(fd, mode & 0o7777)
        except OSError as exc:
            raise BuildError(f"cannot upload to {remote_path}: {_why(exc, root)}") from exc

    def download(self, remote_path: str, local_path: str) -> None:
        """Copy a file or folder out; as for uploads, "dir/" copies the folder's contents into local_path."""
        root = self._root()
        source = remote_path.rstrip("/") or "/"
        host = resolve_in_root(root, source)
        try:
            st = os.lstat(host)
        except OSError:
            raise BuildError(f"cannot download {remote_path}: no such file or folder in the tree") from None
        base = posixpath.basename(source) or "root"
        try:
            if stat.S_ISDIR(st.st_mode):
                target = Path(local_path) if remote_path.endswith("/") else Path(local_path) / base
                target.mkdir(parents=True, exist_ok=True)
                for entry in sorted(os.listdir(host)):  # the folder itself is made, as docker's copy does
                    self._copy(host / entry, target / entry, local_path, upload=False)
            else:
                target = Path(local_path)
                if local_path.endswith("/") or target.is_dir():
                    target = target / base
                target.parent.mkdir(parents=True, exist_ok=True)
                self._copy(host, target, local_path, upload=False)
        except OSError as exc:
            raise BuildError(f"cannot download {remote_path} to {local_path}: {_why(exc, root)}") from exc

    def _make_dirs(self, root: Path, remote_dir: str) -> Path:
        """The host path of a folder in the tree, made (root-owned, mode 755) where missing, like `mkdir -p`."""
        host = resolve_in_root(root, remote_dir)
        current = root
        for part in host.relative_to(root).parts:
            current = current / part
            try:
                st = os.lstat(current)
            except FileNotFoundError:
                os.mkdir(current, 0o755)
                if os.geteuid() == 0:
                    os.lchown(current, 0, 0)
                os.chmod(current, 0o755)
                continue
            if not stat.S_ISDIR(st.st_mode):
                shown = "/" + current.relative_to(root).as_posix()
                raise BuildError(f"cannot create {remote_dir} in the tree: {shown} is not a folder")
        return host

    def _copy(self, src: Path, dst: Path, shown: str, *, upload: bool, follow: bool = False) -> None:
        """Copy one entry (folders recursively, symlinks as links) as docker's archive copy does.

        Uploads keep modes (root owns them when bake runs as root); downloads drop the setuid bits and
        group/other write, and belong to whoever runs bake. An existing folder is never replaced by a file.
        """
        st = os.stat(src) if follow else os.lstat(src)
        mode = st.st_mode
        perms = stat.S_IMODE(mode) if upload else stat.S_IMODE(mode) & 0o755
        owner = upload and os.geteuid() == 0
        if stat.S_ISDIR(mode):
            try:
                is_dir = stat.S_ISDIR(os.lstat(dst).st_mode)
            except FileNotFoundError:
                is_dir = False
            if not is_dir:
                _clear(dst, shown)
                os.mkdir(dst, 0o700)
            for entry in sorted(os.listdir(src)):
                self._copy(src / entry, dst / entry, shown, upload=upload)
            if owner:
                os.lchown(dst, 0, 0)
            os.chmod(dst, perms)
            _set_times(dst, st, follow=True)
        elif stat.S_ISLNK(mode):
            _clear(dst, shown)
            os.symlink(os.readlink(src), dst)
            if owner:
                os.lchown(dst, 0, 0)
            _set_times(dst, st, follow=False)
        elif stat.S_ISREG(mode):
            _clear(dst, shown)
            with open(os.open(src, os.O_RDONLY | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)), "rb") as fin:
                fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
                with open(fd, "wb") as fout:
                    shutil.copyfileobj(fin, fout, 1 << 20)
                    if owner:
                        os.fchown(fd, 0, 0)
                    os.fchmod(fd, perms)
            _set_times(dst, st, follow=False)
        elif upload and (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)):
            _clear(dst, shown)
            os.mknod(dst, stat.S_IFMT(mode) | 0o600, st.st_rdev)
            if owner:
                os.lchown(dst, 0, 0)
            os.chmod(dst, perms)
            _set_times(dst, st, follow=False)
        # sockets (and device files on the way out) are skipped, as tar archives skip sockets


def _user_ids(root: Path, spec: str) -> tuple[int, int, list[int], str]:
    """uid, gid, supplementary groups and home of "user[:group]" (names or numbers) by the tree's own files."""
    name, _, group = spec.partition(":")
    passwd = _database(root, "/etc/passwd", 7)
    entry: list[str] | None = None
    if not name or name.isdigit():
        uid = int(name or "0")
        entry = next((e for e in passwd if e[2].isdigit() and int(e[2]) == uid), None)
    else:
        entry = next((e for e in passwd if e[0] == name), None)
        if entry is None or not entry[2].isdigit():
            raise BuildError(f"cannot run as user {name!r}: no such user in the tree's /etc/passwd")
        uid = int(entry[2])
    gid = int(entry[3]) if entry is not None and entry[3].isdigit() else 0
    home = entry[5] if entry is not None and entry[5] else ("/root" if uid == 0 else "/")
    groups_db = _database(root, "/etc/group", 4)
    if group:
        if group.isdigit():
            gid = int(group)
        else:
            found = next((g for g in groups_db if g[0] == group and g[2].isdigit()), None)
            if found is None:
                raise BuildError(f"cannot run as group {group!r}: no such group in the tree's /etc/group")
            gid = int(found[2])
    groups = [gid]
    if entry is not None:
        for g in groups_db:
            if entry[0] in g[3].split(",") and g[2].isdigit() and int(g[2]) not in groups:
                groups.append(int(g[2]))
    return uid, gid, groups, home


def _database(root: Path, path: str, fields: int) -> list[list[str]]:
    """The entries of a passwd-style file in the tree (none when it is missing)."""
    try:
        text = resolve_in_root(root, path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    entries = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split(":")
            entries.append(parts + [""] * (fields - len(parts)))
    return entries


def _clear(path: Path, shown: str) -> None:
    """Make room for a new entry: remove a file or symlink in the way; refuse to remove a folder."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        raise BuildError(f"{shown}: {path.name} is a folder and cannot be replaced by a file")
    os.unlink(path)


def _set_times(path: Path, st: os.stat_result, *, follow: bool) -> None:
    os.utime(path, ns=(st.st_mtime_ns, st.st_mtime_ns), follow_symlinks=follow)


def _why(exc: OSError, root: Path) -> str:
    text = exc.strerror or str(exc)
    if exc.filename:
        name = str(exc.filename)
        if name.startswith(str(root) + "/"):
            name = name[len(str(root)) :]
        text += f": {name}"
    return text


def _feed(pipe: IO[bytes], data: bytes) -> None:
    with contextlib.suppress(OSError):  # the namespace failed to start: reported from its status
        pipe.write(data)
        pipe.close()


def _pump(pipe: IO[bytes], tail: deque[str], output: OutputSink | None, failure: list[BaseException]) -> None:
    """Pass the command's output on, line by line as it arrives; then EOF (every process is gone)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    fd = pipe.fileno()

    def emit(line: str) -> None:
        tail.append(line)
        if output is not None and not failure:
            try:
                output(line)
            except BaseException as exc:  # reported by the caller's thread
                failure.append(exc)

    try:
        while chunk := os.read(fd, 65536):
            pending += decoder.decode(chunk)
            *lines, pending = pending.split("\n")
            for line in lines:
                emit(line.rstrip("\r"))
    except OSError as exc:
        failure.append(exc)
    rest = pending + decoder.decode(b"", final=True)
    if rest:
        emit(rest.rstrip("\r"))


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill unshare and its process group: its child (the namespace's PID 1) takes every process inside along."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
    proc.wait()
    _wait_gone(lambda: _group_alive(proc.pid), 5)


def _group_alive(pgid: int) -> bool:
    """Whether a live (not zombie) process is still in the process group."""
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[0] != b"Z" and fields[2] == str(pgid).encode():
            return True
    return False


def _wait_gone(alive: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while alive() and time.monotonic() < deadline:
        time.sleep(0.02)


def _read_all(fd: int) -> bytes:
    """What the namespace reported on its status pipe (all its writers are gone), then close it."""
    data = b""
    try:
        os.set_blocking(fd, False)
        while True:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    return data
