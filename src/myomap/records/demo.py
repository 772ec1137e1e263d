"""A fictional demo clinic for trying Myomap out: three users, twelve clients, pain drawings.

Every person here is invented. :func:`load_demo` goes through the same services as the app, so
the demo data obeys every rule real data does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from myomap.dates import DEFAULT_LOCALE
from myomap.records.accounts.models import Role, User
from myomap.records.accounts.permissions import Actor
from myomap.records.accounts.service import create_user
from myomap.records.clients.schemas import ClientCreate
from myomap.records.clients.service import create_client
from myomap.records.clinics.models import Clinic
from myomap.records.clinics.service import count_clinics, create_clinic
from myomap.records.pain.schemas import PainDrawingCreate, PainMarkIn
from myomap.records.pain.service import create_drawing

DEMO_CLINIC = "Harbourside Neuromuscular Therapy (demo)"
DEMO_PASSWORD = "myomap-demo"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: Role
    name: str


DEMO_USERS = (
    DemoLogin("owner@demo.myomap.test", DEMO_PASSWORD, Role.OWNER, "Morgan Reyes"),
    DemoLogin("therapist@demo.myomap.test", DEMO_PASSWORD, Role.THERAPIST, "Sam Okafor"),
    DemoLogin("frontdesk@demo.myomap.test", DEMO_PASSWORD, Role.FRONT_DESK, "Lee Fontaine"),
)

_CLIENTS: tuple[dict[str, object], ...] = (
    dict(given_name="Amelia", family_name="Hartley", date_of_birth=date(1984, 3, 12), gender="Female",
         phone="0412 555 018", email="amelia.hartley@example.com", occupation="Software developer",
         referring_provider="Dr P. Nguyen (GP)", address="14 Wattle St, Fairview",
         admin_notes="Prefers late-afternoon appointments."),
    dict(given_name="Ben", family_name="Castellano", date_of_birth=date(1991, 7, 2), gender="Male",
         phone="0413 555 207", email="ben.c@example.net", occupation="Carpenter",
         referring_provider="Harbour Physio"),
    dict(given_name="Chloé", family_name="Dubois", date_of_birth=date(1978, 11, 23), gender="Female",
         phone="+61 2 5550 1934", email="chloe.dubois@example.org", occupation="Violinist"),
    dict(given_name="Daniel", family_name="Mbeki", date_of_birth=date(1969, 1, 30), gender="Male",
         phone="0414 555 660", occupation="Bus driver", referring_provider="Dr S. Patel (GP)"),
    dict(given_name="Eleanor", family_name="Fitzgerald", date_of_birth=date(1956, 5, 17), gender="Female",
         phone="02 5550 7781", email="e.fitzgerald@example.com", occupation="Retired teacher"),
    dict(given_name="Farid", family_name="Haddad", date_of_birth=date(1988, 9, 9), gender="Male",
         phone="0415 555 302", email="farid.h@example.com", occupation="Barista"),
    dict(given_name="Grace", family_name="Ito", date_of_birth=date(2001, 12, 4), gender="Female",
         phone="0416 555 841", email="grace.ito@example.com", occupation="Student, competitive swimmer"),
    dict(given_name="Hamish", family_name="MacLeod", date_of_birth=date(1975, 4, 28), gender="Male",
         phone="0417 555 119", occupation="Electrician", admin_notes="Pays by health fund."),
    dict(given_name="Isabel", family_name="Navarro", date_of_birth=date(1993, 6, 15), gender="Non-binary",
         phone="0418 555 476", email="isa.navarro@example.org", occupation="Nurse (night shifts)"),
    dict(given_name="Jonah", family_name="Whitaker", date_of_birth=date(1982, 8, 21), gender="Male",
         phone="0419 555 903", email="jonah.w@example.com", occupation="Accountant",
         referring_provider="Dr R. Chen (dentist)"),
    dict(given_name="Keiko", family_name="Tanaka", date_of_birth=date(1965, 2, 8), gender="Female",
         phone="0420 555 215", occupation="Gardener"),
    dict(given_name="Liam", family_name="O'Connor", date_of_birth=date(1999, 10, 31), gender="Male",
         phone="0421 555 688", email="liam.oconnor@example.net", occupation="Rugby player (amateur)"),
)

# (client index, [(days ago, overall note, [(region, intensity, qualities, note)])])
_DRAWINGS: tuple[tuple[int, list[tuple[int, str, list[tuple[str, int, list[str], str | None]]]]], ...] = (
    (0, [
        (42, "Tension headaches most afternoons, worse after long coding days.", [
            ("temple.right", 7, ["throbbing", "aching"], "Behind the right eye by 3 pm"),
            ("temple.left", 4, ["aching"], None),
            ("suboccipital.right", 6, ["aching"], None),
            ("posterior_neck.right", 5, ["aching"], None),
            ("top_of_shoulder.right", 6, ["aching", "burning"], "Upper trapezius"),
        ]),
        (28, "Headaches down to 3 a week.", [
            ("temple.right", 5, ["throbbing"], None),
            ("suboccipital.right", 4, ["aching"], None),
            ("top_of_shoulder.right", 4, ["aching"], None),
        ]),
        (7, "One mild headache this week.", [
            ("temple.right", 2, ["aching"], None),
            ("top_of_shoulder.right", 2, ["aching"], None),
        ]),
    ]),
    (1, [
        (21, "Low back pain after lifting sheets of plywood.", [
            ("lumbar_paraspinal.left", 8, ["sharp", "aching"], "Sharp on bending"),
            ("sacroiliac.left", 6, ["aching"], None),
            ("upper_buttock.left", 5, ["aching"], None),
            ("posterior_thigh.left", 3, ["tingling"], "Occasional, to mid-thigh only"),
        ]),
        (10, "Back to light duties.", [
            ("lumbar_paraspinal.left", 4, ["aching"], None),
            ("sacroiliac.left", 3, ["aching"], None),
        ]),
    ]),
    (2, [
        (35, "Left neck and shoulder pain after concert season.", [
            ("lateral_neck.left", 6, ["aching"], None),
            ("neck_shoulder_angle.left", 7, ["aching", "burning"], None),
            ("infraspinous.left", 5, ["aching"], None),
            ("lateral_arm.left", 3, ["aching"], None),
            ("fingers_ulnar.left", 2, ["tingling"], "After long rehearsals"),
        ]),
        (14, "Better; still sore after 3-hour rehearsals.", [
            ("neck_shoulder_angle.left", 4, ["aching"], None),
            ("infraspinous.left", 3, ["aching"], None),
        ]),
    ]),
    (4, [
        (20, "Jaw pain and clicking, worse in the morning.", [
            ("tmj.left", 6, ["aching"], "Clicks on opening"),
            ("jaw.left", 5, ["aching"], None),
            ("cheek.left", 4, ["aching"], None),
            ("ear.left", 3, ["aching"], "Feels like earache"),
        ]),
    ]),
    (6, [
        (30, "Right shoulder pain with freestyle training.", [
            ("anterior_shoulder.right", 6, ["sharp"], "Catch at the top of the stroke"),
            ("lateral_shoulder.right", 5, ["aching"], None),
            ("posterior_shoulder.right", 4, ["aching"], None),
        ]),
        (16, "Training volume reduced.", [
            ("anterior_shoulder.right", 4, ["sharp"], None),
            ("lateral_shoulder.right", 3, ["aching"], None),
        ]),
        (2, "Back to full training, mild ache after sessions.", [
            ("anterior_shoulder.right", 2, ["aching"], None),
        ]),
    ]),
    (10, [
        (12, "Heel pain first steps in the morning.", [
            ("plantar_heel.right", 7, ["stabbing"], "First steps out of bed"),
            ("arch.right", 4, ["aching"], None),
            ("lower_calf.right", 3, ["aching"], None),
        ]),
    ]),
)


def has_demo(*, db: Session) -> bool:
    return db.scalar(select(Clinic.id).where(Clinic.is_demo.is_(True))) is not None


def load_demo(
    *, db: Session, password_profile: str = "standard", today: date | None = None, locale: str = DEFAULT_LOCALE,
) -> bool:
    """Load the demo clinic if the database has no clinic yet. Returns whether it was loaded."""
    if count_clinics(db=db) > 0:
        return False
    today = today or date.today()
    clinic = create_clinic(db=db, name=DEMO_CLINIC, is_demo=True, locale=locale)
    users: dict[Role, User] = {}
    for login in DEMO_USERS:
        users[login.role] = create_user(
            db=db, clinic=clinic, email=login.email, name=login.name, role=login.role,
            password=login.password, password_profile=password_profile,
        )
    desk = Actor(users[Role.FRONT_DESK], via="cli")
    therapist = Actor(users[Role.THERAPIST], via="cli")
    clients = [create_client(db=db, actor=desk, data=ClientCreate.model_validate(c)) for c in _CLIENTS]
    for index, visits in _DRAWINGS:
        for days_ago, note, marks in visits:
            create_drawing(
                db=db, actor=therapist, client_id=clients[index].id,
                data=PainDrawingCreate(
                    drawn_on=today - timedelta(days=days_ago),
                    overall_note=note,
                    marks=[PainMarkIn(region_id=r, intensity=i, qualities=q, note=n) for r, i, q, n in marks],
                ),
            )
    return True
