"""The SAM template turned into the CloudFormation that `sam deploy` would create, offline.

cfn-lint validates SAM templates without running the transform, and checkov reads
little of `AWS::Serverless::*`, so both also get the transformed template. The
transform needs code already uploaded (an `s3://` CodeUri, as `sam package` writes)
and would ask IAM for the AWS-managed policy list: neither is needed for checking.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
from samtranslator.parser.parser import Parser  # type: ignore[import-untyped]  # no type information
from samtranslator.translator.translator import Translator  # type: ignore[import-untyped]

from tests.infra.cloudformation import ACCOUNT, REGION, load

SAM_TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "sam" / "template.yaml"
CODE_PLACEHOLDER = "s3://sam-package-placeholder/{}.zip"


def packaged(template: dict[str, Any]) -> dict[str, Any]:
    """A plain copy with every local CodeUri replaced by an S3 location, as `sam package` does."""
    result: dict[str, Any] = json.loads(json.dumps(template))
    globals_function = (result.get("Globals") or {}).get("Function") or {}
    if "CodeUri" in globals_function:
        globals_function["CodeUri"] = CODE_PLACEHOLDER.format("global")
    for logical_id, resource in (result.get("Resources") or {}).items():
        properties = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::Serverless::Function" and "InlineCode" not in properties:
            properties["CodeUri"] = CODE_PLACEHOLDER.format(logical_id)
        if resource.get("Type") == "AWS::Serverless::LayerVersion":
            properties["ContentUri"] = CODE_PLACEHOLDER.format(logical_id)
    return result


def transform(path: Path = SAM_TEMPLATE, parameters: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The CloudFormation template SAM makes of `path` for these parameter values.

    Resource metadata (the inline checkov skips) is passed through to the resources SAM
    creates, so the scan of the output honours the skips written on the SAM resources.
    """
    values: dict[str, Any] = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws"}
    values.update(parameters or {})
    # Without a feature-toggle config (a service-side file) every lookup warns; the defaults apply.
    logging.getLogger("samtranslator.feature_toggle").setLevel(logging.ERROR)
    session = boto3.session.Session(region_name=values["AWS::Region"])
    translator = Translator(None, Parser(), boto_session=session)
    # AWS-managed policies are named by full ARN in the template, so the name -> ARN map
    # that would come from IAM stays empty: nothing is looked up.
    transformed: dict[str, Any] = translator.translate(
        packaged(load(path)), values, passthrough_metadata=True, get_managed_policy_map=dict
    )
    return transformed
