#!/usr/bin/env python3
"""Two running servers, one request at a time, alternately: which is slower on the same data.

The case-loop benchmark builds its database with the demo of the commit it was built from, so
two commits' runs differ in their data as well as their code. To compare code alone, serve one
database with the old build and a copy of it with the new build (which migrates the copy), then:

    python3 tools/ab.py reads OLD_PORT NEW_PORT USER PATH...   # p50 of each path, old against new
    python3 tools/ab.py intake OLD_PORT NEW_PORT [ROUNDS]      # reports/s, old and new in turn

Both ports are on 127.0.0.1; the demo's password. Reads alternate per request (old, new, then
new, old), so the box's drift falls on both; intake alternates per round of 1,500 reports from
16 connections. Every loop is bounded. Only the standard library.
"""

import http.client
import json
import statistics
import sys
import threading
import time

PASSWORD = "wangge-demo"


def connect(port):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def token(port, user):
    c = connect(port)
    c.request("POST", "/api/v1/auth/login", json.dumps({"username": user, "password": PASSWORD}),
              {"content-type": "application/json"})
    return json.loads(c.getresponse().read())["token"]


def get(c, tok, path):
    c.request("GET", path, headers={"authorization": "Bearer " + tok})
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        raise SystemExit(f"{path}: {r.status} {body[:200]!r}")
    return body


def reads(ports, user, paths, samples=150, warmup=5):
    conns = {k: connect(p) for k, p in ports.items()}
    toks = {k: token(p, user) for k, p in ports.items()}
    for path in paths:
        ms = {k: [] for k in ports}
        sizes = {}
        for i in range(samples + warmup):
            for k in (["old", "new"] if i % 2 == 0 else ["new", "old"]):
                t = time.perf_counter()
                body = get(conns[k], toks[k], path)
                if i >= warmup:
                    ms[k].append((time.perf_counter() - t) * 1000)
                sizes[k] = len(body)
        o, n = statistics.median(ms["old"]), statistics.median(ms["new"])
        print(f"{user:12} {path[:58]:58} old {o:6.2f} new {n:6.2f} ms  ×{n / o:4.2f}"
              f"  bytes {sizes['old']} → {sizes['new']}", flush=True)


def buildings(port, tok):
    c = connect(port)
    grid = "33019900100101"
    nodes = json.loads(get(c, tok, f"/api/v1/org/nodes?q={grid}"))
    gid = next(x["id"] for x in nodes if x["code"] == grid)
    return [x["id"] for x in json.loads(get(c, tok, f"/api/v1/org/nodes?parent_id={gid}"))]


def intake(ports, rounds=4, reports=1500, threads=16):
    who = {k: (token(p, "jm-liuan"), token(p, "wgy-liuan-1"), buildings(p, token(p, "admin")))
           for k, p in ports.items()}
    stamp = int(time.time())
    for rnd in range(rounds):
        for k in (["old", "new"] if rnd % 2 == 0 else ["new", "old"]):
            resident, worker, blds = who[k]
            lat, fails, nxt, lock = [], [0], [0], threading.Lock()

            def run(ti, port=ports[k], tag=f"ab-{stamp}-{rnd}-{k}"):
                c, tok = connect(port), (resident if ti % 2 == 0 else worker)
                while True:
                    with lock:
                        i = nxt[0]
                        nxt[0] += 1
                    if i >= reports:
                        return
                    body = json.dumps({"title": f"压测上报 {i}：楼道堆放杂物",
                                       "description": "三单元楼道里堆放了旧家具和纸箱，堵住通道",
                                       "building_id": blds[i % len(blds)], "address": "柳岸社区"})
                    t = time.perf_counter()
                    c.request("POST", "/api/v1/cases", body.encode(),
                              {"authorization": "Bearer " + tok, "content-type": "application/json",
                               "Idempotency-Key": f"{tag}-{i}"})
                    r = c.getresponse()
                    r.read()
                    if r.status != 201:
                        fails[0] += 1
                    lat.append((time.perf_counter() - t) * 1000)

            ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
            t0 = time.perf_counter()
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            took = time.perf_counter() - t0
            lat.sort()
            print(f"round {rnd} {k}: {reports / took:6.0f} reports/s  p50 {statistics.median(lat):5.1f}"
                  f"  p99 {lat[int(len(lat) * 0.99)]:6.1f} ms  refused {fails[0]}", flush=True)


def main(argv):
    if len(argv) < 4 or argv[1] not in ("reads", "intake"):
        raise SystemExit(__doc__)
    ports = {"old": int(argv[2]), "new": int(argv[3])}
    if argv[1] == "reads":
        reads(ports, argv[4], argv[5:])
    else:
        intake(ports, int(argv[4]) if len(argv) > 4 else 4)


if __name__ == "__main__":
    main(sys.argv)
