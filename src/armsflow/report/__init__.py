"""The publishable study report: content gathered from the core, formatted per language, rendered to HTML and PDF."""
