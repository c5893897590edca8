#!/usr/bin/env python3
"""Load check of a running paraph-server: draft creation (POST /envelopes,
one recipient, one uploaded document by id) and reads (GET /envelopes/{id}),
at several connection counts. Standard library only.

    bench/drafts.py http://127.0.0.1:8080 sk_test_… [seconds] [connections…]

Each connection is a process with one keep-alive HTTP/1.1 connection, so the
client side is not limited by one interpreter. Prints requests per second and
latency percentiles. The phase-2 benchmark (create+send, signatures) replaces
this once sending exists.
"""
import http.client, json, multiprocessing as mp, sys, time, urllib.parse

FIXTURE = __import__("pathlib").Path(__file__).resolve().parents[2] / "fixtures/pdf/reportlab-contract.pdf"


def worker(base, key, seconds, mode, doc, queue):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
    body = json.dumps({"subject": "Load", "documentIds": [doc],
                       "recipients": [{"email": "client@example.com", "name": "Marie Dubois"}]})
    latencies, errors, envelope = [], 0, None
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        if mode == "create" or envelope is None:
            conn.request("POST", "/api/v1/envelopes", body, headers)
        else:
            conn.request("GET", "/api/v1/envelopes/" + envelope, headers=headers)
        response = conn.getresponse()
        data = response.read()
        latencies.append(time.perf_counter() - t)
        if response.status >= 300:
            errors += 1
        elif envelope is None:
            envelope = json.loads(data)["id"]
    queue.put((latencies, errors))


def main():
    base, key = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5
    counts = [int(c) for c in sys.argv[4:]] or [1, 4, 16]
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port)
    conn.request("POST", "/api/v1/documents", json.dumps({"name": "load.pdf", "base64Pdf": __import__("base64").b64encode(FIXTURE.read_bytes()).decode()}),
                 {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    response = conn.getresponse()
    doc = json.loads(response.read())["id"]
    print(f"{'mode':<7} {'conns':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for mode in ("create", "read"):
        for n in counts:
            queue = mp.Queue()
            procs = [mp.Process(target=worker, args=(base, key, seconds, mode, doc, queue)) for _ in range(n)]
            for p in procs:
                p.start()
            results = [queue.get() for _ in procs]
            for p in procs:
                p.join()
            latencies = sorted(l for r in results for l in r[0])
            errors = sum(r[1] for r in results)
            pct = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
            print(f"{mode:<7} {n:>5} {len(latencies) / seconds:>8.0f} {pct(0.5):>8.2f} {pct(0.99):>8.2f} {errors:>6}")


if __name__ == "__main__":
    main()
