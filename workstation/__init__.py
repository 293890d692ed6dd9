"""London Deployment Workstation.

Data flows one way: load and validate (``loaders``, ``datapack``) -> model
(boroughs, grid, flows, incidents) -> analyses (``flows``, ``maps``) -> plan
(``deploy``) -> views (``app``, the only Qt package) and exports (``exports``).
"""

__version__ = "0.1.0"
