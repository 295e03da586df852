"""``armsflow intake``: candidate claims from documents, through a review queue in the study folder, into the study."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armsflow.cli.common import Json, errors, fail, show

intake_app = typer.Typer(help="Evidence intake: candidate claims from text, HTML and PDF documents, reviewed into "
                              "claims.csv (PDF needs: pip install 'armsflow\\[intake]').", no_args_is_help=True)
Folder = Annotated[Path, typer.Argument(metavar="STUDY",
                                        help="A study folder (intake writes into it; see `armsflow init`).")]
Cand = Annotated[str, typer.Argument(metavar="CAND",
                                     help="A candidate id from `armsflow intake list`, e.g. K-1a2b3c4d5e.")]


@intake_app.command("add")
def intake_add(study: Folder,
               documents: Annotated[list[Path], typer.Argument(metavar="DOCS", help="Text, HTML or PDF documents.")],
               source_id: Annotated[str | None, typer.Option(
                   "--source-id", help="Source id for the documents' claims (default: from their metadata).")
                                    ] = None,
               json_out: Json = False) -> None:
    """Read documents and queue their candidate claims in STUDY/intake/ (a document read before adds nothing)."""
    from armsflow.display.intake import render_added
    from armsflow.intake import add_documents

    with errors():
        found = add_documents(study, list(documents), source_id=source_id)
    show(found, json_out, render_added)


@intake_app.command("list")
def intake_list(study: Folder,
                all_: Annotated[bool, typer.Option("--all", help="Also accepted and rejected candidates.")] = False,
                json_out: Json = False) -> None:
    """The review queue: each candidate's numbers, unit, kind, period, quote and the rules that read it."""
    from armsflow.display.intake import render_queue
    from armsflow.intake import list_candidates

    with errors():
        found = list_candidates(study, include_decided=all_)
    show(found, json_out, render_queue)


@intake_app.command("accept")
def intake_accept(study: Folder, candidate: Cand,
                  variable: Annotated[str, typer.Option("--variable", help="The model variable the claim is "
                                                                           "evidence for.")],
                  grade: Annotated[str, typer.Option("--grade", help="Source reliability A-F and information "
                                                                     "credibility 1-6, e.g. B2.")],
                  edit: Annotated[list[str] | None, typer.Option(
                      "--edit", help="field=value, e.g. measure='Containers shipped' or url=https://...; "
                                     "repeatable.")] = None,
                  json_out: Json = False) -> None:
    """Write a candidate into claims.csv (and its source into sources.csv) and the variable's claims."""
    from armsflow.display.intake import render_accepted
    from armsflow.intake import accept_candidate

    edits = {}
    for item in edit or []:
        field, sep, value = item.partition("=")
        if not sep:
            fail([f"--edit: expected field=value, got {item!r}"])
        edits[field.strip()] = value
    with errors():
        found = accept_candidate(study, candidate, variable, grade, edits)
    show(found, json_out, render_accepted)


@intake_app.command("reject")
def intake_reject(study: Folder, candidate: Cand,
                  reason: Annotated[str, typer.Option("--reason", help="Why (kept in the queue).")] = "",
                  json_out: Json = False) -> None:
    """Record that a candidate is not a claim, so that it is not proposed again."""
    from armsflow.display.intake import render_rejected
    from armsflow.intake import reject_candidate

    with errors():
        found = reject_candidate(study, candidate, reason)
    show(found, json_out, render_rejected)
