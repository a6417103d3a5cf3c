"""Sign-in and roles: each role sees exactly its pages and districts, in the navigation and
in the data layer; an unknown user sees nothing but a no-access page; nothing a reader puts
in the address reaches SQL as text.

A signed-in user is simulated the way Streamlit's own AppTest offers: ``at.secrets`` gets an
``[auth]`` section (placeholder values: sign-in is on) and ``at.user`` the identity the app
reads as ``st.user`` (``is_logged_in`` and ``email``). The real ``st.user`` path of
``warehouse.dashboard.auth`` runs; only the identity provider's redirect (``st.login``) is not
exercised, since there is no provider here.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from apptest import Downloads, open_tables
from streamlit.testing.v1 import AppTest

from warehouse.core import contracts, safe_text
from warehouse.dashboard import auth
from warehouse.publish import connect
from warehouse.reporting import analysis

ROOT = Path(__file__).resolve().parents[2]
PAGE_FILES = {
    "overview": "pages/overview.py",
    "engagement": "pages/engagement.py",
    "funding": "pages/funding.py",
    "ehcp": "pages/ehcp.py",
    "data_quality": "pages/data_quality.py",
    "about": "pages/about.py",
    "benchmarks": "pages/benchmarks.py",
    "outcomes": "pages/outcomes.py",
}
TITLES = {
    "overview": "Overview",
    "engagement": "District engagement",
    "funding": "Funding per pupil",
    "ehcp": "EHCP trends vs inclusion",
    "data_quality": "Data quality",
    "about": "About the data",
    "benchmarks": "Kent among councils",
    "outcomes": "Outcomes for supported children",
}
READER = ["overview", "engagement", "funding", "ehcp", "benchmarks", "outcomes", "about"]
STEWARD = [
    "overview",
    "engagement",
    "funding",
    "ehcp",
    "benchmarks",
    "outcomes",
    "data_quality",
    "about",
]

# Placeholder values: never a real provider or secret.
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "placeholder-cookie-secret-for-tests",
    "client_id": "placeholder-client-id",
    "client_secret": "placeholder-client-secret",
    "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
}
DIRECTOR, LEAD, STEWARD_EMAIL = (
    "dee.director@example.org",
    "thanet.lead@example.org",
    "sam.steward@example.org",
)
ROLES = f"""
[users]
"Dee.Director@Example.org" = {{ role = "director" }}
"{LEAD}" = {{ role = "district_lead", district = "Thanet" }}
"{STEWARD_EMAIL}" = {{ role = "data_steward" }}
"""
OTHER_DISTRICTS = [d for d in contracts.district_names() if d != "Thanet"]
HOSTILE = "'); drop table marts.dim_district; --"

# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def roles(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "roles.toml"
    path.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv(auth.ROLES_FILE_ENV, str(path))
    monkeypatch.delenv(auth.LOCAL_ROLE_ENV, raising=False)
    return path


@pytest.fixture
def navigation(monkeypatch) -> list[tuple[list[str], str]]:
    """What each run's ``st.navigation`` was given: (page titles, position), latest last."""
    seen: list[tuple[list[str], str]] = []
    original = st.navigation

    def record(pages, **kwargs):
        seen.append(([p.title for p in pages], kwargs.get("position", "sidebar")))
        return original(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", record)
    return seen


def open_app(
    monkeypatch,
    warehouse: Path,
    user: dict | str | None = None,
    page: str = "overview",
    params: dict | None = None,
    tables: bool = True,
) -> AppTest:
    """The app with sign-in on and ``user`` signed in (an email, or ``st.user``'s dict);
    ``user=None``: sign-in off (the local demo). With ``tables``, run again with every data
    table opened (a notice shown on arrival only is gone by then)."""
    monkeypatch.setenv("STLS_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if user is not None:
        at.secrets["auth"] = dict(AUTH)
        at.user = {"is_logged_in": True, "email": user} if isinstance(user, str) else user
    at.query_params.update(params or {})
    if page != "overview":
        at.switch_page(PAGE_FILES[page])  # before the first run: as a link to the page would
    at.run()
    if tables:
        open_tables(at)
    assert not at.exception, [e.value for e in at.exception]
    return at


def everything_shown(at: AppTest, saved: Downloads | None = None) -> str:
    """All a reader can see or download on the page, as one text."""
    out: list[str] = [t.value.to_csv() for t in at.table]
    out += [d.value.to_csv() for d in at.dataframe]
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "metric",
        "plotly_chart",
        "selectbox",
        "multiselect",
        "radio",
        "expander",
        "download_button",
        "page_link",
    ):
        out += [str(element.proto) for element in at.get(kind)]
    for button in at.get("download_button"):
        if saved is not None:
            if not button.proto.url and not saved.is_csv(button):  # the committee pack
                continue
            out.append(saved.of(button).decode("utf-8", errors="replace"))
    out.append(json.dumps(dict(at.query_params)))
    return "\n".join(out)


def districts_in_tables(at: AppTest) -> set[str]:
    names = set()
    for table in [t.value for t in at.table] + [d.value for d in at.dataframe]:
        for column in ("District", "district"):
            if column in table.columns:
                names |= set(map(str, table[column]))
    return names


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- pages per role


@pytest.mark.dbt
@pytest.mark.parametrize(
    ("email", "expected"),
    [
        (DIRECTOR, READER),
        ("THANET.Lead@Example.ORG", READER),  # emails match without regard to case
        (STEWARD_EMAIL, STEWARD),
    ],
)
def test_each_role_sees_exactly_its_pages(
    monkeypatch, demo_warehouse, roles, navigation, email, expected
):
    at = open_app(monkeypatch, demo_warehouse, email)
    assert navigation[-1] == ([TITLES[p] for p in expected], "sidebar")
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert f"Signed in as {safe_text.markdown_text(email)}" in sidebar
    assert at.sidebar.button(key="sign_out").label == "Sign out"
    for page in expected[1:]:
        at.switch_page(PAGE_FILES[page]).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
        assert navigation[-1][0] == [TITLES[p] for p in expected]


@pytest.mark.dbt
def test_a_district_lead_sees_only_their_district_and_kent(
    monkeypatch, edge_warehouse, roles, downloads
):
    """Everything on every page, downloads included, names Thanet and Kent and no other
    district, on a warehouse where Dover's term 4 is missing and Swale's held back."""
    for page in READER:
        at = open_app(monkeypatch, edge_warehouse, LEAD, page, {"terms": "1-4"})
        text = everything_shown(at, downloads)
        leaked = [d for d in OTHER_DISTRICTS if d in text]
        assert not leaked, f"{page} shows {leaked}"
        if page not in ("about", "benchmarks"):  # benchmarks: DfE's figures, no district
            assert "Thanet" in text and "Kent" in text, page
            assert districts_in_tables(at) <= {"Thanet", "Kent"}, page
            if page == "outcomes":  # no sidebar filters: its own scope is tested there
                continue
            selector = at.multiselect(key="filter_district")
            assert selector.options == ["Thanet"] and selector.value == ["Thanet"]
            assert selector.disabled
            assert not [s for s in at.selectbox if s.key == "filter_area"]
        assert not at.get("page_link"), "no link to the Data quality page"


@pytest.mark.dbt
def test_a_district_lead_compares_with_kent_as_a_whole(monkeypatch, demo_warehouse, roles):
    director = open_app(monkeypatch, demo_warehouse, DIRECTOR, "engagement", {"terms": "1-4"})
    lead = open_app(monkeypatch, demo_warehouse, LEAD, "engagement", {"terms": "1-4"})
    everyone = director.table[0].value.set_index("District")
    own = lead.table[0].value.set_index("District")
    assert list(own.index) == ["Thanet", "Kent"]
    assert own.loc["Kent"].iloc[0] == everyone.loc["Kent"].iloc[0]
    assert own.loc["Thanet"].iloc[0] == everyone.loc["Thanet"].iloc[0]
    caseload = lead.table[-1].value.set_index("District")
    assert caseload.loc["Kent"].equals(director.table[-1].value.set_index("District").loc["Kent"])

    # The Overview's tables give Thanet beside Kent: Kent's column is the director's figure.
    overview = open_app(monkeypatch, demo_warehouse, LEAD)
    county = open_app(monkeypatch, demo_warehouse, DIRECTOR)
    own_table, kent_table = overview.table[1].value, county.table[1].value  # Table 1
    assert list(own_table["Kent 2023-24"]) == list(kent_table["2023-24"])
    assert "Thanet 2023-24" in own_table.columns

    funding = open_app(monkeypatch, demo_warehouse, LEAD, "funding")
    everyone = open_app(monkeypatch, demo_warehouse, DIRECTOR, "funding")
    assert funding.table[1].value.iloc[-1].equals(everyone.table[1].value.iloc[-1])


@pytest.mark.dbt
def test_a_link_naming_another_district_shows_only_their_own(monkeypatch, demo_warehouse, roles):
    at = open_app(
        monkeypatch,
        demo_warehouse,
        LEAD,
        "engagement",
        {"district": ["Dover", "Thanet"], "area": "West"},
        tables=False,
    )
    assert "'Dover', not a district your role shows: showing Thanet" in " ".join(
        i.value for i in at.info
    )
    assert districts_in_tables(open_tables(at)) == {"Thanet", "Kent"}
    assert at.query_params["district"] == "Thanet" and "area" not in at.query_params


@pytest.mark.dbt
@pytest.mark.parametrize("email", [DIRECTOR, LEAD])
def test_data_quality_is_out_of_reach_but_for_stewards(
    monkeypatch, demo_warehouse, roles, navigation, email
):
    # A link to the page: the navigation does not have it, so the overview opens.
    at = open_app(monkeypatch, demo_warehouse, email, "data_quality")
    assert at.title[0].value == "STLS Insight: overview"
    assert not at.dataframe
    # Switching to it: not a page of this app for them.
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page(PAGE_FILES["data_quality"])
    # The page itself, run without the app's navigation: the data layer refuses.
    monkeypatch.setenv(
        auth.LOCAL_ROLE_ENV, "director" if email == DIRECTOR else "district_lead:Thanet"
    )
    page = AppTest.from_file(str(ROOT / "pages" / "data_quality.py"), default_timeout=60).run()
    assert not page.exception
    assert "for data stewards" in page.error[0].value
    assert not page.dataframe and not page.metric


@pytest.mark.dbt
def test_a_signed_in_stewards_downloads_are_made_when_pressed(
    monkeypatch, hostile_warehouse, roles, downloads
):
    """A download made when its button is pressed runs outside the page's run (in
    Streamlit's server, on a thread of its own, where ``st.user`` is empty): the steward's
    role is checked while the page runs, so a signed-in steward gets the Data Docs and the
    correction packs, not a sign-in error."""
    import io
    import zipfile

    # Sign-in is on for the whole server (its secrets file), not only inside a page's run.
    monkeypatch.setattr(auth, "sign_in_configured", lambda: True)
    at = open_app(monkeypatch, hostile_warehouse, STEWARD_EMAIL, "data_quality", tables=False)
    buttons = {b.proto.label: b for b in at.get("download_button")}
    docs = next(b for label, b in buttons.items() if "Data Docs" in label)
    packs = next(b for label, b in buttons.items() if "every correction pack" in label)
    for button in (docs, packs):
        assert not button.proto.url  # made when pressed, not on the page's run
        assert zipfile.ZipFile(io.BytesIO(downloads.of(button))).namelist()


@pytest.mark.dbt
def test_a_signed_in_readers_committee_pack_is_made_when_pressed(
    monkeypatch, demo_warehouse, roles, downloads
):
    """The committee pack too is made outside the page's run: a signed-in director gets
    the county's pack, and a district lead theirs, with their district and no other."""
    monkeypatch.setattr(auth, "sign_in_configured", lambda: True)
    for user, own in ((DIRECTOR, None), (LEAD, "Thanet")):
        at = open_app(monkeypatch, demo_warehouse, user, tables=False)
        button = next(
            b for b in at.get("download_button") if "committee pack (HTML)" in b.proto.label
        )
        assert not button.proto.url  # made when pressed
        html = downloads.of(button).decode("utf-8")
        assert "<html" in html.lower() and "Kent" in html
        if own is not None:
            assert own in html
            assert not [d for d in OTHER_DISTRICTS if d in html]


@pytest.mark.dbt
def test_the_steward_sees_row_samples(monkeypatch, edge_warehouse, roles):
    at = open_app(monkeypatch, edge_warehouse, STEWARD_EMAIL, "data_quality")
    assert at.title[0].value == "Data quality"
    failing = next(d.value for d in at.dataframe if "Value as sent" in d.value.columns)
    swale = failing[failing["District"] == "Swale"]
    assert "-1" in set(swale["Value as sent"])


@pytest.mark.dbt
def test_an_unknown_user_sees_nothing_but_no_access(monkeypatch, demo_warehouse, roles, navigation):
    for page in ("overview", "engagement", "data_quality"):
        at = open_app(
            monkeypatch, demo_warehouse, "stranger@example.org", page, {"year": "2023-24"}
        )
        assert navigation[-1] == (["STLS Insight"], "hidden")
        assert safe_text.markdown_text("stranger@example.org") in at.warning[0].value
        assert "no access" in at.warning[0].value
        assert [b.label for b in at.button] == ["Sign out"]
        shown = everything_shown(at)
        assert not any(d in shown for d in contracts.district_names()), page
        assert not (at.table or at.dataframe or at.metric or at.get("plotly_chart"))
        assert not (at.selectbox or at.multiselect or at.sidebar.caption)
    at.button(key="sign_out").click().run()  # st.logout: back to the sign-in page
    assert not at.exception
    assert at.user == {"is_logged_in": False}
    assert [b.label for b in at.button] == ["Sign in"]


@pytest.mark.dbt
def test_before_sign_in_only_the_sign_in_page(monkeypatch, demo_warehouse, roles, navigation):
    at = open_app(monkeypatch, demo_warehouse, {"is_logged_in": False}, "funding")
    assert navigation[-1] == (["STLS Insight"], "hidden")
    assert [b.label for b in at.button] == ["Sign in"]
    assert not (at.table or at.metric or at.selectbox or at.warning)

    # An unverified email is not an identity: no access, whatever the roles file says.
    at = open_app(
        monkeypatch,
        demo_warehouse,
        {"is_logged_in": True, "email": STEWARD_EMAIL, "email_verified": False},
    )
    assert "without a verified email" in at.warning[0].value
    assert not at.table

    # Named providers ([auth.NAME] tables) get a button each.
    monkeypatch.setenv("STLS_WAREHOUSE", str(demo_warehouse))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": AUTH["redirect_uri"],
        "cookie_secret": AUTH["cookie_secret"],
        "kentidp": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")},
    }
    at.user = {"is_logged_in": False}
    at.run()
    open_tables(at)
    assert [b.label for b in at.button] == ["Sign in with kentidp"]


@pytest.mark.dbt
@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[users]\n"a@example.org" = { role = "boss" }\n', "role 'boss' is not one of"),
        ("[users\n", "not valid TOML"),
        (
            '[users]\n"a@example.org" = { role = "district_lead", district = "Medway" }\n',
            "'Medway' is not a Kent district",
        ),
    ],
)
def test_a_bad_roles_file_gives_one_clear_error(
    monkeypatch, demo_warehouse, roles, navigation, text, fragment
):
    roles.write_text(text, encoding="utf-8")
    at = open_app(monkeypatch, demo_warehouse, DIRECTOR)
    assert navigation[-1] == (["STLS Insight"], "hidden")
    assert len(at.error) == 1 and fragment in at.error[0].value
    assert str(roles) in at.error[0].value
    assert [b.label for b in at.button] == ["Sign out"]
    assert not (at.table or at.metric or at.selectbox)


@pytest.mark.dbt
def test_a_missing_roles_file_is_named(monkeypatch, demo_warehouse, roles, tmp_path):
    monkeypatch.setenv(auth.ROLES_FILE_ENV, str(tmp_path / "nowhere.toml"))
    at = open_app(monkeypatch, demo_warehouse, DIRECTOR)
    assert "nowhere.toml: not found" in at.error[0].value
    assert "roles.example.toml" in at.error[0].value


# ---------------------------------------------------------------- sign-in off (local demo)


@pytest.mark.dbt
@pytest.mark.parametrize(
    ("local_role", "expected"),
    [(None, STEWARD), ("director", READER), ("district_lead:Thanet", READER)],
)
def test_without_auth_secrets_the_local_role_applies(
    monkeypatch, demo_warehouse, navigation, local_role, expected
):
    if local_role is None:
        monkeypatch.delenv(auth.LOCAL_ROLE_ENV, raising=False)
    else:
        monkeypatch.setenv(auth.LOCAL_ROLE_ENV, local_role)
    monkeypatch.setenv(auth.ROLES_FILE_ENV, "/nonexistent/roles.toml")  # not read
    at = open_app(monkeypatch, demo_warehouse, None, "engagement")
    assert navigation[-1] == ([TITLES[p] for p in expected], "sidebar")
    assert not at.sidebar.button  # nobody to sign out
    assert "Local demo, no sign-in" in at.sidebar.caption[0].value
    names = districts_in_tables(at)
    if local_role and local_role.startswith("district_lead"):
        assert names == {"Thanet", "Kent"}
    else:
        assert set(contracts.district_names()) <= names


@pytest.mark.dbt
def test_a_bad_local_role_gives_one_clear_error(monkeypatch, demo_warehouse):
    monkeypatch.setenv(auth.LOCAL_ROLE_ENV, "district_lead:Medway")
    at = open_app(monkeypatch, demo_warehouse, None)
    assert len(at.error) == 1 and "STLS_LOCAL_ROLE" in at.error[0].value
    assert not at.table


# ---------------------------------------------------------------- the data layer


@pytest.fixture
def as_role(monkeypatch, demo_warehouse):
    """Call ``warehouse.dashboard.app_data`` directly (outside a page) as a local role."""
    from warehouse.dashboard import app_data

    monkeypatch.setenv("STLS_WAREHOUSE", str(demo_warehouse))

    def become(role: str):
        monkeypatch.setenv(auth.LOCAL_ROLE_ENV, role)
        return app_data

    return become


@pytest.mark.dbt
def test_the_data_layer_restricts_a_district_lead(as_role):
    everyone = as_role("director").figure_rows(analysis.SETTINGS_FIGURES, "2023-24")
    assert set(everyone["district"]) == set(contracts.district_names())
    data = as_role("district_lead:Thanet")
    # The same cache, another role: the result is the lead's, not the director's.
    for frame in (
        data.figure_rows(analysis.SETTINGS_FIGURES, "2023-24"),
        data.figure_rows(analysis.FUNDING_FIGURES, "2023-24"),
        data.figure_rows(analysis.CENSUS_FIGURES),
        data.return_status("2023-24"),
    ):
        assert set(frame["district"]) == {"Thanet"}
    with pytest.raises(auth.AccessDenied, match="Dover"):
        data.committee_tables("2023-24", (1, 2, 3, 4), ("Dover",))
    with pytest.raises(auth.AccessDenied):
        data.committee_tables("2023-24", (1, 2, 3, 4), ("Dover", "Thanet"))
    with pytest.raises(auth.AccessDenied):
        data.district_tables("2023-24", (1, 2, 3, 4), ("Thanet", "Swale"))
    county = data.committee_tables("2023-24", (1, 2, 3, 4))
    assert set(county.figures["funding_per_pupil"]) == {"Kent"}
    assert all(d == "Thanet" for d, _ in county.missing)
    own = data.committee_tables("2023-24", (1, 2, 3, 4), ("Thanet",))
    assert set(own.figures["funding_per_pupil"]) == {"Thanet", "selected districts"}
    for call in (
        lambda: data.dq_frame("failing_rows", "any"),
        lambda: data.dq_frame("holds"),
        lambda: data.load_result(),
        lambda: data.live_version(),
        lambda: data.data_docs_zip("index.html"),
    ):
        with pytest.raises(auth.AccessDenied, match="data stewards"):
            call()
    assert len(as_role("director").figure_rows(analysis.SETTINGS_FIGURES, "2023-24")) == len(
        everyone
    )


@pytest.mark.dbt
def test_only_stewards_get_data_quality_detail(as_role):
    with pytest.raises(auth.AccessDenied):
        as_role("director").dq_frame("holds")
    steward = as_role("data_steward")
    assert len(steward.dq_frame("loads_history", 5)) == 1
    assert steward.load_result()["kind"] == "demo"


@pytest.mark.dbt
def test_kent_totals_pool_every_district_as_the_pages_do(as_role):
    data = as_role("director")
    rows = data.figure_rows(analysis.SETTINGS_FIGURES, "2023-24")
    everywhere = contracts.district_names()
    for figure in analysis.SETTINGS_FIGURES:
        for phase in ("all", "early_years", "primary", "secondary"):
            pooled = analysis.settings_view(rows, figure, phase, everywhere, (1, 2, 3, 4))
            kent = data.county_settings_view("2023-24", figure, phase, (1, 2, 3, 4))
            assert kent.county == pytest.approx(pooled.county)
            assert kent.by_phase_term["rate"].tolist() == pytest.approx(
                pooled.by_phase_term["rate"].tolist()
            )
    funding = data.figure_rows(analysis.FUNDING_FIGURES, "2023-24")
    kent = data.county_funding_row("2023-24", (1, 2, 3, 4))
    assert kent == analysis.funding_row(funding, "Kent", everywhere, (1, 2, 3, 4))
    census = data.figure_rows(analysis.CENSUS_FIGURES)
    kent_census = data.county_census_rates("all")
    pooled_census = analysis.census_rates(census, "all", everywhere, by_district=False)
    assert kent_census.equals(pooled_census)
    assert "district" not in kent_census.columns


# ---------------------------------------------------------------- least privilege


@pytest.mark.dbt
@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_hostile_text_in_the_address_reaches_no_sql(monkeypatch, demo_warehouse, page):
    """Every address parameter any page reads, set to SQL: each page falls back with a
    notice, no exception escapes, and the warehouse is byte-for-byte as it was."""
    before = file_digest(demo_warehouse)
    monkeypatch.delenv(auth.LOCAL_ROLE_ENV, raising=False)
    params = {
        key: HOSTILE
        for key in (
            "year",
            "terms",
            "phase",
            "area",
            "measure",
            "basis",
            "rate",
            "inclusion",
            "load",
            "check",
            "indicator",
        )
    }
    params["district"] = [HOSTILE, "Thanet' or '1'='1"]
    at = open_app(monkeypatch, demo_warehouse, None, page, params, tables=False)
    assert at.title
    if page not in ("about", "outcomes"):  # these two read no address parameter
        assert any(HOSTILE in i.value for i in at.info), page
    assert not open_tables(at).exception, page
    assert file_digest(demo_warehouse) == before
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_district").fetchone()[0] == 12


@pytest.mark.dbt
def test_page_connections_are_read_only(demo_warehouse):
    con = connect.connect(demo_warehouse)
    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute("drop table marts.dim_district")
    con.close()


# Every module the pages and the CLI's reports read through.
SQL_MODULES = sorted(
    p.relative_to(ROOT / "warehouse").as_posix()
    for p in [
        *(ROOT / "warehouse" / "reporting").glob("*.py"),
        *(ROOT / "warehouse" / "dashboard").glob("*.py"),
        ROOT / "warehouse" / "quality" / "dq.py",
        ROOT / "warehouse" / "quality" / "failing.py",
        ROOT / "warehouse" / "publish" / "connect.py",
    ]
)
# The f-strings in SQL: the CASE picking a failing cell from the raw tables and the joins to
# those tables, built from the data contract's column names (warehouse.core.contracts) and
# failing.py's fixed list of raw tables, never from a reader. ``sources`` (the sources a
# load's problems come from) only chooses among those fixed names: nothing read is written
# into the SQL (test_only_the_fixed_names_reach_the_failing_rows_sql).
SQL_BUILT_FROM_CONTRACT = {"_value_as_received(sources)", "_raw_joins(sources)"}


def _looks_like_sql(text: str) -> bool:
    """SQL, not prose: a select with a from, or a statement that changes data."""
    text = " ".join(text.lower().split())
    return ("select " in text and " from " in text) or text.lstrip().startswith(
        ("insert ", "update ", "delete ", "drop ", "create ", "with ")
    )


def _sql_text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_sql_text(v) for v in node.values)
    return ""


@pytest.mark.parametrize("module", SQL_MODULES)
def test_sql_takes_parameters_only(module):
    """No SQL in the modules behind the pages is built from values: no %-formatting or
    .format() on SQL, and f-strings only around the contract's column list."""
    tree = ast.parse((ROOT / "warehouse" / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and _looks_like_sql(_sql_text(node)):
            parts = {ast.unparse(v.value) for v in node.values if isinstance(v, ast.FormattedValue)}
            assert parts <= SQL_BUILT_FROM_CONTRACT, (module, node.lineno, parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            assert not _looks_like_sql(_sql_text(node.left)), node.lineno
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
        ):
            assert not _looks_like_sql(_sql_text(node.func.value))


def test_only_the_fixed_names_reach_the_failing_rows_sql():
    """Whatever sources a load's problems name, the SQL is built from the fixed lists alone:
    a name not in them (say, one crafted to break out of a string) is never written."""
    from warehouse.quality import failing

    crafted = "termly_return' or 1=1 --"
    sources = frozenset({"census", crafted})
    sql = failing._raw_joins(sources) + failing._value_as_received(sources)
    assert crafted not in sql and "raw.census" in sql and "raw.termly_return" not in sql
    assert failing._raw_joins(frozenset({crafted})) == ""
    assert failing._value_as_received(frozenset()) == "null"


# ---------------------------------------------------------------- warehouse.dashboard.auth


def test_roles_file_parsing_and_case_insensitive_emails(tmp_path):
    grants = auth.parse_roles(ROLES)
    assert grants == {
        DIRECTOR: auth.Grant("director"),
        LEAD: auth.Grant("district_lead", "Thanet"),
        STEWARD_EMAIL: auth.Grant("data_steward"),
    }
    example = auth.parse_roles((ROOT / "roles.example.toml").read_text(encoding="utf-8"))
    assert {g.role for g in example.values()} == set(auth.ROLES)
    path = tmp_path / "roles.toml"
    path.write_text(ROLES, encoding="utf-8")
    assert auth.load_roles(path)[LEAD].district == "Thanet"
    path.write_text('[users]\n"new@example.org" = { role = "director" }\n', encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a different identity, as an edit gives
    assert list(auth.load_roles(path)) == ["new@example.org"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[users\n", "not valid TOML"),
        ("[people]\n", "unknown section 'people'"),
        ('title = "x"\n', "unknown section 'title'"),
        ("", "no [users] table"),
        ('[users]\n"a@example.org" = "director"\n', "must be a table"),
        ('[users]\n"not-an-email" = { role = "director" }\n', "is not an email address"),
        ('[users]\n"a@example.org" = { role = "boss" }\n', "role 'boss' is not one of"),
        ('[users]\n"a@example.org" = { role = "director", colour = "x" }\n', "unknown key"),
        ('[users]\n"a@example.org" = { role = "district_lead" }\n', "needs district"),
        (
            '[users]\n"a@example.org" = { role = "district_lead", district = "dover" }\n',
            "'dover' is not a Kent district",
        ),
        (
            '[users]\n"a@example.org" = { role = "director", district = "Dover" }\n',
            "only a district lead has a district",
        ),
        (
            '[users]\n"a@example.org" = { role = "director" }\n'
            '"A@Example.org" = { role = "data_steward" }\n',
            "listed twice",
        ),
    ],
)
def test_a_bad_roles_file_names_its_fault(text, fragment):
    with pytest.raises(auth.AuthConfigError) as caught:
        auth.parse_roles(text, "roles.toml")
    message = str(caught.value)
    assert fragment in message and message.startswith("roles.toml")
    assert "\n" not in message


def test_a_missing_or_unreadable_roles_file(tmp_path):
    with pytest.raises(auth.AuthConfigError, match="not found"):
        auth.load_roles(tmp_path / "absent.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(auth.AuthConfigError, match="cannot be read"):
        auth.load_roles(binary)


def test_viewer_pages_districts_and_row_samples():
    director = auth.Viewer("d@example.org", auth.DIRECTOR)
    lead = auth.Viewer("l@example.org", auth.DISTRICT_LEAD, "Thanet")
    steward = auth.Viewer("s@example.org", auth.DATA_STEWARD)
    assert director.pages() == lead.pages() == tuple(READER)
    assert steward.pages() == tuple(STEWARD)
    assert director.allowed_districts() == contracts.district_names()
    assert lead.allowed_districts() == ("Thanet",)
    assert [v.can_see_row_samples() for v in (director, lead, steward)] == [False, False, True]
    assert len({director.scope, lead.scope, steward.scope}) == 3
    assert lead.check_districts(()) == ()
    assert lead.check_districts(contracts.district_names()) == ()  # Kent as a whole
    assert lead.check_districts(("Thanet",)) == ("Thanet",)
    with pytest.raises(auth.AccessDenied):
        lead.check_districts(("Swale",))
    with pytest.raises(ValueError):
        director.check_districts((HOSTILE,))
    with pytest.raises(auth.AccessDenied):
        director.require_row_samples()
    assert auth.local_viewer("district_lead: Thanet ").district == "Thanet"
    with pytest.raises(auth.AuthConfigError, match="STLS_LOCAL_ROLE"):
        auth.local_viewer("")


def test_the_local_role_defaults_to_data_steward(monkeypatch):
    monkeypatch.delenv(auth.LOCAL_ROLE_ENV, raising=False)
    assert not auth.sign_in_configured()  # no .streamlit/secrets.toml in the repository
    viewer = auth.current_viewer()
    assert (viewer.role, viewer.signed_in) == (auth.DATA_STEWARD, False)
