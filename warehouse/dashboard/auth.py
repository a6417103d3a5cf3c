"""Who is looking at the dashboard, and what they may see.

Sign-in is on when Streamlit's secrets (``.streamlit/secrets.toml``) have an ``[auth]``
section: readers sign in with OpenID Connect (``st.login``) and ``st.user.email`` is looked
up in the roles file. Without an ``[auth]`` section (the local demo) nobody signs in and the
viewer is a local user whose role is ``$STLS_LOCAL_ROLE`` (default ``data_steward``, so
``make run`` shows every page; ``district_lead:Thanet`` gives a district lead).

The roles file (``$STLS_ROLES_FILE``, default ``roles.toml`` at the project root, never
committed; ``roles.example.toml`` shows the format) maps each email, without regard to
case, to a role:

- ``director``: every page but Data quality, every district;
- ``district_lead`` (with ``district = "Dover"``): the same pages, with their own
  district's figures and county (Kent) totals for comparison, never another district's;
- ``data_steward``: every page and district, and the Data quality page with row samples.

A signed-in reader who is not listed sees only a page saying so. ``warehouse.dashboard.app_data``
enforces the same rules on every query it answers, whatever page asks.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from warehouse.core import contracts
from warehouse.core.errors import StlsError
from warehouse.core.paths import DEFAULT_ROLES_FILE

DIRECTOR, DISTRICT_LEAD, DATA_STEWARD = "director", "district_lead", "data_steward"
ROLES: dict[str, str] = {
    DIRECTOR: "Director",
    DISTRICT_LEAD: "District lead",
    DATA_STEWARD: "Data steward",
}
ROLES_FILE_ENV, LOCAL_ROLE_ENV = "STLS_ROLES_FILE", "STLS_LOCAL_ROLE"
DEFAULT_LOCAL_ROLE = DATA_STEWARD

# Page keys (the page files' names) in navigation order.
OVERVIEW, ENGAGEMENT, FUNDING, EHCP, DATA_QUALITY, ABOUT = (
    "overview",
    "engagement",
    "funding",
    "ehcp",
    "data_quality",
    "about",
)
BENCHMARKS = "benchmarks"  # Kent among England's councils (Source 4)
OUTCOMES = "outcomes"  # cohort figures for every role; child-level rows for stewards only
READER_PAGES = (OVERVIEW, ENGAGEMENT, FUNDING, EHCP, BENCHMARKS, OUTCOMES, ABOUT)
STEWARD_PAGES = (OVERVIEW, ENGAGEMENT, FUNDING, EHCP, BENCHMARKS, OUTCOMES, DATA_QUALITY, ABOUT)


class AccessDenied(StlsError, PermissionError):
    """The viewer's role does not allow what was asked; ``str()`` says so in one line."""


class AuthConfigError(StlsError):
    """The roles file or ``$STLS_LOCAL_ROLE`` is wrong; ``str()`` says what and where."""


class SignInNeeded(StlsError):
    """Sign-in is on and nobody has signed in yet."""


class NoAccess(StlsError):
    """Signed in, but not in the roles file."""

    def __init__(self, email: str) -> None:
        super().__init__(f"{email or 'This account'} is not given access to STLS Insight.")
        self.email = email


def districts_of(scope: tuple[str, str | None]) -> tuple[str, ...]:
    """The districts whose own figures a viewer of ``scope`` (``Viewer.scope``) may see: a
    district lead their own district (none if it is not named), everyone else every one.
    The one rule for the pages (``Viewer.allowed_districts``) and cached data (keyed on the
    scope, ``app_data``)."""
    role, district = scope
    if role == DISTRICT_LEAD:
        return (district,) if district else ()
    return contracts.district_names()


@dataclass(frozen=True)
class Viewer:
    """A reader with a role. ``signed_in`` is False for the local demo's user."""

    email: str
    role: str
    district: str | None = None
    signed_in: bool = False

    def pages(self) -> tuple[str, ...]:
        """The pages this viewer's navigation shows, in order."""
        return STEWARD_PAGES if self.role == DATA_STEWARD else READER_PAGES

    def may_open(self, page: str) -> bool:
        return page in self.pages()

    @property
    def restricted(self) -> bool:
        """Whether the viewer sees only some districts' own figures (a district lead)."""
        return self.role == DISTRICT_LEAD

    def allowed_districts(self) -> tuple[str, ...]:
        """The districts whose own figures this viewer may see (county totals: everyone)."""
        return districts_of(self.scope)

    def can_see_row_samples(self) -> bool:
        """Whether the viewer may read data-quality detail: failing rows with their values,
        held submissions, check samples."""
        return self.role == DATA_STEWARD

    @property
    def scope(self) -> tuple[str, str | None]:
        """What the viewer may see, as a cache key: (role, district)."""
        return (self.role, self.district if self.restricted else None)

    def describe(self) -> str:
        role = ROLES[self.role]
        return f"{role}, {self.district}" if self.restricted else role

    def check_districts(self, districts: tuple[str, ...]) -> tuple[str, ...]:
        """``districts`` if the viewer may see their own figures; ``()`` (and every
        district, which is the same) means the county as a whole, which everyone may see.
        Raises AccessDenied otherwise, and ValueError for a name that is not a district."""
        names = contracts.district_names()
        unknown = [d for d in districts if d not in names]
        if unknown:
            raise ValueError(f"not a {contracts.COUNTY} district: {', '.join(map(repr, unknown))}")
        if not districts or set(districts) == set(names):
            return ()
        refused = [d for d in districts if d not in self.allowed_districts()]
        if refused:
            raise AccessDenied(
                f"Your role ({self.describe()}) does not show the figures of "
                + ", ".join(refused)
                + "."
            )
        return tuple(districts)

    def require_row_samples(self) -> None:
        if not self.can_see_row_samples():
            raise AccessDenied(
                f"Data-quality detail (failing rows, held returns, check samples) is for data "
                f"stewards; your role is {self.describe()}."
            )


# ---------------------------------------------------------------- the roles file


@dataclass(frozen=True)
class Grant:
    role: str
    district: str | None = None


def roles_file() -> Path:
    chosen = os.environ.get(ROLES_FILE_ENV)
    return Path(chosen).expanduser() if chosen else DEFAULT_ROLES_FILE


def parse_roles(text: str, where: str = "roles file") -> dict[str, Grant]:
    """The roles file's grants by lower-cased email; AuthConfigError names the first fault.

    The format::

        [users]
        "ann.director@example.org" = { role = "director" }
        "dan.lead@example.org" = { role = "district_lead", district = "Dover" }
        "sam.steward@example.org" = { role = "data_steward" }
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AuthConfigError(f"{where}: not valid TOML: {exc}") from None
    extra = sorted(set(data) - {"users"})
    if extra:
        raise AuthConfigError(f"{where}: unknown section {extra[0]!r}; only [users] is read")
    users = data.get("users")
    if not isinstance(users, dict):
        raise AuthConfigError(f"{where}: no [users] table: see roles.example.toml")
    grants: dict[str, Grant] = {}
    for email, entry in users.items():
        key = email.strip().lower()
        if "@" not in key or key.startswith("@") or key.endswith("@"):
            raise AuthConfigError(f"{where}: {email!r} is not an email address")
        if key in grants:
            raise AuthConfigError(f"{where}: {email!r} is listed twice (emails ignore case)")
        if not isinstance(entry, dict):
            raise AuthConfigError(
                f'{where}: {email!r} must be a table such as {{ role = "director" }}'
            )
        grants[key] = _grant(entry, f"{where}: {email!r}")
    return grants


def _grant(entry: dict, where: str) -> Grant:
    unknown = sorted(set(entry) - {"role", "district"})
    if unknown:
        raise AuthConfigError(f"{where}: unknown key {unknown[0]!r} (keys: role, district)")
    role = entry.get("role")
    if role not in ROLES:
        raise AuthConfigError(
            f"{where}: role {role!r} is not one of " + ", ".join(ROLES) + " (see the example)"
        )
    district = entry.get("district")
    if role == DISTRICT_LEAD:
        if district not in contracts.district_names():
            raise AuthConfigError(
                f"{where}: "
                + (
                    f"{district!r} is not a {contracts.COUNTY} district; "
                    if district is not None
                    else ""
                )
                + "a district lead needs district = one of "
                + ", ".join(contracts.district_names())
            )
        return Grant(role, district)
    if district is not None:
        raise AuthConfigError(f"{where}: only a district lead has a district ({role} sees all)")
    return Grant(role)


@lru_cache(maxsize=4)
def _read_roles(path: str, mtime_ns: int, size: int) -> dict[str, Grant]:
    # Keyed on the file's identity: an edited file is read again on the next run.
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthConfigError(f"roles file {path}: cannot be read: {exc}") from None
    return parse_roles(text, f"roles file {path}")


def load_roles(path: Path | None = None) -> dict[str, Grant]:
    path = path or roles_file()
    try:
        info = path.stat()
    except OSError:
        raise AuthConfigError(
            f"roles file {path}: not found. Sign-in is on, so copy roles.example.toml to "
            f"roles.toml (or set {ROLES_FILE_ENV}) and list who may see what."
        ) from None
    return _read_roles(str(path), info.st_mtime_ns, info.st_size)


def local_viewer(value: str | None = None) -> Viewer:
    """The local demo's viewer, from ``$STLS_LOCAL_ROLE``: ``director``, ``data_steward``
    or ``district_lead:DISTRICT``."""
    value = (os.environ.get(LOCAL_ROLE_ENV) or DEFAULT_LOCAL_ROLE) if value is None else value
    role, _, district = value.strip().partition(":")
    entry = {"role": role.strip()}
    if district.strip() or role.strip() == DISTRICT_LEAD:
        entry["district"] = district.strip() or None
    grant = _grant(entry, f"{LOCAL_ROLE_ENV}={value!r}")
    return Viewer("local user", grant.role, grant.district, signed_in=False)


# ---------------------------------------------------------------- the current reader


def sign_in_configured() -> bool:
    """Whether Streamlit's secrets have an ``[auth]`` section (sign-in on)."""
    import streamlit as st

    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all, or one Streamlit cannot parse
        return False


def providers() -> list[str | None]:
    """The ``st.login`` providers configured: None for an unnamed one in ``[auth]`` itself,
    else the name of each ``[auth.NAME]`` table."""
    import streamlit as st

    section = st.secrets["auth"]
    if "client_id" in section:
        return [None]
    return [name for name, value in section.items() if hasattr(value, "keys")] or [None]


def signed_in_email() -> str | None:
    """The signed-in reader's email as ``st.user`` has it, or None before sign-in; ``""``
    when the identity provider gave no email, or says it is not verified."""
    import streamlit as st

    user = st.user
    if not user.get("is_logged_in", False):
        return None
    if user.get("email_verified") is False:
        return ""
    return str(user.get("email") or "")


T = TypeVar("T")

# The viewer a download made when its button is pressed acts as (``acting_as``).
_ACTING: ContextVar[Viewer | None] = ContextVar("stls_acting_viewer", default=None)


def acting_as(viewer: Viewer, make: Callable[[], T]) -> Callable[[], T]:
    """``make``, to be called later as ``viewer``: the viewer of the page's run that offered
    it. Streamlit makes a download that is made when its button is pressed on a thread of
    its server, outside any run, where ``st.user`` is empty: there ``current_viewer`` would
    find nobody signed in. The viewer was checked in the run; this carries it over."""

    def call() -> T:
        token = _ACTING.set(viewer)
        try:
            return make()
        finally:
            _ACTING.reset(token)

    return call


def current_viewer() -> Viewer:
    """The viewer of this run (or of the run that offered a download: ``acting_as``).

    Raises SignInNeeded (sign-in on, nobody signed in), NoAccess (signed in but not in
    the roles file) or AuthConfigError (a bad roles file or ``$STLS_LOCAL_ROLE``).
    """
    acting = _ACTING.get()
    if acting is not None:
        return acting
    if not sign_in_configured():
        return local_viewer()
    email = signed_in_email()
    if email is None:
        raise SignInNeeded("Sign in to see STLS Insight.")
    grant = load_roles().get(email.strip().lower()) if email else None
    if grant is None:
        raise NoAccess(email)
    return Viewer(email, grant.role, grant.district, signed_in=True)
