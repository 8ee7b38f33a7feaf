"""Regenerate the Kaltim region extract and the province code list from idn-area-data.

The source is the npm package idn-area-data 4.x (data under ODbL 1.0, based on
Kepmendagri 300.2.2-2138/2025). Fetch and unpack it, then run this script:

    npm pack idn-area-data@4.0.1 && tar xzf idn-area-data-4.0.1.tgz
    python scripts/extract_kaltim_regions.py package/data

It writes cooperatives/data/kaltim_regions.csv and cooperatives/data/province_codes.csv.
"""

import csv
import sys
from pathlib import Path

PROVINCE_CODE = "64"
OUT_DIR = Path(__file__).resolve().parent.parent / "cooperatives" / "data"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main(source: Path) -> None:
    provinces = read(source / "provinces.csv")
    regencies = [r for r in read(source / "regencies.csv") if r["province_code"] == PROVINCE_CODE]
    regency_codes = {r["code"] for r in regencies}
    districts = [d for d in read(source / "districts.csv") if d["regency_code"] in regency_codes]
    district_codes = {d["code"] for d in districts}
    villages = [v for v in read(source / "villages.csv") if v["district_code"] in district_codes]

    rows: list[dict[str, str]] = []
    for province in provinces:
        if province["code"] == PROVINCE_CODE:
            rows.append(
                {
                    "code": province["code"],
                    "name": province["name"],
                    "level": "province",
                    "parent_code": "",
                    "kind": "provinsi",
                }
            )
    for regency in regencies:
        kind = "kota" if regency["name"].startswith("Kota ") else "kabupaten"
        rows.append(
            {
                "code": regency["code"],
                "name": regency["name"],
                "level": "regency",
                "parent_code": regency["province_code"],
                "kind": kind,
            }
        )
    for district in districts:
        rows.append(
            {
                "code": district["code"],
                "name": district["name"],
                "level": "district",
                "parent_code": district["regency_code"],
                "kind": "kecamatan",
            }
        )
    for village in villages:
        # Kemendagri numbers kelurahan 1xxx and desa 2xxx within a kecamatan.
        kind = "kelurahan" if village["code"].split(".")[3].startswith("1") else "desa"
        rows.append(
            {
                "code": village["code"],
                "name": village["name"],
                "level": "village",
                "parent_code": village["district_code"],
                "kind": kind,
            }
        )

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with (OUT_DIR / "kaltim_regions.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["code", "name", "level", "parent_code", "kind"])
        writer.writeheader()
        writer.writerows(rows)
    with (OUT_DIR / "province_codes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["code", "name"])
        writer.writeheader()
        writer.writerows({"code": p["code"], "name": p["name"]} for p in provinces)
    print(f"{len(regencies)} regencies, {len(districts)} districts, {len(villages)} villages")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
