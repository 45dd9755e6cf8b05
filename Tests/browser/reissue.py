"""Browser checks of 证书补发 (issue 14): a county attaches the stamped 情况说明 as a scan, a file
that only pretends to be a PDF is refused in Chinese, the scan downloads; the counties submit,
the city submits, and the province sends the city back together with one ticked county, staying
on the city's desk. Runs after the county step and before the city step (which resets the
county's password). Uses the helpers of run.py's Run."""

import json
import os
import re
import sqlite3
import subprocess
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

# The second county of the round; the demo has one county account, the test makes this one.
QINGYANG = ("qingyang", "510105", "青羊区")


def reissue_desks(run):
    d = run.driver
    run.log("证书补发：签发锦江区、青羊区的证书，生成扫描件…")
    numbers = {}
    for region in ("510104", "510105"):
        run.peixun("certificates", "issue", "--region", region)
        listed = json.loads(run.peixun("certificates", "list", "--region", region, "--json"))
        if not listed:
            raise run_failure(f"{region} 没有可补发的证书")
        numbers[region] = listed[0]["number"]
    scan = os.path.join(run.tmp, "情况说明（盖章）.pdf")
    run.peixun("certificates", "render", numbers["510104"], "-o", scan)
    fake = os.path.join(run.tmp, "setup.pdf")
    with open(fake, "wb") as f:
        f.write(b"MZ\x90\x00\x03\x00\x00\x00" + b"A" * 512)
    result = subprocess.run([run.args.bin, "user", "create", "--role", "county", "--username", QINGYANG[0],
                             "--region", QINGYANG[1], "--name", "青羊区教育局"], env=run.env, cwd=run.tmp,
                            input=run_password() + "\n", capture_output=True, text=True, timeout=60)
    run.check(result.returncode == 0, f"建立青羊区县级账户失败：{result.stderr.strip()}")

    # 锦江区: registers a request, refuses a fake PDF, attaches the real scan, checks and submits.
    run.login("jinjiang", "county")
    register(run, numbers["510104"])
    row = request_row(run, numbers["510104"])
    form = row.find_element(By.CSS_SELECTOR, "form.statement-form")
    form.find_element(By.NAME, "file").send_keys(fake)
    old = d.find_element(By.TAG_NAME, "html")
    form.find_element(By.CSS_SELECTOR, "button").click()
    run.wait(lambda: is_stale(old), "county /reissue：上传伪装的 PDF 后页面没有刷新")
    text = d.find_element(By.TAG_NAME, "main").text
    run.check("PDF、JPG 或 PNG" in text and "setup.pdf" in text, f"county /reissue：伪装成 PDF 的程序文件没有被拒绝并说明原因：{text[:200]}")
    run.console_errors()  # the refusal's 422 is expected; later pages must log nothing
    d.get(run.base + "/reissue")
    row = request_row(run, numbers["510104"])
    form = row.find_element(By.CSS_SELECTOR, "form.statement-form")
    form.find_element(By.NAME, "text").send_keys("经核实，该教师证书遗失属实，盖章说明见扫描件。")
    form.find_element(By.NAME, "file").send_keys(scan)
    run.submit(form, "提交情况说明")
    run.check("扫描件 情况说明（盖章）.pdf" in run.message(), f"county /reissue：上传后提示没有说明扫描件：“{run.message()}”")
    links = d.find_elements(By.CSS_SELECTOR, "main a.statement-file")
    if run.check(bool(links), "county /reissue：情况说明旁没有扫描件的下载链接"):
        path = re.sub(r"^https?://[^/]+", "", links[0].get_attribute("href"))
        status, kind, body, headers = run.download(path)
        run.check(status == 200 and kind == "application/pdf" and body.startswith(b"%PDF")
                  and {k.lower(): v for k, v in headers.items()}.get("content-disposition", "").startswith("attachment"),
                  f"扫描件下载 {path}：HTTP {status}，{kind}，{body[:8]!r}")
    run.page("/reissue", "reissue-statement-file", "证书补发")
    teacher_sees_scan(run, numbers["510104"])
    run.login("jinjiang", "county")
    d.get(run.base + "/reissue")
    run.set_width(1280)
    run.submit(request_row(run, numbers["510104"]).find_element(By.XPATH, ".//form[.//button[contains(., '审核通过')]]"), "审核通过")
    submit_with_confirm(run, "提交本县补发申请")

    # 青羊区: a typed statement only; checks and submits.
    run.login(QINGYANG[0], "county")
    register(run, numbers["510105"])
    form = request_row(run, numbers["510105"]).find_element(By.CSS_SELECTOR, "form.statement-form")
    form.find_element(By.NAME, "text").send_keys("本县核实，证书损毁属实。")
    run.submit(form, "提交情况说明")
    run.submit(request_row(run, numbers["510105"]).find_element(By.XPATH, ".//form[.//button[contains(., '审核通过')]]"), "审核通过")
    submit_with_confirm(run, "提交本县补发申请")

    run.login("chengdu", "city")
    d.get(run.base + "/reissue")
    submit_with_confirm(run, "提交本市(州)补发申请")

    # 省执行办 on 成都市's desk: ticks 青羊区, gives a reason, is asked, stays on the page.
    run.login("sheng", "province")
    city = "/reissue?region=510100"
    run.page(city, "reissue-city", "成都市")
    run.set_width(1280)
    d.get(run.base + city)
    boxes = d.find_elements(By.CSS_SELECTOR, f"main input[name='counties[]'][value='{QINGYANG[1]}']")
    if not run.check(bool(boxes), "province /reissue?region=510100：没有勾选县(市、区)一并退回的方框"):
        return
    boxes[0].click()
    form = d.find_element(By.ID, "send-back-city")
    form.find_element(By.NAME, "reason").send_keys("青羊区材料不全")
    old = d.find_element(By.TAG_NAME, "html")
    form.find_element(By.CSS_SELECTOR, "button").click()
    alert = run.alert()
    if not run.check(alert is not None and "勾选" in alert.text, "province：退回市(州)没有先询问（或没有说明勾选的县一并退回）"):
        return
    alert.accept()
    run.wait(lambda: is_stale(old), "province：确认退回后页面没有刷新")
    run.check(run.path().startswith(city), f"province：退回后离开了成都市的页面：{run.path()}")
    message = run.message()
    run.check("已退回成都市" in message and "青羊区一并退回" in message, f"province：退回后的提示没有说明退回了谁：“{message}”")
    rows = {name: r.text for r in d.find_elements(By.CSS_SELECTOR, "main table.report tbody tr")
            for name in ("青羊区", "锦江区") if name in r.text}
    run.check("已退回" in rows.get("青羊区", "") and "已退回" not in rows.get("锦江区", "-已退回"),
              f"province：青羊区应为已退回、锦江区仍为已提交：{rows}")
    run.inspect("reissue-city-sent-back", "成都市")
    run.set_width(390)
    d.get(run.base + run.path())
    run.inspect("reissue-city-sent-back", "成都市", 390)


def teacher_sees_scan(run, number):
    """The certificate's holder activates an account and finds the county's scan on 我的证书."""
    d = run.driver
    db = sqlite3.connect(os.path.join(run.data, "peixun.sqlite"))
    name, resident, mobile = db.execute(
        "SELECT t.name, t.resident_id, t.mobile FROM certificates c JOIN teachers t ON t.id = c.teacher_id"
        " WHERE c.number = ?", (number,)).fetchone()
    db.close()
    d.delete_all_cookies()
    run.role = "teacher"
    run.set_width(390)
    d.get(run.base + "/activate")
    form = d.find_element(By.CSS_SELECTOR, "main form")
    for field, value in (("name", name), ("residentID", resident), ("mobile", mobile),
                         ("password", run_password()), ("confirm", run_password())):
        form.find_element(By.NAME, field).send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button").click()
    run.wait(lambda: "/activate" not in d.current_url, lambda: f"teacher 激活失败：{d.find_element(By.TAG_NAME, 'main').text[:200]}")
    run.console_errors()  # the landing page (/me) is the teacher step's to check
    d.get(run.base + "/me/certificates")
    links = d.find_elements(By.CSS_SELECTOR, "main a.statement-file")
    if run.check(bool(links) and "情况说明（盖章）.pdf" in links[0].text,
                 "teacher /me/certificates：补发申请旁没有情况说明扫描件的下载链接"):
        path = re.sub(r"^https?://[^/]+", "", links[0].get_attribute("href"))
        status, kind, body, _ = run.download(path)
        run.check(status == 200 and kind == "application/pdf" and body.startswith(b"%PDF"),
                  f"teacher 下载扫描件 {path}：HTTP {status}，{kind}")
    run.page("/me/certificates", "my-certificates-statement-file", "我的证书")


def register(run, number):
    """The county registers a lost-certificate request for `number` from its desk."""
    d = run.driver
    run.set_width(1280)
    d.get(run.base + "/reissue")
    d.find_element(By.XPATH, "//main//details[summary[contains(., '代教师登记补发申请')]]/summary").click()
    form = d.find_element(By.XPATH, "//main//details//form")
    form.find_element(By.NAME, "number").send_keys(number)
    Select(form.find_element(By.NAME, "kind")).select_by_value("lost")
    form.find_element(By.NAME, "reason").send_keys("搬家时遗失")
    run.submit(form, "登记申请")
    run.check("已登记补发申请" in run.message(), f"{run.role} /reissue：登记后没有提示：“{run.message()}”")


def request_row(run, number):
    for row in run.driver.find_elements(By.CSS_SELECTOR, "main table.worklist tbody tr"):
        if number in row.text:
            return row
    raise run_failure(f"{run.role} /reissue：找不到证书 {number} 的申请")


def submit_with_confirm(run, button):
    d = run.driver
    forms = [f for f in d.find_elements(By.CSS_SELECTOR, "main form") if button in f.text]
    if not run.check(bool(forms), f"{run.role} /reissue：没有“{button}”按钮"):
        return
    old = d.find_element(By.TAG_NAME, "html")
    forms[0].find_element(By.CSS_SELECTOR, "button").click()
    alert = run.alert()
    if run.check(alert is not None, f"{run.role} /reissue：“{button}”没有先询问"):
        alert.accept()
        run.wait(lambda: is_stale(old), f"{run.role}：确认“{button}”后页面没有刷新")
        run.check("已提交" in run.message(), f"{run.role}：“{button}”后提示为“{run.message()}”")


def is_stale(element):
    try:
        element.is_enabled()
        return False
    except Exception:
        return True


def run_failure(text):
    import __main__  # run.py, run as a script
    return __main__.Failure(text)


def run_password():
    import __main__
    return __main__.PASSWORD
