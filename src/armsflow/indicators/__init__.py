"""Context indicators: evidence timelines, event rates (curated lists and GDELT), trade comparisons."""
