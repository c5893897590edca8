#!/usr/bin/env python3
"""A test PKI with live revocation services on loopback, built on `openssl`.

usage: revocation_pki.py DIR [--port N] [--no-serve] [--self-test]

For tests of PAdES long-term validation (B-LT: CRLs and OCSP responses in the
Document Security Store). Binds 127.0.0.1:N first (default: the port of the
PKI already in DIR, else any free port), then makes in DIR (created if
missing) a PKI whose certificates point at that port:

  root          RSA-2048 self-signed CA, 10 years
  intermediate  issued by root, 5 years, pathlen 0
  signer        issued by intermediate, digitalSignature + nonRepudiation, 2 years
  signer2       the same
  revoked       the same, then revoked (keyCompromise) in the intermediate's database
  ocsp          OCSP responder: extendedKeyUsage OCSPSigning, id-pkix-ocsp-nocheck
  tsa           time-stamping authority: extendedKeyUsage timeStamping (critical), 5 years

Every certificate below the root carries a CRL distribution point
http://127.0.0.1:PORT/crl/<issuer>.crl and authority information access
(caIssuers http://127.0.0.1:PORT/certs/<issuer>.cer, and for those issued by
the intermediate OCSP http://127.0.0.1:PORT/ocsp). Files in DIR:

  <name>.pem <name>.key   certificate, unencrypted PKCS#8 key (all six)
  <name>.p12              signer, signer2, revoked: key + certificate + chain,
                          password "test", OpenSSL 3 defaults (AES-256-CBC, PBKDF2)
  chain.pem               intermediate + root
  root.cer intermediate.cer   DER copies of the CA certificates
  root.crl intermediate.crl   DER CRLs (next update in 7 days; remade every run)
  pki.json                port, URLs, and each certificate's path, serial (hex), status
  ca/<ca>/                the `openssl ca` databases (index.txt, serial, crlnumber)

A DIR that already holds a PKI for the same port is reused (keys, certificates
and serials kept, CRLs remade); one made for another port is refused, as is a
DIR that holds anything else. Then, unless --no-serve, it serves until SIGTERM
or SIGINT, logging one line per request to stderr:

  GET  /crl/<ca>.crl      application/pkix-crl   (the DER file)
  GET  /certs/<ca>.cer    application/pkix-cert
  POST /ocsp              application/ocsp-request -> application/ocsp-response
  POST /tsa               application/timestamp-query -> application/timestamp-reply
                          (RFC 3161, `openssl ts -reply` with the tsa certificate)
  GET  /ocsp/<request>    RFC 6960 GET: base64 (percent-encoded) or base64url DER

OCSP answers come from `openssl ocsp -index` over the intermediate's database,
signed by the ocsp certificate (7 days; no nonce needed, one echoed if sent).
Prints `ready http://127.0.0.1:PORT` on stdout once serving.

--self-test builds the PKI, serves it on a background thread and checks it
through the HTTP endpoints with `openssl crl`, `openssl ocsp` and
`openssl verify -crl_check_all`, printing one PASS/FAIL line per check.

Exit codes: 0 success (or clean stop on a signal), 1 a self-test check failed,
2 usage error, DIR refused or port not bindable, 3 an openssl command failed,
128+N stopped by signal N before serving (or during --self-test). With --no-serve the port is released
on exit, so give --port N if something else might take it meanwhile."""
import argparse
import base64
import datetime
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request

PROG = "revocation_pki"
PASSWORD = "test"
CAS = ("root", "intermediate")
# name: (subject, issuer, extensions section, days, p12?, revoked?)
CERTS = {
    "root": ("/O=paraph test/CN=paraph LT Test Root CA", None, "v3_root", 3650, False, False),
    "intermediate": ("/O=paraph test/CN=paraph LT Test Intermediate CA", "root", "v3_inter",
                     1826, False, False),
    "signer": ("/O=paraph test/CN=Lena LT Signer", "intermediate", "v3_signer", 730, True, False),
    "signer2": ("/O=paraph test/CN=Otto LT Countersigner", "intermediate", "v3_signer", 730,
                True, False),
    "revoked": ("/O=paraph test/CN=Rita Revoked Signer", "intermediate", "v3_signer", 730,
                True, True),
    "ocsp": ("/O=paraph test/CN=paraph LT OCSP Responder", "intermediate", "v3_ocsp", 730,
             False, False),
    "tsa": ("/O=paraph test/CN=paraph LT Time-Stamping Authority", "intermediate", "v3_tsa",
            1800, False, False),
}
# Our own output in DIR; anything else there makes DIR "not ours".
OWN_FILES = ({f"{n}.pem" for n in CERTS} | {f"{n}.key" for n in CERTS}
             | {f"{n}.p12" for n, c in CERTS.items() if c[4]}
             | {f"{c}.crl" for c in CAS} | {f"{c}.cer" for c in CAS}
             | {"chain.pem", "pki.json", "ca"})
# RFC 6960 OCSPResponse with only a responseStatus.
OCSP_MALFORMED = bytes.fromhex("30030a0101")
OCSP_INTERNAL_ERROR = bytes.fromhex("30030a0102")


class Failure(Exception):
    """A refusal or failed step: message for the user, exit code."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


def run(args, what=None):
    done = subprocess.run(args, capture_output=True)
    if done.returncode != 0:
        raise Failure(f"{what or ' '.join(args[:2])} failed (exit {done.returncode}):\n"
                      f"  $ {' '.join(args)}\n"
                      + done.stderr.decode(errors="replace").rstrip(), 3)
    return done.stdout.decode(errors="replace")


def ca_config(base, ca, port):
    """The `openssl ca` configuration of CA `ca` in `base`, written there."""
    url = f"http://127.0.0.1:{port}"
    cadir = os.path.join(base, "ca", ca)
    text = f"""[ ca ]
default_ca = this_ca
[ this_ca ]
dir = {cadir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
certificate = {base}/{ca}.pem
private_key = {base}/{ca}.key
default_md = sha256
default_days = 730
default_crl_days = 7
policy = policy_loose
unique_subject = no
email_in_dn = no
preserve = yes
copy_extensions = none
crl_extensions = crl_ext
[ policy_loose ]
organizationName = optional
commonName = supplied
[ crl_ext ]
authorityKeyIdentifier = keyid:always
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:{url}/crl/root.crl
authorityInfoAccess = caIssuers;URI:{url}/certs/root.cer
[ v3_signer ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection, 1.3.6.1.5.5.7.3.36
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:{url}/crl/intermediate.crl
authorityInfoAccess = OCSP;URI:{url}/ocsp, caIssuers;URI:{url}/certs/intermediate.cer
[ v3_ocsp ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:{url}/crl/intermediate.crl
authorityInfoAccess = OCSP;URI:{url}/ocsp, caIssuers;URI:{url}/certs/intermediate.cer
[ v3_tsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:{url}/crl/intermediate.crl
authorityInfoAccess = OCSP;URI:{url}/ocsp, caIssuers;URI:{url}/certs/intermediate.cer
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
"""
    path = os.path.join(cadir, "openssl.cnf")
    with open(path, "w") as f:
        f.write(text)
    return path


def serial_of(pem):
    out = run(["openssl", "x509", "-in", pem, "-noout", "-serial"])
    return out.strip().split("=", 1)[1].upper()


def make_crls(base, port):
    for ca in CAS:
        cnf = ca_config(base, ca, port)
        pem = os.path.join(base, "ca", ca, "crl.pem")
        run(["openssl", "ca", "-config", cnf, "-batch", "-gencrl", "-crldays", "7",
             "-out", pem], f"CRL of {ca}")
        run(["openssl", "crl", "-in", pem, "-outform", "DER",
             "-out", os.path.join(base, f"{ca}.crl")])


def build(base, port):
    """Make the whole PKI in the (empty) folder `base`."""
    start = (datetime.datetime.now(datetime.timezone.utc)
             - datetime.timedelta(hours=1)).strftime("%Y%m%d%H%M%SZ")
    for ca in CAS:
        cadir = os.path.join(base, "ca", ca)
        os.makedirs(os.path.join(cadir, "newcerts"))
        open(os.path.join(cadir, "index.txt"), "w").close()
        with open(os.path.join(cadir, "index.txt.attr"), "w") as f:
            f.write("unique_subject = no\n")
        with open(os.path.join(cadir, "serial"), "w") as f:
            # Random 63-bit start, so two PKIs never share serials.
            f.write(f"{secrets.randbits(63) | (1 << 62):016X}\n")
        with open(os.path.join(cadir, "crlnumber"), "w") as f:
            f.write("1000\n")
    work = tempfile.mkdtemp(prefix="paraph-rpki-build-")
    try:
        for name, (subject, issuer, ext, days, _, _) in CERTS.items():
            key = os.path.join(base, f"{name}.key")
            csr = os.path.join(work, f"{name}.csr")
            run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                 "-out", key], f"key of {name}")
            cnf = ca_config(base, issuer or name, port)
            run(["openssl", "req", "-new", "-config", cnf, "-key", key, "-subj", subject,
                 "-out", csr], f"request of {name}")
            args = ["openssl", "ca", "-config", cnf, "-batch", "-notext", "-in", csr,
                    "-out", os.path.join(base, f"{name}.pem"), "-extensions", ext,
                    "-startdate", start, "-days", str(days)]
            if issuer is None:
                args += ["-selfsign", "-keyfile", key]
            run(args, f"certificate of {name}")
        with open(os.path.join(base, "chain.pem"), "w") as out:
            for ca in ("intermediate", "root"):
                with open(os.path.join(base, f"{ca}.pem")) as f:
                    out.write(f.read())
        for ca in CAS:
            run(["openssl", "x509", "-in", os.path.join(base, f"{ca}.pem"), "-outform", "DER",
                 "-out", os.path.join(base, f"{ca}.cer")])
        for name, (_, issuer, _, _, p12, revoked) in CERTS.items():
            if revoked:
                run(["openssl", "ca", "-config", ca_config(base, issuer, port), "-batch",
                     "-revoke", os.path.join(base, f"{name}.pem"),
                     "-crl_reason", "keyCompromise"], f"revocation of {name}")
            if p12:
                run(["openssl", "pkcs12", "-export", "-name", name,
                     "-inkey", os.path.join(base, f"{name}.key"),
                     "-in", os.path.join(base, f"{name}.pem"),
                     "-certfile", os.path.join(base, "chain.pem"),
                     "-passout", f"pass:{PASSWORD}",
                     "-out", os.path.join(base, f"{name}.p12")], f"PKCS#12 of {name}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def describe(base, port):
    url = f"http://127.0.0.1:{port}"
    certs = {}
    for name, (subject, issuer, _, _, p12, revoked) in CERTS.items():
        certs[name] = {
            "path": f"{name}.pem",
            "key": f"{name}.key",
            "p12": f"{name}.p12" if p12 else None,
            "der": f"{name}.cer" if name in CAS else None,
            "subject": subject,
            "issuer": issuer,
            "serial": serial_of(os.path.join(base, f"{name}.pem")),
            "revoked": revoked,
            "revocation_reason": "keyCompromise" if revoked else None,
        }
    return {
        "port": port,
        "base_url": url,
        "dir": os.path.abspath(base),
        "paths_relative_to": "dir",
        "p12_password": PASSWORD,
        "chain": "chain.pem",
        "ocsp_url": f"{url}/ocsp",
        "tsa_url": f"{url}/tsa",
        "crls": {ca: {"path": f"{ca}.crl", "url": f"{url}/crl/{ca}.crl"} for ca in CAS},
        "ca_issuers": {ca: f"{url}/certs/{ca}.cer" for ca in CAS},
        "certificates": certs,
    }


def write_json(base, port):
    with open(os.path.join(base, "pki.json"), "w") as f:
        json.dump(describe(base, port), f, indent=2)
        f.write("\n")


def existing_port(target):
    """The port of the PKI in `target`, None if `target` is missing or empty."""
    if not os.path.isdir(target):
        if os.path.exists(target):
            raise Failure(f"{target} exists and is not a folder", 2)
        return None
    entries = [e for e in os.listdir(target) if not e.startswith(".staging-")]
    if not entries:
        return None
    meta = os.path.join(target, "pki.json")
    if not os.path.isfile(meta):
        raise Failure(f"{target} is not empty and holds no pki.json: not a PKI made by this "
                      "tool; give an empty or new folder", 2)
    try:
        with open(meta) as f:
            port = int(json.load(f)["port"])
    except (ValueError, KeyError, TypeError) as e:
        raise Failure(f"{meta} is unreadable ({e}); empty {target} to rebuild", 2)
    missing = sorted(f for f in OWN_FILES if not os.path.exists(os.path.join(target, f)))
    if missing:
        raise Failure(f"{target} holds an incomplete PKI (missing {', '.join(missing)}); "
                      "empty it to rebuild", 2)
    return port


def prepare(target, port):
    """Make (or reuse and refresh) the PKI in `target` for `port`."""
    os.makedirs(target, exist_ok=True)
    if os.path.isfile(os.path.join(target, "pki.json")):
        make_crls(target, port)
        write_json(target, port)
        return "reused"
    staging = tempfile.mkdtemp(prefix=".staging-", dir=target)
    try:
        build(staging, port)
        for entry in os.listdir(staging):
            os.rename(os.path.join(staging, entry), os.path.join(target, entry))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    make_crls(target, port)  # also rewrites the configs with their final paths
    write_json(target, port)
    return "built"


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "paraph-revocation-pki/1"

    def reply(self, code, ctype, body):
        self.log_request(code, len(body))
        self.send_response_only(code)
        self.send_header("Server", self.version_string())
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def not_found(self):
        self.reply(404, "text/plain", b"not found\n")

    def serve_file(self, name, ctype):
        try:
            with open(os.path.join(self.server.pki_dir, name), "rb") as f:
                data = f.read()
        except OSError:
            return self.not_found()
        self.reply(200, ctype, data)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        m = re.fullmatch(r"/crl/(root|intermediate)\.crl", path)
        if m:
            return self.serve_file(f"{m.group(1)}.crl", "application/pkix-crl")
        m = re.fullmatch(r"/certs/(root|intermediate)\.cer", path)
        if m:
            return self.serve_file(f"{m.group(1)}.cer", "application/pkix-cert")
        if path.startswith("/ocsp/"):
            text = urllib.parse.unquote(path[len("/ocsp/"):])
            text = "".join(text.split()).replace("-", "+").replace("_", "/")
            try:
                der = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
            except ValueError:
                return self.reply(200, "application/ocsp-response", OCSP_MALFORMED)
            return self.ocsp(der)
        self.not_found()

    def do_POST(self):
        if self.path.split("?", 1)[0] in ("/tsa", "/tsa/"):
            return self.timestamp()
        if self.path.split("?", 1)[0] not in ("/ocsp", "/ocsp/"):
            return self.not_found()
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "application/ocsp-request":
            return self.reply(415, "text/plain", b"Content-Type must be application/ocsp-request\n")
        length = int(self.headers.get("Content-Length", "0") or 0)
        if length <= 0 or length > 1 << 20:
            return self.reply(200, "application/ocsp-response", OCSP_MALFORMED)
        self.ocsp(self.rfile.read(length))

    def timestamp(self):
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "application/timestamp-query":
            return self.reply(415, "text/plain",
                              b"Content-Type must be application/timestamp-query\n")
        length = int(self.headers.get("Content-Length", "0") or 0)
        if length <= 0 or length > 1 << 16:
            return self.reply(400, "text/plain", b"a TimeStampReq body is expected\n")
        base, work = self.server.pki_dir, self.server.work
        config = os.path.join(work, "tsa.cnf")
        if not os.path.exists(config):
            with open(os.path.join(work, "tsa-serial"), "w") as f:
                f.write(f"{secrets.randbits(63) | (1 << 62):016X}\n")
            with open(config, "w") as f:
                f.write(f"""[ tsa ]
default_tsa = lt_tsa
[ lt_tsa ]
serial = {work}/tsa-serial
crypto_device = builtin
signer_cert = {base}/tsa.pem
certs = {base}/chain.pem
signer_key = {base}/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")
        fd, query = tempfile.mkstemp(suffix=".tsq", dir=work)
        with os.fdopen(fd, "wb") as f:
            f.write(self.rfile.read(length))
        reply = query[:-4] + ".tsr"
        try:
            done = subprocess.run(["openssl", "ts", "-reply", "-config", config,
                                   "-queryfile", query, "-out", reply],
                                  capture_output=True, timeout=60)
            if done.returncode != 0 or not os.path.isfile(reply):
                sys.stderr.write(f"{PROG}: openssl ts failed: "
                                 f"{done.stderr.decode(errors='replace').strip()}\n")
                return self.reply(400, "text/plain", b"the request could not be answered\n")
            with open(reply, "rb") as f:
                self.reply(200, "application/timestamp-reply", f.read())
        finally:
            for p in (query, reply):
                if os.path.exists(p):
                    os.remove(p)

    def ocsp(self, der):
        base = self.server.pki_dir
        fd, req = tempfile.mkstemp(suffix=".req", dir=self.server.work)
        with os.fdopen(fd, "wb") as f:
            f.write(der)
        resp = req[:-4] + ".resp"
        try:
            done = subprocess.run(
                ["openssl", "ocsp", "-index", os.path.join(base, "ca", "intermediate", "index.txt"),
                 "-CA", os.path.join(base, "intermediate.pem"),
                 "-rsigner", os.path.join(base, "ocsp.pem"),
                 "-rkey", os.path.join(base, "ocsp.key"),
                 "-rmd", "sha256", "-ndays", "7",
                 "-reqin", req, "-respout", resp], capture_output=True, timeout=60)
            if done.returncode == 0 and os.path.isfile(resp):
                with open(resp, "rb") as f:
                    return self.reply(200, "application/ocsp-response", f.read())
            parses = subprocess.run(["openssl", "ocsp", "-reqin", req, "-req_text"],
                                    capture_output=True).returncode == 0
            if parses:
                sys.stderr.write(f"{PROG}: openssl ocsp failed: "
                                 f"{done.stderr.decode(errors='replace').strip()}\n")
            self.reply(200, "application/ocsp-response",
                       OCSP_INTERNAL_ERROR if parses else OCSP_MALFORMED)
        finally:
            for p in (req, resp):
                if os.path.exists(p):
                    os.remove(p)

    def log_message(self, fmt, *args):
        sys.stderr.write(f"{PROG}: {self.address_string()} {fmt % args}\n")
        sys.stderr.flush()


# ----------------------------------------------------------------- self-test

def self_test(base, port):
    url = f"http://127.0.0.1:{port}"
    work = tempfile.mkdtemp(prefix="paraph-rpki-test-")
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'PASS' if ok else 'FAIL'} {name}" + ("" if ok or not detail else f": {detail}"),
              flush=True)

    def get(path):
        with urllib.request.urlopen(url + path, timeout=30) as r:
            return r.headers.get("Content-Type"), r.read()

    def sh(*args):
        d = subprocess.run(list(args), capture_output=True)
        return d.returncode, d.stdout.decode(errors="replace") + d.stderr.decode(errors="replace")

    f = lambda n: os.path.join(base, n)  # noqa: E731
    t = lambda n: os.path.join(work, n)  # noqa: E731
    meta = json.load(open(f("pki.json")))
    serial = {n: c["serial"] for n, c in meta["certificates"].items()}
    try:
        for ca in CAS:
            try:
                ctype, der = get(f"/crl/{ca}.crl")
                with open(t(f"{ca}.crl"), "wb") as o:
                    o.write(der)
                rc, out = sh("openssl", "crl", "-inform", "DER", "-in", t(f"{ca}.crl"),
                             "-noout", "-text")
                check(f"GET /crl/{ca}.crl is a DER CRL ({ctype})",
                      rc == 0 and ctype == "application/pkix-crl", out[-300:])
                sh("openssl", "crl", "-inform", "DER", "-in", t(f"{ca}.crl"),
                   "-out", t(f"{ca}.crl.pem"))
                if ca == "intermediate":
                    listed = re.findall(r"Serial Number: ([0-9A-F]+)", out)
                    check(f"intermediate CRL lists revoked serial {serial['revoked']} "
                          "(Key Compromise) and nothing else",
                          listed == [serial["revoked"]] and "Key Compromise" in out, out[-400:])
                else:
                    check("root CRL lists no revoked certificate",
                          "No Revoked Certificates" in out, out[-400:])
            except urllib.error.URLError as e:
                check(f"GET /crl/{ca}.crl", False, str(e))
            try:
                ctype, der = get(f"/certs/{ca}.cer")
                with open(f(f"{ca}.cer"), "rb") as o:
                    same = o.read() == der
                check(f"GET /certs/{ca}.cer is {ca}.cer ({ctype})",
                      same and ctype == "application/pkix-cert")
            except urllib.error.URLError as e:
                check(f"GET /certs/{ca}.cer", False, str(e))

        rc, out = sh("openssl", "x509", "-in", f("signer.pem"), "-noout", "-text")
        check("signer carries CRL DP, OCSP and caIssuers URLs for this port",
              all(u in out for u in (f"URI:{url}/crl/intermediate.crl", f"OCSP - URI:{url}/ocsp",
                                     f"CA Issuers - URI:{url}/certs/intermediate.cer")), out)
        rc, out = sh("openssl", "x509", "-in", f("intermediate.pem"), "-noout", "-text")
        check("intermediate carries CRL DP root.crl and caIssuers root.cer",
              f"URI:{url}/crl/root.crl" in out and f"URI:{url}/certs/root.cer" in out, out)
        rc, out = sh("openssl", "x509", "-in", f("ocsp.pem"), "-noout", "-text")
        check("ocsp certificate has OCSP Signing and OCSP No Check",
              "OCSP Signing" in out and "OCSP No Check" in out, out)

        # -issuer must come before -cert: each -cert takes the last -issuer given.
        ocsp_common = ["-CAfile", f("root.pem"), "-verify_other", f("intermediate.pem"),
                       "-resp_text"]
        issuer = ["-issuer", f("intermediate.pem")]
        for name, want in (("signer", "good"), ("signer2", "good"), ("revoked", "revoked")):
            rc, out = sh("openssl", "ocsp", *issuer, "-cert", f(f"{name}.pem"),
                         "-url", f"{url}/ocsp", *ocsp_common)
            ok = (rc == 0 and f"{f(name + '.pem')}: {want}" in out
                  and "Response verify OK" in out
                  and (want != "revoked" or "Reason: keyCompromise" in out))
            check(f"POST /ocsp: {name} is {want}, response verifies", ok, out[-600:])

        # RFC 6960 GET, both spellings of the request.
        sh("openssl", "ocsp", "-issuer", f("intermediate.pem"), "-cert", f("revoked.pem"),
           "-no_nonce", "-reqout", t("get.req"))
        raw = open(t("get.req"), "rb").read()
        for label, text in (("base64, percent-encoded",
                             urllib.parse.quote(base64.b64encode(raw).decode(), safe="")),
                            ("base64url", base64.urlsafe_b64encode(raw).decode().rstrip("="))):
            try:
                ctype, der = get(f"/ocsp/{text}")
                with open(t("get.resp"), "wb") as o:
                    o.write(der)
                rc, out = sh("openssl", "ocsp", "-respin", t("get.resp"), *issuer,
                             "-cert", f("revoked.pem"), *ocsp_common)
                check(f"GET /ocsp/<{label}>: revoked, response verifies",
                      rc == 0 and ": revoked" in out and "Response verify OK" in out
                      and ctype == "application/ocsp-response", out[-600:])
            except urllib.error.URLError as e:
                check(f"GET /ocsp/<{label}>", False, str(e))

        req = urllib.request.Request(f"{url}/ocsp", data=b"not an OCSP request",
                                     headers={"Content-Type": "application/ocsp-request"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                body = r.read()
            check("POST /ocsp with garbage answers malformedRequest", body == OCSP_MALFORMED,
                  body.hex())
        except urllib.error.URLError as e:
            check("POST /ocsp with garbage", False, str(e))

        # The TSA: a query from `openssl ts`, answered over HTTP, verified.
        with open(t("data.txt"), "wb") as o:
            o.write(b"what the TSA stamps")
        sh("openssl", "ts", "-query", "-data", t("data.txt"), "-sha256", "-cert",
           "-out", t("ts.tsq"))
        req = urllib.request.Request(f"{url}/tsa", data=open(t("ts.tsq"), "rb").read(),
                                     headers={"Content-Type": "application/timestamp-query"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                ctype = r.headers.get("Content-Type")
                with open(t("ts.tsr"), "wb") as o:
                    o.write(r.read())
            rc, out = sh("openssl", "ts", "-verify", "-queryfile", t("ts.tsq"), "-in", t("ts.tsr"),
                         "-CAfile", f("root.pem"), "-untrusted", f("chain.pem"))
            check("POST /tsa answers a token openssl ts -verify accepts",
                  rc == 0 and "Verification: OK" in out
                  and ctype == "application/timestamp-reply", out.strip())
        except urllib.error.URLError as e:
            check("POST /tsa", False, str(e))

        crls = ["-CRLfile", t("root.crl.pem"), "-CRLfile", t("intermediate.crl.pem")]
        for name, good in (("signer", True), ("signer2", True), ("ocsp", True), ("tsa", True),
                           ("revoked", False)):
            rc, out = sh("openssl", "verify", "-crl_check_all", "-CAfile", f("root.pem"),
                         "-untrusted", f("intermediate.pem"), *crls, f(f"{name}.pem"))
            if good:
                check(f"openssl verify -crl_check_all {name}: OK", rc == 0, out.strip())
            else:
                check(f"openssl verify -crl_check_all {name}: fails as revoked",
                      rc != 0 and "certificate revoked" in out, out.strip())

        for name in ("signer", "signer2", "revoked"):
            rc, out = sh("openssl", "pkcs12", "-info", "-in", f(f"{name}.p12"),
                         "-passin", f"pass:{PASSWORD}", "-noout")
            check(f"{name}.p12 opens without -legacy (PBES2/PBKDF2/AES-256-CBC, 3 certs)",
                  rc == 0 and "PBKDF2" in out and "AES-256-CBC" in out
                  and "RC2" not in out and "3DES" not in out, out.strip())
            rc, out = sh("openssl", "pkcs12", "-in", f(f"{name}.p12"),
                         "-passin", f"pass:{PASSWORD}", "-nokeys")
            check(f"{name}.p12 holds its certificate and the chain",
                  rc == 0 and out.count("BEGIN CERTIFICATE") == 3, out[-300:])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


def main():
    parser = argparse.ArgumentParser(
        prog="revocation_pki.py",
        description="A test PKI with CRL and OCSP services on 127.0.0.1 (see the docstring).")
    parser.add_argument("dir", metavar="DIR")
    parser.add_argument("--port", type=int, default=None,
                        help="port to serve on (default: DIR's PKI's port, else any free one)")
    parser.add_argument("--no-serve", action="store_true", help="build the PKI and exit")
    parser.add_argument("--self-test", action="store_true",
                        help="build, serve in the background and check the services")
    opts = parser.parse_args()
    if opts.port is not None and not 0 <= opts.port <= 65535:
        parser.error("--port must be 0..65535")
    if opts.no_serve and opts.self_test:
        parser.error("--self-test serves; it cannot go with --no-serve")
    if shutil.which("openssl") is None:
        print(f"{PROG}: the openssl command is not on PATH", file=sys.stderr)
        return 2
    target = os.path.abspath(opts.dir)
    if re.search(r"[$#\"'\\\n]", target):
        print(f"{PROG}: {target}: $ # quotes and backslashes cannot go into an openssl "
              "configuration; pick another folder", file=sys.stderr)
        return 2

    def interrupted(signum, _frame):
        raise Failure(f"stopped by signal {signum}", 128 + signum)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, interrupted)
    try:
        old = existing_port(target)
        if old is not None and opts.port not in (None, old):
            raise Failure(f"{target} holds a PKI made for port {old}, not {opts.port}: "
                          f"use --port {old}, or an empty or new folder", 2)
        want = old if old is not None else (opts.port or 0)
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", want), Handler)
        except OSError as e:
            raise Failure(f"cannot bind 127.0.0.1:{want}: {e.strerror or e}"
                          + (f" (the PKI in {target} is made for that port)" if old else ""), 2)
        server.daemon_threads = True
        port = server.server_address[1]
        try:
            how = prepare(target, port)
        except BaseException:
            server.server_close()
            raise
    except Failure as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return e.code
    print(f"{PROG}: {how} {target} for http://127.0.0.1:{port}", file=sys.stderr)

    if opts.no_serve:
        server.server_close()
        return 0
    server.pki_dir = target
    server.work = tempfile.mkdtemp(prefix="paraph-rpki-")
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    try:
        if opts.self_test:
            return self_test(target, port)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        print(f"ready http://127.0.0.1:{port}", flush=True)
        while not stop.wait(0.5):
            pass
        print(f"{PROG}: stopping", file=sys.stderr)
        return 0
    except Failure as e:  # a signal during the self-test
        print(f"{PROG}: {e}", file=sys.stderr)
        return e.code
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(server.work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
