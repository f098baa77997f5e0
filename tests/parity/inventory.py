"""The logical inventory of a flavor's output: CloudFormation types with counts, parts left out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from parity.differences import ALIASES, INTENDED, NOT_COUNTED
from parity.outputs import Resource
from parity.type_map import TERRAFORM_TO_CLOUDFORMATION

REFERENCE = "cloudformation"


def cloudformation_type(flavor: str, resource: Resource) -> str:
    if flavor == "terraform":
        if resource.type not in TERRAFORM_TO_CLOUDFORMATION:
            raise KeyError(f"{resource.type} ({resource.address}) is not in tests/parity/type_map.py")
        return TERRAFORM_TO_CLOUDFORMATION[resource.type]
    return ALIASES.get(resource.type, resource.type)


def counted(resource_type: str) -> bool:
    """Properties (`Type.Property`) and the parts listed in NOT_COUNTED are not resources of their own."""
    return "." not in resource_type and resource_type not in NOT_COUNTED


def inventory(flavor: str, resources: Iterable[Resource]) -> Counter[str]:
    types = (cloudformation_type(flavor, resource) for resource in resources)
    return Counter(resource_type for resource_type in types if counted(resource_type))


def expected_delta(flavor: str, answers: Mapping[str, Any]) -> Counter[str]:
    """How many more (or fewer) resources of each type `flavor` has than CloudFormation, on purpose."""
    delta: Counter[str] = Counter()
    for difference in INTENDED:
        if difference.flavor == flavor and difference.applies(answers):
            delta[difference.type] += difference.count
    return delta


def unexplained(
    flavor: str, answers: Mapping[str, Any], reference: Counter[str], found: Counter[str]
) -> list[str]:
    """Each type whose count differs from the reference by more than the intended differences say."""
    expected = expected_delta(flavor, answers)
    problems = []
    for resource_type in sorted(set(reference) | set(found) | set(expected)):
        want = reference[resource_type] + expected[resource_type]
        have = found[resource_type]
        if have < want:
            problems.append(f"missing {want - have} x {resource_type} (has {have}, expected {want})")
        elif have > want:
            problems.append(f"extra {have - want} x {resource_type} (has {have}, expected {want})")
    return problems
