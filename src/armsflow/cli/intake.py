"""``armsflow intake``: candidate claims from documents, through a review queue in the study folder, into the study."""

from __future__ import annotations

import typer

intake_app = typer.Typer(help="Evidence intake: candidate claims from text, HTML and PDF documents, reviewed into "
                              "claims.csv (PDF needs: pip install 'armsflow\\[intake]').", no_args_is_help=True)
