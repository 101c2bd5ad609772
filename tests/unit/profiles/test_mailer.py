"""The SMTP adapter: the notice as an e-mail (nothing in it but the design's wording and headers),
and where `SMTP_URL` and `SMTP_FROM` send it."""

from __future__ import annotations

import pytest

from services.profiles.domain import NOTICE_SUBJECT, NOTICE_TEXT, InquiryNotice
from services.profiles.mailer import MailEnvironment, MailSettings, SmtpMailer, compose

NOTICE = InquiryNotice(to="jo.park@example.org", inquiry_id="inq-42")


def mailer(url: str) -> SmtpMailer:
    return SmtpMailer(MailSettings(url=url, sender="directory@example.org"))


def test_the_mail_has_the_notice_subject_message_id_and_text():
    message = compose(NOTICE, sender="directory@example.org")
    assert (message["From"], message["To"]) == ("directory@example.org", "jo.park@example.org")
    assert message["Subject"] == NOTICE_SUBJECT
    assert message["Message-ID"] == "<inquiry-inq-42@therapist-directory>"
    assert message.get_content() == NOTICE_TEXT


def test_the_mail_has_no_header_but_those_of_the_notice():
    message = compose(NOTICE, sender="directory@example.org")
    assert set(message.keys()) == {
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "Auto-Submitted",
        "Content-Type",
        "Content-Transfer-Encoding",
        "MIME-Version",
    }


def test_the_development_defaults_are_the_local_server_and_sender(monkeypatch):
    monkeypatch.delenv("SMTP_URL", raising=False)
    monkeypatch.delenv("SMTP_FROM", raising=False)
    settings = MailSettings.from_env(MailEnvironment())
    assert (settings.url, settings.sender) == ("smtp://127.0.0.1:1025", "directory@localhost")


def test_smtp_url_and_from_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SMTP_URL", "smtp://mail.example.org:2525")
    monkeypatch.setenv("SMTP_FROM", "noreply@example.org")
    settings = MailSettings.from_env(MailEnvironment())
    assert (settings.url, settings.sender) == ("smtp://mail.example.org:2525", "noreply@example.org")


def test_an_smtps_url_with_a_login_uses_tls_from_the_start():
    smtps = mailer("smtps://relay%40example.org:p%3Ass@mail.example.org")
    assert (smtps.hostname, smtps.port, smtps.use_tls) == ("mail.example.org", 465, True)
    assert (smtps.username, smtps.password) == ("relay@example.org", "p:ss")


def test_an_smtp_url_without_a_port_is_port_25_without_a_login():
    plain = mailer("smtp://mail.example.org")
    assert (plain.port, plain.use_tls, plain.username) == (25, False, None)


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "mail.example.org:25"])
def test_an_url_that_names_no_smtp_server_is_refused(url):
    with pytest.raises(ValueError):
        mailer(url)


def test_the_settings_do_not_show_the_password():
    assert "s3cret" not in repr(MailSettings(url="smtp://u:s3cret@mail.example.org", sender="d@example.org"))
