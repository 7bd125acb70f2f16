"""Writes the LimeSurvey and Qualtrics response exports the import tests read (kept for review).

Run ``python tests/data/tool_exports/make_exports.py`` to rewrite them. The layouts follow each
tool's CSV export: Qualtrics with three header rows (ids, question texts, ImportId JSON), a BOM
and CRLF line ends; LimeSurvey with question codes as headings (``Q1``, ``Q2[SQ001]``), a BOM,
CRLF and its metadata columns. Cells hold embedded newlines, commas, quotes and accents. The
metadata (addresses, e-mails, names, tokens, positions, response ids) uses values found nowhere
else, so a test can grep the database bytes for each of them.
"""

from __future__ import annotations

import csv
import io
import json
import pathlib
import random

HERE = pathlib.Path(__file__).parent
DEPARTMENTS = ["Finance", "HR", "Operations", "Sales", "Legal"]
CHANGES = [
    "The laptop refresh keeps slipping; half of Accounts Payable still runs on 2019 machines.",
    "Tell us earlier when a change will affect month-end close. We found out from a pop-up.",
    "Please stop closing tickets before the problem is actually fixed.",
    "The service desk is friendly, but the same password reset takes three calls.",
    'Project updates are full of jargon, "sprints" and "epics" mean nothing to my team.',
    "Ask us before you buy a tool for us. The new CRM adds four clicks to every quote.",
    "We need one person in IT who knows our processes, not a queue.",
    "Onboarding a new starter took eleven days to get a working login.\nEleven.",
    'Less "raise a ticket", more talking to us, café-style drop-ins worked well in 2024.',
    "The VPN drops every afternoon; we've reported it, nothing changes.",
    "Roadmap? We only hear about projects when they go live.",
    "Write to mariana.okafor-lind@example.org if you want details, she tracked every outage.",
    "Approvals for software take weeks, while the business case was signed in days.",
    "Meeting rooms: one-touch join, please. We lose ten minutes every meeting.",
    "Security training is a tick-box video; make it about the phishing we really get.",
    "Give us a status page so we don't have to phone the desk to ask if it's down.",
    "Müller's team waited a month for shared-drive access; it's a form, it shouldn't take a month.",
    'Stop treating us as "the business", we\'re colleagues, not customers.',
    "The data warehouse numbers don't match the ERP; nobody owns the difference.",
    "Printing, honestly. Every week, the third floor printer.",
]
WELL = [
    "The desk staff are patient and explain things in plain words.",
    "The migration weekend went smoothly, well planned and well communicated.",
    "Quick fixes on the phone, usually within the hour.",
    "Good: the new expense app. Bad: nobody told us it was coming.\nStill, good.",
    "Security team responded fast when I reported the fake invoice e-mail.",
    "The BRM for our area actually comes to our team meetings now.",
    "Laptops arrive configured, that's a big improvement.",
    "",
    "Honest about delays this quarter, which we appreciate.",
    "Training sessions on the new HR system were really useful, merci!",
]


def _voices(count: int, seed: int) -> list[dict]:
    generator = random.Random(seed)
    voices = []
    for n in range(count):
        voices.append(
            {
                "department": DEPARTMENTS[n % len(DEPARTMENTS)],
                "listen": generator.randint(1, 5),
                "nps": generator.randint(0, 10),
                "change": CHANGES[(n * 7 + seed) % len(CHANGES)],
                "well": WELL[(n * 3 + seed) % len(WELL)],
                "day": f"2026-0{1 + n % 3}-{10 + n % 18:02d}",
                "time": f"{8 + n % 10:02d}:{(n * 13) % 60:02d}:{(n * 29) % 60:02d}",
            }
        )
    return voices


def _write(name: str, rows: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    (HERE / name).write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))


QUALTRICS_META = [
    "StartDate",
    "EndDate",
    "Status",
    "IPAddress",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "LocationLatitude",
    "LocationLongitude",
    "DistributionChannel",
    "UserLanguage",
]
QUALTRICS_META_TEXT = [
    "Start Date",
    "End Date",
    "Response Type",
    "IP Address",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "Recorded Date",
    "Response ID",
    "Recipient Last Name",
    "Recipient First Name",
    "Recipient Email",
    "External Data Reference",
    "Location Latitude",
    "Location Longitude",
    "Distribution Channel",
    "User Language",
]


def qualtrics(count: int = 40) -> None:
    """``qualtrics_responses.csv``: 40 complete responses, one unfinished, one survey preview."""
    questions = ["Q1", "Q2_1", "Q3", "Q4", "Q5"]
    texts = [
        "Which department do you work in?",
        "How well does IT listen to you? - Rating",
        "How likely are you to recommend IT to a colleague?",
        "What should IT change?",
        "What is IT doing well?",
    ]
    import_ids = [
        json.dumps(
            {"ImportId": key, **({"timeZone": "Europe/London"} if key.endswith("Date") else {})},
            separators=(",", ":"),
        )
        for key in (
            "startDate",
            "endDate",
            "status",
            "ipAddress",
            "progress",
            "duration",
            "finished",
            "recordedDate",
            "_recordId",
            "recipientLastName",
            "recipientFirstName",
            "recipientEmail",
            "externalDataReference",
            "locationLatitude",
            "locationLongitude",
            "distributionChannel",
            "userLanguage",
            "QID1",
            "QID2_1",
            "QID3",
            "QID4_TEXT",
            "QID5_TEXT",
        )
    ]
    rows = [QUALTRICS_META + questions, QUALTRICS_META_TEXT + texts, import_ids]
    for n, voice in enumerate(_voices(count + 2, seed=3)):
        stamp = f"{voice['day']} {voice['time']}"
        finished, status = ("0", "0") if n == count else ("1", "1" if n == count + 1 else "0")
        rows.append(
            [
                stamp,
                stamp,
                status,
                f"198.51.100.{100 + n}",
                "100" if finished == "1" else "40",
                str(200 + n * 7),
                finished,
                stamp,
                f"R_QxTr{n:03d}ZebraKite",
                f"Okonkwo-Vance{n}",
                f"Thandiwe{n}",
                f"thandiwe.okonkwo{n}@northwind-trading.example",
                f"EXT-77{n:03d}",
                f"51.50{n:02d}93",
                f"-0.12{n:02d}77",
                "email",
                "EN",
                voice["department"],
                str(voice["listen"]),
                str(voice["nps"]),
                voice["change"],
                voice["well"],
            ]
        )
    _write("qualtrics_responses.csv", rows)


LIME_META = [
    "id",
    "submitdate",
    "lastpage",
    "startlanguage",
    "seed",
    "token",
    "startdate",
    "datestamp",
    "ipaddr",
    "refurl",
]


def limesurvey(count: int = 36) -> None:
    """``limesurvey_responses.csv``: 36 complete responses and two incomplete ones (no submitdate)."""
    rows = [[*LIME_META, "Q1", "Q2[SQ001]", "Q3", "Q4", "Q5", "interviewtime", "Q4Time"]]
    for n, voice in enumerate(_voices(count + 2, seed=11)):
        stamp = f"{voice['day']} {voice['time']}"
        complete = n < count
        rows.append(
            [
                str(n + 1),
                stamp if complete else "",
                "3" if complete else "1",
                "en",
                str(1_000_000 + n * 7919),
                f"tkLime{n:03d}Quartz",
                stamp,
                stamp,
                f"192.0.2.{10 + n}",
                f"https://intranet.contoso-example.net/news/pulse?ref=lime{n:03d}",
                voice["department"],
                str(voice["listen"]),
                str(voice["nps"]),
                voice["change"] if complete else "",
                voice["well"] if complete else "",
                f"{180 + n}.{n % 10}",
                f"{60 + n}.5",
            ]
        )
    _write("limesurvey_responses.csv", rows)


if __name__ == "__main__":
    qualtrics()
    limesurvey()
