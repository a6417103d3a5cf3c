"""The dashboard's filters, kept in the page address so a view can be shared.

Filters: academic year (``year``), terms (``terms``, written ``1-4`` or ``1,3``), phase
(``phase``), area (``area``) and districts (``district``, repeated). A page may add its own
choices (``choice``), kept the same way. Every value read from an address is checked
against the values allowed; a value that is not allowed falls back to the default and the
page says so, never an exception.

Where a filter's value comes from, on the first run of a page: the address if it names
that filter (a shared link), else the value chosen earlier in the session (so filters
follow the reader from page to page), else the default. After that the widgets hold it.
Every run writes the page's filters back to the address, all of them explicitly, so a
shared link keeps showing the same view even after a newer year is loaded.

A viewer restricted to some districts (a district lead, see ``warehouse.dashboard.auth``)
has no area filter; the district filter offers only their own district, and their figures
are compared with Kent as a whole. A link naming another district falls back to theirs,
with a notice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import streamlit as st

from warehouse.core import contracts
from warehouse.dashboard import auth

YEAR, TERMS, PHASE, AREA, DISTRICT = "year", "terms", "phase", "area", "district"
FIELDS = (YEAR, TERMS, PHASE, AREA, DISTRICT)
ALL = "all"
ALL_TERMS = tuple(contracts.term_names())
# The phase filter: all phases, or one phase the census reports (labels from the seed).
PHASES: dict[str, str] = {
    ALL: "All phases",
    **{code: contracts.phase_catalogue()[code].label for code in contracts.CENSUS_PHASES},
}
_STATE = "_stls_filters"
_PAGE = "_stls_page"
_ARRIVED_WITH = "_stls_arrived_with"
_FIRST = "_stls_first_run"
_KEY = "filter_{}"


def areas() -> tuple[str, ...]:
    order = ("North", "West", "East", "South")
    found = {d.area for d in contracts.districts()}
    return tuple(a for a in order if a in found) + tuple(sorted(found - set(order)))


def districts_in(area: str) -> tuple[str, ...]:
    return tuple(d.name for d in contracts.districts() if area == ALL or d.area == area)


@dataclass(frozen=True)
class Filters:
    year: str
    terms: tuple[int, ...] = ALL_TERMS
    phase: str = ALL
    area: str = ALL
    districts: tuple[str, ...] = ()  # as chosen; empty: every district of the area
    notices: tuple[str, ...] = field(default=(), compare=False)
    scope: tuple[str, ...] = ()  # the only districts the viewer may see; empty: any

    @property
    def restricted(self) -> bool:
        """Whether the viewer sees only some districts, compared with Kent as a whole."""
        return bool(self.scope)

    @property
    def chosen_districts(self) -> tuple[str, ...]:
        """The districts the figures cover, in the canonical order."""
        in_area = tuple(d for d in districts_in(self.area) if not self.scope or d in self.scope)
        if not self.districts:
            return in_area
        return tuple(d for d in in_area if d in self.districts)

    @property
    def all_districts(self) -> bool:
        return set(self.chosen_districts) == set(contracts.district_names())

    @property
    def comparator(self) -> str:
        """What the chosen districts are compared with: Kent, an area, or 'selected'."""
        if self.all_districts or self.restricted:
            return contracts.COUNTY
        if not self.districts and self.area != ALL:
            return f"{self.area} {contracts.COUNTY}"
        return "Selected districts"

    @property
    def comparator_districts(self) -> tuple[str, ...]:
        """The districts of the comparator's committee tables: ``()`` for Kent."""
        return () if self.all_districts or self.restricted else self.chosen_districts

    def describe(self) -> str:
        if self.all_districts:
            who = contracts.all_districts_label()
        elif not self.districts and self.area != ALL:
            who = f"the {self.area} area"
        else:
            who = ", ".join(self.chosen_districts)
        return f"{self.year}, {terms_text(self.terms)}, {PHASES[self.phase].lower()}, {who}"

    def params(self, fields: Sequence[str]) -> dict[str, str | list[str]]:
        out: dict[str, str | list[str]] = {}
        if YEAR in fields:
            out[YEAR] = self.year
        if TERMS in fields:
            out[TERMS] = terms_param(self.terms)
        if PHASE in fields:
            out[PHASE] = self.phase
        if AREA in fields:
            out[AREA] = self.area
        if DISTRICT in fields and self.districts:
            out[DISTRICT] = list(self.districts)
        return out


def terms_text(terms: Sequence[int]) -> str:
    terms = sorted(terms)
    if list(terms) == list(range(terms[0], terms[-1] + 1)) and len(terms) > 1:
        return f"terms {terms[0]} to {terms[-1]}"
    return ("term " if len(terms) == 1 else "terms ") + ", ".join(map(str, terms))


def terms_param(terms: Sequence[int]) -> str:
    return contracts.format_terms(terms)


def parse_terms(text: str) -> tuple[int, ...] | None:
    """Terms from an address (``contracts.parse_terms``' grammar); None if not valid."""
    try:
        return contracts.parse_terms(text)
    except ValueError:
        return None


def parse(
    params: Mapping[str, Sequence[str]],
    years: Sequence[str],
    default_terms: Callable[[str], tuple[int, ...]],
    fallback: Mapping[str, object] | None = None,
    scope: Sequence[str] = (),
) -> Filters:
    """Filters from an address's parameters, every value checked; notices say what fell back.

    ``fallback`` holds values chosen earlier in the session, used where the address is
    silent. ``years`` are newest first; the default year is the newest. ``scope``: the
    only districts the viewer may see (empty: any); then the area is all of Kent and the
    districts are the scope's.
    """
    scope = tuple(d for d in contracts.district_names() if d in scope)
    fallback = fallback or {}
    notices: list[str] = []

    def given(key: str) -> list[str]:
        return [v for v in params.get(key, []) if v is not None]

    year = str(fallback.get(YEAR) or "") if fallback.get(YEAR) in years else (years[0])
    if given(YEAR):
        asked = given(YEAR)[-1]
        if asked in years:
            year = asked
        else:
            notices.append(
                f"The link asks for academic year '{asked}', which this warehouse does not "
                f"hold: showing {year}."
            )

    terms = tuple(fallback.get(TERMS) or ()) or default_terms(year)  # type: ignore[arg-type]
    if given(TERMS):
        asked = given(TERMS)[-1]
        parsed = parse_terms(asked)
        if parsed:
            terms = parsed
        else:
            terms = default_terms(year)
            notices.append(
                f"The link's terms '{asked}' are not terms 1 to 6: showing {terms_text(terms)}."
            )

    phase = str(fallback.get(PHASE) or ALL)
    phase = phase if phase in PHASES else ALL
    if given(PHASE):
        asked = given(PHASE)[-1]
        if asked in PHASES:
            phase = asked
        else:
            phase = ALL
            notices.append(f"The link's phase '{asked}' is not a phase: showing all phases.")

    area = str(fallback.get(AREA) or ALL)
    area = area if area == ALL or area in areas() else ALL
    if scope:
        area = ALL
    elif given(AREA):
        asked = given(AREA)[-1]
        if asked == ALL or asked in areas():
            area = asked
        else:
            area = ALL
            notices.append(
                f"The link's area '{asked}' is not a {contracts.COUNTY} area: showing all areas."
            )

    allowed = tuple(d for d in districts_in(area) if not scope or d in scope)
    chosen = tuple(str(d) for d in (fallback.get(DISTRICT) or ()))  # type: ignore[union-attr]
    chosen = tuple(d for d in chosen if d in allowed)
    if given(DISTRICT):
        asked_list = [d for v in given(DISTRICT) for d in v.split("|") if d]
        chosen = tuple(d for d in allowed if d in asked_list)
        unknown = [d for d in asked_list if d not in allowed]
        if unknown and scope:
            notices.append(
                "The link names "
                + ", ".join(f"'{d}'" for d in unknown)
                + ", not a district your role shows: showing "
                + ", ".join(scope)
                + "."
            )
        elif unknown:
            where = contracts.COUNTY if area == ALL else f"the {area} area"
            notices.append(
                "The link names "
                + ", ".join(f"'{d}'" for d in unknown)
                + f", not a district of {where}: "
                + ("showing the others." if chosen else "showing every district.")
            )
    if scope and not chosen:
        chosen = scope
    return Filters(year, terms, phase, area, chosen, tuple(notices), scope)


# ---------------------------------------------------------------- Streamlit


def _url_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _remembered() -> dict[str, object]:
    return dict(st.session_state.get(_STATE, {}))


def _remember(values: Mapping[str, object]) -> None:
    st.session_state[_STATE] = {**_remembered(), **values}


def arrive(page: str) -> None:
    """Note the page about to run (app.py calls this on every run, before the page).

    The first run after arriving at a page (a new session, a shared link, or a page
    switch) takes the filters from the address it arrived with.
    """
    first = st.session_state.get(_PAGE) != page
    st.session_state[_PAGE] = page
    st.session_state[_FIRST] = first
    if first:
        st.session_state[_ARRIVED_WITH] = _url_params()


def _first_run_of_page() -> bool:
    return bool(st.session_state.get(_FIRST, True))


def sidebar(
    fields: Sequence[str],
    years: Sequence[str],
    default_terms: Callable[[str], tuple[int, ...]],
) -> Filters:
    """Render the page's filters in the sidebar and return them, kept in the address.

    ``default_terms(year)`` gives the terms shown when none are chosen (the year's terms
    with published returns).
    """
    viewer = auth.current_viewer()
    scope = viewer.allowed_districts() if viewer.restricted else ()
    if scope:
        fields = tuple(f for f in fields if f != AREA)
    first_run = _first_run_of_page()
    url = st.session_state.get(_ARRIVED_WITH, {}) if first_run else {}
    start = parse(
        {k: v for k, v in url.items() if k in fields},
        years,
        default_terms,
        _remembered(),
        scope,
    )
    if first_run:
        for key, value in _widget_values(start).items():
            st.session_state[_KEY.format(key)] = value

    bar = st.sidebar
    bar.header("Filters")
    year, terms, phase, area, districts = (
        start.year,
        start.terms,
        start.phase,
        start.area,
        start.districts,
    )
    notices = list(start.notices) if first_run else []
    if YEAR in fields:
        key = _KEY.format(YEAR)
        if st.session_state.get(key) not in years:
            st.session_state[key] = start.year
        year = bar.selectbox("Academic year", list(years), key=key)
    if TERMS in fields:
        chosen_terms = bar.multiselect(
            "Terms",
            list(ALL_TERMS),
            key=_KEY.format(TERMS),
            format_func=_term_label,
            placeholder="Choose terms",
        )
        terms = tuple(sorted(chosen_terms)) or default_terms(year)
        if not chosen_terms:
            notices.append(f"No term chosen: showing {terms_text(terms)}.")
    if PHASE in fields:
        phase = bar.selectbox(
            "Phase", list(PHASES), key=_KEY.format(PHASE), format_func=PHASES.__getitem__
        )
    if AREA in fields:
        area = bar.selectbox(
            "Area",
            [ALL, *areas()],
            key=_KEY.format(AREA),
            format_func=lambda a: "All areas" if a == ALL else a,
        )
    if DISTRICT in fields and scope:
        key = _KEY.format(DISTRICT)
        st.session_state[key] = list(scope)
        districts = tuple(
            bar.multiselect(
                "Districts",
                list(scope),
                key=key,
                disabled=True,
                help=f"Your role ({viewer.describe()}) shows {', '.join(scope)}, with "
                f"{contracts.COUNTY} as a whole for comparison.",
            )
        )
    elif DISTRICT in fields:
        options = list(districts_in(area))
        key = _KEY.format(DISTRICT)
        kept = [d for d in st.session_state.get(key, []) if d in options]
        if kept != st.session_state.get(key):
            st.session_state[key] = kept
        districts = tuple(
            bar.multiselect(
                "Districts",
                options,
                key=key,
                placeholder="All districts" if area == ALL else f"All {area} districts",
                help="Leave empty to show every district of the area.",
            )
        )
    result = Filters(year, terms, phase, area, districts, tuple(notices), scope)
    _remember(_widget_values(result))
    _write_url(result.params(fields), keep=() if first_run else None)
    for notice in result.notices:
        st.info(notice, icon=":material/link:")
    return result


def url_select(key: str, label: str, options: Mapping[str, str], widget_prefix: str = "dq") -> str:
    """A select box (for long option lists) whose value lives in the page address under
    ``key``, for pages without the sidebar filters: a shared link opens the same choice, and
    a value not among the options falls back to the first one with a notice."""
    asked = st.query_params.get(key)
    widget = f"{widget_prefix}_{key}"
    if widget not in st.session_state or st.session_state[widget] not in options:
        if asked is not None and asked not in options:
            st.info(f"The link's {label.lower()} '{asked}' is not available: showing the first.")
        st.session_state[widget] = asked if asked in options else next(iter(options))
    value = st.selectbox(label, list(options), key=widget, format_func=options.__getitem__)
    st.query_params[key] = value
    return value


def choice(key: str, label: str, options: Mapping[str, str], where=None) -> str:
    """A page's own choice (a horizontal radio), kept in the address under ``key``.

    Call it after ``sidebar`` (which starts the page's address afresh).
    """
    where = where or st
    widget = _KEY.format(key)
    first_run = _first_run_of_page()
    if first_run or st.session_state.get(widget) not in options:
        asked = st.session_state.get(_ARRIVED_WITH, {}).get(key, []) if first_run else []
        remembered = _remembered().get(key)
        value = remembered if remembered in options else next(iter(options))
        if asked:
            if asked[-1] in options:
                value = asked[-1]
            else:
                st.info(
                    f"The link's {label.lower()} '{asked[-1]}' is not one of the choices: "
                    f"showing {options[value].lower()}.",
                    icon=":material/link:",
                )
        st.session_state[widget] = value
    value = where.radio(
        label, list(options), key=widget, format_func=options.__getitem__, horizontal=True
    )
    _remember({key: value})
    _write_url({key: value}, keep=None)
    return value


def _widget_values(filters: Filters) -> dict[str, object]:
    return {
        YEAR: filters.year,
        TERMS: list(filters.terms),
        PHASE: filters.phase,
        AREA: filters.area,
        DISTRICT: list(filters.districts),
    }


def _write_url(params: Mapping[str, str | list[str]], keep: Sequence[str] | None) -> None:
    """Set ``params`` in the address; keep the other parameters named in ``keep`` (None: all)."""
    current = _url_params()
    kept = {k: v for k, v in current.items() if keep is None or k in keep}
    wanted = {**kept, **{k: (v if isinstance(v, list) else [v]) for k, v in params.items()}}
    if keep is not None:
        wanted = {k: v for k, v in wanted.items() if k in params or k in keep}
    if wanted != current:
        st.query_params.from_dict(wanted)


def _term_label(term: int) -> str:
    name = contracts.term_names().get(term)
    return f"Term {term} ({name})" if name else f"Term {term}"
