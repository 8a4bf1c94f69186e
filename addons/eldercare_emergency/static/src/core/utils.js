/** @odoo-module **/

import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";

/** Milliseconds since epoch of a server datetime string ("YYYY-MM-DD HH:MM:SS" UTC). */
export function serverMillis(value) {
  return value ? deserializeDateTime(value).toMillis() : null;
}

export function formatServerDateTime(value) {
  return value ? formatDateTime(deserializeDateTime(value)) : "";
}

/** "1:02:03" / "02:03"; negative values get a leading minus. */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || isNaN(ms)) {
    return "";
  }
  const sign = ms < 0 ? "-" : "";
  let seconds = Math.floor(Math.abs(ms) / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const pad = (n) => String(n).padStart(2, "0");
  return hours
    ? `${sign}${hours}:${pad(minutes)}:${pad(seconds)}`
    : `${sign}${pad(minutes)}:${pad(seconds)}`;
}
