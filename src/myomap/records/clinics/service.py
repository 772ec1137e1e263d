"""Create and find clinics (an administrator's job, done from the command line)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from myomap.records.clinics.models import Clinic
from myomap.records.clinics.schemas import ClinicCreate
from myomap.records.errors import Duplicate, NotFound
from myomap.records.validation import parse


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def create_clinic(*, db: Session, name: str, is_demo: bool = False) -> Clinic:
    data = parse(ClinicCreate, {"name": name})
    if db.scalar(select(Clinic).where(Clinic.name_key == _key(data.name))) is not None:
        raise Duplicate(f"a clinic named {data.name!r} already exists")
    clinic = Clinic(name=data.name, name_key=_key(data.name), is_demo=is_demo)
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
