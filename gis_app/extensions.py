"""Extensions, created unbound and bound to the app in create_app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Select, func, select, text

db = SQLAlchemy()
migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def capped_count(query: Select, cap: int) -> int | None:
    """Count the rows of `query` but read at most cap + 1 of them; None means more than `cap`."""
    # A bitmap index scan collects every match in the box before the LIMIT applies (345,000 rows for the central
    # box at 1M places); a plain index scan stops at cap + 1. Only for this statement: the setting is put back.
    db.session.execute(text("SELECT set_config('enable_bitmapscan', 'off', true)"))
    count = db.session.scalar(select(func.count()).select_from(query.limit(cap + 1).subquery()))
    db.session.execute(text("SELECT set_config('enable_bitmapscan', 'on', true)"))
    return count if count <= cap else None
