"""Outside oracles for the platforms' documents.

- jambonz: ``@jambonz/verb-specifications``, the validator the jambonz
  server runs on every verb, installed with npm at test time into
  ``.cache/jambonz-oracle`` (ignored by git) and run by node.
- Twilio: TwiML is parsed with :mod:`xml.etree.ElementTree` and checked
  element by element (:func:`flask_tropo.simulator.twilio_wire.parse_twiml`).

:func:`check` takes any document a test's app rendered: a jambonz list goes
to the node validator, a TwiML string to the element check; others pass.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import typing as t
from pathlib import Path

from flask_tropo.simulator.twilio_wire import parse_twiml

PACKAGE = "@jambonz/verb-specifications@0.1.13"
ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "jambonz-oracle"
SCRIPT = Path(__file__).with_name("jambonz_validate.js")
MISSING = (
    "The jambonz documents are checked with @jambonz/verb-specifications, run"
    " by node and installed with npm; {tool} is not installed. Install Node.js"
    " and npm (Debian: apt-get install nodejs npm) and run make test again."
)

#: How many documents each oracle checked in this test session.
COUNTS = {"jambonz": 0, "twiml": 0}


class JambonzValidator:
    """A node process that validates jambonz documents, one per line."""

    def __init__(self) -> None:
        for tool in ("node", "npm"):
            if shutil.which(tool) is None:
                raise RuntimeError(MISSING.format(tool=tool))
        package = CACHE / "node_modules" / "@jambonz" / "verb-specifications"
        if not (package / "package.json").exists():
            CACHE.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    "npm",
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                    str(CACHE),
                    PACKAGE,
                ],
                check=True,
                capture_output=True,
                timeout=300,
                env={**os.environ, "npm_config_update_notifier": "false"},
            )
        self.process = subprocess.Popen(
            ["node", str(SCRIPT), str(package)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def validate(self, document: list[t.Any]) -> str | None:
        """``None`` when jambonz's validator accepts ``document``, else its
        error."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(document) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        COUNTS["jambonz"] += 1
        return None if answer["ok"] else str(answer["error"])

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


_validator: JambonzValidator | None = None


def jambonz() -> JambonzValidator:
    """The session's validator, started on first use."""
    global _validator
    if _validator is None:
        _validator = JambonzValidator()
    return _validator


def close() -> None:
    global _validator
    if _validator is not None:
        _validator.close()
        _validator = None


def check(document: t.Any) -> None:
    """Check a rendered document with its platform's oracle.

    :raise AssertionError: the oracle refuses it.
    """
    if isinstance(document, list):
        error = jambonz().validate(document)
        assert error is None, f"@jambonz/verb-specifications: {error}: {document}"
    elif isinstance(document, str) and document.startswith("<?xml"):
        parse_twiml(document)
        COUNTS["twiml"] += 1
