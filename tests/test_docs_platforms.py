"""docs/platforms.rst tables every verb and every option for Twilio and
jambonz, with what the code does: no silent gaps."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from flask_tropo.platforms.policy import POLICIES
from flask_tropo.verbs import VERBS

DOC = Path(__file__).parents[1] / "docs" / "platforms.rst"


def tables() -> dict[str, dict[str, tuple[str, str]]]:
    """Each verb's section: option -> (Twilio, jambonz)."""
    text = DOC.read_text().split("Verbs and options\n-----------------\n", 1)[1]
    found: dict[str, dict[str, tuple[str, str]]] = {}
    verb = ""
    lines = text.splitlines()
    for number, line in enumerate(lines):
        heading = re.fullmatch(r"``(\w+)``", line)
        if heading and lines[number + 1].startswith("~"):
            verb = heading.group(1)
            found[verb] = {}
        row = re.fullmatch(r"    \* - ``(\w+)``", line)
        if row:
            twilio = lines[number + 1].removeprefix("      - ")
            jambonz = lines[number + 2].removeprefix("      - ")
            found[verb][row.group(1)] = (twilio, jambonz)
    return found


def test_every_verb_and_option_is_in_the_docs_as_the_code_does_it() -> None:
    documented = tables()
    names = {cls.__name__ for cls in VERBS.values()}
    assert set(documented) == names == set(POLICIES["twilio"])
    for verb, options in documented.items():
        cls = next(c for c in VERBS.values() if c.__name__ == verb)
        fields = {f.name for f in dataclasses.fields(cls) if f.name != "_"}
        assert set(options) == fields, verb
        for option, (twilio, jambonz) in options.items():
            assert POLICIES["twilio"][verb][option] == twilio, (verb, option)
            assert POLICIES["jambonz"][verb][option] == jambonz, (verb, option)
