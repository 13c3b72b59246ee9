"""The shared indicator catalogue from indicators.yaml: the national indicators jobcenters follow,
each bound to its jobindsats.dk table, measure, dimension filters and period kind."""

from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Indicator, IndicatorSource, SourceTable

DATA = Path(__file__).with_name("indicators.yaml")

DEFINITION = ("name", "description", "unit", "decimals", "direction", "data_source")
# What a fixture or a municipality may not give a catalogue indicator otherwise: the statuses
# of every municipality's targets on it are computed with these.
VERDICT_FIELDS = ("unit", "decimals", "direction")


class CatalogueError(ValueError):
    pass


def read() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def catalogue_keys(data: dict | None = None) -> set[str]:
    return {item["key"] for item in (data or read())["indicators"]}


def _upsert(model, lookup: dict, values: dict):
    """(the row, "created" | "updated" | "unchanged"). A row already right is not saved, so
    loading again writes nothing, and the indicators' history gets no empty versions."""
    row = model.objects.filter(**lookup).first()
    created = row is None
    if created:
        row = model(**lookup)
    changed = [field for field, value in values.items() if getattr(row, field, None) != value]
    for field in changed:
        setattr(row, field, values[field])
    if changed or created:
        try:
            row.full_clean(validate_unique=False)
        except ValidationError as exc:
            raise CatalogueError(f"{lookup}: {exc}") from exc
        row.save(**({} if created else {"update_fields": changed}))
    return row, "created" if created else "updated" if changed else "unchanged"


def _definition(item: dict) -> dict:
    values = {field: item.get(field, "") for field in DEFINITION}
    values["decimals"] = int(item.get("decimals", 0))
    return values


@transaction.atomic
def catalogue_load(data: dict | None = None) -> dict[str, int]:
    """Create or update the catalogue's tables, shared indicators and their sources, all or
    nothing. An indicator already there is updated in place and keeps its id, so the targets
    on it keep pointing at it. A municipality's local indicator is never touched: a catalogue
    key that is one refuses the whole load (CatalogueError), as keys are unique.

    Stored statuses on an indicator whose unit or direction changed here catch up with the
    nightly recompute (plans.tasks.recompute_all_statuses)."""
    data = data or read()
    tables = {
        t["table_id"]: _upsert(SourceTable, {"table_id": t["table_id"]}, {"name": t["name"]})[0]
        for t in data["tables"]
    }
    local = Indicator.objects.filter(key__in=catalogue_keys(data), owner__isnull=False)
    if local.exists():
        keys = ", ".join(sorted(local.values_list("key", flat=True)))
        raise CatalogueError(f"Local indicators of a municipality have catalogue keys: {keys}")
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    outcomes = {}
    for item in data["indicators"]:
        indicator, outcome = _upsert(Indicator, {"key": item["key"]}, _definition(item))
        source = item["source"]
        if source["table"] not in tables:
            raise CatalogueError(f"{item['key']}: table {source['table']} is not in the tables")
        _binding, bound = _upsert(
            IndicatorSource,
            {"indicator": indicator},
            {
                "table": tables[source["table"]],
                "measure": source["measure"],
                "filters": source.get("filters") or {},
                "period_kind": source["period_kind"],
            },
        )
        if outcome == "unchanged" and bound != "unchanged":
            outcome = "updated"
        outcomes[item["key"]] = outcome
    # The expected level is another catalogue indicator, perhaps further down the file.
    stored = Indicator.objects.in_bulk(catalogue_keys(data), field_name="key")
    for item in data["indicators"]:
        expected = item.get("expected")
        if expected is not None and expected not in stored:
            raise CatalogueError(f"{item['key']}: expected level {expected} is not catalogued")
        expected_by = stored[expected] if expected else None
        _row, outcome = _upsert(Indicator, {"key": item["key"]}, {"expected_by": expected_by})
        if outcome == "updated" and outcomes[item["key"]] == "unchanged":
            outcomes[item["key"]] = "updated"
    for outcome in outcomes.values():
        counts[outcome] += 1
    return {"indicators": len(data["indicators"]), "tables": len(tables), **counts}
