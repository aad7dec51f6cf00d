from attain.conftest import sign_in
from .payout_factories import store, PERIOD

def test_shot(company, browser, live_server):
    store(company, {"r1": {"commission": "100.00", "clawback": "-250.35"}, "r2": {"commission": "100.00", "clawback": "-120.00"}, "r3": {"commission": "0"}})
    context, page = sign_in(browser, live_server, "finance", locale="zh-CN")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/pay/periods/")
    page.click(f"[data-close='{PERIOD}']")
    page.screenshot(path="/tmp/leftpay-periods.png", full_page=True)
    page.goto(f"{live_server.url}/pay/payroll/?period={PERIOD}")
    page.set_viewport_size({"width": 1100, "height": 844})
    page.screenshot(path="/tmp/leftpay-payroll.png", full_page=True)
    context.close()
