from collections import Counter

import pytest
from django.core.management import call_command

from cooperatives.enums import RegionKind, RegionLevel
from cooperatives.models import Region
from cooperatives.services import regions_load

pytestmark = pytest.mark.django_db


def test_all_of_kaltim_is_loaded_with_official_counts():
    result = regions_load()
    assert result.created == 1 + 10 + 105 + 1038
    levels = Counter(Region.objects.values_list("level", flat=True))
    assert levels == {
        RegionLevel.PROVINCE: 1,
        RegionLevel.REGENCY: 10,
        RegionLevel.DISTRICT: 105,
        RegionLevel.VILLAGE: 1038,
    }
    kinds = Counter(Region.objects.filter(level=RegionLevel.VILLAGE).values_list("kind", flat=True))
    assert kinds == {RegionKind.DESA: 841, RegionKind.KELURAHAN: 197}
    assert Region.objects.filter(level=RegionLevel.REGENCY, kind=RegionKind.KOTA).count() == 3


def test_codes_are_dotted_and_parents_follow_them():
    regions_load()
    village = Region.objects.get(code="64.02.16.2002")
    assert village.name == "Bukit Raya"
    assert village.parent.code == "64.02.16"
    assert village.parent.parent.code == "64.02"
    assert village.parent.parent.parent.code == "64"
    assert (village.regency_code, village.district_code) == ("64.02", "64.02.16")
    # Every non-root region's parent is the code minus its last segment.
    for code, parent in Region.objects.exclude(parent=None).values_list("code", "parent_id"):
        assert code.rsplit(".", 1)[0] == parent


def test_village_names_repeat_so_nothing_may_look_them_up_by_name_alone():
    regions_load()
    assert Region.objects.filter(level=RegionLevel.VILLAGE, name="Bukit Raya").count() == 3
    assert Region.objects.filter(level=RegionLevel.VILLAGE, name="Api-api").count() == 2


def test_loading_again_changes_nothing(capsys):
    call_command("load_regions")
    before = list(Region.objects.values_list("code", "name", "parent_id", "kind"))
    call_command("load_regions")
    assert "0 created, 0 updated, 1154 unchanged" in capsys.readouterr().out
    assert list(Region.objects.values_list("code", "name", "parent_id", "kind")) == before


def test_a_renamed_region_is_corrected_on_the_next_load():
    regions_load()
    Region.objects.filter(code="64.02.16.2002").update(name="Salah Ketik")
    result = regions_load()
    assert (result.created, result.updated) == (0, 1)
    assert Region.objects.get(code="64.02.16.2002").name == "Bukit Raya"
