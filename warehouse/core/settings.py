"""Settings a council gives the product in its environment (not in a received file).

``STLS_STEWARD_CONTACT``: how readers reach the STLS data steward (an email address, a
phone number or a team mailbox), shown on About the data and in the committee pack.
"""

from __future__ import annotations

import os

STEWARD_CONTACT_ENV = "STLS_STEWARD_CONTACT"


def steward_contact() -> str | None:
    """The data steward's contact as configured, or None where it is not set."""
    value = " ".join(os.environ.get(STEWARD_CONTACT_ENV, "").split())
    return value or None
