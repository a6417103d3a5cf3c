"""After every load, a short notice: what was held back, what was rejected and why, per
district, so a steward hears when something needs chasing without opening the dashboard.

Written beside the warehouse as ``<warehouse>.notice.md`` (to read) and
``<warehouse>.notice.json`` (for scripts), replaced whole by each load (written aside, then
renamed), with the warehouse's access. When ``STLS_NOTIFY_WEBHOOK`` is set, the notice is
also posted there as JSON, ``{"text": "..."}``, the body Microsoft Teams and Slack incoming
webhooks both take. A notice that cannot be written or posted never fails the load: the
load is published already; the failure is logged and, for the post, recorded in the JSON
file (``webhook``).

Everything received (file names, reasons, messages) is untrusted: in the Markdown file it
goes through ``safe_text.markdown_text``, in the post through ``safe_text.chat_text``
(which Slack and Teams both show as text), and JSON escapes it by itself.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

from warehouse.core import safe_text
from warehouse.core.errors import first_line
from warehouse.publish import connect, reviews
from warehouse.publish.access import access_of, apply_access
from warehouse.publish.durability import replace_durably
from warehouse.quality import dq

log = logging.getLogger(__name__)

WEBHOOK_ENV = "STLS_NOTIFY_WEBHOOK"
TIMEOUT_SECONDS = 10
HEADLINES = {
    "passed": "published, nothing held back",
    "warnings": "published, with warnings to review",
    "failed": "something was held back or rejected",
}


def notice_paths(warehouse: Path) -> tuple[Path, Path]:
    return (
        warehouse.with_name(warehouse.name + ".notice.md"),
        warehouse.with_name(warehouse.name + ".notice.json"),
    )


def after_load(warehouse: Path, load_id: str) -> dict[str, Any] | None:
    """Write the load's notice beside the warehouse and post it if a webhook is set.
    Never raises: returns the notice, or None if it could not be made."""
    try:
        con = connect.connect(warehouse)
        try:
            result = dq.load_result(con.cursor(), load_id, reviews=reviews.read(warehouse))
        finally:
            con.close()
        summary = summarise(result, warehouse)
    except Exception as exc:  # the load is published: a notice must not undo that
        log.warning("%s: no notice for load %s: %s", warehouse, load_id, first_line(exc))
        return None
    url = os.environ.get(WEBHOOK_ENV, "").strip()
    if url:
        summary["webhook"] = post(url, {"text": chat_text(summary)})
    try:
        _write(warehouse, summary)
    except OSError as exc:
        log.warning("%s: the notice could not be written: %s", warehouse, exc)
    return summary


def summarise(result: dict, warehouse: Path) -> dict[str, Any]:
    """The notice of a load (``dq.load_result``): counts, rejected files, and per district
    what was held and why, its errors and its new warnings."""
    districts: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"held": [], "errors": 0, "warnings_new": 0}
    )
    for held in result["held_submissions"]:
        districts[held["district"]]["held"].append(
            {
                "source": held["source"],
                "period": _period(held),
                "file": held["file"],
                "reason": held["reason"],
            }
        )
    for row in result["failing_rows"]:
        who = row["district"] or "No district"
        if row["severity"] == "error":
            districts[who]["errors"] += 1
        elif not row["reviewed_by"]:
            districts[who]["warnings_new"] += 1
    return {
        "warehouse": warehouse.name,
        "load_id": result["load_id"],
        "kind": result["kind"],
        "finished_at": result["finished_at"],
        "status": result["status"],
        "headline": HEADLINES.get(result["status"], str(result["status"])),
        "rows_received": result["rows_received"],
        "rows_published": result["rows_published"],
        "rows_quarantined": result["rows_quarantined"],
        "files_received": result["files_received"],
        "files_rejected": result["files_rejected"],
        "held": len(result["held_submissions"]),
        "warnings_new": result["warnings_new"],
        "warnings_reviewed": result["warnings_reviewed"],
        "by_district": {d: districts[d] for d in sorted(districts)},
    }


def _period(item: dict) -> str:
    if item.get("term"):
        return f"{item['academic_year']} term {item['term']}"
    if item.get("census_year"):
        return f"January {item['census_year']} census"
    return str(item.get("academic_year") or "")


def _lines(summary: dict[str, Any], text) -> list[str]:
    """The notice's body, each received piece through ``text`` (Markdown- or chat-safe)."""
    out = [
        f"Rows: {summary['rows_received']:,} received, {summary['rows_published']:,} published, "
        f"{summary['rows_quarantined']:,} set aside. Files: {summary['files_received']} "
        f"received, {len(summary['files_rejected'])} rejected. Held back: {summary['held']}. "
        f"New warnings: {summary['warnings_new']}"
        + (
            f" ({summary['warnings_reviewed']} reviewed before)."
            if summary["warnings_reviewed"]
            else "."
        )
    ]
    if summary["files_rejected"]:
        out.append("")
        out.append("Rejected (nothing from them was loaded):")
        out += [f"- {text(f['file'])}: {text(f['reason'])}" for f in summary["files_rejected"]]
    worth = {
        d: v
        for d, v in summary["by_district"].items()
        if v["held"] or v["errors"] or v["warnings_new"]
    }
    if worth:
        out.append("")
        out.append("By district:")
    for district, what in worth.items():
        counts = f"{what['errors']} error(s), {what['warnings_new']} new warning(s)"
        out.append(f"- {text(district)}: {len(what['held'])} held back; {counts}")
        out += [
            f"  - held: {text(h['period'])} ({text(h['file'])}): {text(h['reason'])}"
            for h in what["held"]
        ]
    return out


def markdown(summary: dict[str, Any]) -> str:
    title = (
        f"# STLS Insight load {safe_text.markdown_text(summary['load_id'])}: {summary['headline']}"
    )
    return "\n".join([title, "", *_lines(summary, safe_text.markdown_text)]) + "\n"


def chat_text(summary: dict[str, Any]) -> str:
    head = f"STLS Insight load {safe_text.chat_text(summary['load_id'])}: {summary['headline']}"
    return "\n".join([head, *_lines(summary, safe_text.chat_text)])


def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST ``body`` as JSON to ``url`` (http or https); what happened, never an exception."""
    if not url.lower().startswith(("http://", "https://")):
        error = f"{WEBHOOK_ENV} is not an http(s) address"
        log.warning("the load's notice was not posted: %s", error)
        return {"posted": False, "status": None, "error": error}
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return {"posted": True, "status": response.status}
    except urllib.error.HTTPError as exc:
        outcome = {"posted": False, "status": exc.code, "error": f"HTTP {exc.code} {exc.reason}"}
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        outcome = {"posted": False, "status": None, "error": first_line(str(reason))}
    log.warning("the load's notice was not posted to %s: %s", WEBHOOK_ENV, outcome["error"])
    return outcome


def _write(warehouse: Path, summary: dict[str, Any]) -> None:
    access = access_of(warehouse)
    md, js = notice_paths(warehouse)
    for path, text in ((md, markdown(summary)), (js, json.dumps(summary, indent=2) + "\n")):
        partial = path.with_name(path.name + ".tmp")
        partial.write_text(text, encoding="utf-8")
        if access is not None:
            apply_access(partial, access)
        replace_durably(partial, path)
