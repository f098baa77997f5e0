"""Pre token generation (V2): the user's tenant, set by administrators, into the access token.

A user without a tenant gets no claim, and the service refuses a token without it.
"""

import os

TENANT_CLAIM = os.environ["TENANT_CLAIM"]


def handler(event, context):
    tenant = (event.get("request") or {}).get("userAttributes", {}).get("custom:tenant")
    if tenant:
        event["response"]["claimsAndScopeOverrideDetails"] = {
            "accessTokenGeneration": {"claimsToAddOrOverride": {TENANT_CLAIM: tenant}},
        }
    return event
