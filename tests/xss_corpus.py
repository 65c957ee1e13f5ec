"""Hostile texts for the script-context tests, and the pages that show them.

Every text carries MARKER, so a test can find it in a script however it was encoded (raw, HTML-escaped, or as
JSON with \\u003c escapes). Each tries a different context: HTML, attributes, breaking out of <script>, a
JavaScript template literal (what folium wrote tooltips into), a javascript: URL.
"""

import json
from html.parser import HTMLParser

MARKER = "XssProbe"
CORPUS = [
    f"{MARKER} ${{alert(document.domain)}}",  # template literal
    f"{MARKER} `;alert(1);`",  # backtick: end the literal
    f"{MARKER}`+alert(1)+`${{window.__xss=1}}",
    f"{MARKER} </script><script>alert(1)</script>",  # break out of a script element
    f"{MARKER} <script>window.__xss=1</script>",  # HTML
    f'{MARKER} <img src=x onerror="window.__xss=1">',
    f'{MARKER}" onmouseover="alert(1)" autofocus onfocus="alert(1)" x="',  # double-quoted attribute
    f"{MARKER}' onfocus='alert(1)' autofocus='",  # single-quoted attribute
    f"javascript:alert(1)//{MARKER}",  # a URL, if it ever becomes a link
    f"{MARKER} <svg onload=alert(1)> {{{{ 7*7 }}}} '-alert(1)-'",
    f'{MARKER} \u2028\u2029</textarea><iframe srcdoc="<script>parent.__xss=1</script>">',
]


class _Scripts(HTMLParser):
    """Collect the text of every <script> element with its type, and every attribute that would run code."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[str | None, str]] = []
        self.running_attributes: list[str] = []
        self._type = None
        self._open = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            url = (value or "").strip().lower()
            if name.startswith("on") or (
                name in ("href", "src", "action", "formaction") and url.startswith(("javascript:", "data:text/html"))
            ):
                self.running_attributes.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._open, self._type = True, dict(attrs).get("type")
            self.scripts.append((self._type, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = False

    def handle_data(self, data):
        if self._open:
            kind, text = self.scripts[-1]
            self.scripts[-1] = (kind, text + data)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def script_problems(html: str) -> list[str]:
    """Why user text could run on this page: planted text inside a script that runs, a JSON block that a
    planted text could end early, or an attribute that runs code. Empty when none."""
    parser = _Scripts()
    parser.feed(html)
    problems = list(parser.running_attributes)  # the CSP forbids inline handlers: none may exist at all
    for kind, text in parser.scripts:
        if kind == "application/json":
            if "<" in text:  # Jinja's tojson writes \u003c: nothing can close the element or open a comment
                problems.append(f"raw '<' in a JSON block: {text[:200]}")
            elif not _is_json(text):
                problems.append(f"a JSON block ended early: {text[:200]}")
        elif MARKER.lower() in text.lower():
            at = text.lower().index(MARKER.lower())
            problems.append(f"planted text in a <script type={kind!r}>: …{text[max(at - 120, 0) : at + 120]}…")
    return problems


def drop_planted_organisations() -> None:
    """Organisations outlive a test (reference data the tests keep): remove the planted ones again."""
    from sqlalchemy import delete, select, update

    from gis_app.auth.models import Organisation, User
    from gis_app.extensions import db

    db.session.rollback()
    planted = select(Organisation.id).where(Organisation.name.contains(MARKER)).scalar_subquery()
    kommunen = db.session.scalar(select(Organisation.id).where(Organisation.name == "Kommunen"))
    db.session.execute(update(User).where(User.organisation_id.in_(planted)).values(organisation_id=kommunen))
    db.session.execute(delete(Organisation).where(Organisation.id.in_(planted)))
    db.session.commit()
