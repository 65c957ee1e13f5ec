"""Keyset paging: every feature once while rows come and go, and numberMatched never wrong."""

from sqlalchemy import text

from gis_app.extensions import db
from tests.factories import make_place

ITEMS = "/api/collections/places/items"


def _next(body) -> str | None:
    href = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    return href and href.replace("http://localhost", "")


def test_following_next_links_returns_every_feature_once_while_rows_change(client, app_context):
    original = [make_place(title=f"p{i}").id for i in range(10)]
    seen, url, added = [], ITEMS + "?limit=3", []
    while url:
        body = client.get(url).json
        seen += [f["id"] for f in body["features"]]
        url = _next(body)
        if url:
            assert "cursor=" in url and "offset=" not in url
            added.append(make_place(title="new").id)  # inserted between requests
            db.session.execute(text("DELETE FROM place WHERE id = :id"), {"id": seen[0]})  # and one already read
            db.session.commit()
    assert len(seen) == len(set(seen))
    assert set(original) <= set(seen)
    assert set(seen) <= set(original) | set(added)


def test_cursor_pages_match_offset_pages(client, app_context):
    ids = [make_place(title=f"p{i}").id for i in range(6)]
    by_cursor = client.get(f"{ITEMS}?limit=2&cursor={ids[1]}").json
    by_offset = client.get(f"{ITEMS}?limit=2&offset=2").json
    assert [f["id"] for f in by_cursor["features"]] == [f["id"] for f in by_offset["features"]] == ids[2:4]
    assert not any(link["rel"] == "prev" for link in by_cursor["links"])


def test_number_matched_is_never_wrong(client, app_context):
    for i in range(5):
        make_place(title=f"p{i}")
    assert client.get(f"{ITEMS}?limit=2").json["numberMatched"] == 5
    assert client.get(f"{ITEMS}?limit=2&offset=4").json["numberMatched"] == 5
    past_the_end = client.get(f"{ITEMS}?limit=2&offset=100").json
    assert past_the_end["numberReturned"] == 0 and "numberMatched" not in past_the_end
    assert "numberMatched" not in client.get(f"{ITEMS}?limit=2&cursor=3").json


def test_bad_cursor_is_a_400_naming_it(client):
    for value in ("abc", "-1", "1.5", str(2**31)):
        response = client.get(f"{ITEMS}?cursor={value}")
        assert response.status_code == 400 and response.json["field"] == "cursor"
