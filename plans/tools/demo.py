"""The demo data loader: reads fixtures/*.yaml (format in fixtures/README.md) and hands every
record to the services, exactly as the portal's own forms and importers do."""

from datetime import date
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from kpis import services as kpi_services
from kpis.danish import parse_number
from kpis.models import Area, Indicator
from kpis.reference.areas import areas_load
from kpis.reference.catalogue import VERDICT_FIELDS, CatalogueError, catalogue_load
from plans import services
from plans.models import Committee, Plan, ReportingRound, Target

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class DemoDataError(ValueError):
    pass


def _number(value, where):
    if value is None or value == "":
        return None
    if isinstance(value, float):
        # A float has already lost exactness: the fixture must quote the figure.
        raise DemoDataError(f'{where}: write {value!r} as a quoted Danish number, e.g. "58,8"')
    try:
        return parse_number(value)
    except ValueError as exc:
        raise DemoDataError(f"{where}: {exc}") from exc


def _date(value, where):
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise DemoDataError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


class Loader:
    def __init__(self, documents):
        self.documents = documents  # [(file name, parsed yaml)]
        self.areas: dict[str, Area] = {}
        self.indicators: dict[str, Indicator] = {}
        self.focus_areas = {}
        self.targets = {}
        self.created_plans = []
        self.rounds_to_approve = []
        self.catalogue: dict[str, Indicator] = {}  # the shared indicators bound to a source

    def area(self, name, where):
        if name not in self.areas:
            area = Area.objects.filter(name=name).first()
            if area is None:
                raise DemoDataError(f"{where}: unknown area {name!r}")
            self.areas[name] = area
        return self.areas[name]

    def indicator(self, key, where):
        try:
            return self.indicators[key]
        except KeyError:
            raise DemoDataError(f"{where}: unknown indicator {key!r}") from None

    @transaction.atomic
    def load(self):
        areas_load()  # the seed municipalities and their comparison areas are reference data
        try:
            catalogue_load()  # the national indicators, which the fixtures name by their keys
        except CatalogueError as exc:
            raise DemoDataError(f"kpis/reference/indicators.yaml: {exc}") from exc
        self.catalogue = {
            i.key: i for i in Indicator.objects.filter(owner__isnull=True, source__isnull=False)
        }
        for name, doc in self.documents:
            self.load_areas(name, doc)
        for name, doc in self.documents:
            self.load_indicators(name, doc)
        for name, doc in self.documents:
            self.load_plans(name, doc)
        rows = []
        for name, doc in self.documents:
            rows += self.measurement_rows(name, doc)
        counts = kpi_services.measurements_record(rows=rows)
        # Approval freezes a round's statuses, so it comes once all the figures are in.
        for reporting_round in self.rounds_to_approve:
            services.round_approve(reporting_round=reporting_round)
        return counts

    def load_areas(self, name, doc):
        for item in doc.get("areas", []):
            self.areas[item["name"]] = kpi_services.area_get_or_create(
                kind=item["kind"], name=item["name"]
            )
        m = doc["municipality"]
        # The municipality, its region and its RAR area or council are reference data
        # (kpis/reference/denmark.yaml), loaded before the demo.
        municipality = Area.objects.filter(
            kind=Area.Kind.MUNICIPALITY, code=str(m["code"]), name=m["name"]
        ).first()
        if municipality is None:
            raise DemoDataError(f"{name}: {m['name']} ({m['code']}) is not in the reference data")
        if m.get("public") and not municipality.public_dashboards:
            municipality.public_dashboards = True
            municipality.save(update_fields=["public_dashboards"])
        self.areas[m["name"]] = municipality

    def load_indicators(self, name, doc):
        owner = self.areas[doc["municipality"]["name"]]
        for item in doc.get("indicators", []):
            where = f"{name}: indicator {item.get('key')}"
            if item["key"] in self.catalogue:
                self.indicators[item["key"]] = self.catalogue_indicator(item, where)
                continue
            defaults = {
                "name": item["name"],
                "description": item.get("description", ""),
                "unit": item["unit"],
                "decimals": int(item.get("decimals", 0)),
                "direction": item["direction"],
                "data_source": item.get("data_source", ""),
                "owner": owner if item.get("local") else None,
            }
            earlier = self.indicators.get(item["key"])
            if earlier and any(
                getattr(earlier, f) != defaults[f] for f in ("unit", "decimals", "direction")
            ):
                raise DemoDataError(f"{where}: defined differently in another file")
            indicator, _created = Indicator.objects.update_or_create(
                key=item["key"], defaults=defaults
            )
            try:
                indicator.full_clean()
            except Exception as exc:
                raise DemoDataError(f"{where}: {exc}") from exc
            self.indicators[item["key"]] = indicator

    def catalogue_indicator(self, item, where) -> Indicator:
        """A fixture indicator with a catalogue key is the catalogue's shared indicator, with
        the catalogue's name and description. The unit, decimals and direction the fixture
        states must be the catalogue's: the document's verdicts were reached with them."""
        indicator = self.catalogue[item["key"]]
        if item.get("local"):
            raise DemoDataError(f"{where}: a catalogue indicator is shared, it cannot be local")
        for field in VERDICT_FIELDS:
            stated = item.get(field)
            if stated is not None and str(stated) != str(getattr(indicator, field)):
                raise DemoDataError(
                    f"{where}: {field} {stated!r} differs from the catalogue's "
                    f"{getattr(indicator, field)!r} (kpis/reference/indicators.yaml)"
                )
        return indicator

    def load_plans(self, name, doc):
        municipality = self.areas[doc["municipality"]["name"]]
        committees = {}
        for item in doc.get("committees", []):
            committees[item["name"]], _ = Committee.objects.get_or_create(
                municipality=municipality,
                name=item["name"],
                defaults={"short_name": item.get("short", "")},
            )
        for plan_doc in doc.get("plans", []):
            if Plan.objects.filter(key=plan_doc["key"]).exists():
                continue  # loaded before; the demo loader never overwrites
            self.load_plan(name, plan_doc, municipality, committees)

    def load_plan(self, name, plan_doc, municipality, committees):
        where = f"{name}: plan {plan_doc['key']}"
        approval = plan_doc.get("approval") or {}
        committee_name = plan_doc.get("committee")
        plan = services.plan_create(
            key=plan_doc["key"],
            municipality=municipality,
            committee=committees.get(committee_name) if committee_name else None,
            title=plan_doc["title"],
            kind=plan_doc["kind"],
            start_year=int(plan_doc["start_year"]),
            end_year=int(plan_doc["end_year"]),
            approval_state=approval.get("state", Plan.Approval.DRAFT),
            approved_on=_date(approval.get("date"), where),
            approved_by=approval.get("by", "") or "",
            summary=(plan_doc.get("summary") or "").strip(),
            source=plan_doc.get("source", "") or "",
        )
        self.created_plans.append(plan)
        for order, fa in enumerate(plan_doc.get("focus_areas", [])):
            self.focus_areas[fa["key"]] = services.focus_area_create(
                plan=plan,
                key=fa["key"],
                order=order,
                number=str(fa.get("number", "") or ""),
                title=fa["title"],
                intro=(fa.get("intro") or "").strip(),
                guideposts=[str(g).strip() for g in fa.get("guideposts", []) or []],
                initiatives=fa.get("initiatives", []) or [],
            )
        for order, t in enumerate(plan_doc.get("targets", [])):
            self.targets[t["key"]] = self.load_target(name, plan, order, t)
        rounds = {}
        for r in plan_doc.get("rounds", []) or []:
            state = r["state"]
            rounds[r["name"]] = services.round_create(
                plan=plan,
                name=r["name"],
                cut_off=_date(r["cut_off"], where),
                # The documents give no deadline: the round is then due on its cut-off.
                deadline=_date(r["deadline"], where) if r.get("deadline") else None,
                state=ReportingRound.State.DRAFT if state == "approved" else state,
            )
        for n in plan_doc.get("narratives", []) or []:
            services.narrative_write(
                target=self.targets[n["target"]],
                reporting_round=rounds[n["round"]],
                text=str(n["text"]).strip(),
            )
        self.rounds_to_approve += [
            rounds[r["name"]] for r in plan_doc.get("rounds", []) or [] if r["state"] == "approved"
        ]

    def load_target(self, name, plan, order, t):
        where = f"{name}: target {t['key']}"
        baseline = t.get("baseline") or {}
        change = t.get("change") or {}
        relative = t.get("relative") or {}
        milestone = t.get("milestone") or {}
        fields = {
            "key": t["key"],
            "order": order,
            "code": str(t.get("code", "") or ""),
            "title": t["title"],
            "wording": t.get("wording", ""),
            "indicator": self.indicator(t["indicator"], where) if t.get("indicator") else None,
            "kind": t["kind"],
            "bound": t.get("bound", Target.Bound.AT_MOST),
            "strict": bool(t.get("strict", False)),
            "target_value": _number(t.get("target_value"), where),
            "period_kind": t.get("period_kind", "") or "",
            "measure_from": _date(t.get("measure_from"), where),
            "deadline": _date(t["deadline"], where),
            "tolerance": _number(t.get("tolerance"), where) or 0,
            "source": t.get("source", "") or "",
        }
        if baseline.get("value") not in (None, ""):
            fields["baseline_value"] = _number(baseline["value"], where)
            fields["baseline_period"] = kpi_services.period_get_or_create(baseline["period"])
            fields["baseline_source"] = baseline.get("source", "") or ""
        if change:
            fields["change_amount"] = _number(change.get("amount"), where)
            fields["change_relative"] = bool(change.get("relative", False))
        if relative:
            fields["comparison_area"] = self.area(relative["area"], where)
            fields["margin"] = _number(relative.get("margin"), where) or 0
            fields["gap_reduction"] = _number(relative.get("gap_reduction"), where)
        if milestone:
            fields["milestone_state"] = milestone.get("state", "unreported")
        focus_areas = [self.focus_areas[key] for key in t.get("focus_areas", [])]
        try:
            target = services.target_create(plan=plan, focus_areas=focus_areas, **fields)
        except Exception as exc:
            raise DemoDataError(f"{where}: {exc}") from exc
        for rev in t.get("revisions", []) or []:
            services.target_revise(
                target=target,
                effective=_date(rev["date"], where),
                target_value=_number(rev.get("target_value"), where),
                margin=_number(rev.get("margin"), where),
                reason=rev["reason"],
            )
        return target

    def measurement_rows(self, name, doc):
        rows = []
        for i, m in enumerate(doc.get("measurements", []) or []):
            where = f"{name}: measurement {i + 1}"
            try:
                period = kpi_services.period_get_or_create(m["period"])
            except ValueError as exc:
                raise DemoDataError(f"{where}: {exc}") from exc
            rows.append(
                kpi_services.MeasurementRow(
                    indicator=self.indicator(m["indicator"], where),
                    area=self.area(m["area"], where),
                    period=period,
                    value=_number(m["value"], where),
                    source=f"{doc.get('source', name)}: {m.get('source', '')}"[:300],
                )
            )
        return rows


def demo_documents(folder: Path = FIXTURES):
    return [
        (path.name, yaml.safe_load(path.read_text("utf-8")))
        for path in sorted(folder.glob("*.yaml"))
    ]


def load_demo(folder: Path = FIXTURES):
    """Load every fixture file; returns the measurement counts and the plans created."""
    loader = Loader(demo_documents(folder))
    counts = loader.load()
    return counts, loader.created_plans


def expected_statuses(folder: Path = FIXTURES):
    """(file, target key, as_of, status, source) for every verdict the documents state or imply."""
    for name, doc in demo_documents(folder):
        for item in doc.get("expected_statuses", []) or []:
            yield (
                name,
                item["target"],
                _date(item["as_of"], name),
                item["status"],
                item.get("source", ""),
            )


DEMO_PASSWORD = "demo"


@transaction.atomic
def demo_users_create() -> list[str]:
    """Users to try the roles with: a superuser "admin", and for each seed municipality a
    committee member, an analyst and an administrator ("analytiker-guldborgsund"). All have the
    password "demo"; they exist only where load_demo --users was run (never in production)."""
    from django.contrib.auth import get_user_model

    from plans.models import Membership

    User = get_user_model()
    created = []

    def user(name, **extra):
        account, new = User.objects.get_or_create(username=name, defaults=extra)
        if new:
            account.set_password(DEMO_PASSWORD)
            account.save()
            created.append(name)
        return account

    user("admin", is_staff=True, is_superuser=True)
    prefixes = {
        Membership.Role.COMMITTEE: "udvalg",
        Membership.Role.ANALYST: "analytiker",
        Membership.Role.ADMIN: "admin",
    }
    for municipality in Area.objects.filter(kind=Area.Kind.MUNICIPALITY, plans__isnull=False):
        for role, prefix in prefixes.items():
            Membership.objects.get_or_create(
                user=user(f"{prefix}-{municipality.slug}"),
                municipality=municipality,
                defaults={"role": role},
            )
    return created
