"""core.documents: generated files with hash, size, type, owner organisation and retention,
served through one view with the tenancy checks; and core mail with an HTML part and
attachments, rendered in the recipient's language."""
from __future__ import annotations

import email
import email.policy
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import documents
from core.db import get_db
from core.jobs import Job, run_pending
from core.mail import (
    Attachment,
    MailError,
    outbox_dir,
    queue_mail,
    queue_templated_mail,
    render_mail,
)
from core.models import Document, Role
from tests.conftest import login

XML = b"<?xml version='1.0'?><rapport>november</rapport>"


@pytest.fixture
def two_orgs(factory):
    return factory.org(name="Eigen Huis"), factory.org(name="Ander Huis")


def test_stored_with_hash_size_type_owner_and_retention(session, two_orgs, frozen_today):
    org, _other = two_orgs
    doc = documents.store(session, org, XML, filename="FO-SU-05 nov.xml", content_type="application/xml",
                          kind="test.report")
    assert (doc.organisation_id, doc.size, doc.sha256) == (org.id, len(XML), hashlib.sha256(XML).hexdigest())
    assert doc.filename == "FO-SU-05 nov.xml" and doc.content_type == "application/xml"
    assert doc.delete_after == frozen_today + timedelta(days=365)  # core.document_retention_days
    again = documents.store(session, org, XML, filename="FO-SU-05 nov.xml", content_type="application/xml",
                            kind="test.report")
    assert again.id == doc.id  # the same bytes are kept once
    other_bytes = documents.store(session, org, XML + b" ", filename="FO-SU-05 nov.xml",
                                  content_type="application/xml", kind="test.report")
    assert other_bytes.id != doc.id


@pytest.mark.parametrize("content, filename, content_type, kind, message", [
    (b"", "a.xml", "application/xml", "k", "content"),
    ("tekst", "a.xml", "application/xml", "k", "content"),
    (XML, "", "application/xml", "k", "file name"),
    (XML, "../..", "application/xml", "k", "file name"),
    (XML, "a.xml", "xml", "k", "content type"),
    (XML, "a.xml", "application/xml\r\nX-Evil: 1", "k", "content type"),
    (XML, "a.xml", "application/xml", "", "kind"),
])
def test_bad_input_is_refused(session, two_orgs, content, filename, content_type, kind, message):
    with pytest.raises(documents.DocumentError, match=message):
        documents.store(session, two_orgs[0], content, filename=filename, content_type=content_type, kind=kind)
    assert session.scalar(select(func.count()).select_from(Document)) == 0


def test_too_large_is_refused(session, two_orgs, monkeypatch):
    monkeypatch.setattr(documents, "MAX_SIZE", 10)
    with pytest.raises(documents.DocumentError, match="at most"):
        documents.store(session, two_orgs[0], b"x" * 11, filename="a.bin", content_type="application/octet-stream",
                        kind="k")


def test_a_path_in_the_file_name_is_dropped(session, two_orgs):
    doc = documents.store(session, two_orgs[0], XML, filename='../../etc/pa"ss wd.xml',
                          content_type="application/xml", kind="k")
    assert doc.filename == "pa_ss wd.xml"


def test_served_to_the_own_organisation_only(client, session, factory, two_orgs, frozen_today):
    org, other = two_orgs
    director = factory.user(org, Role.DIRECTOR)
    caregiver = factory.user(org, Role.CAREGIVER)
    doc = documents.store(session, org, XML, filename="rapport.xml", content_type="application/xml", kind="k")
    foreign = documents.store(session, other, b"<geheim/>", filename="geheim.xml", content_type="application/xml",
                              kind="k")
    session.commit()
    login(client, director)
    r = client.get(f"/o/{org.slug}/documents/{doc.id}")
    assert r.status_code == 200 and r.data == XML and r.mimetype == "application/xml"
    assert r.headers["Content-Disposition"] == 'attachment; filename="rapport.xml"'
    assert "no-store" in r.headers["Cache-Control"]
    assert client.get(f"/o/{org.slug}/documents/{foreign.id}").status_code == 404  # not through our URL
    assert client.get(f"/o/{other.slug}/documents/{foreign.id}").status_code == 404  # nor through theirs
    assert client.get(f"/o/{org.slug}/documents/99999999").status_code == 404
    client.post("/logout")
    login(client, caregiver)
    assert client.get(f"/o/{org.slug}/documents/{doc.id}").status_code == 403


def test_past_retention_it_is_gone_and_purged(client, session, factory, two_orgs, frozen_today):
    org, _other = two_orgs
    director = factory.user(org, Role.DIRECTOR)
    old = documents.store(session, org, XML, filename="oud.xml", content_type="application/xml", kind="k",
                          delete_after=frozen_today - timedelta(days=1))
    kept = documents.store(session, org, XML, filename="nieuw.xml", content_type="application/xml", kind="k")
    session.commit()
    login(client, director)
    assert client.get(f"/o/{org.slug}/documents/{old.id}").status_code == 404
    assert documents.purge_expired(session) == 1
    assert session.get(Document, old.id) is None and session.get(Document, kept.id) is not None


def test_changed_bytes_are_not_served_as_the_document(session, two_orgs):
    doc = documents.store(session, two_orgs[0], XML, filename="a.xml", content_type="application/xml", kind="k")
    doc.content = b"<ander/>"
    session.flush()
    with pytest.raises(documents.DocumentError, match="hash"):
        documents.content_of(session, doc)


def test_documents_purge_command(app, session, two_orgs, frozen_today):
    from click.testing import CliRunner

    documents.store(session, two_orgs[0], XML, filename="oud.xml", content_type="application/xml", kind="k",
                    delete_after=frozen_today - timedelta(days=3))
    session.commit()
    result = CliRunner().invoke(app.cli, ["documents", "purge"])
    assert result.exit_code == 0 and "1 documenten verwijderd" in result.output


# --- mail --------------------------------------------------------------------------------------------


def _sent_message():
    [path] = list(outbox_dir().glob("*.eml"))
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def test_a_mail_in_the_recipients_language_with_html_and_a_document(app, session, two_orgs, frozen_today):
    org, _other = two_orgs
    doc = documents.store(session, org, XML, filename="rapport.xml", content_type="application/xml", kind="k")
    job = queue_templated_mail(session, to="ouder@example.be", template="core/mail/document", language="fr",
                               key="doc-1", organisation_id=org.id, attachments=[doc],
                               org_name="Eigen <Huis>", filename="rapport.xml")
    assert job.payload["attachments"] == [{"document_id": doc.id}]  # a reference, not the bytes
    assert "html" not in job.payload and "Eigen" not in job.payload["html_sealed"]  # sealed like the body
    session.commit()
    assert run_pending(get_db(), kinds=["mail.send"]).done == 1
    msg = _sent_message()
    assert msg["Subject"] == "Document de Eigen <Huis> : rapport.xml" and msg["Content-Language"] == "fr"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "Vous trouverez en pièce jointe rapport.xml de Eigen <Huis>." in text
    assert "Eigen &lt;Huis&gt;" in html and 'lang="fr"' in html  # escaped in HTML, plain in text
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "rapport.xml" and attachment.get_content_type() == "application/xml"
    assert attachment.get_payload(decode=True) == XML


def test_the_same_template_in_dutch_and_english_and_an_unknown_language(app):
    nl = render_mail("core/mail/document", "nl", org_name="Huis", filename="a.pdf")
    en = render_mail("core/mail/document", "en", org_name="Huis", filename="a.pdf")
    xx = render_mail("core/mail/document", "xx", org_name="Huis", filename="a.pdf")
    assert nl.subject == "Document van Huis: a.pdf" and "In de bijlage vindt u a.pdf van Huis." in nl.body
    assert en.subject == "Document from Huis: a.pdf" and "Please find attached" in en.html
    assert xx.language == "nl" and xx.subject == nl.subject


def test_bytes_attachments_go_to_the_store_or_inline_without_organisation(app, session, two_orgs, frozen_today):
    org, _other = two_orgs
    pdf = Attachment("lijst.pdf", "application/pdf", b"%PDF-1.4 test")
    with_org = queue_mail(session, to="a@example.be", subject="S", body="B", key="b-1", organisation_id=org.id,
                          attachments=[pdf])
    [part] = with_org.payload["attachments"]
    assert session.get(Document, part["document_id"]).kind == "mail.attachment"
    without = queue_mail(session, to="b@example.be", subject="S", body="B", key="b-2", attachments=[pdf])
    assert without.payload["attachments"][0]["filename"] == "lijst.pdf"
    session.commit()
    assert run_pending(get_db(), kinds=["mail.send"]).done == 2
    for path in outbox_dir().glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        [attachment] = list(msg.iter_attachments())
        assert attachment.get_payload(decode=True) == b"%PDF-1.4 test"


def test_a_document_of_another_organisation_cannot_be_attached(session, two_orgs):
    org, other = two_orgs
    foreign = documents.store(session, other, XML, filename="geheim.xml", content_type="application/xml", kind="k")
    with pytest.raises(MailError, match="own organisation"):
        queue_mail(session, to="a@example.be", subject="S", body="B", key="x-1", organisation_id=org.id,
                   attachments=[foreign])
    with pytest.raises(MailError, match="not an attachment"):
        queue_mail(session, to="a@example.be", subject="S", body="B", key="x-2", attachments=["/etc/passwd"])
    assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == "mail.send")) == 0


def test_a_mail_is_queued_once_by_its_key_also_after_it_was_sent(app, session, frozen_today):
    first = queue_mail(session, to="a@example.be", subject="S", body="B", key="once")
    session.commit()
    run_pending(get_db(), kinds=["mail.send"])
    assert queue_mail(session, to="a@example.be", subject="S", body="B", key="once").id == first.id



def test_a_modules_document_keeps_the_roles_of_its_page_and_closes_with_the_module(client, session, factory,
                                                                                  frozen_today):
    from core.tenancy import disable_module

    org = factory.org(name="Met module", modules={"aanwezigheden"})
    director = factory.user(org, Role.DIRECTOR)
    finance = factory.user(org, Role.FINANCE)
    doc = documents.store(session, org, XML, filename="FO-SU-05.xml", content_type="application/xml",
                          kind="aanwezigheden.fo_su_05", module="aanwezigheden", roles={Role.DIRECTOR})
    assert doc.roles == "director"
    session.commit()
    login(client, finance)
    assert client.get(f"/o/{org.slug}/documents/{doc.id}").status_code == 403  # finance may not
    client.post("/logout")
    login(client, director)
    assert client.get(f"/o/{org.slug}/documents/{doc.id}").status_code == 200
    disable_module(session, session.merge(org), "aanwezigheden")
    session.commit()
    assert client.get(f"/o/{org.slug}/documents/{doc.id}").status_code == 404
