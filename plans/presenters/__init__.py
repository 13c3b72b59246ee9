"""What pages show, shaped from selectors: the KPI card, tables, charts, the PDF.

Nothing here writes."""
