"""'Which trigger points?': the referral ranking for a client's pain drawing, and the
"to palpate" list the therapist builds from it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from myomap.knowledge.library import load_knowledge
from myomap.records.clients.service import get_client_for_user
from myomap.records.pain.service import read_drawing, to_read
from myomap.records.palpation.service import add_target, list_targets, referral_for_drawing, remove_target
from myomap.referral import EmptyDrawingError
from myomap.web import chart, overlays
from myomap.web.deps import DbSession, WebActor, WebForm
from myomap.web.templating import is_htmx, render

router = APIRouter()
TOP = 10


@router.get("/pain-drawings/{drawing_id}/referral", include_in_schema=False)
def referral_page(
    request: Request, db: DbSession, actor: WebActor, drawing_id: int,
    show: Annotated[str | None, Query(max_length=80, description="candidate to overlay, muscle:side")] = None,
) -> Response:
    drawing = read_drawing(db=db, actor=actor, drawing_id=drawing_id)
    client = get_client_for_user(db, actor, drawing.client_id)
    data = to_read(db, drawing)
    intensities = chart.intensities_of(data.marks)
    try:
        ranking = referral_for_drawing(db=db, actor=actor, drawing_id=drawing.id)
    except EmptyDrawingError as exc:
        return render(request, "referral/ranking.html",
                      {"client": client, "drawing": data, "empty": str(exc), "rows": [], "chart": None},
                      status_code=200)
    rows = list(ranking.groups[:TOP])
    candidates = [c for g in rows for c in g.members]
    # Any ranked muscle can be overlaid (a link from elsewhere may name one below the top ten).
    selected = next((c for c in ranking.candidates if f"{c.muscle}:{c.side}" == show), candidates[0] if candidates else None)
    figure = overlays.referral_chart(
        selected.muscle, selected.side, division=selected.division, intensities=intensities, dom_id="referral-overlay",
        caption=f"Pain drawing of {drawing.drawn_on:%-d %b %Y} with the referral map of {selected.name}"
                + (f" ({selected.division})" if selected.division else ""),
    ) if selected else None
    target_rows = list_targets(db=db, actor=actor, drawing_id=drawing.id)
    kb = load_knowledge()
    context = {
        "client": client, "drawing": data, "rows": rows, "candidates": candidates, "selected": selected,
        "chart": figure, "entrapments": ranking.entrapments,
        "targets": {(t.muscle_id, t.side) for t in target_rows}, "target_rows": target_rows,
        "names": {c.muscle: c.name for c in ranking.candidates},
        "cover": [ranking.label(m) for m in ranking.cover], "unexplained": [kb.atlas.regions[r].name for r in ranking.unexplained],
        "empty": None,
    }
    if is_htmx(request) and request.headers.get("hx-target") == "referral-chart":
        return render(request, "referral/_overlay.html", context)
    return render(request, "referral/ranking.html", context)


@router.post("/pain-drawings/{drawing_id}/palpate", include_in_schema=False)
def toggle_target(request: Request, db: DbSession, actor: WebActor, form: WebForm, drawing_id: int) -> Response:
    muscle = str(form.get("muscle") or "")
    side = str(form.get("side") or "")
    wanted = str(form.get("action") or "add")
    if wanted == "remove":
        remove_target(db=db, actor=actor, drawing_id=drawing_id, muscle_id=muscle, side=side)
    else:
        add_target(db=db, actor=actor, drawing_id=drawing_id, muscle_id=muscle, side=side,
                   reason=str(form.get("reason") or "") or None)
    if is_htmx(request):
        targets = {(t.muscle_id, t.side) for t in list_targets(db=db, actor=actor, drawing_id=drawing_id)}
        kb = load_knowledge()
        return render(request, "referral/_palpate_button.html",
                      {"drawing_id": drawing_id, "muscle": muscle, "side": side, "targets": targets,
                       "name": kb.muscle(muscle).name})
    return RedirectResponse(f"/pain-drawings/{drawing_id}/referral", status_code=303)
