"""System packages that some tests need and pip cannot install.

A test that needs one calls ``need_*``: where the package is missing the test is skipped with a message naming the
Debian package to install, so the README's test command passes on a fresh machine. ``.ci/run`` sets
``ARMSFLOW_REQUIRE_SYSTEM_PACKAGES=1``, which turns every such skip into a failure: CI installs the packages, and a
test that silently skipped there would hide a broken install step.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
from functools import cache

import pytest

REQUIRED = os.environ.get("ARMSFLOW_REQUIRE_SYSTEM_PACKAGES") == "1"


def need(package: str, present: bool, what: str) -> None:
    """Skip (or, where required, fail) the calling test unless ``present``; ``package`` is the Debian name."""
    if present:
        return
    message = (f"needs the system package {package} ({what}): install it as root, or with sudo, by "
               f"`apt-get install {package}` or `bash scripts/install-system-packages`")
    if REQUIRED:
        pytest.fail(message + " (required here: ARMSFLOW_REQUIRE_SYSTEM_PACKAGES=1)")
    pytest.skip(message)


@cache
def _library(name: str) -> bool:
    return ctypes.util.find_library(name) is not None


@cache
def _font_families() -> str:
    if shutil.which("fc-list") is None:
        return ""
    done = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=False)
    return done.stdout


def need_pdf() -> None:
    """The PDF report: Pango and HarfBuzz's subsetter for WeasyPrint, DejaVu and a Korean font for the glyphs."""
    need("libpango-1.0-0", _library("pango-1.0"), "WeasyPrint lays out the PDF with Pango")
    need("libpangoft2-1.0-0", _library("pangoft2-1.0"), "WeasyPrint's fonts through Pango and FreeType")
    need("libharfbuzz-subset0", _library("harfbuzz-subset"), "WeasyPrint embeds font subsets")
    need("fonts-dejavu-core", "DejaVu" in _font_families(), "the report's body font")
    need("fonts-nanum", "Nanum" in _font_families(), "Korean source titles in the PDF")


def need_java() -> None:
    """PySpark in local mode starts a Java 17 virtual machine."""
    need("openjdk-17-jre-headless", shutil.which("java") is not None, "PySpark runs on Java 17")


def need_chromium() -> None:
    """Browser tests drive Debian's Chromium."""
    need("chromium", shutil.which("chromium") is not None, "the browser tests drive Chromium")
