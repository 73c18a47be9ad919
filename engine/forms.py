"""Task forms defined in the BPMN (表单) and the validation of submitted values.

Forms are written as Camunda Modeler writes them: ``camunda:formData`` with
``camunda:formField`` children, ``camunda:value`` options for enums and
``camunda:validation``/``camunda:constraint`` rules. Bangban reads them when a
definition is deployed and stores them with that version, so a running instance
keeps the forms it started with.

Field types: ``string`` (one line), ``text`` (long text), ``long`` (integer),
``boolean``, ``date`` (YYYY-MM-DD), ``enum`` (options in the BPMN), ``department``
(one department code), ``departments`` (a list of department codes), ``file``
(uploaded attachments: a list of ``attachment`` ids, see ``engine.attachments``),
``credit_code`` (a unified social credit code, 统一社会信用代码, check digit
verified) and ``records`` (业务记录列表: a read-only list of the business records
of one collection matching a value of the task data, see ``engine.records``).
Constraints: ``required``, ``minlength``, ``maxlength``, ``min``, ``max``,
``readonly`` and Bangban's ``required-when``, whose
config is an expression over the submitted values and the task data, for fields
that are required only for one decision (a return needs a reason), and
``refuse-when``, an expression under which a filled-in value is refused with the
field's ``refuse-message`` property (an organisation suspended cannot apply again).
"""

from __future__ import annotations

import ast
import logging
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from lxml import etree
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from engine.errors import FieldError, FormInvalid

logger = logging.getLogger(__name__)

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"

FIELD_TYPES = {
    "string": "单行文本",
    "text": "多行文本",
    "long": "整数",
    "boolean": "是/否",
    "date": "日期",
    "enum": "单选",
    "department": "部门（单选）",
    "departments": "部门（多选）",
    "file": "附件",
    "credit_code": "统一社会信用代码",
    "records": "业务记录列表",
}

# Field types whose value is a list; empty, they are an empty list.
LIST_TYPES = {"departments", "file"}

CONSTRAINTS = {"required", "minlength", "maxlength", "min", "max", "readonly"}
REQUIRED_WHEN = "required-when"
REFUSE_WHEN = "refuse-when"
EXPRESSION_CONSTRAINTS = (REQUIRED_WHEN, REFUSE_WHEN)

# The message of a value refused by ``refuse-when``, unless the field gives its
# own in the ``refuse-message`` property.
REFUSE_MESSAGE = "refuse-message"
DEFAULT_REFUSAL = "该内容不符合办理条件，请核对后重新填写"

# Properties of a ``records`` field: the collection, the record field compared
# with ``variable`` of the task data (by default the variable of the same name),
# and the columns shown, ``field:标题`` separated by commas.
RECORD_PROPERTIES = ("collection", "match", "columns")

# Longest text accepted when a field sets no maxlength, so that one form cannot
# fill the database by accident.
DEFAULT_MAXLENGTH = {"string": 200, "text": 10000}


@dataclass(frozen=True)
class Option:
    """One choice of an ``enum`` field."""

    id: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One field of a task form, as the process owner drew it."""

    id: str
    label: str
    type: str
    options: tuple[Option, ...] = ()
    constraints: dict[str, str] = field(default_factory=dict)
    default: str | None = None
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def required(self) -> bool:
        """Whether the field must always be filled."""
        return "required" in self.constraints

    @property
    def required_when(self) -> str | None:
        """The condition under which the field must be filled, if any."""
        return self.constraints.get(REQUIRED_WHEN)

    @property
    def shown_when(self) -> tuple[str, tuple[str, ...]] | None:
        """The choice this field belongs to, read off its ``required-when``.

        A condition of the simple form ``decision == 'extend'`` (or ``in`` a tuple
        of strings) names a choice field and the values for which this field is
        needed; a page may hide the field for other choices. Any other condition
        gives None: the field is always shown.
        """
        condition = self.required_when
        if not condition:
            return None
        try:
            tree = ast.parse(condition.strip(), mode="eval").body
        except SyntaxError:
            return None
        if not (
            isinstance(tree, ast.Compare)
            and isinstance(tree.left, ast.Name)
            and len(tree.ops) == 1
        ):
            return None
        operator, right = tree.ops[0], tree.comparators[0]
        if isinstance(operator, ast.Eq):
            candidates = [right]
        elif isinstance(operator, ast.In) and isinstance(right, ast.Tuple | ast.List):
            candidates = list(right.elts)
        else:
            return None
        values = tuple(
            c.value
            for c in candidates
            if isinstance(c, ast.Constant) and isinstance(c.value, str)
        )
        if len(values) != len(candidates):
            return None
        return tree.left.id, values

    @property
    def refuse_when(self) -> str | None:
        """The condition under which a filled-in value is refused, if any."""
        return self.constraints.get(REFUSE_WHEN)

    @property
    def columns(self) -> list[tuple[str, str]]:
        """A ``records`` field's columns: (record field, Chinese heading)."""
        pairs = []
        for item in self.properties.get("columns", "").split(","):
            name, _, heading = item.strip().partition(":")
            if name.strip():
                pairs.append((name.strip(), heading.strip() or name.strip()))
        return pairs

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (stored with the version, shown by the API)."""
        data = asdict(self)
        data["options"] = [asdict(option) for option in self.options]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FormField:
        """Rebuild a field from ``to_dict`` output (stored with the version)."""
        options = tuple(Option(**option) for option in data.get("options", ()))
        return cls(
            id=data["id"],
            label=data["label"],
            type=data["type"],
            options=options,
            constraints=dict(data.get("constraints", {})),
            default=data.get("default"),
            properties=dict(data.get("properties", {})),
        )


def _camunda(tag: str) -> str:
    return f"{{{CAMUNDA_NS}}}{tag}"


def read_form(task_node: etree._Element) -> list[FormField]:
    """The form fields of a ``bpmn:userTask`` node, in the order drawn."""
    fields = []
    for node in task_node.iter(_camunda("formField")):
        options = tuple(
            Option(
                id=value.get("id", ""), label=value.get("name") or value.get("id") or ""
            )
            for value in node.iter(_camunda("value"))
        )
        constraints = {
            rule.get("name", ""): rule.get("config") or ""
            for rule in node.iter(_camunda("constraint"))
        }
        properties = {
            prop.get("id", ""): prop.get("value") or ""
            for prop in node.iter(_camunda("property"))
        }
        fields.append(
            FormField(
                id=node.get("id", ""),
                label=node.get("label") or node.get("id") or "",
                type=node.get("type", "string"),
                options=options,
                constraints=constraints,
                default=node.get("defaultValue"),
                properties=properties,
            )
        )
    return fields


def check_form(fields: list[FormField]) -> list[str]:
    """Problems with a form definition itself, found at deployment."""
    problems = []
    seen: set[str] = set()
    for form_field in fields:
        if not form_field.id.isidentifier():
            problems.append(f"表单字段 id “{form_field.id}” 必须是合法的变量名")
        if form_field.id in seen:
            problems.append(f"表单字段 id “{form_field.id}” 重复")
        seen.add(form_field.id)
        if form_field.type not in FIELD_TYPES:
            known = "、".join(FIELD_TYPES)
            problems.append(
                f"表单字段 “{form_field.id}” 的类型 “{form_field.type}” 未知，"
                f"可用类型：{known}"
            )
        if form_field.type == "enum" and not form_field.options:
            problems.append(f"单选字段 “{form_field.id}” 没有选项")
        for name in form_field.constraints:
            if name not in CONSTRAINTS and name not in EXPRESSION_CONSTRAINTS:
                problems.append(f"表单字段 “{form_field.id}” 的校验规则 “{name}” 未知")
        if form_field.type == "records":
            problems.extend(_records_problems(form_field))
    return problems


def _records_problems(form_field: FormField) -> list[str]:
    """A ``records`` field only shows: read-only, with what to show."""
    problems = []
    if "readonly" not in form_field.constraints:
        problems.append(f"业务记录列表字段 “{form_field.id}” 只能只读（readonly）")
    missing = [
        name for name in RECORD_PROPERTIES if not form_field.properties.get(name)
    ]
    if missing:
        problems.append(
            f"业务记录列表字段 “{form_field.id}” 缺少属性：{'、'.join(missing)}"
        )
    return problems


def clean_credit_code(value: str) -> str:
    """A valid unified social credit code (GB 32100), or ValueError in Chinese.

    Spaces and lower case are forgiven (``uscc.compact``); the check digit must
    be right.
    """
    try:
        return str(uscc.validate(value))
    except ValidationError:
        raise ValueError(
            "统一社会信用代码无效：应为 18 位数字或大写字母，且校验位正确"
        ) from None


Evaluator = Callable[[str, Mapping[str, Any]], Any]


class _Cleaner:
    """Turns one submitted value into the type its field declares."""

    def __init__(
        self, departments: Collection[str], attachments: Collection[int]
    ) -> None:
        self.departments = departments
        self.attachments = attachments

    def clean(self, form_field: FormField, raw: Any) -> Any:
        method = getattr(self, f"_clean_{form_field.type}")
        return method(form_field, raw)

    def _text(self, form_field: FormField, raw: Any) -> str:
        if not isinstance(raw, str):
            raise ValueError("请填写文字")
        text = raw.strip()
        check_characters(text)
        limit = form_field.constraints.get("maxlength")
        maximum = int(limit) if limit else DEFAULT_MAXLENGTH.get(form_field.type, 10000)
        if len(text) > maximum:
            raise ValueError(f"不能超过 {maximum} 个字（现有 {len(text)} 个）")
        minimum = form_field.constraints.get("minlength")
        if minimum and text and len(text) < int(minimum):
            raise ValueError(f"至少需要 {minimum} 个字")
        return text

    _clean_string = _text
    _clean_text = _text

    def _clean_credit_code(self, form_field: FormField, raw: Any) -> str:
        if not isinstance(raw, str):
            raise ValueError("请填写统一社会信用代码")
        check_characters(raw)
        return clean_credit_code(raw)

    def _clean_file(self, form_field: FormField, raw: Any) -> list[int]:
        # One id or a list of ids, as numbers or digit strings.
        items = raw if isinstance(raw, list) else [raw]
        ids = []
        for item in items:
            text = str(item).strip()
            if isinstance(item, bool) or not (text.isascii() and text.isdigit()):
                raise ValueError("请上传附件")
            ids.append(int(text))
        unknown = [str(i) for i in ids if i not in self.attachments]
        if unknown:
            raise ValueError(f"附件 {'、'.join(unknown)} 不存在或不是随本任务上传的")
        return list(dict.fromkeys(ids))

    def _clean_long(self, form_field: FormField, raw: Any) -> int:
        if isinstance(raw, bool):
            raise ValueError("请填写整数")
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise ValueError("请填写整数") from None
        low, high = form_field.constraints.get("min"), form_field.constraints.get("max")
        if low is not None and number < int(low):
            raise ValueError(f"不能小于 {low}")
        if high is not None and number > int(high):
            raise ValueError(f"不能大于 {high}")
        return number

    def _clean_boolean(self, form_field: FormField, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in {"true", "1", "on", "yes"}:
            return True
        if str(raw).lower() in {"false", "0", "off", "no"}:
            return False
        raise ValueError("请选择是或否")

    def _clean_date(self, form_field: FormField, raw: Any) -> str:
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValueError("日期格式应为 年-月-日，例如 2026-12-03") from None

    def _clean_enum(self, form_field: FormField, raw: Any) -> str:
        choices = [option.id for option in form_field.options]
        if not isinstance(raw, str) or raw not in choices:
            labels = "、".join(option.label for option in form_field.options)
            raise ValueError(f"请从以下选项中选择：{labels}")
        return str(raw)

    def _clean_department(self, form_field: FormField, raw: Any) -> str:
        if not isinstance(raw, str):
            raise ValueError("请选择一个部门")
        if raw not in self.departments:
            raise ValueError(f"部门 “{raw}” 不存在或已停用")
        return str(raw)

    def _clean_departments(self, form_field: FormField, raw: Any) -> list[str]:
        if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
            raise ValueError("请提供部门编码列表")
        unknown = [str(code) for code in raw if code not in self.departments]
        if unknown:
            raise ValueError(f"部门 {'、'.join(unknown)} 不存在或已停用")
        return list(dict.fromkeys(str(code) for code in raw))


# Characters refused in any text: control characters other than tab and line
# breaks, lone surrogates (not storable as UTF-8), and the direction overrides that
# make a name display differently from what it contains.
_BIDI_OVERRIDES = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_characters(text: str) -> None:
    """Raise ValueError (in Chinese) if ``text`` has invisible or broken characters."""
    for char in text:
        category = unicodedata.category(char)
        control = category == "Cc" and char not in "\t\n\r"
        if control or category == "Cs" or char in _BIDI_OVERRIDES:
            raise ValueError("含有不可见的控制字符或无法识别的字符，请删除后重新填写")


# Letters that draw nothing (Hangul fillers, the blank Braille pattern): a text
# of these alone looks empty, like one of spaces or zero-width characters.
_BLANK_LETTERS = set("\u115f\u1160\u3164\uffa0\u2800")


def visible_text(text: str) -> str:
    """``text`` without surrounding spaces, or "" if nothing in it can be seen.

    Zero-width characters (U+200B and the other format characters), spaces of
    every width and blank-looking letters do not make a title or a name.
    """
    stripped = text.strip()
    for char in stripped:
        blank = char.isspace() or char in _BLANK_LETTERS
        if not blank and unicodedata.category(char) not in {"Cf", "Cc", "Zs"}:
            return stripped
    return ""


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _refusal(
    form_field: FormField, scope: Mapping[str, Any], evaluate: Evaluator
) -> str | None:
    """Why a filled-in value is refused by its ``refuse-when`` rule, or None."""
    if not form_field.refuse_when or not evaluate(form_field.refuse_when, scope):
        return None
    return form_field.properties.get(REFUSE_MESSAGE) or DEFAULT_REFUSAL


def validate(
    fields: list[FormField],
    submitted: Mapping[str, Any],
    *,
    context: Mapping[str, Any],
    evaluate: Evaluator,
    departments: Collection[str] = (),
    attachments: Collection[int] = (),
) -> dict[str, Any]:
    """Check ``submitted`` against ``fields``; return the cleaned values.

    Every field error is collected and raised at once as ``FormInvalid``. Fields
    left empty come back as None (or an empty list for ``departments`` and
    ``file``), so that conditions downstream can always name them. ``file``
    fields take only the ``attachments`` ids given (those uploaded with the task).
    Read-only fields are left out: they keep the value the flow gave them.
    """
    cleaner = _Cleaner(departments, attachments)
    known = {form_field.id for form_field in fields}
    errors = [
        FieldError(name, "表单中没有这个字段")
        for name in submitted
        if name not in known
    ]

    cleaned: dict[str, Any] = {}
    # Read-only fields show the flow's data beside the form; a submission never
    # changes them, whatever it sends.
    fields = [f for f in fields if "readonly" not in f.constraints]
    for form_field in fields:
        raw = submitted.get(form_field.id)
        if form_field.id not in submitted and form_field.default is not None:
            raw = form_field.default
        if _is_blank(raw):
            listed = form_field.type in LIST_TYPES
            cleaned[form_field.id] = [] if listed else None
            continue
        try:
            cleaned[form_field.id] = cleaner.clean(form_field, raw)
        except ValueError as exc:
            errors.append(FieldError(form_field.id, str(exc)))
            cleaned[form_field.id] = None

    # Required and refusal rules run last: their conditions see the cleaned values.
    scope = {**context, **cleaned}
    for form_field in fields:
        if any(error.field == form_field.id for error in errors):
            continue
        if not _is_blank(cleaned.get(form_field.id)):
            refusal = _refusal(form_field, scope, evaluate)
            if refusal:
                errors.append(FieldError(form_field.id, refusal))
            continue
        needed = form_field.required
        if not needed and form_field.required_when:
            needed = bool(evaluate(form_field.required_when, scope))
        if needed:
            errors.append(FieldError(form_field.id, f"请填写“{form_field.label}”"))

    if errors:
        raise FormInvalid(errors)
    return cleaned
