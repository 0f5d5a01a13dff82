"""Identity: who is asking, proved by a certificate of the platform's CA (Chengdu 第三十五条).

The rules:

1. The caller is taken from the client certificate the server verified in the TLS handshake
   — never from a header, except the headers a reverse proxy that ended TLS sets, on a
   connection from one of ``tls.trusted_proxies``, and only after mulu checked the certificate
   they carry again (`proxy`). Whenever TLS or a trusted proxy is configured, the development
   headers (``X-Mulu-Dev-Department`` / ``X-Mulu-Dev-Role``) are ignored, whatever
   ``dev_identity_header`` says.
2. A client certificate is optional (anonymous callers still reach an extranet's public
   entries); one that is presented must chain to ``tls.client_ca``, be within its dates and
   not be on ``tls.crl``, or the handshake fails. No certificate: anonymous.
3. A department certificate names its 统一社会信用代码, and a code whose GB 32100 check
   character is wrong is never issued, nor believed when another CA issued it.
4. An instance certificate names an instance id (``510100/intranet``); it serves its TLS and
   is presented as the client certificate when the instance asks its peers, which answer it
   only as `peering` decides (same zone, a peer in the topology, ``X-Mulu-Instance`` naming
   the same instance).
5. Keys are written with mode 0600 and never overwritten; `mulu pki init` refuses a
   directory that holds a CA; a subject has one current certificate until it is revoked.

The subject fields mulu reads — what an operator's own CA must issue (`subject`):

    department  organizationIdentifier (2.5.4.97) = the credit code (bare or "NTRCN-" +
                code), else serialNumber (2.5.4.5) = the credit code; extendedKeyUsage
                clientAuth
    instance    a URI subjectAltName ``urn:mulu:instance:<id>``, else commonName = ``<id>``;
                serverAuth + clientAuth, and DNS/IP subjectAltNames for the names it is
                reached by

Modules: `ca` (the platform CA's directory), `cli` (``mulu pki``), `departments` (``mulu
departments``), `peering` (which instance may ask this one), `roles` (the role a department's
grant gives it), `subject` (reading a certificate's subject), `tls` (the server's handshake,
the peers' client context and the caller of a request), `proxy` (the certificate a trusted
reverse proxy forwards), `errors`. `tls` is imported by the servers alone (it loads uvicorn),
so ``mulu pki`` starts quickly.
"""

from __future__ import annotations

from federation.identity.ca import Issued, PlatformCA
from federation.identity.errors import NotIssuable, PkiError
from federation.identity.subject import CertificateSubject, subject_of

__all__ = [
    "CertificateSubject",
    "Issued",
    "NotIssuable",
    "PkiError",
    "PlatformCA",
    "subject_of",
]
