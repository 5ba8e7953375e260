"""marshmallow schemas: the mapping between the wire JSON and the dataclasses.

.. code-block:: text

    payloads   Session, Result and their parts (inbound documents)
    verbs      the WebAPI verbs (response documents)
    fields     custom fields for the wire shapes
"""

from __future__ import annotations

from .payloads import ActionSchema as ActionSchema
from .payloads import EndpointSchema as EndpointSchema
from .payloads import InitialMediaSchema as InitialMediaSchema
from .payloads import ResultSchema as ResultSchema
from .payloads import SessionSchema as SessionSchema
from .payloads import dump_result as dump_result
from .payloads import dump_session as dump_session
from .payloads import load_result as load_result
from .payloads import load_session as load_session

__all__ = [
    "ActionSchema",
    "EndpointSchema",
    "InitialMediaSchema",
    "ResultSchema",
    "SessionSchema",
    "dump_result",
    "dump_session",
    "load_result",
    "load_session",
]
