"""Evidence intake: candidate claims from text, HTML and PDF documents in German, English and Korean, reviewed
through a queue in the study folder into ``claims.csv`` (docs/intake.md).

Each command of ``armsflow intake`` is one of these calls, each returning a result of ``armsflow.intake.results``.
"""

from __future__ import annotations

from armsflow.intake.candidates import Candidate, candidates
from armsflow.intake.document import Document, Metadata, Paragraph
from armsflow.intake.lexicon import Lexicon, load_lexicon
from armsflow.intake.queue import accept_candidate, add_documents, list_candidates, reject_candidate
from armsflow.intake.readers import read_document
from armsflow.intake.results import IntakeAccepted, IntakeAdded, IntakeQueue, IntakeRejected
from armsflow.intake.rules import Finding, extract

__all__ = [
    "Candidate",
    "Document",
    "Finding",
    "IntakeAccepted",
    "IntakeAdded",
    "IntakeQueue",
    "IntakeRejected",
    "Lexicon",
    "Metadata",
    "Paragraph",
    "accept_candidate",
    "add_documents",
    "candidates",
    "extract",
    "list_candidates",
    "load_lexicon",
    "read_document",
    "reject_candidate",
]
