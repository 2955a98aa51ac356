"""The words the publication check reads a report with (English, Spanish, French).

Everything here is folded (lower case, accents stripped: `habeas.visits.source_check.fold`)
so that the patterns match "Détenus", "detenus" and "DETENUS" alike. The lists are
deliberately about people: a count of cells, recommendations or years is no one's.
"""

from __future__ import annotations

import re

# Nouns for people held or met in places of detention, singular and plural.
PEOPLE_NOUNS = frozenset(
    """
    detainee detainees prisoner prisoners inmate inmates woman women man men child children
    minor minors juvenile juveniles girl girls boy boys patient patients resident residents
    foreigner foreigners person persons people individual individuals migrant migrants
    adolescent adolescents teenager teenagers youth youths mother mothers father fathers
    adult adults national nationals refugee refugees seeker seekers
    remandees convict convicts pensioner pensioners
    detenido detenidos detenida detenidas preso presos presa presas recluso reclusos
    reclusa reclusas interno internos interna internas mujer mujeres hombre hombres nino
    ninos nina ninas menor menores paciente pacientes residente residentes extranjero
    extranjeros extranjera extranjeras persona personas migrante migrantes adolescente
    adolescentes joven jovenes madre madres privado privados privada privadas
    detenu detenus detenue detenues prisonnier prisonniers prisonniere prisonnieres femme
    femmes homme hommes enfant enfants mineur mineurs mineure mineures patiente patientes
    resident residents residente residentes etranger etrangers etrangere etrangeres
    personne personnes retenu retenus retenue retenues jeune jeunes mere meres
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Words that may sit between a number and its noun ("two foreign women", "tres mujeres
# extranjeras" needs none, "deux jeunes femmes").
PEOPLE_ADJECTIVES = frozenset(
    """
    foreign young elderly older old male female pregnant sentenced remanded unaccompanied
    disabled sick transgender other more new further additional isolated vulnerable adult
    juvenile underage minor lgbti gay lesbian deaf blind mentally ill injured hospitalised
    hospitalized segregated convicted untried remand asylum
    otros otras nuevos nuevas jovenes mayores
    autres nouveaux nouvelles jeunes vieux vieilles
    """.split()  # noqa: SIM905
)

# "three of the women", "deux des femmes", "tres de las mujeres".
PARTITIVES = (
    ("of", "the"),
    ("of", "these"),
    ("of", "those"),
    ("among", "the"),
    ("de", "los"),
    ("de", "las"),
    ("de", "ces"),
    ("d", "entre", "les"),
    ("des",),
    ("of",),
)

NUMBER_WORDS: dict[str, int] = {
    # English
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "both": 2,
    "couple": 2,
    # Spanish ("un", "una" are articles too: only with "solo/sola/único")
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "once": 11,
    "doce": 12,
    "trece": 13,
    "catorce": 14,
    "quince": 15,
    "dieciseis": 16,
    "diecisiete": 17,
    "dieciocho": 18,
    "diecinueve": 19,
    "veinte": 20,
    "ambos": 2,
    "ambas": 2,
    # French ("un", "une" likewise)
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "vingt": 20,
}
# "six" is both English and French; "once" is Spanish 11 but English "once": only a
# count when a people noun follows, so "once a week" never matches.

# Phrases that mean exactly one ("a single detainee", "un seul détenu", "una sola mujer").
SINGLE_PHRASES = (
    ("a", "single"),
    ("a", "sole"),
    ("only", "one"),
    ("just", "one"),
    ("un", "seul"),
    ("une", "seule"),
    ("un", "solo"),
    ("una", "sola"),
    ("un", "unico"),
    ("una", "unica"),
    ("un", "unique"),
    ("une", "unique"),
)

# What singles a person out. Each entry is a phrase; a trait counts when a people noun
# follows within three words ("the only foreign woman") or, for the superlatives, when
# the phrase stands alone before a comma, a bracket or "of/among".
TRAIT_PHRASES = (
    ("the", "only"),
    ("the", "sole"),
    ("the", "one"),
    ("the", "single"),
    ("the", "pregnant"),
    ("the", "youngest"),
    ("the", "oldest"),
    ("le", "seul"),
    ("la", "seule"),
    ("l", "unique"),
    ("le", "plus", "jeune"),
    ("la", "plus", "jeune"),
    ("le", "plus", "age"),
    ("la", "plus", "agee"),
    ("la", "femme", "enceinte"),
    ("el", "unico"),
    ("la", "unica"),
    ("el", "mas", "joven"),
    ("la", "mas", "joven"),
    ("el", "de", "mayor", "edad"),
    ("la", "de", "mayor", "edad"),
    ("la", "embarazada"),
    ("la", "mujer", "embarazada"),
)
SUPERLATIVES = frozenset(
    {
        ("the", "youngest"),
        ("the", "oldest"),
        ("le", "plus", "jeune"),
        ("la", "plus", "jeune"),
        ("le", "plus", "age"),
        ("la", "plus", "agee"),
        ("la", "femme", "enceinte"),
        ("el", "mas", "joven"),
        ("la", "mas", "joven"),
        ("la", "embarazada"),
        ("la", "mujer", "embarazada"),
    }
)

# Participles that may follow a trait's noun ("the only woman held in Wing A"): the
# proposal then replaces the noun with "a person" and leaves the participle as written,
# never "a person held held".
PARTICIPLES = frozenset(
    """
    held detained kept housed confined locked accommodated interviewed met seen placed
    imprisoned incarcerated segregated isolated
    detenido detenida detenidos detenidas recluido recluida alojado alojada internado
    internada entrevistado entrevistada encerrado encerrada aislado aislada
    detenu detenue retenu retenue enferme enfermee heberge hebergee incarcere incarceree
    entendu entendue rencontre rencontree isole isolee
    """.split()  # noqa: SIM905
)

# A date near one of these (in the same sentence) is about what a person said or lived.
PERSON_CONTEXT = (
    frozenset(
        """
    said told reported alleged complained stated explained declared described recounted
    claimed interviewed met spoke testified according showed
    dijo dijeron declaro relato denuncio explico afirmo segun conto entrevistado entrevistada
    entrevistamos
    dit declare declaree raconte explique affirme selon rapporte signale entendu entendue
    rencontre rencontree plainte
    """.split()  # noqa: SIM905
    )
    | PEOPLE_NOUNS
)


def _numbered(words: str) -> dict[str, int]:
    return {word: number for number, word in enumerate(words.split(), start=1)}


MONTHS: dict[str, int] = {
    **_numbered("january february march april may june july august september october"),
    **_numbered("jan feb mar apr may jun jul aug sep oct"),
    **_numbered("enero febrero marzo abril mayo junio julio agosto septiembre octubre"),
    **_numbered("janvier fevrier mars avril mai juin juillet aout septembre octobre"),
    "november": 11,
    "december": 12,
    "nov": 11,
    "dec": 12,
    "sept": 9,
    "noviembre": 11,
    "diciembre": 12,
    "setiembre": 9,
    "novembre": 11,
    "decembre": 12,
}

# Titles before a name ("Mr Dupont", "Mme Martin", "Sr. Pérez"); folded, without the dot.
TITLES = frozenset(
    """
    mr mrs ms miss mx dr sir madam monsieur madame mademoiselle mme mlle mmes mm
    sr sra srta senor senora senorita don dona herr frau
    """.split()  # noqa: SIM905
)
# "M." (Monsieur) is a title only with its dot.
TITLE_WITH_DOT = frozenset({"m"})

# Words too common to stand alone as a family name, whatever the records say.
COMMON_WORDS = frozenset(
    """
    about above after again against also among another because before being below
    between both cell cells block blocks wing wings unit units guard guards staff prison
    prisons police night court health doctor nurse water food room rooms yard door doors
    window windows floor floors house home hall city town street road place places visit
    visits report reports team teams year years month months week weeks day days time
    times case cases care law laws rule rules right rights order orders young long white
    black brown green grey gray north south east west king queen mark rose grace hope
    faith joy may june april august march will bill mason baker cook smith miller carpenter
    hill wood woods field fields stone lane park bank banks church bell bush ford long
    short little small large great good best well ward wards hospital centre center
    justice ministry director governor officer officers chief head deputy minister
    martin thomas
    cette comme entre avant apres pendant depuis selon toute toutes tous leur leurs
    entre desde hasta durante sobre segun todos todas este esta estos estas
    """.split()  # noqa: SIM905
)

# Contact details and identifying numbers. Run on the original text.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w/.,-])(?:\+|00)?\(?\d[\d ().\-\u00a0]{6,}\d(?![\w/-])")
LONG_NUMBER = re.compile(r"(?<![\w.,/-])\d{6,}(?![\w/-]|[.,]\d)")
# A letter-digit mix such as "AB123456", "P-48213", "12345X": up to four letters, three
# digits or more. Symbols with slashes (CAT/OP/…) are document references, not people's.
MIXED_ID = re.compile(
    r"(?<![\w/-])(?:[A-Z]{1,4}-?\d{3,}[A-Z]{0,2}|[A-Za-z]{1,4}\d{5,}|\d{3,}-?[A-Z]{1,3})(?![\w/-])"
)
NUMBER_AFTER_WORD = re.compile(
    r"(?i)\b(?:prisoner|detainee|inmate|patient|registration|identity|id|passport|"
    r"matricule|[ée]crou|d[ée]tenu|preso|recluso|interno|interna)\s*"
    r"(?:number|no\.?|n°|nº|#|num[ée]ro|n[uú]mero)?\s*[:#]?\s*([A-Za-z]{0,3}-?\d{3,})\b"
)
BIRTH = re.compile(
    r"(?i)\b(?:born|date\s+of\s+birth|d\.?o\.?b\.?|né|née|date\s+de\s+naissance|"
    r"nacid[oa]|fecha\s+de\s+nacimiento)\s*(?:on|in|le|en|el)?\s*:?\s*"
    r"(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}(?:er)?\s+(?:de\s+)?[^\W\d_]+\.?"
    r"(?:\s+(?:de\s+)?\d{4})?|[^\W\d_]+\.?\s+\d{1,2},?\s+\d{4}|\d{4})"
)
