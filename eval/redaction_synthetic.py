"""Templated IT-feedback sentences that teach the name tagger the partner's register (training only).

The public sets are tweets and YouTube comments; partners write sign-offs, "X from payroll", "ask X",
lower-case names and words such as May, Will, Teams or Windows that are no names. These templates
were written for this purpose (not taken from the informal evaluation set) and filled with names
drawn at random from the gazetteer (:mod:`eval.redaction_gazetteer`) and the person tokens of the
public TRAIN splits, in title case, lower case or capitals. Negative templates put ambiguous words,
products and departments where a name could stand, and name-like words that head a place or an
organisation ("Chase Bank", "the Barton Street office"). :func:`synthetic_examples` returns examples in
the ``{"text", "spans"}`` form of :mod:`eval.redaction`.
"""

from __future__ import annotations

import random
import re

POSITIVE = (
    "thanks {N}", "thanks {N}, sorted now", "cheers {N}!", "thx {N}", "ta {N} x", "many thanks to {N}",
    "Kind regards,\n{N}", "Regards - {N}", "Best,\n{N} ({T})", "{N} from {T} sorted it out in an hour",
    "{N} on the desk was really helpful", "{N} fixed my laptop in ten minutes",
    "i asked {N} about the licence", "spoke to {N} yesterday and still nothing",
    "{N} and {M} in {T} were great", "big shout out to {N} for the move", "{N} said it was on the backlog",
    "{N} is always friendly but slow", "we were promised {N} would call back",
    "my contact is {N}, and she has been brilliant", "Hi {N}, the printer is broken again",
    "{N} here from {T}, the vpn is slow", "please ask {N} or {M} next time",
    "the engineer, {N}, was polite", "{N}'s team closed my ticket without asking",
    "loved the session {N} ran on {P}", "kudos to {N} and {M}", "{N} came over and fixed the dock",
    "had a call with {N} about the {P} licences", "{N} was brilliant as always",
    "not sure who {N} is but the fix worked", "{N} (service desk) rang me back",
    "when {N} left, nobody knew the setup", "{N} in {T} helped me reset my PIN",
    "ping {N} if the till goes down", "talk to {N}, he knows {P}", "{N} {S} from {T} was great",
    "i emailed {N} {S} twice", "{S} fixed the printer", "Mr {S} was very patient",
    "{N}, {M} and {O} did the rollout", "tell {N} the {P} export is broken again",
    "{N} - the new monitors are great", "honestly {N} is the best thing about IT",
    "got better help from my nephew {N} than the desk", "ping {N} or {M} if it breaks again",
    "cc: {N} {S}; {M}; {O} {S}", "{N} ({T}) here - the {P} export fails",
    "link it to the one {N} opened last week", "the update came from {N} on {P} before IT said anything",
    "{N} opened a ticket for us", "{N} rang back within the hour", "{S} {N} from {T} took the call",
    "{N} de la {S} sorted the access", "{N} van {S} is our contact", "{N} al-{S} was patient with me",
    "{N} at the {W} desk closed my ticket", "ask for {N}, not the queue", "thanks to {N} {S} and {M}",
    "{N} {S} ({T}) made it painless", "the trainer {N} was excellent", "our BRM {N} never replies",
    "my manager {N} raised it twice", "{N} and i spent a day on the {P} issue",
    "had to chase {N} three times", "- {N}", "{N}\n{T}", "ta {N}", "thx {N}, legend",
    "{N} was off sick so nobody could help", "still waiting on {N} to approve it",
    "{N}'s replacement never showed", "big thanks to {N} @ {T}",
    "Dear {N}, the {P} access is still missing", "Thank you {N}!!", "{N}, {M}: thanks both",
    "{N} who sits in {T} knows the fix", "someone called {N} rang me",
    "a guy named {N} from the vendor helped", "{N} the contractor left half the cabling",
    "contractor {N} {S} was great", "{N} on nights reset it", "my colleague {N} has the same issue",
    "as {N} said, it is the firewall", "{N} told us it would be fixed", "{N} {I}. from {T} was lovely",
    "{I}. {S} signed it off", "{S}, {N} - {T}", "new starter {N} still has no laptop",
    "{N} mentioned the {P} upgrade", "i think it was {N}? or {M}", "{N} & {M} from {T}", "{N}/{M} in {T}",
    # sign-offs and greetings, often lower case and on their own line
    "the {P} login fails every morning.\ncheers, {N}", "{P} is fine now, thanks!\n{N}", "ta very much {N}",
    "cheers {N} from {T}", "regards\n{N} {S}", "many thanks,\n{N} ({T})", "thanks again {N}!",
    "best wishes - {N}", "yo {N}, the wifi is down", "hey {N} can you look at {P}", "morning {N},",
    "sent from my phone\n{N}", "{N} x", "-- {N}, {T}", "thx {N} & {M}", "tyvm {N}",
    # a name closing a message after a comma or a thank-you, often lower case
    "thank u {N}!!", "ty {N}!", "thanks for the help, {N}", "great work today, {N}", "nice one {N}",
    "all working now, thanks {N}", "{P} is back, ta {N}", "you are a star {N}", "much appreciated {N}",
    "sorted, thank you {N} {S}", "legend {N}", "love you {N} lol", "what would we do without {N}",
    # cue verbs, any case
    "ask {N} in {T}, she sorted mine", "talk to {N} about {P} access", "i rang {N} and it was sorted",
    "you should ask {N} {S}, he did the migration", "speak to {N}, not the desk", "had to email {N} twice",
    "pinged {N} on {P} and got nothing", "message {N} if {P} is down", "chased {N} for a week",
    "escalated to {N} in {T}", "assigned to {N} then nobody", "thanks to {N} it works",
    "helped by {N} on the desk",
    "went to see {N} on the 3rd floor", "waiting for {N} to reply", "heard from {N} that {P} is going",
    "my line manager {N} signed it", "our {T} lead {N} {S} agreed", "the new guy {N} is great",
    # surname first, initials, full names with particles
    "{S} {N} from {T} was very patient", "{S}, {N} ({T})", "{S} sorted the {P} licence", "{S} said no",
    "{I}.{I}. {S} approved it", "{I} {S} from {T} helped", "{N} {I} {S} rang me back", "{N} {S}-{S} fixed it",
    "{N} bin {S} set up {P}", "{N} de {S} from {T}", "{N} van der {S} replied", "{N} {S} {S} ({T})",
    "{S} and {S} in {T} did the move", "{N} ({S}) on the desk", "{S} on nights reset it",
    # names mid-sentence in ordinary complaints
    "the laptop {N} gave me has no {P}", "i only got {P} after {N} stepped in", "no one but {N} knows {P}",
    "apparently {N} is leaving so who owns {P} now", "since {N} moved to {T} nobody answers",
    "{N}'s fix for {P} held up", "got a call from {N} at 8pm about {P}", "even {N} could not fix {P}",
)
NEGATIVE = (
    "{W} is a busy month for payroll", "Will the new laptops arrive before the audit?",
    "{P} keeps crashing", "Mark the ticket as urgent please",
    "Grace period for password resets is too short", "{P} on {Q} is slow",
    "Thanks for sorting the VPN so quickly", "Cheers for the quick fix", "the {W} office has no guest wifi",
    "Great job on the rollout", "Honestly the service desk is slow", "{W} maintenance windows are a pain",
    "Lucky we had backups", "Memory usage on the terminal server is high", "Cash registers keep freezing",
    "Sterling invoices fail to import", "Hope the new portal is better", "Victoria Station is closer to us",
    "the {T} team is great", "{T} never answers the phone", "Kind regards,\n{T}", "Regards,\nthe {T} team",
    "ask the team about {P}", "thanks all for the help", "{W} morning the {P} sync failed",
    "Please fix {P} before the {W} release", "{P} and {Q} in the {T} office",
    "Bill payments portal is down", "the Rose Garden meeting room projector needs replacing",
    "the chatbot is useless", "Summer interns still have no accounts", "New starters wait a week for {P}",
    "Read the {P} guide first", "Dear Sir/Madam, the {P} renewal failed", "Shout out to the {T} team",
    "Happy with {P} overall", "the {W} update broke {P} or {Q}", "cc: {T}; {T}",
    "{T} here - the {P} export fails", "Sunday night deployments keep failing",
    "Fortune favours the teams with backups", "Memory leak in {P} again",
    "Rose Garden room is always booked", "Alexa and Cortana are switched off", "the chatbot Max is useless",
    "Windows Hello fails every morning", "Will there be training on {P}?", "May we have more {P} licences?",
    "Victoria line delays made the training late",
    # cue words and sign-offs before ordinary words
    "thanks, much appreciated", "cheers for sorting {P}", "ask the desk about {P}", "talk to {T} about it",
    "thanks again everyone", "Kind regards\n{T}", "regards, {T} team", "ta for the help", "hi team,",
    "hey all, {P} is down", "morning all", "best, the {T} lot", "thx for the quick fix",
    "ping the {T} channel on {P}", "speak to your manager first", "had to email twice",
    "chased it for a week",
    # ordinary words that are also names, and places
    "Will someone fix {P}?", "Grace period ends in {W}", "Mark all tickets as done", "Bill run failed again",
    "Sunny days but the wifi is cloudy", "{W} is when the {P} contract ends", "the {W} release hung {P}",
    "Hope {P} is back soon", "Joy of joys, {P} crashed", "Faith in {T} is low", "Dawn shift has no {P}",
    "Amber alert on the {P} dashboard", "Lagos office has no {P}", "the Nairobi site uses {P}",
    "Windows 11 broke {P}", "the Teams call dropped", "we went to {W} training", "Rich text in {P} is broken",
    # a name-like word that names a place or an organisation ({Z}: never a person here)
    "{Z} Bank integration broke after the patch", "the {Z} Street office has no {P}",
    "{Z} Station wifi is down",
    "our {Z} Road depot still runs {P}", "the {Z} building lifts", "{Z} House reception has no badge printer",
    "moved to the {Z} campus in {W}", "the {Z} Group contract renews in {W}",
    "{Z} Hospital users cannot log in",
    "{Z} Bank payments fail in {P}", "the {Z} centre printers", "{Z} & Co invoices are stuck",
    # an IT noun opening a sentence before a verb, as a name would ({V})
    "{V} went from bad to worse after {W}", "{V} is awful since the {P} upgrade", "{V} was fixed in a day",
    "{V} has been slow all week", "{V} said it would sync overnight", "{V} fixed itself after a reboot",
    "{V} took ages. {V} still fails", "{V} broke again, thanks for nothing", "{V} and {V} both need work",
    "{V}: still broken", "{V} sorted, cheers", "{V} from home is painful",
)
TEAMS = ("payroll", "HR", "finance", "the service desk", "desktop support", "facilities", "procurement",
         "Networks", "Security", "the Leeds depot", "infrastructure", "Accounts")
PRODUCTS = ("Teams", "Windows", "Outlook", "SharePoint", "Excel", "Power BI", "Workday", "ServiceNow", "Zoom",
            "Jira", "Okta", "SAP", "Intune", "OneDrive", "Citrix", "Chrome")
IT_NOUNS = ("Latency", "Onboarding", "Bandwidth", "Uptime", "Wifi", "Firmware", "Middleware", "Provisioning",
            "Failover", "Throughput", "Login", "Signup", "Helpdesk", "Offboarding", "Timesheets", "Payslips",
            "Rostering", "Ticketing", "Hotdesking", "Autosave", "Backups", "Downtime", "Logins", "Dashboards",
            "Webinars", "Printing", "Scanning", "Storage", "Monitoring", "Patching", "Licensing",
            "Connectivity")
WORDS = ("May", "June", "April", "Monday", "Sunday", "Christmas", "Easter", "Victoria", "Summer", "Spring",
         "Friday", "August", "Next", "Every", "Last")
_SLOT = re.compile(r"\{([A-Z])\}")


def _name_styles(rng: random.Random, name: str) -> str:
    roll = rng.random()
    if roll < 0.65:
        return name.title() if not name[:1].isupper() else name
    return name.lower() if roll < 0.95 else name.upper()


def synthetic_examples(given: list[str], surnames: list[str], count: int, seed: int = 7,
                       word_names: list[str] | None = None) -> list[dict]:
    """``count`` templated sentences (two positive to one negative) with their ``NAME`` spans.

    ``word_names`` (given names that are also English words: Grace, Sunny, Will) fill a fifth of the
    name slots, so that the context, not the word alone, decides."""
    rng = random.Random(seed)
    examples = []
    for number in range(count):
        template = rng.choice(NEGATIVE if number % 3 == 2 else POSITIVE)
        lower_all = rng.random() < 0.2
        text, spans, cursor = "", [], 0
        for match in _SLOT.finditer(template):
            text += template[cursor:match.start()]
            slot = match.group(1)
            if slot in "NMO":
                pool = word_names if word_names and rng.random() < 0.2 else given
                value = _name_styles(rng, rng.choice(pool))
            elif slot == "S":
                value = _name_styles(rng, rng.choice(surnames))
            elif slot == "I":
                value = rng.choice("ABCDEFGHIJKLMNOPRSTW")
            elif slot == "Z":
                value = rng.choice(surnames).title()
            else:
                pools = {"T": TEAMS, "P": PRODUCTS, "Q": PRODUCTS, "W": WORDS, "V": IT_NOUNS}
                value = rng.choice(pools[slot])
            if slot in "NMOSI":
                gap = text[spans[-1]["end"]:] if spans else "-"
                if len(gap) in (1, 2) and gap.strip(". ") == "":
                    spans[-1]["end"] = len(text) + len(value)  # "{N} {S}": one full name
                else:
                    spans.append({"start": len(text), "end": len(text) + len(value), "label": "NAME"})
            text += value
            cursor = match.end()
        text += template[cursor:]
        examples.append({"text": text.lower() if lower_all else text, "spans": spans, "split": "train"})
    return examples
