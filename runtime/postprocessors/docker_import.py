"""The docker-import post-processor: import an exported container tar as an image."""

from __future__ import annotations

import json
from typing import Any

from ..interfaces import Artifact, BuildError
from ..steps import StepContext, StepFailed, as_list
from .common import artifact_files, discard_input


def run(ctx: StepContext) -> Artifact | None:
    """`docker import` the artifact's tar with `changes` and `platform`, named `repository`:`tag`."""
    import docker.errors

    from ..builders.docker import CLIENT_TIMEOUT, check_changes

    artifact = ctx.artifact
    if artifact is None or artifact.id.startswith("sha256:"):
        raise StepFailed(
            "docker-import can only import a file artifact (the docker builder's export_path); "
            "with commit = true the image is already imported"
        )
    files = artifact_files(ctx, "docker-import")
    if not files:
        raise StepFailed("docker-import: the artifact has no file to import")
    repository = str(ctx.config.get("repository") or "")
    tag = str(ctx.config.get("tag") or "")
    name = f"{repository}:{tag}" if repository and tag else repository
    try:
        changes = check_changes(as_list(ctx.config.get("changes")))
    except BuildError as exc:
        raise StepFailed(f"docker-import {exc}") from None
    params: dict[str, Any] = {"fromSrc": "-", "changes": changes}
    if repository:
        params["repo"] = repository
        if tag:
            params["tag"] = tag
    if ctx.config.get("platform"):
        params["platform"] = str(ctx.config["platform"])
    ctx.say(f"importing image: {files[0][0]}")
    ctx.say(f"repository: {name or '(none)'}")
    client = docker.from_env(timeout=CLIENT_TIMEOUT)
    try:
        api = client.api
        with files[0][1].open("rb") as fh:
            response = api._post(
                api._url("/images/create"),
                data=fh,
                params=params,
                headers={"Content-Type": "application/tar"},
                timeout=None,
            )
        image_id = _imported_id(str(api._result(response)))
    except docker.errors.APIError as exc:
        raise StepFailed(f"docker-import failed: {getattr(exc, 'explanation', None) or exc}") from None
    finally:
        client.close()
    ctx.say(f"imported ID: {image_id}")
    made = Artifact("docker", image_id, [name] if name else [], image_id)
    discard_input(ctx, made)
    return made


def _imported_id(text: str) -> str:
    """The image id in the engine's JSON progress lines (`{"status": "sha256:..."}`), or its error."""
    found = ""
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict):
            if doc.get("error") or doc.get("errorDetail"):
                detail = doc.get("errorDetail")
                message = detail.get("message") if isinstance(detail, dict) else None
                raise StepFailed(f"docker-import failed: {message or doc.get('error')}")
            status = str(doc.get("status") or "")
            if status.startswith("sha256:"):
                found = status
    if not found:
        raise StepFailed(f"docker-import: the engine did not say which image it made: {text[-500:]}")
    return found
