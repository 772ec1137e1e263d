"""Every table, imported in one place so that ``Base.metadata`` is complete (for Alembic)."""

from myomap.records.accounts.models import ApiToken, Role, SignInFailure, User, WebSession
from myomap.records.audit.models import AuditEvent
from myomap.records.base import Base
from myomap.records.clients.models import Client
from myomap.records.clinics.models import Clinic
from myomap.records.pain.models import PainDrawing, PainMark
from myomap.records.palpation.models import PalpationTarget
from myomap.records.posture.models import PostureAssessment, PosturePhoto

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Client",
    "Clinic",
    "PainDrawing",
    "PainMark",
    "PalpationTarget",
    "PostureAssessment",
    "PosturePhoto",
    "Role",
    "SignInFailure",
    "User",
    "WebSession",
]
