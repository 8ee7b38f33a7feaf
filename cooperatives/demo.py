"""Demo data for development and the browser journeys: idempotent, deterministic."""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from .enums import CooperativeStatus, MemberStatus, RegionLevel, Role, Sex
from .models import Cooperative, Region
from .services import (
    business_units_ensure_standard,
    cooperative_advance_to,
    cooperative_create,
    member_create,
    regions_load,
    role_grant_create,
)

DEMO_PASSWORD = "Merdeka-Desa-2026"  # noqa: S105 - printed by `make run` in development only
DEMO_COOPERATIVE_VILLAGE = "64.02.16.2002"  # Bukit Raya, Tenggarong Seberang, Kutai Kartanegara
SHARED_VILLAGES = ("64.03.01.2001", "64.03.01.2002")  # Merabu and Panaan (Kelay, Berau) share one
CITY_VILLAGE = "64.72.01.1001"

# How far along the formation pipeline the demo puts each cooperative, by weight.
STATUS_WEIGHTS = [
    (CooperativeStatus.ACTIVE, 45),
    (CooperativeStatus.REGISTERED, 25),
    (CooperativeStatus.SUBMITTED, 14),
    (CooperativeStatus.DRAFT, 10),
    (CooperativeStatus.SUSPENDED, 5),
    (CooperativeStatus.DISSOLVED, 1),
]
MALE_NAMES = [
    "Ahmad",
    "Budi",
    "Dedi",
    "Eko",
    "Fajar",
    "Hendra",
    "Irwan",
    "Joko",
    "Rudi",
    "Syahrul",
    "Agus",
    "Bambang",
    "Darmawan",
    "Hasan",
    "Muhammad",
    "Yusuf",
    "Rahmat",
    "Slamet",
]
FEMALE_NAMES = [
    "Ani",
    "Dewi",
    "Fitri",
    "Indah",
    "Kartini",
    "Lestari",
    "Nur",
    "Rina",
    "Siti",
    "Wati",
    "Yuliana",
    "Sri",
    "Ratna",
    "Aisyah",
    "Maria",
    "Hartini",
    "Suryani",
    "Nurhayati",
]
FAMILY_NAMES = [
    "Saputra",
    "Hidayat",
    "Santoso",
    "Wijaya",
    "Pratama",
    "Kurniawan",
    "Rahman",
    "Lestari",
    "Setiawan",
    "Nugroho",
    "Aji",
    "Syamsuddin",
    "Baharuddin",
    "Daeng",
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role | None
    scope: str  # a region code, or "coop:<village code>"
    superuser: bool = False


DEMO_USERS = [
    DemoUser("admin", "Admin Sistem", None, "", superuser=True),
    DemoUser("admin.formulir", "Rahmawati (Pengelola Formulir)", Role.FORM_ADMIN, "64"),
    DemoUser("provinsi", "Hj. Nurlela (Dinas Koperasi Provinsi)", Role.PROVINCE_OFFICER, "64"),
    DemoUser(
        "kabupaten.kukar", "Andi Mappa (Diskop Kutai Kartanegara)", Role.REGENCY_OFFICER, "64.02"
    ),
    DemoUser(
        "kecamatan.tenggarong",
        "Yohanes (Kec. Tenggarong Seberang)",
        Role.DISTRICT_OFFICER,
        "64.02.16",
    ),
    DemoUser(
        "operator",
        "Siti Aminah (Operator Bukit Raya)",
        Role.OPERATOR,
        f"coop:{DEMO_COOPERATIVE_VILLAGE}",
    ),
    DemoUser(
        "pengawas",
        "Bapak Suparno (Pengawas Bukit Raya)",
        Role.PENGAWAS,
        f"coop:{DEMO_COOPERATIVE_VILLAGE}",
    ),
    DemoUser(
        "petugas.pinjaman",
        "Dian Purnama (Petugas Pinjaman)",
        Role.LOAN_OFFICER,
        f"coop:{DEMO_COOPERATIVE_VILLAGE}",
    ),
    # Village government approving the cooperative's PMK 49/2025 financing.
    DemoUser(
        "kepala.desa",
        "Bapak Hasan (Kepala Desa Bukit Raya)",
        Role.VILLAGE_HEAD,
        DEMO_COOPERATIVE_VILLAGE,
    ),
    DemoUser("bupati.kukar", "Bupati Kutai Kartanegara", Role.REGENT, "64.02"),
    DemoUser("walikota.samarinda", "Wali Kota Samarinda", Role.REGENT, "64.72"),
    DemoUser(
        "operator.berau",
        "Markus (Operator Merabu-Panaan)",
        Role.OPERATOR,
        f"coop:{SHARED_VILLAGES[0]}",
    ),
]


def _pick_status(rng: random.Random) -> CooperativeStatus:
    total = sum(weight for _status, weight in STATUS_WEIGHTS)
    draw = rng.randrange(total)
    for status, weight in STATUS_WEIGHTS:
        if draw < weight:
            return status
        draw -= weight
    return CooperativeStatus.ACTIVE


def _cooperative_name(villages: list[Region]) -> str:
    kind = "Kelurahan" if villages[0].kind == "kelurahan" else "Desa"
    return f"Koperasi {kind} Merah Putih " + " – ".join(v.name for v in villages)


def _legal_fields(rng: random.Random, status: CooperativeStatus, code: str) -> dict[str, object]:
    if status in {CooperativeStatus.DRAFT, CooperativeStatus.SUBMITTED}:
        return {}
    digits = code.replace(".", "")
    return {
        "nik_koperasi": digits[:6] + f"{rng.randrange(10**10):010d}",
        "legal_entity_number": f"AHU-{rng.randrange(10**7):07d}.AH.01.29.TAHUN 2025",
        "legal_entity_date": datetime.date(2025, 7, 1)
        + datetime.timedelta(days=rng.randrange(150)),
        "npwp": f"{rng.randrange(10**15, 10**16)}",
        "nib": f"{rng.randrange(10**12, 10**13)}",
    }


def seed_cooperatives() -> int:
    """One cooperative for every village (two Berau villages share one). Returns how many were
    created by this run."""
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    villages = list(Region.objects.filter(level=RegionLevel.VILLAGE).order_by("code"))
    taken = set(
        Region.objects.filter(cooperative_link__isnull=False).values_list("code", flat=True)
    )
    units = business_units_ensure_standard()
    by_code = {v.code: v for v in villages}
    created = 0
    for village in villages:
        status = _pick_status(rng)
        legal = _legal_fields(rng, status, village.code)
        if village.code == SHARED_VILLAGES[1]:
            continue
        group = [village]
        if village.code == SHARED_VILLAGES[0]:
            group.append(by_code[SHARED_VILLAGES[1]])
        if village.code in {DEMO_COOPERATIVE_VILLAGE, SHARED_VILLAGES[0], CITY_VILLAGE}:
            status = CooperativeStatus.ACTIVE
            legal = _legal_fields(rng, status, village.code)
        if village.code in taken:
            continue
        with transaction.atomic():
            cooperative = cooperative_create(
                name=_cooperative_name(group),
                home_village=village,
                other_villages=group[1:],
                business_units=units,
                address=f"Kantor Desa {village.name}",
                **legal,
            )
            cooperative_advance_to(cooperative=cooperative, to_status=status, note="Data demo")
        created += 1
    return created


def _nik(
    rng: random.Random, district_code: str, birth: datetime.date, sex: str, serial: int
) -> str:
    day = birth.day + (40 if sex == Sex.FEMALE else 0)
    return f"{district_code.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def seed_members(cooperative: Cooperative, count: int, seed: int) -> int:
    if cooperative.members.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    villages = list(cooperative.villages.all())
    for serial in range(1, count + 1):
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        first = rng.choice(MALE_NAMES if sex == Sex.MALE else FEMALE_NAMES)
        birth = datetime.date(1955, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 50))
        village = rng.choice(villages)
        member = member_create(
            cooperative=cooperative,
            nik=_nik(rng, village.district_code, birth, sex, serial),
            name=f"{first} {rng.choice(FAMILY_NAMES)}",
            sex=sex,
            join_date=datetime.date(2025, 8, 1) + datetime.timedelta(days=rng.randrange(400)),
            birth_place=rng.choice(["Tenggarong", "Samarinda", "Balikpapan", "Berau", "Makassar"]),
            birth_date=birth,
            address=f"Jl. {rng.choice(['Poros', 'Merdeka', 'Mawar', 'Pramuka'])} No. {serial}",
            rt=f"{rng.randrange(1, 20):03d}",
            rw=f"{rng.randrange(1, 6):03d}",
            village=village,
            phone=f"08{rng.randrange(11, 13)}{rng.randrange(10**7, 10**8)}",
        )
        if serial % 37 == 0:
            member.status = MemberStatus.RESIGNED
            member.save(update_fields=["status"])
    return count


def seed_users() -> list[DemoUser]:
    user_model = get_user_model()
    for demo in DEMO_USERS:
        user, created = user_model.objects.get_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.full_name,
                "is_superuser": demo.superuser,
                "is_staff": demo.superuser,
                "email": f"{demo.username}@kopdes.example",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if demo.role is None:
            continue
        if demo.scope.startswith("coop:"):
            cooperative = Cooperative.objects.get(village_links__village_id=demo.scope[5:])
            role_grant_create(user=user, role=demo.role, cooperative=cooperative)
        else:
            role_grant_create(user=user, role=demo.role, region=Region.objects.get(code=demo.scope))
    return DEMO_USERS


def seed_demo() -> dict[str, int]:
    """Regions, cooperatives, members and a user for every role. Safe to run again."""
    regions = regions_load()
    cooperatives = seed_cooperatives()
    members = 0
    for offset, (code, count) in enumerate(
        [(DEMO_COOPERATIVE_VILLAGE, 120), (SHARED_VILLAGES[0], 40), (CITY_VILLAGE, 30)]
    ):
        members += seed_members(
            Cooperative.objects.get(village_links__village_id=code), count, 100 + offset
        )
    # One person registered in two cooperatives, so officers see the duplicate-NIK flag.
    home = Cooperative.objects.get(village_links__village_id=DEMO_COOPERATIVE_VILLAGE)
    other = Cooperative.objects.get(village_links__village_id=SHARED_VILLAGES[0])
    person = home.members.order_by("id").first()
    if person and not other.members.filter(nik=person.nik).exists():
        member_create(
            cooperative=other,
            nik=person.nik,
            name=person.name,
            sex=person.sex,
            join_date=datetime.date(2026, 2, 1),
            birth_date=person.birth_date,
        )
    seed_users()
    return {"regions_created": regions.created, "cooperatives": cooperatives, "members": members}
