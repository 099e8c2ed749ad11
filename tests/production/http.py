"""A small HTTP client for the production-shape test: cookies by hand (the session cookie
is Secure, and the test talks plain http to gunicorn behind a pretend TLS proxy), forms
read from the page as a browser would submit them."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from html.parser import HTMLParser


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FormReader(HTMLParser):
    """The fields of the form whose action ends with `action`: what a browser would send."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            # A form without an action posts to the page itself.
            self.inside = a.get("action") is None or a["action"].endswith(self.action)
        elif self.inside and tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "file"):
                self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif self.inside and tag == "select":
            self._select = a.get("name")
        elif self.inside and tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None


class Browser:
    """`forwarded_for`: the client address that nginx would add to X-Forwarded-For."""

    def __init__(self, base: str, forwarded_for: str | None = None) -> None:
        self.base, self.cookies, self.forwarded_for = base, {}, forwarded_for
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, path: str, data: bytes | None = None, content_type: str | None = None):
        headers = {
            "X-Forwarded-Proto": "https",
            "Referer": self.base.replace("http://", "https://") + "/",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if content_type:
            headers["Content-Type"] = content_type
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:  # redirects arrive here too
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, response.read()

    def get(self, path: str):
        return self.request(path)

    def post(self, path: str, fields: list[tuple[str, str]], files: dict | None = None):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + value.encode()
                + b"\r\n"
            )
        for name, (filename, content) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(path, body, f"multipart/form-data; boundary={boundary}")

    def form(self, path: str, action: str) -> list[tuple[str, str]]:
        status, _, page = self.get(path)
        assert status == 200, (path, status)
        reader = FormReader(action)
        reader.feed(page.decode())
        return reader.fields
