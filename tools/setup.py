"""The quick start's setup: install the Debian packages bake's main job and its tests use, when missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

# (Debian package, a program it provides): what the main job needs, then what the tests use.
MAIN_JOB = [("busybox-static", "/bin/busybox")]  # plans/hello bootstraps its image from the host's static busybox
TESTS = [("docker.io", "dockerd"), ("docker-registry", "docker-registry"), ("skopeo", "skopeo")]


def missing(wanted: list[tuple[str, str]]) -> list[str]:
    """The packages whose program is not on PATH (busybox: the static build, as the image's /bin/sh)."""
    out = []
    for package, program in wanted:
        path = program if os.path.isabs(program) and os.path.exists(program) else shutil.which(program)
        if path is None or (package == "busybox-static" and not _static(path)):
            out.append(package)
    return out


def _static(path: str) -> bool:
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    return b"ld-linux" not in head and b"/lib/ld-" not in head  # a static ELF names no program interpreter


def main() -> int:
    need = missing(MAIN_JOB) + ([] if "--main-only" in sys.argv[1:] else missing(TESTS))
    if not need:
        print("setup: everything bake needs here is installed")
        return 0
    if not shutil.which("apt-get"):
        print(f"setup: install these packages (or their equivalents) first: {' '.join(need)}", file=sys.stderr)
        return 1
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"setup: installing {' '.join(need)} (apt-get)", flush=True)
    try:
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
        install = [*sudo, "apt-get", "install", "-y", "-qq", *need]
        subprocess.run(install, check=True, env=env, stdout=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"setup: apt-get failed ({exc}); install these packages by hand: {' '.join(need)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
