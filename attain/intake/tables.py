"""What can be imported and exported: one declarative spec per table.

A column has a canonical English name (what exports write, so an export re-imports
cleanly), Chinese and English aliases accepted as headers, a type and whether it is
required. Headers are compared after :func:`~attain.intake.parsing.normalise_header`
(case, spaces, ``_`` and a trailing unit in brackets do not matter).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from attain.crm import dedupe
from attain.crm import models as crm
from attain.org import models as org
from attain.org.company import money_places

from .parsing import normalise_header


class Kind(enum.Enum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"
    CHOICE = "choice"
    PERSON = "person"  # Person.code
    CUSTOMER = "customer"  # crm.Customer.external_id
    ORDER = "order"  # crm.Order.external_id
    OPPORTUNITY = "opportunity"  # crm.Opportunity.external_id
    TICKET = "ticket"  # crm.ServiceTicket.external_id
    PRODUCT_LINE = "product_line"  # crm.ProductLine.code
    PRODUCT = "product"  # crm.Product.code
    STAGE = "stage"  # Stage.code or name
    CREDIT = "credit"  # "E0001:0.5;E0002:0.5" → credit rows
    # "8f3c…;a1b2…": evidence photos' 64-bit perceptual hashes (16 hex digits each), so
    # an export carries what the integrity scan needs of the photos and re-imports it
    FINGERPRINTS = "fingerprints"


# References looked up per chunk (the tables can be large) and how an export names them.
CHUNK_REFERENCES = {
    Kind.CUSTOMER: crm.Customer,
    Kind.ORDER: crm.Order,
    Kind.OPPORTUNITY: crm.Opportunity,
    Kind.TICKET: crm.ServiceTicket,
}
# Columns written to rows of another table (their attname is the column's name).
CHILD_ROWS = frozenset({Kind.CREDIT, Kind.FINGERPRINTS})
EXPORT_KEY = {
    Kind.PERSON: "code",
    Kind.CUSTOMER: "external_id",
    Kind.ORDER: "external_id",
    Kind.OPPORTUNITY: "external_id",
    Kind.TICKET: "external_id",
    Kind.PRODUCT_LINE: "code",
    Kind.PRODUCT: "code",
    Kind.STAGE: "code",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    aliases: tuple[str, ...] = ()
    required: bool = False
    model_field: str = ""  # defaults to ``name``
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # value → aliases
    places: int = 2
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    scoped: bool = False  # a person whose data this is: managers import only their people

    @property
    def field_name(self) -> str:
        return self.model_field or self.name

    def headers(self) -> set[str]:
        return {normalise_header(h) for h in (self.name, *self.aliases)}

    @property
    def title(self) -> str:
        """The column as its reader heads it: for a Chinese reader its first Chinese
        header (工号, 入职日期), else its own name (code, start), which is a header too."""
        if (get_language() or "").startswith("zh"):
            for alias in self.aliases:
                if _CHINESE.search(alias):
                    return alias
        return self.name


_CHINESE = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class CreditSpec:
    model: type[models.Model]
    parent_column: str  # the foreign key column of the credit row: order_id, payment_id


@dataclass(frozen=True)
class TableSpec:
    name: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    key: str = "external_id"
    credit: CreditSpec | None = None
    manager_may_import: bool = False
    # Extra checks of one valid row (values by attname): the reason, or None.
    check: Callable[[dict[str, Any]], str | None] | None = None
    # Derived columns (values by attname) set from the row before writing.
    derive: Callable[[dict[str, Any]], None] | None = None
    derived_fields: Mapping[str, str] = field(default_factory=dict)  # source → derived
    # A field whose change is dated by another (an order's status → status_changed_on):
    # a file that changes it without giving the date dates the change on the import's
    # day; a file that leaves it unchanged keeps the stored date.
    change_dates: Mapping[str, str] = field(default_factory=dict)
    # Fills values (by attname) from the others before the row is checked for missing
    # fields: e.g. an order line's amount from its quantity and unit price.
    fill: Callable[[dict[str, Any]], None] | None = None
    # An organisation file (units, people): checked as a whole and applied as
    # effective-dated history by attain.org's services (attain.intake.orgfiles), by
    # the roles that change the organisation only; not exported.
    org: bool = False

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


# Shared aliases -------------------------------------------------------------------

EXTERNAL_ID = ("外部编号", "外部id", "编号", "id", "external id", "外部系统编号")
CUSTOMER_REF = (
    *("客户", "客户编号", "客户id", "客户代码", "customer id", "customer_external_id"),
    # as a US or Japanese company's files name them
    *("customer", "customer code", "customer number", "customer no", "account id"),
    *("account number", "顧客", "顧客コード", "顧客id", "顧客番号", "取引先コード"),
)
OWNER = (
    *("负责人", "销售", "工号", "销售工号", "负责人工号", "owner code", "employee id"),
    *("业务员", "业务员工号", "销售员", "销售员工号", "销售代表"),
    *("sales rep", "rep", "rep id", "salesperson", "sales person", "account owner"),
    *("owner id", "担当者", "担当者コード", "営業担当", "営業担当者", "社員番号"),
)
# a customer's own id, as a US or Japanese company's CRM exports name it
CUSTOMER_ID = (
    *("customer code", "customer number", "customer no", "account id", "account number"),
    *("顧客コード", "顧客id", "顧客番号", "取引先コード"),
)
SOURCE_CHOICES = {
    "sales": ("销售", "销售开拓", "自拓"),
    "marketing": ("市场", "市场活动"),
    "referral": ("转介绍", "推荐"),
    "partner": ("合作伙伴", "渠道"),
    "other": ("其他",),
}
PRODUCT_LINE_REF = ("产品线", "产品线代码", "产品线编码", "product line")
CREDIT = ("业绩分配", "业绩分成", "分成", "credits", "credit split")


ONE, FIVE = Decimal(1), Decimal(5)


def _text(name: str, *aliases: str, required: bool = False) -> Column:
    return Column(name, Kind.TEXT, aliases, required=required)


def _ext(*aliases: str) -> Column:
    return Column("external_id", Kind.TEXT, (*EXTERNAL_ID, *aliases), required=True)


# Checks and derived values --------------------------------------------------------


def _customer_check(values: dict[str, Any]) -> str | None:
    code = values.get("credit_code")
    if code and not dedupe.credit_code_is_valid(code):
        return _(
            "“%(code)s” is not a valid unified social credit code "
            "(18 characters with a check digit)."
        ) % {"code": code}
    return None


def _customer_derive(values: dict[str, Any]) -> None:
    """The dedupe keys, kept in step as :func:`attain.crm.services.customer_keys` does."""
    if "name" in values:
        values["name_key"] = dedupe.name_key(values["name"])
    if "phone" in values:
        values["phone_key"] = dedupe.phone_key(values["phone"])
    if "email" in values:
        values["email_key"] = dedupe.email_key(values["email"])


def _customer_prepare(values: dict[str, Any]) -> None:
    if "credit_code" in values:
        values["credit_code"] = dedupe.normalise_credit_code(values["credit_code"])


def _customers_check(values: dict[str, Any]) -> str | None:
    _customer_prepare(values)
    return _customer_check(values)


def _other_customers(values: dict[str, Any], reference: str) -> str | None:
    """Refuse a row whose ``reference`` (an order, an opportunity or a ticket it names)
    belongs to another customer than the row's."""
    if values.get(f"{reference}_id") is not None and values.get(
        f"_{reference}_customer"
    ) != values.get("customer_id"):
        return {
            "order": _("The order belongs to another customer."),
            "opportunity": _("The opportunity belongs to another customer."),
            "ticket": _("The ticket belongs to another customer."),
        }[reference]
    return None


def _activity_check(values: dict[str, Any]) -> str | None:
    if problem := _other_customers(values, "opportunity"):
        return problem
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if (latitude is None) != (longitude is None):
        return _("Give both latitude and longitude, or neither.")
    for name in ("latitude", "longitude"):
        if values.get(name) is not None:
            values[name] = values[name].quantize(Decimal("0.000001"))
    return None


def _order_line_fill(values: dict[str, Any]) -> None:
    """No amount given: quantity × unit price, to the cent half-up (to the yen in a
    currency without decimals), as the services compute it."""
    if values.get("amount") is None:
        quantity, price = values.get("quantity"), values.get("unit_price")
        if quantity is not None and price is not None:
            step = Decimal(1).scaleb(-money_places())
            values["amount"] = (quantity * price).quantize(step, rounding=ROUND_HALF_UP)


def _peer_check(values: dict[str, Any]) -> str | None:
    if values.get("rater_id") is not None and values.get("rater_id") == values.get("person_id"):
        return _("a person cannot rate themselves")
    return None


# The tables -----------------------------------------------------------------------

TABLES: dict[str, TableSpec] = {}


def _register(spec: TableSpec) -> None:
    TABLES[spec.name] = spec


_register(
    TableSpec(
        "product_lines",
        crm.ProductLine,
        (
            Column("code", Kind.TEXT, ("代码", "编码", "产品线代码", "产品线编码"), required=True),
            _text("name", "名称", "产品线", "产品线名称", required=True),
        ),
        key="code",
    )
)
_register(
    TableSpec(
        "products",
        crm.Product,
        (
            Column("code", Kind.TEXT, ("产品编码", "产品代码", "编码", "物料编码"), required=True),
            _text("name", "产品名称", "名称", required=True),
            Column("line", Kind.PRODUCT_LINE, PRODUCT_LINE_REF, required=True),
            Column("list_price", Kind.MONEY, ("标准价", "目录价", "单价", "价格", "list price")),
            Column("active", Kind.BOOL, ("启用", "有效", "状态")),
        ),
        key="code",
    )
)
_register(
    TableSpec(
        "customers",
        crm.Customer,
        (
            _ext("客户编号", "客户id", "客户代码", "customer id", *CUSTOMER_ID),
            _text(
                "name",
                *("客户名称", "名称", "客户", "公司名称", "customer", "customer name"),
                *("company name", "account name", "顧客名", "会社名", "取引先名"),
                required=True,
            ),
            _text("credit_code", "统一社会信用代码", "信用代码", "税号"),
            _text("phone", "电话", "联系电话", "手机", "手机号"),
            _text("email", "邮箱", "电子邮件", "电子邮箱", "e-mail"),
            _text("industry", "行业"),
            _text("city", "城市", "所在城市"),
            Column("source", Kind.CHOICE, ("来源", "客户来源"), choices=SOURCE_CHOICES),
            Column("owner", Kind.PERSON, OWNER),
            Column("created_on", Kind.DATE, ("创建日期", "建档日期", "created")),
        ),
        check=_customers_check,
        derive=_customer_derive,
        derived_fields={"name": "name_key", "phone": "phone_key", "email": "email_key"},
    )
)
_register(
    TableSpec(
        "contacts",
        crm.Contact,
        (
            _ext("联系人编号"),
            Column("customer", Kind.CUSTOMER, CUSTOMER_REF, required=True),
            _text("name", "姓名", "联系人", "联系人姓名", required=True),
            _text("title", "职务", "职位"),
            _text("phone", "电话", "联系电话", "手机", "手机号"),
            _text("email", "邮箱", "电子邮件", "电子邮箱", "e-mail"),
        ),
    )
)
_register(
    TableSpec(
        "opportunities",
        crm.Opportunity,
        (
            _ext("商机编号"),
            Column("customer", Kind.CUSTOMER, CUSTOMER_REF, required=True),
            _text("name", "商机名称", "名称", required=True),
            Column("owner", Kind.PERSON, OWNER, required=True, scoped=True),
            Column("stage", Kind.STAGE, ("阶段", "销售阶段", "商机阶段")),
            Column("amount", Kind.MONEY, ("预计金额", "金额", "expected amount"), required=True),
            Column("product_line", Kind.PRODUCT_LINE, PRODUCT_LINE_REF),
            Column("source", Kind.CHOICE, ("来源", "商机来源"), choices=SOURCE_CHOICES),
            Column("created_on", Kind.DATE, ("创建日期", "created")),
            Column("expected_close", Kind.DATE, ("预计成交日期", "预计签约日期")),
            Column("closed_on", Kind.DATE, ("成交日期", "关闭日期")),
            _text("close_reason", "赢单/输单原因", "赢输原因", "原因"),
        ),
        manager_may_import=True,
    )
)
_register(
    TableSpec(
        "orders",
        crm.Order,
        (
            _ext(
                *("订单号", "订单编号", "单号", "order id", "order no", "order number"),
                *("order #", "受注番号", "注文番号"),
            ),
            Column("customer", Kind.CUSTOMER, CUSTOMER_REF, required=True),
            Column("owner", Kind.PERSON, OWNER, required=True, scoped=True),
            Column(
                "date",
                Kind.DATE,
                (
                    *("日期", "下单日期", "订单日期", "order date", "成交日期", "签约日期"),
                    *("签单日期", "close date", "booking date", "受注日", "注文日"),
                ),
                required=True,
            ),
            Column(
                "amount",
                Kind.MONEY,
                (
                    *("金额", "订单金额", "合同金额", "成交金额", "销售金额", "订单总额"),
                    *("order amount", "order total", "total", "受注金額", "金額"),
                ),
                required=True,
            ),
            Column(
                "status",
                Kind.CHOICE,
                ("状态", "订单状态", "order status", "ステータス", "状態"),
                choices={
                    "confirmed": ("已确认", "确认", "有效", "已成交"),
                    "cancelled": ("已取消", "取消", "canceled"),
                    "returned": ("已退货", "退货"),
                },
            ),
            Column("status_changed_on", Kind.DATE, ("状态变更日期", "取消日期", "退货日期")),
            Column("product_line", Kind.PRODUCT_LINE, PRODUCT_LINE_REF),
            Column("opportunity", Kind.OPPORTUNITY, ("商机", "商机编号")),
            Column("credit", Kind.CREDIT, CREDIT, scoped=True),
        ),
        credit=CreditSpec(crm.OrderCredit, "order_id"),
        check=partial(_other_customers, reference="opportunity"),
        manager_may_import=True,
        change_dates={"status": "status_changed_on"},
    )
)
_register(
    TableSpec(
        "order_lines",
        crm.OrderLine,
        (
            _ext("明细编号", "行号", "订单明细编号", "line id"),
            Column("order", Kind.ORDER, ("订单号", "订单", "订单编号", "order id"), required=True),
            Column(
                "product",
                Kind.PRODUCT,
                ("产品", "产品编码", "产品代码", "物料编码", "product code"),
                required=True,
            ),
            Column(
                "quantity",
                Kind.DECIMAL,
                ("数量", "qty"),
                required=True,
                minimum=Decimal(0),
                places=3,
            ),
            Column("unit_price", Kind.MONEY, ("单价", "成交单价", "unit price"), required=True),
            Column("amount", Kind.MONEY, ("金额", "行金额", "小计")),
        ),
        fill=_order_line_fill,
        derived_fields={"quantity": "amount", "unit_price": "amount"},
    )
)
_register(
    TableSpec(
        "payments",
        crm.Payment,
        (
            _ext("回款编号", "回款单号", "收款单号", "payment id"),
            Column("customer", Kind.CUSTOMER, CUSTOMER_REF, required=True),
            Column("order", Kind.ORDER, ("订单号", "订单", "订单编号")),
            Column(
                "collector",
                Kind.PERSON,
                ("收款人", "回款人", "负责人", "销售", "工号", "业务员", "业务员工号", "销售员"),
                required=True,
                scoped=True,
            ),
            Column("date", Kind.DATE, ("回款日期", "收款日期", "日期", "到账日期"), required=True),
            Column(
                "amount",
                Kind.MONEY,
                ("回款金额", "收款金额", "金额", "回款额", "实收金额", "到账金额"),
                required=True,
            ),
            Column("credit", Kind.CREDIT, CREDIT, scoped=True),
        ),
        credit=CreditSpec(crm.PaymentCredit, "payment_id"),
        manager_may_import=True,
        check=partial(_other_customers, reference="order"),
    )
)
_register(
    TableSpec(
        "activities",
        crm.Activity,
        (
            _ext("活动编号"),
            Column(
                "kind",
                Kind.CHOICE,
                ("类型", "活动类型"),
                required=True,
                choices={
                    "visit": ("拜访", "上门拜访", "客户拜访"),
                    "call": ("电话", "通话"),
                    "meeting": ("会议", "会面"),
                    "note": ("备注", "记录"),
                },
            ),
            Column("customer", Kind.CUSTOMER, CUSTOMER_REF, required=True),
            Column("owner", Kind.PERSON, OWNER, required=True, scoped=True),
            Column(
                "occurred_at", Kind.DATETIME, ("时间", "发生时间", "日期", "when"), required=True
            ),
            Column("opportunity", Kind.OPPORTUNITY, ("商机", "商机编号")),
            _text("summary", "内容", "摘要", "纪要"),
            Column("duration_minutes", Kind.INTEGER, ("时长", "分钟", "duration")),
            _text("place", "地点"),
            # a phone gives more places than the model keeps: rounded to 6 (about 0.1 m)
            Column(
                "latitude",
                Kind.DECIMAL,
                ("纬度", "lat"),
                places=12,
                minimum=Decimal(-90),
                maximum=Decimal(90),
            ),
            Column(
                "longitude",
                Kind.DECIMAL,
                ("经度", "lng", "lon"),
                places=12,
                minimum=Decimal(-180),
                maximum=Decimal(180),
            ),
            Column(
                "photo_fingerprints",
                Kind.FINGERPRINTS,
                ("照片指纹", "photo fingerprint", "photo hashes", "photo_hash"),
            ),
        ),
        manager_may_import=True,
        check=_activity_check,
    )
)
_register(
    TableSpec(
        "tickets",
        crm.ServiceTicket,
        (
            _ext("工单号", "工单编号"),
            Column("customer", Kind.CUSTOMER, CUSTOMER_REF, required=True),
            Column("order", Kind.ORDER, ("订单号", "订单", "订单编号")),
            Column("owner", Kind.PERSON, ("处理人", "负责人", "工号", "handled by")),
            Column(
                "kind",
                Kind.CHOICE,
                ("类型", "工单类型"),
                required=True,
                choices={
                    "handoff": ("交接", "销售交接"),
                    "installation": ("安装",),
                    "repair": ("维修",),
                    "question": ("咨询",),
                    "complaint": ("投诉",),
                },
            ),
            Column(
                "status",
                Kind.CHOICE,
                ("状态", "工单状态"),
                choices={
                    "open": ("待处理", "新建", "打开"),
                    "in_progress": ("处理中",),
                    "resolved": ("已解决",),
                    "closed": ("已关闭", "关闭"),
                },
            ),
            Column("opened_on", Kind.DATE, ("创建日期", "开单日期", "日期"), required=True),
            Column("resolved_on", Kind.DATE, ("解决日期",)),
            _text("summary", "内容", "描述", "摘要"),
        ),
        check=partial(_other_customers, reference="order"),
    )
)
_register(
    TableSpec(
        "surveys",
        crm.Survey,
        (
            _ext("问卷编号", "调查编号"),
            Column("customer", Kind.CUSTOMER, CUSTOMER_REF, required=True),
            Column("person", Kind.PERSON, ("被评价人", "人员", "工号", "销售"), required=True),
            Column("ticket", Kind.TICKET, ("工单号", "工单")),
            Column("date", Kind.DATE, ("日期", "调查日期"), required=True),
            Column(
                "score",
                Kind.DECIMAL,
                ("评分", "分数", "满意度"),
                required=True,
                minimum=ONE,
                maximum=FIVE,
                places=1,
            ),
            _text("comment", "评价", "意见", "备注"),
        ),
        check=partial(_other_customers, reference="ticket"),
    )
)
_register(
    TableSpec(
        "training_scores",
        crm.TrainingScore,
        (
            _ext("成绩编号"),
            Column("person", Kind.PERSON, ("人员", "工号", "员工", "姓名工号"), required=True),
            _text("course", "课程", "考试", "课程名称", required=True),
            Column("date", Kind.DATE, ("日期", "考试日期"), required=True),
            Column(
                "score",
                Kind.DECIMAL,
                ("成绩", "分数"),
                required=True,
                minimum=Decimal(0),
                maximum=Decimal(100),
                places=1,
            ),
        ),
    )
)
_register(
    TableSpec(
        "peer_ratings",
        crm.PeerRating,
        (
            _ext("评价编号"),
            Column("rater", Kind.PERSON, ("评价人", "rated by"), required=True),
            Column("person", Kind.PERSON, ("被评价人", "rated person"), required=True),
            Column("date", Kind.DATE, ("日期", "评价日期"), required=True),
            Column(
                "score",
                Kind.DECIMAL,
                ("评分", "分数"),
                required=True,
                minimum=ONE,
                maximum=FIVE,
                places=1,
            ),
            _text("comment", "评价", "意见", "备注"),
        ),
        check=_peer_check,
    )
)


# The organisation (attain.intake.orgfiles) -------------------------------------------

EFFECTIVE = ("生效日期", "变动日期", "调动日期", "effective date", "effective on", "effective")

_register(
    TableSpec(
        "units",
        org.Unit,
        (
            Column(
                "code",
                Kind.TEXT,
                (
                    "单位编码",
                    "部门编码",
                    "组织编码",
                    "编码",
                    "代码",
                    "部门ID",
                    "部门编号",
                    "部门代码",
                    "unit code",
                    "department code",
                    "department id",
                ),
                required=True,
            ),
            _text(
                "name",
                "名称",
                "单位名称",
                "部门名称",
                "部门",
                "unit name",
                "department",
                "department name",
                required=True,
            ),
            Column(
                "parent",
                Kind.TEXT,
                (
                    "上级",
                    "上级单位",
                    "上级部门",
                    "上级编码",
                    "上级部门编码",
                    "上级部门ID",
                    "上级部门编号",
                    "上级部门代码",
                    "parent code",
                    "parent department id",
                ),
            ),
            Column(
                "opened",
                Kind.DATE,
                ("start", "start date", "开始日期", "成立日期", "启用日期", "成立时间"),
            ),
            Column("closed", Kind.DATE, ("end", "end date", "结束日期", "撤销日期", "停用日期")),
        ),
        key="code",
        org=True,
    )
)
_register(
    TableSpec(
        "people",
        org.Person,
        (
            Column(
                "code",
                Kind.TEXT,
                ("工号", "员工编号", "员工工号", "人员编号", "employee id", "employee code"),
                required=True,
            ),
            _text("name", "姓名", "员工姓名", "名字", "full name", required=True),
            Column(
                "unit",
                Kind.TEXT,
                ("部门", "所属部门", "单位", "部门编码", "所属单位", "unit code", "department"),
                required=True,
            ),
            # the unit's name beside its code (部门 and 部门编码 both in a roster): the
            # code gives the unit, the name is checked against the unit's
            _text("unit_name", "部门名称", "所属部门名称", "单位名称", "unit name"),
            Column(
                "title", Kind.TEXT, ("岗位", "职位", "职务", "job title", "job role", "position")
            ),
            Column("role", Kind.TEXT, ("角色", "系统角色", "权限", "login role")),
            Column(
                "manager",
                Kind.TEXT,
                (
                    "上级",
                    "直属上级",
                    "上级工号",
                    "直属上级工号",
                    "汇报对象",
                    "直属主管",
                    "直接上级",
                    "manager id",
                    "reports to",
                ),
            ),
            # the manager's name beside their id (直属上级 and 上级工号 both in a roster): the
            # id gives the manager, the name is checked against theirs
            _text("manager_name", "上级姓名", "直属上级姓名", "manager name"),
            Column(
                "start",
                Kind.DATE,
                ("入职日期", "开始日期", "start date", "hire date", "hired", "入职时间"),
                required=True,
            ),
            Column(
                "end",
                Kind.DATE,
                ("离职日期", "离职时间", "结束日期", "最后工作日", "end date", "last day"),
            ),
            _text(
                "email",
                "邮箱",
                "电子邮件",
                "电子邮箱",
                "工作邮箱",
                "企业邮箱",
                "e-mail",
                "email address",
            ),
            _text(
                "phone", "电话", "手机", "手机号", "手机号码", "联系电话", "mobile", "mobile phone"
            ),
            Column("effective", Kind.DATE, EFFECTIVE),
        ),
        key="code",
        org=True,
    )
)
