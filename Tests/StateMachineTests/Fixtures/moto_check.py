"""Runs conformance cases on moto_server's Step Functions interpreter and prints the results as JSON.

Usage: python3 moto_check.py PORT CASES_FILE
  CASES_FILE is a JSON array of {"name", "definition", "input", "bucket"?}. For each case the script resets
  moto, enables its state machine execution (POST /moto-api/config), creates the case's S3 buckets and
  objects in moto ("bucket": bucket -> key -> content, a string being the bytes, other JSON its text, for
  distributed Map ItemReader cases), creates a state machine, starts an
  execution, polls DescribeExecution until it leaves RUNNING and prints a JSON array of
  {"name", "status", "output", "error", "cause"} on stdout ("outputNotJSON": true when moto's
  output text is not JSON).
"""
import json
import socket
import sys
import time
import urllib.request

import boto3

port, cases_file = int(sys.argv[1]), sys.argv[2]
endpoint = f"http://127.0.0.1:{port}"

deadline = time.time() + 60
while True:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        break
    except OSError:
        if time.time() > deadline:
            sys.exit(f"moto_server did not answer on {endpoint} within 60 s")
        time.sleep(0.2)



def post(path, body):
    request = urllib.request.Request(
        endpoint + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    urllib.request.urlopen(request, timeout=10).read()


client = boto3.client(
    "stepfunctions",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
results = []
with open(cases_file) as handle:
    cases = json.load(handle)
for index, case in enumerate(cases):
    result = {"name": case["name"]}
    try:
        # moto 5.2 fails every StartExecution after the first one of a server (it deep-copies a lock),
        # so each case starts from a reset backend.
        post("/moto-api/reset", {})
        post("/moto-api/config", {"stepfunctions": {"execute_state_machine": True}})
        for bucket, objects in case.get("bucket", {}).items():
            s3.create_bucket(Bucket=bucket)
            for key, content in objects.items():
                body = content if isinstance(content, str) else json.dumps(content, separators=(",", ":"))
                s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
        machine = client.create_state_machine(
            name=f"conformance-{index}",
            definition=json.dumps(case["definition"]),
            roleArn="arn:aws:iam::123456789012:role/conformance",
        )
        execution = client.start_execution(
            stateMachineArn=machine["stateMachineArn"], input=json.dumps(case["input"])
        )
        deadline = time.time() + 60  # generous: a loaded 2-core machine runs a 100-child Map slowly in moto; polling stops at once when done
        while True:
            described = client.describe_execution(executionArn=execution["executionArn"])
            if described["status"] != "RUNNING" or time.time() > deadline:
                break
            time.sleep(0.05)
        result["status"] = described["status"]
        if "output" in described:
            try:
                result["output"] = json.loads(described["output"])
            except ValueError:
                result["output"] = described["output"]
                result["outputNotJSON"] = True
        for key in ("error", "cause"):
            if key in described:
                result[key] = described[key]
    except Exception as error:  # reported per case, so one rejected definition does not hide the rest
        result["status"] = "CLIENT_ERROR"
        result["error"] = type(error).__name__
        result["cause"] = str(error)
    results.append(result)
print(json.dumps(results))
