"""axe-core on the report to citizens' public pages (the archive and a published report), phone and desktop."""

import pytest

from gis_app.auth.models import User
from gis_app.extensions import db
from gis_app.promise import demo, service
from tests.factories import make_user
from tests.test_accessibility_browser import _settle, axe_violations, viewport_page  # noqa: F401  (a fixture)
from tests.test_public_reports import FIRST, LAST, period_data  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


def test_public_report_pages_have_no_serious_violations(live_server, viewport_page, period_data):  # noqa: F811
    demo.load(1)  # the promise, so the report is organised by promise
    planner, police = make_user("planner"), make_user("police")
    report = service.new_draft("Det här har vi gjort", FIRST.isoformat(), LAST.isoformat(), "Inledning.")
    service.approve(report.id, db.session.get(User, planner.id))
    service.approve(report.id, db.session.get(User, police.id))
    service.publish(report.id)
    failures = {}
    for path in ("/what-we-did", f"/what-we-did/{report.id}"):
        _settle(viewport_page, live_server + path)
        found = axe_violations(viewport_page)
        if found:
            failures[path] = found
    assert failures == {}, failures
    assert viewport_page.external_requests == [] and viewport_page.js_errors == []
    assert viewport_page.locator("[data-promise]").count() >= 2
