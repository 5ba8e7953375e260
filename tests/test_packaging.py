"""The wheel holds ``flask_tropo`` and nothing else at the top level: the
example app and the tests stay in the checkout.

The wheel is built by pip (with build isolation, as ``pip install`` builds
it) from a copy of the sources, so the checkout gets no ``build/`` folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parent.parent
SKIP = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "_build", "__pycache__", ".*cache"
)


def test_the_wheel_holds_only_flask_tropo(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=SKIP)
    out = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), "."],
        cwd=source,
        check=True,
        capture_output=True,
    )
    [wheel] = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    top = {name.split("/", 1)[0] for name in names}
    info = {name for name in top if name.endswith(".dist-info")}
    assert top - info == {"flask_tropo"}, sorted(top)
    assert "flask_tropo/py.typed" in names
    assert "flask_tropo/simulator/phone/static/phone.js" in names
    assert not [name for name in names if "example_app" in name or "tests/" in name]
