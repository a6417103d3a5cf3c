"""The Data quality page's data: a steward's worklist, their reviews of warnings, correction
packs and loads from the browser. Data stewards only, like every data-quality function of
``warehouse.dashboard.app_data`` (whose cached connection and viewer check this uses).

Results are cached per warehouse version and per state of the reviews file (its size and
modification time, ``reviews.stamp``): a review shows at once, a new load on the next rerun.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from warehouse.core.paths import resolve_warehouse
from warehouse.dashboard import app_data, auth
from warehouse.publish import reviews, upload
from warehouse.publish.identity import Version
from warehouse.quality import dq, failing, packs

Stamp = tuple[int, int]


def _warehouse() -> Path:
    return resolve_warehouse()


def _kept() -> dict[str, failing.Review]:
    return reviews.read(_warehouse())


@st.cache_data(show_spinner=False)
def _result(version: Version, load_id: str | None, stamp: Stamp, scope: app_data.Scope) -> dict:
    cur = app_data._connection(version).cursor()
    return dq.load_result(cur, load_id, reviews=_kept())


def load_result(load_id: str | None = None) -> dict:
    """``stls dq --format json``'s object for a load, with the stewards' reviews: its
    ``failing_rows`` are the worklist (data stewards only)."""
    scope = app_data._steward()
    return _result(app_data.current_version(), load_id, reviews.stamp(_warehouse()), scope)


def failing_rows(load_id: str) -> pd.DataFrame:
    """The load's failing rows (``failing.FIELDS``), as ``load_result`` has them."""
    records = load_result(load_id)["failing_rows"]
    frame = pd.DataFrame(records, columns=list(failing.FIELDS))
    for column in ("row", "term", "census_year"):
        frame[column] = frame[column].astype("Int64")
    return frame


@st.cache_data(show_spinner=False)
def _frame(version: Version, name: str, args: tuple, scope: app_data.Scope) -> pd.DataFrame:
    return getattr(dq, name)(app_data._connection(version).cursor(), *args)


def held_now() -> pd.DataFrame:
    """Each district-period held back now, once (``dq.held_now``)."""
    return _frame(app_data.current_version(), "held_now", (), app_data._steward())


def received(load_id: str) -> pd.DataFrame:
    """What a load received and what became of each file and submission (``dq.received``)."""
    return _frame(app_data.current_version(), "received", (load_id,), app_data._steward())


def review_history() -> list[failing.Review]:
    """Every review kept, newest first (data stewards only)."""
    app_data._steward()
    return list(reversed(reviews.history(_warehouse())))


def record_review(warning: dict, comment: str) -> failing.Review:
    """Keep the signed-in steward's review of a warning (``reviews.record``); the reviewer
    is the viewer: their email when signed in, else the local user."""
    app_data._steward()
    viewer = auth.current_viewer()
    load_id = str(warning.get("load_id") or "")
    return reviews.record(_warehouse(), warning, by=viewer.email, comment=comment, load_id=load_id)


@st.cache_data(show_spinner=False, max_entries=16)
def _packs(
    version: Version, load_id: str, stamp: Stamp, deadline: str, who: str | None, scope
) -> bytes:
    result = _result(version, load_id, stamp, scope)  # the page's own, cached
    got = _frame(version, "received", (load_id,), scope)
    if who is None:
        return packs.packs_zip(result, got, deadline)
    return packs.pack_bytes(result, got, who, deadline)


def pack_recipients(load_id: str) -> list[str]:
    """Who gets a correction pack for the load (those with something to correct)."""
    return packs.recipients(load_result(load_id))


def correction_packs(load_id: str, recipient: str | None = None) -> Callable[[], bytes]:
    """Every recipient's correction workbook as a ZIP, or one recipient's workbook, made when
    called: for a download made when its button is pressed. The viewer (data stewards
    only), the recipient and the reviews' state are taken now, in the page's run: the
    callable runs outside it, on a thread of Streamlit's server where nobody is signed in."""
    scope = app_data._steward()
    if recipient is not None and recipient not in pack_recipients(load_id):
        raise ValueError(f"nothing for {recipient!r} to correct in this load")
    version = app_data.current_version()
    stamp = reviews.stamp(_warehouse())
    deadline = packs.deadline_text()
    return lambda: _packs(version, load_id, stamp, deadline, recipient, scope)


# ---------------------------------------------------------------- loads from the browser


def running_upload() -> upload.Job | None:
    """This warehouse's latest load from the browser in this server, running or done
    (data stewards only)."""
    app_data._steward()
    return upload.current(_warehouse())


def start_upload(files: list[upload.Upload]) -> upload.Job:
    """Start loading the files a steward dropped (``upload.start``); raises
    ``upload.UploadRefused`` with one line when it cannot start."""
    app_data._steward()
    return upload.start(_warehouse(), files, by=auth.current_viewer().email)


def upload_limit_mb() -> int:
    """The largest file the uploader accepts, in MB (``$STLS_MAX_FILE_MB``)."""
    from warehouse.ingest.reading import limits, whole_mib

    return whole_mib(limits().file_bytes)
