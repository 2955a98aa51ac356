from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class StaleEdit(Exception):
    """Somebody saved the record since this edit began (ARCHITECTURE.md rule 6)."""

    message = _(
        "Someone else saved this record while you were editing it. Your text is shown "
        "below; compare it with the current version and save again."
    )

    def __init__(self, current_version: int) -> None:
        super().__init__(str(self.message))
        self.current_version = current_version
