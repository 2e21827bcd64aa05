#!/usr/bin/python3
"""`gocker gui` in a real browser: Debian's headless Chromium driven by python3-selenium.

Run as root, inside a private mount and network namespace (the ctest entry does it with
`unshare -m -n`): starts `gocker gui` on a random loopback port with its own state root, runtime
root and cgroup parent, then through the page: creates a container with the form and sees it in
the list within 2 s, opens its details and sees its output, stops it and sees the status change,
removes it and sees it gone; checks that markup in a container's command and output stays text,
that the form refuses bad input itself and shows the server's error. With --screenshots DIR it
saves the list and the details panel there (make gui-screenshots: docs/).
Exit 77 (skipped) without chromium, chromium-driver or python3-selenium.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    print("SKIP: python3-selenium is not installed (scripts/install-deps)")
    sys.exit(77)

MARKUP = "<img src=x onerror=alert(1)>"
# The list is rebuilt every 2 s: read a row's cells in one script call (no stale elements).
ROW_TEXT = """
for (const tr of document.querySelectorAll('#containers tbody tr'))
  if (tr.cells[0].textContent === arguments[0]) return Array.from(tr.cells, (td) => td.textContent);
return null;"""


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gocker", required=True)
    ap.add_argument("--runtime", required=True)
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--screenshots", help="save gui-list.png and gui-details.png here")
    a = ap.parse_args()
    chromium = shutil.which("chromium")
    driver_bin = shutil.which("chromedriver")
    if not chromium or not driver_bin:
        print("SKIP: chromium or chromium-driver is not installed (scripts/install-deps)")
        sys.exit(77)
    if os.geteuid() != 0:
        print("SKIP: needs root")
        sys.exit(77)
    if not os.access(os.path.join(a.rootfs, "bin/sh"), os.X_OK):
        print("SKIP: no busybox rootfs at " + a.rootfs + " (make rootfs)")
        sys.exit(77)

    tmp = tempfile.mkdtemp(prefix="gocker-gui-browser.")
    os.chmod(tmp, 0o711)
    parent = "/gocker-gui-browser-%d-%d" % (os.getpid(), random.randrange(1 << 30))
    env = dict(os.environ, GOCKER_ROOT=tmp + "/state", GOCKER_RUNTIME_ROOT=tmp + "/runtime",
               GOCKER_CGROUP_PARENT=parent, GOCKER_RUNTIME=a.runtime)
    gui = subprocess.Popen([a.gocker, "gui", "--listen", "127.0.0.1:0"], env=env, stdout=subprocess.PIPE, text=True)
    driver = None
    try:
        line = gui.stdout.readline().strip()
        if not line.startswith("gocker gui: open http://127.0.0.1:"):
            fail("gocker gui printed " + repr(line))
        url = line.split("open ", 1)[1]
        opts = webdriver.ChromeOptions()
        opts.binary_location = chromium
        for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1280,1700", "--user-data-dir=" + tmp + "/chromium"):
            opts.add_argument(arg)
        driver = webdriver.Chrome(service=Service(driver_bin), options=opts)
        wait = WebDriverWait(driver, 10)
        driver.get(url)
        wait.until(EC.text_to_be_present_in_element((By.ID, "status"), "container"))

        form = driver.find_element(By.ID, "create")
        field = lambda name: form.find_element(By.NAME, name)
        # The form's own check: a name gocker run would refuse never leaves the page.
        field("rootfs").send_keys(a.rootfs)
        field("name").send_keys(MARKUP)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        err = driver.find_element(By.ID, "form-error")
        if "Name:" not in err.text:
            fail("the form accepted a bad name: " + repr(err.text))
        # The server's refusal is shown as it is: a root filesystem that does not exist.
        field("name").clear()
        field("rootfs").clear()
        field("rootfs").send_keys(tmp + "/nowhere")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "form-error"), "The server refused"))
        if "nowhere" not in err.text:
            fail("the server's error is not shown: " + repr(err.text))

        # Create a chatty container whose command and output carry markup.
        field("rootfs").clear()
        field("rootfs").send_keys(a.rootfs)
        field("name").send_keys("web1")
        field("memoryLimit").send_keys("64M")
        field("command").send_keys("sh -c 'echo \"%s\"; i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done'"
                                   % MARKUP)
        Select(field("network")).select_by_visible_text("none")
        t0 = time.monotonic()
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        row = lambda d: d.execute_script(ROW_TEXT, "web1")
        cells = WebDriverWait(driver, 2).until(row)
        print("listed %.2f s after Create" % (time.monotonic() - t0))
        if MARKUP not in cells[3]:
            fail("the command column does not show the markup as text: " + repr(cells))
        if driver.execute_script("return document.querySelectorAll('img').length") != 0:
            fail("markup from a container became an element")

        # Details and the followed log (the form's submit selects the new container).
        wait.until(EC.text_to_be_present_in_element((By.ID, "logs"), "line 3"))
        logs = driver.find_element(By.ID, "logs").text
        if MARKUP not in logs:
            fail("the log does not show the markup as text: " + repr(logs[:200]))
        if driver.execute_script("return document.querySelectorAll('img').length") != 0:
            fail("log output became an element")
        summary = driver.find_element(By.ID, "summary").text
        for want in ("web1", "memory 64M", "Namespaces", "Exit code"):
            if want not in summary:
                fail("details panel lacks %r: %r" % (want, summary))
        time.sleep(8.5)  # a few stats samples for the chart and the list's usage columns
        cells = row(driver)
        if "/ 64.0 MiB" not in cells[7] or "/ 20" not in cells[8] or "%" not in cells[6]:
            fail("the list does not show CPU, memory and pids against the limits: " + repr(cells))
        if a.screenshots:
            os.makedirs(a.screenshots, exist_ok=True)
            driver.execute_script("window.scrollTo(0, 0)")
            driver.save_screenshot(os.path.join(a.screenshots, "gui-list.png"))
            driver.find_element(By.ID, "details").screenshot(os.path.join(a.screenshots, "gui-details.png"))

        # Keyboard: Escape closes the panel, Enter on a row opens it again.
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
        wait.until(lambda d: not d.find_element(By.ID, "details").is_displayed())
        driver.execute_script("""for (const tr of document.querySelectorAll('#containers tbody tr'))
                                   if (tr.cells[0].textContent === 'web1') tr.focus();""")
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        wait.until(lambda d: d.find_element(By.ID, "details").is_displayed())

        # Stop (with its confirmation) and see the status change.
        driver.find_element(By.ID, "stop").click()
        wait.until(EC.alert_is_present()).accept()
        WebDriverWait(driver, 20).until(lambda d: "exited" in (row(d) or [""] * 3)[2])
        # Remove (with its confirmation) and see it gone.
        driver.find_element(By.ID, "remove").click()
        wait.until(EC.alert_is_present()).accept()
        wait.until(lambda d: row(d) is None)
        if os.listdir(tmp + "/state/containers"):
            fail("the container's directory is still there after Remove")
        print("PASS: create, list, logs, stop, remove and markup-as-text in headless Chromium")
    finally:
        if driver:
            driver.quit()
        gui.terminate()
        gui.wait(timeout=30)
        subprocess.run([a.gocker, "--root", tmp + "/state", "rm", "-f", "web1"], env=env, capture_output=True)
        for base in ["/sys/fs/cgroup"] + ["/sys/fs/cgroup/" + d for d in os.listdir("/sys/fs/cgroup")]:
            for root, dirs, _ in os.walk(base + parent, topdown=False) if os.path.isdir(base + parent) else []:
                os.rmdir(root)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
