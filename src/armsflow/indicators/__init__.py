"""Context indicators: evidence timelines, event rates of a study's curated event list, trade comparisons (GDELT
counts live in ``armsflow.gdelt``, the gdelt extra)."""
