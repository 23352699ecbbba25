// Portal Studio's desktop smoke flow: drives the real UI in the Wails
// window and reports what it saw to window.go.app.Smoke.Report.
(async () => {
  const report = { steps: [] };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const $ = (s) => document.querySelector(s);
  const text = (s) => ($(s) ? $(s).textContent.trim() : null);
  async function until(what, fn, ms = 20000) {
    const t0 = Date.now();
    for (;;) {
      let v;
      try { v = fn(); } catch (e) { v = null; }
      if (v) { report.steps.push(what + " (" + (Date.now() - t0) + " ms)"); return v; }
      if (Date.now() - t0 > ms) throw new Error("timed out: " + what);
      await sleep(50);
    }
  }
  function setValue(el, v, ev) {
    el.value = v;
    el.dispatchEvent(new Event(ev, { bubbles: true }));
  }
  try {
    const t0 = performance.now();
    await until("UI loaded", () => !document.getElementById("app-wasm-loader") && $("#access-count"));
    report.loadedMs = Math.round(performance.now() - t0);
    report.transport = document.body.dataset.transport;
    report.accessBefore = text("#access-count");
    report.restrictedBefore = await until("restricted count", () => text("#restricted-count"));

    $("#access-add").click();
    const pick = await until("attribute picker", () => $("#access-add-attr"));
    setValue(pick, "user.email", "change");
    const op = await until("new condition", () => $("#access-builder .condition .cond-op"));
    setValue(op, "contains", "change");
    await until("operator set", () => $("#access-builder .condition .cond-op").value === "contains");
    setValue($("#access-builder .condition .cond-value"), "examply", "input");
    report.accessAfter = await until("access count changed", () => {
      const v = text("#access-count");
      return v !== report.accessBefore && !$("#access-audience.busy") ? v : null;
    });
    report.restrictedMid = await until("restricted recounted", () => !$("#restricted-audience.busy") && text("#restricted-count"));

    $("#visibility-toggle").click();
    report.restrictedOff = await until("visibility off", () => (text("#restricted-count") === "0" ? "0" : null));
    $("#visibility-toggle").click();
    report.restrictedOn = await until("visibility on again", () => {
      const v = text("#restricted-count");
      return v !== "0" && !$("#restricted-audience.busy") ? v : null;
    });

    $("#nav-preview").click();
    await until("preview panes", () => $("#pane-0 .verdict") && $("#pane-1 .verdict"));
    const tabs = (i) => Array.from(document.querySelectorAll("#pane-" + i + " .tab")).map((t) => t.dataset.tab).join(",");
    report.pane0Tabs = await until("pane 0 tabs", () => tabs(0));
    report.pane1Tabs = await until("pane 1 tabs", () => tabs(1));
    $("#nav-settings").click();
    await until("back on settings", () => $("#access-count"));
    report.saved = await until("saved", () => (text("#save-state") || "").includes("Saved") && text("#save-state"));
    report.marker = text("#draft-marker");
    window.scrollTo(0, 0);
  } catch (e) {
    report.error = String(e && e.message ? e.message : e);
  }
  window.go.app.Smoke.Report(JSON.stringify(report));
})();
