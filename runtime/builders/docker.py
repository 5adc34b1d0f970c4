"""The docker builder: one container per build, layers as committed images, artifacts as images or tar exports."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..communicators.docker import DockerCommunicator
from ..interfaces import Artifact, BuildError, Session

# Packer's default: keep the container alive with an interactive shell that waits on its open stdin.
DEFAULT_RUN_COMMAND = ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"]
LAYER_REPOSITORY = "bake-layer"
BUILD_LABEL = "bake.build"
KEY_LABEL = "bake.key"
ARTIFACT_LABEL = "bake.artifact"
# What `docker commit --change` accepts.
COMMIT_INSTRUCTIONS = frozenset({"CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER", "VOLUME", "WORKDIR"})
CLIENT_TIMEOUT = 1800  # seconds; committing or exporting a large container takes a while

log = logging.getLogger(__name__)


class DockerSession:
    """A running build container; closing it removes the container."""

    def __init__(self, client: Any, container: Any, name: str, communicator: DockerCommunicator) -> None:
        self.client = client
        self.container = container
        self.name = name
        self._communicator = communicator
        self.closed = False

    @property
    def communicator(self) -> DockerCommunicator:
        return self._communicator

    @property
    def remove_hint(self) -> str:
        """How to remove the container by hand (after --on-error abort kept it)."""
        return f"docker rm -f {self.name}"

    @property
    def container_id(self) -> str:
        return str(self.container.id)

    def close(self) -> None:
        if self.closed:
            return
        _remove_container(self.client, self.container_id)
        self.closed = True


class DockerBuilder:
    """Starts build containers from images or cached layers and commits them."""

    type = "docker"

    def __init__(self, client: Any = None, warn: Callable[[str], None] | None = None) -> None:
        self._client = client
        self.warn: Callable[[str], None] = warn or log.warning

    @property
    def client(self) -> Any:
        if self._client is None:
            import docker

            try:
                self._client = docker.from_env(timeout=CLIENT_TIMEOUT)
            except docker.errors.DockerException as exc:
                where = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
                raise BuildError(f"cannot reach the Docker Engine at {where} (is DOCKER_HOST right?): {exc}") from exc
        return self._client

    # -- sessions

    def start(self, config: Mapping[str, Any], build_name: str) -> DockerSession:
        image = str(config.get("image") or "")
        if not image:
            raise BuildError('the docker builder needs an "image"')
        platform = str(config.get("platform") or "") or None
        if config.get("pull", True):
            self._pull(image, platform)
        elif not self._image_exists(image):
            raise BuildError(f"image {image} is not in the Docker Engine and pull = false")
        return self._run(image, config, build_name)

    def resume(self, layer: str, config: Mapping[str, Any], build_name: str) -> DockerSession:
        if not self.layer_exists(layer):
            raise BuildError(f"layer {layer} is no longer in the Docker Engine")
        return self._run(layer, config, build_name)

    def _pull(self, image: str, platform: str | None) -> None:
        import docker.errors
        from docker.utils import parse_repository_tag

        repository, tag = parse_repository_tag(image)
        try:
            self.client.images.pull(repository, tag=tag or "latest", platform=platform)
            return
        except docker.errors.APIError as exc:
            reason = _explain(exc)
        if not self._image_exists(image):
            raise BuildError(f"cannot pull image {image} ({reason}), and the Docker Engine does not have it")
        self.warn(f"could not pull {image} ({reason}); using the image the Docker Engine already has")

    def _image_exists(self, image: str) -> bool:
        import docker.errors

        try:
            self.client.images.get(image)
        except docker.errors.ImageNotFound:
            return False
        except docker.errors.APIError as exc:  # e.g. an invalid reference
            raise BuildError(f"cannot look up image {image}: {_explain(exc)}") from exc
        return True

    def _run(self, image: str, config: Mapping[str, Any], build_name: str) -> DockerSession:
        import docker.errors

        run_command = config.get("run_command") or DEFAULT_RUN_COMMAND
        kwargs, command = parse_run_command([str(a) for a in run_command], image)
        kwargs.setdefault("network_mode", "none")
        kwargs.setdefault("labels", {})[BUILD_LABEL] = build_name
        kwargs.setdefault("name", f"bake-{_name_part(build_name)}-{secrets.token_hex(4)}")
        volumes = kwargs.setdefault("volumes", [])
        for host, guest in dict(config.get("volumes") or {}).items():
            volumes.append(f"{host}:{guest}")
        container_dir = str(config.get("container_dir") or "/packer-files")
        # Packer mounts a host folder there to stage uploads; a tmpfs keeps it out of the layers as well.
        kwargs.setdefault("tmpfs", {})[container_dir] = "rw,exec"
        if config.get("privileged"):
            kwargs["privileged"] = True
        for option in ("cap_add", "cap_drop"):
            if config.get(option):
                kwargs[option] = [*kwargs.get(option, []), *(str(c) for c in config[option])]
        if config.get("platform"):
            kwargs["platform"] = str(config["platform"])
        try:
            container = self.client.containers.create(image, command or None, **kwargs)
        except docker.errors.ImageNotFound as exc:
            raise BuildError(f"image {image} is not in the Docker Engine: {_explain(exc)}") from exc
        except docker.errors.APIError as exc:
            raise BuildError(f"cannot create a container from {image}: {_explain(exc)}") from exc
        try:
            container.start()
            container.reload()
            if container.status != "running":
                raise BuildError(
                    f"the container from {image} stopped at once (status {container.status}): "
                    f"run_command must keep it running. Its output:\n{_logs(container)}"
                )
        except BaseException as exc:
            _remove_container(self.client, container.id)
            if isinstance(exc, docker.errors.APIError):
                raise BuildError(f"cannot start a container from {image}: {_explain(exc)}") from exc
            raise
        communicator = DockerCommunicator(
            self.client,
            container.id,
            exec_user=str(config.get("exec_user") or ""),
            fix_upload_owner=bool(config.get("fix_upload_owner", True)),
        )
        return DockerSession(self.client, container, str(container.name), communicator)

    # -- layers

    def snapshot(self, session: Session, key: str) -> tuple[str, int]:
        s = _docker_session(session)
        image = self._commit(s.container, [f"LABEL {KEY_LABEL}={key}"], LAYER_REPOSITORY, _key_tag(key))
        return str(image.id), self._own_size(image)

    def layer_exists(self, layer: str) -> bool:
        import docker.errors

        try:
            self.client.images.get(layer)
        except (docker.errors.ImageNotFound, docker.errors.NullResource):
            return False
        return True

    def _own_size(self, image: Any) -> int:
        import docker.errors

        size = int(image.attrs.get("Size") or 0)
        parent = image.attrs.get("Parent") or ""
        if parent:
            with contextlib.suppress(docker.errors.ImageNotFound):
                size -= int(self.client.images.get(parent).attrs.get("Size") or 0)
        return max(size, 0)

    def _commit(
        self, container: Any, changes: list[str], repository: str | None = None, tag: str | None = None, **kw: Any
    ) -> Any:
        import docker.errors

        try:
            return container.commit(repository=repository, tag=tag, changes=changes, **kw)
        except docker.errors.APIError as exc:
            raise BuildError(f"cannot commit container {container.name}: {_explain(exc)}") from exc

    # -- artifacts

    def finalize(self, session: Session, config: Mapping[str, Any], key: str) -> Artifact | None:
        s = _docker_session(session)
        mode = _finalize_mode(config)
        if mode == "commit":
            return self._commit_artifact(s.container, config, key)
        if mode == "export":
            return self._export(s.container, str(config["export_path"]))
        return None

    def restore_artifact(self, layer: str, config: Mapping[str, Any]) -> Artifact | None:
        mode = _finalize_mode(config)
        if mode == "discard":
            return None
        if not self.layer_exists(layer):
            raise BuildError(f"layer {layer} is no longer in the Docker Engine")
        key = str(self.client.images.get(layer).labels.get(KEY_LABEL) or "")
        if mode == "commit" and key:
            found = self.client.images.list(
                all=True, filters={"label": [f"{ARTIFACT_LABEL}={key}", f"{KEY_LABEL}={key}"]}
            )
            if found:
                image = max(found, key=lambda i: str(i.attrs.get("Created") or ""))
                return Artifact(builder=self.type, id=str(image.id), digest=str(image.id))
        # The artifact is gone (or was a file): make it again from the layer, in a container never started.
        container = self.client.containers.create(
            layer, entrypoint=["/bin/sh"], network_mode="none", labels={BUILD_LABEL: "restore"}
        )
        try:
            if mode == "commit":
                return self._commit_artifact(container, config, key)
            return self._export(container, str(config["export_path"]))
        finally:
            _remove_container(self.client, container.id)

    def _commit_artifact(self, container: Any, config: Mapping[str, Any], key: str) -> Artifact:
        changes = check_changes(config.get("changes") or [])
        if key:
            changes += [f"LABEL {KEY_LABEL}={key}", f"LABEL {ARTIFACT_LABEL}={key}"]
        kw = {name: str(config[name]) for name in ("author", "message") if config.get(name)}
        image = self._commit(container, changes, **kw)
        return Artifact(builder=self.type, id=str(image.id), digest=str(image.id))

    def _export(self, container: Any, export_path: str) -> Artifact:
        import docker.errors

        path = Path(export_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        digest = hashlib.sha256()
        try:
            with tmp.open("wb") as f:
                for chunk in container.export():
                    digest.update(chunk)
                    f.write(chunk)
            os.replace(tmp, path)
        except docker.errors.APIError as exc:
            raise BuildError(f"cannot export container {container.name}: {_explain(exc)}") from exc
        finally:
            tmp.unlink(missing_ok=True)
        return Artifact(builder=self.type, id=export_path, files=[export_path], digest="sha256:" + digest.hexdigest())


def parse_run_command(args: list[str], image: str) -> tuple[dict[str, Any], list[str]]:
    """The container settings of `docker run` arguments (Packer's run_command), and the command after the image."""
    args = [re.sub(r"\{\{\s*\.Image\s*\}\}", image, a) for a in args]
    kw: dict[str, Any] = {}
    valued = {
        "--entrypoint": "entrypoint", "-e": "environment", "--env": "environment", "-u": "user", "--user": "user",
        "-w": "working_dir", "--workdir": "working_dir", "-v": "volumes", "--volume": "volumes",
        "--cap-add": "cap_add", "--cap-drop": "cap_drop", "--platform": "platform", "--network": "network_mode",
        "--net": "network_mode", "-l": "labels", "--label": "labels", "--name": "name", "-h": "hostname",
        "--hostname": "hostname", "--tmpfs": "tmpfs", "--device": "devices", "--shm-size": "shm_size",
    }  # fmt: skip
    switches = {"-i": "stdin_open", "--interactive": "stdin_open", "-t": "tty", "--tty": "tty",
                "--privileged": "privileged", "--init": "init"}  # fmt: skip
    ignored = {"-d", "--detach", "--rm"}  # always detached; bake removes its containers itself
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            i += 1
            break
        if not arg.startswith("-") or arg == "-":
            break
        name, eq, inline = arg.partition("=")
        if name in ignored:
            i += 1
            continue
        if name in switches:
            kw[switches[name]] = inline.lower() != "false" if eq else True
            i += 1
            continue
        if re.fullmatch(r"-[dit]{2,3}", arg):  # -it, -dit...
            for letter in arg[1:]:
                if letter != "d":
                    kw[switches["-" + letter]] = True
            i += 1
            continue
        if name not in valued:
            raise BuildError(f"run_command: bake does not support the docker run option {name}")
        if eq:
            value = inline
            i += 1
        else:
            if i + 1 >= len(args):
                raise BuildError(f"run_command: {name} needs a value")
            value = args[i + 1]
            i += 2
        field = valued[name]
        if field in ("environment", "volumes", "cap_add", "cap_drop", "devices"):
            kw.setdefault(field, []).append(value)
        elif field == "labels":
            k, _, v = value.partition("=")
            kw.setdefault("labels", {})[k] = v
        elif field == "tmpfs":
            path, _, options = value.partition(":")
            kw.setdefault("tmpfs", {})[path] = options
        elif field == "entrypoint":
            kw["entrypoint"] = [value] if value else [""]
        else:
            kw[field] = value
    rest = args[i:]
    if not rest:
        raise BuildError("run_command names no image (Packer's default ends with -- {{.Image}})")
    if rest[0] != image:
        raise BuildError(f"run_command runs {rest[0]}, not the build's image {image}: use {{{{.Image}}}}")
    return kw, rest[1:]


def check_changes(changes: Iterable[Any]) -> list[str]:
    """The `changes` of a commit, refusing instructions docker commit cannot apply."""
    checked = []
    for change in changes:
        text = str(change).strip()
        word = text.split(None, 1)[0].upper() if text else ""
        if word not in COMMIT_INSTRUCTIONS:
            allowed = ", ".join(sorted(COMMIT_INSTRUCTIONS))
            raise BuildError(f'changes: "{text}" cannot be applied by docker commit (allowed: {allowed})')
        checked.append(text)
    return checked


def _finalize_mode(config: Mapping[str, Any]) -> str:
    chosen = [
        mode
        for mode, on in (
            ("commit", bool(config.get("commit"))),
            ("export", bool(config.get("export_path"))),
            ("discard", bool(config.get("discard"))),
        )
        if on
    ]
    if len(chosen) != 1:
        got = ", ".join(chosen) if chosen else "none"
        raise BuildError(f"the docker builder needs exactly one of commit, export_path or discard (got {got})")
    return chosen[0]


def _docker_session(session: Session) -> DockerSession:
    if not isinstance(session, DockerSession):
        raise TypeError(f"the docker builder cannot act on a {type(session).__name__}")
    if session.closed:
        raise BuildError(f"container {session.name} was already removed")
    return session


def _remove_container(client: Any, container_id: str) -> None:
    import docker.errors

    try:
        client.api.remove_container(container_id, force=True, v=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as exc:
        if exc.status_code != 409:  # 409: its removal is already under way
            raise BuildError(f"cannot remove container {container_id[:12]}: {_explain(exc)}") from exc


def _logs(container: Any) -> str:
    try:
        return bytes(container.logs(tail=20)).decode(errors="replace")
    except Exception:
        return "(no output)"


def _explain(exc: Any) -> str:
    return str(getattr(exc, "explanation", None) or exc)


def _key_tag(key: str) -> str:
    return key.rpartition(":")[2][:32]


def _name_part(build_name: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_.-]+", "-", build_name).strip("-.")[:40] or "build"
