"""SMS senders (短信发送): how a text leaves Bangban (clause 5.2.2.2 "by SMS").

A sender has one method, ``send(phone, text)``, which returns when the message
was accepted and raises ``SmsFailed`` when it was not. Two backends:

- ``LoggingSender`` (the default): writes each text to the log and sends
  nothing, for development and for sites without a gateway yet.
- ``HttpGatewaySender``: POSTs JSON ``{"phone": ..., "message": ...}`` to the
  gateway's URL, with ``Authorization: Bearer <token>`` when a token is set; any
  2xx answer is success.

``sender_from_settings`` picks one from the configuration (``BANGBAN_SMS_*``, see
``webapp.config``). Retrying is not the sender's job: ``engine.sms_delivery``
does it, with backoff recorded in the database.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

import httpx

logger = logging.getLogger(__name__)

BACKENDS = ("log", "http")
DEFAULT_TIMEOUT = 10.0


class SmsFailed(Exception):
    """The gateway did not take the message; the text says why (for the log)."""


class SmsSender(Protocol):
    """Something that sends one text message."""

    def send(self, phone: str, text: str) -> None:
        """Send ``text`` to ``phone``; raise ``SmsFailed`` if it was not taken."""


def masked(phone: str) -> str:
    """A phone number with its middle hidden, for logs: ``138****1234``."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


class LoggingSender:
    """Writes texts to the log instead of sending them."""

    def send(self, phone: str, text: str) -> None:
        """Log the text with the number masked."""
        logger.info("SMS (not sent, logging backend) to %s: %s", masked(phone), text)


class HttpGatewaySender:
    """Sends texts through an HTTP gateway that takes JSON."""

    def __init__(
        self, url: str, token: str | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, phone: str, text: str) -> None:
        """POST the text; any answer but 2xx, or no answer, is ``SmsFailed``."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        body = {"phone": phone, "message": text}
        try:
            response = httpx.post(
                self.url, json=body, headers=headers, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            raise SmsFailed(f"gateway unreachable: {exc}") from exc
        if not response.is_success:
            raise SmsFailed(
                f"gateway answered {response.status_code}: {response.text[:200]}"
            )
        logger.info("SMS to %s accepted by the gateway", masked(phone))


def sender_from_settings(settings: Mapping[str, Any]) -> SmsSender:
    """The sender the configuration names (``BANGBAN_SMS_BACKEND``)."""
    backend = settings.get("BANGBAN_SMS_BACKEND") or "log"
    if backend == "http":
        url = settings.get("BANGBAN_SMS_GATEWAY_URL")
        if not url:
            raise ValueError("BANGBAN_SMS_BACKEND=http needs BANGBAN_SMS_GATEWAY_URL")
        return HttpGatewaySender(str(url), settings.get("BANGBAN_SMS_GATEWAY_TOKEN"))
    if backend != "log":
        raise ValueError(f"BANGBAN_SMS_BACKEND must be one of {BACKENDS}: {backend!r}")
    return LoggingSender()
