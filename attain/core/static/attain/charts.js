// Draws the charts a page declares: <div data-chart="ID"> with its ECharts option in
// <script type="application/json" id="ID"> (attain.web.charts builds it on the server,
// labels translated). Canvas renderer and tooltips drawn inside the canvas (richText):
// the Content-Security-Policy allows no inline styles. Numbers are formatted for the
// page's language; charts follow their container's width (phones included).
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var zh = lang.toLowerCase().indexOf("zh") === 0;
  var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var formatters = {
    number: function (value) { return value == null ? "—" : numbers.format(value); },
    percent: function (value) { return value == null ? "—" : numbers.format(value) + "%"; },
  };
  var drawn = [];

  function draw(root) {
    if (typeof window.echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) return;
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) return;
      var option = JSON.parse(source.textContent);
      // ECharts writes its description over the element's aria-label: without a text of
      // the chart's own (the forecast fan brings one), the name the page gave it stays;
      // ECharts' generated one read raw numbers and indices ("…的数据是1，87594.66")
      // where the figures' table beside the chart has them formatted.
      option.aria = option.aria || {
        enabled: true, label: { description: el.getAttribute("aria-label") || "" },
      };
      option.animation = false;
      var tooltip = option.tooltip || {};
      tooltip.renderMode = "richText";
      if (typeof tooltip.valueFormatter === "string") {
        tooltip.valueFormatter = formatters[tooltip.valueFormatter] || formatters.number;
      }
      option.tooltip = tooltip;
      var chart = window.echarts.init(el, null, { renderer: "canvas", locale: zh ? "ZH" : "EN" });
      chart.setOption(option);
      el.setAttribute("data-drawn", "1");
      drawn.push(chart);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:load", function (event) { draw(event.target); });
  window.addEventListener("resize", function () {
    drawn.forEach(function (chart) { chart.resize(); });
  });
})();
