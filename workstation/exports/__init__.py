"""Exports: shift plans (CSV, XLSX, JSON), the PDF deployment report, GeoPackage.

Qt-free. Every write is atomic and fails as ``OutputError``; everything that
carries incident-derived counts goes through ``partner_safe`` (the default).
"""

from workstation.exports.partner_safe import (DisclosurePolicy, aggregate_incidents,
                                              incidents_for_export, suppress_counts)
from workstation.exports.plan_csv import write_plan_csv
from workstation.exports.plan_json import plan_to_dict, write_plan_json
from workstation.exports.plan_xlsx import write_plan_xlsx

__all__ = ["DisclosurePolicy", "aggregate_incidents", "incidents_for_export",
           "suppress_counts", "write_plan_csv", "write_plan_json", "plan_to_dict",
           "write_plan_xlsx"]
