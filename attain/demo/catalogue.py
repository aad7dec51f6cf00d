"""The demo company's catalogue: an industrial automation supplier's product lines."""

from __future__ import annotations

from decimal import Decimal

from attain.crm.models import Product, ProductLine

# (line code, line name, [(product code, name, list price in yuan)])
PRODUCT_LINES: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    ("sensors", "工业传感器", (
        ("S-100", "温度传感器", "1280.00"),
        ("S-200", "压力变送器", "3650.00"),
        ("S-300", "电磁流量计", "8900.00"),
        ("S-400", "振动监测模块", "5200.00"),
    )),
    ("control", "控制系统", (
        ("C-100", "PLC 控制器", "18600.00"),
        ("C-200", "DCS 控制柜", "268000.00"),
        ("C-300", "触摸屏 HMI", "7800.00"),
    )),
    ("drives", "变频与伺服", (
        ("D-100", "低压变频器 15kW", "9600.00"),
        ("D-200", "伺服驱动器", "6400.00"),
    )),
    ("software", "工业软件", (
        ("W-100", "SCADA 软件许可", "45000.00"),
        ("W-200", "MES 实施项目", "380000.00"),
    )),
    ("service", "运维服务", (
        ("V-100", "年度运维合同", "60000.00"),
        ("V-200", "现场调试服务", "12000.00"),
        ("V-300", "备件包", "3500.00"),
    )),
)  # fmt: skip


def ensure_catalogue(using: str = "default") -> dict[str, ProductLine]:
    """Create the product lines and products that are missing; return the lines by code."""
    existing = {line.code: line for line in ProductLine.objects.using(using).all()}
    new_lines = [
        ProductLine(code=code, name=name)
        for code, name, _products in PRODUCT_LINES
        if code not in existing
    ]
    ProductLine.objects.using(using).bulk_create(new_lines)
    lines = {line.code: line for line in ProductLine.objects.using(using).all()}
    products = set(Product.objects.using(using).values_list("code", flat=True))
    Product.objects.using(using).bulk_create(
        Product(code=code, name=name, line=lines[line_code], list_price=Decimal(price))
        for line_code, _line_name, items in PRODUCT_LINES
        for code, name, price in items
        if code not in products
    )
    return lines
