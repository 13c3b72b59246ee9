"""The municipality of the onboarding journey (tests/test_onboarding_api.py and
tests/browser/test_municipality_onboarding_browser.py): Ringsted without members, with last
year's approved employment plan (2025) whose one target, "Maksimalt 1.075" young people on
benefits, is not met by this year's figure (1.200 for the third quarter of 2026), so next
year's round asks for its narrative. A superuser, "root", runs the platform."""

import re
from datetime import date

from django.contrib.auth import get_user_model

from plans import services
from plans.models import Plan
from tests.builders import make_indicator, make_municipality, make_target, record

PASSWORD = "Blaa-Hus-Vej-7391"
LAST_YEAR, THIS_YEAR = 2025, 2026


def ringsted_with_last_years_plan():
    ringsted = make_municipality("Ringsted", "329")
    committee = services.committee_create(
        municipality=ringsted, name="Beskæftigelsesudvalget", short_name="BEU"
    )
    plan = services.plan_create(
        municipality=ringsted, key="ringsted-2025", title=f"Beskæftigelsesplan {LAST_YEAR}",
        kind="employment_plan", start_year=LAST_YEAR, end_year=LAST_YEAR, committee=committee,
        approval_state=Plan.Approval.APPROVED,
    )  # fmt: skip
    theme = services.focus_area_create(plan=plan, key="ringsted-unge", title="Unge", order=0)

    unge = make_indicator("unge-paa-ydelse")
    make_target(plan, unge, key="ringsted-unge-2025", title="Unge på ydelse",
                focus_areas=[theme], deadline=date(LAST_YEAR, 12, 31))  # fmt: skip
    record(unge, ringsted, str(LAST_YEAR), "1.050")
    record(unge, ringsted, f"{THIS_YEAR}Q3", "1.200")
    root = get_user_model().objects.create_superuser("root", "root@example.dk", "pw-root-1")
    return ringsted, plan, root


def invitation_link(message) -> str:
    return re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)
