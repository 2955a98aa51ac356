"""Roles and what each may do. One table, read by policies, pages and the API.

Administrators manage accounts but see no confidential content unless granted
(need-to-know grants on single records live in `Grant`).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HEAD = "head", _("Head of the NPM")
    MONITOR = "monitor", _("Monitor")
    DOCTOR = "doctor", _("Medical doctor")
    EXPERT = "expert", _("External expert")
    DATA_OFFICER = "data_officer", _("Data officer")
    COMMS = "comms", _("Communications officer")
    ADMIN = "admin", _("System administrator")
    AUDITOR = "auditor", _("Auditor")


STAFF = frozenset(Role.values)
R = Role

PERMISSIONS: dict[str, frozenset[str]] = {
    # The inventory of places of detention (¶9) is shared knowledge inside the NPM.
    "places.view": STAFF,
    "places.change": frozenset({R.HEAD, R.MONITOR, R.DATA_OFFICER}),
    "places.import": frozenset({R.HEAD, R.DATA_OFFICER}),
    "places.export": frozenset({R.HEAD, R.MONITOR, R.DATA_OFFICER}),
    "places.archive": frozenset({R.HEAD, R.MONITOR, R.DOCTOR, R.DATA_OFFICER}),
    "places.reconcile": frozenset({R.HEAD, R.DATA_OFFICER}),
    "authorities.change": frozenset({R.HEAD, R.DATA_OFFICER}),
    "regions.change": frozenset({R.HEAD, R.DATA_OFFICER}),
    "accounts.manage": frozenset({R.ADMIN}),
    # The SPT's assessment tool (whole tool): the NPM's own view of how it works.
    "assessment.view": STAFF - {R.ADMIN},
    "assessment.change": frozenset({R.HEAD, R.MONITOR, R.DOCTOR, R.EXPERT, R.DATA_OFFICER}),
    "assessment.create": frozenset({R.HEAD, R.DATA_OFFICER, R.MONITOR}),
    "assessment.share": frozenset({R.HEAD}),
    "assessment.finalise": frozenset({R.HEAD}),
    "assessment.frameworks": frozenset({R.HEAD, R.DATA_OFFICER}),
    "assessment.organisations": frozenset({R.HEAD, R.ADMIN}),
    # Visits (¶11, 13–17, 25): planners see every visit; interviews are the team's.
    "visits.view": STAFF - {R.ADMIN},
    "visits.plan": frozenset({R.HEAD, R.MONITOR}),
    "visits.record": frozenset({R.HEAD, R.MONITOR, R.DOCTOR, R.EXPERT}),
    "visits.all_interviews": frozenset({R.HEAD}),
    "visits.guidelines": frozenset({R.HEAD, R.MONITOR, R.DATA_OFFICER}),
    "visits.override": frozenset({R.HEAD}),
    "visits.profiles": frozenset({R.HEAD, R.MONITOR, R.ADMIN}),
    # Confidential case files and reprisal watches (¶18, 25): the role only makes a
    # person eligible; each record is seen only by those granted on it.
    "cases.view": frozenset({R.HEAD, R.MONITOR, R.DOCTOR, R.EXPERT, R.DATA_OFFICER}),
    "cases.create": frozenset({R.HEAD, R.MONITOR, R.DOCTOR}),
    "cases.identity": frozenset({R.HEAD, R.MONITOR, R.DOCTOR, R.EXPERT}),
    "cases.medical": frozenset({R.HEAD, R.MONITOR, R.DOCTOR, R.EXPERT}),
    "cases.grant_any": frozenset({R.HEAD}),
    # The national register of allegations and proceedings (¶27) holds no identity.
    "register.view": frozenset({R.HEAD, R.MONITOR, R.DOCTOR, R.DATA_OFFICER}),
    "register.change": frozenset({R.HEAD, R.MONITOR, R.DATA_OFFICER}),
    "register.stats": frozenset({R.HEAD, R.MONITOR, R.DOCTOR, R.DATA_OFFICER, R.COMMS}),
    # Recommendations and the dialogue with authorities (¶2, 5, 20–24, 31a, 34).
    "recommendations.view": STAFF - {R.ADMIN},
    "recommendations.draft": frozenset({R.HEAD, R.MONITOR, R.DOCTOR, R.EXPERT, R.DATA_OFFICER}),
    "recommendations.send": frozenset({R.HEAD, R.MONITOR}),
    "recommendations.dialogue": frozenset({R.HEAD, R.MONITOR, R.DATA_OFFICER}),
    "recommendations.verify": frozenset({R.HEAD, R.MONITOR, R.DOCTOR, R.EXPERT, R.DATA_OFFICER}),
    "recommendations.import": frozenset({R.HEAD, R.DATA_OFFICER}),
    "recommendations.export": frozenset({R.HEAD, R.MONITOR, R.DATA_OFFICER, R.COMMS}),
    "recommendations.settings": frozenset({R.HEAD}),
    # Legislation (¶12, 26, 28, 29): the NPM's own advice on laws, not its visits' work.
    "legislation.view": STAFF - {R.ADMIN, R.EXPERT},
    "legislation.change": frozenset({R.HEAD, R.MONITOR, R.DATA_OFFICER, R.COMMS}),
    "legislation.send": frozenset({R.HEAD}),
    "legislation.benchmarks": frozenset({R.HEAD, R.DATA_OFFICER}),
    # The public's channel (¶23, 25, 33): submissions may identify their sender, so only
    # the intake team reads them.
    "intake.view": frozenset({R.HEAD, R.MONITOR, R.DATA_OFFICER}),
    "intake.triage": frozenset({R.HEAD, R.MONITOR, R.DATA_OFFICER}),
    "intake.reply": frozenset({R.HEAD, R.MONITOR}),
    "intake.settings": frozenset({R.HEAD}),
    # Partners and communication (¶4, 23, 30–33).
    "partners.view": STAFF - {R.ADMIN, R.EXPERT},
    "partners.change": frozenset({R.HEAD, R.MONITOR, R.DATA_OFFICER, R.COMMS}),
    "partners.export": frozenset({R.HEAD}),
    # Planning (¶10, 11, 35, 36): which places to visit, when and with whom.
    # The risk model is the data officer's too; programmes say where and when unannounced
    # visits will go, which the visits app hides from all but the planners.
    "planning.view": frozenset({R.HEAD, R.MONITOR, R.DATA_OFFICER}),
    "planning.programmes": frozenset({R.HEAD, R.MONITOR}),
    "planning.change": frozenset({R.HEAD, R.MONITOR}),
    "planning.adopt": frozenset({R.HEAD}),
    "planning.weights": frozenset({R.HEAD}),
    # Reports (¶19, 21, 22, 38): drafted by the team, reviewed, signed by the head; the
    # communications officer sends and publishes what is signed.
    "reports.view": frozenset({R.HEAD, R.MONITOR, R.DOCTOR, R.EXPERT, R.DATA_OFFICER, R.COMMS}),
    "reports.draft": frozenset({R.HEAD, R.MONITOR, R.DOCTOR, R.EXPERT, R.DATA_OFFICER}),
    "reports.review": frozenset({R.HEAD, R.MONITOR}),
    "reports.sign": frozenset({R.HEAD}),
    "reports.publish": frozenset({R.HEAD, R.COMMS}),
    "reports.override": frozenset({R.HEAD}),
    "reports.disseminate": frozenset({R.HEAD, R.MONITOR, R.COMMS}),
    # Strategy and resources (¶5, 35, 36): the NPM's management data, for its own staff.
    "strategy.view": frozenset({R.HEAD, R.MONITOR, R.DOCTOR, R.DATA_OFFICER, R.COMMS, R.AUDITOR}),
    "strategy.change": frozenset({R.HEAD, R.DATA_OFFICER}),
    # Policies and rules of procedure (¶7, 8): every member reads and acknowledges them.
    "policies.view": STAFF,
    "policies.change": frozenset({R.HEAD}),
    # …and acknowledges them, except the auditor, who reads and never writes.
    "policies.acknowledge": STAFF - {R.AUDITOR},
    # Training (¶37): each person sees their own; whoever composes teams sees everyone's.
    "training.own": STAFF,
    "training.record": STAFF - {R.AUDITOR},
    "training.manage": frozenset({R.HEAD, R.MONITOR, R.ADMIN}),
    # Systematisation (¶15, 19, 34): counts over the findings each reader may see.
    "analytics.view": STAFF - {R.ADMIN},
    # Saving a view is a write: the auditor reads and never changes anything.
    "analytics.save": STAFF - {R.ADMIN, R.AUDITOR},
    "audit.view": frozenset({R.AUDITOR, R.HEAD}),
    "api.tokens": STAFF,
}


# What a member of another organisation (an assessing body such as the SPT, or a peer
# NPM) may do here: take part in assessments, nothing of this NPM's own records.
EXTERNAL_PREFIXES = ("assessment.", "api.tokens")
# …except deciding who works for whom, which would let them move into this NPM.
EXTERNAL_DENIED = frozenset({"assessment.organisations"})


def can(user: Any, permission: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active or user.has_expired():
        return False
    if user.role not in PERMISSIONS.get(permission, frozenset()):
        return False
    if permission.startswith(EXTERNAL_PREFIXES) and permission not in EXTERNAL_DENIED:
        return True
    return not is_external(user)


def is_external(user: Any) -> bool:
    """Whether the user works for another organisation than this NPM (cached per object)."""
    cached = getattr(user, "_habeas_external", None)
    if cached is None:
        from habeas.assessment.models import Membership

        cached = (
            Membership.objects.filter(user_id=user.pk).exclude(organisation__is_home=True).exists()
        )
        user._habeas_external = cached
    return bool(cached)
