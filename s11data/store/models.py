"""The Section 11 domain as SQLAlchemy 2 typed ORM models.

Words follow DESIGN.md: partnership, cycle, question, organisation, invitation, return, rating,
recommendation. Constraints here make the contracts true in the database itself.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """Store enums by value as plain strings (portable, readable in SQL)."""
    return Enum(cls, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class Method(str, enum.Enum):
    SELF_ASSESSMENT = "self-assessment"
    PEER_REVIEW = "peer review"
    PANEL = "panel"


class Scale(str, enum.Enum):
    RAG = "RAG"
    ZERO_TO_THREE = "0-3"
    NONE = "none"


class Rag(str, enum.Enum):
    """A grade as the reports show it. Not rated / not applicable are answers, not missing data."""
    GREEN = "Green"
    AMBER = "Amber"
    RED = "Red"
    NOT_RATED = "Not rated"
    NOT_APPLICABLE = "Not applicable"


class Sector(str, enum.Enum):
    HEALTH = "health"
    POLICE = "police"
    LOCAL_AUTHORITY = "local authority"
    EDUCATION = "education"
    VOLUNTARY = "voluntary"
    FIRE = "fire & rescue"
    JUSTICE = "probation/justice"
    OTHER = "other"


class Engagement(str, enum.Enum):
    INVITED = "invited"
    SUBMITTED = "submitted"
    LATE = "late"
    REVIEWED = "reviewed"
    NATIONAL_RETURN = "national return"
    TWO_YEAR_CYCLE = "two-year cycle"
    WITHDRAWN = "withdrawn"
    DID_NOT_ENGAGE = "did not engage"
    DECLINED = "declined"


ENGAGED = (Engagement.SUBMITTED, Engagement.LATE, Engagement.REVIEWED)
"""The states of an invitation whose organisation sent its return (or was reviewed): a return received."""


class ContactKind(str, enum.Enum):
    INVITED = "invited"
    REMINDED = "reminded"
    FOLLOW_UP = "follow-up"
    DATE_OFFERED = "date offered"
    REVIEW_HELD = "review held"
    SUBMITTED = "submitted"
    PANEL_ATTENDED = "panel attended"
    OTHER = "other"


class ActionKind(str, enum.Enum):
    RECOMMENDATION = "recommendation"
    COMMITMENT = "commitment"


class ActionStatus(str, enum.Enum):
    NOT_STARTED = "not started"
    OPEN = "open"
    IN_PROGRESS = "in progress"
    COMPLETE = "complete"
    SUPERSEDED = "superseded"


class Role(str, enum.Enum):
    EXECUTIVE = "executive"
    CHAIR = "chair"
    BUSINESS_MANAGER = "business manager"
    ADMIN = "admin"


class SubjectKind(str, enum.Enum):
    QUESTION = "question"
    ORGANISATION = "organisation"
    CYCLE = "cycle"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


# --- partnerships, themes, organisations -------------------------------------------------------

class Partnership(Base):
    __tablename__ = "partnership"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[list[PartnershipAlias]] = relationship(back_populates="partnership",
                                                           cascade="all, delete-orphan")
    cycles: Mapped[list[Cycle]] = relationship(back_populates="partnership")


class PartnershipAlias(Base):
    __tablename__ = "partnership_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)
    partnership: Mapped[Partnership] = relationship(back_populates="aliases")


STABLE_THEMES: tuple[str, ...] = (
    "safeguarding structure & leadership",
    "safer recruitment & induction",
    "learning & development and supervision",
    "policies, escalation & whistleblowing",
    "listening to children & lived experience",
    "equality & diversity",
    "information sharing",
    "child exploitation",
    "domestic abuse",
    "neglect",
    "fathers",
    "transitions",
    "partnership engagement",
    "impact of Covid-19",
)
"""The stable theme list every question is tagged from (DESIGN §1)."""


class Theme(Base):
    """A stable theme that questions of every framework are tagged with; trends run on themes."""
    __tablename__ = "theme"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Organisation(Base):
    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[Sector] = mapped_column(_enum(Sector, "sector"), default=Sector.OTHER)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[list[OrganisationAlias]] = relationship(back_populates="organisation",
                                                            cascade="all, delete-orphan")


class OrganisationAlias(Base):
    __tablename__ = "organisation_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)
    organisation: Mapped[Organisation] = relationship(back_populates="aliases")


# --- cycles and frameworks ------------------------------------------------------------------------

class Cycle(Base):
    """One audit round of one partnership: its framework, method, scale and dates."""
    __tablename__ = "cycle"
    __table_args__ = (UniqueConstraint("partnership_id", "label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    method: Mapped[Method] = mapped_column(_enum(Method, "method"))
    scale: Mapped[Scale] = mapped_column(_enum(Scale, "scale"), default=Scale.RAG)
    title: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    returns_due: Mapped[dt.date | None] = mapped_column(Date)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    report_file: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    partnership: Mapped[Partnership] = relationship(back_populates="cycles")
    questions: Mapped[list[Question]] = relationship(back_populates="cycle", order_by="Question.position")


class Question(Base):
    """A question (or standard) of a cycle's framework, in a section, tagged with themes."""
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("cycle_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    section_code: Mapped[str] = mapped_column(String(40), default="")
    section_title: Mapped[str] = mapped_column(Text, default="")
    code: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    cycle: Mapped[Cycle] = relationship(back_populates="questions")
    themes: Mapped[list[Theme]] = relationship(secondary="question_theme", order_by="Theme.position")


class QuestionTheme(Base):
    __tablename__ = "question_theme"
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), primary_key=True, index=True)


# --- invitations and engagement -------------------------------------------------------------------

class PartnershipMember(Base):
    """An organisation of a partnership: invited to, or returning in, one of its cycles (0006).

    Kept by database triggers on `invitation` and `audit_return` (added with the first link, removed with the
    last), whoever writes; the app only reads it."""
    __tablename__ = "partnership_member"
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"),
                                                 primary_key=True, index=True)


class Invitation(Base):
    """An organisation asked to take part in a cycle, with its engagement status."""
    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("cycle_id", "organisation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[Engagement] = mapped_column(_enum(Engagement, "engagement"), default=Engagement.INVITED)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    cycle: Mapped[Cycle] = relationship()
    organisation: Mapped[Organisation] = relationship()
    contacts: Mapped[list[Contact]] = relationship(back_populates="invitation", cascade="all, delete-orphan",
                                                   order_by="Contact.occurred_on")


class Contact(Base):
    """A dated contact event of an invitation (invited, reminded, follow-up, review held ...)."""
    __tablename__ = "contact"
    __table_args__ = (Index("ix_contact_invitation_on", "invitation_id", "occurred_on"),)  # latest contact (0004)
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"))
    kind: Mapped[ContactKind] = mapped_column(_enum(ContactKind, "contact_kind"))
    occurred_on: Mapped[dt.date | None] = mapped_column(Date)
    detail: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    invitation: Mapped[Invitation] = relationship(back_populates="contacts")


# --- returns and ratings --------------------------------------------------------------------------

class Upload(Base):
    """One imported return file: who, when, which file, what it did."""
    __tablename__ = "upload"
    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    uploaded_by: Mapped[str] = mapped_column(String(100), default="")
    filename: Mapped[str] = mapped_column(String(300), default="")
    sha256: Mapped[str] = mapped_column(String(64), index=True, default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"), index=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")


class AuditReturn(Base):
    """One organisation's submission for a cycle. Corrections add a version; only one is current."""
    __tablename__ = "audit_return"
    __table_args__ = (
        UniqueConstraint("cycle_id", "organisation_id", "version"),
        Index("one_current_return", "cycle_id", "organisation_id", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    completed_by: Mapped[str] = mapped_column(String(200), default="")
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)
    source: Mapped[str] = mapped_column(Text, default="")
    cycle: Mapped[Cycle] = relationship()
    organisation: Mapped[Organisation] = relationship()
    ratings: Mapped[list[Rating]] = relationship(back_populates="audit_return", cascade="all, delete-orphan")


class Rating(Base):
    """The grade of one question in one return: raw value as written, its RAG, and the moderated grade."""
    __tablename__ = "rating"
    __table_args__ = (UniqueConstraint("return_id", "question_id"),  # grade counts read only this index (0004):
                      Index("ix_rating_return_grades", "return_id", "question_id", "rag", "moderated_rag"))
    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("audit_return.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    raw_value: Mapped[str] = mapped_column(String(100), default="")
    scale: Mapped[Scale] = mapped_column(_enum(Scale, "scale"), default=Scale.RAG)
    rag: Mapped[Rag | None] = mapped_column(_enum(Rag, "rag"))
    """None only for published quotes whose grade the report does not give (seed rating `Not published`)."""
    moderated_raw: Mapped[str] = mapped_column(String(100), default="")
    moderated_rag: Mapped[Rag | None] = mapped_column(_enum(Rag, "rag"))
    evidence: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    audit_return: Mapped[AuditReturn] = relationship(back_populates="ratings")
    question: Mapped[Question] = relationship()


class PublishedAggregate(Base):
    """A figure as a report published it (e.g. % green per question) where no per-organisation answers exist."""
    __tablename__ = "published_aggregate"
    __table_args__ = (UniqueConstraint("cycle_id", "subject_kind", "subject", "grade"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    subject_kind: Mapped[SubjectKind] = mapped_column(_enum(SubjectKind, "subject_kind"))
    subject: Mapped[str] = mapped_column(String(200), default="")
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    grade: Mapped[Rag] = mapped_column(_enum(Rag, "rag"))
    count: Mapped[int | None] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(Float)
    base: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


# --- recommendations and actions ------------------------------------------------------------------

class Recommendation(Base):
    """What a report asks of an organisation or the partnership (kind recommendation or commitment)."""
    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("cycle_id", "made_by", "kind", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    made_by: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[ActionKind] = mapped_column(_enum(ActionKind, "action_kind"), default=ActionKind.RECOMMENDATION)
    number: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id"))
    owner: Mapped[str] = mapped_column(String(200), default="")
    response: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus, "action_status"), default=ActionStatus.OPEN,
                                                 index=True)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    cycle: Mapped[Cycle] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    theme: Mapped[Theme | None] = relationship()
    updates: Mapped[list[ProgressUpdate]] = relationship(back_populates="recommendation",
                                                         cascade="all, delete-orphan",
                                                         order_by="ProgressUpdate.recorded_on")


class ProgressUpdate(Base):
    """A dated progress note on a recommendation; history is kept, never overwritten."""
    __tablename__ = "progress_update"
    __table_args__ = (Index("ix_progress_update_latest", "recommendation_id", "recorded_on"),)  # latest update (0004)
    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"))
    recorded_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus, "action_status"))
    text: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[Recommendation] = relationship(back_populates="updates")


# --- users, sign-in and audit ---------------------------------------------------------------------

class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    subgroup: Mapped[str] = mapped_column(String(200), default="")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    partnerships: Mapped[list[Partnership]] = relationship(secondary="user_partnership", order_by="Partnership.name")
    themes: Mapped[list[Theme]] = relationship(secondary="user_theme", order_by="Theme.position")
    """A subgroup chair's themes: their pages open filtered to these (a default view, not a permission)."""


class UserPartnership(Base):
    __tablename__ = "user_partnership"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True)


class UserTheme(Base):
    """A theme a subgroup chair follows (0005)."""
    __tablename__ = "user_theme"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True)


class DataVersion(Base):
    """One row (id 1): bumped by every write transaction (`db.write_session`); cached reads are keyed by it (0007)."""
    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="ck_data_version_one_row"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class SignInGuard(Base):
    """Wrong sign-ins and locks of a typed name that is no account that may sign in, by a keyed digest (0007)."""
    __tablename__ = "sign_in_guard"
    name_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuditEvent(Base):
    """Sign-ins, failures and every write, for admins to read."""
    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, server_default=func.current_timestamp(),
                                            index=True)
    username: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str] = mapped_column(Text, default="")
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"))


# --- the report's narrative -----------------------------------------------------------------------

class ReportNarrative(Base):
    """What a business manager wrote for one section of a cycle's report (0008). Every save is a new version;
    the highest version of a (cycle, section key) is current, earlier ones are kept."""
    __tablename__ = "report_narrative"
    __table_args__ = (UniqueConstraint("cycle_id", "section_key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100), default="")
    written_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
