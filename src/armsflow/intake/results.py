"""The results of the intake commands: what ``add``, ``list``, ``accept`` and ``reject`` return."""

from __future__ import annotations

from dataclasses import dataclass

from armsflow.intake.candidates import Candidate
from armsflow.results import Result


@dataclass(frozen=True)
class DocumentAdded:
    """One document read by ``intake add``: what it is, and how many candidates it gave."""

    path: str
    kind: str
    sha256: str
    language: str
    pages: int
    #: The proposed source id, whether sources.csv has it, and what the document says about itself.
    source: str
    source_exists: bool
    title: str
    publisher: str
    url: str
    published: str
    new: int
    known: int


@dataclass(frozen=True)
class IntakeAdded(Result):
    """``armsflow intake add``: the documents read and the candidates newly queued."""

    study: str
    documents: tuple[DocumentAdded, ...]
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class QueueEntry:
    """A candidate with its decision: ``open``, ``accepted`` (as ``claim``) or ``rejected``."""

    candidate: Candidate
    status: str
    claim: str = ""
    note: str = ""


@dataclass(frozen=True)
class IntakeQueue(Result):
    """``armsflow intake list``: the queue of a study, in the order candidates were added."""

    study: str
    entries: tuple[QueueEntry, ...]
    open: int
    accepted: int
    rejected: int


@dataclass(frozen=True)
class IntakeAccepted(Result):
    """``armsflow intake accept``: the claim row written, its source, and the files changed."""

    study: str
    candidate: str
    claim: str
    variable: str
    row: dict[str, str]
    source_added: bool
    files: tuple[str, ...]


@dataclass(frozen=True)
class IntakeRejected(Result):
    """``armsflow intake reject``: the decision recorded."""

    study: str
    candidate: str
    reason: str
