"""Walk the URL resolver and build a sample path for every route (SECURITY.md test 1).

A route whose keyword arguments have no sample value here makes the sweep fail, so a
new route cannot slip past it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLES: dict[str, Any] = {
    "pk": 987654,
    "place_pk": 987654,
    "unit_pk": 987654,
    "document_pk": 987654,
    "authority_pk": 987654,
    "region_pk": 987654,
    "user_pk": 987654,
    "token_pk": 987654,
    "batch_pk": 987654,
    "job_pk": 987654,
    "criterion_pk": 987654,
    "evidence_pk": 987654,
    "item_pk": 987654,
    "organisation_pk": 987654,
    "grant_pk": 987654,
    "visit_pk": 987654,
    "assignment_pk": 987654,
    "finding_pk": 987654,
    "difficulty_pk": 987654,
    "guideline_pk": 987654,
    "urgent_pk": 987654,
    "training_pk": 987654,
    "profile_pk": 987654,
    "recommendation_pk": 987654,
    "exchange_pk": 987654,
    "plan_pk": 987654,
    "commitment_pk": 987654,
    "response_pk": 987654,
    "verification_pk": 987654,
    "notification_pk": 987654,
    "opinion_pk": 987654,
    "benchmark_pk": 987654,
    "comment_pk": 987654,
    "hit_pk": 987654,
    "redaction_pk": 987654,
    "dissemination_pk": 987654,
    "rendering_pk": 987654,
    "objective_pk": 987654,
    "activity_pk": 987654,
    "line_pk": 987654,
    "policy_pk": 987654,
    "view_pk": 987654,
    "number": 98,
    "key": "no-such-key",
    "fmt": "pdf",
    "action": "submit",
    "interview_id": uuid.UUID("00000000-0000-4000-8000-000000000007"),
    "photo_id": uuid.UUID("00000000-0000-4000-8000-000000000008"),
    "register_check_id": uuid.UUID("00000000-0000-4000-8000-000000000009"),
    "entry_pk": 987654,
    "investigation_pk": 987654,
    "case_id": uuid.UUID("00000000-0000-4000-8000-000000000001"),
    "watch_id": uuid.UUID("00000000-0000-4000-8000-000000000002"),
    "examination_id": uuid.UUID("00000000-0000-4000-8000-000000000003"),
    "attachment_id": uuid.UUID("00000000-0000-4000-8000-000000000004"),
    "referral_id": uuid.UUID("00000000-0000-4000-8000-000000000005"),
    "check_id": uuid.UUID("00000000-0000-4000-8000-000000000006"),
    "batch_id": uuid.UUID("00000000-0000-4000-8000-000000000000"),
    "uuid": uuid.UUID("00000000-0000-4000-8000-000000000000"),
    "format": "json",
    "uidb64": "OTg3NjU0",
    "token": "abc-def",
}


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    callback: Any


def _sample(key: str) -> str:
    if key not in SAMPLES:
        raise KeyError(f"No sample value for URL argument {key!r}; add one to SAMPLES.")
    return str(SAMPLES[key])


def _sample_path(pattern: str) -> str:
    """Turn `places/<int:pk>/` or a regex like `^places/(?P<pk>[^/.]+)/$` into a path."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: _sample(m.group(1)), pattern)
    path = re.sub(
        r"<(?:(\w+):)?(\w+)>",
        # A `<uuid:pk>` takes a UUID whatever its name: an integer would not resolve.
        lambda m: str(SAMPLES["uuid"]) if m.group(1) == "uuid" else _sample(m.group(2)),
        path,
    )
    path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\", "")
    return re.sub(r"\(\?:[^)]*\)\?", "", path)


def _walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else str(entry.pattern)
            yield Route(
                name=name,
                path="/" + _sample_path(prefix + str(entry.pattern)),
                callback=entry.callback,
            )


def all_routes() -> list[Route]:
    routes = list(_walk(get_resolver().url_patterns, "", ""))
    # DRF's format-suffix variants duplicate their base routes.
    return [route for route in routes if "format" not in route.name and ".json" not in route.path]
