"""Fixtures for export tests: the real engine's plan on the shipped pack, built once per
session (``recommend(load_pack(), DeploymentScenario())``), and the files written from it
once per session so each test only reads them back."""

from __future__ import annotations

import pytest

from workstation.deploy.scenario import DeploymentScenario

# High enough that real hotspots fall below it, so the PDF shows the suppression path.
REPORT_THRESHOLD = 600


@pytest.fixture(scope="session")
def real_plan(pack):
    from workstation.deploy import recommend
    return recommend(pack, DeploymentScenario())


@pytest.fixture(scope="session")
def exports_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(scope="session")
def real_report(pack, real_plan, exports_dir):
    """The PDF for the real plan, its text per page (pypdf) and its suppression threshold."""
    from pypdf import PdfReader

    from workstation.exports.report import write_report

    path = exports_dir / "report.pdf"
    write_report(real_plan, path, pack=pack, threshold=REPORT_THRESHOLD)
    return path, [page.extract_text() for page in PdfReader(path).pages], REPORT_THRESHOLD
