"""The portal's tables, declared once each (columns, what is shown and what is exported); the
base classes and the one export path are in jobcenter/tables.py."""
