#!/usr/bin/env python3
"""A local RFC 3161 time-stamping authority for tests, built on `openssl ts`.

usage: tsa_server.py CERT_DIR
CERT_DIR holds tsa.pem, tsa.key and chain.pem (fixtures/certs/tsa). Binds
127.0.0.1 on a free port, prints the port on the first line of stdout, and
answers POSTed TimeStampReq bodies with TimeStampResp bodies until killed."""
import http.server
import os
import subprocess
import sys
import tempfile

cert_dir = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp(prefix="paraph-tsa-")
with open(os.path.join(work, "serial"), "w") as f:
    f.write("01\n")
config = os.path.join(work, "tsa.cnf")
with open(config, "w") as f:
    f.write(f"""[ tsa ]
default_tsa = paraph_test_tsa
[ paraph_test_tsa ]
serial = {work}/serial
crypto_device = builtin
signer_cert = {cert_dir}/tsa.pem
certs = {cert_dir}/chain.pem
signer_key = {cert_dir}/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        query = os.path.join(work, "query.tsq")
        reply = os.path.join(work, "reply.tsr")
        with open(query, "wb") as f:
            f.write(body)
        done = subprocess.run(["openssl", "ts", "-reply", "-config", config,
                               "-queryfile", query, "-out", reply], capture_output=True)
        if done.returncode != 0:
            self.send_response(500)
            self.end_headers()
            self.wfile.write(done.stderr)
            return
        with open(reply, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
