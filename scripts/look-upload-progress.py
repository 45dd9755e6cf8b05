"""Uploads a roster through the real page in headless Chromium (Playwright, `pip install
playwright`, system /usr/bin/chromium) and screenshots the progress bar mid-read and the
preview after it:  python3 scripts/look-upload-progress.py [BASE_URL] [FILE] [USER] [PASSWORD]
"""
import sys
import time
from playwright.sync_api import sync_playwright

BASE, FILE, USER, PASSWORD = (sys.argv[1:] + ["http://127.0.0.1:8080", "roster.csv", "jinjiang", "Peixun2017demo"][len(sys.argv) - 1:])[:4]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 900, "height": 700})
    page.goto(BASE + "/login")
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(BASE + "/teachers/import")
    page.set_input_files("input[name=file]", FILE)
    page.click("form[data-progress] button[type=submit]")
    for i in range(400):
        time.sleep(0.25)
        text = page.inner_text("#import-progress .progress-text") if page.query_selector("#import-progress") else ""
        if "已读取" in text and "已读取 0 行" not in text and "预计" in text:
            page.screenshot(path="upload-progress.png")
            print("mid:", text)
            break
    page.wait_for_selector("text=导入预览", timeout=120000)
    page.screenshot(path="upload-preview.png")
    print("done:", page.inner_text("section.card p"))
    browser.close()
