#!/usr/bin/env python3
"""The tasking pack in a real browser.

Builds a pack (`hotspot run CONFIG --report`, the demo town by default, or --config such as
examples/leicestershire.toml for a force-sized pack), opens it in Debian's headless Chromium
driven over the DevTools protocol on a pipe (--remote-debugging-pipe: no port, no network), and
checks:
  - the page loads with no console error, no uncaught exception, no CSP violation, and no
    request other than the file itself (data: images are not requests);
  - the two cover pages, every profile's page and the annex pages it declares are there;
  - each map's density image is not blank (decoded in the page, non-transparent pixels counted);
  - laid out for print, no element of a page reaches outside its content box (so nothing is cut
    and nothing runs under the footer), and no two legend labels of a map overlap;
  - printing to PDF gives A4 landscape pages, as many as cover + profile + declared annex pages,
    and every cell of every table row is in the text of the PDF page it was laid out on
    (pdftotext), and the protective marking is on every page;
  - PNG images of the printed pages (pdftoppm) are written for a person to look at.
Writes report.html, screenshot.png, pack.pdf and page-NN.png into --work.
With --needs-data DIR the test is skipped (77) when DIR is absent (the shared data folder).
Exit 0: passed; 1: failed; 77: skipped (no chromium; CTest reports it as skipped).
"""

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-extensions", "--disable-sync", "--disable-default-apps", "--no-default-browser-check",
         "--disable-component-update", "--mute-audio", "--hide-scrollbars"]


def find_chromium():
    # HOTSPOT_CHROMIUM names the browser (a path); set to a missing path it forces the skip.
    if "HOTSPOT_CHROMIUM" in os.environ:
        p = os.environ["HOTSPOT_CHROMIUM"]
        return p if os.path.isfile(p) and os.access(p, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        p = shutil.which(name)
        if p:
            return p
    return None


class Cdp:
    """A minimal DevTools protocol client over the pipe (fd 3: to the browser, fd 4: from it)."""

    def __init__(self, chromium, user_dir):
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        # Chromium reads commands on fd 3 and writes on fd 4 of its own process.
        def setup():
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)
        self.proc = subprocess.Popen([chromium, *FLAGS, "--remote-debugging-pipe", "--user-data-dir=" + user_dir,
                                      "--window-size=1200,900", "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     preexec_fn=setup, pass_fds=(3, 4))
        os.close(to_r)
        os.close(from_w)
        self.next_id = 0
        self.events = []
        self.replies = {}
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.stderr = []
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()

    def _read(self):
        buf = b""
        while True:
            chunk = os.read(self.from_r, 1 << 20)
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                msg, buf = buf.split(b"\0", 1)
                m = json.loads(msg)
                with self.cond:
                    if "id" in m:
                        self.replies[m["id"]] = m
                    else:
                        self.events.append(m)
                    self.cond.notify_all()

    def call(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        i = self.next_id
        msg = {"id": i, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        with self.cond:
            while i not in self.replies:
                left = deadline - time.time()
                if left <= 0:
                    raise TimeoutError(method)
                self.cond.wait(left)
            r = self.replies.pop(i)
        if "error" in r:
            raise RuntimeError(f"{method}: {r['error']}")
        return r.get("result", {})

    def wait_event(self, method, timeout=60):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for e in self.events:
                    if e["method"] == method:
                        return e
                left = deadline - time.time()
                if left <= 0:
                    raise TimeoutError(method)
                self.cond.wait(left)

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


PAGE_CHECK = r"""
(async () => {
  const out = {sections: [], title: document.title};
  for (const s of document.querySelectorAll('section.page')) {
    const r = {id: s.id, profile: s.dataset.profile || null,
               tables: [...s.querySelectorAll('table')].map(t => t.className),
               rows: [...s.querySelectorAll('table.areas tbody tr')].length,
               hotspot_rows: [...s.querySelectorAll('table.hotspots tbody tr')].length,
               svg: s.querySelectorAll('svg.map').length, images: []};
    for (const im of s.querySelectorAll('svg image')) {
      const img = new Image();
      img.src = im.getAttribute('href');
      try { await img.decode(); } catch (e) { r.images.push({error: String(e)}); continue; }
      const c = document.createElement('canvas');
      c.width = img.naturalWidth; c.height = img.naturalHeight;
      const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let opaque = 0; const colours = new Set();
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0) { opaque++; colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]); }
      const box = im.getBoundingClientRect();
      r.images.push({w: c.width, h: c.height, opaque, colours: colours.size, shown_w: box.width, shown_h: box.height});
    }
    r.labels = [...s.querySelectorAll('svg text.area-label')].length;
    r.overflow = s.scrollHeight > s.clientHeight + 1;
    out.sections.push(r);
  }
  return JSON.stringify(out);
})()
"""


LAYOUT_CHECK = r"""
(() => {
  const out = {pages: []};
  const body = document.body;
  out.declared = {pages: +body.dataset.pages, cover: +body.dataset.coverPages,
                  profile: +body.dataset.profilePages, annex: +body.dataset.annexPages};
  for (const s of document.querySelectorAll('section.page')) {
    const content = s.querySelector('.content'), foot = s.querySelector('.foot');
    const cr = content.getBoundingClientRect(), sr = s.getBoundingClientRect();
    const page = {id: s.id, kind: s.className, height: sr.height, width: sr.width, outside: [], overlaps: [],
                  rows: [], marking: (s.querySelector('.marking') || {}).innerText || ''};
    for (const e of content.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.bottom > cr.bottom + 0.5 || r.right > cr.right + 0.5 || r.top < cr.top - 0.5 || r.left < cr.left - 0.5)
        page.outside.push(`${e.tagName.toLowerCase()}.${e.getAttribute('class') || ''} ` +
                          `[${r.left.toFixed(0)},${r.top.toFixed(0)},${r.right.toFixed(0)},${r.bottom.toFixed(0)}] outside ` +
                          `[${cr.left.toFixed(0)},${cr.top.toFixed(0)},${cr.right.toFixed(0)},${cr.bottom.toFixed(0)}]: ` +
                          `${(e.textContent || '').slice(0, 50)}`);
    }
    const fr = foot.getBoundingClientRect();
    if (fr.top < cr.bottom - 0.5) page.outside.push('footer over the content');
    for (const g of s.querySelectorAll('svg g.legend')) {
      const texts = [...g.querySelectorAll('text')].map(t => [t.textContent, t.getBoundingClientRect()]);
      for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
        const [a, ra] = texts[i], [b, rb] = texts[j];
        if (ra.left < rb.right && rb.left < ra.right && ra.top < rb.bottom && rb.top < ra.bottom)
          page.overlaps.push(`${a} / ${b}`);
      }
    }
    for (const t of s.querySelectorAll('table'))
      for (const tr of t.querySelectorAll('tbody tr'))
        page.rows.push([...tr.querySelectorAll('td')].map(td => td.innerText.replace(/\s+/g, ' ').trim()).filter(x => x));
    out.pages.push(page);
  }
  return JSON.stringify(out);
})()
"""


def norm(text):
    return re.sub(r"\s+", " ", text).strip()


def pdf_page_text(path, page):
    r = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-enc", "UTF-8", path, "-"],
                       capture_output=True, text=True)
    return norm(r.stdout)


def pdf_pages(path):
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
        m = re.search(r"^Pages:\s+(\d+)", info, re.M)
        size = re.search(r"^Page size:\s+(.*)$", info, re.M)
        if m:
            return int(m.group(1)), size.group(1) if size else ""
    data = open(path, "rb").read()
    return len(re.findall(rb"/Type\s*/Page(?!s)", data)), ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hotspot", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--html", help="check this pack instead of building the demo pack")
    ap.add_argument("--config", help="run this config (relative to --source) instead of the demo town")
    ap.add_argument("--needs-data", help="skip (77) when this folder is absent")
    ap.add_argument("--marking", default="OFFICIAL-SENSITIVE", help="protective marking to print and find")
    a = ap.parse_args()

    if a.needs_data and not os.path.isdir(a.needs_data):
        print(f"skipped: {a.needs_data} not found (the shared data folder)")
        return SKIP

    chromium = find_chromium()
    if not chromium:
        print("skipped: chromium not installed (make test-deps installs it: apt-get install chromium poppler-utils)")
        return SKIP

    a.work = os.path.abspath(a.work)
    os.makedirs(a.work, exist_ok=True)
    if a.html:
        html = os.path.abspath(a.html)
        manifest = json.load(open(os.path.join(os.path.dirname(html), "manifest.json")))
    else:
        run_dir = os.path.join(a.work, "run")
        if a.config:
            cmd = [a.hotspot, "run", os.path.join(a.source, a.config), "--out", run_dir, "--overwrite", "-q",
                   "--report", "--marking", a.marking, "--author", "Force analysis team"]
        else:
            cmd = [a.hotspot, "run", os.path.join(a.source, "examples/demo.toml"), "--out", run_dir, "--overwrite",
                   "-q", "--period-from", "2025-07", "--period-to", "2025-12", "--comparison-from", "2025-01",
                   "--comparison-to", "2025-06", "--report", "--marking", a.marking, "--author", "Force analysis team"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            print("FAIL: hotspot run --report:", r.returncode, r.stderr)
            return 1
        html = os.path.join(run_dir, "report.html")
        manifest = json.load(open(os.path.join(run_dir, "manifest.json")))
    profiles = [p["name"] for p in manifest["profiles"]]

    failures = []

    def check(cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            failures.append(what)

    url = "file://" + html
    user_dir = tempfile.mkdtemp(prefix="hotspot-chromium-")
    t0 = time.time()
    cdp = Cdp(chromium, user_dir)
    try:
        targets = cdp.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        session = cdp.call("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            cdp.call(domain + ".enable", session=session)
        with cdp.cond:
            cdp.events.clear()
        cdp.call("Page.navigate", {"url": url}, session=session)
        cdp.wait_event("Page.loadEventFired")
        time.sleep(0.5)  # late console messages
        result = json.loads(cdp.call("Runtime.evaluate", {"expression": PAGE_CHECK, "awaitPromise": True,
                                                          "returnByValue": True}, session=session)["result"]["value"])
        with cdp.cond:
            events = list(cdp.events)
        requests = [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]
        errors = [e["params"] for e in events
                  if (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
                  or e["method"] == "Runtime.exceptionThrown"
                  or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]
        external = [u for u in requests if not (u == url or u.startswith("data:"))]
        check(not errors, f"no console errors ({len(errors)}: {errors[:3]})")
        check(not external, f"no network requests beyond the file itself ({external[:5]})")

        sections = result["sections"]
        profile_sections = [x for x in sections if "profile" in x["id"]]
        check(len(sections) >= len(profiles) + 2 and sections[0]["id"] == "cover" and sections[1]["id"] == "about",
              f"two cover pages + {len(profiles)} profile pages (+ annex) (found {len(sections)})")
        by_profile = {x["profile"]: x for x in profile_sections if x["profile"]}
        for name in profiles:
            s = by_profile.get(name)
            if not s:
                check(False, f"{name}: section present")
                continue
            check("hotspots" in s["tables"], f"{name}: hot spot table ({s['tables']})")
            check(s["hotspot_rows"] > 0, f"{name}: hot spot table has rows ({s['hotspot_rows']})")
            check(s["svg"] == 1 and s["labels"] > 0, f"{name}: one map with ward labels ({s['labels']})")
            imgs = s["images"]
            ok = len(imgs) == 1 and "error" not in imgs[0] and imgs[0]["opaque"] > 100 and imgs[0]["colours"] >= 1 \
                and imgs[0]["shown_w"] > 100
            check(ok, f"{name}: map image decoded and not blank ({imgs})")

        # The print layout: every element inside its page's content box.
        cdp.call("Emulation.setEmulatedMedia", {"media": "print"}, session=session)
        time.sleep(0.3)
        lay = json.loads(cdp.call("Runtime.evaluate", {"expression": LAYOUT_CHECK, "returnByValue": True},
                                  session=session)["result"]["value"])
        decl = lay["declared"]
        check(decl["pages"] == len(lay["pages"]) == decl["cover"] + decl["profile"] + decl["annex"]
              and decl["profile"] == len(profiles) and decl["cover"] == 2,
              f"declared pages {decl} match the {len(lay['pages'])} page sections")
        for pg in lay["pages"]:
            check(not pg["outside"], f"{pg['id']}: nothing outside its content box ({pg['outside'][:3]})")
            check(not pg["overlaps"], f"{pg['id']}: legend labels do not overlap ({pg['overlaps'][:3]})")
            check(abs(pg["height"] - 793.7) < 2 and abs(pg["width"] - 1122.5) < 2,
                  f"{pg['id']}: A4 landscape box ({pg['width']:.1f} x {pg['height']:.1f} px)")
            check(pg["marking"].strip() == a.marking, f"{pg['id']}: marking {pg['marking']!r}")
        annex = [pg for pg in lay["pages"] if "annex" in pg["kind"]]
        print(f"     {len(lay['pages'])} pages: 2 cover, {decl['profile']} profile, {len(annex)} annex; "
              f"{sum(len(pg['rows']) for pg in lay['pages'])} table rows")
        cdp.call("Emulation.setEmulatedMedia", {"media": ""}, session=session)

        shot = cdp.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=session)
        shot_path = os.path.join(a.work, "screenshot.png")
        open(shot_path, "wb").write(base64.b64decode(shot["data"]))
        check(os.path.getsize(shot_path) > 20000, f"screenshot written ({shot_path})")

        pdf = cdp.call("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True,
                                           "displayHeaderFooter": False}, session=session, timeout=120)
        pdf_path = os.path.join(a.work, "pack.pdf")
        open(pdf_path, "wb").write(base64.b64decode(pdf["data"]))
        pages, size = pdf_pages(pdf_path)
        check(pages == decl["pages"], f"PDF has {decl['pages']} pages: 2 cover + {decl['profile']} profile + "
                                      f"{decl['annex']} annex (got {pages}; {size})")
        if size:
            check("842" in size.split(" x ")[0] or "841" in size.split(" x ")[0], f"PDF pages are A4 landscape ({size})")
        if shutil.which("pdftotext"):
            missing = []
            for i, pg in enumerate(lay["pages"], start=1):
                text = pdf_page_text(pdf_path, i)
                words = set(text.split(" "))
                if a.marking not in text:
                    missing.append(f"page {i}: marking")
                for row in pg["rows"]:
                    for cell in row:
                        if cell not in text and not all(w in words for w in cell.split(" ")):
                            missing.append(f"page {i}: {cell!r} of {row}")
            n_rows = sum(len(pg["rows"]) for pg in lay["pages"])
            check(not missing, f"every cell of the {n_rows} table rows is in its PDF page's text ({missing[:5]})")
        if shutil.which("pdftoppm"):
            for f in os.listdir(a.work):
                if re.match(r"page-\d+\.png$", f):
                    os.remove(os.path.join(a.work, f))
            subprocess.run(["pdftoppm", "-r", "60", "-png", pdf_path, os.path.join(a.work, "page")], check=False)
            shots = sorted(f for f in os.listdir(a.work) if re.match(r"page-\d+\.png$", f))
            check(len(shots) == pages, f"{len(shots)} page images written ({a.work}/page-*.png)")
    finally:
        cdp.close()
        shutil.rmtree(user_dir, ignore_errors=True)
    print(f"chromium: {time.time() - t0:.1f} s; outputs in {a.work}")
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
