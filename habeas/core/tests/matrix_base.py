"""What the access matrix's tables are made of: who exists, and the `Record` that says
which record of the world fills a route's argument and who may see it."""

from __future__ import annotations

from dataclasses import dataclass

# Everyone the matrix sends requests as: conftest's personas, a member of an assessing
# body (the SPT) and a member of another NPM. Both members hold the head's role, the
# strongest there is, so that only their organisation keeps them out.
HOME_STAFF = frozenset(
    {"head", "monitor", "doctor", "expert", "data_officer", "comms", "admin", "auditor"}
)
EXTERNAL = frozenset({"spt_member", "peer_member"})
EVERYONE = HOME_STAFF | EXTERNAL | {"outsider"}
# Who must get a plain 404 from any route whose first record they may not see.
STRANGERS = frozenset({"outsider"}) | EXTERNAL

# Who sees each kind of record in the world the matrix builds.
INVENTORY = HOME_STAFF  # places, units, archive, authorities, regions (¶9): staff only
UPLOADER = frozenset({"head"})  # an uploaded spreadsheet is its uploader's alone
# The home NPM's self-assessment, shared with the SPT and with no one else.
ASSESSMENT = (HOME_STAFF - {"admin"}) | {"spt_member"}
# Frameworks are the published text of the SPT's tool: whoever takes part in
# assessments reads them, members of other organisations included.
FRAMEWORK = (HOME_STAFF - {"admin"}) | EXTERNAL
ORGANISATIONS = HOME_STAFF  # who works for whom: this NPM's staff, never other bodies
ACCOUNTS = frozenset({"admin"})
OWN_TOKEN = frozenset({"head"})


@dataclass(frozen=True)
class Record:
    """Which attribute of the `World` fills an argument, and who may see that record
    (None: whoever sees the record it hangs under). `elsewhere` names a record of the same
    kind that does not belong here (another place's unit, another assessment's
    evidence…): in its place, the route must answer as for a missing record."""

    attribute: str
    audience: frozenset[str] | None = None
    elsewhere: str = ""
