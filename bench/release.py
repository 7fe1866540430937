#!/usr/bin/env python3
"""The release second (放号), measured: couples of two kinds go for one registry office's places at the moment
they are released. "Scripts" fire from two seconds before the release and retry at once on every refusal;
"phones" tap once, some time in the first three seconds, and try again once a second later. In race mode the
places go to whoever arrives first; in draw mode the day is high-demand, every couple registered for the draw
beforehand, and the draw hands out the places at the release. Prints latency, errors and who got the places.

Run by bench/release.sh, which starts the server and sets the office's release a little ahead:
    release.py BASE KEY MODE OFFICE DATE RELEASE_EPOCH PERIODS
"""
import http.client, json, random, statistics, sys, threading, time, urllib.parse

base, key, mode, office, date, release_at, periods = sys.argv[1:8]
release_at = float(release_at)
periods = periods.split(",")
host = urllib.parse.urlparse(base)
COUPLES_PER_GROUP = 300
SCRIPT_THREADS, PHONE_THREADS = 24, 24


def id_number(first17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def couple(group, n):
    # Address codes keep the groups apart; births from 1980 on, a pair of sequence numbers per couple.
    address = "320104" if group == "script" else "320105"
    birth = time.strftime("%Y%m%d", time.gmtime(315532800 + (n % 3000) * 86400))
    return id_number(f"{address}{birth}{2 * (n // 3000) + 1:03d}"), id_number(f"{address}{birth}{2 * (n // 3000) + 2:03d}")


class Client:
    """One keep-alive connection."""
    def __init__(self):
        self.connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)

    def call(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        for attempt in range(3):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                return response.status, json.loads(data) if data else None
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        return 0, None


def session(subject):
    status, body = Client().call("POST", "/v1/citizen-sessions", {"subject": subject}, {"X-Client-Key": key})
    assert status == 201, (status, body)
    return body["token"]


def applicants(group, n):
    man, woman = couple(group, n)
    return [{"name": "张三", "id_number": man, "phone": "13800138000"}, {"name": "李四", "id_number": woman, "phone": "13900139000"}]


lock = threading.Lock()
latencies, statuses, wins = [], {}, {"script": 0, "phone": 0}


def book(client, token, group, n, period):
    start = time.time()
    status, body = client.call("POST", "/v1/marriage-bookings",
                               {"office_id": int(office), "date": date, "period": period, "service": "marriage", "applicants": applicants(group, n)},
                               {"Authorization": f"Bearer {token}", "Idempotency-Key": f"{group}-{n}-{start}"})
    elapsed = (time.time() - start) * 1000
    code = body.get("code") if isinstance(body, dict) and status >= 400 else ""
    with lock:
        latencies.append(elapsed)
        statuses[f"{status} {code}".strip()] = statuses.get(f"{status} {code}".strip(), 0) + 1
        if status == 201:
            wins[group] += 1
    return status, code


def script(thread, token):
    client = Client()
    mine = list(range(thread, COUPLES_PER_GROUP, SCRIPT_THREADS))
    while time.time() < release_at - 2:
        time.sleep(0.005)
    deadline = release_at + 8
    for n in mine:
        while time.time() < deadline:
            status, code = book(client, token, "script", n, random.choice(periods))
            if status == 201 or code in ("active_booking_exists", "slot_full") and all_full.is_set():
                break
            if code == "slot_full":
                continue  # another period may still have a place
            # not_yet_released, draw_required, errors: straight back in


all_full = threading.Event()


def phone(thread, token):
    client = Client()
    for n in range(thread, COUPLES_PER_GROUP, PHONE_THREADS):
        moment = release_at + random.uniform(0, 3)
        while time.time() < moment:
            time.sleep(0.002)
        status, code = book(client, token, "phone", n, random.choice(periods))
        if status != 201 and code in ("not_yet_released", "draw_required", "slot_full", ""):
            time.sleep(1)
            book(client, token, "phone", n, random.choice(periods))


def main():
    random.seed(1)
    tokens = {"script": session("release-scripts"), "phone": session("release-phones")}
    registered = {"script": 0, "phone": 0}
    if mode == "draw":
        # Every couple of both kinds registers for the draw, days before the release.
        client = Client()
        start = time.time()
        for group in ("script", "phone"):
            for n in range(COUPLES_PER_GROUP):
                preferences = random.sample(periods, 2)
                status, body = client.call("POST", "/v1/marriage-draws/entries",
                                           {"office_id": int(office), "date": date, "preferences": preferences, "applicants": applicants(group, n)},
                                           {"Authorization": f"Bearer {tokens[group]}"})
                assert status == 201, (status, body)
                registered[group] += 1
        print(f"registered {sum(registered.values())} couples for the draw in {time.time() - start:.1f} s", file=sys.stderr)
    threads = [threading.Thread(target=script, args=(t, tokens["script"])) for t in range(SCRIPT_THREADS)]
    threads += [threading.Thread(target=phone, args=(t, tokens["phone"])) for t in range(PHONE_THREADS)]
    print(f"waiting {release_at - time.time():.0f} s for the release", file=sys.stderr)
    for thread in threads:
        thread.start()

    # Watch the places: all gone sets all_full (scripts then stop).
    watcher = Client()
    while any(t.is_alive() for t in threads):
        status, body = watcher.call("GET", f"/v1/marriage-registries/{office}/availability?service=marriage&from={date}&to={date}")
        if status == 200 and body["days"] and all(p["remaining"] == 0 for p in body["days"][0]["periods"]) and time.time() > release_at:
            all_full.set()
        time.sleep(0.1)
    for thread in threads:
        thread.join()

    if mode == "draw":
        for group in ("script", "phone"):
            status, body = Client().call("GET", "/v1/marriage-draws/entries", headers={"Authorization": f"Bearer {tokens[group]}"})
            wins[group] += sum(1 for entry in body["items"] if entry["status"] == "won")
    ordered = sorted(latencies)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0
    total = wins["script"] + wins["phone"]
    server_errors = sum(count for key, count in statuses.items() if key.startswith("5") or key.startswith("0"))
    print(f"| {mode} | {len(latencies)} | {p(0.5):.1f} | {p(0.99):.1f} | {max(ordered or [0]):.1f} | {server_errors} | "
          f"{wins['script']} / {wins['phone']} | {wins['script'] / total if total else 0:.2f} |")
    print(f"statuses: {json.dumps(statuses, ensure_ascii=False, sort_keys=True)}", file=sys.stderr)


main()
