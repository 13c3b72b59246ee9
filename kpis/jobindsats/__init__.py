"""The jobindsats.dk connector: the API v3 client (client.py) and the sync service (sync.py)
that stores a followed table's figures through kpis.services, the same way as an import.

What the API is known to answer is in ../shared/JOBINDSATS.md; nothing of it has been tried
against the live service, so every assumption is checked at run time and an answer that does
not match is refused, storing nothing, with a Danish message that names what was wrong.
"""
