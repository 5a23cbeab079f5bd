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
