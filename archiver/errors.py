"""Expected failures: each is told to the user as one line, never as a traceback."""


class ArchiverError(Exception):
    """An expected failure whose message is a complete sentence for the user."""


class BrowserNotFound(ArchiverError):
    pass


class InvalidURL(ArchiverError):
    pass


def first_line(text: str) -> str:
    """The first non-empty line of an error text (Playwright appends call logs below it)."""
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()
    return text.strip()


# Chromium's network error codes -> what they mean to a person
NET_ERRORS = {
    "ERR_NAME_NOT_RESOLVED": "DNS lookup failed: no such host",
    "ERR_NAME_RESOLUTION_FAILED": "DNS lookup failed",
    "ERR_CONNECTION_REFUSED": "connection refused",
    "ERR_CONNECTION_RESET": "connection reset by the server",
    "ERR_CONNECTION_CLOSED": "connection closed by the server",
    "ERR_EMPTY_RESPONSE": "the server closed the connection without answering",
    "ERR_CONNECTION_TIMED_OUT": "connection timed out",
    "ERR_TIMED_OUT": "timed out",
    "ERR_ADDRESS_UNREACHABLE": "address unreachable",
    "ERR_INTERNET_DISCONNECTED": "no network",
    "ERR_TOO_MANY_REDIRECTS": "too many redirects (a redirect loop)",
    "ERR_UNSAFE_PORT": "the browser refuses this port as unsafe",
    "ERR_ABORTED": "the browser aborted the navigation",
    "ERR_INVALID_RESPONSE": "invalid HTTP response",
    "ERR_SSL_PROTOCOL_ERROR": "TLS handshake failed",
}


def explain_net_error(message: str) -> str:
    """'net::ERR_NAME_NOT_RESOLVED at http://x/' -> 'DNS lookup failed: no such host (net::ERR_NAME_NOT_RESOLVED)'."""
    line = first_line(message)
    for code, meaning in NET_ERRORS.items():
        if f"net::{code}" in line:
            return f"{meaning} (net::{code})"
    if "net::ERR_CERT" in line:
        code = line[line.index("net::ERR_CERT") :].split()[0]
        return f"TLS certificate rejected ({code})"
    return line.removeprefix("Page.goto: ")
