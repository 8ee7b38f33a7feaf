"""Which village a spreadsheet means by “Bukit Raya”.

Village names repeat inside Kaltim (three “Bukit Raya”, two “Api-api”), so a name alone never
decides. A code always does; a name is looked up first among the cooperative's own kecamatan,
then in the kecamatan the member's NIK encodes (its first six digits), and a name that stays
ambiguous is an error that lists the candidates with their codes.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cooperatives.enums import RegionLevel
from cooperatives.models import Cooperative, CooperativeVillage, Region

_PREFIX = re.compile(r"^(?:desa|kelurahan|kel|ds|dsn)\b[\s.]*", re.I)


def _name_key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", _PREFIX.sub("", text.strip().lower()))


@dataclass(frozen=True)
class Village:
    code: str
    label: str  # “Desa Bukit Raya, Kec. Tenggarong Seberang (64.02.16.2002)”
    district_code: str


class VillageNotFound(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class VillageResolver:
    def __init__(self, cooperative: Cooperative) -> None:
        districts = dict(
            Region.objects.filter(level=RegionLevel.DISTRICT).values_list("code", "name")
        )
        self.by_code: dict[str, Village] = {}
        self.by_name: dict[str, list[Village]] = {}
        for code, name, kind, district in Region.objects.filter(
            level=RegionLevel.VILLAGE
        ).values_list("code", "name", "kind", "district_code"):
            village = Village(
                code,
                f"{kind.capitalize()} {name}, Kec. {districts.get(district, '?')} ({code})",
                district,
            )
            self.by_code[code] = village
            self.by_code[code.replace(".", "")] = village
            self.by_name.setdefault(_name_key(name), []).append(village)
        links = CooperativeVillage.objects.filter(cooperative=cooperative)
        self.own_villages = set(links.values_list("village_id", flat=True))
        self.own_districts = set(links.values_list("district_code", flat=True))
        self._cache: dict[tuple[str, str], Village | VillageNotFound] = {}

    def resolve(self, text: str, nik: str | None) -> Village:
        """The village `text` names (a code or a name). Raises VillageNotFound."""
        district_from_nik = f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}" if nik else ""
        cache_key = (text, district_from_nik)
        cached = self._cache.get(cache_key)
        if cached is None:
            cached = self._cache[cache_key] = self._resolve(text, district_from_nik)
        if isinstance(cached, VillageNotFound):
            raise cached
        return cached

    def _resolve(self, text: str, district_from_nik: str) -> "Village | VillageNotFound":
        compact = re.sub(r"[\s.]", "", text)
        if compact.isdigit():
            village = self.by_code.get(compact)
            if village is None:
                return VillageNotFound(
                    "village_code_unknown",
                    _("There is no village with code %(code)s in Kalimantan Timur.")
                    % {"code": text},
                )
            return village
        candidates = self.by_name.get(_name_key(text), [])
        if not candidates:
            return VillageNotFound(
                "village_unknown",
                _(
                    "There is no village named “%(name)s” in Kalimantan Timur. Check the spelling "
                    "or write the village code."
                )
                % {"name": text},
            )
        narrowed = False
        for scope in (self.own_districts, {district_from_nik} if district_from_nik else set()):
            inside = [village for village in candidates if village.district_code in scope]
            if len(inside) == 1:
                return inside[0]
            if len(inside) > 1:
                candidates, narrowed = inside, True
                break
        if not narrowed:
            # Unique in the province is not enough: the member's kecamatan must agree.
            return VillageNotFound(
                "village_elsewhere",
                _(
                    "No village named “%(name)s” lies in the cooperative's kecamatan or in the "
                    "kecamatan of the NIK. Villages with this name: %(candidates)s. Write the "
                    "village code instead."
                )
                % {"name": text, "candidates": "; ".join(v.label for v in candidates)},
            )
        return VillageNotFound(
            "village_ambiguous",
            _(
                "More than one village is named “%(name)s”: %(candidates)s. Write the village "
                "code instead."
            )
            % {"name": text, "candidates": "; ".join(village.label for village in candidates)},
        )
