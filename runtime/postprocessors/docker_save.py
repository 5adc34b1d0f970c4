"""The docker-save post-processor: save the image artifact to a tar file (`docker save`)."""

from __future__ import annotations

from ..interfaces import Artifact
from ..steps import StepContext, StepFailed
from .common import atomic_output


def run(ctx: StepContext) -> Artifact | None:
    """Save the image to `path`; as in Packer, the image artifact itself is handed on."""
    import docker.errors

    from ..builders.docker import CLIENT_TIMEOUT

    artifact = ctx.artifact
    if artifact is None or artifact.builder != "docker" or not artifact.id.startswith("sha256:"):
        raise StepFailed("docker-save can only save a docker image artifact (commit = true, docker-import, docker-tag)")
    path = str(ctx.config.get("path") or "")
    if not path:
        raise StepFailed('docker-save needs a "path"')
    client = docker.from_env(timeout=CLIENT_TIMEOUT)
    try:
        image = client.images.get(artifact.id)
        tags = [str(t) for t in image.tags or []]
        # a name the image carries (docker-tag's, docker-import's) goes into the tar, as `docker save NAME` does
        named = next((f for f in artifact.files if f in tags), None) or next(
            (t for t in tags for f in artifact.files if t == f"{f}:latest"), False
        )
        ctx.say(f"saving image: {named or artifact.id}")
        with atomic_output(ctx.local(path)) as fh:
            for chunk in image.save(named=named):
                fh.write(chunk)
    except docker.errors.APIError as exc:
        raise StepFailed(f"docker-save failed: {getattr(exc, 'explanation', None) or exc}") from None
    finally:
        client.close()
    ctx.say(f"saved to: {path}")
    return artifact
