"""Swedish first: every message in the code and templates has a Swedish translation."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def test_every_message_has_a_swedish_translation():
    with open(ROOT / "gis_app/translations/sv/LC_MESSAGES/messages.po", "rb") as po:
        # A plural entry's id and string are (singular, plural) pairs: it is translated when both forms are.
        swedish = {
            m.id if isinstance(m.id, str) else m.id[0]: m.string if isinstance(m.string, str) else all(m.string)
            for m in read_po(po)
            if m.id
        }
    used = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(ROOT / "gis_app", METHODS, keywords=KEYWORDS)
    }
    assert len(used) > 300  # the extraction really read the code
    missing = sorted(m for m in used if not swedish.get(m))
    assert not missing, f"{len(missing)} messages lack Swedish: {missing[:10]}"
