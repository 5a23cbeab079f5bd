"""Browser-test support (live server, Playwright with Debian's Chromium): fixtures are added by
the browser-test work; this module is loaded as a pytest plugin from tests/conftest.py."""
