"""``python -m armsflow.cli``: the same as the ``armsflow`` command."""

from armsflow.cli import main

main()
