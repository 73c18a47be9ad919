"""Telling the appellant (告知服务对象) by SMS when their appeal moves on.

Clause 5.2.2.2 asks that the enterprise is told by web and SMS: the web side is
the public lookup; this module writes one outbox notice with the appeal's mobile
number whenever the status changes to one the appellant acts on or waits for.
The notice is written in the transaction of the step; ``engine.sms_delivery``
texts it afterwards. A landline cannot take a text, so it gets none.
"""

from __future__ import annotations

import logging

import phonenumbers
from sqlalchemy.orm import Session

from engine.appeals.models import Appeal
from engine.notifications import notify

logger = logging.getLogger(__name__)

KIND = "appellant"

# What the text says for each status the appellant is told about.
MESSAGES = {
    "handling": "您的诉求{number}已受理，正由相关部门办理。",
    "returned": "您的诉求{number}未予受理，已退回：{result}",
    "published": "您的诉求{number}已办理答复，请凭诉求编号和查询码查看结果并评价。",
    "terminated": "您的诉求{number}已终止办理：{result}",
    "closed": "您的诉求{number}已办结，感谢您的评价。",
}
# The longest result quoted in a text; the rest is read in the lookup.
RESULT_CHARS = 60


def mobile_number(phone: str | None) -> str | None:
    """The 11-digit mobile number in ``phone``, or None for a landline."""
    if not phone:
        return None
    try:
        number = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException:
        return None
    kind = phonenumbers.number_type(number)
    if kind not in {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }:
        return None
    return str(number.national_number)


def tell_appellant(session: Session, appeal: Appeal, status: str) -> None:
    """Queue a text to the appellant about ``status``, if it is one they hear of."""
    template = MESSAGES.get(status)
    phone = mobile_number(appeal.phone)
    if template is None or phone is None:
        return
    result = (appeal.result or "")[:RESULT_CHARS]
    notify(
        session,
        kind=KIND,
        message=template.format(number=appeal.number, result=result),
        business_key=appeal.number,
        sms_phone=phone,
    )
