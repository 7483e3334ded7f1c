// The citizen page for people who find a phone hard: care mode (长辈模式:
// large text, strong contrast, big targets, the code first), reading the
// code's level aloud, one spoken announcement per new code, and the live
// screen (a moving mark and a ticking clock beside the QR) that lets staff
// tell a live phone from a screenshot.
"use strict";

const care = {
  KEY: "xinyi.care",

  on: () => document.body.classList.contains("care"),

  set(on) {
    document.body.classList.toggle("care", on);
    const toggle = document.getElementById("care-toggle");
    toggle.setAttribute("aria-checked", on ? "true" : "false");
    try { localStorage.setItem(care.KEY, on ? "1" : "0"); } catch (_) { /* private mode: this visit only */ }
  },

  /** `?care=1` (a link a family member or a service desk sends) wins over what was kept. */
  initial() {
    const asked = new URLSearchParams(location.search).get("care");
    if (asked === "1" || asked === "0") return asked === "1";
    try { return localStorage.getItem(care.KEY) === "1"; } catch (_) { return false; }
  },

  /** What the read-aloud button says: the level, and what to do at the counter. */
  words(code, forWhom) {
    const whose = forWhom ? "这是家人 " + forWhom + " 的信用码。" : "";
    const minutes = Math.max(1, Math.round((Date.parse(code.expires_at) - Date.now()) / 60000));
    return whose + "信用等级 " + code.level.name.split("").join(" ") + " 级。请把手机上的二维码给收银员扫描。" +
      "每个码只能用一次," + minutes + " 分钟内有效,过期会自动换新码。";
  },

  speak(text) {
    if (!("speechSynthesis" in window)) return;
    speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = 0.9;
    speechSynthesis.speak(utterance);
  },

  /** Once per new code, for screen readers: not the countdown every second. */
  announce(code, forWhom) {
    const whose = forWhom ? "家人 " + forWhom + " 的" : "";
    document.getElementById("code-announcer").textContent =
      "新的" + whose + "信用码已显示,信用等级 " + code.level.name + " · A new code is shown, level " + code.level.name;
  },
};

/** The live screen's clock: this phone's time to the second, beside the QR. */
function tickLiveClock() {
  const clock = document.getElementById("live-clock");
  const now = new Date(Date.now() + (xinyi.clockOffset || 0));
  const two = (n) => String(n).padStart(2, "0");
  // Beijing time, as the counter's clock shows it.
  const china = new Date(now.getTime() + 8 * 3600 * 1000);
  clock.textContent = two(china.getUTCHours()) + ":" + two(china.getUTCMinutes()) + ":" + two(china.getUTCSeconds());
  clock.setAttribute("datetime", now.toISOString());
  // Just after the next whole second, so the clock turns when a watch does.
  setTimeout(tickLiveClock, 1020 - (now.getTime() % 1000));
}

care.set(care.initial());
document.getElementById("care-toggle").addEventListener("click", () => care.set(!care.on()));
document.getElementById("read-aloud").classList.toggle("hidden", !("speechSynthesis" in window));
tickLiveClock();
