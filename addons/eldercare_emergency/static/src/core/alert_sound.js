/** @odoo-module **/

import { browser } from "@web/core/browser/browser";

/**
 * Alarm beep with the Web Audio API.
 *
 * Browsers block audio until the user interacted with the page (autoplay
 * rules). `playAlarm()` resolves to `false` when the sound could not be
 * played so that the caller shows a visual fallback (flashing banner).
 */
let audioContext = null;

function getContext() {
  const Ctx = browser.AudioContext || browser.webkitAudioContext;
  if (!Ctx) {
    return null;
  }
  if (!audioContext) {
    try {
      audioContext = new Ctx();
    } catch {
      return null;
    }
  }
  return audioContext;
}

/** Try to unlock audio after a user gesture. */
export async function unlockAudio() {
  const ctx = getContext();
  if (ctx && ctx.state === "suspended") {
    try {
      await ctx.resume();
    } catch {
      // still blocked
    }
  }
  return Boolean(ctx && ctx.state === "running");
}

export function isAudioRunning() {
  return Boolean(audioContext && audioContext.state === "running");
}

export async function playAlarm({ beeps = 3 } = {}) {
  const ctx = getContext();
  if (!ctx) {
    return false;
  }
  if (ctx.state === "suspended") {
    // resume() never settles while autoplay is blocked: do not wait forever
    await Promise.race([
      ctx.resume().catch(() => {}),
      new Promise((resolve) => browser.setTimeout(resolve, 250)),
    ]);
  }
  if (ctx.state !== "running") {
    return false;
  }
  try {
    const start = ctx.currentTime + 0.02;
    for (let i = 0; i < beeps; i++) {
      const t = start + i * 0.45;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = "square";
      osc.frequency.setValueAtTime(i % 2 ? 660 : 880, t);
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.35);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.4);
    }
    return true;
  } catch {
    return false;
  }
}
