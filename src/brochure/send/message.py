"""Pure transform: one lead's rendered email and attachments -> an EmailMessage (MIME)."""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid

LOGO_CID = "logo@brochure"  # the inline logo's Content-ID (<img src="cid:logo@brochure">)


@dataclass(frozen=True)
class Attachment:
    """A file attached to the email (a lead's personalised brochure)."""

    filename: str
    data: bytes
    maintype: str = "application"
    subtype: str = "pdf"


@dataclass(frozen=True)
class Envelope:
    """Who sends to whom, and the headers that identify the message."""

    sender: Address
    to: Address
    message_id: str
    date: str  # RFC 5322 date, kept in the send log so a resend is the same message
    reply_to: str = ""
    unsubscribe_href: str = ""  # mailto: link for the List-Unsubscribe header


def new_message_id(sender: Address) -> str:
    """A fresh, unique Message-ID in the sender's domain."""
    return make_msgid(domain=sender.domain or "localhost")


def build(
    envelope: Envelope,
    subject: str,
    text: str,
    html: str,
    attachments: list[Attachment],
    logo_png: bytes | None = None,
) -> EmailMessage:
    """Return the email: text and HTML alternatives (the HTML with its inline logo), then the
    attachments. Non-ASCII names and file names are encoded by the standard library
    (RFC 2047 and RFC 2231)."""
    message = EmailMessage()
    message["From"] = envelope.sender
    message["To"] = envelope.to
    if envelope.reply_to:
        message["Reply-To"] = envelope.reply_to
    message["Subject"] = subject
    message["Date"] = envelope.date
    message["Message-ID"] = envelope.message_id
    if envelope.unsubscribe_href:
        message["List-Unsubscribe"] = f"<{envelope.unsubscribe_href}>"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if logo_png is not None:
        html_part = message.get_payload()[1]  # type: ignore[index]
        assert isinstance(html_part, EmailMessage)
        html_part.add_related(
            logo_png, "image", "png", cid=f"<{LOGO_CID}>", filename="logo.png", disposition="inline"
        )
    for item in attachments:
        message.add_attachment(
            item.data, maintype=item.maintype, subtype=item.subtype, filename=item.filename
        )
    return message
