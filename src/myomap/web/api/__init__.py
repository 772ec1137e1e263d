"""The JSON API under ``/api`` (documented by ``/openapi.json`` and ``/api/docs``)."""

from fastapi import APIRouter

from myomap.web.api import clients, docs, me, pain, posture, referral, tokens

router = APIRouter()
for module in (me, tokens, clients, pain, referral, posture, docs):
    router.include_router(module.router)
