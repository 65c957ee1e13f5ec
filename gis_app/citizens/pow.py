"""Self-hosted proof of work (ALTCHA): the server signs a challenge, the browser solves it, the server checks it.

No third party is involved: the widget is served from /vendor/ and the challenge from this app.
"""

import hashlib
import hmac
import secrets
import time

import altcha
from flask import current_app
from flask_babel import gettext as _

from gis_app.errors import AppError

ALGORITHM = "SHA-256"
CHALLENGE_SECONDS = 15 * 60  # time to fill in the form after the challenge is solved
FIELD = "altcha"


def _secret(purpose: str) -> str:
    """A key of its own for each use, derived from the app's secret key."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"citizens-altcha-{purpose}".encode(), hashlib.sha256).hexdigest()


def new_challenge() -> dict:
    """A signed challenge: the browser must try about `counter` hashes to find the one the server chose."""
    maximum = max(2, current_app.config["CITIZEN_POW_MAX_NUMBER"])
    counter = maximum // 10 + secrets.randbelow(maximum - maximum // 10)
    challenge = altcha.create_challenge(
        ALGORITHM,
        1,
        counter=counter,
        expires_at=int(time.time()) + CHALLENGE_SECONDS,
        hmac_secret=_secret("challenge"),
        hmac_key_secret=_secret("key"),
    )
    return challenge.to_dict()


def verified_nonce(payload) -> str:
    """Check a solved challenge; return its nonce (each may be used once), or refuse naming the field."""
    if not isinstance(payload, str) or not payload or len(payload) > 4000:
        raise AppError(
            _("Confirm that you are not a robot (the check runs in your browser)."),
            field=FIELD,
            status=400,
            code="ProofOfWorkMissing",
        )
    result = altcha.verify_solution(payload, _secret("challenge"), hmac_key_secret=_secret("key"))
    if not result.verified:
        message = (
            _("The check has expired: confirm again.")
            if result.expired
            else _("The check that you are not a robot failed: confirm again.")
        )
        raise AppError(message, field=FIELD, status=400, code="ProofOfWorkInvalid")
    return altcha.Payload.from_base64(payload).challenge.parameters.nonce


def solve(challenge: dict) -> str:
    """Solve a challenge as a browser would (for tests and scripted clients); return the form field's value."""
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed)
    return altcha.Payload(parsed, solution).to_base64()
