"""Figures: areas, indicators, periods and the measurements that tie them together."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import periods
from .danish import format_number
from .fields import user_reference, value_field


class Area(models.Model):
    """Where a figure is measured: a municipality or a comparison area. Areas are data."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        COUNTRY = "country", _("Whole country")
        RAR = "rar", _("Regional labour market council (RAR, 2015–2024)")
        COUNCIL = "council", _("Regional employment council (2025–)")
        REGION = "region", _("Region")

    # The kinds a municipality belongs to for a time (AreaMembership): its comparison groups.
    GROUP_KINDS = (Kind.RAR, Kind.COUNCIL)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    code = models.CharField(
        _("official code"),
        max_length=10,
        blank=True,
        help_text=_("The municipality's official three-digit code, e.g. 376 for Guldborgsund."),
    )
    region = models.ForeignKey(
        "self",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="region_municipalities",
        limit_choices_to={"kind": "region"},
    )
    comparables = models.ManyToManyField(
        "self",
        verbose_name=_("comparable municipalities"),
        symmetrical=False,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "municipality"},
        help_text=_("The municipalities this one compares itself with (sammenlignelige kommuner)."),
    )
    public_dashboards = models.BooleanField(
        _("approved dashboards are public"),
        default=False,
        help_text=_("Anyone, without logging in, may read this municipality's approved plans."),
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(kind="municipality"),
                name="unique_municipality_code",
            ),
        ]

    def __str__(self):
        return self.name


class AreaMembership(models.Model):
    """A municipality's membership of a RAR area (2015–2024) or a regional employment council
    (2025–), with its dates: a 2024 figure compares with the RAR area, a 2025 one with the
    council. Loaded from the reference data (kpis/reference/denmark.yaml)."""

    member = models.ForeignKey(
        Area,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="group_memberships",
        limit_choices_to={"kind": "municipality"},
    )
    group = models.ForeignKey(
        Area,
        verbose_name=_("RAR area or council"),
        on_delete=models.CASCADE,
        related_name="member_links",
        limit_choices_to={"kind__in": ["rar", "council"]},
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership of a comparison area")
        verbose_name_plural = _("memberships of comparison areas")
        ordering = ["member", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "group", "valid_from"], name="unique_area_membership"
            ),
        ]

    def __str__(self):
        return f"{self.member} ∈ {self.group} ({self.valid_from}–{self.valid_to or ''})"


class Indicator(models.Model):
    """A measure with a unit and a good direction, usually a jobindsats.dk series."""

    class Unit(models.TextChoices):
        COUNT = "count", _("count")
        FTE = "fte", _("full-time persons")
        PERCENT = "percent", _("percent")
        RATIO = "ratio", _("ratio")
        SCORE = "score", _("score")

    class Direction(models.TextChoices):
        LOWER = "lower", _("lower is better")
        HIGHER = "higher", _("higher is better")

    key = models.SlugField(_("key"), max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=0)
    direction = models.CharField(_("good direction"), max_length=10, choices=Direction.choices)
    data_source = models.CharField(_("data source"), max_length=200, blank=True)
    owner = models.ForeignKey(
        Area,
        verbose_name=_("local to municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_indicators",
        help_text=_("Set for a measure only this municipality has, such as its own survey."),
    )
    # jobindsats' y30r21 publishes the actual share beside the share the municipality can be
    # expected to have given its framework conditions: an expected-level target on the actual
    # series reads the expected one from here.
    expected_by = models.ForeignKey(
        "self",
        verbose_name=_("expected level"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The indicator with the level expected of the municipality (benchmark)."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_share(self):
        return self.unit == self.Unit.PERCENT

    def quantize(self, value):
        """The value to the indicator's decimals, as it is shown and exported."""
        if value is None:
            return None
        return Decimal(value).quantize(Decimal(1).scaleb(-self.decimals), rounding=ROUND_HALF_UP)

    def format_value(self, value):
        """A value as the card shows it: "1.075", "58,8 %"."""
        if value is None:
            return ""
        text = format_number(value, self.decimals)
        return f"{text} %" if self.is_share else text

    def format_development(self, value, *, sign=True):
        """A difference in the indicator's unit: percentage points for shares ("−10,0 %-point")."""
        if value is None:
            return ""
        text = format_number(value, self.decimals, sign=sign)
        return f"{text} %-point" if self.is_share else text


class Period(models.Model):
    """A month, quarter, half-year, year, rolling year, span of months or days, or a point in
    time."""

    class Kind(models.TextChoices):
        MONTH = periods.MONTH, _("month")
        QUARTER = periods.QUARTER, _("quarter")
        HALF_YEAR = periods.HALF_YEAR, _("half-year")
        YEAR = periods.YEAR, _("year")
        ROLLING_YEAR = periods.ROLLING_YEAR, _("rolling four quarters")
        MONTH_SPAN = periods.MONTH_SPAN, _("span of months")
        DAY_SPAN = periods.DAY_SPAN, _("span of days")
        POINT = periods.POINT, _("point in time")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["end", "start"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start", "end"], name="unique_period"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="period_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def spec(self):
        return periods.PeriodSpec(self.start, self.end, self.kind)

    @property
    def label(self):
        return self.spec.label

    @property
    def code(self):
        return self.spec.code


class SourceTable(models.Model):
    """A jobindsats.dk table the connector follows, with when it was fetched and when the
    agency expects to update it (kpis/jobindsats/). Several indicators read the same table."""

    class State(models.TextChoices):
        IDLE = "idle", _("idle")
        SYNCING = "syncing", _("syncing")
        FAILED = "failed", _("failed")

    table_id = models.CharField(_("table"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    latest_update = models.DateTimeField(_("updated by jobindsats.dk"), null=True, blank=True)
    next_update = models.DateTimeField(_("next expected update"), null=True, blank=True)
    last_synced_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    last_rows = models.PositiveIntegerField(_("rows in the last sync"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="idle")
    rows_done = models.PositiveIntegerField(_("rows fetched"), default=0)
    rows_total = models.PositiveIntegerField(_("rows to fetch"), default=0)
    # When a worker claimed the table for a sync: a claim older than the connector's limit
    # is a worker that died, and the table may be claimed again (kpis.jobindsats.sync).
    claimed_at = models.DateTimeField(_("sync started"), null=True, blank=True)

    class Meta:
        verbose_name = _("jobindsats.dk table")
        verbose_name_plural = _("jobindsats.dk tables")
        ordering = ["table_id"]

    def __str__(self):
        return f"{self.table_id} {self.name}".strip()

    @property
    def progress_percent(self):
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class IndicatorSource(models.Model):
    """Where a shared indicator's figures come from: a measure of a jobindsats.dk table, with
    the dimension values that select the indicator's rows. Curated by superusers. Figures of a
    bound indicator for comparison areas and other municipalities are the source's: the
    connector writes them, a municipality's analysts do not."""

    indicator = models.OneToOneField(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="source",
        limit_choices_to={"owner__isnull": True},
    )
    table = models.ForeignKey(
        SourceTable, verbose_name=_("table"), on_delete=models.PROTECT, related_name="bindings"
    )
    measure = models.CharField(
        _("measure"), max_length=200, help_text=_("The measure's column name in the table.")
    )
    filters = models.JSONField(
        _("dimension filters"),
        default=dict,
        blank=True,
        help_text=_('Dimension label → value, e.g. {"Alder": "16-29 år"}.'),
    )
    period_kind = models.CharField(_("period kind"), max_length=20, choices=Period.Kind.choices)

    class Meta:
        verbose_name = _("indicator source")
        verbose_name_plural = _("indicator sources")
        ordering = ["table__table_id", "measure"]

    def __str__(self):
        return f"{self.indicator}: {self.table.table_id} · {self.measure}"


class Measurement(models.Model):
    """A value of an indicator for an area and a period. Written only by kpis.services."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="measurements",
        # The unique (indicator, area, period) index serves lookups by indicator, and by
        # indicator and area; another index would only slow every import down.
        db_index=False,
    )
    # Figures are found by indicator and area (the unique index). An index on the area, the
    # period or the user alone would serve only the rare deletion of one of them, and every
    # import would pay for it, a million rows at a time: the area's cost a new figure more
    # than the unique index and the table together (README: Speed at national scale).
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="measurements",
        db_index=False,
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="measurements",
        db_index=False,
    )
    value = value_field(_("value"))
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Where the figure comes from.")
    )
    entered_by = user_reference(_("entered by"), db_index=False)
    # Where a figure fetched by the connector came from: the binding (table and measure), the
    # period as jobindsats.dk wrote it, and when it was fetched. Empty for typed and imported
    # figures, whose source note says where they came from.
    origin = models.ForeignKey(
        IndicatorSource,
        verbose_name=_("fetched from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # db_default: the set-based writes (kpis.bulk) insert rows in SQL and leave it out.
    origin_period = models.CharField(
        _("period code at the source"), max_length=20, blank=True, db_default=""
    )
    fetched_at = models.DateTimeField(_("fetched"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "area", "period__end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period"], name="unique_measurement"
            ),
        ]

    def __str__(self):
        return f"{self.indicator} · {self.area} · {self.period}: {self.value}"


class MeasurementRevision(models.Model):
    """A measurement's earlier value, kept when the figure is revised (jobindsats revises back
    in time, and a committee may already have seen the old figure)."""

    measurement = models.ForeignKey(
        Measurement,
        verbose_name=_("measurement"),
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    old_value = value_field(_("old value"))
    new_value = value_field(_("new value"))
    old_source = models.CharField(_("old source"), max_length=300, blank=True)
    # No index on the user, as for Measurement.entered_by: it would serve only the rare
    # deletion of a user, and every revising import would write it once per revision.
    changed_by = user_reference(_("changed by"), db_index=False)
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)

    class Meta:
        verbose_name = _("measurement revision")
        verbose_name_plural = _("measurement revisions")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.measurement}: {self.old_value} → {self.new_value}"


class ImportBatch(models.Model):
    """An uploaded file of figures: read and checked, shown as a preview, then stored all at
    once or not at all. Large files are read and stored by a Celery task, which reports its
    progress here."""

    class State(models.TextChoices):
        READING = "reading", _("reading")
        PREVIEW = "preview", _("ready for preview")
        REFUSED = "refused", _("refused")
        SAVING = "saving", _("saving")
        COMMITTED = "committed", _("saved")

    user = user_reference(_("uploaded by"))
    filename = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    value_column = models.CharField(_("value column"), max_length=200, blank=True)
    allowed_area_ids = models.JSONField(
        _("municipalities the uploader may load"),
        null=True,
        blank=True,
        help_text=_("Ids of municipalities; empty for all (a superuser's upload)."),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    rows = models.JSONField(_("clean rows"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)  # the first SHOWN_ERRORS
    errors_total = models.PositiveIntegerField(_("rows with errors"), default=0)
    file_error = models.TextField(_("file error"), blank=True)
    suppressed = models.PositiveIntegerField(_("suppressed values"), default=0)
    counts = models.JSONField(_("new, revised, unchanged"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    committed_at = models.DateTimeField(_("saved"), null=True, blank=True)
    # When reading or saving began: a batch still in either long after it is one whose worker
    # died or timed out (kpis.services.imports_fail_stuck).
    state_since = models.DateTimeField(_("in this state since"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def progress_percent(self):
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))
