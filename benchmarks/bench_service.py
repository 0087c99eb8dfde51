"""Requests a second of POST /plans against a bare FastAPI endpoint: prints the ratio.

Run: python benchmarks/bench_service.py [--rounds N] [--seconds S]

Two uvicorn servers with the same settings, in their own processes: the
service (``create_app()``), and a bare FastAPI app whose one endpoint only
validates a ClientProfile and returns it. One client process sends the same
profiles to each over keep-alive connections from a few threads, in
alternating rounds, so that whatever else the machine does falls on both.
The figure is the ratio of the medians. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

PROFILES: list[dict[str, Any]] = [
    {
        "condition": "diabetic_neuropathy",
        "hypersensitivity": ["none", "mild", "moderate", "severe"][n % 4],
        "swelling": ["feet"][: n % 2],
        "tolerance": {"minutes": 20 + n % 5 * 10, "pressure": 1 + n % 4},
        "sessions_completed": n % 6,
        "physician_consulted": n % 3 != 0,
    }
    for n in range(40)
]
BODIES = [json.dumps(p).encode() for p in PROFILES]


def distinct_bodies(count: int) -> list[bytes]:
    """Profiles each sent once, none seen before: no plan is a memo hit."""
    return [
        json.dumps(
            {**PROFILES[n % len(PROFILES)], "sessions_completed": n % 10_000, "medications": []}
            if n >= 10_000
            else {**PROFILES[n % len(PROFILES)], "sessions_completed": n}
        ).encode()
        for n in range(count)
    ]


BARE_APP = """
from fastapi import FastAPI
from massageplan import ClientProfile

app = FastAPI()


@app.post("/plans")
def echo(profile: ClientProfile) -> ClientProfile:
    return profile
"""

SERVER = """
import sys, uvicorn
which, port = sys.argv[1], int(sys.argv[2])
if which == "service":
    from massageplan.service.http import create_app
    app = create_app()
else:
    namespace = {}
    exec(sys.argv[3], namespace)
    app = namespace["app"]
uvicorn.run(app, host="127.0.0.1", port=port, ws="none", lifespan="off", log_level="warning",
            access_log=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(which: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - this interpreter, running our own code
        [sys.executable, "-c", SERVER, which, str(port), BARE_APP]
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the {which} server did not start")


def round_of(port: int, seconds: float, threads: int, bodies: list[bytes] = BODIES) -> float:
    """Requests a second over ``seconds``, from ``threads`` keep-alive clients."""
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = n
        while time.monotonic() < stop:
            connection.request(
                "POST", "/plans", bodies[i % len(bodies)], {"content-type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"status {response.status} from port {port}")
            counts[n] += 1
            i += threads
        connection.close()

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--new-clients",
        action="store_true",
        help="send each profile once (no plan is a memo hit), not the same 40 again and again",
    )
    args = parser.parse_args()
    # Enough new profiles for every request of every round (a few thousand a second).
    bodies = distinct_bodies(20_000) if args.new_clients else BODIES
    service, service_port = start("service")
    bare, bare_port = start("bare")
    try:
        for port in (service_port, bare_port):  # warm-up: imports, first plans, caches
            round_of(port, 1.0, args.threads)
        rates: dict[str, list[float]] = {"service": [], "bare": []}
        for n in range(args.rounds):
            # Each round its own slice of new profiles, the same for both servers.
            part = bodies[n * len(bodies) // args.rounds : (n + 1) * len(bodies) // args.rounds]
            rates["service"].append(round_of(service_port, args.seconds, args.threads, part))
            rates["bare"].append(round_of(bare_port, args.seconds, args.threads, part))
    finally:
        for process in (service, bare):
            process.terminate()
            process.wait(timeout=10)
    service_rate = statistics.median(rates["service"])
    bare_rate = statistics.median(rates["bare"])
    print(
        f"POST /plans: {service_rate:,.0f} requests/s; bare FastAPI validating a "
        f"ClientProfile: {bare_rate:,.0f} requests/s; ratio {service_rate / bare_rate:.2f} "
        f"(medians of {args.rounds} alternating rounds of {args.seconds:g} s, "
        f"{args.threads} keep-alive clients, "
        f"{'each profile new' if args.new_clients else 'the same 40 profiles again and again'})"
    )


if __name__ == "__main__":
    main()
