#!/usr/bin/env python3
"""Deterministic generator of Jiangsu social organisations (SAMPLE data, not real organisations).

  python3 seed-data/tools/generate_social_orgs.py                                   # -> seed-data/social-orgs.csv
  python3 seed-data/tools/generate_social_orgs.py --count 100000 --out /tmp/orgs.csv  # a benchmark set

Every name, credit code, person, address and phone number is invented. The credit codes are well formed
(GB 32100 check character, GB 11714 organisation-code check) but belong to no real organisation.
The same arguments always give the same file.

Columns: credit_code, name, org_type (social_group | social_service | foundation),
status (active | deregistered | registration_revoked | certificate_revoked), authority (the registering
civil-affairs authority's Chinese name), division_code (that authority's division: `32`, a 4-digit city or a
6-digit county code), registered_on (YYYY-MM-DD), legal_representative, address, phone,
inspections (`YEAR:pass|basic_pass|fail` joined by `;`), list_entries (`LIST:YYYY-MM-DD:REASON` joined by `|`,
LIST = irregular_activity | serious_dishonesty).
"""
import argparse
import csv
import datetime as dt
import random
from pathlib import Path

from samplegen import AREA_CODES, ROADS, area, cn_number, county_centres, divisions, weighted

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["credit_code", "name", "org_type", "status", "authority", "division_code", "registered_on",
          "legal_representative", "address", "phone", "inspections", "list_entries"]

# --- Unified Social Credit Code (GB 32100-2015) and organisation code (GB 11714-1997) ---------------------
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1 3 9 27 19 26 ... 28
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def uscc_check(first17):
    """GB 32100 check character over the alphabet indexes of the first 17 characters."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check(first8):
    """GB 11714 check character: digits are 0-9, letters A-Z are 10-35."""
    c = 11 - sum(int(ch, 36) * w for ch, w in zip(first8, ORG_WEIGHTS)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def valid_credit_code(code):
    """Both checks: character 18 (GB 32100) and character 17 of the organisation code (GB 11714)."""
    return (len(code) == 18 and all(ch in ALPHABET for ch in code)
            and code[17] == uscc_check(code[:17]) and code[16] == org_code_check(code[8:16]))


def self_test():
    # The handbook's worked example (sum 538, c = 20, `L`; organisation code 60003734-1).
    assert uscc_check("91110000600037341") == "L"
    assert valid_credit_code("91110000600037341L")
    assert not valid_credit_code("91110000600037341M")
    assert not valid_credit_code("91110000600037342L")


# --- Word lists ----------------------------------------------------------------------------------------
TYPES = [("social_group", "1", 50), ("social_service", "2", 45), ("foundation", "3", 5)]
STATUSES = [("active", 88), ("deregistered", 7), ("registration_revoked", 3), ("certificate_revoked", 2)]
INSPECTION_RESULTS = [("pass", 85), ("basic_pass", 10), ("fail", 5)]

# Social groups: suffix -> fields that go with it.
GROUP_FIELDS = {
    "协会": ["青年志愿者", "慈善", "老年人体育", "书法家", "摄影家", "收藏家", "诗词", "太极拳", "围棋", "象棋",
           "钓鱼", "登山", "篮球", "足球", "羽毛球", "乒乓球", "个体劳动者", "餐饮行业", "旅游", "物业管理",
           "软件行业", "电子商务", "家庭服务业", "养老服务", "社会工作", "心理咨询", "婚姻家庭", "殡葬",
           "地名文化", "民间文艺家", "作家", "音乐家", "舞蹈家", "美术家", "老科技工作者", "企业家", "女企业家",
           "私营企业", "物流", "美容美发", "烹饪", "茶文化", "园林", "社区教育", "残疾人康复"],
    "商会": ["温州", "福建", "安徽", "浙江", "河南", "湖南", "江西", "四川", "山东", "潮汕", "湖北", "重庆",
           "餐饮业", "汽车", "建材", "服装", "茶叶", "家具", "五金机电", "光伏", "电子", "纺织"],
    "学会": ["心理", "中医药", "历史", "教育", "数学", "医学", "护理", "会计", "统计", "地理", "吴文化",
           "红楼梦", "法学", "社会学", "老年学", "营养", "园艺", "民俗", "水利", "档案"],
    "研究会": ["慈善文化", "地方文化", "老年书画", "家庭教育", "社区治理", "运河文化", "诗词", "楹联"],
    "促进会": ["慈善事业", "乡村振兴", "文化产业", "科技创新", "家庭教育", "全民阅读", "民营经济发展",
            "生态环境保护", "残疾人事业", "社区发展", "健康", "志愿服务"],
    "联合会": ["社会组织", "工商业", "文学艺术界", "社会科学界", "慈善", "老年体育", "民办教育", "志愿服务",
            "残疾人"],
    "总会": ["慈善", "体育", "老年体育"],
}
# Social service organisations: (field, suffix); an empty field means brand + suffix (颐和养老院).
SERVICE_FORMS = [("养老服务", "中心"), ("居家养老服务", "中心"), ("社区服务", "中心"), ("残疾人康复服务", "中心"),
                 ("家庭教育服务", "中心"), ("志愿服务", "中心"), ("心理健康服务", "中心"), ("婚姻家庭服务", "中心"),
                 ("青少年成长服务", "中心"), ("助残服务", "中心"), ("慈善服务", "中心"), ("公益服务", "中心"),
                 ("社会组织孵化", "中心"), ("职业技能", "培训学校"), ("艺术", "培训学校"), ("外语", "培训学校"),
                 ("美术", "培训学校"), ("舞蹈", "培训学校"), ("音乐", "培训学校"), ("计算机", "培训学校"),
                 ("家政服务", "培训学校"), ("养老护理", "培训中心"), ("", "社会工作服务社"),
                 ("", "社会工作服务中心"), ("", "养老院"), ("", "护理院"), ("", "颐养院"), ("", "老年公寓"),
                 ("", "幼儿园"), ("", "康复中心"), ("儿童", "康复中心"), ("社会发展", "研究院"),
                 ("公共政策", "研究所"), ("", "医院"), ("中医", "门诊部")]
# Foundations: fields of public foundations; brand + 公益/慈善/教育基金会 for the others.
FOUNDATION_FIELDS = ["慈善", "教育发展", "青少年发展", "见义勇为", "扶贫", "乡村振兴", "助学", "文化发展",
                     "体育发展", "红十字", "老龄事业发展", "儿童救助", "医疗救助", "环境保护", "科技创新",
                     "光彩事业", "残疾人福利", "妇女儿童发展", "退役军人关爱", "社区发展"]
FOUNDATION_BRANDED = ["公益", "慈善", "教育", "助学"]
# Brand words and qualifiers that tell apart organisations with the same field.
BRANDS = ["康乐", "福寿", "颐和", "安康", "松鹤", "夕阳红", "长青", "仁爱", "和煦", "金秋", "嘉禾", "春晖", "怡园",
          "晨曦", "慈恩", "德馨", "百合", "清泉", "瑞福", "九如", "向日葵", "阳光", "彩虹", "同心", "爱心", "启航",
          "新起点", "善行", "益行", "暖阳", "星光", "蒲公英", "萤火虫", "向阳", "睦邻", "和美", "乐龄", "天伦",
          "永安", "惠民", "青松", "银杏", "梧桐", "紫荆", "明德", "致远", "博雅", "同济", "求是", "知行",
          "沐恩", "福星", "吉祥", "如意", "祥和", "雅居", "鹤年", "寿康", "康宁", "颐寿"]
GROUP_QUALIFIERS = ["青年", "老年", "女", "青少年", "大学生", "退役军人", "职工", "新市民", "社区", "农村"]

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
            "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严戴莫孔汤")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌辉鹏宇浩然俊峰晓梅琳雪婷颖佳欣怡晨阳" \
        "子轩诗涵雨萱梓博睿一航宁海燕春秋德福荣"

# Credit lists (民政部令第60号, in force since 2018-03-01).
IRREGULAR_REASONS = ["未按规定报送年度工作报告", "通过登记的住所无法取得联系", "未按规定时限公开年度工作报告",
                     "未按规定公开应当公开的信息", "登记事项发生变更未按规定办理变更登记"]
LISTS_START = dt.date(2018, 3, 1)
FIRST_DAY, LAST_REGISTRATION, DATA_DATE = dt.date(1995, 1, 1), dt.date(2026, 6, 30), dt.date(2026, 10, 31)

# Rows at these positions get these traits, so the first rows show every status, type, list and inspection
# result (tests search the first rows for them).
SHOWCASE = {
    0: dict(org_type="foundation", level="province", field="慈善", early=True),
    2: dict(org_type="social_group", status="deregistered"),
    4: dict(org_type="social_service", status="registration_revoked", serious=True, early=True),
    6: dict(org_type="social_group", status="certificate_revoked", early=True),
    8: dict(org_type="social_service", status="active", irregular=True, early=True),
    10: dict(status="active", inspection="basic_pass", early=True),
    12: dict(status="active", inspection="fail", early=True),
    14: dict(org_type="social_group", level="city", field="慈善", suffix="总会", status="active", early=True),
}



class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.divisions = divisions()
        centres = list(county_centres())
        # Development zones (functional_zone = 1) have no civil-affairs bureau of their own.
        self.counties = [c for c in centres if self.divisions[c]["functional_zone"] == "0"]
        self.cities = sorted({c[:4] for c in self.counties})
        self.districts = {city: [c for c in self.counties if c.startswith(city) and c[4] in "01"]
                          for city in self.cities}
        self.townships = {}
        for code, row in self.divisions.items():
            if len(code) == 9 and code[:6] in self.counties and row["functional_zone"] == "0" \
                    and len(row["name"]) <= 6:
                self.townships.setdefault(code[:6], []).append(row["name"])
        self.codes, self.names, self.rows = set(), set(), []

    def name_of(self, code):
        return self.divisions[code]["name"]

    def area(self, county):
        return area(self.divisions, county)

    # --- one organisation ---------------------------------------------------------------------------------
    def authority(self, level):
        """(division_code, area prefix, authority name, county of the address)."""
        rng = self.rng
        if level == "province":
            return "32", "江苏省", "江苏省民政厅", rng.choice(self.districts["3201"])
        if level == "city":
            city = rng.choice(self.cities)
            return city, self.name_of(city), self.name_of(city) + "民政局", rng.choice(self.districts[city])
        county = rng.choice(self.counties)
        return county, self.area(county), self.area(county) + "民政局", county

    def credit_code(self, category, division):
        while True:
            body = "".join(self.rng.choice(ALPHABET) for _ in range(8))
            first17 = "5" + category + division.ljust(6, "0") + body + org_code_check(body)
            code = first17 + uscc_check(first17)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def name_parts(self, org_type, force):
        """(middle-word kind, field, suffix): the name is prefix + middle + field + suffix."""
        rng = self.rng
        if org_type == "social_group":
            suffix = force.get("suffix") or weighted(rng, [("协会", 50), ("商会", 10), ("学会", 10), ("研究会", 6),
                                                           ("促进会", 10), ("联合会", 10), ("总会", 4)])
            field = force.get("field") or rng.choice(GROUP_FIELDS[suffix])
            if suffix == "学会" and field.endswith("学"):
                field = field[:-1]  # 法学 + 学会 -> 法学会
            return "qualifier", field, suffix
        if org_type == "social_service":
            field, suffix = rng.choice(SERVICE_FORMS)
            return ("brand" if field == "" or rng.random() < 0.6 else "optional-brand"), field, suffix
        if force.get("field") or rng.random() < 0.6:
            return "optional-brand", force.get("field") or rng.choice(FOUNDATION_FIELDS), "基金会"
        return "brand", rng.choice(FOUNDATION_BRANDED), "基金会"

    def unique_name(self, prefix, county, org_type, force):
        rng = self.rng
        kind, field, suffix = self.name_parts(org_type, force)
        towns = self.townships.get(county, []) if len(county) == 6 else []
        attempts = []
        if kind != "brand":
            attempts.append(prefix + field + suffix)  # 南京市书法家协会
        for _ in range(3):
            if kind == "qualifier":
                mid = rng.choice(GROUP_QUALIFIERS) if rng.random() < 0.5 or not towns else rng.choice(towns)
            else:
                mid = rng.choice(BRANDS)
                if towns and rng.random() < 0.3:
                    mid = rng.choice(towns) + mid
            attempts.append(prefix + mid + field + suffix)  # 南京市玄武区颐和养老服务中心
        for name in attempts:
            if name not in self.names:
                break
        else:  # rare (benchmark sizes): an ordinal keeps the name unique, 南京市颐和第十二养老院
            n = 2
            while True:
                name = f"{prefix}{rng.choice(BRANDS)}第{cn_number(n)}{field}{suffix}"
                if name not in self.names:
                    break
                n += 1
        self.names.add(name)
        return name

    def random_date(self, start, end):
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def person(self):
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.35 else 2))

    def make(self, force):
        rng = self.rng
        org_type = force.get("org_type") or weighted(rng, TYPES)
        category = next(t[1] for t in TYPES if t[0] == org_type)
        level = force.get("level") or weighted(rng, [("province", 5), ("city", 25), ("county", 70)])
        division, prefix, authority, county = self.authority(level)
        name = self.unique_name(prefix, division if level == "county" else "", org_type, force)
        status = force.get("status") or weighted(rng, STATUSES)

        # Registration skews towards recent years (the sector grew); `early` leaves room for history.
        span = ((dt.date(2016, 12, 31) if force.get("early") else LAST_REGISTRATION) - FIRST_DAY).days
        registered = FIRST_DAY + dt.timedelta(days=int(span * rng.random() ** 0.7))
        # Non-active organisations ended on some day after registration.
        ended_from = min(registered + dt.timedelta(days=365), DATA_DATE)
        if force.get("serious"):
            ended_from = max(ended_from, LISTS_START)
        ended = None if status == "active" else self.random_date(ended_from, DATA_DATE)
        revoked = status in ("registration_revoked", "certificate_revoked")

        # Annual inspections from the year after registration (2021 at the earliest) to 2025 or the end.
        last_year = 2025 if ended is None else min(2025, ended.year - 1)
        years = range(max(registered.year + 1, 2021), last_year + 1)
        results = [weighted(rng, INSPECTION_RESULTS) for _ in years]
        if revoked and results and rng.random() < 0.5:
            results[-1] = "fail"
        if force.get("inspection") and results:
            results[rng.randrange(len(results))] = force["inspection"]
        inspections = ";".join(f"{y}:{r}" for y, r in zip(years, results))

        # Credit-list entries: dated between a year after registration (2018-03-01 at the earliest) and the end.
        entries = []
        list_from, list_to = max(registered + dt.timedelta(days=365), LISTS_START), ended or DATA_DATE
        if list_from <= list_to and (force.get("irregular") or rng.random() < (0.12 if revoked else 0.04)):
            day = self.random_date(list_from, list_to)
            entries.append(("irregular_activity", day, rng.choice(IRREGULAR_REASONS)))
            two_years = day + dt.timedelta(days=730)
            if not revoked and two_years <= list_to and rng.random() < 0.12:  # 满2年 moves it to the serious list
                entries.append(("serious_dishonesty", two_years, "被列入活动异常名录满2年仍未履行相关义务"))
        if revoked and ended >= LISTS_START and (force.get("serious") or rng.random() < 0.18):
            entries.append(("serious_dishonesty", ended,
                            "被撤销登记" if status == "registration_revoked" else "被吊销登记证书"))
        entries.sort(key=lambda e: e[1])
        list_entries = "|".join(f"{kind}:{day.isoformat()}:{reason}" for kind, day, reason in entries)

        city = county[:4]
        address = f"江苏省{self.name_of(city)}{self.name_of(county)}{rng.choice(ROADS)}{rng.randint(1, 399)}号"
        phone = f"{AREA_CODES[city]}-{rng.randint(5000_0000, 8999_9999)}"
        return [self.credit_code(category, division), name, org_type, status, authority, division,
                registered.isoformat(), self.person(), address, phone, inspections, list_entries]

    def generate(self, count):
        for i in range(count):
            self.rows.append(self.make(SHOWCASE.get(i, {})))


def check_showcase(rows):
    """The first 60 rows must show every status, type, list and inspection result."""
    head = rows[:60]
    seen = {r[2] for r in head} | {r[3] for r in head}
    seen |= {item.split(":")[1] for r in head for item in r[10].split(";") if item}
    seen |= {entry.split(":")[0] for r in head for entry in r[11].split("|") if entry}
    wanted = {t[0] for t in TYPES} | {s[0] for s in STATUSES} | {i[0] for i in INSPECTION_RESULTS} \
        | {"irregular_activity", "serious_dishonesty"}
    assert len(rows) < 60 or wanted <= seen, f"first 60 rows lack {wanted - seen}"


def main():
    self_test()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--count", type=int, default=5200)
    p.add_argument("--out", default=str(ROOT / "social-orgs.csv"))
    a = p.parse_args()
    g = Generator(a.seed)
    g.generate(a.count)
    check_showcase(g.rows)
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(g.rows)
    print(f"{a.out}: {len(g.rows)} social organisations")


if __name__ == "__main__":
    main()
