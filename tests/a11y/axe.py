"""axe-core, the accessibility checker the browser sweep runs in each page, taken from the npm
registry at a pinned version and checked against the registry's integrity hash. Not kept in
git: `make install` runs `python -m tests.a11y.axe`, which needs nothing but Python, and puts
axe.min.js under var/ (git-ignored)."""

import base64
import hashlib
import io
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
# The tarball's `dist.integrity` from https://registry.npmjs.org/axe-core/<VERSION>.
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
# Beside the checkout, not under VAR_DIR: CI points VAR_DIR elsewhere after `make install`.
PATH = Path(__file__).resolve().parents[2] / "var" / f"axe-core-{VERSION}" / "axe.min.js"


def integrity_of(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def axe_script(tarball):
    """axe.min.js from the package's tarball, once the tarball is the one pinned."""
    found = integrity_of(tarball)
    if found != INTEGRITY:
        raise ValueError(f"{TARBALL} is not the pinned axe-core: its integrity is {found}")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as package:
        return package.extractfile("package/axe.min.js").read()


def install():
    if PATH.exists():
        return
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        script = axe_script(response.read())
    PATH.parent.mkdir(parents=True, exist_ok=True)
    partial = PATH.with_suffix(".part")
    partial.write_bytes(script)
    partial.replace(PATH)  # whole or not at all
    print(f"axe-core {VERSION}: {PATH}")


def main():
    try:
        install()
    except ValueError as error:
        print(error)  # not the package pinned: never run it
        return 1
    except OSError as error:
        # Offline on a developer's machine: the sweep skips, saying so. CI must have it.
        print(f"axe-core {VERSION} not downloaded ({error}); the accessibility sweep will skip")
        return 1 if os.environ.get("CI", "").lower() == "true" else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
