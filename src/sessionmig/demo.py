"""The demo organisation that `sessionmig demo` loads, and the ids its migration uses.

The organisation itself is data: `demo.json` beside this module, a back-office export
in the `load FILE` format, read from the installed package and loaded by the same
loader as `sessionmig load`. Two tenants ("Acme Events", the main one, and "Globex
Media", whose data Acme's users must never see), users holding every role at every
scope, events whose sessions mix every format and source kind. The constants below are
the only place the demo command names objects of that file; tests/test_demo.py
checks that they name what they say.

Id ranges (each id is also unique across kinds, so a test that passes an id of the
wrong kind gets "not found", never a lucky hit):

| kind        | Acme (client 1) | Globex (client 2) |
| ----------- | --------------- | ----------------- |
| clients     | 1               | 2                 |
| audiences   | 3-5             | 6                 |
| events      | 10-14           | 40-41             |
| communities | 50-52           | 60                |
| users       | 100-112         | 150-151           |
| speakers    | 300-311         | 350-353           |
| partners    | 500-505         | 550-551           |
| sessions    | 1000-1063       | 2000-2008         |
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Final

EXPORT_FILE: Final = "demo.json"

DEMO_CLIENT_ID: Final = 1
""""Acme Events", the demo's main tenant (client 2, "Globex Media", is the other)."""
DEMO_ADMIN_EMAIL: Final = "ana@acme.test"
"""Ana Martin, admin at client scope of Acme: the actor of the demo migration."""
DEMO_EVENT_ID: Final = 10
""""Acme Summit 2026": 13 eligible sessions out of 20, plus refusals of every kind."""
DEMO_COMMUNITY_ID: Final = 51
""""Acme Replay Library", in another audience than the event (R3: any community
of any audience of the client)."""


def export_bytes() -> bytes:
    """The demo export as shipped in the package: what `sessionmig demo` loads."""
    return resources.files("sessionmig").joinpath(EXPORT_FILE).read_bytes()


def demo_export() -> dict[str, list[dict[str, Any]]]:
    """The demo export as plain data (a fresh object at every call)."""
    data: dict[str, list[dict[str, Any]]] = json.loads(export_bytes())
    return data
