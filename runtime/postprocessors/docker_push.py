"""The docker-push post-processor: push every name of the image artifact to its registry."""

from __future__ import annotations

from typing import Any

from ..interfaces import Artifact
from ..steps import StepContext, StepFailed


def run(ctx: StepContext) -> Artifact | None:
    """Log in if asked (`login`), push each "repo:tag" the artifact carries; the same image is handed on."""
    import docker.errors
    import requests.exceptions
    from docker.utils import parse_repository_tag

    from ..builders.docker import CLIENT_TIMEOUT

    artifact = ctx.artifact
    if artifact is None or artifact.builder != "docker" or not artifact.id.startswith("sha256:"):
        raise StepFailed("docker-push can only push a docker image artifact (from docker-tag or docker-import)")
    if not artifact.files:
        raise StepFailed("docker-push needs a named image: put docker-tag (or docker-import) before it")
    config = ctx.config
    if config.get("ecr_login"):
        raise StepFailed("docker-push: ecr_login is not supported by bake yet (log in out of band, login = false)")
    client = docker.from_env(timeout=CLIENT_TIMEOUT)
    try:
        _check_platform(client, artifact.id, str(config.get("platform") or ""))
        if config.get("login"):
            _login(ctx, client)
        for name in artifact.files:
            ctx.time_left()
            repository, tag = parse_repository_tag(name)
            tag = tag or "latest"
            if repository.startswith("sha256:"):
                raise StepFailed(f'docker-push cannot push "{name}": it is an image id, not a repository name')
            _check_names_image(client, f"{repository}:{tag}", artifact.id)
            ctx.say(f"pushing: {repository}:{tag}")
            digest = _push(client, repository, tag)
            ctx.say(f"pushed {repository}:{tag} digest: {digest or '(not reported)'}")
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise StepFailed(f"docker-push failed: {getattr(exc, 'explanation', None) or exc}") from None
    finally:
        client.close()  # the login lived in this client only: nothing to log out of
    return artifact


def _login(ctx: StepContext, client: Any) -> None:
    import docker.errors

    server = str(ctx.config.get("login_server") or "")
    username = str(ctx.config.get("login_username") or "")
    if not username:
        raise StepFailed('docker-push: login = true needs "login_username" (and "login_password")')
    where = server or "Docker Hub"
    ctx.say(f"logging in to {where} as {username}")
    try:
        client.login(
            username=username,
            password=str(ctx.config.get("login_password") or ""),
            registry=server or None,
            reauth=True,
        )
    except docker.errors.APIError as exc:
        raise StepFailed(
            f"docker-push could not log in to {where} as {username}: {getattr(exc, 'explanation', None) or exc}"
        ) from None


def _check_platform(client: Any, image_id: str, platform: str) -> None:
    """A `platform` must be the image's own: bake pushes the one local image, it does not pick from a list."""
    if not platform:
        return
    attrs = client.images.get(image_id).attrs
    own = "/".join(p for p in (attrs.get("Os"), attrs.get("Architecture"), attrs.get("Variant")) if p)
    wanted = platform.lower().strip("/")
    if own != wanted and not own.startswith(wanted + "/"):
        raise StepFailed(f'docker-push: the image is for "{own}", not for the platform "{platform}"')


def _check_names_image(client: Any, name: str, image_id: str) -> None:
    import docker.errors

    try:
        found = str(client.images.get(name).id)
    except docker.errors.ImageNotFound:
        raise StepFailed(f'docker-push: the engine has no image named "{name}" any more') from None
    if found != image_id:
        raise StepFailed(f'docker-push: "{name}" now names another image ({found[:19]}), not {image_id[:19]}')


def _push(client: Any, repository: str, tag: str) -> str:
    """Push one tag; the digest the registry stored, from the engine's progress messages."""
    digest = ""
    for message in client.api.push(repository, tag=tag, stream=True, decode=True):
        if not isinstance(message, dict):
            continue
        error = message.get("error") or (message.get("errorDetail") or {}).get("message")
        if error:
            text = str(error).strip()
            if "connection refused" in text or "no such host" in text:
                text += f" (is the registry of {repository} running and reachable from the engine?)"
            raise StepFailed(f"docker-push of {repository}:{tag} failed: {text}")
        aux = message.get("aux")
        if isinstance(aux, dict) and aux.get("Digest"):
            digest = str(aux["Digest"])
    return digest
