import { Raster, textWidth, type Rgb } from "./png.js";

export interface ChartSeries {
  name: string;
  /** One value per x position / group; null where there is no data. */
  values: Array<number | null>;
}

interface ChartBase {
  title: string;
  yLabel: string;
  series: ChartSeries[];
  yMin: number;
  yMax: number;
  /** Draws a dashed horizontal line at this value (e.g. 50% win rate). */
  reference?: { value: number; label: string };
  /** Formats y tick labels. */
  formatY?: (value: number) => string;
}

export interface LineChartSpec extends ChartBase {
  xLabel: string;
  /** Labels of the x positions. */
  x: string[];
}

export interface BarChartSpec extends ChartBase {
  /** Labels of the bar groups. */
  groups: string[];
}

export interface RenderedChart {
  png: Buffer;
  svg: string;
}

export const PALETTE: Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
];

const WIDTH = 960;
const HEIGHT = 540;
const MARGIN = { left: 90, right: 290, top: 96, bottom: 80 };
const INK: Rgb = [30, 30, 30];
const GRID: Rgb = [225, 225, 225];
const hex = (c: Rgb) => `#${c.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

interface Frame {
  raster: Raster;
  svg: string[];
  plotW: number;
  plotH: number;
  y: (value: number) => number;
}

function ticks(min: number, max: number): number[] {
  const span = max - min || 1;
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(Number(v.toFixed(6)));
  return out;
}

function frame(spec: ChartBase, xTitle: string): Frame {
  const raster = new Raster(WIDTH, HEIGHT);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = (value: number) => MARGIN.top + plotH - ((value - spec.yMin) / (spec.yMax - spec.yMin || 1)) * plotH;
  const svg: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="34" font-size="20" text-anchor="middle" fill="${hex(INK)}">${escapeXml(spec.title)}</text>`,
  ];
  raster.text((WIDTH - textWidth(spec.title, 3)) / 2, 20, spec.title, INK, 3);
  const format = spec.formatY ?? ((v: number) => String(v));
  for (const tick of ticks(spec.yMin, spec.yMax)) {
    const ty = y(tick);
    raster.line(MARGIN.left, ty, MARGIN.left + plotW, ty, GRID);
    const label = format(tick);
    raster.text(MARGIN.left - 10 - textWidth(label), ty - 7, label, INK);
    svg.push(`<line x1="${MARGIN.left}" y1="${ty}" x2="${MARGIN.left + plotW}" y2="${ty}" stroke="${hex(GRID)}"/>`);
    svg.push(`<text x="${MARGIN.left - 10}" y="${ty + 5}" font-size="14" text-anchor="end">${escapeXml(label)}</text>`);
  }
  raster.line(MARGIN.left, MARGIN.top, MARGIN.left, MARGIN.top + plotH, INK, 2);
  raster.line(MARGIN.left, MARGIN.top + plotH, MARGIN.left + plotW, MARGIN.top + plotH, INK, 2);
  svg.push(
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotH}" stroke="${hex(INK)}" stroke-width="2"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${MARGIN.left + plotW}" y2="${MARGIN.top + plotH}" stroke="${hex(INK)}" stroke-width="2"/>`,
  );
  // Axis titles: y above the axis (the bitmap font does not rotate), x below.
  raster.text(MARGIN.left - 60, MARGIN.top - 36, spec.yLabel, INK);
  raster.text(MARGIN.left + (plotW - textWidth(xTitle)) / 2, HEIGHT - 30, xTitle, INK);
  svg.push(
    `<text x="${MARGIN.left - 60}" y="${MARGIN.top - 24}" font-size="14">${escapeXml(spec.yLabel)}</text>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 18}" font-size="14" text-anchor="middle">${escapeXml(xTitle)}</text>`,
  );
  if (spec.reference) {
    const ry = y(spec.reference.value);
    raster.dashedLine(MARGIN.left, MARGIN.left + plotW, ry, [90, 90, 90]);
    raster.text(MARGIN.left + plotW + 8, ry - 7, spec.reference.label, [90, 90, 90]);
    svg.push(
      `<line x1="${MARGIN.left}" y1="${ry}" x2="${MARGIN.left + plotW}" y2="${ry}" stroke="#5a5a5a" stroke-dasharray="6 6"/>`,
      `<text x="${MARGIN.left + plotW + 8}" y="${ry + 5}" font-size="13" fill="#5a5a5a">${escapeXml(spec.reference.label)}</text>`,
    );
  }
  // Legend on the right.
  spec.series.forEach((series, i) => {
    const color = PALETTE[i % PALETTE.length];
    const ly = MARGIN.top + 10 + i * 28;
    const lx = WIDTH - MARGIN.right + 80;
    raster.fillRect(lx, ly, 18, 14, color);
    raster.text(lx + 26, ly, series.name, INK);
    svg.push(
      `<rect x="${lx}" y="${ly}" width="18" height="14" fill="${hex(color)}"/>`,
      `<text x="${lx + 26}" y="${ly + 12}" font-size="14">${escapeXml(series.name)}</text>`,
    );
  });
  return { raster, svg, plotW, plotH, y };
}

function finish(f: Frame): RenderedChart {
  return { png: f.raster.toPng(), svg: `${f.svg.join("\n")}\n</svg>\n` };
}

/** Lines with point markers, one per series (paper Fig. 3 style). */
export function renderLineChart(spec: LineChartSpec): RenderedChart {
  const f = frame(spec, spec.xLabel);
  const step = f.plotW / Math.max(spec.x.length, 1);
  const xAt = (i: number) => MARGIN.left + step * (i + 0.5);
  spec.x.forEach((label, i) => {
    f.raster.text(xAt(i) - textWidth(label) / 2, MARGIN.top + f.plotH + 10, label, INK);
    f.svg.push(`<text x="${xAt(i)}" y="${MARGIN.top + f.plotH + 24}" font-size="14" text-anchor="middle">${escapeXml(label)}</text>`);
  });
  // Earlier series are drawn wider, so a later series on the same values leaves them visible as an outline.
  spec.series.forEach((series, s) => {
    const color = PALETTE[s % PALETTE.length];
    const width = 2 + 2 * (spec.series.length - 1 - s);
    let previous: [number, number] | undefined;
    const points: string[] = [];
    series.values.forEach((value, i) => {
      if (value === null || !Number.isFinite(value)) {
        previous = undefined;
        return;
      }
      const point: [number, number] = [xAt(i), f.y(value)];
      if (previous) f.raster.line(previous[0], previous[1], point[0], point[1], color, width);
      f.raster.fillRect(point[0] - width / 2 - 3, point[1] - width / 2 - 3, width + 6, width + 6, color);
      points.push(`${point[0].toFixed(1)},${point[1].toFixed(1)}`);
      f.svg.push(`<circle cx="${point[0].toFixed(1)}" cy="${point[1].toFixed(1)}" r="${width / 2 + 3}" fill="${hex(color)}"/>`);
      previous = point;
    });
    if (points.length > 1) {
      f.svg.push(`<polyline points="${points.join(" ")}" fill="none" stroke="${hex(color)}" stroke-width="${width}"/>`);
    }
  });
  return finish(f);
}

/** Grouped bars, one bar per series in each group, value printed above (paper Fig. 4 style). */
export function renderBarChart(spec: BarChartSpec): RenderedChart {
  const f = frame(spec, "");
  const groupW = f.plotW / Math.max(spec.groups.length, 1);
  const barW = Math.min(60, (groupW * 0.8) / Math.max(spec.series.length, 1));
  const format = spec.formatY ?? ((v: number) => String(v));
  spec.groups.forEach((group, g) => {
    const center = MARGIN.left + groupW * (g + 0.5);
    f.raster.text(center - textWidth(group) / 2, MARGIN.top + f.plotH + 10, group, INK);
    f.svg.push(`<text x="${center}" y="${MARGIN.top + f.plotH + 24}" font-size="14" text-anchor="middle">${escapeXml(group)}</text>`);
    const start = center - (barW * spec.series.length) / 2;
    spec.series.forEach((series, s) => {
      const value = series.values[g];
      if (value === null || value === undefined || !Number.isFinite(value)) return;
      const color = PALETTE[s % PALETTE.length];
      const top = f.y(value);
      const bottom = f.y(spec.yMin);
      const x = start + s * barW + 2;
      f.raster.fillRect(x, top, barW - 4, bottom - top, color);
      const label = format(value);
      const scale = textWidth(label, 2) <= barW ? 2 : 1;
      f.raster.text(x + (barW - 4 - textWidth(label, scale)) / 2, top - 8 * scale - 2, label, INK, scale);
      f.svg.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 4).toFixed(1)}" height="${(bottom - top).toFixed(1)}" fill="${hex(color)}"/>`,
        `<text x="${(x + (barW - 4) / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" font-size="11" text-anchor="middle">${escapeXml(label)}</text>`,
      );
    });
  });
  return finish(f);
}
