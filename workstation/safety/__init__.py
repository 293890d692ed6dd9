"""Community Safety Index (issue 20): a Rotterdam-style 0-10 score per ward, LSOA and borough
and month, from crime harm (per resident and per person present), violence, burglary, road
collisions, deprivation and public confidence, with published, editable weights. Qt-free.

Entry points: ``run_index`` (pack + CSV paths -> ``SafetyIndex``), ``index_payload`` (JSON),
``compute_index`` / ``load_level_inputs`` for callers that cache inputs (the app).
"""

from workstation.safety.index import (BUILTIN_DOMAINS, CITY_TARGET_SCORE, LEVELS, TARGET_SCORE,
                                      SafetyIndex, compute_index, load_level_inputs,
                                      score_values)
from workstation.safety.report import index_payload, run_index
from workstation.safety.weights import (DomainWeights, load_custom_domain,
                                        load_domain_weights)

__all__ = ["BUILTIN_DOMAINS", "CITY_TARGET_SCORE", "LEVELS", "TARGET_SCORE", "SafetyIndex",
           "compute_index", "load_level_inputs", "score_values", "index_payload", "run_index",
           "DomainWeights", "load_custom_domain", "load_domain_weights"]
