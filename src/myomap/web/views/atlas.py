"""Trigger-point atlas pages: search muscles, and one muscle with its referral map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from myomap.atlas.regions import Side
from myomap.knowledge.library import UnknownMuscleError, load_knowledge
from myomap.knowledge.search import search_muscles
from myomap.records.errors import NotFound
from myomap.web import overlays
from myomap.web.deps import WebActor
from myomap.web.templating import is_htmx, render

router = APIRouter()


@router.get("/atlas", include_in_schema=False)
def atlas_page(request: Request, actor: WebActor, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    kb = load_knowledge()
    hits = search_muscles(kb, q, limit=len(kb.muscles))
    context = {"q": q, "hits": hits, "areas": kb.atlas.areas, "total": len(kb.muscles)}
    if is_htmx(request):
        return render(request, "atlas/_results.html", context)
    return render(request, "atlas/list.html", context)


@router.get("/atlas/muscles/{muscle_id}", include_in_schema=False)
def muscle_page(
    request: Request, actor: WebActor, muscle_id: str,
    side: Annotated[Side, Query(description="which side's trigger points to draw")] = Side.RIGHT,
) -> Response:
    kb = load_knowledge()
    try:
        muscle = kb.muscle(muscle_id)
    except UnknownMuscleError:
        raise NotFound("muscle") from None
    figure = overlays.referral_chart(muscle.id, side.value, dom_id="referral-map",
                                  caption=f"{muscle.name}, {side.value} side: referral map")
    return render(
        request, "atlas/muscle.html",
        {"m": muscle, "kb": kb, "side": side.value, "chart": figure},
    )
