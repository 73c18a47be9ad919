"""Telling the appellant (告知服务对象) that their appeal moved on: by web and SMS.

Clause 5.2.2.2 asks for both channels. Each status change the appellant acts on
or waits for writes, in the transaction of the step that caused it:

- an in-app notice (站内通知) for the registered enterprise that owns the appeal,
  read on its notices page;
- a text for the appeal's mobile number, which ``engine.sms_delivery`` sends
  after the commit. A landline cannot take a text, so it gets none.

They are two outbox rows because they are two channels: the text carries no
recipient account, so it never shows in anybody's notices page.
"""

from __future__ import annotations

import phonenumbers
from sqlalchemy.orm import Session

from engine.appeals.models import Appeal
from engine.notifications import notify

KIND = "appellant"

# What the enterprise reads in its notices page, per status.
IN_APP = {
    "returned": "您的诉求 {number}“{title}”已被平台退回，请查看退回理由。",
    "published": "您的诉求 {number}“{title}”已有办理结果，请查看并评价。",
    "terminated": "您的诉求 {number}“{title}”已依法终止办理，请查看终止理由。",
}

# What the text says, per status.
TEXTS = {
    "handling": "您的诉求{number}已受理，正由相关部门办理。",
    "returned": "您的诉求{number}未予受理，已退回：{result}",
    "published": "您的诉求{number}已办理答复，请凭诉求编号和查询码查看结果并评价。",
    "terminated": "您的诉求{number}已终止办理：{result}",
    "closed": "您的诉求{number}已办结，感谢您的评价。",
}
# The longest result quoted in a text; the rest is read in the lookup.
RESULT_CHARS = 60


def recipient_of(enterprise_id: int) -> str:
    """The outbox recipient of an enterprise: ``enterprise:<id>``.

    Staff usernames share the outbox's recipient column: a staff account named
    ``enterprise:7`` would also read enterprise 7's notices; account management
    (``engine.people.USERNAME``) accepts no colon in a username.
    """
    return f"enterprise:{enterprise_id}"


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
    """Queue the in-app notice and the text about ``status`` that apply."""
    in_app = IN_APP.get(status)
    if in_app is not None and appeal.enterprise_id is not None:
        notify(
            session,
            kind=status,
            message=in_app.format(number=appeal.number, title=appeal.title),
            user=recipient_of(appeal.enterprise_id),
            business_key=appeal.number,
        )

    text = TEXTS.get(status)
    phone = mobile_number(appeal.phone)
    if text is not None and phone is not None:
        result = (appeal.result or "")[:RESULT_CHARS]
        notify(
            session,
            kind=KIND,
            message=text.format(number=appeal.number, result=result),
            business_key=appeal.number,
            sms_phone=phone,
        )
