#!/usr/bin/env python3
"""Builds seed-data/divisions.csv from the statistics release in ../shared/data/divisions/.

Keeps every province, city and county of China and every township of Jiangsu (province 32).
Run from the repository root:  python3 seed-data/tools/build_divisions.py ../shared/data/divisions
"""
import csv
import sys
from pathlib import Path

JIANGSU = "32"


def functional_county(code: str) -> bool:
    # County codes 7x are development zones and parks in the statistics list, not legal divisions.
    return code[4] == "7"


def functional_township(code: str, county_is_functional: bool) -> bool:
    # Township parts 4xx-5xx are "similar to township" units (development zones, farms, parks).
    return county_is_functional or int(code[6:9]) >= 400


def main(source: Path, target: Path) -> None:
    rows = []
    with open(source / "provinces.csv", encoding="utf-8") as f:
        rows += [(r["code"], r["name"], 0) for r in csv.DictReader(f)]
    with open(source / "cities.csv", encoding="utf-8") as f:
        rows += [(r["code"], r["name"], 0) for r in csv.DictReader(f)]
    functional = set()
    with open(source / "areas.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["code"].endswith("00"):
                continue  # cities without counties (东莞市 441900) repeat the city as its own county
            zone = functional_county(r["code"])
            if zone:
                functional.add(r["code"])
            rows.append((r["code"], r["name"], int(zone)))
    with open(source / "streets.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["provinceCode"] == JIANGSU:
                rows.append((r["code"], r["name"], int(functional_township(r["code"], r["areaCode"] in functional))))
    rows.sort()
    with open(target, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "functional_zone"])
        w.writerows(rows)
    print(f"{target}: {len(rows)} divisions")


if __name__ == "__main__":
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/divisions")
    main(src, Path("seed-data/divisions.csv"))
