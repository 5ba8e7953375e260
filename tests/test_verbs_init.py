"""The compiled ``__init__`` of the verbs (``flask_tropo._init`` with the
checks of ``flask_tropo._checks``): each check's inline test (``ok``) or
expression (``fast``) gives what its full check gives, the objects built are
of their own class, subclasses are checked too, and tracebacks show the
generated lines.
"""

from __future__ import annotations

import dataclasses
import linecache
import traceback
import typing as t

import pytest

from flask_tropo import _init
from flask_tropo import verbs
from flask_tropo._checks import Check
from flask_tropo.exceptions import InvalidArgument
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Choices
from flask_tropo.verbs import On
from flask_tropo.verbs import Record
from flask_tropo.verbs import Say

CLASSES: list[type[t.Any]] = [
    *verbs.VERBS.values(),
    verbs.Choices,
    verbs.Transcription,
    verbs.UploadTarget,
    verbs.MachineDetection,
    verbs.Prompt,
]


def _handler() -> None:
    pass


#: Values of every kind a field may be given, right or wrong.
VALUES: list[t.Any] = [
    *("", "x", "DATE", "dtmf", "DTMF", "none", "mask", "XXD-", "XY", "#", "12"),
    *("timeout", "nomatch:2", "ring", "POST", "audio/wav", "http://a", "+1"),
    *(0, 1, -1, 0.5, 2, 101, 1.5, float("nan"), True, False),
    *([], ["a"], ("a", "b"), [""], [1], {"a": "b"}, {"a": 1}, b"x", _handler),
    Say("hi"),
    Say("t", event="timeout"),
    Say("n", event="nomatch"),
    ["x", Say("t", event="timeout")],
    Choices("1"),
    Choices(terminator="#"),
    Choices(),
    verbs.UploadTarget("http://a"),
    [verbs.Transcription("mailto:a")],
    On("ring"),
    [On("connect")],
    Ask("1"),
    verbs.Prompt("p"),
    verbs.MachineDetection("hi"),
]


def _outcome(call: t.Callable[[], t.Any]) -> t.Any:
    try:
        value = call()
    except InvalidArgument as error:
        return (type(error), str(error), error.verb, error.field)
    return (type(value), value)


def _checks() -> list[t.Any]:
    return [
        pytest.param(cls, name, check, id=f"{cls.__name__}.{name}")
        for cls in CLASSES
        for name, check in cls.__init__._checks.items()
    ]


@pytest.mark.parametrize(("cls", "name", "check"), _checks())
def test_the_fast_path_gives_what_the_full_check_gives(
    cls: type, name: str, check: Check
) -> None:
    namespace = {f"_{key}": value for key, value in check.env.items()}
    namespace.update(_fix=check.fix, _verb=cls)
    args = ", ".join(["_verb", repr(name), "v", *check.others])
    names = {key: f"_{key}" for key in check.env}
    if check.ok is not None:
        source = f"v if ({check.ok.format(v='v', **names)}) else _fix({args})"
    else:
        source = (check.fast or "{fix}").format(v="v", fix=f"_fix({args})", **names)
    expression = compile(source, "<fast>", "eval")
    for other in [None, "none", "mask"] if check.others else [None]:
        for value in [None, *VALUES]:
            if value is None and check.skip_none:
                continue
            scope = {"v": value, **dict.fromkeys(check.others, other)}
            extra = [other] * len(check.others)
            fast = _outcome(lambda: eval(expression, namespace, scope))  # noqa: B023
            full = _outcome(lambda: check.fix(cls, name, value, *extra))  # noqa: B023
            assert fast == full, (value, other)


@pytest.mark.parametrize(
    "obj",
    [
        Say("x"),
        Ask("1,2", say="Pick one").say[0],  # type: ignore[index]
        Ask("1,2").choices,
        On("continue", say="Hold on", ask="[1 DIGIT]").ask,
        Record(url=["http://a", "http://b"], choices="#").choices,
        verbs.Call("+1", machine_detection="Hi").machine_detection,
        verbs.Conference("1", join_prompt="Hi").join_prompt,
    ],
    ids=repr,
)
def test_objects_are_of_their_own_class(obj: t.Any) -> None:
    cls = type(obj)
    assert cls in CLASSES
    assert cls.__qualname__ == cls.__name__
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.changed = "changed"


#: Positional arguments of each class but Record (its url is keyword-only).
POSITIONAL: dict[type[t.Any], tuple[t.Any, ...]] = {
    verbs.Answer: ({"x-a": "1"},),
    verbs.Call: ("+1",),
    verbs.Conference: ("1",),
    verbs.GeneralLogSecurity: ("none",),
    verbs.Message: ("Hi", ["+1", "+2"]),
    verbs.Redirect: ("sip:a",),
    verbs.StartRecording: ("http://a",),
    verbs.Transfer: ("+1",),
    verbs.Wait: (1,),
    Ask: ("1,2",),
    Choices: ("1,2",),
    On: ("continue",),
    Say: ("Hi",),
    verbs.Transcription: ("mailto:a@b.c",),
    verbs.UploadTarget: ("http://a",),
    verbs.MachineDetection: ("Hi",),
    verbs.Prompt: ("Hi",),
}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_the_fast_constructor_builds_what_the_class_builds(cls: type) -> None:
    if cls is Record:
        with pytest.raises(KeyError):
            _init.fast_new(cls)
        return
    args = POSITIONAL.get(cls, ())
    obj = _init.fast_new(cls)(*args)
    assert type(obj) is cls
    assert obj == cls(*args)


def test_the_fast_constructor_checks() -> None:
    with pytest.raises(InvalidArgument, match=r"^Say\.value: "):
        _init.fast_new(Say)("")
    with pytest.raises(InvalidArgument, match=r"^Say\.value: "):
        Ask("1", say="")


def test_a_subclass_is_checked_and_stays_itself() -> None:
    class Loud(Say):
        pass

    loud = Loud("x", media=["a"])
    assert type(loud) is Loud
    assert loud.media == ("a",)
    with pytest.raises(InvalidArgument, match=r"^Loud\.value: "):
        Loud("")
    with pytest.raises(dataclasses.FrozenInstanceError):
        loud.value = "changed"


def test_a_dataclass_subclass_is_checked() -> None:
    @dataclasses.dataclass(frozen=True, slots=True, repr=False)
    class Tagged(Say):
        tag: str | None = None

    tagged = Tagged("x", allow_signals=["a"], tag="t")
    assert (tagged.allow_signals, tagged.tag) == (("a",), "t")
    with pytest.raises(InvalidArgument, match=r"^Tagged\.as_: "):
        Tagged("x", as_="WORDS")


def test_replace_checks_again() -> None:
    say = Say("x", media=["a"])
    assert dataclasses.replace(say, voice="v").media == ("a",)
    with pytest.raises(InvalidArgument, match=r"^Say\.as_: "):
        dataclasses.replace(say, as_="WORDS")


def test_tracebacks_show_the_generated_lines() -> None:
    with pytest.raises(InvalidArgument) as info:
        Ask("1", attempts=0)
    frames = traceback.extract_tb(info.tb)
    generated = [f for f in frames if f.filename.startswith("<flask_tropo")]
    assert generated
    assert all(f.line for f in generated)
    assert "attempts" in generated[0].line  # type: ignore[operator]
    source = linecache.getlines(Ask.__init__.__code__.co_filename)
    assert source[0].startswith("def __init__(self, choices, *, say=None,")


def test_checks_must_name_fields() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Thing:
        value: str

    with pytest.raises(TypeError, match=r"no field \['valeu'\] to check"):
        _init.fast_init(Thing, {"valeu": Check(lambda verb, field, value: value)})


def test_checks_and_a_post_init_are_refused() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Thing:
        value: str

        def __post_init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="not both"):
        _init.fast_init(Thing, {})
