"""The default benchmarks of the legislation tracker (¶12, 26, 28, 29); the NPM edits them.

Each line names the standard it comes from. Weights (1 to 5) say how grave a harm to it
is: delaying a lawyer, a doctor or the notification of a relative, or restricting the
NPM's unannounced access or its private interviews, weighs 5; the definition of torture
4; formalities less.
"""

from django.db import migrations

# (code, group, title, source, weight, what to check)
# fmt: off
BENCHMARKS = [
    ("definition-distinct-offence", "definition",
     "Torture is a distinct offence, defined at least as in UNCAT art. 1",
     "UNCAT art. 1, 4(1); CAT General Comment No. 2, paras. 8-11", 4,
     "Is torture an offence of its own, or only prosecuted as bodily harm or abuse of "
     "office? Compare the wording with art. 1 element by element."),
    ("definition-elements", "definition",
     "The definition covers mental suffering, every purpose (including discrimination) "
     "and the consent or acquiescence of an official",
     "UNCAT art. 1; CAT General Comment No. 2, para. 9", 4,
     "Look for missing elements: mental pain, 'for any reason based on discrimination', "
     "acts by private persons with an official's consent or acquiescence."),
    ("prohibition-absolute", "prohibition",
     "No exceptional circumstance justifies torture: war, emergency or public security",
     "UNCAT art. 2(2); ICCPR art. 4(2)", 5,
     "Emergency, anti-terrorism or public-order clauses must not suspend the prohibition."),
    ("prohibition-superior-orders", "prohibition",
     "An order from a superior or a public authority is no justification",
     "UNCAT art. 2(3)", 4, ""),
    ("prohibition-evidence", "prohibition",
     "Statements made under torture are inadmissible as evidence",
     "UNCAT art. 15", 4, "Check the code of criminal procedure's rules on evidence."),
    ("prohibition-investigation", "prohibition",
     "Every allegation is investigated promptly and impartially, by a body independent "
     "of the one accused; complainants and witnesses are protected",
     "UNCAT art. 12, 13; CAT General Comment No. 3", 4,
     "Who investigates complaints against police and prison staff? Is the complainant "
     "protected from reprisals?"),
    ("prohibition-no-impunity", "prohibition",
     "No statute of limitations, amnesty or pardon for torture",
     "CAT General Comment No. 2, para. 5; CAT General Comment No. 3, para. 40", 3, ""),
    ("penalties-gravity", "penalties",
     "Penalties commensurate with the grave nature of torture",
     "UNCAT art. 4(2)", 4,
     "Compare the penalty with those for the gravest offences; a fine or a suspended "
     "sentence alone is not commensurate."),
    ("penalties-attempt-complicity", "penalties",
     "Attempt, complicity and participation are punished",
     "UNCAT art. 4(1)", 3, ""),
    ("npm-unannounced-access", "npm",
     "Unannounced access to every place of deprivation of liberty, at any time, and "
     "free choice of the places to visit",
     "OPCAT art. 4, 19(a), 20(c), 20(e)", 5,
     "Any notice period, prior authorisation or list of excluded places restricts it."),
    ("npm-private-interviews", "npm",
     "Private interviews without witnesses with anyone the NPM chooses",
     "OPCAT art. 20(d), 20(e)", 5,
     "Staff presence 'for security' or 'when clinically necessary' restricts it."),
    ("npm-information", "npm",
     "Access to all information, registers, files and documents on persons deprived of "
     "liberty and their treatment",
     "OPCAT art. 20(a), 20(b)", 4, ""),
    ("npm-independence", "npm",
     "Functional independence of the NPM and of its personnel",
     "Paris Principles / OPCAT art. 18(1), 18(4)", 4,
     "Who appoints and dismisses members? Can a ministry instruct the NPM?"),
    ("npm-resources", "npm",
     "The resources the NPM needs, under its own budget line",
     "Paris Principles / OPCAT art. 18(3)", 3, ""),
    ("npm-privilege-reprisals", "npm",
     "Information given to the NPM is privileged; no one is sanctioned for it",
     "OPCAT art. 21", 4,
     "Confidentiality of the NPM's information; protection of those who speak to it."),
    ("npm-legislative-role", "npm",
     "The NPM's mandate is set out in law, with the right to comment on draft and "
     "existing legislation",
     "OPCAT art. 17, 19(c); SPT analytical assessment tool, paras. 28-29", 2, ""),
    ("npm-dialogue", "npm",
     "Authorities examine the NPM's recommendations and answer them",
     "OPCAT art. 22", 2, ""),
    ("first-hours-lawyer", "first_hours",
     "Access to a lawyer from the very outset of deprivation of liberty",
     "CPT/Inf(92)3 para. 36; CAT General Comment No. 2, para. 13; Body of Principles, "
     "principle 17", 5,
     "Any delay (hours before access, prosecutor's authorisation, choice restricted to a "
     "list) weakens it."),
    ("first-hours-doctor", "first_hours",
     "Access to a doctor, including one of the person's own choice",
     "CPT/Inf(92)3 para. 36; Body of Principles, principle 24", 5, ""),
    ("first-hours-notification", "first_hours",
     "Notification of a relative or another person of the detainee's choice",
     "CPT/Inf(92)3 para. 36; Body of Principles, principle 16", 5, ""),
    ("first-hours-registration", "first_hours",
     "Every deprivation of liberty is registered: time, place, reasons, officials",
     "UNCAT art. 11; CAT General Comment No. 2, para. 13; Body of Principles, principle 12",
     4, ""),
    ("first-hours-information", "first_hours",
     "Information on these rights, at once and in a language the person understands",
     "CPT/Inf(92)3 para. 37; Body of Principles, principle 13", 3, ""),
    ("first-hours-judge", "first_hours",
     "Prompt appearance before a judge",
     "ICCPR art. 9(3); Human Rights Committee General Comment No. 35, para. 33", 4,
     "More than 48 hours before a judge needs an exceptional justification."),
    ("other-solitary-confinement", "other",
     "No prolonged solitary confinement (over 15 consecutive days); none for children "
     "or persons with disabilities it would worsen",
     "Nelson Mandela Rules, rules 43-45", 4, ""),
]
# fmt: on


def seed(apps, schema_editor):
    Benchmark = apps.get_model("legislation", "Benchmark")
    for position, (code, group, title, source, weight, guidance) in enumerate(BENCHMARKS):
        Benchmark.objects.get_or_create(
            code=code,
            defaults={
                "group": group,
                "title": title,
                "source": source,
                "weight": weight,
                "guidance": guidance,
                "position": (position + 1) * 10,
            },
        )


def unseed(apps, schema_editor):
    Benchmark = apps.get_model("legislation", "Benchmark")
    Assessment = apps.get_model("legislation", "Assessment")
    used = Assessment.objects.values("benchmark_id")
    Benchmark.objects.filter(code__in=[row[0] for row in BENCHMARKS]).exclude(
        pk__in=used
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("legislation", "0002_initial")]
    operations = [migrations.RunPython(seed, unseed)]
