"""Copy the CloudWatch Logs subscription batch into the audit log group, line for line."""

import base64
import contextlib
import gzip
import json
import os

import boto3

LOGS = boto3.client("logs")
GROUP = os.environ["AUDIT_LOG_GROUP"]
MAX_BATCH_BYTES = 1_000_000  # PutLogEvents allows 1,048,576 bytes, 26 of them per event
MAX_BATCH_EVENTS = 10_000


def handler(event, context):
    batch = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    if batch.get("messageType") != "DATA_MESSAGE":
        return {"forwarded": 0}  # CONTROL_MESSAGE: CloudWatch Logs checking the destination
    stream = batch["logStream"].replace(":", "_").replace("*", "_")[:512]
    with contextlib.suppress(LOGS.exceptions.ResourceAlreadyExistsException):
        LOGS.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    events = sorted(
        ({"timestamp": e["timestamp"], "message": e["message"]} for e in batch["logEvents"]),
        key=lambda e: e["timestamp"],
    )
    chunk, size = [], 0
    for item in events:
        cost = len(item["message"].encode("utf-8")) + 26
        if chunk and (size + cost > MAX_BATCH_BYTES or len(chunk) == MAX_BATCH_EVENTS):
            LOGS.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=chunk)
            chunk, size = [], 0
        chunk.append(item)
        size += cost
    if chunk:
        LOGS.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=chunk)
    return {"forwarded": len(events)}
