"""The bundled demo data: ILLUSTRATIVE raw files as district leads, the census team and
finance would send them, and the deterministic generator that writes them
(``python -m warehouse.demo.generate``).

The district split is invented. Only the county totals are tied to the July 2024
committee report (Tables 1-7, sections 2.13 and 2.22) and to public census facts; the
funding table is the report's own, transcribed with its flaws. See ``data/README.md``.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# The faults the demo data carry on purpose, so that a first load shows the data-quality
# checks at work: (suite, check) -> (rows or files it fails on, why it is there). The
# generator checks, with the real suites, that the files raise exactly these and no error.
PLANTED: dict[tuple[str, str], tuple[int, str]] = {
    ("files", "no_extra_columns"): (
        10,
        "Thanet's returns carry a 'notes' column, as some districts' spreadsheets do",
    ),
    ("funding", "district_spelling_is_standard"): (
        2,
        "the committee report's funding table spells 'Folkstone and Hythe'",
    ),
    ("funding", "total_is_core_plus_outreach"): (
        2,
        "the report's Tunbridge Wells SLA total is £50 short of its core plus outreach",
    ),
    ("funding_years", "county_total_matches_districts"): (
        2,
        "the report's stated county total is £1 short of the districts' sum",
    ),
    ("termly_return_cross_measure", "lift_sen_status_within_presented"): (
        4,
        "Maidstone counts children receiving High Needs Funding on top of their SEN status "
        "(terms 1-4 of 2023-24)",
    ),
}

# DfE's national files are bundled as DfE publishes them (real data, not planted by us, and
# not generated, so the generator's audit leaves them out): the warnings a load of them
# raises, so a first load shows how a steward sees the quirks of a real release.
AS_PUBLISHED: dict[tuple[str, str], tuple[int, str]] = {
    ("national_data", "year_spelling_is_known"): (
        170,
        "DfE's published long data gives the year as '0' on 170 rows",
    ),
    ("national_dictionary", "indicator_has_a_polarity"): (
        30,
        "DfE's indicator dictionary gives 30 indicators no polarity",
    ),
}

# Every warning `stls demo` raises on purpose, and why.
DEMO_WARNINGS = {**PLANTED, **AS_PUBLISHED}
