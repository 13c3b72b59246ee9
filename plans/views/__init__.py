"""The pages, thin, by audience: committee (dashboards and reports), definitions (administrators:
plans, themes, indicators, targets), figures (analysts: import, grid), rounds (narratives,
submit, approval), settings (a municipality's), sources, areas, comparables."""
