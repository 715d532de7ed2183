#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# gen-presign-vector.py - the presigned URL with a session token that
# test_sigv4.c checks bfs_sigv4_presign() against, made by botocore (the
# oracle: AWS's own SDK core, Debian's python3-botocore) for the request of
# the S3 documentation's query-signing example, with botocore's clock fixed
# at that example's time.  Without the token it prints the documentation's
# own URL (signature aeeed9bb...), which shows the clock is fixed right.
#
#   /usr/bin/python3 tests/unit/gen-presign-vector.py
import datetime
import sys
from unittest import mock

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

FIXED = datetime.datetime(2013, 5, 24, 0, 0, 0)
for token in (None, 'FQoGZXIvYXdzEXAMPLE/session+token=='):
    creds = Credentials('AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', token)
    with mock.patch('botocore.auth.datetime') as dt:
        dt.datetime.utcnow.return_value = FIXED
        dt.datetime.now.return_value = FIXED.replace(tzinfo=datetime.timezone.utc)
        req = AWSRequest(method='GET', url='https://examplebucket.s3.amazonaws.com/test.txt')
        S3SigV4QueryAuth(creds, 's3', 'us-east-1', expires=86400).add_auth(req)
    sys.stdout.write(req.url + '\n')
