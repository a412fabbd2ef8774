"""The AWS SDK for Python doing what AWSBenchmarks measures, timed inside the process.

Usage:
  python3 aws_reference.py sign COUNT          botocore's S3SigV4Auth.add_auth on a 512-byte PUT
  python3 aws_reference.py put PORT COUNT      boto3 PutObject of 512-byte bodies into moto_server

Prints the nanoseconds per operation (an integer) on stdout. Start-up, imports and the client's
construction are outside the timed part, as in the Swift benchmarks.
"""
import sys
import time

import botocore.auth
import botocore.awsrequest
import botocore.credentials

BODY = b"x" * 512


def sign(count):
    credentials = botocore.credentials.Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    signer = botocore.auth.S3SigV4Auth(credentials, "s3", "eu-west-1")
    url = "https://raw-batches.s3.eu-west-1.amazonaws.com/raw/2026/11/25/web-1/batch-0001.jsonl.gz"
    start = time.perf_counter_ns()
    for _ in range(count):
        request = botocore.awsrequest.AWSRequest(method="PUT", url=url, data=BODY)
        signer.add_auth(request)
    return (time.perf_counter_ns() - start) // count


def put(port, count):
    import boto3

    s3 = boto3.client(
        "s3",
        region_name="eu-west-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="AKIDBENCH",
        aws_secret_access_key="bench",
    )
    s3.create_bucket(Bucket="bench-python", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    start = time.perf_counter_ns()
    for index in range(count):
        s3.put_object(Bucket="bench-python", Key=f"raw/batch-{index}.jsonl", Body=BODY)
    return (time.perf_counter_ns() - start) // count


if __name__ == "__main__":
    if sys.argv[1] == "sign":
        print(sign(int(sys.argv[2])))
    elif sys.argv[1] == "put":
        print(put(int(sys.argv[2]), int(sys.argv[3])))
    else:
        sys.exit("usage: aws_reference.py sign COUNT | put PORT COUNT")
