"""Demo data: the Östersund citizen promise 2023–2024 (its commitments, in our words), a few hand-entered survey
values (invented, marked as demo), and the report for the second half of 2024, published when demo mode made the
municipality's and the police's demo logins to approve it."""

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from gis_app.auth import audit
from gis_app.auth.models import User
from gis_app.extensions import db
from gis_app.promise.models import (
    IndicatorValue,
    Promise,
    PromiseActivity,
    PromiseIndicator,
    PromisePeriod,
    PublicReport,
)
from gis_app.promise.service import build_content

PERIOD = ("Medborgarlöfte Östersund 2023–2024", date(2023, 1, 1), date(2024, 12, 31))
DEMO_NOTE = "Demodata: påhittat värde"
# (owner, title, activities, indicators as (label, source, unit, target))
PROMISES = [
    (
        "both",
        "Kommunen och polisen arbetar enligt EST med en gemensam lägesbild av otryggheten",
        [
            "Samla rapporter från medborgare, fältpersonal, polis och fastighetsägare i en gemensam lägesbild.",
            "Styra resurser till de platser lägesbilden pekar ut.",
        ],
        [
            ("Medborgarrapporter som kommit in", "citizen_reports", "st", None),
            ("Otrygga platser som rapporterats", "places_reported", "st", None),
            ("Andel som känner sig trygga utomhus på kvällen (trygghetsmätning)", "manual", "%", 70),
        ],
    ),
    (
        "municipality",
        "Kommunen inventerar otrygga platser varje år och åtgärdar dem, med belysning och skadegörelse först",
        [
            "Årlig EST-inventering av otrygga platser.",
            "Laga och komplettera belysning.",
            "Laga skadegörelse och sanera klotter.",
        ],
        [
            ("Platser som åtgärdats", "places_remediated", "st", None),
            ("Belysningsåtgärder som utförts", "lighting_measures_done", "st", None),
            ("Åtgärder mot skadegörelse och klotter", "vandalism_measures_done", "st", None),
            ("Åtgärder totalt", "measures_done", "st", None),
        ],
    ),
    (
        "both",
        "Trygghetsvandringar hålls på de platser som rapporterats som otrygga",
        ["Planera vandringar med boende, föreningar och fastighetsägare.", "Följ upp fynden i inventeringen."],
        [("Trygghetsvandringar som genomförts", "walks_held", "st", 4)],
    ),
    (
        "police",
        "Polisen arbetar uppsökande och kontaktskapande på de platser EST-arbetet pekar ut",
        ["Uppsökande besök kvällar och nätter på utpekade platser."],
        [("Polisens uppsökande besök", "outreach_visits", "st", None)],
    ),
    (
        "both",
        "Kommunen och polisen stödjer Purple Flag-certifieringen av centrums kvällsekonomi",
        ["Delta i Purple Flag-arbetet med näringslivet i centrum."],
        [("Purple Flag-certifierat centrum (1 = ja)", "manual", None, 1)],
    ),
    (
        "municipality",
        "De mest utsatta kommunala fastigheterna skyddas, och platser besöks med fastighetsägare",
        [
            "Skalskydd och kameror vid de mest utsatta fastigheterna.",
            "Platsbesök med fastighetsägare för att förebygga inbrott och skadegörelse.",
        ],
        [("Platsbesök med fastighetsägare", "manual", "st", None)],
    ),
    (
        "both",
        "Medborgarna får två gånger om året veta vilket förebyggande arbete som gjorts",
        ["Rapporten ”Det här har vi gjort” publiceras varje halvår."],
        [],
    ),
]
MANUAL_VALUES = {
    "Andel som känner sig trygga utomhus på kvällen (trygghetsmätning)": [
        (date(2023, 10, 1), "61"),
        (date(2024, 10, 1), "64"),
    ],
    "Purple Flag-certifierat centrum (1 = ja)": [(date(2024, 6, 1), "1")],
    "Platsbesök med fastighetsägare": [(date(2024, 6, 30), "9"), (date(2024, 12, 31), "14")],
}
REPORT = ("Det här har vi gjort: andra halvåret 2024", date(2024, 7, 1), date(2024, 12, 31))
INTRO = (
    "Kommunen och polisen berättar två gånger om året vad vi har gjort för att fler ska känna sig trygga. (Demodata.)"
)


def load(seed: int) -> tuple[int, bool]:
    """Write the demo promise (and the demo report); return (promises, whether the report was published)."""
    period = PromisePeriod(title=PERIOD[0], starts_on=PERIOD[1], ends_on=PERIOD[2])
    db.session.add(period)
    for position, (owner, title, activities, indicators) in enumerate(PROMISES, start=1):
        promise = Promise(position=position, owner=owner, title=title)
        period.promises.append(promise)
        promise.activities = [PromiseActivity(position=n, description=text) for n, text in enumerate(activities, 1)]
        for n, (label, source, unit, target) in enumerate(indicators, 1):
            indicator = PromiseIndicator(position=n, label=label, source=source, unit=unit, target=target)
            indicator.values = [
                IndicatorValue(measured_on=day, value=Decimal(value), note=DEMO_NOTE)
                for day, value in MANUAL_VALUES.get(label, [])
            ]
            promise.indicators.append(indicator)
    db.session.flush()
    audit.record_create(period, "promise_period")
    published = _report()
    db.session.commit()
    return len(PROMISES), published


def _report() -> bool:
    """The demo report over 2024's second half: approved and published by the demo logins if they exist."""
    title, first, last = REPORT
    report = PublicReport(title=title, intro=INTRO, starts_on=first, ends_on=last, content=build_content(first, last))
    municipality = db.session.scalar(select(User).where(User.email == "planerare@demo.example"))
    police = db.session.scalar(select(User).where(User.email == "polis@demo.example"))
    if municipality and police:
        report.municipality_approved_by_id, report.municipality_approved_at = municipality.id, func.now()
        report.police_approved_by_id, report.police_approved_at = police.id, func.now()
        report.status, report.published_at, report.published_by_id = "published", func.now(), municipality.id
    db.session.add(report)
    audit.record_create(report, "public_report")
    return report.status == "published"


def load_if_missing(seed: int) -> str:
    """Load the demo promise unless a promise period exists; say what was done."""
    if db.session.scalar(select(func.count()).select_from(PromisePeriod)):
        return ""
    promises, published = load(seed)
    return _(
        "Loaded the demo citizen promise (%(count)d promises) and the report for the second half of 2024 (%(state)s).",
        count=promises,
        state=_("published") if published else _("draft"),
    )
