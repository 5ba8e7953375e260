"""The platforms: the one seam between the wire and everything else.

A :class:`Platform` reads a request into a :class:`~flask_tropo.Session` or
:class:`~flask_tropo.Result` and writes verbs as that platform's document.
The view of every Tropo route calls only this seam::

    view (method, auth, size, token) -> platform.read(request)
        -> handler -> links -> platform.render(verbs) -> platform.response(document)

Twilio and jambonz (:mod:`.twilio`, :mod:`.jambonz`) have no ``on`` events,
attempts or grammars: :mod:`.emulation` runs Tropo's server-side, with a
*step* in each token and :meth:`Platform.resume` picking what answers a
continuation (:class:`Turn`); :mod:`.policy` tables what each platform does
with every verb and option.

Handlers, verbs, chaining, ``call_state``, signals and errors never know
which platform serves them. The platform of a route is chosen when its
blueprint is registered (``platform=`` of :class:`~flask_tropo.TropoBlueprint`
or of ``register_blueprint``); :data:`PLATFORMS` lists the names.
"""

from __future__ import annotations

from .base import Kind as Kind
from .base import NextUrl as NextUrl
from .base import Platform as Platform
from .base import Turn as Turn
from .jambonz import JambonzPlatform
from .tropo import TropoPlatform
from .twilio import TwilioPlatform

__all__ = ["Kind", "NextUrl", "Platform", "PLATFORMS", "Turn", "get_platform"]

#: Every platform, by name.
PLATFORMS: dict[str, Platform] = {
    platform.name: platform
    for platform in (TropoPlatform(), TwilioPlatform(), JambonzPlatform())
}


def get_platform(name: str) -> Platform:
    """The platform registered under ``name``.

    :param name: for example ``"tropo"``.
    :raise ValueError: no such platform.
    """
    platform = PLATFORMS.get(name) if isinstance(name, str) else None
    if platform is None:
        names = ", ".join(repr(n) for n in PLATFORMS)
        raise ValueError(f"Unknown platform {name!r}: use one of {names}.")
    return platform
