"""The per-organisation settings page: documented defaults, typed values, Dutch errors."""
from core.models import OrganisationSetting, Role
from core.settings import get_setting
from tests.conftest import login


def test_director_changes_a_setting_and_sees_default(client, factory, session):
    org = factory.org()
    login(client, factory.user(org, Role.DIRECTOR))
    page = client.get(f"/o/{org.slug}/settings/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Bewaartermijn" in text and "Standaard: 5" in text
    response = client.post(f"/o/{org.slug}/settings/", data={"core.retention_years": "7",
                                                             "core.document_retention_days": "365",
                                                             "core.complaint_retention_years": "10"})
    assert response.status_code == 302
    assert get_setting(session, org, "core.retention_years") == 7


def test_bad_value_gives_dutch_error_and_writes_nothing(client, factory, session):
    org = factory.org()
    login(client, factory.user(org, Role.DIRECTOR))
    response = client.post(f"/o/{org.slug}/settings/", data={"core.retention_years": "vijf"})
    assert response.status_code == 422
    assert "Geef een geheel getal." in response.get_data(as_text=True)
    assert session.query(OrganisationSetting).filter_by(organisation_id=org.id).count() == 0


def test_finance_may_not_change_settings(client, factory):
    org = factory.org()
    login(client, factory.user(org, Role.FINANCE))
    assert client.get(f"/o/{org.slug}/settings/").status_code == 403
