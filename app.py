"""STLS Insight dashboard: `stls dashboard` (or `make run`) serves this file.

Who sees what is decided first (``warehouse.dashboard.auth``): a reader who is not signed in sees
only the sign-in page, one signed in without a role only a page saying so, and everyone
else the pages of their role. ``warehouse.dashboard.app_data`` enforces the same rules on the data.
"""

from __future__ import annotations

import importlib.util

import streamlit as st

from warehouse.core import paths, safe_text
from warehouse.core.errors import WarehouseMissing
from warehouse.dashboard import app_data, auth, filters, styles, ui
from warehouse.reporting.benchmarks import home_authority

# The icon is a file the dashboard serves itself: a Material icon or an emoji here would
# make every reader's browser fetch it from an outside font host.
st.set_page_config(
    page_title="STLS Insight",
    page_icon=str(paths.PROJECT_ROOT / "static" / "favicon.png"),
    layout="wide",
)

# Darker captions (WCAG AA), phones and print (warehouse/dashboard/styles.py).
styles.apply()


def _plain(text: str) -> str:
    """``text`` (from the identity provider) shown as it is, never read as Markdown."""
    return safe_text.markdown_text(text)


def _sign_in() -> None:
    st.title("STLS Insight")
    st.markdown(
        "The figures here are about children with special educational needs: sign in "
        "with your council account to see them."
    )
    if importlib.util.find_spec("authlib") is None:
        st.error(
            "Sign-in is configured but Authlib is not installed on the server: install "
            "the project's dependencies (`pip install -e .`) and restart the dashboard."
        )
        return
    for provider in auth.providers():
        label = "Sign in" if provider is None else f"Sign in with {provider}"
        st.button(label, on_click=st.login, args=(provider,) if provider else (), type="primary")


def _sign_out(where=st) -> None:
    where.button("Sign out", on_click=st.logout, icon=":material/logout:", key="sign_out")


def _only(screen) -> None:
    """Show ``screen`` as the app's one page (no navigation, no data) and stop."""
    st.navigation(
        [st.Page(screen, title="STLS Insight", url_path="sign_in")], position="hidden"
    ).run()
    st.stop()


try:
    viewer = auth.current_viewer()
except auth.SignInNeeded:
    _only(_sign_in)
except auth.NoAccess as exc:
    email = exc.email

    def _no_access() -> None:
        st.title("STLS Insight")
        who = f"as **{_plain(email)}**" if email else "without a verified email address"
        st.warning(
            f"You are signed in {who}, but this account has no access to STLS Insight. "
            "Ask the STLS data steward to add it, or sign out and sign in with another "
            "account.",
            icon=":material/lock:",
        )
        _sign_out()

    _only(_no_access)
except auth.AuthConfigError as exc:
    message = str(exc)

    def _misconfigured() -> None:
        st.title("STLS Insight")
        st.error(f"Access cannot be checked: {message}", icon=":material/error:")
        if auth.signed_in_email() is not None:
            _sign_out()

    _only(_misconfigured)

try:
    app_data.current_version()
except WarehouseMissing as exc:
    st.error(str(exc))
    st.stop()

PAGES = {
    auth.OVERVIEW: st.Page(
        "pages/overview.py", title="Overview", icon=":material/dashboard:", default=True
    ),
    auth.ENGAGEMENT: st.Page(
        "pages/engagement.py",
        title="District engagement",
        icon=":material/groups:",
        url_path="engagement",
    ),
    auth.FUNDING: st.Page(
        "pages/funding.py",
        title="Funding per pupil",
        icon=":material/payments:",
        url_path="funding",
    ),
    auth.EHCP: st.Page(
        "pages/ehcp.py",
        title="EHCP trends vs inclusion",
        icon=":material/trending_up:",
        url_path="ehcp",
    ),
    auth.OUTCOMES: st.Page(
        "pages/outcomes.py",
        title="Outcomes for supported children",
        icon=":material/timeline:",
        url_path="outcomes",
    ),
    auth.DATA_QUALITY: st.Page(
        "pages/data_quality.py",
        title="Data quality",
        icon=":material/fact_check:",
        url_path="data_quality",
    ),
    auth.BENCHMARKS: st.Page(
        "pages/benchmarks.py",
        title=f"{safe_text.terminal_text(home_authority())} among councils",
        icon=":material/leaderboard:",
        url_path="benchmarks",
    ),
    auth.ABOUT: st.Page(
        "pages/about.py", title="About the data", icon=":material/info:", url_path="about"
    ),
}

page = st.navigation([PAGES[key] for key in viewer.pages()])
filters.arrive(page.url_path)

if viewer.signed_in:
    st.sidebar.caption(f"Signed in as {_plain(viewer.email)} ({viewer.describe()}).")
    _sign_out(st.sidebar)
else:
    st.sidebar.caption(
        f"Local demo, no sign-in. Role: {viewer.describe()} (set by ${auth.LOCAL_ROLE_ENV})."
    )

if app_data.illustrative():
    st.warning(
        "Illustrative data: this dashboard shows the bundled demo data. The district split is "
        "invented; only county totals are calibrated to the July 2024 committee report.",
        icon=":material/info:",
    )

# A district lead learns first whether their own latest return is in (published, missing,
# or held and why), on every page.
own = app_data.own_return()
if own is not None:
    ui.status_notice(*own)

page.run()
