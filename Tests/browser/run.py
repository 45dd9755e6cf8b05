#!/usr/bin/python3
"""Browser tests: every demo role's pages in headless Chromium, at 1280 px and at 390 px.

Uses the debug binary built by `swift build --build-tests` (it builds nothing itself), loads the
small demo province plus a short qualified list into a throw-away SQLite data directory, serves it
on a free port of 127.0.0.1 and drives Chromium through Selenium (Debian's python3-selenium,
chromium, chromium-driver). For every page it checks the HTTP status, the heading, the browser
console (no errors) and, at 390 px, that the page itself does not scroll sideways; then it does
each role's key work: the county verifies and rejects entries and submits, the city submits, the
province approves and drills down the progress report, the teacher sees the record on a phone.
One report is printed to an A4 PDF and read back with pdftotext.

Screenshots land in .build/browser-screenshots/<role>-<page>-<width>.png (or --out DIR).
Exit status 0 when every check passed, 1 otherwise.

    python3 Tests/browser/run.py [--bin PATH] [--out DIR] [--keep] [--only ROLE]
"""

import argparse
import csv
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from appendix1 import appendix1_city, appendix1_county, appendix1_province
from reissue import reissue_desks

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = "Peixun2017demo"
WIDTHS = (1280, 390)
PHONE = 390
LONG_SCHOOL = "四川省成都市锦江区教育局直属某某实验学校（九年一贯制）小学部暨附属幼儿园东区分园"

# Headings (a part of the <h1>) of the menu pages; a menu page not listed here only needs a heading.
HEADINGS = {
    "/todo": "待办事项",
    "/dashboard": "工作台",
    "/frozen": "已审核表格",
    "/reports/progress": "培训实施情况统计表",
    "/users": "用户管理",
    "/users/new": "新建用户",
    "/teachers": "教师名册",
    "/teachers/new": "登记",
    "/teachers/import": "导入教师名册",
    "/statistics/import": "导入专任教师数",
    "/integration": "合作项目整合",
    "/integration/summary": "整合培训项目教师参训情况汇总表",
    "/integration/import": "合格人员名单",
    "/projects": "合作项目",
    "/transfers": "教师调动",
    "/audit": "审计日志",
    "/account/password": "修改密码",
    "/me": "我的培训",
    "/help": "帮助",
    "/templates": "导入模板",
    "/proposals": "合格名单上报",
    "/institution/verification": "核实进度",
    "/institution/import": "上报合作项目合格人员名单",
    "/institutions": "培训机构与项目",
}

# Checks that wait for a change another engineer is making in the templates or Swift code
# (issue 17). A failing known gap is reported but does not fail the run; once it passes, the run
# says so and the entry should be deleted here so that it guards the fix from then on.
KNOWN_GAPS = {
}


class Failure(Exception):
    pass


class Run:
    def __init__(self, args):
        self.args = args
        self.failures = []
        self.gaps_open = []
        self.gaps_fixed = []
        self.checks = 0
        self.pages = []
        self.started = time.monotonic()

    # ---- bookkeeping -------------------------------------------------------------------------

    def check(self, ok, what, gap=None):
        self.checks += 1
        if ok:
            if gap:
                self.gaps_fixed.append(gap)
                print(f"  已修复的已知问题：{gap}（{KNOWN_GAPS[gap]}）——请从 KNOWN_GAPS 删除")
            return True
        if gap:
            self.gaps_open.append(gap)
            print(f"  已知问题（未计为失败）：{KNOWN_GAPS[gap]}：{what}")
            return False
        self.failures.append(what)
        print(f"  ✗ {what}")
        return False

    def log(self, text):
        print(f"[{time.monotonic() - self.started:6.1f}s] {text}", flush=True)

    # ---- server ------------------------------------------------------------------------------

    def prepare(self):
        binary = self.args.bin
        if not os.access(binary, os.X_OK):
            raise Failure(f"找不到可执行文件 {binary}：请先运行 swift build --build-tests")
        self.tmp = tempfile.mkdtemp(prefix="peixun-browser-")
        self.data = os.path.join(self.tmp, "data")
        os.makedirs(self.data)
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env.update(PEIXUN_DATA_DIR=self.data, PEIXUN_HOST="127.0.0.1", LOG_LEVEL="warning")
        self.log("载入演示数据（small）…")
        out = self.peixun("demo", "--scale", "small", "--seed", "1")
        teacher = re.search(r"^\s*(\d{17}[\dX])\s+参训教师", out, re.M)
        if not teacher:
            raise Failure("演示数据输出中没有教师账户：\n" + out)
        self.teacher_login = teacher.group(1)
        self.load_qualified_list()

    def peixun(self, *arguments):
        result = subprocess.run([self.args.bin, *arguments], env=self.env, cwd=self.tmp,
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise Failure(f"peixun {' '.join(arguments)} 退出码 {result.returncode}：\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def load_qualified_list(self):
        """The 中国移动 2016 qualified list: the first twelve teachers of 锦江区, so that the county,
        the city (成都, where 锦江区 is the only county with people) and the province can each act."""
        db = sqlite3.connect(os.path.join(self.data, "peixun.sqlite"))
        rows = db.execute(
            "SELECT r.name, s.name, t.name, t.resident_id, COALESCE(t.mobile, '') FROM teachers t"
            " JOIN schools s ON s.id = t.school_id JOIN regions r ON r.code = t.county_code"
            " WHERE t.county_code = '510104' ORDER BY t.id LIMIT 12").fetchall()
        db.close()
        if len(rows) < 4:
            raise Failure("演示数据中锦江区教师不足 4 人")
        path = os.path.join(self.tmp, "qualified.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["中国移动中小学教师信息技术能力培训2016年合格人员名单"])
            w.writerow(["序号", "县(市、区)", "所在学校", "教师姓名", "身份证号码", "联系电话"])
            for number, row in enumerate(rows, 1):
                # The third teacher's school as an organiser may spell it, long: it wraps in its cell.
                school = LONG_SCHOOL if number == 3 else row[1]
                w.writerow([number, row[0], school, *row[2:]])
        self.peixun("import", "qualified", path, "--project", "中国移动", "--year", "2016")
        self.listed = len(rows)
        # The institution proposes the next four of 锦江区 for 2017 (see institution()).
        db = sqlite3.connect(os.path.join(self.data, "peixun.sqlite"))
        self.institution_rows = db.execute(
            "SELECT r.name, s.name, t.name, t.resident_id FROM teachers t"
            " JOIN schools s ON s.id = t.school_id JOIN regions r ON r.code = t.county_code"
            " WHERE t.county_code = '510104' ORDER BY t.id LIMIT 4 OFFSET 12").fetchall()
        db.close()

    def serve(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        env = dict(self.env, PEIXUN_PORT=str(port))
        self.server_log = open(os.path.join(self.tmp, "serve.log"), "w")
        self.server = subprocess.Popen([self.args.bin, "serve"], env=env, cwd=self.tmp,
                                       stdout=self.server_log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise Failure(f"peixun serve 已退出（{self.server.returncode}）：\n" + self.server_output())
            try:
                with urllib.request.urlopen(self.base + "/login", timeout=2) as r:
                    if r.status == 200:
                        self.log(f"服务已启动：{self.base}")
                        return
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                time.sleep(0.2)
        raise Failure("peixun serve 60 秒内未就绪：\n" + self.server_output())

    def server_output(self):
        self.server_log.flush()
        with open(self.server_log.name, encoding="utf-8", errors="replace") as f:
            return f.read()[-4000:]

    # ---- browser -----------------------------------------------------------------------------

    def browser(self):
        options = webdriver.ChromeOptions()
        options.binary_location = self.args.chromium
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,900", "--lang=zh-CN", "--hide-scrollbars",
                         "--disable-extensions", "--no-first-run", "--font-render-hinting=none"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(self.args.chromedriver), options=options)
        self.driver.set_page_load_timeout(30)
        self.width = None

    def set_width(self, width):
        if width == self.width:
            return
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": 844 if width == PHONE else 900,
            "deviceScaleFactor": 1, "mobile": width == PHONE})
        self.width = width

    def console_errors(self):
        entries = self.driver.get_log("browser")
        return [e["message"] for e in entries if e.get("level") == "SEVERE"]

    def login(self, username, role):
        d = self.driver
        d.delete_all_cookies()
        self.set_width(1280)
        d.get(self.base + "/login")
        d.find_element(By.NAME, "username").send_keys(username)
        d.find_element(By.NAME, "password").send_keys(PASSWORD)
        d.find_element(By.CSS_SELECTOR, "form button[type=submit], form button").click()
        self.wait(lambda: "/login" not in d.current_url, lambda: f"{role} 登录后仍在登录页：{self.h1()}")
        if d.find_elements(By.CSS_SELECTOR, "main .alert") and "临时密码" in d.find_element(By.TAG_NAME, "main").text:
            raise Failure(f"{role} 登录后被要求先修改密码")
        self.role = role
        self.console_errors()  # the login page's messages are checked by the login page itself
        self.log(f"{role}（{username}）登录，进入 {self.path()}")

    def wait(self, condition, message, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if condition():
                    return
            except WebDriverException:
                pass
            time.sleep(0.05)
        raise Failure(message() if callable(message) else message)

    def path(self):
        return re.sub(r"^https?://[^/]+", "", self.driver.current_url)

    def h1(self):
        found = self.driver.find_elements(By.TAG_NAME, "h1")
        return found[0].text.strip() if found else ""

    def status(self, path):
        """The HTTP status of a GET with the browser's cookies (Selenium cannot see it)."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar),
                                             NoRedirect())
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())
        request = urllib.request.Request(self.base + path, headers={"Cookie": cookies})
        try:
            with opener.open(request, timeout=15) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def overflow(self):
        """Elements sticking out to the right of the window that no scroll box contains."""
        return self.driver.execute_script("""
            const w = arguments[0], out = [];
            const clipped = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
                const o = getComputedStyle(p).overflowX; if (o !== 'visible' && o !== 'clip' ) return true; } return false; };
            for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.width > 0 && r.right > w + 1 && !clipped(el)) {
                    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                             (el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\\s+/g, '.') : '') +
                             ' (right ' + Math.round(r.right) + ')');
                    if (out.length >= 6) break; } }
            return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, culprits: out};""", self.width)

    def screenshot(self, name):
        d = self.driver
        size = d.execute_script("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        height = min(size[1], 6000)
        shot = d.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": max(size[0], self.width), "height": height, "scale": 1}})
        import base64
        path = os.path.join(self.args.out, f"{name}-{self.width}.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return path

    # ---- one page ----------------------------------------------------------------------------

    def page(self, path, name, heading=None, widths=WIDTHS):
        """Opens `path` at each width and checks status, heading, console and overflow."""
        status = self.status(path)
        self.check(status == 200, f"{self.role} {path}：HTTP {status}")
        for width in widths:
            self.set_width(width)
            self.driver.get(self.base + path)
            self.inspect(name, heading, width)
        self.pages.append(f"{self.role}:{path}")

    def inspect(self, name, heading, width=None):
        width = width or self.width
        label = f"{self.role} {self.path()} @{width}"
        h1 = self.h1()
        self.check(bool(h1), f"{label}：页面没有标题 <h1>")
        if heading:
            self.check(heading in h1, f"{label}：标题应含“{heading}”，实为“{h1}”")
        self.check(not self.driver.find_elements(By.CSS_SELECTOR, "main .error h1, body > .error"),
                   f"{label}：显示了错误页“{h1}”")
        errors = self.console_errors()
        self.check(not errors, f"{label}：浏览器控制台报错 {errors}")
        if width == PHONE:
            o = self.overflow()
            # Compared with the phone's width, not innerWidth: a mobile browser zooms an
            # overflowing page out, which widens innerWidth to the overflow.
            self.check(o["scroll"] <= width + 1 and o["inner"] <= width + 1,
                       f"{label}：页面横向溢出（scrollWidth {o['scroll']}，innerWidth {o['inner']}，手机宽 {width}）：{', '.join(o['culprits'])}")
        self.screenshot(f"{self.role}-{name}")

    def menu(self):
        """The role's menu as (label, path) pairs, read at desktop width."""
        self.set_width(1280)
        links = self.driver.find_elements(By.CSS_SELECTOR, "header.site nav a")
        return [(a.text.strip(), re.sub(r"^https?://[^/]+", "", a.get_attribute("href"))) for a in links]

    def menu_pages(self, skip=()):
        entries = self.menu()
        self.check(bool(entries), f"{self.role}：菜单为空")
        for label, path in entries:
            if path.split("?")[0] in skip:
                continue
            self.page(path, slug(path), HEADINGS.get(path.split("?")[0]))
        return entries

    def submit(self, form, button_text=None):
        """Submits a form by clicking its (named) button and waits for the next page."""
        d = self.driver
        old = d.find_element(By.TAG_NAME, "html")
        buttons = form.find_elements(By.CSS_SELECTOR, "button")
        if button_text:
            buttons = [b for b in buttons if button_text in b.text]
        if not buttons:
            raise Failure(f"{self.role} {self.path()}：表单中找不到按钮“{button_text or ''}”")
        buttons[0].click()
        self.wait(lambda: is_stale(old), f"{self.role} {self.path()}：提交“{button_text}”后页面没有刷新")
        # Each form answers with a page (directly or by a redirect); errors show as an error page.
        self.check(not self.driver.find_elements(By.CSS_SELECTOR, "main .error"),
                   f"{self.role}：提交“{button_text}”得到错误页：{self.h1()}")

    # ---- the roles ---------------------------------------------------------------------------

    def batch_page(self):
        """The first batch on the integration dashboard: the county's work list for a county,
        the overview for a city or the province."""
        self.driver.get(self.base + "/integration")
        links = self.driver.find_elements(By.CSS_SELECTOR, "main table tbody a")
        if not links:
            raise Failure(f"{self.role} /integration：看板上没有批次")
        return re.sub(r"^https?://[^/]+", "", links[0].get_attribute("href"))

    def form_with(self, button_text):
        """The forms of the page that have a button saying `button_text`."""
        return [f for f in self.driver.find_elements(By.CSS_SELECTOR, "main form")
                if any(button_text in b.text for b in f.find_elements(By.TAG_NAME, "button"))]

    def county(self):
        self.login("jinjiang", "county")
        self.menu_pages()
        page = self.batch_page()
        self.page(page, "integration-batch", "锦江区")
        # Teacher detail and the new-teacher form.
        self.set_width(1280)
        self.driver.get(self.base + "/teachers")
        link = self.driver.find_elements(By.CSS_SELECTOR, "main table tbody a")
        if self.check(bool(link), "county /teachers：名册中没有教师链接"):
            self.page(re.sub(r"^https?://[^/]+", "", link[0].get_attribute("href")), "teacher", None)
        self.page("/teachers/new", "teacher-new", HEADINGS["/teachers/new"])

        # Key work at phone width: verify the first entry, reject the second with a reason.
        self.set_width(PHONE)
        self.driver.get(self.base + page)
        rows = self.worklist_rows()
        self.check(len(rows) == self.listed, f"county {page}：应列出 {self.listed} 人，实为 {len(rows)}")
        first = rows[0]
        first_name = first.find_elements(By.TAG_NAME, "td")[1].text
        form = first.find_element(By.XPATH, ".//form[.//input[@name='certificateNumber']]")
        form.find_element(By.NAME, "certificateNumber").send_keys("ZGYD-2016-0001")
        self.submit(form, "核实")
        self.inspect("integration-verified", "锦江区")
        self.check(first_name in self.message(), f"county：核实 {first_name} 后没有提示（实为“{self.message()}”）")
        self.check(re.search(r"#entry-\d+$", self.driver.current_url) is not None,
                   f"county：核实后没有回到原来的行（{self.path()}）")
        row = self.row_of(first_name)
        self.check(row is not None and "已核实" in row.text, f"county：核实后 {first_name} 的状态不是“已核实”")

        self.bulk_verify(page)

        # Then one rejected by hand at phone width: the first row still waiting, a reason chosen.
        self.set_width(PHONE)
        self.driver.get(self.base + page)
        waiting = [r for r in self.worklist_rows() if "待核实" in r.text]
        if not self.check(bool(waiting), "county：批量核实后没有剩下待核实的人员可以不予认定"):
            return
        second_name = waiting[0].find_elements(By.TAG_NAME, "td")[1].text
        second = self.row_of(second_name)
        form = second.find_element(By.XPATH, ".//form[.//select[@name='reason']]")
        select = Select(form.find_element(By.NAME, "reason"))
        preselected = select.first_selected_option.get_attribute("value")
        self.check(preselected == "", f"原因下拉框默认值为“{select.first_selected_option.text}”")
        reason = [o for o in select.options if o.get_attribute("value")][1]
        reason_label = reason.text
        select.select_by_value(reason.get_attribute("value"))
        form.find_element(By.NAME, "note").send_keys("浏览器测试：证书编号与名单不符")
        self.submit(form, "不予认定")
        self.inspect("integration-rejected", "锦江区")
        self.check(second_name in self.message(), f"county：不予认定 {second_name} 后没有提示（实为“{self.message()}”）")
        row = self.row_of(second_name)
        self.check(row is not None and "不予认定" in row.text and reason_label in row.text,
                   f"county：{second_name} 应显示“不予认定”和原因“{reason_label}”，实为“{row.text if row else '（找不到该行）'}”")

        # The rest one by one, at desktop width, then submit the county's list.
        self.set_width(1280)
        for _ in range(self.listed):
            self.driver.get(self.base + page)
            forms = self.driver.find_elements(By.XPATH, "//table//form[.//input[@name='certificateNumber']]")
            pending = [f for f in forms if "待核实" in f.find_element(By.XPATH, "./ancestor::tr").text]
            if not pending:
                break
            pending[0].find_element(By.NAME, "certificateNumber").send_keys("ZGYD-2016-X")
            self.submit(pending[0], "核实")
        self.driver.get(self.base + page)
        forms = self.form_with("提交本县")
        if self.check(bool(forms), "county：核实完毕后没有“提交本县名单”按钮"):
            self.submit(forms[0], "提交")
            self.inspect("integration-submitted", "锦江区")
            self.check("已提交" in self.driver.find_element(By.TAG_NAME, "main").text,
                       "county：提交后页面未显示“已提交”")
        appendix1_county(self)

    def bulk_verify(self, page):
        """批量核实 on a worklist of five rows a page: select the page (the question counts the rows;
        dismissed, nothing changes; accepted, they are verified and the page says how many), jump to
        page 2, tick two rows by hand and verify those. The long school name wraps in its cell."""
        d = self.driver
        self.set_width(1280)
        d.get(self.base + page + ("&" if "?" in page else "?") + "perPage=5")
        numbers = [e.text for e in d.find_elements(By.CSS_SELECTOR, "nav.pager .pages a, nav.pager .pages strong")]
        count = (self.listed + 4) // 5
        self.check(numbers == [str(n) for n in range(1, count + 1)], f"county 核实名单：页码应为 1–{count}，实为 {numbers}")
        self.check(bool(d.find_elements(By.CSS_SELECTOR, "nav.pager form.jump input[name=page]")), "county 核实名单：没有跳页输入框")
        layout = d.execute_script("""
            const t = document.querySelector('table.worklist'), m = document.querySelector('main');
            const cells = [...t.querySelectorAll('td.school')];
            return {table: t.getBoundingClientRect().right, main: m.getBoundingClientRect().right,
                    spill: cells.filter(c => c.scrollWidth > c.clientWidth + 1).length, long: cells.some(c => c.textContent.includes(arguments[0]))};""",
                                   LONG_SCHOOL)
        self.check(layout["long"] and layout["spill"] == 0 and layout["table"] <= layout["main"] + 1,
                   f"county 核实名单：长校名撑破了表格（{layout}）")
        waiting = [r for r in self.worklist_rows() if "待核实" in r.text]
        # A row in conflict with the registry is ticked too, but left for a decision of its own.
        conflicts = [r.find_elements(By.TAG_NAME, "td")[1].text for r in waiting if r.find_elements(By.CSS_SELECTOR, "small.conflict")]
        names = [r.find_elements(By.TAG_NAME, "td")[1].text for r in waiting]
        names = [n for n in names if n not in conflicts]
        boxes = d.find_elements(By.CSS_SELECTOR, "table.worklist input[type=checkbox][form=bulk-verify]")
        if not self.check(len(boxes) == len(waiting) > 0, f"county：本页 {len(waiting)} 人待核实，勾选框 {len(boxes)} 个"):
            return
        d.find_element(By.ID, "select-page").click()
        self.check(all(b.is_selected() for b in boxes), "county：选中本页全部后各行没有全部勾选")
        self.screenshot("county-integration-bulk-selected")

        def ask(expected):
            d.find_element(By.CSS_SELECTOR, "#bulk-verify button[type=submit]").click()
            alert = self.alert()
            if self.check(alert is not None, "county：批量核实没有先询问"):
                self.check(f"核实勾选的 {expected} 人" in alert.text, f"county：批量核实的询问没有说明人数 {expected}：“{alert.text}”")
            return alert
        alert = ask(len(boxes))
        if not alert:
            return
        alert.dismiss()
        time.sleep(0.3)
        self.check(all("待核实" in (self.row_of(n).text if self.row_of(n) else "") for n in names + conflicts), "county：取消批量核实后仍有人被核实")
        old = d.find_element(By.TAG_NAME, "html")
        ask(len(boxes)).accept()
        self.wait(lambda: is_stale(old), "county：确认批量核实后页面没有刷新")
        self.inspect("integration-bulk-verified", "锦江区")
        message = self.message()
        self.check(f"已批量核实 {len(names)} 人" in message and all(n in message for n in conflicts) and ("有待处理的冲突" in message) == bool(conflicts),
                   f"county：批量核实后的提示不对（冲突 {conflicts}）：“{message}”")
        self.check("perPage=5" in self.path() and self.path().endswith("#notice"), f"county：批量核实后没有回到原来的页（{self.path()}）")
        for name in names:
            row = self.row_of(name)
            self.check(row is not None and "已核实" in row.text, f"county：批量核实后 {name} 不是“已核实”")
        for name in conflicts:
            row = self.row_of(name)
            self.check(row is not None and "待核实" in row.text, f"county：有冲突的 {name} 被批量核实了")

        # Page 2 by the jump box; two rows ticked by hand.
        jump = d.find_element(By.CSS_SELECTOR, "nav.pager form.jump")
        field = jump.find_element(By.NAME, "page")
        field.clear()
        field.send_keys("2")
        self.submit(jump, "跳转")
        current = [e.text for e in d.find_elements(By.CSS_SELECTOR, "nav.pager .pages strong")]
        self.check(current == ["2"] and "page=2" in self.path() and "perPage=5" in self.path(),
                   f"county：跳到第 2 页后页码为 {current}，地址 {self.path()}")
        rows = [r for r in self.worklist_rows() if "待核实" in r.text and not r.find_elements(By.CSS_SELECTOR, "small.conflict")][:2]
        picked = [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows]
        for row in rows:
            row.find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
        self.check(not d.find_element(By.ID, "select-page").is_selected(), "county：只勾了两行，“选中本页全部”却被选中")
        old = d.find_element(By.TAG_NAME, "html")
        alert = ask(len(picked))
        if not alert:
            return
        alert.accept()
        self.wait(lambda: is_stale(old), "county：确认批量核实后页面没有刷新")
        self.check(f"已批量核实 {len(picked)} 人" in self.message() and "page=2" in self.path(),
                   f"county：第 2 页批量核实后提示为“{self.message()}”，地址 {self.path()}")
        for name in picked:
            row = self.row_of(name)
            self.check(row is not None and "已核实" in row.text, f"county：批量核实后 {name} 不是“已核实”")
        self.inspect("integration-bulk-page2", "锦江区")
        self.set_width(PHONE)
        d.get(self.base + self.path())
        self.inspect("integration-bulk-page2", "锦江区")

    def worklist_rows(self):
        return self.driver.find_elements(By.CSS_SELECTOR, "table.worklist tbody tr")

    def row_of(self, name):
        for row in self.worklist_rows():
            cells = row.find_elements(By.TAG_NAME, "td")
            if len(cells) > 1 and cells[1].text == name:
                return row
        return None

    def message(self):
        """The confirmation a page shows after an action (any of the usual notice boxes)."""
        found = self.driver.find_elements(By.CSS_SELECTOR,
                                          "main .success, main .notice, main [role=status], main .flash")
        return " ".join(e.text for e in found if e.is_displayed()).strip()

    def city(self):
        self.login("chengdu", "city")
        self.menu_pages()
        self.confirm_check()
        overview = self.batch_page()
        self.page(overview, "integration-overview", "成都市")
        self.page("/integration/summary", "integration-summary", HEADINGS["/integration/summary"])
        self.registry_pages()
        self.sticky_header("/reports/progress?year=2016", "进度表（各县）")
        self.set_width(PHONE)
        self.driver.get(self.base + overview)
        forms = self.form_with("提交本市")
        if self.check(bool(forms), "city：锦江区提交后没有“提交本市(州)名单”按钮"):
            self.submit(forms[0], "提交")
            self.inspect("integration-city-submitted", "成都市")
        appendix1_city(self)

    def registry_pages(self):
        """The city's registry (27 pages in the small demo) at 1280 and 390 px: a page number, a jump
        to the last page, sorting by name both ways (in order, by code point like the databases),
        the header kept in view while the list scrolls."""
        d = self.driver
        for width in WIDTHS:
            self.set_width(width)
            d.get(self.base + "/teachers")
            links = [a for a in d.find_elements(By.CSS_SELECTOR, "nav.pager .pages a") if a.text.isdigit()]
            if not self.check(len(links) >= 2, f"city /teachers @{width}：没有页码"):
                return
            last = max(int(a.text) for a in links)
            old = d.find_element(By.TAG_NAME, "html")
            [a for a in links if a.text == "2"][0].click()
            self.wait(lambda: is_stale(old), "city /teachers：点页码 2 后页面没有刷新")
            current = [e.text for e in d.find_elements(By.CSS_SELECTOR, "nav.pager .pages strong")]
            self.check(current == ["2"] and "page=2" in self.path(), f"city /teachers：点页码 2 后当前页为 {current}")
            jump = d.find_element(By.CSS_SELECTOR, "nav.pager form.jump")
            field = jump.find_element(By.NAME, "page")
            field.clear()
            field.send_keys(str(last))
            self.submit(jump, "跳转")
            current = [e.text for e in d.find_elements(By.CSS_SELECTOR, "nav.pager .pages strong")]
            self.check(current == [str(last)] and bool(self.registry_names()), f"city /teachers：跳到第 {last} 页后当前页为 {current}")
            self.inspect("teachers-last-page", "教师名册")
            for order, arrow in (("asc", "▲"), ("desc", "▼")):
                old = d.find_element(By.TAG_NAME, "html")
                d.find_element(By.CSS_SELECTOR, "table.registry thead th a.sort").click()
                self.wait(lambda: is_stale(old), "city /teachers：点“姓名”排序后页面没有刷新")
                names = self.registry_names()
                wanted = sorted(names, reverse=order == "desc")
                header = d.find_element(By.CSS_SELECTOR, "table.registry thead th").text
                self.check(len(names) == 50 and names == wanted and arrow in header and "sort=name" in self.path(),
                           f"city /teachers @{width}：按姓名{order}排序不对（{names[:4]}…，表头“{header}”）")
            self.inspect("teachers-by-name", "教师名册")
            self.sticky_header(self.path(), "教师名册", width)

    def registry_names(self):
        return [r.find_elements(By.TAG_NAME, "td")[0].text for r in self.driver.find_elements(By.CSS_SELECTOR, "table.registry tbody tr")]

    def sticky_header(self, path, label, width=None):
        """A long table's header stays in view: on a desktop at the top of the window once the
        page has scrolled past it, on a phone at the top of the table's own scroll box."""
        for w in [width] if width else WIDTHS:
            self.set_width(w)
            if self.path() != path:
                self.driver.get(self.base + path)
            found = self.driver.execute_script("""
                const t = document.querySelector('table.sticky-head'); if (!t) return null;
                const h = t.querySelector('thead');
                if (getComputedStyle(t).overflowY === 'auto') { t.scrollTop = 400;
                    return {head: h.getBoundingClientRect().top, top: t.getBoundingClientRect().top, scrolled: t.scrollTop > 0}; }
                window.scrollTo(0, t.getBoundingClientRect().top + window.scrollY + 400);
                return {head: h.getBoundingClientRect().top, top: 0, scrolled: t.getBoundingClientRect().top < -h.offsetHeight};""")
            if not self.check(found is not None, f"{self.role} {path} @{w}：{label}没有可固定表头的长表格"):
                continue
            if found["scrolled"]:
                self.check(abs(found["head"] - found["top"]) <= 1, f"{self.role} {path} @{w}：{label}滚动后表头没有固定在顶部（{found}）")
                # What the window shows (a full-page capture would put the header back in its place).
                self.driver.save_screenshot(os.path.join(self.args.out, f"{self.role}-sticky-{slug(path)}-{w}.png"))
            self.driver.execute_script("window.scrollTo(0, 0)")

    def alert(self):
        """The confirm() dialog a data-confirm form opens (None if none opened)."""
        found = []

        def present():
            try:
                found.append(self.driver.switch_to.alert)
                return True
            except WebDriverException:
                return False
        try:
            self.wait(present, "", seconds=5)
        except Failure:
            return None
        return found[0]

    def user_row(self, username):
        for row in self.driver.find_elements(By.CSS_SELECTOR, "main table tbody tr"):
            cells = row.find_elements(By.TAG_NAME, "td")
            if cells and cells[0].text == username:
                return row
        return None

    def ask(self, username, button, words):
        """Clicks `button` in the row of `username`; the confirm() it opens must contain `words`."""
        self.user_row(username).find_element(By.XPATH, f".//button[contains(., '{button}')]").click()
        alert = self.alert()
        if not self.check(alert is not None, f"city /users：点击“{button}”{username} 没有先询问"):
            return None
        text = alert.text
        self.check(all(w in text for w in words), f"city /users：“{button}”的询问没有说明对象和后果：“{text}”")
        return alert

    def confirm_check(self):
        """A destructive action asks first, saying what will happen: dismissing 停用 changes
        nothing; accepting 重置密码 resets it."""
        d = self.driver
        self.set_width(1280)
        d.get(self.base + "/users")
        names = [r.find_elements(By.TAG_NAME, "td")[0].text for r in d.find_elements(By.CSS_SELECTOR, "main table tbody tr")]
        if not self.check(bool(names), "city /users：没有可操作的下级账户"):
            return
        # The county's account is the only one in the small demo; the county has done its work
        # by now, and nothing after this logs in as it.
        username = names[0]
        alert = self.ask(username, "停用", ("停用", username))
        if not alert:
            return
        alert.dismiss()
        time.sleep(0.3)
        d.get(self.base + "/users")
        row = self.user_row(username)
        self.check(row is not None and "正常" in row.text, f"city /users：取消后 {username} 仍被停用了")
        old = d.find_element(By.TAG_NAME, "html")
        alert = self.ask(username, "重置密码", ("旧密码立即失效", username))
        if not alert:
            return
        alert.accept()
        self.wait(lambda: is_stale(old), f"city /users：确认重置 {username} 的密码后页面没有刷新")
        main = d.find_element(By.TAG_NAME, "main").text
        self.check("只显示这一次" in main and username in main, f"city /users：确认后没有显示 {username} 的新密码")
        self.inspect("users-reset", "用户管理")

    def province(self):
        self.login("sheng", "province")
        self.menu_pages(skip=("/reports/progress",))
        overview = self.batch_page()
        self.page(overview, "integration-overview", "四川省")
        for path in ("/integration/summary", "/projects", "/transfers", "/users/new", "/integration/import"):
            self.page(path, slug(path), HEADINGS.get(path))
        self.set_width(1280)
        self.driver.get(self.base + overview)
        forms = self.form_with("审核认定")
        if self.check(bool(forms), "province：成都市提交后没有“审核认定”按钮"):
            self.submit(forms[0], "审核认定")
            self.inspect("integration-approved", "四川省")
            self.check("已审核" in self.driver.find_element(By.TAG_NAME, "main").text,
                       "province：审核认定后成都市的状态不是“已审核”")
        self.frozen_tables()
        appendix1_province(self)
        self.dashboard_check()
        self.drill_down()
        self.print_check()
        self.job_check()

    def frozen_tables(self):
        """已审核表格: approving 成都市's list above kept its summary table; the list and the
        snapshot page (difference, table as approved, the approved Excel) at both widths."""
        self.page("/frozen", "frozen-list", "已审核表格")
        links = [a for a in self.driver.find_elements(By.CSS_SELECTOR, "main table.list a")
                 if re.search(r"/frozen/\d+$", a.get_attribute("href") or "")]
        if not self.check(bool(links), "province /frozen：审核认定成都市后没有已审核的汇总表"):
            return
        path = re.sub(r"^https?://[^/]+", "", links[0].get_attribute("href"))
        self.page(path, "frozen-show", "成都市")
        main = self.driver.find_element(By.TAG_NAME, "main").text
        self.check("与审核版本的差异" in main and "审核时的表格" in main and "小计" in main, f"province {path}：缺少差异或审核时的表格")
        download = self.driver.find_elements(By.CSS_SELECTOR, "a[href$='/xlsx']")
        if self.check(bool(download), f"province {path}：没有“下载审核版 Excel”链接"):
            status, content, body, headers = self.download(re.sub(r"^https?://[^/]+", "", download[0].get_attribute("href")))
            self.check(status == 200 and "spreadsheetml" in content and body[:2] == b"PK", f"province 审核版 Excel：HTTP {status}，{content}")

    def dashboard_check(self):
        """工作台: the completion and trend charts are inline SVG with a title and a table each,
        at both widths no sideways scroll (menu_pages checked that), and it prints on A4 with the
        charts' words and figures, without the menu."""
        for width in WIDTHS:
            self.set_width(width)
            self.driver.get(self.base + "/dashboard?year=2016")
            svgs = self.driver.find_elements(By.CSS_SELECTOR, "main svg.chart")
            self.check(len(svgs) >= 2, f"province /dashboard @{width}：图表少于 2 个（{len(svgs)}）")
            for svg in svgs:
                self.check(bool(svg.find_elements(By.CSS_SELECTOR, "title")) and svg.get_attribute("role") == "img",
                           f"province /dashboard @{width}：图表没有 <title> 或 role=img")
                # On a phone a chart keeps a readable width and scrolls inside its own box: the box fits the page.
                box = svg.find_element(By.XPATH, "ancestor::*[contains(concat(' ', @class, ' '), ' chart-figure ')][1]").rect
                self.check(box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"province /dashboard @{width}：图表框超出页面（{box}）")
            self.check(len(self.driver.find_elements(By.CSS_SELECTOR, "main table.dashboard-table")) >= 2,
                       f"province /dashboard @{width}：图表没有对应的表格")
            self.inspect("dashboard-2016", "工作台", width)
        text, pages, size = self.print_pdf("/dashboard?year=2016", "province-dashboard-print")
        for word in ("用户管理", "修改密码", "退出"):
            self.check(word not in text, f"打印 工作台：PDF 中出现了菜单“{word}”")
        self.check("完成率" in text and "成都市" in text and "%" in text, "打印 工作台：PDF 中没有图表或表格的文字")

    def job_check(self):
        """后台任务: 签发 on 自贡市's certificates page runs as a job; its page refreshes itself
        (no script) until the outcome shows, at both widths."""
        d = self.driver
        self.set_width(1280)
        d.get(self.base + "/certificates?region=510300")
        forms = self.form_with("签发")
        if not self.check(bool(forms), "province /certificates?region=510300：没有“签发”按钮"):
            return
        old = d.find_element(By.TAG_NAME, "html")
        forms[0].find_element(By.CSS_SELECTOR, "button").click()
        alert = self.alert()
        if alert is not None:
            alert.accept()
        self.wait(lambda: is_stale(old) and "/jobs/" in d.current_url, "province：签发后没有转到后台任务页")
        path = self.path()
        if not self.check(re.search(r"^/jobs/\d+$", path) is not None, f"province：签发后到了 {path}，不是任务页"):
            return
        self.wait(lambda: "本次签发" in d.find_element(By.TAG_NAME, "main").text, f"province {path}：任务页没有自动刷新到完成", seconds=60)
        self.page(path, "job-done", "后台任务")
        main = d.find_element(By.TAG_NAME, "main").text
        self.check("已完成" in main and "自贡市：本次签发" in main and "返回结业证书" in main, f"province {path}：完成后没有结果和返回链接")
        # The list of jobs (the province's shows everyone's, with who started them), at both widths.
        self.page("/jobs", "jobs-list", "后台任务")
        main = d.find_element(By.TAG_NAME, "main").text
        self.check("签发结业证书" in main and "已完成" in main and "发起人" in main, "province /jobs：列表中没有刚完成的签发任务或发起人")
        self.check(bool(d.find_elements(By.CSS_SELECTOR, f"main table.jobs a[href='{path}']")), f"province /jobs：没有链到 {path}")

    def drill_down(self):
        """The progress report: province → city → county → school → the school's untrained list."""
        path = "/reports/progress?year=2016"
        for name in ("progress-province", "progress-city", "progress-county"):
            self.page(path, name, "培训实施情况统计表")
            links = self.driver.find_elements(By.CSS_SELECTOR, "table.report tbody td.name a")
            # Prefer 成都市 / 锦江区 so that the drill-down meets the records the approval made.
            preferred = [a for a in links if a.text in ("成都市", "锦江区")]
            links = preferred or links
            self.check(self.h1().startswith("2016年"), f"province {path}：标题应以统计年度开头（“2016年 …”），实为“{self.h1()}”")
            if not self.check(bool(links), f"province {path}：表中没有可下钻的链接"):
                return
            path = re.sub(r"^https?://[^/]+", "", links[0].get_attribute("href"))
        self.page(path, "progress-untrained", "未培训教师")

    def print_check(self):
        """Prints two pages to A4 PDFs and reads them back with pdftotext: the province's progress
        report (portrait) and the teacher registry (a long, wide list: landscape, several pages).
        On paper: no menu, buttons or forms; the table header on every page; no column cut off."""
        menu = ("用户管理", "导入名册", "项目整合", "修改密码", "退出")
        text, pages, size = self.print_pdf("/reports/progress?year=2016", "province-progress-print")
        for word in menu + ("下载 Excel", "查看", "JSON"):
            self.check(word not in text, f"打印 进度表：PDF 中出现了菜单或按钮“{word}”")
        self.check("培训实施情况统计表" in text, "打印 进度表：PDF 中没有报表标题")
        self.check("2016年" in re.sub(r"\s+", "", text.split("培训实施情况统计表")[0]), "打印 进度表：PDF 的标题中没有统计年度（“2016年 …”）")
        for index, page in enumerate(pages, 1):
            self.check("已培训人数" in page and "完成率" in page, f"打印 进度表：第 {index} 页没有表头（已培训人数……完成率）")
        rates = re.findall(r"\d+(?:\.\d+)?%", text)
        rows = len(self.driver.find_elements(By.CSS_SELECTOR, "table.report tbody tr")) + 1
        self.check(len(rates) >= rows, f"打印 进度表：完成率一栏只印出 {len(rates)} 个值，表中有 {rows} 行（宽表被截断？）")
        self.check("成都市" in text and "小计" in text, "打印 进度表：PDF 中缺少表格行")

        text, pages, size = self.print_pdf("/teachers", "province-teachers-print")
        for word in menu + ("查询", "下载 Excel", "下一页"):
            self.check(word not in text, f"打印 教师名册：PDF 中出现了菜单、按钮或链接“{word}”")
        self.check(len(pages) >= 2, f"打印 教师名册：50 人应多于 1 页，实为 {len(pages)} 页")
        self.check(size is not None and size[0] > size[1], f"打印 教师名册：宽表应横向打印，纸张 {size}")
        for index, page in enumerate(pages, 1):
            self.check("身份证号码" in page and "首次合格" in page, f"打印 教师名册：第 {index} 页没有表头（重复表头）")
        ids = re.findall(r"\d{6}\*{8}[\dX]{4}", text)
        rows = len(self.driver.find_elements(By.CSS_SELECTOR, "table.list tbody tr"))
        self.check(len(ids) == rows, f"打印 教师名册：印出 {len(ids)} 个身份证号码，表中有 {rows} 行")

    def print_pdf(self, path, name):
        """A4 PDF of `path` as Chromium prints it; returns (text, pages' texts, (width, height) in pt)."""
        import base64
        self.set_width(1280)
        self.driver.get(self.base + path)
        pdf = self.driver.execute_cdp_cmd("Page.printToPDF", {
            "paperWidth": 8.27, "paperHeight": 11.69, "printBackground": False, "preferCSSPageSize": True})
        file = os.path.join(self.args.out, name + ".pdf")
        with open(file, "wb") as f:
            f.write(base64.b64decode(pdf["data"]))
        text = subprocess.run(["pdftotext", "-layout", file, "-"], capture_output=True, text=True, check=True).stdout
        pages = [p for p in text.split("\f") if p.strip()]
        info = subprocess.run(["pdfinfo", file], capture_output=True, text=True).stdout
        found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
        size = (float(found.group(1)), float(found.group(2))) if found else None
        self.log(f"打印 {path}：{len(pages)} 页，{size} pt")
        self.check(size is not None and sorted(size) == sorted(size) and abs(min(size) - 595) < 3 and abs(max(size) - 842) < 3,
                   f"打印 {path}：纸张不是 A4（{size}）")
        # The first page as an image, for people to look at.
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", file, os.path.join(self.args.out, name)],
                       check=False)
        return text, pages, size

    def institution(self):
        """培训机构: the province links 中国移动 to the institution (unlinking asks first); the
        institution proposes its 2017 list, the province reviews and publishes it, and the
        institution sees 锦江区's progress. Every page at both widths."""
        d = self.driver
        self.login("sheng", "province")
        self.page("/institutions", "institution-links", "培训机构与项目")
        row = d.find_element(By.XPATH, "//main//tr[td[contains(., 'jigou')]]")
        Select(row.find_element(By.NAME, "projectID")).select_by_visible_text("中国移动中小学教师信息技术能力培训（2014–2017）")
        self.submit(row.find_element(By.XPATH, ".//form[.//button[contains(., '关联')]]"), "关联")
        self.check("已关联" in d.find_element(By.TAG_NAME, "main").text, "province /institutions：关联后没有提示")
        self.inspect("institution-links-linked", "培训机构与项目")
        d.find_element(By.XPATH, "//main//form[contains(@class, 'link-chip')]//button").click()
        alert = self.alert()
        if self.check(alert is not None, "province /institutions：解除关联没有先询问"):
            self.check("解除" in alert.text and "中国移动" in alert.text, f"解除关联的询问没有说明对象：“{alert.text}”")
            alert.dismiss()
            time.sleep(0.3)
            d.get(self.base + "/institutions")
            self.check(bool(d.find_elements(By.CSS_SELECTOR, "main form.link-chip")), "province /institutions：取消后关联仍被解除了")

        self.login("jigou", "institution")
        self.page(self.path(), "landing", None)
        self.menu_pages()
        path = os.path.join(self.tmp, "institution-2017.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["序号", "县(市、区)", "所在学校", "教师姓名", "身份证号码"])
            for number, row in enumerate(self.institution_rows, 1):
                w.writerow([number, *row])
            w.writerow([len(self.institution_rows) + 1, "锦江区", "某校", "错号", "510104199001011"])
        self.set_width(1280)
        d.get(self.base + "/institution/import")
        Select(d.find_element(By.NAME, "year")).select_by_value("2017")
        d.find_element(By.NAME, "file").send_keys(path)
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        self.wait(lambda: "导入预览" in self.h1(), lambda: f"institution：上传后没有预览：{self.h1()}", seconds=30)
        self.inspect("proposal-preview", "导入预览")
        self.submit(self.form_with("只导入正确的")[0], "只导入正确的")
        self.check("待省执行办审核" in d.find_element(By.TAG_NAME, "main").text, "institution：提交后没有说明待省级审核")
        self.page("/proposals", "proposals", "合格名单上报")
        self.check("待省级审核" in d.find_element(By.TAG_NAME, "main").text, "institution /proposals：没有待审核的名单")

        self.login("sheng", "province")
        self.page("/proposals", "proposals", "合格名单上报")
        link = d.find_element(By.CSS_SELECTOR, "main table tbody a")
        proposal = re.sub(r"^https?://[^/]+", "", link.get_attribute("href"))
        self.page(proposal, "proposal", "中国移动")
        self.set_width(1280)
        d.get(self.base + proposal)
        self.check("锦江区" in d.find_element(By.TAG_NAME, "main").text and "错误行" in d.find_element(By.TAG_NAME, "main").text,
                   "province 名单审核页：没有各县人数或错误行")
        old = d.find_element(By.TAG_NAME, "html")
        self.form_with("发布到各县核实")[0].find_element(By.CSS_SELECTOR, "button").click()
        alert = self.alert()
        if self.check(alert is not None and "发布" in alert.text, "province：发布名单没有先询问"):
            alert.accept()
            self.wait(lambda: is_stale(old), "province：确认发布后页面没有刷新")
            self.check("已发布到各县核实" in d.find_element(By.TAG_NAME, "main").text, "province：发布后没有提示")

        self.login("jigou", "institution")
        self.page("/institution/verification", "institution-progress", "核实进度")
        main = d.find_element(By.TAG_NAME, "main").text
        self.check("锦江区" in main and "2017" in main, "institution /institution/verification：没有 2017 年锦江区的进度")

    def reviewer(self):
        self.login("pingshen", "reviewer")
        self.page(self.path(), "landing", None)
        self.menu_pages()

    def teacher(self):
        """A teacher on a phone: logs in at 390 px and sees the record and the integration steps."""
        d = self.driver
        d.delete_all_cookies()
        self.role = "teacher"
        self.set_width(PHONE)
        d.get(self.base + "/login")
        self.inspect("login", "登录")
        d.find_element(By.NAME, "username").send_keys(self.teacher_login)
        d.find_element(By.NAME, "password").send_keys(PASSWORD)
        d.find_element(By.CSS_SELECTOR, "form button").click()
        self.wait(lambda: "/login" not in d.current_url, lambda: f"teacher 登录失败：{self.h1()}")
        self.log(f"teacher（{self.teacher_login}）登录，进入 {self.path()}")
        self.console_errors()
        self.menu_pages()
        self.set_width(PHONE)
        d.get(self.base + "/me")
        main = d.find_element(By.TAG_NAME, "main").text
        self.check("培训记录" in main, "teacher /me：没有“培训记录”")
        # The first 锦江区 teacher is on the qualified list; after the province's approval the
        # integration table shows it approved.
        self.check("合作项目整合进度" in main and "中国移动" in main,
                   "teacher /me：没有显示合作项目整合进度（中国移动）")
        self.check("已参加信息技术应用能力提升培训并合格" in main,
                   "teacher /me：省级认定后仍显示“尚未完成”培训")
        self.screenshot("teacher-me-after-approval")

    def login_page(self):
        self.role = "anonymous"
        self.driver.delete_all_cookies()
        self.page("/login", "login", "登录")
        self.page("/activate", "activate", "首次登录")

    # ---- help, templates, audit export, idle warning (issue 17 item 6) ----------------------

    def download(self, path):
        """GET with the browser's cookies: (status, content type, body)."""
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())
        request = urllib.request.Request(self.base + path, headers={"Cookie": cookies})
        opener = urllib.request.build_opener(NoRedirect())
        try:
            with opener.open(request, timeout=30) as r:
                return r.status, r.headers.get("Content-Type", ""), r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), b"", dict(e.headers)

    def help_pages(self):
        """帮助 is public: the index and every workflow's page, at 390 px without overflow."""
        self.role = "anonymous"
        self.driver.delete_all_cookies()
        self.page("/help", "help", "帮助")
        self.set_width(1280)
        self.driver.get(self.base + "/help")
        topics = [re.sub(r"^https?://[^/]+", "", a.get_attribute("href"))
                  for a in self.driver.find_elements(By.CSS_SELECTOR, "main li a[href^='/help/']")]
        self.check(len(topics) == 7, f"/help：应列出 7 个流程的帮助，实为 {len(topics)}")
        for path in topics:
            self.page(path, slug(path), None, widths=(PHONE,))
            main = self.driver.find_element(By.TAG_NAME, "main").text
            self.check(all(w in main for w in ("操作步骤", "状态说明", "常见提示及处理")), f"{path}：缺少步骤、状态或常见提示")

    def extras(self):
        """As the province: every template downloads (from /templates and beside an upload form),
        the audit page fits 1280 px and exports what it shows, and the idle warning keeps the
        session."""
        self.login("sheng", "extras")
        self.page("/templates", "templates", "导入模板")
        links = [re.sub(r"^https?://[^/]+", "", a.get_attribute("href"))
                 for a in self.driver.find_elements(By.CSS_SELECTOR, "main a[data-template]")]
        self.check(len(links) >= 4, f"/templates：模板链接只有 {len(links)} 个")
        self.set_width(1280)
        self.driver.get(self.base + "/teachers/import")
        beside = [re.sub(r"^https?://[^/]+", "", a.get_attribute("href"))
                  for a in self.driver.find_elements(By.CSS_SELECTOR, "main a[data-template]")]
        self.check(beside == ["/templates/teachers.xlsx"], f"/teachers/import：上传表单旁没有名册模板链接（{beside}）")
        for path in links + beside:
            status, kind, body, _ = self.download(path)
            self.check(status == 200 and "spreadsheetml" in kind and body[:2] == b"PK",
                       f"模板 {path}：HTTP {status}，{kind}，{len(body)} 字节")
        self.page("/audit", "audit", "审计日志")
        self.set_width(1280)
        self.driver.get(self.base + "/audit")
        o = self.overflow()
        self.check(o["scroll"] <= 1281, f"/audit @1280：页面横向溢出（scrollWidth {o['scroll']}）：{', '.join(o['culprits'])}")
        for format, kind in (("csv", "text/csv"), ("xlsx", "spreadsheetml")):
            found = self.driver.find_elements(By.CSS_SELECTOR, f"main a[data-export={format}]")
            if not self.check(bool(found), f"/audit：没有导出 {format} 的链接"):
                continue
            status, content, body, headers = self.download(re.sub(r"^https?://[^/]+", "", found[0].get_attribute("href")))
            self.check(status == 200 and kind in content and len(body) > 100, f"/audit 导出 {format}：HTTP {status}，{content}，{len(body)} 字节")
            self.check(headers.get("X-Export-Truncated") == "false", f"/audit 导出 {format}：截断标记 {headers.get('X-Export-Truncated')}")
            if format == "csv":
                self.check(body.startswith(b"\xef\xbb\xbf") and "时间,用户" in body.decode("utf-8", "replace")[:20],
                           f"/audit 导出 csv：没有 BOM 或表头：{body[:40]!r}")
        # The idle warning: shown on demand (as when the time comes), 保持登录 hides it.
        d = self.driver
        self.set_width(PHONE)
        d.get(self.base + "/todo")
        # On a phone each 待办 is a card: no header row, the count, deadline and days labelled under the item.
        head = d.find_elements(By.CSS_SELECTOR, "table.todo thead")
        labelled = d.find_elements(By.CSS_SELECTOR, "table.todo tbody tr:first-child td[data-label]")
        self.check(bool(head) and not head[0].is_displayed() and [c.get_attribute("data-label") for c in labelled] == ["数量", "截止日期", "剩余天数"]
                   and all(c.value_of_css_property("display") == "inline-block" for c in labelled),
                   "待办在 390 px 下没有显示为卡片（表头仍在或数量、截止日期、剩余天数没有标签）")
        left = d.find_element(By.TAG_NAME, "body").get_attribute("data-session-expires-in")
        self.check(left is not None and int(left) > 1500, f"会话剩余时间 data-session-expires-in={left}")
        d.execute_script("window.peixunSessionWarning.show()")
        box = d.find_elements(By.CSS_SELECTOR, ".session-warning")
        if self.check(bool(box) and box[0].is_displayed() and "登录将在" in box[0].text, "登录过期提醒没有显示"):
            self.screenshot("extras-session-warning")
            box[0].find_element(By.CSS_SELECTOR, "button").click()
            self.wait(lambda: not box[0].is_displayed(), "点击“保持登录”后提醒没有关闭")
        self.check(not self.console_errors(), "登录过期提醒：浏览器控制台报错")

    # ---- main --------------------------------------------------------------------------------

    def run(self):
        os.makedirs(self.args.out, exist_ok=True)
        for old in os.listdir(self.args.out):
            if old.endswith((".png", ".pdf")):
                os.remove(os.path.join(self.args.out, old))
        self.prepare()
        self.serve()
        self.browser()
        steps = [("anonymous", self.login_page), ("county", self.county), ("reissue", lambda: reissue_desks(self)), ("city", self.city),
                 ("province", self.province), ("institution", self.institution),
                 ("reviewer", self.reviewer), ("teacher", self.teacher),
                 ("help", self.help_pages), ("extras", self.extras)]
        for role, step in steps:
            if self.args.only and role not in self.args.only.split(","):
                continue
            try:
                step()
            except Failure as e:
                self.failures.append(f"{role}: {e}")
                print(f"  ✗ {role}: {e}")
            except Exception as e:  # a broken page usually shows up as a missing element
                self.failures.append(f"{role}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
                print(f"  ✗ {role}: 意外错误，路径 {self.safe_path()}")
                traceback.print_exc()
                try:
                    self.screenshot(f"{role}-FAILED")
                except Exception:
                    pass

    def safe_path(self):
        try:
            return self.path()
        except Exception:
            return "?"

    def close(self):
        if getattr(self, "driver", None):
            try:
                self.driver.quit()
            except Exception:
                pass
        server = getattr(self, "server", None)
        if server and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if getattr(self, "tmp", None):
            if self.args.keep:
                print(f"保留临时目录：{self.tmp}")
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def is_stale(element):
    try:
        element.is_enabled()
        return False
    except WebDriverException:
        return True


def slug(path):
    s = path.split("?")[0].strip("/").replace("/", "-")
    return re.sub(r"\d+", "n", s) or "home"


def main():
    parser = argparse.ArgumentParser(description="浏览器测试（headless Chromium）")
    parser.add_argument("--bin", default=os.environ.get("PEIXUN_BIN", os.path.join(ROOT, ".build/debug/peixun")))
    parser.add_argument("--out", default=os.path.join(ROOT, ".build/browser-screenshots"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    parser.add_argument("--keep", action="store_true", help="保留临时数据目录与服务日志")
    parser.add_argument("--only", help="只运行这些角色（逗号分隔）：anonymous,county,reissue,city,province,institution,reviewer,teacher,help,extras")
    args = parser.parse_args()
    run = Run(args)
    print("== 浏览器测试（Chromium，1280 px 与 390 px）==", flush=True)
    try:
        run.run()
    except Failure as e:
        run.failures.append(str(e))
        print(f"✗ {e}")
    finally:
        run.close()
    elapsed = time.monotonic() - run.started
    print(f"页面 {len(run.pages)} 个，检查 {run.checks} 项，用时 {elapsed:.0f} 秒；截图在 {args.out}")
    if run.gaps_open:
        print(f"已知问题 {len(run.gaps_open)} 项（见 Tests/browser/run.py 的 KNOWN_GAPS）：")
        for gap in sorted(set(run.gaps_open)):
            print(f"  - {KNOWN_GAPS[gap]}")
    if run.gaps_fixed:
        print("这些已知问题已修复，请从 KNOWN_GAPS 删除：" + "、".join(sorted(set(run.gaps_fixed))))
    if run.failures:
        print(f"浏览器测试失败：{len(run.failures)} 项")
        for failure in run.failures:
            print(f"  ✗ {failure}")
        return 1
    print("浏览器测试全部通过。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
