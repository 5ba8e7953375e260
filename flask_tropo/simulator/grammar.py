"""Tropo's simple ``choices`` grammar: parse it, and match caller input.

This module stands on its own (it imports nothing of the simulator) so that
anything emulating Tropo's matching can use it: the simulator's ``ask``, and
platforms that serve another wire format with Tropo's semantics. Its API:

``parse_grammar(value) -> Grammar``
    Parse a grammar string (cached); :exc:`GrammarError` names the bad part.
``Grammar.match(entered, *, dtmf, mode=None, terminator=None) -> Match | None``
    What an input means; ``None`` is a no-match. ``mode`` and ``terminator``
    are the ask's ``choices.mode`` and ``choices.terminator``.
``match_input(grammar, entered, *, dtmf, mode=None, terminator=None)``
    Both in one call, from the grammar string.
:class:`Match`
    ``value`` (the grammar's answer), ``interpretation`` (what was
    recognised), ``utterance``, ``concept`` and ``confidence``: the fields of
    an ``ask`` action.
:data:`DTMF_KEYS`
    The keys a caller can press.
``Grammar.options -> tuple[Option, ...]``
    The options as written, for tools that list what a grammar takes (the
    explorer).

.. code-block:: python

    match = match_input("yes(yes, y, 1), no(no, n, 2)", "1", dtmf=True)
    assert match is not None and match.value == "yes"
    assert match.interpretation == "1"
    assert match_input("[4 DIGITS]", "12", dtmf=True) is None

The grammar forms:

``[N DIGITS]``, ``[N DIGIT]``, ``[N-M DIGITS]``
    Exactly ``N`` digits, or ``N`` to ``M`` digits. ``N`` is at least 1 and
    ``M`` is at least ``N``. The value is the digit string.
``[ANY]``
    Any non-empty input. The value is the input (the keys for DTMF).
``a, b, c``
    A list of options. The value is the option that matched, as written in
    the grammar.
``key(syn1, syn2, ...)``
    The key or any of its synonyms. The value is the key.

Forms can be mixed in one comma-separated grammar:
``"[4 DIGITS], call(*, star, call)"``, ``"yes(yes, y, 1), no(no, n, 2)"``.
The options are tried in the order they are written and the first one that
matches wins.

Behaviour choices (the real platform leaves these open, or the simulator is
deliberately lenient):

* **Keywords** ``DIGITS``, ``DIGIT`` and ``ANY`` are case-insensitive, and
  whitespace inside the brackets is free: ``[5 digits]`` and ``[ 4 - 5 DIGITS ]``
  are accepted. (The real platform once gave an MRCP parse error for
  lower-case ``[5 digits]``; the simulator does not reproduce that.)
* **Options and synonyms** are stripped of surrounding whitespace and compared
  case-insensitively, with runs of whitespace treated as one space. ``value``
  keeps the spelling written in the grammar; ``interpretation`` keeps the
  spelling the caller used.
* **DTMF input** (``dtmf=True``) is a string of keys from ``0-9``, ``*`` and
  ``#``; whitespace in it is ignored and any other character raises
  :exc:`ValueError`. When a ``terminator`` is given, entry stops at its first
  occurrence: the terminator is not part of the input and keys after it are
  ignored. Without a terminator, ``#`` and ``*`` are ordinary keys. DTMF
  matches a digits grammar when every key is a digit and the count is in
  range, ``[ANY]`` always, and an option or synonym when it is exactly the
  keys pressed (``*`` matches the synonym ``*``). ``utterance`` is the keys
  separated by spaces (``"1 2 3 4"``), as the platform reports it.
* **Speech or text input** (``dtmf=False``) is stripped; the terminator does
  not apply to it. It matches a digits grammar when every whitespace-separated
  word is a run of digits (``"1234"``, ``"12 34"``) or a digit word
  (``zero`` to ``nine``, and ``oh`` for zero), in any case and in any mix:
  ``"one two 3 4"`` gives ``"1234"``. For digits grammars ``interpretation``
  is the digit string (what was recognised) while ``utterance`` is the text
  as entered. The same digit reading lets a spoken ``"one"`` match an option
  or synonym written as ``1``, as a speech recogniser would.
* **Mode** ``"dtmf"`` accepts only DTMF input and ``"speech"`` only spoken or
  typed input; ``"any"`` or ``None`` accepts both. Mode is case-insensitive
  (Java's SDK sends ``"DTMF"``). Input the mode does not allow is a no-match;
  an unknown mode raises :exc:`ValueError`.
* **Empty input**, after the terminator is removed and whitespace is
  stripped, never matches.
* ``confidence`` is always 100 and ``concept`` equals ``value``.

Malformed grammars raise :exc:`GrammarError` naming the bad part: an empty
grammar or option, an unknown bracketed grammar such as ``[X DIGITS]``,
``[0 DIGITS]`` or a reversed range, unbalanced or nested brackets or
parentheses, a ``(`` without a key, an empty synonym, or text after ``)``.
"""

from __future__ import annotations

import functools
import re
import typing as t
from dataclasses import dataclass

from ..exceptions import TropoError

__all__ = [
    "DTMF_KEYS",
    "Grammar",
    "GrammarError",
    "Match",
    "match_input",
    "Option",
    "parse_grammar",
]

#: The DTMF keys.
DTMF_KEYS = frozenset("0123456789*#")
_MODES = frozenset({"dtmf", "speech", "any"})
_NUMBERS = "zero one two three four five six seven eight nine".split()
_DIGIT_WORDS = {word: str(n) for n, word in enumerate(_NUMBERS)} | {"oh": "0"}
_DIGITS_RE = re.compile(r"(\d+)\s*(?:-\s*(\d+)\s*)?DIGITS?", re.IGNORECASE | re.ASCII)


class GrammarError(TropoError, ValueError):
    """A ``choices`` grammar that cannot be parsed.

    The message names the grammar and the part that is wrong.

    :param reason: what is wrong.
    :param grammar: the whole grammar string.
    :param part: the offending part of the grammar, when there is one.
    """

    def __init__(self, reason: str, *, grammar: str, part: str | None = None) -> None:
        #: What is wrong.
        self.reason = reason
        #: The whole grammar string.
        self.grammar = grammar
        #: The offending part of the grammar, if any.
        self.part = part
        where = f" at {part!r}" if part is not None and part != grammar else ""
        super().__init__(f"Invalid grammar {grammar!r}{where}: {reason}")


@dataclass(frozen=True, kw_only=True)
class Match:
    """What a caller's input meant for a grammar.

    The fields are those of an ``ask`` action in a result document.
    """

    #: The grammar result: the digits for a digits grammar, the option for a
    #: list, the key for a ``key(synonyms)`` form, the input for ``[ANY]``.
    value: str
    #: What was recognised: the keys pressed (terminator removed), the digit
    #: string of spoken digits, or the words entered, stripped.
    interpretation: str
    #: Raw recogniser text: for DTMF the keys separated by spaces
    #: (``"1 2 3 4"``), for speech the text as entered, stripped.
    utterance: str
    #: The same as :attr:`value`.
    concept: str
    #: Recognition confidence, 0 to 100; the simulator is always sure.
    confidence: int = 100


# Each option answers ``(value, interpretation)`` for input it accepts: DTMF
# keys (terminator removed) or stripped speech.


@dataclass(frozen=True)
class _Digits:
    """Internal: a ``[N DIGITS]`` or ``[N-M DIGITS]`` option."""

    low: int
    high: int

    def match(self, entered: str, dtmf: bool) -> tuple[str, str] | None:
        digits = entered if dtmf else _spoken_digits(entered)
        if digits and digits.isdigit() and self.low <= len(digits) <= self.high:
            return digits, digits
        return None


@dataclass(frozen=True)
class _Any:
    """Internal: the ``[ANY]`` option."""

    def match(self, entered: str, dtmf: bool) -> tuple[str, str] | None:
        return entered, entered


@dataclass(frozen=True)
class _Choice:
    """Internal: a list option, or a ``key(synonyms)`` option."""

    value: str
    words: tuple[str, ...]

    def match(self, entered: str, dtmf: bool) -> tuple[str, str] | None:
        if dtmf:
            return (self.value, entered) if entered in self.words else None
        said = _normalise(entered)
        digits = _spoken_digits(entered)
        for word in self.words:
            if _normalise(word) == said or (digits is not None and word == digits):
                return self.value, entered
        return None


_Option: t.TypeAlias = "_Digits | _Any | _Choice"


class Option(t.NamedTuple):
    """One option of a grammar, as :attr:`Grammar.options` lists them for
    tools that need the inputs a grammar takes (the explorer)."""

    #: ``"choice"`` (an option of a list, or ``key(synonyms)``),
    #: ``"digits"`` or ``"any"``.
    kind: t.Literal["choice", "digits", "any"]
    #: The value it gives: the key or option as written; ``""`` for digits
    #: and ``[ANY]``.
    value: str = ""
    #: The key and its synonyms, as written.
    words: tuple[str, ...] = ()
    #: The fewest and the most digits of a digits option.
    low: int = 0
    high: int = 0


def _public(option: _Option) -> Option:
    if isinstance(option, _Choice):
        return Option("choice", option.value, option.words)
    if isinstance(option, _Digits):
        return Option("digits", low=option.low, high=option.high)
    return Option("any")


class Grammar:
    """A parsed ``choices`` grammar.

    Build one with :meth:`parse` (or :func:`parse_grammar`, which caches), then
    ask it what an input means with :meth:`match`.

    :param value: the grammar string, as in ``choices.value``.
    :raises GrammarError: if the grammar is malformed.
    """

    __slots__ = ("source", "_options")

    def __init__(self, value: str) -> None:
        #: The grammar string as given.
        self.source = value
        self._options: tuple[_Option, ...] = _parse(value)

    @classmethod
    def parse(cls, value: str) -> Grammar:
        """Parse a grammar string: the same as ``Grammar(value)``."""
        return cls(value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.source!r})"

    @property
    def options(self) -> tuple[Option, ...]:
        """The options, in the order they are tried."""
        return tuple(map(_public, self._options))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Grammar):
            return NotImplemented
        return self.source == other.source

    def __hash__(self) -> int:
        return hash(self.source)

    def match(
        self,
        entered: str,
        *,
        dtmf: bool,
        mode: str | None = None,
        terminator: str | None = None,
    ) -> Match | None:
        """Decide what ``entered`` means, or return ``None`` for a no-match.

        :param entered: the keys pressed (when ``dtmf`` is true) or the words
            spoken or typed.
        :param dtmf: whether ``entered`` is DTMF keys from ``0-9``, ``*`` and
            ``#``.
        :param mode: ``choices.mode``: ``"dtmf"``, ``"speech"``, ``"any"`` or
            ``None`` (any), in either case. Input the mode does not allow is
            a no-match.
        :param terminator: ``choices.terminator``, a single DTMF key that ends
            DTMF entry; it and any keys after it are dropped. Ignored for
            speech.
        :raises ValueError: for an unknown mode or terminator, or a character
            in DTMF input that is not a key.
        """
        allowed = "any" if mode is None else mode.lower()
        if allowed not in _MODES:
            raise ValueError(
                f"Unknown choices mode {mode!r}; expected 'dtmf', 'speech' or 'any'."
            )
        if terminator and (len(terminator) != 1 or terminator not in DTMF_KEYS):
            raise ValueError(
                f"Invalid terminator {terminator!r}; expected one of 0-9, * or #."
            )
        if allowed == ("speech" if dtmf else "dtmf"):
            return None
        if dtmf:
            keys = "".join(entered.split())
            for key in keys:
                if key not in DTMF_KEYS:
                    raise ValueError(
                        f"Invalid DTMF key {key!r} in {entered!r};"
                        " expected 0-9, * or #."
                    )
            text = keys.partition(terminator)[0] if terminator else keys
            utterance = " ".join(text)
        else:
            text = utterance = entered.strip()
        if not text:
            return None
        for option in self._options:
            found = option.match(text, dtmf)
            if found is not None:
                value, interpretation = found
                return Match(
                    value=value,
                    interpretation=interpretation,
                    utterance=utterance,
                    concept=value,
                )
        return None


@functools.lru_cache(maxsize=256)
def parse_grammar(value: str) -> Grammar:
    """Parse a grammar string, caching the result.

    The simulator parses the same few grammars over and over; this keeps the
    last 256. A malformed grammar raises every time.

    :param value: the grammar string, as in ``choices.value``.
    :raises GrammarError: if the grammar is malformed.
    """
    return Grammar(value)


def match_input(
    grammar: str,
    entered: str,
    *,
    dtmf: bool,
    mode: str | None = None,
    terminator: str | None = None,
) -> Match | None:
    """What ``entered`` means for ``grammar``, or ``None`` for a no-match:
    :func:`parse_grammar` then :meth:`Grammar.match`.

    :param grammar: the grammar string, as in ``choices.value``.
    :param entered: the keys pressed (when ``dtmf`` is true) or the words
        spoken or typed.
    :param dtmf: whether ``entered`` is DTMF keys.
    :param mode: ``choices.mode``.
    :param terminator: ``choices.terminator``.
    :raises GrammarError: if the grammar is malformed.
    :raises ValueError: for an unknown mode or terminator, or a character in
        DTMF input that is not a key.
    """
    return parse_grammar(grammar).match(
        entered, dtmf=dtmf, mode=mode, terminator=terminator
    )


def _normalise(text: str) -> str:
    """Internal: casefold and collapse whitespace, for comparing words."""
    return " ".join(text.casefold().split())


def _spoken_digits(text: str) -> str | None:
    """Internal: read text as digits, or return ``None`` if it is not digits.

    Each whitespace-separated word must be a run of ASCII digits or a digit
    word (``zero`` to ``nine``, ``oh``).
    """
    digits = []
    for word in text.casefold().split():
        if word.isascii() and word.isdigit():
            digits.append(word)
        elif word in _DIGIT_WORDS:
            digits.append(_DIGIT_WORDS[word])
        else:
            return None
    return "".join(digits) or None


def _parse(value: str) -> tuple[_Option, ...]:
    """Internal: parse a whole grammar into its options."""
    if not value.strip():
        raise GrammarError("the grammar is empty", grammar=value)
    return tuple(
        _parse_part(part, number, value)
        for number, part in enumerate(_split_top(value), start=1)
    )


def _split_top(value: str) -> list[str]:
    """Internal: split on commas outside brackets and parentheses, checking
    that brackets and parentheses are balanced and not nested.
    """
    parts: list[str] = []
    start = 0
    opener: str | None = None
    for index, char in enumerate(value):
        if char in "([":
            if opener is not None:
                raise GrammarError(
                    f"nested {char!r}",
                    grammar=value,
                    part=value[start : index + 1].strip(),
                )
            opener = char
        elif char in ")]":
            expected = "(" if char == ")" else "["
            if opener != expected:
                raise GrammarError(
                    f"unbalanced {char!r}",
                    grammar=value,
                    part=value[start : index + 1].strip(),
                )
            opener = None
        elif char == "," and opener is None:
            parts.append(value[start:index])
            start = index + 1
    if opener is not None:
        closer = ")" if opener == "(" else "]"
        raise GrammarError(
            f"unbalanced {opener!r} (missing {closer!r})",
            grammar=value,
            part=value[start:].strip(),
        )
    parts.append(value[start:])
    return parts


def _parse_part(raw: str, number: int, grammar: str) -> _Option:
    """Internal: parse one top-level option (1-based ``number``) of a grammar."""
    part = raw.strip()
    if not part:
        raise GrammarError(f"option {number} is empty", grammar=grammar)
    if part.startswith("["):
        return _parse_builtin(part, grammar)
    if "[" in part:
        raise GrammarError(
            "a bracketed grammar must be an option of its own",
            grammar=grammar,
            part=part,
        )
    if "(" not in part:
        return _Choice(part, (part,))
    key, _, rest = part.partition("(")
    key = key.strip()
    if not key:
        raise GrammarError("missing key before '('", grammar=grammar, part=part)
    inner, _, after = rest.partition(")")
    if after.strip():
        raise GrammarError("unexpected text after ')'", grammar=grammar, part=part)
    synonyms = [word.strip() for word in inner.split(",")]
    if not all(synonyms):
        raise GrammarError("empty synonym", grammar=grammar, part=part)
    return _Choice(key, (key, *synonyms))


def _parse_builtin(part: str, grammar: str) -> _Digits | _Any:
    """Internal: parse a bracketed ``[...]`` option."""
    inner, _, after = part[1:].partition("]")
    if after.strip():
        raise GrammarError("unexpected text after ']'", grammar=grammar, part=part)
    body = inner.strip()
    if body.upper() == "ANY":
        return _Any()
    found = _DIGITS_RE.fullmatch(body)
    if found is None:
        raise GrammarError(
            "unknown built-in grammar; expected [N DIGITS], [N-M DIGITS] or [ANY]",
            grammar=grammar,
            part=part,
        )
    low = int(found.group(1))
    high = int(found.group(2)) if found.group(2) is not None else low
    if low < 1:
        raise GrammarError(
            "the digit count must be at least 1", grammar=grammar, part=part
        )
    if high < low:
        raise GrammarError(
            f"the digit range {low}-{high} is reversed", grammar=grammar, part=part
        )
    return _Digits(low, high)
