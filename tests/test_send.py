"""`brochure send`: real SMTP (aiosmtpd with STARTTLS and AUTH on loopback), real PDFs."""

from __future__ import annotations

import io
import itertools
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from brochure.send import run as engine
from brochure.source.project import Project

from .conftest import invoke, replace_in, write
from .mailserver import PASSWORD, MailServer

ADDRESS = "7 Desert Bloom Road, Suite 2, Scottsdale, AZ 85251"
BOOK = "https://elixirwellness.test/book"
LEADS = (
    "First Name,Last Name,Email,Lead ID,Coordinator,Coordinator Phone\r\n"
    "Maria,López,maria@clinic.test,L-001,Ana Lopez,480 555 0100\r\n"
    'Zoë,"<b>Brontë</b>",zoe@clinic.test,L-002,,\r\n'
    ",Nobody,nobody@clinic.test,L-003,,\r\n"
    "Bob,Smith,,L-004,,\r\n"
    "Jo,Ng,JO@clinic.test,L-005,,\r\n"
)
OPTED_OUT = "Name,E-mail\r\nJo Ng,jo@clinic.test\r\n"
SEND = ("send", "conditions", "--leads", "leads.csv", "--jobs", "1")


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MailServer]:
    """The mail server, trusted by the client (SSL_CERT_FILE), and the right password."""
    mail = MailServer(tmp_path).start()
    monkeypatch.setenv("SSL_CERT_FILE", str(mail.ca_file))
    monkeypatch.setenv("BROCHURE_SMTP_PASSWORD", PASSWORD)
    yield mail
    mail.stop()


@pytest.fixture
def clinic(project: Path, server: MailServer) -> Path:
    """The shipped project with real-looking details, mail.yml for the server, leads."""
    return fill_in(project, server)


def fill_in(project: Path, server: MailServer) -> Path:
    """Give a project real-looking details, mail.yml for `server`, leads and opt-outs."""
    replace_in(
        project, "_brand.yml", "123 Placeholder Street, Suite 100, Anytown, AZ 85000", ADDRESS
    )
    replace_in(project, "_brand.yml", "https://elixir-wellness.example/book", BOOK)
    replace_in(
        project, "_brand.yml", "https://elixir-wellness.example/", "https://elixirwellness.test/"
    )
    write(project, "mail.yml", server.mail_yml())
    write(project, "leads.csv", LEADS)
    write(project, "unsubscribed.csv", OPTED_OUT)
    return project


def pdf_of(message: object) -> tuple[str, str, list[str]]:
    """(file name, text, link URIs) of the single PDF attached to `message`."""
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    reader = PdfReader(io.BytesIO(part.get_content()))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    uris = [
        str(a.get_object()["/A"]["/URI"])
        for page in reader.pages
        for a in page.get("/Annots", [])
        if "/A" in a.get_object() and "/URI" in a.get_object()["/A"]
    ]
    return part.get_filename(), text, uris


def check_email(message: object, name: str, lead_id: str, file_name: str = "") -> None:
    """Both parts, the branded HTML, the opt-out, the lead's own attached copy."""
    assert message.get_content_type() == "multipart/mixed"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert ADDRESS in part  # the postal address
        assert f"{BOOK}?lead={lead_id}" in part
        assert "unsubscribe" in part.lower()
    assert 'href="tel:+14805905693"' in html
    assert 'src="cid:logo@brochure"' in html
    assert "http" not in re.sub(r'href="[^"]*"', "", html).replace(
        "https://elixirwellness.test/", ""
    )
    assert message["List-Unsubscribe"] == "<mailto:hello@clinic.test?subject=unsubscribe>"
    filename, pdf, uris = pdf_of(message)
    assert filename == f"Skin concerns exosomes may help - {file_name or name}.pdf"
    assert f"Prepared for {name}" in pdf
    assert f"{BOOK}?lead={lead_id}" in uris


def test_dry_run_writes_emails_to_the_outbox_and_sends_nothing(
    clinic: Path, server: MailServer
) -> None:
    result = invoke(clinic, *SEND)
    assert result.exit_code == 1, result.output  # two rows are broken
    assert server.handler.received == []
    assert not (clinic / "send-log.sqlite").exists()
    files = sorted(p.name for p in (clinic / "out/outbox").iterdir())
    assert files == ["00002-Maria-López.eml", "00003-Zoë-b-Brontë-b.eml"]
    raw = (clinic / "out/outbox/00002-Maria-López.eml").read_bytes()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert str(message["To"]) == "Maria López <maria@clinic.test>"
    assert message["X-Unsent"] == "1"  # Outlook opens it as a draft to send
    assert message["Subject"] == "Maria, the information you asked for from Elixir and Wellness"
    check_email(message, "Maria López", "L-001")
    assert "filename*0*=utf-8''Skin%20concerns" in raw.decode("ascii")  # RFC 2231
    assert raw.count(b"\r\n") == raw.count(b"\n")  # CRLF lines, as Outlook wants them
    assert (
        "Dry run, nothing sent: 2 emails written to out/outbox/, 0 skipped (already sent), "
        "1 skipped (unsubscribed), 2 failed (5 leads x 1 brochure). Add --send to send them."
    ) in result.output


def test_send_mails_each_valid_lead_once_over_one_connection(
    clinic: Path, server: MailServer
) -> None:
    result = invoke(clinic, *SEND, "--send")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert (
        "leads.csv:4: error: row 4: first_name is empty "
        "(Fill in the lead's first name, or delete the row)"
    ) in lines
    assert (
        "leads.csv:5: error: row 5: email is empty (Fill in the lead's email, or leave the row out)"
        in lines
    )
    assert "leads.csv:6: skipped: JO@clinic.test is on the opt-out list (unsubscribed.csv)" in lines
    assert lines[-1] == (
        "2 sent, 0 skipped (already sent), 1 skipped (unsubscribed), 2 failed "
        "(5 leads x 1 brochure)."
    )
    got = server.handler.received
    assert [r.rcpt_tos for r in got] == [["maria@clinic.test"], ["zoe@clinic.test"]]
    assert {r.mail_from for r in got} == {"hello@clinic.test"}
    assert len({r.peer for r in got}) == 1  # one connection for the run
    assert server.handler.logins == [("frontdesk@clinic.test", PASSWORD)]
    check_email(got[0].message, "Maria López", "L-001")
    zoe = got[1].message
    check_email(zoe, "Zoë <b>Brontë</b>", "L-002", "Zoë b Brontë b")
    html = zoe.get_body(("html",)).get_content()
    assert "Zoë" in html and "<b>Brontë" not in html  # autoescaped
    assert "health" not in zoe["Subject"].lower() and "skin" not in zoe["Subject"].lower()

    with sqlite3.connect(clinic / "send-log.sqlite") as db:
        rows = db.execute("SELECT email, status, message_id, reply FROM sends ORDER BY email")
        log = list(rows)
    assert [(e, s) for e, s, _, _ in log] == [
        ("maria@clinic.test", "sent"),
        ("zoe@clinic.test", "sent"),
    ]
    assert log[0][2] == got[0].message["Message-ID"]
    assert log[0][3] == "250 2.0.0 Ok: queued as 1"

    again = invoke(clinic, *SEND, "--send")
    assert again.output.splitlines()[-1] == (
        "0 sent, 2 skipped (already sent), 1 skipped (unsubscribed), 2 failed "
        "(5 leads x 1 brochure)."
    )
    assert len(server.handler.received) == 2

    resend = invoke(clinic, *SEND, "--send", "--resend", "--limit", "1")
    assert "1 sent," in resend.output and "Stopped at --limit 1." in resend.output
    assert len(server.handler.received) == 3
    again_maria = server.handler.received[2].message
    assert again_maria["Message-ID"] != got[0].message["Message-ID"]


def test_the_same_lead_twice_in_the_csv_is_mailed_once(clinic: Path, server: MailServer) -> None:
    header = LEADS.splitlines()[0]
    write(
        clinic,
        "leads.csv",
        f"{header}\r\nSam,Lee,sam@clinic.test,,,\r\nSam,Lee,SAM@clinic.test,,,\r\n",
    )
    result = invoke(clinic, *SEND, "--send")
    assert result.exit_code == 0, result.output
    assert [r.rcpt_tos for r in server.handler.received] == [["sam@clinic.test"]]
    assert result.output.splitlines()[-2:] == [
        "leads.csv:3: skipped: row 3: SAM@clinic.test already gets this email from row 2",
        "1 sent, 1 skipped (already sent), 0 skipped (unsubscribed), 0 failed "
        "(2 leads x 1 brochure).",
    ]


def test_a_temporary_reply_is_retried_and_a_permanent_one_fails_that_lead_only(
    clinic: Path, server: MailServer
) -> None:
    server.handler.replies["maria@clinic.test"].append("451 4.7.1 Greylisted, try again later")
    server.handler.replies["zoe@clinic.test"].extend(["550 5.1.1 No such mailbox"] * 3)
    result = invoke(clinic, *SEND, "--send")
    assert result.exit_code == 1
    assert [r.rcpt_tos for r in server.handler.received] == [["maria@clinic.test"]]
    assert (
        "leads.csv:3: error: row 3: the mail server refused the email to zoe@clinic.test: "
        "550 5.1.1 No such mailbox (Correct the address in your CSV, or remove the lead)"
    ) in result.output.splitlines()
    assert "1 sent, 0 skipped (already sent), 1 skipped (unsubscribed), 3 failed" in result.output
    assert "Maria" not in result.output  # Maria's retry is nobody's business

    # A server that keeps saying "later" is tried 3 times, then reported.
    server.handler.replies["zoe@clinic.test"].clear()
    server.handler.replies["zoe@clinic.test"].extend(["421 4.3.0 Busy"] * 3)
    later = invoke(clinic, *SEND, "--send")
    assert (
        "leads.csv:3: error: row 3: the mail server did not take the email to zoe@clinic.test: "
        "421 4.3.0 Busy (tried 3 times) (Run the same command again later: only unsent leads "
        "are mailed)"
    ) in later.output.splitlines()
    assert len(server.handler.received) == 1


def test_a_dropped_connection_is_retried_on_a_new_one(clinic: Path, server: MailServer) -> None:
    server.handler.replies["zoe@clinic.test"].append("drop")
    result = invoke(clinic, *SEND, "--send")
    got = server.handler.received
    assert [r.rcpt_tos for r in got] == [["maria@clinic.test"], ["zoe@clinic.test"]]
    assert len({r.peer for r in got}) == 2
    assert "2 sent," in result.output


def test_a_server_gone_for_good_stops_the_run(clinic: Path, server: MailServer) -> None:
    write(clinic, "mail.yml", server.mail_yml(timeout=1, retry_wait_seconds="[0.2]"))
    server.handler.replies["zoe@clinic.test"].append("down")
    result = invoke(clinic, *SEND, "--send")
    assert result.exit_code == 1
    last = result.output.splitlines()[-1]  # refused, or timed out while the server stops
    assert last.startswith("Error: lost the mail server 127.0.0.1 during the run: no new ")
    assert last.endswith(
        ". Run the same command again later: only the leads not yet sent are mailed."
    )
    with sqlite3.connect(clinic / "send-log.sqlite") as db:
        log = dict(db.execute("SELECT email, status FROM sends"))
    assert log == {"maria@clinic.test": "sent", "zoe@clinic.test": "failed"}


def test_killed_mid_run_then_run_again_mails_everyone_once(
    clinic: Path, server: MailServer
) -> None:
    leads = "First Name,Email,Lead ID\r\n" + "".join(
        f"Lead{i},lead{i}@clinic.test,L-{i}\r\n" for i in range(1, 6)
    )
    write(clinic, "leads.csv", leads)
    server.handler.hold_at = 3  # the server holds the third message: the client waits
    command = [sys.executable, "-c", "from brochure.cli import main; main()", *SEND, "--send"]
    env = {**os.environ}
    proc = subprocess.Popen(
        command, cwd=clinic, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        assert server.handler.holding.wait(60), "the third message never reached the server"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.kill()
        server.handler.release.set()
    assert proc.returncode == -signal.SIGKILL
    result = invoke(clinic, *SEND, "--send")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("3 sent, 2 skipped (already sent)")
    got = server.handler.received
    by_lead = {
        f"lead{i}@clinic.test": [r for r in got if r.rcpt_tos == [f"lead{i}@clinic.test"]]
        for i in range(1, 6)
    }
    assert {k: len(v) for k, v in by_lead.items()} == {
        "lead1@clinic.test": 1,
        "lead2@clinic.test": 1,
        "lead3@clinic.test": 2,  # the one in flight: sent again...
        "lead4@clinic.test": 1,
        "lead5@clinic.test": 1,
    }
    first, second = (r.message for r in by_lead["lead3@clinic.test"])
    assert first["Message-ID"] == second["Message-ID"]  # ...as the same message
    assert first["Date"] == second["Date"]


def test_a_wrong_password_is_one_clear_error(
    clinic: Path, server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROCHURE_SMTP_PASSWORD", "wrong")
    result = invoke(clinic, *SEND, "--send")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Error: the mail server 127.0.0.1 refused the user name and password (535 5.7.8 "
        "Authentication credentials invalid). Check `username` in mail.yml and the password "
        "in BROCHURE_SMTP_PASSWORD."
    )
    assert server.handler.received == []
    monkeypatch.delenv("BROCHURE_SMTP_PASSWORD")
    missing = invoke(clinic, *SEND, "--send")
    assert missing.output.splitlines()[-1].startswith(
        "Error: no password for the mail server 127.0.0.1. Set it for this session with "
        "`export BROCHURE_SMTP_PASSWORD=...`"
    )


def test_placeholders_are_refused_with_what_to_fill_in(project: Path, server: MailServer) -> None:
    write(project, "leads.csv", LEADS)
    result = invoke(project, *SEND, "--send")
    assert result.exit_code == 1
    assert result.output == (
        "Error: mail.yml:6: the mail server `smtp.elixir-wellness.example` is a placeholder. "
        "Fill in your mail provider's SMTP server.\n"
    )
    write(project, "mail.yml", server.mail_yml())
    result = invoke(project, *SEND, "--send")
    assert result.output == (
        "Error: _brand.yml:14: the clinic's postal address `123 Placeholder Street, Suite 100, "
        "Anytown, AZ 85000` is a placeholder. Fill in the real street address: the law on "
        "commercial email (CAN-SPAM) wants it in every email.\n"
    )
    assert server.handler.received == []


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "smtp:\n  host: x\n  security: tls\n",
            "mail.yml:3: `security: tls` is not one of starttls, ssl, none",
        ),
        ("smtp:\n  host: x\n  port: 99999\n", "mail.yml:3: port 99999 does not exist"),
        (
            "smtp:\n  host: x\nfrom: x\nrate_per_minute: 5\n",
            "mail.yml:3: `from` is not an email address: x",
        ),
        (
            "smtp:\n  host: x\nfrom: a@b.test\nrate_per_min: 5\n",
            "mail.yml:4: unknown setting `rate_per_min`. Did you mean `rate_per_minute`?",
        ),
        ("smtp:\n  host: [x\n", "mail.yml:2: a list in [brackets] or {braces} is not closed"),
    ],
)
def test_mail_settings_mistakes_name_their_line(clinic: Path, text: str, error: str) -> None:
    write(clinic, "mail.yml", text)
    result = invoke(clinic, *SEND)
    assert result.exit_code == 1
    assert result.output.startswith("Error: " + error), result.output


def test_email_template_mistakes_name_their_line(clinic: Path) -> None:
    replace_in(clinic, "emails/brochures.md", "Hi {{ first_name }}", "Hi {{ frist_name }}")
    result = invoke(clinic, *SEND)
    assert result.output.startswith(
        "Error: emails/brochures.md:5: unknown field `{{ frist_name }}`. Did you mean `first_name`?"
    ), result.output
    write(clinic, "emails/acne.md", "---\nsubject: Your acne brochure\n---\nHi\n")
    result = invoke(clinic, *SEND, "--email", "acne")
    assert result.output.startswith(
        "Error: emails/acne.md:2: the subject line mentions a health detail (“acne”)"
    ), result.output


def test_rate_limit_spaces_the_messages(clinic: Path, server: MailServer) -> None:
    stamps: list[float] = []
    original = server.handler.handle_DATA

    async def stamped(*args: object) -> str:
        stamps.append(time.monotonic())
        return await original(*args)

    server.handler.handle_DATA = stamped  # type: ignore[method-assign]
    write(clinic, "mail.yml", server.mail_yml(rate_per_minute=300))  # one per 0.2 s
    write(clinic, "unsubscribed.csv", "")
    invoke(clinic, *SEND, "--send")
    assert len(stamps) == 3
    assert min(b - a for a, b in itertools.pairwise(stamps)) >= 0.15  # jitter aside


def test_one_lead_at_the_front_desk(clinic: Path, server: MailServer) -> None:
    args = (
        "send",
        "conditions",
        "--to",
        "kim@clinic.test",
        "--name",
        "Kim Lee",
        "--lead-id",
        "W-7",
    )
    dry = invoke(clinic, *args, "--coordinator", "Ana")
    assert dry.exit_code == 0, dry.output
    assert dry.output == (
        "Dry run, nothing sent: the email is in out/outbox/Kim-Lee.eml. Add --send to send it.\n"
    )
    sent = invoke(clinic, *args, "--coordinator", "Ana", "--send")
    assert sent.exit_code == 0, sent.output
    assert sent.output == "Sent to kim@clinic.test (250 2.0.0 Ok: queued as 1).\n"
    (got,) = server.handler.received
    check_email(got.message, "Kim Lee", "W-7")
    assert "Ana is happy to help" in got.message.get_body(("plain",)).get_content()
    again = invoke(clinic, *args, "--send")
    assert again.output == (
        "Skipped: kim@clinic.test already has this email (the server said 250 2.0.0 Ok: "
        "queued as 1). Add --resend to send it again.\n"
    )
    # The engine, in-process (as the front desk page will call it): logged like a CSV run.
    project = Project.at(clinic)
    lead = engine.LeadDetails(name="Kim Lee", email="kim@clinic.test", lead_id="W-7")
    options = engine.Options(send=True)
    outcome = engine.send_one(project, ("conditions",), lead, options, password=lambda: PASSWORD)
    assert outcome.status is engine.Status.ALREADY_SENT
    assert outcome.message_id == got.message["Message-ID"]
    bad = engine.LeadDetails(name="Kim Lee", email="kim-at-clinic")
    outcome = engine.send_one(project, ("conditions",), bad, options, password=lambda: PASSWORD)
    assert outcome.status is engine.Status.FAILED
    assert outcome.reason == (
        "Email 'kim-at-clinic' is not an email address. Correct it (name@example.com), or "
        "leave the cell empty."
    )
    assert len(server.handler.received) == 1


def test_a_plain_server_without_login(tmp_path: Path, clinic: Path) -> None:
    plain = MailServer(tmp_path, secure=False).start()
    try:
        write(clinic, "mail.yml", plain.mail_yml())
        result = invoke(clinic, *SEND, "--send")
        assert [r.rcpt_tos for r in plain.handler.received] == [
            ["maria@clinic.test"],
            ["zoe@clinic.test"],
        ]
        assert plain.handler.logins == []
        assert "2 sent," in result.output
    finally:
        plain.stop()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("--to", "a@b.test"),
            'Error: With --to, give the lead\'s name too: --name "Maria Lopez".\n',
        ),
        (
            ("--to", "a@b.test", "--name", "A", "--leads", "leads.csv"),
            "Error: Give either --leads leads.csv (every lead of a CSV) or --to EMAIL --name "
            "NAME (one lead).\n",
        ),
    ],
)
def test_one_lead_or_a_csv(clinic: Path, args: tuple[str, ...], error: str) -> None:
    result = invoke(clinic, "send", "conditions", *args)
    assert result.exit_code == 1
    assert result.output == error
