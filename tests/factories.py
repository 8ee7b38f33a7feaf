"""Factories that build through the services, so test data obeys the same rules as real data."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model

from cooperatives.enums import CooperativeStatus, RegionLevel, Sex
from cooperatives.models import Cooperative, Member, Region
from cooperatives.services import cooperative_advance_to, cooperative_create, member_create

PASSWORD = "Uji-Coba-Desa-2026"


def free_village() -> Region:
    """A village that has no cooperative yet (regions must be loaded)."""
    village = (
        Region.objects.filter(level=RegionLevel.VILLAGE, cooperative_link__isnull=True)
        .order_by("code")
        .first()
    )
    assert village is not None, "no free village left; are regions loaded?"
    return village


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda o: o.username.title())
    email = factory.LazyAttribute(lambda o: f"{o.username}@kopdes.example")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class CooperativeFactory(factory.django.DjangoModelFactory):
    """`CooperativeFactory(status=CooperativeStatus.ACTIVE)` walks the lifecycle through the
    service, leaving the same audit rows a real cooperative has."""

    class Meta:
        model = Cooperative

    name = factory.Sequence(lambda n: f"Koperasi Desa Merah Putih Uji {n}")
    home_village = factory.LazyFunction(free_village)
    status = CooperativeStatus.DRAFT

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Cooperative:
        status = kwargs.pop("status", CooperativeStatus.DRAFT)
        cooperative = cooperative_create(**kwargs)  # type: ignore[arg-type]
        return cooperative_advance_to(cooperative=cooperative, to_status=status)


_nik_serial = itertools.count(1)


def make_nik(
    district_code: str = "64.02.16",
    *,
    female: bool = False,
    birth: datetime.date = datetime.date(1980, 8, 17),
) -> str:
    day = birth.day + (40 if female else 0)
    serial = next(_nik_serial) % 10000
    return (
        f"{district_code.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}"
        f"{serial:04d}"
    )


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    cooperative = factory.SubFactory(CooperativeFactory)
    name = factory.Sequence(lambda n: f"Anggota {n}")
    sex = Sex.MALE
    nik = factory.LazyAttribute(lambda o: make_nik(female=o.sex == Sex.FEMALE))
    join_date = datetime.date(2025, 9, 1)

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Member:
        return member_create(**kwargs)  # type: ignore[arg-type]
