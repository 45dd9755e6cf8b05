"""Browser checks of Appendix 1's approval (issue 15): 锦江区 confirms its 2017 figures on a
phone, 成都市 sees its counties confirmed and submits, the province approves 成都市 and finds
the approved Appendix 1 among the frozen tables (difference, table as approved, its Excel).
成都市's other counties have no accounts in the small demo: their confirmations are written
as the engine writes them. Uses the helpers of run.py's Run."""

import os
import re
import sqlite3

from selenium.webdriver.common.by import By

YEAR = 2017
PAGE = f"/reports/progress/approval?year={YEAR}"
HEADING = "确认与审核"


def press(run, form, button_text):
    """Clicks the form's button, accepts its confirm() if it asks, and waits for the next page."""
    d = run.driver
    old = d.find_element(By.TAG_NAME, "html")
    asks = bool(form.get_attribute("data-confirm"))
    [b for b in form.find_elements(By.TAG_NAME, "button") if button_text in b.text][0].click()
    if asks:
        alert = run.alert()
        if run.check(alert is not None, f"{run.role} {PAGE}：“{button_text}”没有先询问"):
            alert.accept()
    run.wait(lambda: is_stale(old), f"{run.role} {PAGE}：“{button_text}”后页面没有刷新")


def is_stale(element):
    import __main__  # run.py, run as a script
    return __main__.is_stale(element)


def main_text(run):
    return run.driver.find_element(By.TAG_NAME, "main").text


def appendix1_county(run):
    """锦江区 confirms its 2017 figures at phone width."""
    run.page(PAGE, "appendix1", HEADING)
    run.set_width(390)
    run.driver.get(run.base + PAGE)
    forms = run.form_with("确认无误并提交")
    if not run.check(bool(forms), f"county {PAGE}：没有“确认无误并提交”按钮"):
        return
    press(run, forms[0], "确认无误并提交")
    run.inspect("appendix1-confirmed", HEADING)
    run.check("已提交" in main_text(run) and not run.form_with("确认无误并提交"), f"county {PAGE}：确认后状态不是“已提交”")


def others_confirmed(run):
    """成都市's other counties confirmed: rows in `submissions` as the engine writes them."""
    db = sqlite3.connect(os.path.join(run.data, "peixun.sqlite"))
    now = db.execute("SELECT occurred_at FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0]
    for (code,) in db.execute("SELECT code FROM regions WHERE parent_code = '510100' AND code <> '510104'").fetchall():
        db.execute("INSERT INTO submissions (workflow, subject_id, region_code, level, state, submitted_at, late, updated_by, updated_at)"
                   " VALUES ('completion', ?, ?, 'county', 'submitted', ?, 0, ?, ?)", (YEAR, code, now, "c" + code, now))
    db.commit()
    db.close()


# A county whose official counts were never imported: it takes no part, and the city's page says so.
UNCOUNTED = ("510185", "简阳市")


def appendix1_city(run):
    """成都市 sees its counties confirmed (简阳市, without official counts, named apart) and submits the city."""
    db = sqlite3.connect(os.path.join(run.data, "peixun.sqlite"))
    db.execute("DELETE FROM official_counts WHERE county_code = ?", (UNCOUNTED[0],))
    db.commit()
    db.close()
    others_confirmed(run)
    run.page(PAGE, "appendix1", HEADING)
    run.set_width(1280)
    run.driver.get(run.base + PAGE)
    notes = run.driver.find_elements(By.ID, "without-statistics")
    run.check(bool(notes) and "本年度无统计数据" in notes[0].text and UNCOUNTED[1] in notes[0].text,
              f"city {PAGE}：没有说明{UNCOUNTED[1]}无统计数据、不参与确认")
    listed = [r for r in run.driver.find_elements(By.CSS_SELECTOR, "main table.list tbody tr") if UNCOUNTED[1] in r.text]
    run.check(not listed, f"city {PAGE}：无统计数据的{UNCOUNTED[1]}仍列在待确认的县中")
    rows = [r for r in run.driver.find_elements(By.CSS_SELECTOR, "main table.list tbody tr") if "锦江区" in r.text]
    run.check(bool(rows) and "已提交" in rows[0].text and rows[0].find_elements(By.NAME, "reason"),
              f"city {PAGE}：锦江区不是“已提交”或没有退回表单")
    forms = run.form_with("确认无误并提交")
    if run.check(bool(forms), f"city {PAGE}：各县确认后没有本市(州)的“确认无误并提交”"):
        press(run, forms[0], "确认无误并提交")
        run.inspect("appendix1-submitted", HEADING)


def appendix1_province(run):
    """The province approves 成都市; the approved Appendix 1 is among the frozen tables."""
    run.page(PAGE, "appendix1", HEADING)
    run.set_width(1280)
    run.driver.get(run.base + PAGE)
    rows = [r for r in run.driver.find_elements(By.CSS_SELECTOR, "main table.list tbody tr") if "成都市" in r.text]
    forms = rows[0].find_elements(By.CSS_SELECTOR, "form") if rows else []
    forms = [f for f in forms if "审核通过" in f.text]
    if not run.check(bool(forms), f"province {PAGE}：成都市提交后没有“审核通过”"):
        return
    press(run, forms[0], "审核通过")
    run.inspect("appendix1-approved", HEADING)
    row = [r for r in run.driver.find_elements(By.CSS_SELECTOR, "main table.list tbody tr") if "成都市" in r.text][0]
    links = row.find_elements(By.LINK_TEXT, "审核版本")
    if not run.check("已审核" in row.text and links, f"province {PAGE}：审核后成都市不是“已审核”或没有审核版本链接"):
        return
    path = re.sub(r"^https?://[^/]+", "", links[0].get_attribute("href"))
    run.page(path, "frozen-appendix1", "培训实施情况统计表")
    text = main_text(run)
    run.check("培训实施情况统计表（附件1）" in text and "数据与审核时一致" in text and "锦江区" in text and "小计" in text,
              f"province {path}：附件1 审核版本页缺少类别、差异或表格")
    status, content, body, _ = run.download(path + "/xlsx")
    run.check(status == 200 and "spreadsheetml" in content and body[:2] == b"PK", f"province {path}/xlsx：HTTP {status}，{content}")
    run.page("/frozen?kind=progress", "frozen-list-appendix1", "已审核表格")
    run.check("成都市" in main_text(run), "province /frozen?kind=progress：没有成都市的附件1")
