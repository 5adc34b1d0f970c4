"""The docker-tag post-processor: tag the built image."""

from __future__ import annotations

from ..interfaces import Artifact
from ..steps import StepContext, StepFailed, as_list


def run(ctx: StepContext) -> Artifact | None:
    """Tag the image artifact with `repository` and each of `tags` (or `tag`)."""
    import docker  # the runtime's docker dependency, only when a docker step runs

    artifact = ctx.artifact
    if artifact is None or artifact.builder != "docker" or not artifact.id:
        raise StepFailed("docker-tag needs a docker image artifact (commit = true)")
    repository = str(ctx.config.get("repository") or "")
    if not repository:
        raise StepFailed('docker-tag needs a "repository"')
    tags = [str(t) for t in as_list(ctx.config.get("tags")) + as_list(ctx.config.get("tag"))] or ["latest"]
    client = docker.from_env()
    image = client.images.get(artifact.id)
    for tag in tags:
        image.tag(repository, tag=tag, force=bool(ctx.config.get("force")))
        ctx.say(f"tagged {repository}:{tag}")
    return Artifact("docker", artifact.id, [f"{repository}:{t}" for t in tags], artifact.digest)
