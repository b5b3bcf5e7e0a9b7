/**
 * Chart geometry for the statistics page. Only numbers and labels come out of here; the SVG markup is written by
 * the 'stats' template, where Eta escapes every label (rule ids and masked senders), so no chart can inject markup.
 */
import type { Stats } from './stats.js';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
  /** Index into the legend (its colour is the CSS class s<series % 8>). */
  series: number;
  title: string;
}

export interface DayChart {
  width: number;
  height: number;
  bars: Rect[];
  labels: { x: number; text: string }[];
  legend: string[];
  max: number;
}

export interface SenderChart {
  width: number;
  height: number;
  rows: { y: number; w: number; label: string; value: number }[];
}

export function dayChart(stats: Stats): DayChart {
  const legend = Object.keys(stats.byRule).sort(
    (a, b) => (stats.byRule[b] ?? 0) - (stats.byRule[a] ?? 0) || a.localeCompare(b),
  );
  const width = 640;
  const height = 200;
  const plot = height - 30;
  const days = stats.byDay;
  const max = Math.max(1, ...days.map((d) => Object.values(d.byRule).reduce((a, b) => a + b, 0)));
  const step = days.length ? width / days.length : width;
  const barW = Math.max(2, Math.min(40, step * 0.7));
  const bars: Rect[] = [];
  const labels: { x: number; text: string }[] = [];
  days.forEach((d, i) => {
    let y = plot;
    const x = i * step + (step - barW) / 2;
    legend.forEach((rule, series) => {
      const n = d.byRule[rule] ?? 0;
      if (!n) return;
      const h = (n / max) * (plot - 10);
      y -= h;
      bars.push({ x, y, w: barW, h, series, title: `${d.day} ${rule}: ${n}` });
    });
    if (days.length <= 14 || i % Math.ceil(days.length / 14) === 0)
      labels.push({ x: x + barW / 2, text: d.day.slice(5) });
  });
  return { width, height, bars, labels, legend, max };
}

export function senderChart(stats: Stats): SenderChart {
  const width = 640;
  const max = Math.max(1, ...stats.topSenders.map((s) => s.held));
  const rows = stats.topSenders.map((s, i) => ({
    y: i * 24,
    w: Math.max(2, (s.held / max) * 360),
    label: s.sender,
    value: s.held,
  }));
  return { width, height: Math.max(24, rows.length * 24), rows };
}

export interface ReleaseTimeChart {
  width: number;
  height: number;
  bars: { x: number; y: number; w: number; h: number; label: string; value: number }[];
}

export function releaseTimeChart(stats: Stats): ReleaseTimeChart {
  const width = 640;
  const height = 160;
  const plot = height - 40;
  const max = Math.max(1, ...stats.timeToRelease.map((b) => b.count));
  const step = width / Math.max(1, stats.timeToRelease.length);
  const bars = stats.timeToRelease.map((b, i) => {
    const h = (b.count / max) * (plot - 10);
    return { x: i * step + step * 0.15, y: plot - h + 14, w: step * 0.7, h, label: b.bucket, value: b.count };
  });
  return { width, height, bars };
}

export function charts(stats: Stats): {
  days: DayChart;
  senders: SenderChart;
  releaseTimes: ReleaseTimeChart;
  releasePercent: number;
} {
  return {
    days: dayChart(stats),
    senders: senderChart(stats),
    releaseTimes: releaseTimeChart(stats),
    releasePercent: Math.round(stats.releaseRate * 100),
  };
}
