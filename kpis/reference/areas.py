"""Denmark's areas from denmark.yaml: hele landet, the 5 regions, the 98 municipalities, the RAR
areas of 2015–2024 and the regional employment councils from 2025, with dated memberships."""

from pathlib import Path

import yaml
from django.db import transaction

from .. import services
from ..models import Area

DATA = Path(__file__).with_name("denmark.yaml")


def read() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


@transaction.atomic
def areas_load(data: dict | None = None) -> dict[str, int]:
    """Create what is missing and correct codes, regions and memberships; an area already
    there (a seed municipality with its plans) is kept as it is otherwise. Returns how many
    areas there are of each kind in the data."""
    data = data or read()
    country = data["country"]
    services.area_get_or_create(kind=Area.Kind.COUNTRY, name=country["name"], slug=country["slug"])
    regions = {
        r["code"]: services.area_get_or_create(
            kind=Area.Kind.REGION, name=r["name"], code=r["code"], slug=r["slug"]
        )
        for r in data["regions"]
    }
    municipalities = {
        code: services.area_get_or_create(
            kind=Area.Kind.MUNICIPALITY, name=name, code=code, region=regions[region]
        )
        for code, name, region in data["municipalities"]
    }
    groups = 0
    for era in data["groups"]:
        for item in era["areas"]:
            group = services.area_get_or_create(kind=era["kind"], name=item["name"],
                                                slug=item["slug"])  # fmt: skip
            services.area_memberships_set(
                group=group,
                members=[municipalities[code] for code in item["members"]],
                valid_from=era["valid_from"],
                valid_to=era["valid_to"],
            )
            groups += 1
    return {"country": 1, "regions": len(regions), "municipalities": len(municipalities),
            "groups": groups}  # fmt: skip
