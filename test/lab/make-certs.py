#!/usr/bin/env python3
"""Makes the lab's throwaway CA, a valid leaf, an already-expired leaf (openssl req cannot back-date)
and a leaf that is valid now but expires in 5 days.

usage: make-certs.py OUT_DIR NAME[,NAME...] IP[,IP...]
writes ca.pem, ca-key.pem, leaf.pem, leaf-key.pem, expired.pem, expired-key.pem, expiring.pem, expiring-key.pem
"""
import datetime
import ipaddress
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def write(path, data, mode=0o644):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def leaf(ca_key, ca_name, names, ips, not_before, not_after):
    key = ec.generate_private_key(ec.SECP256R1())
    san = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, content_commitment=False,
                                     data_encipherment=False, key_agreement=True, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def main():
    out, names, ips = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "exchange-diagnostics lab"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "exchange-diagnostics lab CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - 60 * day)
        .not_valid_after(now + 3650 * day)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, content_commitment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM)
    write(os.path.join(out, "ca.pem"), pem(ca))
    write(os.path.join(out, "ca-key.pem"), key_pem(ca_key), 0o600)
    k, c = leaf(ca_key, ca_name, names, ips, now - day, now + 365 * day)
    write(os.path.join(out, "leaf.pem"), pem(c))
    write(os.path.join(out, "leaf-key.pem"), key_pem(k), 0o640)
    k, c = leaf(ca_key, ca_name, names, ips, now - 60 * day, now - 2 * day)
    write(os.path.join(out, "expired.pem"), pem(c))
    write(os.path.join(out, "expired-key.pem"), key_pem(k), 0o640)
    k, c = leaf(ca_key, ca_name, names, ips, now - day, now + 5 * day)
    write(os.path.join(out, "expiring.pem"), pem(c))
    write(os.path.join(out, "expiring-key.pem"), key_pem(k), 0o640)


if __name__ == "__main__":
    main()
