"""The parent's e-mail address and phone number: checked without depending on the network (no DNS
lookup unless switched on, and then a DNS that does not answer never refuses an address), phone
numbers Belgian or international (python-phonenumbers), stored in one international form."""
from __future__ import annotations

import pytest

from plugins.wachtlijst.services.errors import ValidationFailed
from tests.plugins.wachtlijst.helpers import make_request


def _no_dns(*args, **kwargs):
    raise AssertionError("the DNS was consulted although the deliverability check is off")


def test_email_check_makes_no_dns_lookup_by_default(app, session, org, location, frozen_today, monkeypatch):
    import email_validator.deliverability

    monkeypatch.setattr(email_validator.deliverability, "validate_email_deliverability", _no_dns)
    req, _token = make_request(session, org, [location.id], email="Ouder@Example.be")
    assert req.email == "Ouder@example.be"


def test_syntax_errors_are_refused_without_dns(session, org, location, frozen_today, monkeypatch):
    import email_validator.deliverability

    monkeypatch.setattr(email_validator.deliverability, "validate_email_deliverability", _no_dns)
    with pytest.raises(ValidationFailed) as info:
        make_request(session, org, [location.id], email="ouder@@example")
    assert info.value.errors == {"email": "email_invalid"}


@pytest.mark.parametrize("failure", [
    OSError("Network is unreachable"),
    TimeoutError("timed out"),
    "generic",  # email_validator's wrapper around an unexpected resolver error
])
def test_dns_that_cannot_answer_never_refuses(app, session, org, location, frozen_today, monkeypatch, failure):
    import email_validator
    import email_validator.deliverability

    def broken(*args, **kwargs):
        if failure == "generic":
            raise email_validator.EmailUndeliverableError(
                "There was an error while checking if the domain name in the email address is deliverable: x")
        raise failure

    monkeypatch.setitem(app.config, "WACHTLIJST_CHECK_DELIVERABILITY", True)
    monkeypatch.setattr(email_validator.deliverability, "validate_email_deliverability", broken)
    req, _token = make_request(session, org, [location.id], email="ouder@example.be")
    assert req.id is not None


def test_dns_that_says_the_domain_does_not_exist_refuses(app, session, org, location, frozen_today, monkeypatch):
    import email_validator
    import email_validator.deliverability

    seen = {}

    def nxdomain(domain, domain_i18n, timeout=None, **kwargs):
        seen["timeout"] = timeout
        raise email_validator.EmailUndeliverableError(f"The domain name {domain_i18n} does not exist.")

    monkeypatch.setitem(app.config, "WACHTLIJST_CHECK_DELIVERABILITY", True)
    monkeypatch.setitem(app.config, "WACHTLIJST_DNS_TIMEOUT", 1.5)
    monkeypatch.setattr(email_validator.deliverability, "validate_email_deliverability", nxdomain)
    with pytest.raises(ValidationFailed) as info:
        make_request(session, org, [location.id], email="ouder@bestaat-niet.be")
    assert info.value.errors == {"email": "email_undeliverable"}
    assert seen["timeout"] == 1.5


@pytest.mark.parametrize("typed, stored", [
    ("0470 12 34 56", "+32 470 12 34 56"),
    ("056/22.33.44", "+32 56 22 33 44"),
    ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
    ("0031 20 123 4567", "+31 20 123 4567"),
])
def test_phone_numbers_belgian_or_international(session, org, location, frozen_today, typed, stored):
    req, _token = make_request(session, org, [location.id], phone=typed)
    assert req.phone == stored


@pytest.mark.parametrize("typed", ["12", "0470 12", "bel me", "+32 470 12 34 56 78 90"])
def test_bad_phone_numbers_are_refused_in_the_parents_language(session, org, location, frozen_today, typed):
    with pytest.raises(ValidationFailed) as info:
        make_request(session, org, [location.id], phone=typed)
    assert info.value.errors == {"phone": "phone_invalid"}
    assert "telefoonnummer" in info.value.messages("nl")["phone"]
    assert "téléphone" in info.value.messages("fr")["phone"]
    assert "phone number" in info.value.messages("en")["phone"]
