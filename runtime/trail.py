"""An apply's trail: a provenance statement beside each artifact, and records in the audit log."""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import os
import socket
from collections.abc import Iterator, Sequence
from pathlib import Path

from bake import __version__
from bake.compiler import planfile as pf

from . import audit
from . import provenance as prov
from .interfaces import Artifact


class TrailError(Exception):
    """The audit log or the signing key cannot be used; the message says why and what to do."""


class Trail:
    """Writes the provenance and audit records of one apply (invocation)."""

    def __init__(self, plan: pf.Plan, plan_path: str, root: Path, invocation: str,
                 audit_log: str = "", sign_key: str = "", secrets: Sequence[str] = ()) -> None:  # fmt: skip
        self.plan = plan
        self.plan_path = plan_path
        self.root = root
        self.invocation = invocation
        self.secrets = list(secrets)
        self.log = audit.AuditLog(Path(audit_log) if audit_log else audit.default_path(root), root)
        self.key: bytes | None = None
        if sign_key:
            try:
                self.key = prov.load_private_key(sign_key)
            except prov.ProvenanceError as exc:
                raise TrailError(f"--sign-key: {exc}") from exc

    def check(self) -> None:
        """Refuse to start when the audit log cannot take a record (a torn or altered last line)."""
        try:
            if self.log.path.exists():
                self.log.records()  # every record parses
                self.log.check_tail()  # and the last one is whole
        except (audit.AuditError, OSError) as exc:
            raise TrailError(
                f"the audit log {self.log.path} cannot be extended: {exc}. "
                "Check it with `bake audit verify`, or give another file with --audit-log."
            ) from exc

    def build(self, name: str, ok: bool, error: str, artifact: Artifact | None, built: Artifact | None,
              steps: Sequence[prov.StepRecord], started: float, finished: float) -> str:  # fmt: skip
        """Write the provenance of a build's artifact (when it made one) and append its audit record;
        the provenance file's path as the apply_complete event names it ("" when none)."""
        with self._exclusive():  # another apply's provenance and record never land between ours
            return self._build(name, ok, error, artifact, built, steps, started, finished)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the trail's lock while writing provenance and its record: a flock on the audit log's folder
        (the log itself is flock'ed by each append, and a second lock file would litter the folder)."""
        folder = self.log.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _build(self, name: str, ok: bool, error: str, artifact: Artifact | None, built: Artifact | None,
               steps: Sequence[prov.StepRecord], started: float, finished: float) -> str:  # fmt: skip
        build = next(b for b in self.plan.builds if b.name == name)
        path = ""
        recorded = ""  # the path as the audit record names it
        digest = ""
        subjects = self.subjects(artifact) if artifact is not None else []
        if artifact is not None and subjects:
            statement = prov.statement(
                subjects=subjects,
                plan_hash=self.plan.plan_hash,
                build=name,
                builder=build.builder,
                variables=self.plan.inputs.variables,
                inputs=self.plan.inputs.files,
                base=_base(build),
                steps=steps,
                invocation_id=self.invocation,
                started=started,
                finished=finished,
                version=__version__,
                secrets=self.secrets,
            )
            doc = prov.sign(statement, self.key) if self.key is not None else statement
            target = prov.provenance_path(self.local_files(artifact), self.root, name)
            digest = prov.write(target, doc)
            path = _shown(target, self.root)
            recorded = _recorded(target, audit.AuditLog(self.log.path).root)
        record = audit.build_record(
            build=name,
            ok=ok,
            invocation=self.invocation,
            plan_hash=self.plan.plan_hash,
            error=error,
            artifact=artifact.id if artifact is not None else "",
            files=artifact.files if artifact is not None else (),
            digest=artifact.digest if artifact is not None else "",
            provenance=recorded,
            provenance_digest=digest,
            public_key=prov.public_key_pem(self.key) if self.key is not None and path else None,
            steps=steps,
        )
        if built is not None:  # what the builder made, before post-processors: what `bake verify` rebuilds
            record["built"] = {"id": built.id, "files": list(built.files), "digest": built.digest}
        self.log.append(record, secrets=self.secrets)
        return path

    def apply(self, ok: bool, steps_run: int, steps_cached: int) -> None:
        """Append the apply's own record, after those of its builds."""
        self.log.append(
            audit.apply_record(
                plan_hash=self.plan.plan_hash,
                plan=self.plan_path,
                ok=ok,
                steps_run=steps_run,
                steps_cached=steps_cached,
                invocation=self.invocation,
                user=_user(),
                host=socket.gethostname(),
            ),
            secrets=self.secrets,
        )

    def local_files(self, artifact: Artifact) -> list[str]:
        """The artifact's names that are local files or folders (not image references such as repo:tag)."""
        return [n for n in artifact.files if (Path(n) if Path(n).is_absolute() else self.root / n).exists()]

    def subjects(self, artifact: Artifact) -> list[tuple[str, str]]:
        """(name, digest) of each file an artifact holds; an image or a folder (an OCI layout) by its digest."""
        out: list[tuple[str, str]] = []
        for name in self.local_files(artifact):
            path = Path(name) if Path(name).is_absolute() else self.root / name
            out.append((name, prov.file_digest(path) if path.is_file() else artifact.digest))
        if not out and artifact.digest.startswith("sha256:"):
            out.append((artifact.files[0] if artifact.files else artifact.id, artifact.digest))
        return out


def _base(build: pf.Build) -> tuple[str, str] | None:
    """The base a build starts from, when the plan knows its digest (a rootfs tarball)."""
    source = build.steps[0]
    base = source.config.get("base")
    if isinstance(base, str) and base in source.files:
        return base, source.files[base]
    return None


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _recorded(path: Path, log_root: Path) -> str:
    """A provenance path as an audit record names it: relative to the folder `bake audit verify` resolves
    it against (the log's root, the template folder for the default log), else absolute."""
    full = Path(os.path.abspath(path))
    try:
        return full.relative_to(os.path.abspath(log_root)).as_posix()
    except ValueError:
        return str(full)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())
