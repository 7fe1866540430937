#!/usr/bin/env python3
"""Checks the sample social-organisation and eldercare CSV files; prints counts, exits 1 on any problem.

  python3 seed-data/tools/check_seed.py                                          # the seed files
  python3 seed-data/tools/check_seed.py --orgs /tmp/orgs.csv --eldercare /tmp/elder.csv

The credit-code checks are written out again here from the domain handbook (not imported from the
generator), so the two implementations check each other.
"""
import argparse
import csv
import math
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
GB11714_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
LETTER_VALUES = {ch: i for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
ORG_HEADER = ["credit_code", "name", "org_type", "status", "authority", "division_code", "registered_on",
              "legal_representative", "address", "phone", "inspections", "list_entries"]
ELDER_HEADER = ["id", "name", "division_code", "address", "lat", "lng", "nature", "beds_total", "beds_free",
                "care_levels", "medical", "star", "price_min", "price_max", "phone", "updated_at"]
CATEGORY = {"social_group": "1", "social_service": "2", "foundation": "3"}
STATUSES = {"active", "deregistered", "registration_revoked", "certificate_revoked"}
CARE_ORDER = ["independent", "partial_care", "full_care", "disabled", "dementia"]


def gb32100_ok(code):
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(code[:17], GB32100_WEIGHTS))
    return code[17] == ALPHABET[(31 - total % 31) % 31]


def gb11714_ok(org_code):
    c = 11 - sum(LETTER_VALUES[ch] * w for ch, w in zip(org_code[:8], GB11714_WEIGHTS)) % 11
    return org_code[8] == {10: "X", 11: "0"}.get(c, str(c))


class Report:
    def __init__(self):
        self.problems = 0

    def fail(self, where, what):
        self.problems += 1
        if self.problems <= 20:
            print(f"  PROBLEM {where}: {what}")


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def check_orgs(path, report, divisions):
    header, rows = read(path)
    print(f"{path}: {len(rows)} rows")
    if header != ORG_HEADER:
        report.fail("header", header)
    codes, names = set(), set()
    for n, r in enumerate(rows, start=2):
        where = f"line {n}"
        if len(r) != len(ORG_HEADER):
            report.fail(where, f"{len(r)} fields")
            continue
        row = dict(zip(ORG_HEADER, r))
        code = row["credit_code"]
        if len(code) != 18 or any(ch not in ALPHABET for ch in code):
            report.fail(where, f"malformed credit code {code}")
            continue
        if not gb32100_ok(code):
            report.fail(where, f"GB 32100 check fails for {code}")
        if not gb11714_ok(code[8:17]):
            report.fail(where, f"GB 11714 check fails for {code}")
        if code[0] != "5" or code[1] != CATEGORY.get(row["org_type"]):
            report.fail(where, f"{code} does not fit type {row['org_type']}")
        division = row["division_code"]
        if len(division) not in (2, 4, 6) or code[2:8] != division.ljust(6, "0") or division not in divisions:
            report.fail(where, f"division {division} vs code {code}")
        if (row["authority"] != "江苏省民政厅") if division == "32" else not row["authority"].endswith("民政局"):
            report.fail(where, f"authority {row['authority']}")
        if code in codes:
            report.fail(where, f"duplicate code {code}")
        if row["name"] in names:
            report.fail(where, f"duplicate name {row['name']}")
        codes.add(code)
        names.add(row["name"])
        if row["status"] not in STATUSES:
            report.fail(where, f"status {row['status']}")
        if not ("1995-01-01" <= row["registered_on"] <= "2026-06-30") or \
                not re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["registered_on"]):
            report.fail(where, f"registered_on {row['registered_on']}")
        years = [item.split(":") for item in row["inspections"].split(";") if item]
        if any(len(y) != 2 or y[1] not in ("pass", "basic_pass", "fail") or not 2021 <= int(y[0]) <= 2025
               or int(y[0]) <= int(row["registered_on"][:4]) for y in years):
            report.fail(where, f"inspections {row['inspections']}")
        for entry in (e for e in row["list_entries"].split("|") if e):
            parts = entry.split(":")
            if len(parts) != 3 or parts[0] not in ("irregular_activity", "serious_dishonesty") \
                    or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", parts[1]) or not parts[2]:
                report.fail(where, f"list entry {entry}")
    count = lambda i: dict(Counter(r[i] for r in rows))
    lists = Counter(e.split(":")[0] for r in rows for e in r[11].split("|") if e)
    results = Counter(y.split(":")[1] for r in rows for y in r[10].split(";") if y)
    print(f"  types {count(2)}\n  statuses {count(3)}\n  authority levels "
          f"{dict(Counter({2: 'province', 4: 'city', 6: 'county'}[len(r[5])] for r in rows))}")
    print(f"  list entries {dict(lists)}; organisations on a list {sum(bool(r[11]) for r in rows)}")
    print(f"  inspection results {dict(results)}; organisations without any {sum(not r[10] for r in rows)}")
    # Everything a test may look for occurs within the first 60 rows.
    head = rows[:60]
    seen = {r[2] for r in head} | {r[3] for r in head} | \
        {e.split(":")[0] for r in head for e in r[11].split("|") if e} | \
        {y.split(":")[1] for r in head for y in r[10].split(";") if y}
    wanted = set(CATEGORY) | STATUSES | {"irregular_activity", "serious_dishonesty", "pass", "basic_pass", "fail"}
    if len(rows) >= 60 and not wanted <= seen:
        report.fail("first 60 rows", f"lack {wanted - seen}")


def check_eldercare(path, report, centres):
    header, rows = read(path)
    print(f"{path}: {len(rows)} rows")
    if header != ELDER_HEADER:
        report.fail("header", header)
    names = set()
    for n, r in enumerate(rows, start=2):
        where = f"line {n}"
        if len(r) != len(ELDER_HEADER):
            report.fail(where, f"{len(r)} fields")
            continue
        row = dict(zip(ELDER_HEADER, r))
        if row["id"] != str(n - 1):
            report.fail(where, f"id {row['id']}")
        if row["name"] in names:
            report.fail(where, f"duplicate name {row['name']}")
        names.add(row["name"])
        centre = centres.get(row["division_code"])
        if centre is None:
            report.fail(where, f"division {row['division_code']}")
            continue
        lat, lng = float(row["lat"]), float(row["lng"])
        km = math.hypot((lat - centre[0]) * 111.32, (lng - centre[1]) * 111.32 * math.cos(math.radians(centre[0])))
        if km > 4.05 or not re.fullmatch(r"\d+\.\d{6}", row["lat"]) or not re.fullmatch(r"\d+\.\d{6}", row["lng"]):
            report.fail(where, f"coordinates {lat},{lng} are {km:.1f} km from the centre")
        beds, free = int(row["beds_total"]), int(row["beds_free"])
        if not (20 <= beds <= 800 and 0 <= free <= beds):
            report.fail(where, f"beds {beds}/{free}")
        levels = row["care_levels"].split(";")
        if not levels or levels != [lv for lv in CARE_ORDER if lv in levels]:
            report.fail(where, f"care levels {row['care_levels']}")
        lo, hi = int(row["price_min"]), int(row["price_max"])
        if not (1200 <= lo <= hi <= 12000 and hi - lo <= 4000):
            report.fail(where, f"prices {lo}-{hi}")
        if row["nature"] not in ("public", "private", "public_built_private_run") \
                or row["medical"] not in ("onsite_clinic", "partner_clinic", "none") \
                or row["star"] not in "012345" or len(row["star"]) != 1 or row["updated_at"] != "2026-11-01T00:00:00Z":
            report.fail(where, "nature, medical, star or updated_at")
    count = lambda i: dict(Counter(r[i] for r in rows))
    print(f"  nature {count(6)}\n  medical {count(10)}\n  star {dict(sorted(count(11).items()))}")
    print(f"  care levels {dict(Counter(lv for r in rows for lv in r[9].split(';')))}")
    print(f"  no free beds {sum(r[8] == '0' for r in rows)}; county-level units {len({r[2] for r in rows})}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--orgs", default=str(ROOT / "social-orgs.csv"))
    p.add_argument("--eldercare", default=str(ROOT / "eldercare-facilities.csv"))
    a = p.parse_args()
    assert gb32100_ok("91110000600037341L") and gb11714_ok("600037341")  # the handbook's example
    with open(ROOT / "divisions.csv", encoding="utf-8") as f:
        divisions = {r["code"] for r in csv.DictReader(f) if r["code"].startswith("32")}
    with open(ROOT / "tools" / "jiangsu-county-centres.csv", encoding="utf-8") as f:
        centres = {r["code"]: (float(r["lat"]), float(r["lng"])) for r in csv.DictReader(f)}
    report = Report()
    if a.orgs:
        check_orgs(a.orgs, report, divisions)
    if a.eldercare:
        check_eldercare(a.eldercare, report, centres)
    print("OK" if report.problems == 0 else f"{report.problems} problems")
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
