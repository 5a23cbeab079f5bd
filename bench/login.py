"""Login benchmark: the time of one password hash with today's parameters (OWASP argon2id,
core/passwords.py) against argon2-cffi's defaults used before (RFC 9106 low-memory: 64 MiB, t=3,
p=4), measured in the same run, and one whole login request through the Flask test client.

    .venv/bin/python bench/login.py        # -n 5: median of 5 runs each

Aim: a login answers within half a second on this machine."""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def median_ms(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def login_ms(repeat: int, hasher) -> float:
    """A POST /login with a real hash made by ``hasher``, through the WSGI test client."""
    from core import passwords
    from core.app import create_app
    from core.db import get_db
    from core.migrate import upgrade
    from core.models import Koepel, Organisation, Role, User

    folder = tempfile.mkdtemp(prefix="koepel-login-")
    url = f"sqlite:///{folder}/login.db"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-only", "KOEPEL_DATA_DIR": folder,
                      "KOEPEL_ENCRYPTION_KEY": "YVrZb3Xh4FJ9x6v3mZmXk2r5S9cC1F7m3c9gk9mN0aQ=",
                      "WTF_CSRF_ENABLED": False, "KOEPEL_LOGIN_MAX_FAILURES": 10_000}, plugins=[])
    with app.app_context(), get_db().unit_of_work() as session:
        koepel = Koepel(name="Bench")
        session.add(koepel)
        session.flush()
        org = Organisation(koepel_id=koepel.id, name="Bench", slug="bench")
        session.add(org)
        session.flush()
        session.add(User(email="bench@login.example", name="Bench", role=Role.DIRECTOR,
                         password_hash=hasher.hash("bench-password-2026"), organisation_id=org.id))
    client = app.test_client()
    passwords._hasher, passwords._DUMMY = hasher, None  # as if the app ran with these parameters

    def one():
        response = client.post("/login", data={"email": "bench@login.example", "password": "bench-password-2026"})
        assert response.status_code == 302, response.status_code
        client.post("/logout")

    return median_ms(one, repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    from argon2 import PasswordHasher

    from core.passwords import recommended_hasher

    old, new = PasswordHasher(), recommended_hasher()
    old_hash, new_hash = old.hash("bench-password-2026"), new.hash("bench-password-2026")
    old_ms = median_ms(lambda: old.verify(old_hash, "bench-password-2026"), args.repeat)
    new_ms = median_ms(lambda: new.verify(new_hash, "bench-password-2026"), args.repeat)
    whole_old = login_ms(args.repeat, old)
    whole = login_ms(args.repeat, new)
    print(f"median of {args.repeat} runs")
    print(f"one hash, before (argon2-cffi default: m={old.memory_cost} KiB, t={old.time_cost}, "
          f"p={old.parallelism})  {old_ms:8.1f} ms")
    print(f"one hash, now (OWASP argon2id: m={new.memory_cost} KiB, t={new.time_cost}, "
          f"p={new.parallelism})          {new_ms:8.1f} ms")
    print(f"ratio now / before: {new_ms / old_ms:.2f}")
    print(f"whole login request (POST /login + logout, test client), before  {whole_old:8.1f} ms")
    print(f"whole login request (POST /login + logout, test client), now     {whole:8.1f} ms  (aim < 500 ms)")
    return 0 if whole < 500 else 1


if __name__ == "__main__":
    raise SystemExit(main())
