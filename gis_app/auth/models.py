import hashlib
import secrets

from flask_login import UserMixin
from sqlalchemy import ARRAY, BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from gis_app.extensions import db

STAFF_ROLES = ("field_staff", "planner", "police", "admin", "security")
# Accounts of outside organisations (property owners, night-walk associations): they see the public view of
# everything and only their own records; they are never staff.
EXTERNAL_ROLES = ("property_owner", "association")
ROLES = STAFF_ROLES + EXTERNAL_ROLES
ORGANISATION_KINDS = ("kommun", "polis", "other")
TOKEN_SCOPES = ("read", "write:places", "write:observations", "write:reports")


class Organisation(db.Model):
    """The municipality, the police, or another organisation such as a property owner."""

    __tablename__ = "organisation"
    __table_args__ = (CheckConstraint("kind IN ('kommun', 'polis', 'other')", name="ck_organisation_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(10))


class User(UserMixin, db.Model):
    """A staff account. The public never logs in."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(
            "role IN ('field_staff', 'planner', 'police', 'admin', 'security', 'property_owner', 'association')",
            name="ck_user_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    failed_logins: Mapped[int] = mapped_column(Integer, server_default="0")
    locked_until = mapped_column(DateTime(timezone=True))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    last_login_at = mapped_column(DateTime(timezone=True))

    organisation = relationship(Organisation, lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class ApiToken(db.Model):
    """A scoped, revocable token for integrations; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    revoked_at = mapped_column(DateTime(timezone=True))
    last_used_at = mapped_column(DateTime(timezone=True))

    user = relationship(User, lazy="joined")

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str, scopes: list[str]) -> tuple["ApiToken", str]:
        """Make a token; the secret is returned once and never stored."""
        secret = secrets.token_urlsafe(32)
        return cls(user_id=user.id, name=name, scopes=scopes, token_hash=cls.hash(secret)), secret


class AuditEntry(db.Model):
    """One create, update or delete: who, when, what, and the record before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("action IN ('create', 'update', 'delete')", name="ck_audit_action"),
        Index("ix_audit_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(10))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    before = mapped_column(JSONB)
    after = mapped_column(JSONB)
    # The row records police-only data (the record, or a snapshot nested in it): police and admins only.
    police_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")

    user = relationship(User, lazy="joined")


class UserSession(db.Model):
    """A login, known to the server: a session cookie is valid only while its row exists."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    # Only the SHA-256 of the secret in the cookie is stored, so a database copy cannot be replayed as a login.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
