"""'Which trigger points?': the referral ranking for a client's pain drawing, and the
"to palpate" list the therapist builds from it."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from myomap.knowledge.library import load_knowledge
from myomap.records.clients.service import get_client_for_user
from myomap.records.errors import ValidationFailed, VersionConflict
from myomap.records.pain.service import read_drawing, to_read
from myomap.records.palpation.models import PalpationTarget
from myomap.records.palpation.schemas import FINDINGS, NOTE_MAX_LENGTH, PalpationFindingUpdate
from myomap.records.palpation.service import (
    add_target,
    list_targets,
    record_finding,
    referral_for_drawing,
    remove_target,
)
from myomap.records.validation import parse
from myomap.referral import SCORE_MEANING, EmptyDrawingError, Ranking
from myomap.referral.lookup import find_in_ranking, muscles_named
from myomap.web import chart, overlays
from myomap.web.deps import DbSession, WebActor, WebForm
from myomap.web.notices import see_other
from myomap.web.params import RecordId
from myomap.web.templating import is_htmx, render

router = APIRouter()
PAGE_ROWS = 10
"""Rows of the ranking shown at first, and added by each "Show more"."""
MAX_ROWS = 500


@router.get("/pain-drawings/{drawing_id}/referral", include_in_schema=False)
def referral_page(
    request: Request, db: DbSession, actor: WebActor, drawing_id: RecordId,
    show: Annotated[str | None, Query(max_length=80, description="candidate to overlay, muscle:side")] = None,
    saved: Annotated[str | None, Query(max_length=80, description="finding just saved, muscle:side")] = None,
    rows: Annotated[int, Query(ge=1, le=MAX_ROWS, description="rows of the ranking shown")] = PAGE_ROWS,
    find: Annotated[str | None, Query(max_length=80, description="a muscle to find in the ranking by name")] = None,
) -> Response:
    drawing = read_drawing(db=db, actor=actor, drawing_id=drawing_id)
    client = get_client_for_user(db, actor, drawing.client_id)
    data = to_read(db, drawing)
    intensities = chart.intensities_of(data.marks)
    try:
        referral = referral_for_drawing(db=db, actor=actor, drawing_id=drawing.id)
    except EmptyDrawingError as exc:
        return render(request, "referral/ranking.html",
                      {"client": client, "drawing": data, "empty": str(exc), "rows": [], "chart": None},
                      status_code=200)
    ranking, target_rows = referral.ranking, referral.targets
    shown = list(ranking.groups[:rows])
    candidates = [c for g in shown for c in g.members]
    # Any ranked muscle can be overlaid (a found muscle, or a link naming one below the rows shown).
    selected = next((c for c in ranking.candidates if f"{c.muscle}:{c.side}" == show), candidates[0] if candidates else None)
    figure = overlays.referral_chart(
        selected.muscle, selected.side, division=selected.division, intensities=intensities, dom_id="referral-overlay",
        caption=f"Pain drawing of {drawing.drawn_on:%-d %b %Y} with the referral map of {selected.name}"
                + (f" ({selected.division})" if selected.division else ""),
    ) if selected else None
    kb = load_knowledge()
    context = {
        "client": client, "drawing": data, "rows": shown, "candidates": candidates, "selected": selected,
        "chart": figure, "entrapments": ranking.entrapments, "score_meaning": SCORE_MEANING,
        "hidden_rows": len(ranking.groups) - len(shown), "next_rows": min(MAX_ROWS, len(shown) + PAGE_ROWS),
        "all_rows": len(ranking.groups), "page_rows": PAGE_ROWS,
        "first_new_row": rows - PAGE_ROWS + 1 if rows > PAGE_ROWS else None, **_found(ranking, find),
        "cover": [ranking.label(m) for m in ranking.cover], "unexplained": [kb.atlas.regions[r].name for r in ranking.unexplained],
        "empty": None, "saved": _saved_label(saved, target_rows), **_list_context(target_rows),
    }
    part = request.headers.get("hx-target") if is_htmx(request) else None
    if part == "referral-chart":
        return render(request, "referral/_overlay.html", context)
    if part == "ranking-found":
        return render(request, "referral/_found.html", context)
    if part == "referral-body":  # after a finding is saved, or "Show more": the ranking and the list
        return render(request, "referral/_body.html", context)
    return render(request, "referral/ranking.html", context)


def _found(ranking: Ranking, find: str | None) -> dict[str, object]:
    """What "Find a muscle in the ranking" shows: the ranked rows whose muscle is called ``find``,
    else the atlas muscles of that name that the drawing does not rank."""
    kb = load_knowledge()
    text = (find or "").strip()
    names = {m.id: (m.name, *m.synonyms) for m in kb.muscles.values()}
    found = find_in_ranking(ranking, text, names)
    ranked = {c.muscle for c in ranking.candidates}
    unranked = [kb.muscles[m].name for m in muscles_named(text, names) if m not in ranked] if not found else []
    return {"find": text, "found": found, "unranked": unranked}


def _list_context(target_rows: list[PalpationTarget]) -> dict[str, object]:
    """What the to-palpate list template needs beside the entries themselves."""
    kb = load_knowledge()
    return {"target_rows": target_rows, "targets": {(t.muscle_id, t.side) for t in target_rows},
            "muscles": {t.muscle_id: kb.muscles[t.muscle_id] for t in target_rows},
            "findings": FINDINGS, "note_max": NOTE_MAX_LENGTH}


def _saved_label(saved: str | None, target_rows: list[PalpationTarget]) -> str | None:
    """'Upper trapezius (right)' for ``saved=upper_trapezius:right`` if that entry is listed."""
    kb = load_knowledge()
    return next((f"{kb.muscles[t.muscle_id].name} ({t.side})" for t in target_rows if f"{t.muscle_id}:{t.side}" == saved), None)


@router.post("/pain-drawings/{drawing_id}/palpate", include_in_schema=False)
def toggle_target(request: Request, db: DbSession, actor: WebActor, form: WebForm, drawing_id: RecordId) -> Response:
    muscle = str(form.get("muscle") or "")
    side = str(form.get("side") or "")
    wanted = str(form.get("action") or "add")
    if wanted == "remove":
        remove_target(db=db, actor=actor, drawing_id=drawing_id, muscle_id=muscle, side=side)
    else:
        add_target(db=db, actor=actor, drawing_id=drawing_id, muscle_id=muscle, side=side,
                   reason=str(form.get("reason") or "") or None)
    if is_htmx(request):
        # Every copy of the button (ranking and "Find a muscle") and the to-palpate list below the
        # ranking, out of band (so the new entry's finding form is there without a reload).
        target_rows = list_targets(db=db, actor=actor, drawing_id=drawing_id)
        kb = load_knowledge()
        return render(request, "referral/_palpate_button.html",
                      {"drawing_id": drawing_id, "muscle": muscle, "side": side, "name": kb.muscle(muscle).name,
                       "named": form.get("named") == "1", "drawing": {"id": drawing_id}, "oob": True, "saved": None,
                       **_list_context(target_rows)})
    if wanted == "remove":
        return see_other(f"/pain-drawings/{drawing_id}/referral", "palpate_removed")
    return see_other(f"/pain-drawings/{drawing_id}/referral", "palpate_added")


@router.post("/pain-drawings/{drawing_id}/palpation/{muscle}", include_in_schema=False)
def save_finding(
    request: Request, db: DbSession, actor: WebActor, form: WebForm, drawing_id: RecordId, muscle: str
) -> Response:
    """Record a palpation finding from the to-palpate list, then show the re-ranked page (htmx
    follows the redirect and swaps #referral-body in place)."""
    try:
        data = parse(PalpationFindingUpdate, {k: form.get(k) for k in ("side", "version", *FINDINGS, "trigger_point", "note")})
        target = record_finding(db=db, actor=actor, drawing_id=drawing_id, muscle_id=muscle, data=data)
    except (ValidationFailed, VersionConflict) as exc:
        if not is_htmx(request):
            raise
        # Keep what was typed in the form: only the entry's message slot changes.
        slot = "#" + re.sub(r"[^a-z0-9_-]", "", f"problem-{muscle}-{form.get('side')}")
        message = f"Nothing was saved: {exc}" if isinstance(exc, ValidationFailed) else str(exc)[0].upper() + str(exc)[1:] + "."
        return render(request, "referral/_finding_problem.html", {"message": message},
                      headers={"HX-Retarget": slot, "HX-Reswap": "innerHTML"})
    key = f"{target.muscle_id}:{target.side}"
    return RedirectResponse(f"/pain-drawings/{drawing_id}/referral?saved={key}#finding-{target.muscle_id}-{target.side}",
                            status_code=303)
