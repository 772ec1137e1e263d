"""Create and find clinics (an administrator's job, done from the command line); the owner's
clinic settings (how its pages write dates)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from myomap.dates import DEFAULT_LOCALE, known_locale
from myomap.records.accounts.permissions import Actor, Permission, require
from myomap.records.audit.service import record
from myomap.records.clinics.models import Clinic
from myomap.records.clinics.schemas import ClinicCreate
from myomap.records.errors import Duplicate, NotFound, ValidationFailed
from myomap.records.validation import parse


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def create_clinic(*, db: Session, name: str, is_demo: bool = False, locale: str = DEFAULT_LOCALE) -> Clinic:
    """A new clinic; ``locale`` is the deployment's setting (``Settings.locale``) until its owner
    chooses another."""
    data = parse(ClinicCreate, {"name": name, "locale": locale})
    if db.scalar(select(Clinic).where(Clinic.name_key == _key(data.name))) is not None:
        raise Duplicate(f"a clinic named {data.name!r} already exists")
    clinic = Clinic(name=data.name, name_key=_key(data.name), is_demo=is_demo, locale=data.locale)
    db.add(clinic)
    db.flush()
    return clinic


def find_clinic(*, db: Session, id_or_name: str | int) -> Clinic:
    """A clinic by numeric id or by name (case-insensitive)."""
    text = str(id_or_name).strip()
    clinic = db.get(Clinic, int(text)) if text.isdigit() else None
    if clinic is None:
        clinic = db.scalar(select(Clinic).where(Clinic.name_key == _key(text)))
    if clinic is None:
        raise NotFound(f"clinic {text!r}")
    return clinic


def list_clinics(*, db: Session) -> list[Clinic]:
    return list(db.scalars(select(Clinic).order_by(Clinic.id)))


def count_clinics(*, db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Clinic)) or 0


def set_clinic_locale_as(*, db: Session, actor: Actor, locale: str) -> None:
    """The owner chooses how the clinic's pages write dates and times (every user, every page)."""
    require(actor, Permission.USERS)
    try:
        known_locale(locale)
    except ValueError as exc:
        raise ValidationFailed({"locale": str(exc)}) from exc
    clinic = actor.user.clinic
    if clinic.locale != locale:
        record(db=db, actor=actor, action="clinic.locale_changed", object_type="clinic", object_id=clinic.id,
               detail={"from": clinic.locale, "to": locale})
        clinic.locale = locale
