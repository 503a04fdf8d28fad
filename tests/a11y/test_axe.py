import io
import tarfile

import pytest

from tests.a11y import axe


def tarball(script):
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:gz") as package:
        member = tarfile.TarInfo("package/axe.min.js")
        member.size = len(script)
        package.addfile(member, io.BytesIO(script))
    return data.getvalue()


def test_only_the_pinned_tarball_is_unpacked(monkeypatch):
    package = tarball(b"window.axe = {};")
    with pytest.raises(ValueError, match="not the pinned axe-core"):
        axe.axe_script(package)
    monkeypatch.setattr(axe, "INTEGRITY", axe.integrity_of(package))
    assert axe.axe_script(package) == b"window.axe = {};"
