"""Background jobs of reports (¶21, 22): producing a PDF or DOCX.

Run by `manage.py db_worker` in development and production, at once in tests. The job
re-reads the report as the person who asked for it, so a file never shows what that
person can no longer see. A failure is logged with its cause for the administrator and
shown to people as one plain sentence, never a traceback.
"""

from __future__ import annotations

import logging

from django.utils import translation
from django_tasks import task

from habeas.reports import render, services_render

logger = logging.getLogger(__name__)

CONTENT_BUILT, RENDERED = 10, 60


@task()
def render_report(*, rendering_id: int, language: str = "en") -> None:
    """Produce a queued rendering: 10 % (content built), 60 % (laid out), done 100 %."""
    rendering = services_render.rendering_start(rendering_id=rendering_id)
    if rendering is None:
        return  # already taken by another worker, or deleted
    with translation.override(language):
        try:
            content = services_render.rendering_content(rendering=rendering)
            services_render.rendering_progress(rendering=rendering, progress=CONTENT_BUILT)
            data = render.render(content, rendering.format)
            services_render.rendering_progress(rendering=rendering, progress=RENDERED)
            services_render.rendering_store(rendering=rendering, content=data)
        except services_render.ReportNotVisible:
            logger.warning("rendering %s: the requester can no longer see the report", rendering_id)
            services_render.rendering_fail(
                rendering_id=rendering_id, reason=services_render.NOT_VISIBLE
            )
        except Exception as exc:  # noqa: BLE001 - any failure must end as "failed", not "running"
            logger.exception("rendering %s failed (%s)", rendering_id, type(exc).__name__)
            services_render.rendering_fail(rendering_id=rendering_id, reason=type(exc).__name__)
