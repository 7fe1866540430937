#!/usr/bin/env python3
"""Crash safety: books under load against a release build, kills the server with SIGKILL at random moments,
restarts it, and checks what it promised. Every booking answered 201 is stored and confirmed; every slot's
`booked` equals its confirmed bookings; SQLite's integrity check passes; every booking has its outbox event.

    .ci/crash-loop.py [--kills 20] [--binary .build/release/minzheng]

Prints one line of figures (kills survived, attempts, bookings acknowledged and checked) and exits 1 on any
broken promise. The server runs with the rate and attempt limits off: one machine's few citizens make the load.
"""
import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(n, sex):
    """A valid resident ID number (GB 11643) for person n: born in the 1980s, odd sequence for men."""
    birth = dt.date(1980, 1, 1) + dt.timedelta(days=n % 3650)
    body = "320102" + birth.strftime("%Y%m%d") + "%03d" % ((n // 3650) % 500 * 2 + (1 if sex == "m" else 2))
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


class Server:
    def __init__(self, binary, data):
        self.binary, self.data, self.process = binary, data, None
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.env = dict(os.environ, MINZHENG_DATA_DIR=data, MINZHENG_SEED_DIR=os.path.join(ROOT, "seed-data"),
                        MINZHENG_PORT=str(self.port), MINZHENG_LOG_LEVEL="error", MINZHENG_RATE_LIMITS="off",
                        MINZHENG_BOOKING_ATTEMPTS="off", MINZHENG_NOTIFY_WORKER="off")
        self.env.pop("MINZHENG_DATABASE_URL", None)

    def start(self):
        self.log = os.path.join(os.path.dirname(self.data), "server.log")
        with open(self.log, "a") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"the server exited with {self.process.returncode} while starting")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        sys.exit("the server did not answer /healthz within 60 s")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def cli(self, *arguments, stdin=None):
        return subprocess.run([self.binary, *arguments], env=self.env, input=stdin, capture_output=True, text=True, check=True).stdout

    def request(self, method, path, body=None, headers=None, connection=None):
        own = connection is None
        connection = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            data = json.dumps(body).encode() if body is not None else None
            connection.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            if own:
                connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/minzheng"))
    parser.add_argument("--workers", type=int, default=16)
    options = parser.parse_args()
    work = tempfile.mkdtemp(prefix="minzheng-crash.")
    data = os.path.join(work, "data")
    server = Server(options.binary, data)
    try:
        run(server, data, options)
    except BaseException:
        if os.path.exists(os.path.join(work, "server.log")):
            print("the server's log ends:\n" + open(os.path.join(work, "server.log")).read()[-3000:], file=sys.stderr)
        raise
    finally:
        if server.process and server.process.poll() is None:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


def run(server, data, options):
    server.start()
    key = server.cli("clients", "create", "--name", "crash-loop").strip().splitlines()[-1]
    password = uuid.uuid4().hex
    server.cli("staff", "create", "--username", "crash-admin", "--role", "admin", "--division", "32", stdin=password + "\n")
    staff = server.request("POST", "/v1/staff/sessions", {"username": "crash-admin", "password": password})[1]["token"]
    offices = [e["id"] for e in server.request("GET", "/v1/directory/marriage-registry?division=3201&limit=20")[1]["items"]]
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    days = server.request("GET", f"/v1/marriage-registries/{offices[0]}/availability?service=marriage"
                                 f"&from={today + dt.timedelta(days=2)}&to={today + dt.timedelta(days=29)}")[1]["days"]
    date = next(d["date"] for d in days if d["open"])
    for office in offices:  # enough places that the load books rather than only finds periods full
        status, _ = server.request("PUT", f"/v1/staff/marriage-registries/{office}/capacity",
                                   {"date": date, "service": "marriage", "capacity": 400}, {"Authorization": f"Bearer {staff}"})
        assert status == 204, status
    tokens = [server.request("POST", "/v1/citizen-sessions", {"subject": f"crash-{n}"}, {"X-Client-Key": key})[1]["token"]
              for n in range(options.workers)]

    acknowledged = {}  # booking id -> (office, period)
    lock = threading.Lock()
    counter = iter(range(10**9))
    attempts = [0]
    statuses = {}

    def worker(token, stop):
        connection = None
        while not stop.is_set():
            with lock:
                n = next(counter)
                attempts[0] += 1
            office, period = random.choice(offices), random.choice(["09:00", "10:00", "11:00", "14:00", "15:00", "16:00"])
            body = {"office_id": office, "date": date, "period": period, "service": "marriage", "applicants": [
                {"name": "张三", "id_number": id_number(n, "m"), "phone": "13800138000"},
                {"name": "李四", "id_number": id_number(n, "f"), "phone": "13900139000"}]}
            try:
                connection = connection or http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                status, answer = server.request("POST", "/v1/marriage-bookings", body,
                                                {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}, connection)
            except (OSError, http.client.HTTPException):
                connection = None  # the server died mid-request: nothing was promised
                time.sleep(0.01)
                continue
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 201:
                    acknowledged[answer["id"]] = (office, period)

    for kill in range(options.kills):
        stop = threading.Event()
        threads = [threading.Thread(target=worker, args=(token, stop)) for token in tokens]
        for thread in threads:
            thread.start()
        time.sleep(random.uniform(0.3, 1.5))
        server.kill()  # mid-load: requests in flight, commits half-way
        stop.set()
        for thread in threads:
            thread.join()
        server.start()
    server.kill()

    problems = []
    database = sqlite3.connect(os.path.join(data, "minzheng.sqlite"))
    integrity = database.execute("PRAGMA integrity_check").fetchone()[0]
    if integrity != "ok":
        problems.append(f"integrity_check: {integrity}")
    stored = dict(database.execute("SELECT id, status FROM bookings").fetchall())
    lost = [b for b in acknowledged if stored.get(b) != "confirmed"]
    if lost:
        problems.append(f"{len(lost)} bookings answered 201 are not stored as confirmed, e.g. {lost[:3]}")
    drift = database.execute("""
        SELECT s.office_id, s.period, s.booked, COUNT(b.id) FROM slots s
        LEFT JOIN bookings b ON b.office_id = s.office_id AND b.date = s.date AND b.period = s.period
                            AND b.service = s.service AND b.status = 'confirmed'
        GROUP BY s.office_id, s.date, s.period, s.service HAVING s.booked != COUNT(b.id)""").fetchall()
    if drift:
        problems.append(f"slots whose booked differs from their confirmed bookings: {drift[:5]}")
    eventless = database.execute("""
        SELECT COUNT(*) FROM bookings b WHERE NOT EXISTS
            (SELECT 1 FROM outbox_events e WHERE e.booking_id = b.id AND e.type = 'booking.confirmed')""").fetchone()[0]
    if eventless:
        problems.append(f"{eventless} bookings without their booking.confirmed event")
    orphans = database.execute("""
        SELECT COUNT(*) FROM outbox_events e WHERE e.type = 'booking.confirmed'
            AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.id = e.booking_id)""").fetchone()[0]
    if orphans:
        problems.append(f"{orphans} booking.confirmed events without their booking")
    server_errors = {status: n for status, n in statuses.items() if status >= 500}
    if server_errors:
        problems.append(f"server errors answered: {server_errors}")

    print(f"crash-loop: kills={options.kills} survived={options.kills if not problems else 'NO'} attempts={attempts[0]} "
          f"statuses={dict(sorted(statuses.items()))} acknowledged={len(acknowledged)} stored={len(stored)} "
          f"slots_checked={database.execute('SELECT COUNT(*) FROM slots').fetchone()[0]} integrity={integrity}")
    for problem in problems:
        print("BROKEN: " + problem)
    if problems:
        sys.exit(1)
    if len(acknowledged) < options.kills:
        sys.exit("too few bookings were acknowledged to prove anything")


if __name__ == "__main__":
    main()
