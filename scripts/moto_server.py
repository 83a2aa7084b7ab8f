"""Start moto's server with one fix the AWS SDK for Rust needs.

moto 5.x answers GetBucketVersioning with the XML root
`GetBucketVersioningResponse` instead of `VersioningConfiguration` (the S3 API
reference's shape), which the Rust SDK cannot parse. This is a test-server
defect, so it is fixed here, on the test side, and never in vigil: the
handler is replaced with one that writes the documented document.
See TEST-SERVER.md in the shared notes.

Usage: python scripts/moto_server.py -H 127.0.0.1 -p PORT
"""

import sys

from moto.s3.responses import S3Response
from moto.server import main

_NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def _get_bucket_versioning(self):
    status = self.backend.get_bucket_versioning(self.bucket_name)
    body = f'<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration xmlns="{_NS}">'
    if status:
        body += f"<Status>{status}</Status>"
    body += "</VersioningConfiguration>"
    return 200, {"Content-Type": "application/xml"}, body


S3Response.get_bucket_versioning = _get_bucket_versioning

if __name__ == "__main__":
    sys.exit(main())
