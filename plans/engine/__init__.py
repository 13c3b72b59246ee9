"""The status engine: pure functions from figures and a definition to a verdict (no ORM)."""
