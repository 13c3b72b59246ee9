"""Reference data every municipality shares: Denmark's areas (denmark.yaml) and, beside them,
the national indicator catalogue. Loaded by `manage.py load_reference`; loading again changes
nothing that is already right."""
