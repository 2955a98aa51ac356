"""Background jobs of the assessment tool (whole tool, ¶3): producing a report.

Run by `manage.py db_worker` in development and production, at once in tests. The job
re-reads the assessment as the person who asked for it, so a report never shows what
that person can no longer see. A failure is logged with its cause for the
administrator and shown to people as one plain sentence, never a traceback.
"""

from __future__ import annotations

import logging

from django.utils import translation
from django_tasks import task

from habeas.assessment import reports, services_outputs
from habeas.assessment.models import Assessment

logger = logging.getLogger(__name__)

CONTENT_BUILT, RENDERED = 10, 60


@task()
def report_generate(*, job_id: int, language: str = "en") -> None:
    """Produce a queued report: running 10 % (content read), 60 % (rendered), done 100 %."""
    job = services_outputs.report_job_start(job_id=job_id)
    if job is None:
        return  # already taken by another worker, or the assessment was deleted
    with translation.override(language):
        try:
            content = reports.report_content(user=job.requested_by, assessment_id=job.assessment_id)
            services_outputs.report_job_progress(job=job, progress=CONTENT_BUILT)
            data = reports.render(content, job.format)
            services_outputs.report_job_progress(job=job, progress=RENDERED)
            services_outputs.report_job_store(job=job, content=data)
        except Assessment.DoesNotExist:
            logger.warning("report job %s: the requester can no longer see the assessment", job_id)
            services_outputs.report_job_fail(job_id=job_id, reason="not visible")
        except Exception as exc:  # noqa: BLE001 - any failure must end as "failed", not "running"
            logger.exception("report job %s failed (%s)", job_id, type(exc).__name__)
            services_outputs.report_job_fail(job_id=job_id, reason=type(exc).__name__)
