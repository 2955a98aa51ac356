"""`manage.py demo`: load the fictional demo NPM into an empty database (never production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import override_settings

from habeas.accounts.demo import DEMO_PASSWORD
from habeas.accounts.roles import Role
from habeas.assessment.demo import SPT_EMAIL, AssessmentDemoSummary, demo_load_assessments
from habeas.cases.demo import CasesDemoSummary, demo_load_cases
from habeas.intake.demo import demo_load_intake
from habeas.legislation.demo import demo_load_legislation
from habeas.partners.demo import demo_load_partners
from habeas.places.demo import SCALES, DemoRefused, DemoSummary, demo_load
from habeas.places.models import Place
from habeas.planning.demo import demo_load_planning
from habeas.recommendations.demo import RecommendationsDemoSummary, demo_load_recommendations
from habeas.reports.demo import demo_load_reports
from habeas.strategy.demo import demo_load_strategy
from habeas.visits.demo import VisitsDemoSummary, demo_load_visits

LOGIN_URL = "http://127.0.0.1:8000/accounts/login/"
HELD_MAIL = "django.core.mail.backends.locmem.EmailBackend"


class Command(BaseCommand):
    help = (
        "Build a fictional country's NPM: regions, authorities, places of detention with "
        "their units and population, one staff account per role, five years of visits, "
        "case files, reprisal watches, the register of allegations, and twenty years of "
        "recommendations with the authorities' answers; bills under consultation, partners "
        "with their histories, submissions from the public, and next quarter's visit programme "
        "with its proposed teams; reports; a strategy with budgets, rules of procedure and "
        "training histories. The same seed always builds "
        "the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=list(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing, successfully, when the inventory already holds places.",
        )

    def handle(self, *args: Any, scale: str, seed: int, if_empty: bool, **options: Any) -> None:
        if settings.HABEAS_ENV == "production":
            raise CommandError("The demo never loads in production (HABEAS_ENV=production).")
        if if_empty and Place.objects.exists():
            self.stdout.write("The inventory already holds places: the demo was not loaded.")
            return
        self.stdout.write(f"Building the demo NPM ({scale}, seed {seed})…")
        try:
            # The notices the services send (to fictional addresses) stay in memory, and the
            # thousands of writes are not each logged as at DEBUG.
            with override_settings(EMAIL_BACKEND=HELD_MAIL, DEBUG=False), transaction.atomic():
                summary = demo_load(scale=scale, seed=seed)
                assessments = demo_load_assessments(seed=seed)
                visits = demo_load_visits(scale=scale, seed=seed)
                cases = demo_load_cases(scale=scale, seed=seed)
                recommendations = demo_load_recommendations(scale=scale, seed=seed)
                # Bills link recommendations and register entries; partners' communications
                # link bills; submissions link visits and cases.
                legislation = demo_load_legislation(scale=scale, seed=seed)
                partners = demo_load_partners(scale=scale, seed=seed)
                intake = demo_load_intake(scale=scale, seed=seed)
                # The programme reads the risk that all of the above make up.
                planning = demo_load_planning(scale=scale, seed=seed)
                # Reports are drafted from everything above.
                reports = demo_load_reports(scale=scale, seed=seed)
                # The strategy reads the visits (staff-days, training needs): it comes last.
                strategy = demo_load_strategy(scale=scale, seed=seed)
        except DemoRefused as refused:
            raise CommandError(str(refused)) from refused
        # Statistics for the query planner after a bulk load, before anyone browses.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self._report(summary)
        self._report_assessments(assessments)
        self._report_visits(visits)
        self._report_cases(cases)
        self._report_recommendations(recommendations)
        self.stdout.write(legislation.describe())
        self.stdout.write(partners.line())
        self.stdout.write(intake.line())
        self.stdout.write(planning.describe())
        self.stdout.write(reports.describe())
        self.stdout.write(strategy.describe())

    def _report_visits(self, summary: VisitsDemoSummary) -> None:
        write = self.stdout.write
        states = ", ".join(
            f"{count} {state.replace('_', ' ')}" for state, count in sorted(summary.states.items())
        )
        write(
            f"Visits: {summary.visits} at {summary.places} places over five years ({states}), "
            f"{summary.interviews} interviews, {summary.findings} findings "
            f"({summary.seconds:.1f} s)."
        )
        if summary.staff_created:
            write("Visiting staff added to the demo (same password):")
            for email in summary.staff_created:
                write(f"  {email}")

    def _report_cases(self, summary: CasesDemoSummary) -> None:
        self.stdout.write(
            f"Case files: {summary.cases} (the head is granted on {summary.cases_head_granted}), "
            f"{summary.examinations} medical examinations, {summary.referrals} referrals, "
            f"{summary.watches} reprisal watches, {summary.register_entries} register entries "
            f"({summary.seconds:.1f} s)."
        )

    def _report_recommendations(self, summary: RecommendationsDemoSummary) -> None:
        self.stdout.write(
            f"Recommendations: {summary.recommendations} ({summary.sent} sent, "
            f"{summary.drafts} drafts, {summary.external} from the SPT, CPT and treaty bodies), "
            f"{summary.responses} responses in {summary.exchanges} exchanges, "
            f"{summary.verifications} verifications, {summary.action_plans} action plans; "
            f"{summary.places_for_follow_up} places proposed for follow-up "
            f"({summary.seconds:.1f} s)."
        )

    def _report_assessments(self, summary: AssessmentDemoSummary) -> None:
        write = self.stdout.write
        write(
            f"Self-assessment tool: {summary.assessments} assessments against the SPT's tool, "
            f"{summary.action_items} action items."
        )
        note = "" if summary.spt_account_created else "  (already there, left unchanged)"
        write("An assessing body, the SPT, with its own account (same password):")
        write(f"  {SPT_EMAIL:<32} Monitor, member of the SPT{note}")

    def _report(self, summary: DemoSummary) -> None:
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"Loaded in {summary.seconds:.1f} s: {summary.regions} regions and districts, "
                f"{summary.authorities} authorities, {summary.places} places, "
                f"{summary.units} units, {summary.population_records} population records."
            )
        )
        write("")
        write(f"Sign in at {LOGIN_URL} with one of these accounts:")
        labels = dict(Role.choices)
        for account in summary.accounts:
            note = "" if account.created else "  (already there, left unchanged)"
            write(f"  {account.email:<32} {labels[account.role]}{note}")
        write(f"Password for every demo account: {DEMO_PASSWORD}")
        if settings.HABEAS_DEMO:
            write(
                "Second factor: after signing in you are asked to set up an authenticator "
                "app (TOTP); in the demo you may set it up or postpone it (a banner reminds you)."
            )
        else:
            write(
                "Second factor: HABEAS_DEMO is not set, so each account must set up an "
                "authenticator app (TOTP) when it first signs in."
            )
