"""The file provisioner: copy files and folders into (or out of) the machine being built."""

from __future__ import annotations

from ..steps import StepContext, StepFailed, as_list


def run(ctx: StepContext) -> None:
    """Upload `source`/`sources`/`content` to `destination`, or download with direction = "download"."""
    assert ctx.session is not None
    config = ctx.config
    comm = ctx.session.communicator
    dest = str(config.get("destination") or "")
    if not dest:
        raise StepFailed('the file provisioner needs a "destination"')
    if config.get("direction") == "download":
        for src in as_list(config.get("source")) + as_list(config.get("sources")):
            comm.download(str(src), str(ctx.local(dest)))
        return
    if config.get("content") is not None:
        comm.upload_bytes(str(config["content"]).encode(), dest)
        return
    sources = as_list(config.get("source")) + as_list(config.get("sources"))
    if not sources:
        raise StepFailed('the file provisioner needs "source", "sources" or "content"')
    for src in sources:
        local = ctx.local(str(src))
        if not local.exists():
            raise StepFailed(f"file source {src} does not exist")
        # keep the trailing slash: "dir/" copies the folder's contents, "dir" the folder itself
        shown = str(local) + ("/" if str(src).endswith("/") else "")
        comm.upload(shown, dest)
