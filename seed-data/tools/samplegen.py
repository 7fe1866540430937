"""What the sample-data generators share: the seed's divisions and county centres, Jiangsu's area codes and road
names, how a county-level unit is named, Chinese numerals, weighted choices. Not run on its own."""
import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AREA_CODES = {"3201": "025", "3202": "0510", "3203": "0516", "3204": "0519", "3205": "0512", "3206": "0513",
              "3207": "0518", "3208": "0517", "3209": "0515", "3210": "0514", "3211": "0511", "3212": "0523",
              "3213": "0527"}
ROADS = ["中山路", "人民路", "解放路", "建设路", "长江路", "和平路", "文化路", "新华路", "健康路", "民主路",
         "太平路", "青年路", "环城路", "府前路", "迎宾大道", "世纪大道", "湖滨路", "运河路", "振兴路", "幸福路"]
CN_DIGITS = "零一二三四五六七八九"


def load(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def divisions():
    """seed-data/divisions.csv by code."""
    return {r["code"]: r for r in load(ROOT / "divisions.csv")}


def county_centres():
    """Approximate centre (lat, lng) of each Jiangsu county-level unit, by code, in file order."""
    return {r["code"]: (float(r["lat"]), float(r["lng"])) for r in load(ROOT / "tools" / "jiangsu-county-centres.csv")}


def area(divisions_by_code, county):
    """How a county-level unit is named: districts with their city (南京市玄武区), counties alone (沛县)."""
    name = divisions_by_code[county]["name"]
    return divisions_by_code[county[:4]]["name"] + name if county[4] in "01" else name


def cn_number(n):
    """1..99999 in Chinese numerals: 12 -> 十二, 105 -> 一百零五."""
    if n < 20:
        return ("十" if n >= 10 else "") + (CN_DIGITS[n % 10] if n % 10 or n < 10 else "")
    text, zero, digits = "", False, str(n)
    for i, ch in enumerate(digits):
        if ch == "0":
            zero = True
            continue
        if zero:
            text += "零"
        zero = False
        text += CN_DIGITS[int(ch)] + ["", "十", "百", "千", "万"][len(digits) - 1 - i]
    return text


def weighted(rng, pairs):
    """A choice among (value, ..., weight) tuples, by the last element."""
    return rng.choices([p[0] for p in pairs], [p[-1] for p in pairs])[0]
