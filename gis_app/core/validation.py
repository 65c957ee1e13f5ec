"""Checking what callers send: every wrong field is collected and reported at once, by name."""

from flask_babel import gettext as _

from gis_app.errors import AppError


class InvalidInput(AppError):
    """One or more fields are wrong; every (field, message) pair is kept for the form or the API."""

    status = 422
    code = "InvalidParameterValue"

    def __init__(self, errors: list[tuple[str, str]], status: int | None = None):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors), field=errors[0][0], status=status)
        self.errors = errors


class Problems:
    """Collects field errors, so the caller hears about every wrong field at once."""

    def __init__(self):
        self.errors: list[tuple[str, str]] = []

    def add(self, name: str, message: str) -> None:
        self.errors.append((name, message))

    def raise_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


class _Invalid:
    """Marks a value that failed its check (None is a real value: it clears a field)."""


INVALID = _Invalid()


def text_problem(value: str) -> str | None:
    """Say why a string cannot be stored as text (NUL bytes, unpaired surrogates), or None."""
    if "\x00" in value:
        return _("contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("is not valid text")
    return None


def check_text(value, name: str, maximum: int, problems: Problems, required: bool = False):
    """Return stripped text (None for empty), or INVALID."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(name, _("required"))
            return INVALID
        return None
    if not isinstance(value, str):
        problems.add(name, _("must be text"))
        return INVALID
    problem = text_problem(value)
    if problem is None and len(value.strip()) > maximum:
        problem = _("longer than %(max)d characters", max=maximum)
    if problem:
        problems.add(name, problem)
        return INVALID
    return value.strip()


def check_code(value, name: str, codes, problems: Problems, required: bool = True):
    """Return a known code (None only when optional and empty), or INVALID."""
    if value is None or value == "":
        if required:
            problems.add(name, _("required"))
            return INVALID
        return None
    if not isinstance(value, str) or value not in codes:
        problems.add(
            name,
            _(
                "unknown value '%(value)s': use one of %(choices)s",
                value=shorten(value),
                choices=", ".join(sorted(codes)),
            ),
        )
        return INVALID
    return value


def check_priority(value, name: str, problems: Problems):
    if isinstance(value, bool) or not isinstance(value, int) or value not in (1, 2, 3):
        problems.add(name, _("must be 1, 2 or 3"))
        return INVALID
    return value


def shorten(value, limit: int = 40) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
