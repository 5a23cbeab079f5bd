"""``koepel serve`` really serves: Flask ignores ``app.run()`` inside a FlaskGroup command, which
once made ``make demo`` exit right after printing the logins."""
from __future__ import annotations

from click.testing import CliRunner


def test_serve_starts_a_server_from_the_cli(monkeypatch, tmp_path):
    import werkzeug.serving

    from core.cli import main

    calls = []
    monkeypatch.setattr(werkzeug.serving, "run_simple",
                        lambda host, port, app, **kw: calls.append((host, port, app.name, kw)))
    monkeypatch.setenv("KOEPEL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("KOEPEL_INSECURE_COOKIES", "0")  # restored afterwards; --dev sets it to 1
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    result = CliRunner().invoke(main, ["serve", "--dev", "--host", "127.0.0.1", "--port", "5999"])
    assert result.exit_code == 0, result.output
    assert calls == [("127.0.0.1", 5999, "core", {"use_reloader": False, "use_debugger": False, "threaded": True})]
    assert "http://127.0.0.1:5999/" in result.output


def test_serve_with_jobs_runs_the_worker_beside_the_server(monkeypatch, tmp_path):
    """``make demo`` serves with ``--jobs``: queued e-mails are written without a second command."""
    import werkzeug.serving

    from core import jobs
    from core.cli import main

    started = []
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda host, port, app, **kw: None)
    monkeypatch.setattr(jobs, "start_worker_thread", lambda app, **kw: started.append(app.name))
    monkeypatch.setenv("KOEPEL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("KOEPEL_INSECURE_COOKIES", "0")
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    result = CliRunner().invoke(main, ["serve", "--dev", "--jobs", "--port", "5998"])
    assert result.exit_code == 0, result.output
    assert started == ["core"] and "taakverwerker" in result.output


def test_worker_thread_runs_due_jobs(app, monkeypatch):
    """The thread really calls the job runner, round after round, until stopped."""
    import threading

    from core import jobs

    rounds = threading.Event()
    calls = []

    def fake_run_pending(db, limit=100, kinds=None):
        calls.append(limit)
        if len(calls) >= 2:
            rounds.set()
        return jobs.RunReport()

    monkeypatch.setattr(jobs, "run_pending", fake_run_pending)
    stop = jobs.start_worker_thread(app, interval=0.01)
    try:
        assert rounds.wait(5), "the worker thread ran fewer than two rounds"
    finally:
        stop.set()
    assert calls[:2] == [100, 100]


def test_make_demo_takes_host_and_port():
    from pathlib import Path

    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "--jobs" in demo and "--host $(HOST) --port $(PORT)" in demo
    assert "--base-url $(DEMO_URL)" in demo and demo.count("KOEPEL_BASE_URL=$(DEMO_URL)") == 2
    assert "DEMO_URL = $(or $(KOEPEL_BASE_URL),$(shell $(BIN)/python -m core.netaddr $(HOST) $(PORT)))" in makefile


def test_a_wildcard_host_becomes_the_outgoing_address(monkeypatch):
    """``make demo HOST=0.0.0.0``: links name the address of the interface used for outgoing
    traffic (a UDP connect sends nothing), a named host stays, and without a route the host name."""
    import socket

    from core import netaddr

    assert netaddr.base_url("127.0.0.1", 5000) == "http://127.0.0.1:5000"
    assert netaddr.base_url("koepel.local", 8080) == "http://koepel.local:8080"
    connected = []

    class FakeSocket:
        def __init__(self, family, kind):
            self.family = family
            assert kind == socket.SOCK_DGRAM

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def connect(self, target):
            connected.append((self.family, target))
            if self.family == socket.AF_INET6:
                raise OSError("network unreachable")

        def getsockname(self):
            return ("192.168.1.23", 40000)

    monkeypatch.setattr(netaddr.socket, "socket", FakeSocket)
    assert netaddr.base_url("0.0.0.0", 8080) == "http://192.168.1.23:8080"
    assert netaddr.reachable_host("::") == "192.168.1.23"
    assert connected[0] == (socket.AF_INET, ("192.0.2.1", 9))

    class NoRoute(FakeSocket):
        def connect(self, target):
            raise OSError("network unreachable")

    monkeypatch.setattr(netaddr.socket, "socket", NoRoute)
    monkeypatch.setattr(netaddr.socket, "gethostname", lambda: "kinderopvang-pc")
    assert netaddr.base_url("0.0.0.0", 8080) == "http://kinderopvang-pc:8080"

    class IPv6Only(FakeSocket):
        def connect(self, target):
            if self.family == socket.AF_INET:
                raise OSError("network unreachable")

        def getsockname(self):
            return ("fd00::23", 40000, 0, 0)

    monkeypatch.setattr(netaddr.socket, "socket", IPv6Only)
    assert netaddr.base_url("::", 5000) == "http://[fd00::23]:5000"


def test_serve_on_every_interface_prints_the_reachable_address(monkeypatch, tmp_path):
    import werkzeug.serving

    from core import netaddr
    from core.cli import main

    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda host, port, app, **kw: None)
    monkeypatch.setattr(netaddr, "reachable_host", lambda host: "192.168.1.23")
    monkeypatch.setenv("KOEPEL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("KOEPEL_INSECURE_COOKIES", "0")
    monkeypatch.setenv("KOEPEL_BASE_URL", "http://192.168.1.23:8080")
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    result = CliRunner().invoke(main, ["serve", "--dev", "--host", "0.0.0.0", "--port", "8080"])
    assert result.exit_code == 0, result.output
    assert "Vanaf een ander toestel (tablet, gsm): http://192.168.1.23:8080/" in result.output
