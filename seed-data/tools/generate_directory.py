#!/usr/bin/env python3
"""Deterministic generator of directory entries for Jiangsu (SAMPLE data, not real offices).

  python3 seed-data/tools/generate_directory.py                      # the seed set -> seed-data/directory.csv
  python3 seed-data/tools/generate_directory.py --count 100000 --out /tmp/dir.csv   # a benchmark set

The same arguments always give the same file. Coordinates are WGS-84, scattered within about 3 km of an
approximate centre of the entry's county-level unit (seed-data/tools/jiangsu-county-centres.csv).
"""
import argparse
import csv
import random
from pathlib import Path

from samplegen import AREA_CODES, ROADS, county_centres, divisions as divisions_by_code

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["康乐", "福寿", "颐和", "安康", "松鹤", "夕阳红", "长青", "仁爱", "和煦", "金秋", "嘉禾", "春晖",
         "怡园", "晨曦", "慈恩", "德馨", "百合", "清泉", "瑞福", "九如"]
OFFICE_HOURS = "周一至周五 09:00-12:00, 13:30-17:00（法定节假日除外）"
SERVICES = {
    "administrative-division": ["行政区划管理", "地名管理", "界线管理"],
    "relief-station": ["生活无着流浪乞讨人员救助", "寻亲服务", "护送返乡"],
    "minor-protection-center": ["未成年人临时监护", "困境儿童帮扶", "心理疏导"],
    "marriage-registry": ["结婚登记", "离婚登记", "补领婚姻登记证", "颁证仪式"],
    "funeral-home": ["遗体接运", "遗体火化", "告别仪式", "骨灰寄存"],
    "eldercare-facility": ["自理", "半护理", "全护理", "失智照护"],
    "child-welfare-institution": ["孤残儿童养育", "康复训练", "特殊教育"],
    "cemetery": ["骨灰安葬", "生态葬", "祭扫服务"],
    "community-service-center": ["社会救助受理", "养老服务", "社区事务代办"],
    "social-organization": ["社会服务", "公益慈善", "志愿服务"],
}
HOURS = {"relief-station": "24小时", "funeral-home": "24小时", "cemetery": "每日 07:00-17:00"}


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.divisions = divisions = divisions_by_code()
        self.centres = county_centres()
        self.cities = sorted(c for c in divisions if len(c) == 4 and c.startswith("32"))
        self.counties = sorted(self.centres)
        self.townships = {}
        for code in divisions:
            if len(code) == 9 and code[:6] in self.centres:
                self.townships.setdefault(code[:6], []).append(code)
        self.rows = []

    def county_of_city(self, city):
        # The first urban district stands for the city's seat.
        return next(c for c in self.counties if c.startswith(city))

    def add(self, type_, name, division, county):
        lat0, lng0 = self.centres[county]
        lat = round(lat0 + self.rng.uniform(-0.025, 0.025), 6)
        lng = round(lng0 + self.rng.uniform(-0.03, 0.03), 6)
        city = county[:4]
        place = self.divisions[city]["name"] + self.divisions[county]["name"]
        if len(division) == 9:
            place += self.divisions[division]["name"]
        address = f"江苏省{place}{self.rng.choice(ROADS)}{self.rng.randint(1, 399)}号"
        phone = f"{AREA_CODES[city]}-{self.rng.randint(5000_0000, 8999_9999)}"
        self.rows.append([len(self.rows) + 1, type_, name, division, address, f"{lat:.6f}", f"{lng:.6f}", phone,
                          HOURS.get(type_, OFFICE_HOURS), ";".join(SERVICES[type_]), "2026-11-01T00:00:00Z"])

    def name(self, code):
        return self.divisions[code]["name"]

    def seed_set(self):
        for city in self.cities:
            seat = self.county_of_city(city)
            c = self.name(city)
            self.add("administrative-division", f"{c}民政局区划地名处", seat, seat)
            self.add("relief-station", f"{c}救助管理站", seat, seat)
            self.add("minor-protection-center", f"{c}未成年人保护中心", seat, seat)
            self.add("funeral-home", f"{c}殡仪馆", seat, seat)
            self.add("child-welfare-institution", f"{c}儿童福利院", seat, seat)
            self.add("cemetery", f"{c}{self.rng.choice(WORDS)}公墓", seat, seat)
            self.add("social-organization", f"{c}慈善总会", seat, seat)
            self.add("social-organization", f"{c}志愿者协会", seat, seat)
            for county in (k for k in self.counties if k.startswith(city)):
                n = self.name(county)
                self.add("marriage-registry", f"{c}{n}婚姻登记处", county, county)
                self.add("eldercare-facility", f"{n}社会福利中心", county, county)
                self.add("eldercare-facility", f"{n}{self.rng.choice(WORDS)}颐养院", county, county)
                if county[4] == "8":  # county-level cities run their own relief stations and funeral homes
                    self.add("relief-station", f"{n}救助站", county, county)
                    self.add("funeral-home", f"{n}殡仪馆", county, county)
                towns = self.townships.get(county, [])
                for town in towns[:2]:
                    self.add("community-service-center", f"{self.name(town)}社区综合服务中心", town, county)

    def bulk(self, count):
        types = list(SERVICES)
        while len(self.rows) < count:
            county = self.rng.choice(self.counties)
            towns = self.townships.get(county) or [county]
            town = self.rng.choice(towns)
            type_ = self.rng.choice(types)
            label = self.name(town) if len(town) == 9 else self.name(county)
            name = f"{label}{self.rng.choice(WORDS)}{SERVICES[type_][0][:2]}{type_and_suffix(type_)}{len(self.rows) + 1}号"
            self.add(type_, name, town, county)


def type_and_suffix(type_):
    return {"administrative-division": "地名办", "relief-station": "救助站", "minor-protection-center": "保护站",
            "marriage-registry": "登记点", "funeral-home": "殡仪服务站", "eldercare-facility": "养老院",
            "child-welfare-institution": "福利院", "cemetery": "公墓", "community-service-center": "服务中心",
            "social-organization": "协会"}[type_]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--count", type=int, default=0, help="make this many random entries instead of the seed set")
    p.add_argument("--out", default=str(ROOT / "directory.csv"))
    a = p.parse_args()
    g = Generator(a.seed)
    g.bulk(a.count) if a.count else g.seed_set()
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "type", "name", "division_code", "address", "lat", "lng", "phone", "opening_hours",
                    "services", "updated_at"])
        w.writerows(g.rows)
    print(f"{a.out}: {len(g.rows)} entries")


if __name__ == "__main__":
    main()
