"""The outreach priority of a place: a weighted sum of five factors, each kept so officers can see why it ranks.

score = w_recent_reports  * Σ max(0, 1 − age_days / window_days)        over the reports in the window
      + w_evening_night   * share of those reports made 18:00–06:00      (no reports: 1 if the place is an
                                                                           evening or night place, else 0)
      + w_police_category * 1 if the category calls for police presence
      + w_unresolved      * 1 if the place is not remediated, verified or dismissed
      + w_since_visit     * min(days since the last police visit, cap) / cap   (never visited: 1)
"""

from dataclasses import dataclass

FACTORS = ("recent_reports", "evening_night", "police_category", "unresolved", "since_visit")
DEFAULT_WEIGHTS = {
    "recent_reports": 1.0,
    "evening_night": 3.0,
    "police_category": 3.0,
    "unresolved": 2.0,
    "since_visit": 3.0,
}
POLICE_CATEGORIES = ("intoxicated_people", "youth_gatherings", "drug_related", "violence")
RESOLVED_STATUSES = ("remediated", "verified", "dismissed")
EVENING_NIGHT_TIMES = ("evening", "night")


@dataclass(frozen=True)
class PlaceInputs:
    """What the database knows about a place, as the factors need it."""

    recency_sum: float = 0.0  # Σ recency weights of the reports in the window
    reports: int = 0  # reports in the window
    evening_night_reports: int = 0  # of which made in the evening or at night
    category_code: str = "other"
    status_code: str = "reported"
    time_of_day: str | None = None
    days_since_visit: float | None = None  # None: never visited by the police


@dataclass(frozen=True)
class Breakdown:
    """Each factor's value (before weighting) and contribution (after), and their sum."""

    values: dict[str, float]
    contributions: dict[str, float]
    total: float


def parse_weights(text_or_dict) -> dict[str, float]:
    """Read weights like 'recent_reports=1,since_visit=3' over the defaults; unknown names are an error."""
    given = text_or_dict
    if isinstance(text_or_dict, str):
        given = {}
        for part in filter(None, (p.strip() for p in text_or_dict.split(","))):
            name, _, value = part.partition("=")
            given[name.strip()] = float(value)
    unknown = set(given) - set(FACTORS)
    if unknown:
        raise ValueError(f"unknown outreach weight(s): {', '.join(sorted(unknown))}")
    return {**DEFAULT_WEIGHTS, **{name: float(value) for name, value in given.items()}}


def recency_weight(age_days: float, window_days: float) -> float:
    """A report made now counts 1, one made `window_days` ago or earlier counts 0, linearly in between."""
    if window_days <= 0 or age_days >= window_days:
        return 0.0
    return 1.0 - max(age_days, 0.0) / window_days


def factor_values(inputs: PlaceInputs, visit_cap_days: float) -> dict[str, float]:
    """Return each factor's unweighted value."""
    if inputs.reports:
        evening_night = inputs.evening_night_reports / inputs.reports
    else:
        evening_night = 1.0 if inputs.time_of_day in EVENING_NIGHT_TIMES else 0.0
    if inputs.days_since_visit is None or visit_cap_days <= 0:
        since_visit = 1.0
    else:
        since_visit = min(max(inputs.days_since_visit, 0.0), visit_cap_days) / visit_cap_days
    return {
        "recent_reports": inputs.recency_sum,
        "evening_night": evening_night,
        "police_category": 1.0 if inputs.category_code in POLICE_CATEGORIES else 0.0,
        "unresolved": 0.0 if inputs.status_code in RESOLVED_STATUSES else 1.0,
        "since_visit": since_visit,
    }


def score(inputs: PlaceInputs, weights: dict[str, float], visit_cap_days: float) -> Breakdown:
    """Return the place's priority and what each factor contributed to it."""
    values = factor_values(inputs, visit_cap_days)
    contributions = {name: round(weights.get(name, 0.0) * values[name], 3) for name in FACTORS}
    return Breakdown(values, contributions, round(sum(contributions.values()), 3))
