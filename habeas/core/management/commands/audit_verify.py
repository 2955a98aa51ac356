from django.core.management.base import BaseCommand, CommandError

from habeas.core import audit


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and report the first broken link."

    def handle(self, *args, **options):
        broken = audit.verify()
        if broken is None:
            self.stdout.write(self.style.SUCCESS("The audit chain is intact."))
            return
        where = f"at event {broken.event_id}" if broken.event_id else "at its end"
        raise CommandError(f"The audit chain is broken {where}: {broken.reason}.")
