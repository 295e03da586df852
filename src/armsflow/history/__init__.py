"""Run history of a study folder: every run recorded in one SQLite file, and what changed between two states.

``store`` keeps the runs (and the bytes of the study files each read); ``record`` adds one; ``changes`` lists
what differs between two sets of study files, field by field. The attribution of a change in the estimates to the
changed inputs is ``armsflow.engine.attribution``.
"""
