"""Every ``python`` code block of the docs runs (issue 13, item 3).

README.md and docs/quickstart.rst run as whole pages (tests/test_readme.py),
docs/verbs.rst block by block against its JSON (tests/test_docs_verbs.py),
and the exploring section of docs/testing.rst in tests/test_docs_explore.py.
Every other page with Python is here: its blocks, numbered from 1 in page
order, are split into groups, and each group runs in a namespace of its own,
in order, after its ``setup`` (what the page's prose assumes: an ``app``, a
``tropo``, a stub database), then its ``check`` (the assertions that the
blocks did what the page says), then every ``test_*`` function the blocks
define, with its parameters taken from the namespace (``app``, ``client``)
or from pytest (``monkeypatch``, ``tmp_path``). A block that names a file in
its first line (``# acme.py``) is that file, importable by the others;
``# conftest.py`` and ``# test_*.py`` blocks run with pytest (pytester).
Where a block talks to a server (``http://127.0.0.1:8000``, a staging host),
the group serves its app on 127.0.0.1 and the block's URL is replaced with
that server's. :func:`test_every_block_is_run` checks that the groups cover
every block of every page.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import itertools
import sys
import types
import typing as t
from pathlib import Path

import pytest
from sim_apps import serving
from test_readme import rst_blocks

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"


@dataclasses.dataclass(frozen=True)
class Group:
    """Blocks of a page run together."""

    #: The page's python blocks (1-based) run in order in one namespace.
    blocks: tuple[int, ...]
    #: Code run first, in the same namespace.
    setup: str = ""
    #: Code run after the blocks (assertions about what they did).
    check: str = ""
    #: Blocks that are files, by number: written as modules first.
    files: tuple[int, ...] = ()
    #: Blocks run with pytest (``# conftest.py``, ``# test_*.py``).
    pytest_files: tuple[int, ...] = ()
    #: How many tests the ``pytest_files`` hold.
    passed: int = 0
    #: Serve ``app`` of the namespace (or of this module) and put its URL in
    #: place of these in the blocks.
    serve: tuple[str, ...] = ()
    serve_app: str = ""
    #: Code run right after a block (by number): what the prose says the
    #: reader has by then.
    between: dict[int, str] = dataclasses.field(default_factory=dict)


TROPO = """
from flask import Flask
from flask_tropo import Tropo
from flask_tropo.verbs import Ask, Hangup, On, Say
tropo = Tropo()
"""
APP = """
app = Flask(__name__)
app.config["SECRET_KEY"] = "a secret key for the docs tests"
"""
#: A handler that fails when the (stub) database does.
FAILING = """
acme = module("acme")
acme.db = module("acme.db")
acme.db.connect = lambda: None

@tropo.on_session("/voice")
def incoming(session):
    acme.db.connect()
    return Hangup()
"""

PAGES: dict[str, list[Group]] = {
    "api": [
        Group(
            (1,),
            setup=TROPO + APP,
            check="""
tropo.init_app(app)
from flask_tropo.testing import Simulator
tries = []
call = Simulator(app).dial("/voice")
assert call.heard == ["Your PIN?"]
""",
        )
    ],
    "config": [
        Group(
            (1,),
            setup=TROPO,
            check="""
assert app.extensions["tropo"] is tropo
assert app.config["TROPO_BASIC_AUTH"] == ("tropo", "s3cret")
""",
        )
    ],
    "deploying": [
        Group(
            (1,),
            setup=TROPO + "monkeypatch.setenv('FLASK_SECRET_KEY', 'k' * 32)\n",
            check="""
app = create_app()
assert app.config["SECRET_KEY"] == "k" * 32
""",
        ),
        Group(
            (2, 3, 4, 5),
            setup="import os\n"
            + TROPO
            + APP
            + "monkeypatch.setenv('TROPO_PASSWORD', 's3cret')\n",
            check="""
tropo.init_app(app)
assert app.config["TROPO_BASIC_AUTH"] == ("tropo", "s3cret")
assert app.test_client().get("/healthz").json == {"status": "ok"}
""",
        ),
        Group(
            (6,),
            setup="""
import logging
root = logging.getLogger()
saved = (root.level, root.handlers[:])
loggers = [
    logger
    for logger in logging.Logger.manager.loggerDict.values()
    if isinstance(logger, logging.Logger) and not logger.disabled
]
""",
            check="""
assert root.level == logging.INFO
# dictConfig disables the loggers it does not name: put everything back
root.setLevel(saved[0])
root.handlers[:] = saved[1]
for logger in loggers:
    logger.disabled = False
""",
        ),
    ],
    "errors": [
        Group(
            (1,),
            setup=TROPO + APP + FAILING,
            check="""
def broken():
    raise ConnectionError("database down")

acme.db.connect = broken
tropo.init_app(app)
app.testing = False
document = app.test_client().post("/voice", json={"session": {"id": "s1"}}).json
assert document["tropo"] == [
    {"say": {"value": "One moment, an agent will help you."}},
    {"transfer": {"to": "+14155550100"}},
]
""",
        ),
        Group(
            (2,),
            setup=TROPO + APP + FAILING,
            check="""
tropo.init_app(app)
client = app.test_client()
""",
        ),
    ],
    "handlers": [
        Group(
            (1,),
            check="""
from flask_tropo.testing import Simulator
app = create_app()
assert Simulator(app).dial("/voice").press("1234").heard[-1] == "You entered 1234"
""",
        ),
        Group(
            (2,),
            setup=TROPO
            + APP
            + """
myapp = module("myapp")
myapp.ivr = module("myapp.ivr")
myapp.ivr.check_pin = lambda result: Hangup()
myapp.ivr.incoming = lambda session: [Say("Hi"), On("continue", next=check_pin)]
check_pin = myapp.ivr.check_pin
""",
            check="""
tropo.init_app(app)
from flask_tropo.testing import Simulator
assert Simulator(app).dial("/voice").heard == ["Hi"]
""",
        ),
        Group(
            (3,),
            setup=TROPO + APP,
            check="""
tropo.init_app(app)
from flask_tropo.testing import Simulator
assert Simulator(app).dial("/voice/fr").heard == ["Bonjour"]
""",
        ),
        Group(
            (4,),
            setup=TROPO
            + APP
            + """
import types
from flask_tropo.testing import Simulator

class accounts:
    @staticmethod
    async def by_pin(pin):
        return types.SimpleNamespace(name="Ada")
""",
            check="""
@tropo.on_session("/voice")
def incoming(session):
    return [Ask("[4 DIGITS]", say="PIN?"), On("continue", next=check_pin)]

tropo.init_app(app)
assert Simulator(app).dial("/voice").press("1234").heard[-1] == "Hello Ada"
""",
        ),
        Group(
            (5, 6),
            setup="""
from flask import Flask
from flask_tropo import Tropo
from flask_tropo.verbs import Ask, Hangup, On, Say
from flask_tropo.testing import Simulator
website = Flask("website")
""",
            check="""
call = Simulator(application).dial("/phone/ivr/voice").press("1234")
[posted] = [e.url for e in call.events if e.kind == "event" and e.url]
assert posted.startswith("http://localhost/phone/ivr/check?tropo_token=")
assert call.heard[-1] == "You entered 1234"
""",
        ),
        Group(
            (7,),
            setup=TROPO
            + """
from flask_tropo.testing import Simulator
phoneapp = module("phoneapp")
phoneapp.ivr = module("phoneapp.ivr")
__package__ = "phoneapp"

@tropo.on_session("/voice")
def incoming(session):
    return [Say("Hello"), Hangup()]
""",
            check="""
app = create_app()
app.config["SECRET_KEY"] = "a secret key for the docs tests"
assert Simulator(app).dial("/voice").heard == ["Hello"]
""",
        ),
        Group(
            (8, 9),
            setup="""
from flask_tropo.verbs import On

def check_pin(result):
    return None
""",
        ),
        Group(
            (10,),
            setup=TROPO + APP + "from flask_tropo import TropoBlueprint\n",
            check="""
from flask_tropo.testing import Simulator

@ivr.on_session("/voice")
def incoming(session):
    return [Ask("1,2", say=f"Language {g.lang}"), On("continue", next=chosen)]

@ivr.on_result("/chosen")
def chosen(result):
    return [Say(f"{g.lang}: {result.value}"), Hangup()]

tropo.init_app(app)
app.register_blueprint(ivr)
call = Simulator(app).dial("/fr/voice")
[posted] = [e.url for e in call.events if e.kind == "event"] or [""]
assert call.heard == ["Language fr"]
assert call.press("2").heard[-1] == "fr: 2"
""",
        ),
        Group(
            (11,),
            setup=TROPO
            + APP
            + """
from flask_tropo.testing import Simulator
ended = []
log_call_end = lambda *args: ended.append(args)

@tropo.on_session("/voice")
def incoming(session):
    return [Ask("1,2", say="One or two?"), On("continue", next=chosen)]

@tropo.on_result("/chosen")
def chosen(result):
    return Hangup()
""",
            check="""
tropo.init_app(app)
call = Simulator(app).dial("/voice").hangup()
assert len(ended) == 1 and ended[0][0] == call.session_id
""",
        ),
        Group(
            (12,),
            setup=TROPO
            + APP
            + """
from flask import current_app
from flask_tropo import call_state
monkeypatch.chdir(tmp_path)

@tropo.on_session("/voice")
def incoming(session):
    return [Say("Hi"), On("continue", next=voicemail)]

@tropo.on_result("/goodbye")
def goodbye(result):
    return Hangup()
""",
            check="""
tropo.init_app(app)
from flask_tropo.testing import Simulator
call = Simulator(app).dial("/voice").speak("call me back").silence()
assert call.ended
[saved] = VOICEMAIL.iterdir()
assert saved.name == f"{call.session_id}.wav"
""",
        ),
    ],
    "index": [
        Group(
            (1,),
            check="""
from flask_tropo.testing import Simulator
assert Simulator(app).dial("/voice").press("1234").heard[-1] == "You entered 1234"
""",
        )
    ],
    "migrating": [Group((1, 2, 3))],
    "platforms": [
        Group(
            (1,),
            setup="""
from flask import Flask
from flask_tropo import Tropo, TropoBlueprint
app = Flask(__name__)
app.config["SECRET_KEY"] = "a secret key for the docs tests"
""",
            check="""
from flask_tropo.views import platforms_of
names = {name: p.name for name, p in platforms_of(app).items()}
assert names == {"ivr": "tropo", "ivr_twilio": "twilio", "ivr_jambonz": "jambonz"}
assert tropo.blueprint.platform == "twilio"
""",
        ),
        Group(
            (2,),
            setup="""
from example_app import create_app
from flask_tropo.testing import Simulator
app = create_app({"TESTING": True, "SECRET_KEY": "a secret key for the docs tests"})
heard = {}
""",
            check="""
assert heard["tropo"] == heard["twilio"] == heard["jambonz"] and heard["tropo"]
""",
        ),
    ],
    "payloads": [
        Group(
            (1, 2),
            check="""
assert session.from_.id == "+14155550100" and not session.is_text
assert result.value == "1234" and result.action("pin").value == "1234"
assert color is None
""",
        )
    ],
    "signals": [
        Group(
            (1, 2),
            setup=TROPO
            + APP
            + """
@tropo.on_session("/voice")
def incoming(session):
    return [Ask("1,2", say="One or two?"), On("continue", next=done)]

@tropo.on_result("/done")
def done(result):
    return Hangup()

tropo.init_app(app)
client = app.test_client()
""",
            check="""
from flask_tropo.testing import Simulator
records = []
app.logger.info = lambda *args: records.append(args)
Simulator(app).dial("/voice")
assert records and records[0][0] == "call %s from %s"
signals.session_received.disconnect(log_call)
""",
        ),
        Group(
            (),
            files=(3,),
            setup=TROPO
            + APP
            + """
@tropo.on_session("/voice")
def incoming(session):
    return Hangup()

tropo.init_app(app)
""",
            check="""
import logging
import acme.cdr
records = []
handler = logging.Handler()
handler.emit = records.append
acme.cdr.cdr.addHandler(handler)
acme.cdr.cdr.setLevel(logging.INFO)
from flask_tropo.testing import Simulator
Simulator(app).dial("/voice")
assert records and records[0].getMessage().startswith("start session=")
from flask_tropo import signals
signals.session_received.disconnect(acme.cdr.call_started)
signals.result_received.disconnect(acme.cdr.call_ended)
signals.handler_failed.disconnect(acme.cdr.step_failed)
""",
        ),
    ],
    "state": [
        Group(
            (1, 2),
            setup=TROPO
            + APP
            + """
class accounts:
    @staticmethod
    def check(caller, pin):
        return pin == "1234"
""",
            check="""
tropo.init_app(app)
app.config["TROPO_BASIC_AUTH"] = None
from flask_tropo.testing import Simulator
call = Simulator(app).dial("/voice").press("0000").press("1234")
assert call.heard[-1] == "Welcome."
""",
        )
    ],
    "testing": [
        Group(
            (2, 3, 4, 5, 6, 7, 8, 9, 18),
            files=(1,),
            setup="""
from flask_tropo.testing import Simulator
from acme import create_app

app = sim = None
""",
            serve=("http://127.0.0.1:8000", "http://tropo:s3cret@127.0.0.1:8000"),
            serve_app="acme",
            between={
                3: """
app = create_app({"TESTING": True})
client = app.test_client()
sim = Simulator(app)
call = sim.dial("/voice").press("1")
""",
            },
            check="""
assert call.heard == ["Say sales, support or voicemail."]  # block 6, over HTTP
assert sim.launch("/remind", num="+1", when="now").heard == [
    "Your appointment is now."
]
""",
        ),
        Group((), files=(1,), pytest_files=(10, 11), passed=3),
    ],
}
#: Blocks another test runs.
ELSEWHERE = {"testing": {12, 13, 14, 15, 16, 17}}
#: Pages run whole, or block by block, by another test.
WHOLE_PAGES = {"quickstart", "verbs"}


# -- running the groups ------------------------------------------------------------


def page_blocks(page: str) -> list[str]:
    return rst_blocks((DOCS / f"{page}.rst").read_text(encoding="utf-8"), "python")


def file_name(code: str) -> str:
    """The file a block is: ``# acme.py`` on its first line."""
    first = code.splitlines()[0]
    assert first.startswith("# ") and first.endswith(".py"), first
    return first[2:]


CASES = [
    pytest.param(page, number, group, id=f"{page}-{number}")
    for page, groups in PAGES.items()
    for number, group in enumerate(groups, 1)
]


@pytest.mark.parametrize(("page", "number", "group"), CASES)
def test_the_blocks_run(
    page: str,
    number: int,
    group: Group,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    blocks = page_blocks(page)
    folder = tmp_path / "modules"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    for index in group.files:
        path = folder / file_name(blocks[index - 1])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(blocks[index - 1], encoding="utf-8")
        name = path.relative_to(folder).with_suffix("").as_posix().replace("/", ".")
        _forget(monkeypatch, name)
    name = f"docs_{page}_{number}"
    namespace = types.ModuleType(name)
    namespace.__file__ = str(folder / f"{name}.py")
    monkeypatch.setitem(sys.modules, name, namespace)

    def module(dotted: str) -> types.ModuleType:
        made = types.ModuleType(dotted)
        made.__path__ = []  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, dotted, made)
        return made

    scope = namespace.__dict__
    scope.update(module=module, monkeypatch=monkeypatch, tmp_path=tmp_path)
    run(group.setup, f"{page} setup", scope)
    with contextlib.ExitStack() as stack:
        replace: dict[str, str] = {}
        if group.serve:
            app = importlib.import_module(group.serve_app)
            served = t.cast(t.Any, app).create_app({"TESTING": True})
            base = stack.enter_context(serving(served))
            for url in group.serve:
                address = base.replace("http://", url.partition("127.0.0.1:8000")[0])
                replace[url] = address
        for index in group.blocks:
            code = blocks[index - 1]
            for old, new in replace.items():
                code = code.replace(old, new)
            run(code, f"{page}.rst, python block {index}", scope)
            run(group.between.get(index, ""), f"{page} after {index}", scope)
        run(group.check, f"{page} check", scope)
        for key, value in list(scope.items()):
            if key.startswith("test_") and callable(value):
                call_test(value, scope, request)
    if group.pytest_files:
        pytester = request.getfixturevalue("pytester")
        for index in (*group.files, *group.pytest_files):
            code = blocks[index - 1]
            pytester.makepyfile(**{file_name(code)[:-3]: code})
        result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
        result.assert_outcomes(passed=group.passed)


def _forget(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    for loaded in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
        monkeypatch.delitem(sys.modules, loaded)


def run(code: str, where: str, scope: dict[str, t.Any]) -> None:
    if code.strip():
        exec(compile(code, where, "exec"), scope)


def call_test(
    function: t.Callable[..., t.Any],
    scope: dict[str, t.Any],
    request: pytest.FixtureRequest,
) -> None:
    """Call a test the blocks define, as pytest would: each parametrized
    case, its other parameters from the namespace, else from pytest."""
    marks = [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]
    cases: list[dict[str, t.Any]] = [{}]
    for mark in marks:
        names = [n.strip() for n in mark.args[0].split(",")]
        values = [v if len(names) > 1 else (v,) for v in mark.args[1]]
        cases = [
            {**case, **dict(zip(names, value, strict=True))}
            for case, value in itertools.product(cases, values)
        ]
    for case in cases:
        arguments = {}
        for name in function.__code__.co_varnames[: function.__code__.co_argcount]:
            if name in case:
                arguments[name] = case[name]
            elif name in scope:
                arguments[name] = scope[name]
            else:
                arguments[name] = request.getfixturevalue(name)
        function(**arguments)


def test_every_block_is_run() -> None:
    for page in sorted(p.stem for p in DOCS.glob("*.rst")):
        blocks = page_blocks(page)
        if not blocks or page in WHOLE_PAGES:
            continue
        groups = PAGES.get(page, [])
        run = {
            index
            for group in groups
            for index in (*group.blocks, *group.files, *group.pytest_files)
        }
        assert run | ELSEWHERE.get(page, set()) == set(range(1, len(blocks) + 1)), page
