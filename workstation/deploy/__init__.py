"""Deployment engine: demand, officers needed, roster and lending (no Qt)."""

from workstation.deploy.recommend import recommend

__all__ = ["recommend"]
