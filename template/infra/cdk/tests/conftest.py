"""Synthesises the app once per environment (cdk-nag runs during synth) for every test of this folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the app's folder: app.py, stacks/, synthesis.py

from synthesis import ENVIRONMENTS, Synthesis, synthesise


@pytest.fixture(scope="session")
def syntheses() -> dict[str, Synthesis]:
    return {environment: synthesise(environment) for environment in ENVIRONMENTS}


@pytest.fixture(params=ENVIRONMENTS)
def synthesis(request: pytest.FixtureRequest, syntheses: dict[str, Synthesis]) -> Synthesis:
    return syntheses[request.param]


@pytest.fixture
def prod(syntheses: dict[str, Synthesis]) -> Synthesis:
    return syntheses["prod"]
