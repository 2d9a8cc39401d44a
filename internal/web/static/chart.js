// gridbook charts: turns every <div data-chart='{…}'> into a uPlot chart,
// so that pages describe charts in data (web.Chart) and write no script.
//
// The attribute holds {kind, unit, labels | x + tz, series:[{label, values}],
// height}; see chart.go. Charts are drawn on page load and whenever htmx
// swaps in new content, and follow their container's width.
(function () {
  "use strict";

  var numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

  function css(el, name, fallback) {
    var v = getComputedStyle(el).getPropertyValue(name).trim();
    return v || fallback;
  }

  function withUnit(v, unit) {
    if (v == null || isNaN(v)) return "–";
    var s = numberFormat.format(v);
    if (unit === "$") return (v < 0 ? "-$" + s.slice(1) : "$" + s);
    return unit ? s + " " + unit : s;
  }

  // Short axis labels: 12,500 → 12.5k.
  function compact(v) {
    var a = Math.abs(v);
    if (a >= 1e9) return numberFormat.format(v / 1e9) + "B";
    if (a >= 1e6) return numberFormat.format(v / 1e6) + "M";
    if (a >= 1e4) return numberFormat.format(v / 1e3) + "k";
    return numberFormat.format(v);
  }

  function build(el) {
    if (el.dataset.chartReady) return;
    var spec;
    try {
      spec = JSON.parse(el.getAttribute("data-chart"));
    } catch (e) {
      el.textContent = "This chart could not be drawn.";
      return;
    }
    el.dataset.chartReady = "1";

    var categorical = !spec.x;
    var labels = spec.labels || [];
    var xs = categorical ? labels.map(function (_, i) { return i; }) : spec.x;
    var colors = [1, 2, 3, 4, 5, 6].map(function (i) { return css(el, "--chart-" + i, "#0072b2"); });
    var grid = css(el, "--chart-grid", "#e3e8ee");
    var axisColor = css(el, "--chart-axis", "#4f5b6b");
    var font = "12px " + css(document.body, "--font", "sans-serif");
    var unit = spec.unit || "";
    var bars = spec.kind === "bars";
    var n = spec.series.length;

    if (!spec.xLabel) el.classList.add("chart-xbare");
    var series = [{
      label: spec.xLabel || "x",
      value: categorical
        ? function (u, i) { return i == null ? "–" : (labels[i] || ""); }
        : "{MMM} {D}, {YYYY} {h}:{mm} {aa}"
    }];
    spec.series.forEach(function (s, i) {
      var color = colors[i % colors.length];
      var def = {
        label: s.label,
        stroke: color,
        width: bars ? 1 : 2,
        value: function (u, v) { return withUnit(v, unit); },
        points: { show: false },
        spanGaps: false
      };
      if (bars && categorical) {
        // Grouped bars: each group is 0.8 of a category wide and series i
        // takes slot i of it (x0 and size in data units, uPlot "disp").
        var w = 0.8 / Math.max(1, n);
        def.fill = color;
        def.paths = uPlot.paths.bars({ gap: 1, disp: {
          x0: { unit: 1, values: function () { return xs.map(function (x) { return x - 0.4 + i * w; }); } },
          size: { unit: 1, values: function () { return [w]; } }
        } });
      } else if (bars) {
        def.fill = color;
        def.paths = uPlot.paths.bars({ size: [0.7, 48] });
      } else if (spec.kind === "area") {
        def.fill = color + "33";
      }
      series.push(def);
    });

    var data = [xs].concat(spec.series.map(function (s) { return s.values; }));

    var axes = [
      {
        stroke: axisColor,
        font: font,
        grid: { show: false },
        ticks: { stroke: grid, size: 4 }
      },
      {
        stroke: axisColor,
        font: font,
        size: 56,
        grid: { stroke: grid, width: 1 },
        ticks: { show: false },
        values: function (u, splits) { return splits.map(compact); },
        label: unit && unit !== "$" ? unit : undefined,
        labelFont: font,
        labelSize: 20
      }
    ];
    if (categorical) {
      axes[0].values = function (u, splits) {
        return splits.map(function (i) { return Number.isInteger(i) ? (labels[i] || "") : ""; });
      };
      axes[0].incrs = [1, 2, 3, 4, 6, 12, 24, 48, 96];
      // Leave room for the longest label (about 7 px a character at
      // 12 px), so that narrow charts skip labels instead of overlapping.
      var longest = labels.reduce(function (m, l) { return Math.max(m, String(l).length); }, 0);
      axes[0].space = Math.max(36, longest * 7 + 10);
    }

    var opts = {
      width: Math.max(200, el.clientWidth),
      height: spec.height || 240,
      series: series,
      axes: axes,
      legend: { live: true },
      cursor: { points: { size: 7 }, drag: { x: !categorical, y: false } },
      scales: {
        x: categorical
          ? { time: false, range: function (u, min, max) { return [min - 0.5, max + 0.5]; } }
          : { time: true },
        y: { range: function (u, min, max) {
          // Start bars and areas at zero; let lines breathe.
          var lo = (bars || spec.kind === "area") ? Math.min(0, min) : min;
          return uPlot.rangeNum(lo, max, 0.1, true);
        } }
      }
    };
    if (!categorical && spec.tz) {
      opts.tzDate = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), spec.tz); };
    }

    var plot = new uPlot(opts, data, el);
    if (window.ResizeObserver) {
      var last = el.clientWidth;
      new ResizeObserver(function () {
        var w = el.clientWidth;
        if (w > 0 && w !== last) {
          last = w;
          plot.setSize({ width: Math.max(200, w), height: opts.height });
        }
      }).observe(el);
    }
  }

  function scan(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("[data-chart]")) build(root);
    root.querySelectorAll("[data-chart]").forEach(build);
  }

  if (window.htmx) {
    // htmx calls this for the whole body on load and for each swapped-in fragment.
    window.htmx.onLoad(scan);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
})();
