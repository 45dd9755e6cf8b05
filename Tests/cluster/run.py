#!/usr/bin/python3
"""Two-instance test: PostgreSQL, two Peixun instances and nginx (scripts/cluster.sh), and one
whole workflow whose requests alternate between the instances, so that anything a request needs
from an earlier one must come from the database or the shared upload folder, never from one
process's memory.

    python3 Tests/cluster/run.py [--bin PATH] [--keep]

The steps: sign in on instance 1; open the roster import form on instance 2 (the CSRF token of a
session made on 1); upload a roster of 锦江区 to instance 1 while polling its progress on
instance 2; open the preview's error workbook on 2; commit on 1; read the report and the registry
on 2; then through nginx: both instances serve, the request id passes through, and signing out
on one instance ends the session on the other. Exit status 0 when every check passed.
"""

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = "Peixun2017demo"
COUNTY = "510104"
NEW_TEACHERS = 3000


class Failure(Exception):
    pass


def free_base_port():
    """Four consecutive free ports (nginx, two instances, PostgreSQL)."""
    for _ in range(50):
        base = random.randint(20000, 60000)
        try:
            sockets = []
            for offset in range(4):
                s = socket.socket()
                s.bind(("127.0.0.1", base + offset))
                sockets.append(s)
            for s in sockets:
                s.close()
            return base
        except OSError:
            for s in sockets:
                s.close()
    raise Failure("找不到空闲端口")


def resident_id(serial):
    """A valid 18-digit ID of a 锦江区 teacher born in 1985–1994 (check digit per GB 11643)."""
    birth = f"{1985 + serial % 10}{1 + serial % 12:02d}{1 + serial % 28:02d}"
    body = f"{COUNTY}{birth}{serial % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check


class Client:
    """One browser: a cookie jar shared by every instance it talks to."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, url, data=None, headers=None, method=None):
        request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, url, **kw):
        return self.request(url, **kw)

    def post_form(self, url, fields):
        return self.request(url, data=urllib.parse.urlencode(fields).encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(self, url, fields, file_field, file_name, content):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
                     f'Content-Type: text/csv\r\n\r\n'.encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(url, data=b"".join(parts), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def csrf(html):
    match = re.search(r'name="_csrf" value="([^"]+)"', html)
    if not match:
        raise Failure("页面中没有 CSRF 令牌")
    return match.group(1)


class Run:
    def __init__(self, args):
        self.args = args
        self.checks = 0
        self.failures = []
        self.dir = tempfile.mkdtemp(prefix="peixun-cluster-")
        os.chmod(self.dir, 0o755)
        self.base = free_base_port()
        self.nginx = f"http://127.0.0.1:{self.base}"
        self.instances = [f"http://127.0.0.1:{self.base + 1}", f"http://127.0.0.1:{self.base + 2}"]
        self.env = dict(os.environ, PEIXUN_CLUSTER_DIR=self.dir, PEIXUN_CLUSTER_PORT=str(self.base),
                        PEIXUN_CLUSTER_DEMO="small", PEIXUN_BIN=args.bin)

    def check(self, condition, message):
        self.checks += 1
        if condition:
            print(f"  ✓ {message}")
        else:
            print(f"  ✗ {message}")
            self.failures.append(message)
        return condition

    def cluster(self, command):
        started = time.time()
        result = subprocess.run([os.path.join(ROOT, "scripts/cluster.sh"), command], env=self.env, cwd=ROOT,
                                capture_output=True, text=True)
        print(result.stdout.rstrip())
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            raise Failure(f"scripts/cluster.sh {command} 失败（退出码 {result.returncode}）")
        print(f"  （cluster.sh {command}：{time.time() - started:.1f} 秒）")

    def run(self):
        try:
            self.cluster("up")
            self.workflow()
            self.through_nginx()
        except Failure as failure:
            self.failures.append(str(failure))
            print(f"  ✗ {failure}")
        finally:
            try:
                self.cluster("down")
            except Failure as failure:
                self.failures.append(str(failure))
            if self.failures:
                for name in ("instance-1.log", "instance-2.log", "nginx/error.log"):
                    path = os.path.join(self.dir, name)
                    if os.path.exists(path):
                        print(f"---- {name}（最后 30 行）----")
                        with open(path, errors="replace") as log:
                            print("".join(log.readlines()[-30:]))
            if not self.args.keep:
                shutil.rmtree(self.dir, ignore_errors=True)
        print(f"\n两实例测试：{self.checks} 项检查，{len(self.failures)} 项失败")
        return 1 if self.failures else 0

    def sign_in(self, client, instance, username):
        status, _, body = client.get(f"{instance}/login")
        self.check(status == 200, f"登录页（{instance[-5:]}）")
        status, headers, _ = client.post_form(f"{instance}/login", {"_csrf": csrf(body.decode()), "username": username,
                                                                    "password": PASSWORD, "next": "/"})
        if not self.check(status in (302, 303), f"{username} 在实例 {instance[-5:]} 登录"):
            raise Failure("无法登录")

    def roster(self):
        # The county's own schools, so that the rows are valid without creating schools.
        status, _, body = self.reader.get(f"{self.instances[1]}/api/v1/teachers?region={COUNTY}",
                                          headers={"Accept": "application/json"})
        schools = sorted({(row["school"], row["stage"]) for row in json.loads(body)["teachers"]}) if status == 200 else []
        if not self.check(bool(schools), f"实例 2 的名册接口列出锦江区的学校（{len(schools)} 所）"):
            raise Failure("没有学校可用")
        lines = ["县(市、区),所在学校,学段,教师姓名,身份证号码,联系电话"]
        surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
        for serial in range(NEW_TEACHERS):
            school, stage = schools[serial % len(schools)]
            name = surnames[serial % len(surnames)] + "测" + "试甲乙丙丁戊己庚辛壬癸"[serial % 11]
            lines.append(f"锦江区,{school},{stage},{name},{resident_id(serial)},139{serial:08d}")
        # Two rows the checks refuse, so that the preview has an error workbook to download.
        lines.append(f"锦江区,{schools[0][0]},{schools[0][1]},错号甲,510104199001011231,13900000001")
        lines.append(f"锦江区,不存在的学校,{schools[0][1]},无校乙,{resident_id(NEW_TEACHERS)},13900000002")
        return ("\n".join(lines) + "\n").encode()

    def workflow(self):
        print("== 跨实例的完整流程 ==")
        one, two = self.instances
        browser = Client()
        self.reader = browser
        self.sign_in(browser, one, "jinjiang")
        status, _, body = browser.get(f"{two}/teachers/import")
        if not self.check(status == 200, "实例 1 上的会话在实例 2 有效（导入页）"):
            raise Failure("会话未共享")
        token = csrf(body.decode())
        before = self.registered(two)
        content = self.roster()
        progress_token = uuid.uuid4().hex
        seen = []

        def poll():
            while not done.is_set():
                status, _, body = browser.get(f"{two}/api/v1/imports/progress/{progress_token}", headers={"Accept": "application/json"})
                if status == 200:
                    seen.append(json.loads(body))
                time.sleep(0.1)

        done = threading.Event()
        poller = threading.Thread(target=poll)
        poller.start()
        status, _, body = browser.post_multipart(f"{one}/teachers/import", {"_csrf": token, "progressToken": progress_token},
                                                 "file", "锦江区新增教师.csv", content)
        time.sleep(0.3)
        done.set()
        poller.join()
        html = body.decode(errors="replace")
        self.check(status == 200, f"实例 1 接收上传并预览（HTTP {status}）")
        self.check(bool(seen), f"实例 2 看到实例 1 的读取进度（{len(seen)} 次轮询有结果，最后：{seen[-1]['phaseLabel'] + ' ' + str(seen[-1]['rows']) + ' 行' if seen else '无'}）")
        match = re.search(r'action="(/teachers/import/(\d+)/commit)"', html)
        if not self.check(match is not None, "预览页给出提交地址"):
            raise Failure("预览页没有提交表单：" + re.sub(r"<[^>]+>", " ", html)[:400])
        commit_path = match.group(1)
        status, headers, _ = browser.get(f"{two}/teachers/import/{match.group(2)}/errors.xlsx")
        content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        self.check(status == 200 and content_type.startswith("application/vnd.openxmlformats"),
                   f"实例 2 生成实例 1 所收文件的错误工作簿（HTTP {status}）")
        status, _, body = browser.post_form(f"{two}{commit_path}", {"_csrf": token, "mode": "valid"})
        self.wait_for_job(browser, status, body)
        after = self.registered(one)
        self.check(after == before + NEW_TEACHERS, f"实例 2 提交后实例 1 的名册多出 {NEW_TEACHERS} 人（{before} → {after}）")
        status, _, body = browser.get(f"{one}/api/v1/reports/progress?region={COUNTY}", headers={"Accept": "application/json"})
        self.check(status == 200 and str(after) in body.decode(), f"实例 1 的附件1统计含新总人数 {after}")
        status, _, body = browser.get(f"{two}/audit")
        self.check(status == 200 and "锦江区新增教师.csv" in body.decode(), "实例 2 的审计日志记下导入")
        self.browser = browser

    def wait_for_job(self, browser, status, body):
        """A commit answers with the result, or (a background job) with a page that follows the job."""
        if status in (302, 303):
            return
        html = body.decode(errors="replace")
        job = re.search(r"/api/v1/jobs/(\d+)", html) or re.search(r"/jobs/(\d+)", html)
        if not job:
            self.check(status == 200, f"提交完成（HTTP {status}）")
            return
        for _ in range(600):
            for instance in self.instances:
                code, _, answer = browser.get(f"{instance}/api/v1/jobs/{job.group(1)}", headers={"Accept": "application/json"})
                if code == 200 and json.loads(answer).get("state") in ("done", "failed"):
                    self.check(json.loads(answer)["state"] == "done", f"后台任务 {job.group(1)} 完成（在两个实例间轮询）")
                    return
                time.sleep(0.1)
        raise Failure("后台任务 60 秒内未完成")

    def registered(self, instance):
        status, _, body = self.reader.get(f"{instance}/api/v1/teachers?region={COUNTY}", headers={"Accept": "application/json"})
        if status != 200:
            raise Failure(f"名册接口 HTTP {status}")
        return json.loads(body)["total"]

    def through_nginx(self):
        print("== 经 nginx ==")
        upstreams = set()
        for number in range(20):
            request_id = f"cluster-test-{number:04d}"
            status, headers, _ = self.browser.get(f"{self.nginx}/todo", headers={"X-Request-Id": request_id})
            if number == 0:
                self.check(status == 200, f"经 nginx 打开待办页（HTTP {status}）")
                self.check(headers.get("X-Request-Id") == request_id, "请求号原样返回（X-Request-Id）")
        with open(os.path.join(self.dir, "nginx/access.log")) as log:
            for line in log:
                match = re.search(r"upstream=(\S+)", line)
                if match and "cluster-test-" in line:
                    upstreams.add(match.group(1))
        self.check(len(upstreams) == 2, f"nginx 把请求分给两个实例（{sorted(upstreams)}）")
        status, _, body = self.browser.get(f"{self.nginx}/account/password")
        token = csrf(body.decode())
        status, _, _ = self.browser.post_form(f"{self.instances[0]}/logout", {"_csrf": token})
        self.check(status in (302, 303), "在实例 1 退出登录")
        status, headers, _ = self.browser.get(f"{self.instances[1]}/todo")
        self.check(status in (302, 303, 401) and "/login" in headers.get("Location", "/login"), "退出后实例 2 也不再认这个会话")
        status, _, body = Client().get(f"{self.nginx}/metrics")
        self.check(status == 200 and b"# TYPE" in body, f"本机经 nginx 可读 /metrics（HTTP {status}）")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/debug/peixun"))
    parser.add_argument("--keep", action="store_true", help="保留临时目录（日志）")
    args = parser.parse_args()
    if not os.path.exists(args.bin):
        print(f"找不到 {args.bin}，请先 swift build", file=sys.stderr)
        return 1
    return Run(args).run()


if __name__ == "__main__":
    sys.exit(main())
