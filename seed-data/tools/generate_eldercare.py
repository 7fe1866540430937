#!/usr/bin/env python3
"""Deterministic generator of Jiangsu eldercare facilities (SAMPLE data, not real facilities).

  python3 seed-data/tools/generate_eldercare.py                                    # -> seed-data/eldercare-facilities.csv
  python3 seed-data/tools/generate_eldercare.py --count 50000 --out /tmp/elder.csv   # a benchmark set

Names, addresses, phone numbers, beds, prices and ratings are invented. Coordinates are WGS-84, scattered
within 4 km of an approximate centre of the facility's county-level unit (seed-data/tools/jiangsu-county-centres.csv).
The same arguments always give the same file.

Columns: id, name, division_code (6-digit county-level code), address, lat, lng,
nature (public | private | public_built_private_run), beds_total, beds_free,
care_levels (`;`-separated, in the order independent;partial_care;full_care;disabled;dementia),
medical (onsite_clinic | partner_clinic | none), star (0 = not rated yet, 1-5), price_min, price_max
(yuan a month), phone, updated_at (ISO 8601).
"""
import argparse
import csv
import math
import random
from pathlib import Path

from samplegen import AREA_CODES, ROADS, area, cn_number, county_centres, divisions, weighted

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["id", "name", "division_code", "address", "lat", "lng", "nature", "beds_total", "beds_free",
          "care_levels", "medical", "star", "price_min", "price_max", "phone", "updated_at"]
UPDATED_AT = "2026-11-01T00:00:00Z"
RADIUS_KM = 4.0

NATURES = [("public", 35), ("private", 45), ("public_built_private_run", 20)]
MEDICAL = [("onsite_clinic", 35), ("partner_clinic", 45), ("none", 20)]
STARS = [(0, 15), (1, 5), (2, 20), (3, 30), (4, 20), (5, 10)]
# Each level is accepted with its own probability; the column keeps this canonical order.
CARE_LEVELS = [("independent", 0.70), ("partial_care", 0.75), ("full_care", 0.65), ("disabled", 0.50),
               ("dementia", 0.30)]

BRANDS = ["康乐", "福寿", "颐和", "安康", "松鹤", "夕阳红", "长青", "仁爱", "和煦", "金秋", "嘉禾", "春晖", "怡园",
          "晨曦", "慈恩", "德馨", "百合", "清泉", "瑞福", "九如", "乐龄", "天伦", "永安", "惠民", "青松", "银杏",
          "梧桐", "紫荆", "明德", "沐恩", "福星", "吉祥", "如意", "祥和", "雅居", "鹤年", "寿康", "康宁", "颐寿",
          "椿萱", "福乐", "安泰", "泰和", "悦年", "寿星", "万福", "福满堂", "金色年华", "康馨", "欣悦", "爱晚",
          "晚晴", "乐寿", "百岁", "常青藤", "暖阳", "阳光", "睦邻", "和美", "福缘"]
SUFFIXES = ["养老院", "颐养院", "颐养中心", "老年公寓", "养护院", "康养中心", "养老服务中心", "长者照护之家",
            "老年养护中心"]
MEDICAL_SUFFIXES = ["护理院", "医养中心", "康复护理院"]  # medical institutions: only with an on-site clinic


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.divisions = divisions()
        self.centres = county_centres()
        self.counties = sorted(self.centres)
        # City districts get more facilities than counties; development zones fewer.
        self.weights = [3 if c[4] in "01" else 1 if c[4] == "7" else 2 for c in self.counties]
        self.townships = {}
        for code, row in self.divisions.items():
            if len(code) == 9 and code[:6] in self.centres and row["functional_zone"] == "0":
                self.townships.setdefault(code[:6], []).append(row["name"])
        self.names, self.rows = set(), []

    def name_of(self, code):
        return self.divisions[code]["name"]

    def area(self, county):
        return area(self.divisions, county)

    def unique_name(self, county, nature, medical):
        rng = self.rng
        suffixes = SUFFIXES + (MEDICAL_SUFFIXES if medical == "onsite_clinic" else []) \
            + (["敬老院", "社会福利院"] if nature == "public" else [])
        towns = self.townships.get(county, [])
        area = self.area(county)
        attempts = []
        if nature != "private" and towns and rng.random() < 0.35:
            town = rng.choice(towns)  # township homes for the elderly: 梅园新村街道敬老院
            attempts += [town + "敬老院", area + town + "敬老院", area + town + "颐养院"]
        if nature == "public" and rng.random() < 0.1:
            attempts.append(area + rng.choice(["社会福利中心", "社会福利院", "老年公寓", "养老服务中心"]))
        for _ in range(4):
            # Most carry the district's name, some only the city's (苏州市颐和养老院), some a township's.
            where = rng.random()
            prefix = area if where < 0.6 else self.name_of(county[:4]) if where < 0.8 or not towns \
                else rng.choice(towns)
            attempts.append(prefix + rng.choice(BRANDS) + rng.choice(suffixes))
        for name in attempts:
            if name not in self.names:
                break
        else:  # rare (benchmark sizes): an ordinal keeps it unique, 南京市玄武区颐和第二养老院
            brand, suffix, n = rng.choice(BRANDS), rng.choice(suffixes), 2
            while f"{area}{brand}第{cn_number(n)}{suffix}" in self.names:
                n += 1
            name = f"{area}{brand}第{cn_number(n)}{suffix}"
        self.names.add(name)
        return name

    def make(self, county):
        rng = self.rng
        nature = weighted(rng, NATURES)
        medical = weighted(rng, MEDICAL)
        name = self.unique_name(county, nature, medical)

        # Uniform over a disc of RADIUS_KM around the county's centre.
        lat0, lng0 = self.centres[county]
        r, angle = RADIUS_KM * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
        lat = lat0 + r * math.cos(angle) / 111.32
        lng = lng0 + r * math.sin(angle) / (111.32 * math.cos(math.radians(lat0)))

        beds = 20 + int(780 * rng.random() ** 2)  # most are small
        free = 0 if rng.random() < 0.2 else 1 + int((beds - 1) * rng.random() ** 2)
        levels = [name_ for name_, p in CARE_LEVELS if rng.random() < p] or [rng.choice(CARE_LEVELS)[0]]
        star = weighted(rng, STARS)
        # Price rises with the rating and is lower in public homes; whole hundreds of yuan.
        base = 1600 + 600 * star + (0 if nature == "private" else -400) + rng.randint(0, 40) * 100
        price_min = min(max(base // 100 * 100, 1200), 10000)
        price_max = min(price_min + rng.randint(0, 40) * 100, 12000)

        city = county[:4]
        address = f"江苏省{self.name_of(city)}{self.name_of(county)}{rng.choice(ROADS)}{rng.randint(1, 399)}号"
        phone = f"{AREA_CODES[city]}-{rng.randint(5000_0000, 8999_9999)}"
        return [len(self.rows) + 1, name, county, address, f"{lat:.6f}", f"{lng:.6f}", nature, beds, free,
                ";".join(levels), medical, star, price_min, price_max, phone, UPDATED_AT]

    def generate(self, count):
        # Every county-level unit gets at least one facility (when count allows), the rest by weight.
        if count >= len(self.counties):
            picks = self.counties + self.rng.choices(self.counties, self.weights, k=count - len(self.counties))
        else:
            picks = self.rng.choices(self.counties, self.weights, k=count)
        self.rng.shuffle(picks)
        for county in picks:
            self.rows.append(self.make(county))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--count", type=int, default=1200)
    p.add_argument("--out", default=str(ROOT / "eldercare-facilities.csv"))
    a = p.parse_args()
    g = Generator(a.seed)
    g.generate(a.count)
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(g.rows)
    print(f"{a.out}: {len(g.rows)} eldercare facilities")


if __name__ == "__main__":
    main()
