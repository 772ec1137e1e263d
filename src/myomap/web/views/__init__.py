"""Server-rendered pages, one module per domain."""

from fastapi import APIRouter

from myomap.web.views import account, atlas, audit, auth, clients, pain, posture, referral, users

router = APIRouter()
for module in (auth, account, clients, pain, referral, posture, atlas, users, audit):
    router.include_router(module.router)
