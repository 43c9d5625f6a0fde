"""A tiny OpenID Connect identity provider for tests, served on 127.0.0.1 by http.server.

It does what a real provider does for the authorization-code flow with PKCE, and checks
what a real provider checks, so a test that passes against it has really signed in:

- ``/.well-known/openid-configuration``: the discovery document;
- ``/authorize``: checks client_id, response_type, redirect_uri and the PKCE challenge,
  then "signs in" ``person`` and redirects back with a one-time code and the state;
- ``/token``: checks the client secret, the code, the redirect_uri and the PKCE
  verifier, then returns an access token and an RS256-signed id_token;
- ``/userinfo``: the person's claims, for a valid bearer token;
- ``/jwks``: the public key the id_token is signed with.

Every request is recorded in ``calls`` as ``(method, path)``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_ID = "learningday-test-key"


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class IdentityProvider:
    def __init__(self, *, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        # The person who is signed in at the provider; tests change it.
        self.person: dict = {"sub": "u-1", "email": "ada@example.com", "email_verified": True, "name": "Ada"}
        self.calls: list[tuple[str, str]] = []
        self.errors: list[str] = []  # protocol violations seen, for the test to assert on
        self._grants: dict[str, dict] = {}
        self._access_tokens: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> IdentityProvider:
        # A short poll interval only makes shutdown() quick; requests are served at once regardless.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="test-idp", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket: connections to ``url`` are refused from now on."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    # --- tokens ----------------------------------------------------------------

    def public_jwk(self) -> dict:
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": KEY_ID, "use": "sig", "alg": "RS256"}

    def id_token(self, claims: dict, *, audience: str | None = None, key=None) -> str:
        now = int(time.time())
        payload = {
            "iss": self.url,
            "aud": audience or self.client_id,
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(payload, key or self.private_key, algorithm="RS256", headers={"kid": KEY_ID})

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    # --- endpoints -------------------------------------------------------------

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], dict | None]:
        problems = []
        if query.get("client_id") != self.client_id:
            problems.append("unknown client_id")
        if query.get("response_type") != "code":
            problems.append("response_type is not code")
        if "openid" not in query.get("scope", "").split():
            problems.append("scope lacks openid")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            problems.append("no S256 PKCE challenge")
        if not query.get("redirect_uri") or not query.get("state"):
            problems.append("no redirect_uri or state")
        if problems:
            self.errors.extend(problems)
            return 400, {}, {"error": "invalid_request", "error_description": "; ".join(problems)}
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._grants[code] = {
                "redirect_uri": query["redirect_uri"],
                "code_challenge": query["code_challenge"],
                "claims": dict(self.person),
            }
        location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": location}, None

    def token(self, form: dict[str, str]) -> tuple[int, dict]:
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # a code works once
        problems = []
        if form.get("grant_type") != "authorization_code":
            problems.append("grant_type is not authorization_code")
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            problems.append("client authentication failed")
        if grant is None:
            problems.append("unknown or used code")
        else:
            if form.get("redirect_uri") != grant["redirect_uri"]:
                problems.append("redirect_uri differs from the authorization request")
            if pkce_challenge(form.get("code_verifier", "")) != grant["code_challenge"]:
                problems.append("PKCE verifier does not match the challenge")
        if problems:
            self.errors.extend(problems)
            return 400, {"error": "invalid_grant", "error_description": "; ".join(problems)}
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access_tokens[access_token] = grant["claims"]
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(grant["claims"]),
        }

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        scheme, _, access_token = authorization.partition(" ")
        claims = self._access_tokens.get(access_token) if scheme.lower() == "bearer" else None
        if claims is None:
            self.errors.append("userinfo without a valid bearer token")
            return 401, {"error": "invalid_token"}
        return 200, claims

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # quiet
                pass

            def _send(self, status: int, body: dict | None = None, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                idp.calls.append(("GET", url.path))
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._send(200, idp.discovery())
                elif url.path == "/jwks":
                    self._send(200, {"keys": [idp.public_jwk()]})
                elif url.path == "/authorize":
                    status, headers, body = idp.authorize(query)
                    self._send(status, body, headers)
                elif url.path == "/userinfo":
                    self._send(*idp.userinfo(self.headers.get("Authorization", "")))
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self):
                url = urlsplit(self.path)
                idp.calls.append(("POST", url.path))
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if url.path == "/token":
                    self._send(*idp.token(form))
                else:
                    self._send(404, {"error": "not_found"})

        return Handler
