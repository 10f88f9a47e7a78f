"""The send engine: one email per lead, with that lead's personalised brochures attached.

`send_leads` does a whole leads CSV (the `brochure send` command); `send_one` does one lead
without a CSV (the front desk). Both personalise with `personalize.Copies` (same rules, same
copies), render the email template, and then either write the message to out/outbox/ (a dry
run, the default) or hand it to the mail server, logging every send in the send log first.

Exactly once: before a message goes to the server its Message-ID is recorded as "sending";
after the server accepts it, as "sent". A lead marked "sent" is skipped next time; a lead
left "sending" by a crash is sent again with the same Message-ID (and Date), so the one
message that may arrive twice is an exact duplicate that mail programs drop.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from enum import StrEnum
from pathlib import Path
from typing import Any

from brochure.build.output import Writer
from brochure.errors import BrochureError, display_path
from brochure.personalize.filenames import safe_name
from brochure.personalize.run import Copies, Copy, plain_reason
from brochure.problems import plural
from brochure.render.html import Lead, booking_url
from brochure.send import log as sendlog
from brochure.send import message, optout, settings, template
from brochure.send.logo import logo_png
from brochure.send.smtp import Mailer
from brochure.source import brand as brandfile
from brochure.source import editions, locales
from brochure.source.leads import LeadRow, Leads, RowProblem, check_row, open_counted
from brochure.source.locales import ENGLISH, Strings
from brochure.source.project import Project

FRONT_DESK = "front-desk"  # out/leads/front-desk/: copies made for one lead at a time


class Status(StrEnum):
    """What happened to one lead."""

    SENT = "sent"
    WRITTEN = "written"  # a dry run: the email is in out/outbox/, nothing was sent
    ALREADY_SENT = "already sent"  # skipped: the send log says it was sent before
    UNSUBSCRIBED = "unsubscribed"  # skipped: the address is in unsubscribed.csv
    FAILED = "failed"


@dataclass(frozen=True)
class Options:
    """How to send: a dry run unless `send`; `limit` emails at most; `email` names the
    template (emails/NAME.md); `resend` sends again to leads already sent to."""

    send: bool = False
    limit: int | None = None
    email: str = "brochures"
    resend: bool = False
    jobs: int = 0  # worker processes for the copies (0: one per CPU core)
    retry_waits: tuple[float, ...] | None = None  # None: mail.yml's (the front desk is quicker)


@dataclass(frozen=True)
class Outcome:
    """What happened to one lead, in plain words."""

    status: Status
    email: str
    name: str
    row: int = 0  # the lead's CSV row (0 for one lead without a CSV)
    reason: str = ""  # why it failed or was skipped, without file or row
    report: str = ""  # the line to show: place, row and reason
    message_id: str = ""
    reply: str = ""  # the mail server's reply
    file: Path | None = None  # the .eml written by a dry run

    def summary(self) -> str:
        """Say in one line what happened to this lead (for one lead at a time)."""
        if self.status is Status.WRITTEN:
            where = display_path(self.file) if self.file else "out/outbox"
            return f"Dry run, nothing sent: the email is in {where}. Add --send to send it."
        if self.status is Status.SENT:
            return f"Sent to {self.email} ({self.reply})."
        if self.status is Status.ALREADY_SENT:
            return f"Skipped: {self.reason}. Add --resend to send it again."
        if self.status is Status.FAILED:
            return f"Not sent: {self.reason}"
        return f"Skipped: {self.reason}."


@dataclass(frozen=True)
class LeadDetails:
    """One lead typed in at the front desk (the same fields as a CSV row)."""

    name: str
    email: str
    lead_id: str = ""
    coordinator: str = ""
    coordinator_phone: str = ""
    coordinator_email: str = ""
    appointment: str = ""


@dataclass
class Summary:
    """The counts a run ends with."""

    dry_run: bool
    leads: int = 0
    brochures: int = 0
    counts: Counter[Status] = field(default_factory=Counter)
    outbox: Path | None = None
    limit_reached: int | None = None

    @property
    def failed(self) -> bool:
        return self.counts[Status.FAILED] > 0

    def line(self) -> str:
        """The closing line of a run."""
        c = self.counts
        skipped = (
            f"{c[Status.ALREADY_SENT]} skipped (already sent), "
            f"{c[Status.UNSUBSCRIBED]} skipped (unsubscribed), {c[Status.FAILED]} failed"
        )
        size = f"({plural(self.leads, 'lead')} x {plural(self.brochures, 'brochure')})"
        if self.dry_run:
            where = display_path(self.outbox) if self.outbox else "out/outbox"
            text = (
                f"Dry run, nothing sent: {plural(c[Status.WRITTEN], 'email')} written to "
                f"{where}/, {skipped} {size}."
            )
        else:
            text = f"{c[Status.SENT]} sent, {skipped} {size}."
        if self.limit_reached is not None:
            text += f" Stopped at --limit {self.limit_reached}."
        if self.dry_run and c[Status.WRITTEN]:
            text += " Add --send to send them."
        return text


def send_leads(
    project: Project,
    slugs: tuple[str, ...],
    leads_path: Path,
    options: Options,
    *,
    password: Callable[[], str],
    echo: Callable[[str], None] = print,
    total: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Email every lead of a CSV their copies of the brochures `slugs` (or, in a dry run,
    write the emails to out/outbox/). Returns the counts; each lead's problem is `echo`ed."""
    leads, count = open_counted(leads_path, slugs, "send")
    with closing(Session(project, slugs, options, password, leads_path, echo)) as session:
        if not options.send:
            session.clear_outbox()
        summary = Summary(
            dry_run=not options.send,
            leads=count,
            brochures=len(session.copies.shared),
            outbox=project.outbox_dir,
        )
        if total:
            total(count)
        _send_all(session, leads, summary, echo, progress)
    return summary


def _send_all(
    session: Session,
    leads: Leads,
    summary: Summary,
    echo: Callable[[str], None],
    progress: Callable[[int], None] | None,
) -> None:
    """Make each lead's copies and send them, in CSV order; count and report each lead."""
    early: deque[Outcome] = deque()  # leads decided without copies (skipped, no email)

    def report(outcome: Outcome) -> None:
        summary.counts[outcome.status] += 1
        if outcome.report:
            echo(outcome.report)
        if progress:
            progress(1)

    rows = Sendable(leads, session, early)
    group: list[Copy] = []
    with closing(session.copies.make(rows)) as made:
        for copy in made:
            while early:
                report(early.popleft())
            group.append(copy)
            if len(group) == summary.brochures:
                report(session.deliver(group))
                group = []
    while early:
        report(early.popleft())
    if rows.limited:
        summary.limit_reached = session.options.limit


class Sendable:
    """The rows to make copies for: leads not decided already, up to `--limit`."""

    def __init__(self, leads: Leads, session: Session, early: deque[Outcome]) -> None:
        self.rows = leads.rows()
        self.session = session
        self.early = early
        self.budget = session.options.limit
        self.limited = False

    def __iter__(self) -> Iterator[LeadRow | RowProblem]:
        for row in self.rows:
            if isinstance(row, LeadRow):
                decided = self.session.precheck(row)
                if decided is not None:
                    self.early.append(decided)
                    continue
                if self.budget is not None:
                    if self.budget <= 0:
                        self.limited = True
                        return
                    self.budget -= 1
            yield row


def send_one(
    project: Project,
    slugs: tuple[str, ...],
    lead: LeadDetails,
    options: Options,
    *,
    password: Callable[[], str],
) -> Outcome:
    """Email one lead (no CSV) their copies of the brochures `slugs`, logged like a CSV run.

    Returns the lead's outcome: sent (or written to out/outbox/ in a dry run), skipped
    (already sent, unsubscribed) or failed with a plain-words reason. Problems with the
    project itself (mail.yml, the template, a brochure, a wrong password) raise
    BrochureError, as they would stop every lead.
    """
    first, _, last = lead.name.strip().partition(" ")
    cells = {
        "first_name": first,
        "last_name": last,
        "email": lead.email,
        "lead_id": lead.lead_id,
        "coordinator": lead.coordinator,
        "coordinator_phone": lead.coordinator_phone,
        "coordinator_email": lead.coordinator_email,
        "appointment": lead.appointment,
    }
    row = check_row(0, 0, cells, False, {})
    if isinstance(row, RowProblem):
        reason = plain_reason(row.message.replace("first_name", "the name"), row.hint)
        return Outcome(Status.FAILED, lead.email, lead.name, reason=reason, report=reason)
    single = replace(options, jobs=1, limit=None)
    with closing(Session(project, slugs, single, password, None, lambda _: None)) as session:
        decided = session.precheck(row)
        if decided is not None:
            return decided
        with closing(session.copies.make([row])) as made:
            return session.deliver(list(made))


class Session:
    """What one run shares: settings, brand, template, send log, copies, mail connection."""

    def __init__(
        self,
        project: Project,
        slugs: tuple[str, ...],
        options: Options,
        password: Callable[[], str],
        leads_path: Path | None,
        echo: Callable[[str], None],
    ) -> None:
        self.project = project
        self.slugs = tuple(dict.fromkeys(slugs))
        self.options = options
        self.leads_path = leads_path
        self.mail = settings.load(project)
        if options.retry_waits is not None:
            self.mail = replace(self.mail, retry_waits=options.retry_waits)
        self.brand = brandfile.load(project)
        self.templates = {ENGLISH: template.load(project, options.email, self.brand.colors)}
        unfilled = settings.placeholders(project, self.mail, self.brand)
        if unfilled and options.send:
            raise unfilled[0]
        for problem in unfilled:
            echo(f"warning: {problem.message}")
        if unfilled:
            echo("warning: a dry run goes on, but --send refuses until these are filled in.")
        self.log = sendlog.SendLog(project.send_log_path, readonly=not options.send)
        self.optouts = optout.read_optouts(project.root / optout.FILE)
        self.claimed: dict[str, int] = {}  # send key -> the CSV row that mails it this run
        self.mailer: Mailer | None = None
        out_dir = project.leads_dir if leads_path else project.leads_dir / FRONT_DESK
        self.copies = Copies(
            project,
            self.slugs,
            out_dir,
            leads_path or Path("lead"),
            jobs=options.jobs,  # the workers make copies ahead while this process sends
            languages=leads_path is not None,  # a Language column picks each lead's edition
            echo=echo,
        )
        self._edition_templates(echo)
        self.titles = self._titles()
        self.logo = logo_png(self.copies.pipeline)
        self.framing = template.Framing(
            self.brand, self.mail.unsubscribe, f"cid:{message.LOGO_CID}"
        )
        self.outbox = Writer(project.outbox_dir)
        if options.send:
            self.mailer = Mailer(self.mail, password)
            self.mailer.connect()  # a wrong password or host stops the run before anything

    def _titles(self) -> dict[str, str]:
        """The title of each handout that may go out (slug -> title)."""
        titles = {}
        for shared in [*self.copies.shared, *self.copies.editions.values()]:
            brochure, _ = self.copies.pipeline.read(shared.path, checks=False)
            titles[shared.slug] = brochure.title if brochure else shared.slug
        return titles

    def _edition_templates(self, echo: Callable[[str], None]) -> None:
        """Load the email in each language the handouts go out in (emails/NAME.es.md)."""
        name = self.options.email
        every = [*self.copies.shared, *self.copies.editions.values()]
        for language in sorted({editions.parse(s.slug).language for s in every} - {""}):
            if (self.project.emails_dir / f"{name}.{language}.md").is_file():
                colors = self.brand.colors
                self.templates[language] = template.load(self.project, f"{name}.{language}", colors)
            else:
                echo(
                    f"warning: there is no emails/{name}.{language}.md, so leads who get "
                    f"{locales.language_name(language)} handouts get the English email. Write "
                    f"it: a copy of emails/{name}.md in {locales.language_name(language)}."
                )

    def clear_outbox(self) -> None:
        """Remove the emails of an earlier dry run, so out/outbox/ shows only this one."""
        for old in self.project.outbox_dir.glob("*.eml"):
            old.unlink()

    def key(self, row: LeadRow) -> str:
        return sendlog.send_key(row.email, row.lead_id, self.slugs)

    def precheck(self, row: LeadRow) -> Outcome | None:
        """Decide a lead before making its copies: no email, unsubscribed, already sent."""
        if not row.email:
            return self._failed(
                row, "email is empty", "Fill in the lead's email, or leave the row out"
            )
        if row.email.casefold() in self.optouts:
            reason = f"{row.email} is on the opt-out list ({optout.FILE})"
            return Outcome(
                Status.UNSUBSCRIBED,
                row.email,
                row.name,
                row.row,
                reason=reason,
                report=self._line(row, f"skipped: {reason}"),
            )
        key = self.key(row)
        first = self.claimed.setdefault(key, row.row)
        if first != row.row:  # the same address (and lead id) twice in the CSV: mail it once
            reason = f"{row.email} already gets this email from row {first}"
            return Outcome(
                Status.ALREADY_SENT,
                row.email,
                row.name,
                row.row,
                reason=reason,
                report=self._line(row, f"skipped: row {row.row}: {reason}"),
            )
        entry = self.log.get(key)
        if entry is not None and entry.status == sendlog.SENT and not self.options.resend:
            return Outcome(
                Status.ALREADY_SENT,
                row.email,
                row.name,
                row.row,
                reason=f"{row.email} already has this email (the server said {entry.reply})",
                message_id=entry.message_id,
                reply=entry.reply,
            )
        return None

    def deliver(self, copies: list[Copy]) -> Outcome:
        """Send (or write) one lead's email with the copies made for it."""
        failed = next((c for c in copies if c.status == "failed"), None)
        row = copies[0].lead
        if failed is not None or row is None:
            error = next((c.error for c in copies if c.error), "")
            reason = failed.reason if failed else ""
            return Outcome(Status.FAILED, "", "", copies[0].row, reason=reason, report=error)
        try:
            email = self.compose(row, copies)
        except ValueError as exc:  # an address the email headers cannot carry
            return self._failed(row, f"cannot address the email: {exc}", "Check the address")
        if not self.options.send:
            return self._write(row, email)
        assert self.mailer is not None
        key = self.key(row)
        self.log.sending(
            key,
            email=row.email,
            name=row.name,
            lead_id=row.lead_id,
            brochures=self.slugs,
            template=self.options.email,
            message_id=email["Message-ID"],
            date=email["Date"],
        )
        try:
            delivery = self.mailer.deliver(email, self.mail.sender.addr_spec, row.email)
        except BrochureError as exc:  # the server is gone: stop, noting this lead unsent
            self.log.finish(key, sendlog.FAILED, exc.message)
            raise
        self.log.finish(key, sendlog.SENT if delivery.ok else sendlog.FAILED, delivery.reply)
        if delivery.ok:
            return Outcome(
                Status.SENT,
                row.email,
                row.name,
                row.row,
                message_id=email["Message-ID"],
                reply=delivery.reply,
            )
        hint = (
            "Correct the address in your CSV, or remove the lead"
            if delivery.permanent
            else "Run the same command again later: only unsent leads are mailed"
        )
        verb = "refused" if delivery.permanent else "did not take"
        return self._failed(
            row,
            f"the mail server {verb} the email to {row.email}: {delivery.reply}",
            hint,
            message_id=email["Message-ID"],
            reply=delivery.reply,
        )

    def compose(self, row: LeadRow, copies: list[Copy]) -> EmailMessage:
        """Build one lead's email (reusing the Message-ID of an unfinished earlier send)."""
        lead = Lead(name=row.name, lead_id=row.lead_id)
        link = booking_url(self.brand, lead)
        titles = [self.titles[c.slug] for c in copies]
        languages = {editions.parse(c.slug).language for c in copies}
        language = languages.pop() if len(languages) == 1 else ENGLISH
        email_template = self.templates.get(language or ENGLISH)
        if email_template is None:  # no email in that language: all of it in English
            email_template, language = self.templates[ENGLISH], ENGLISH
        strings = self.copies.pipeline.strings(language or ENGLISH)
        context = {
            **{k: getattr(row, k) for k in template.SAMPLE if hasattr(row, k)},
            "clinic": self.brand.name,
            "phone": self.brand.phone,
            "booking_url": link,
            "website": self.brand.website,
            "brochures": titles,
            "brochure_list": _titles(titles, strings),
        }
        email = email_template.render(context)
        text, html = template.frame(email, self.framing, link, strings)
        entry = self.log.get(self.key(row))
        reuse = entry if entry is not None and not self.options.resend else None
        envelope = message.Envelope(
            sender=self.mail.sender,
            to=Address(display_name=row.name, addr_spec=row.email),
            message_id=reuse.message_id if reuse else message.new_message_id(self.mail.sender),
            date=reuse.date if reuse else formatdate(localtime=True),
            reply_to=row.coordinator_email or self.mail.reply_to,
            unsubscribe_href=template.unsubscribe_href(self.mail.unsubscribe),
        )
        attachments = [
            message.Attachment(
                _attachment_name(self.titles[c.slug], row.name),
                (self.copies.out_dir / c.file).read_bytes(),
            )
            for c in copies
        ]
        return message.build(envelope, email.subject, text, html, attachments, self.logo)

    def _write(self, row: LeadRow, email: EmailMessage) -> Outcome:
        stem = safe_name(row.name)
        name = f"{row.row:05d}-{stem}.eml" if self.leads_path else f"{stem}.eml"
        email["X-Unsent"] = "1"  # Outlook opens the file as a draft, ready to send
        path = self.outbox.write(name, email.as_bytes(policy=policy.SMTP), sync=False)
        return Outcome(
            Status.WRITTEN, row.email, row.name, row.row, message_id=email["Message-ID"], file=path
        )

    def _failed(self, row: LeadRow, message: str, hint: str, **more: Any) -> Outcome:
        return Outcome(
            Status.FAILED,
            row.email,
            row.name,
            row.row,
            reason=plain_reason(message, hint),
            report=self._line(row, f"error: row {row.row}: {message} ({hint})"),
            **more,
        )

    def _line(self, row: LeadRow, text: str) -> str:
        if self.leads_path is None:
            return text
        return f"{display_path(self.leads_path)}:{row.line}: {text}"

    def close(self) -> None:
        if self.mailer is not None:
            self.mailer.close()
        self.log.close()


def _titles(titles: list[str], strings: Strings) -> str:
    """`our brochure “A”`, `our brochures “A”, “B” and “C”`, in the email's language."""
    listed = strings.listed([f"“{t}”" for t in titles])
    return strings.fill("brochure_one" if len(titles) == 1 else "brochure_many", titles=listed)


def _attachment_name(title: str, name: str) -> str:
    """`Skin concerns exosomes may help - Maria López.pdf`: readable, safe on any computer."""
    text = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', " ", f"{title} - {name}")
    return " ".join(text.split())[:150].strip(" .") + ".pdf"
