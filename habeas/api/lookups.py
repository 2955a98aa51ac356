"""Shapes of record ids in API routes. A UUID must be written in full, hyphens included,
so that nothing else (a number, a word) is routed to a record at all."""

UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
