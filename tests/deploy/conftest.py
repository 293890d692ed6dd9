import pytest

from workstation.deploy import recommend
from workstation.deploy.scenario import DeploymentScenario


@pytest.fixture(scope="session")
def baseline_plan(pack):
    return recommend(pack, DeploymentScenario())
