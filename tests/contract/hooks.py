"""Schemathesis hooks (``SCHEMATHESIS_HOOKS``) for ``run_schemathesis``: the media
types it must be able to send, and with ``--edges`` (``GRASSROOTS_CONTRACT_EDGES=1``)
the dates and instants at the ends of their range."""

from __future__ import annotations

import os

from tests.contract.media_types import send_pdfs_as_bytes

send_pdfs_as_bytes()
if os.environ.get("GRASSROOTS_CONTRACT_EDGES") == "1":
    import tests.contract.edge_values  # noqa: F401  (registers its formats on import)
