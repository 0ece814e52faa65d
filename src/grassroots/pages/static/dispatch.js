// The weekly dispatch's two charts, drawn with the vendored ECharts (a file, not an inline
// script: the Content-Security-Policy allows this origin's files only). The units' shares come
// in the page's JSON block; the twelve-week trend is fetched after the page has shown.
(function () {
  "use strict";
  var RED = "#c62828";
  var PERCENT = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
  var charts = [];

  function chart(element) {
    element.textContent = "";
    var made = echarts.init(element, null, { renderer: "canvas" });
    charts.push(made);
    return made;
  }

  function drawUnits(element, units) {
    chart(element).setOption({
      animation: false,
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      xAxis: PERCENT,
      yAxis: { type: "category", inverse: true, data: units.names },
      series: [{
        name: units.label, type: "bar", data: units.shares, barMaxWidth: 28,
        itemStyle: { color: RED }, label: { show: true, position: "right", formatter: "{c}%" }
      }]
    });
  }

  function drawTrend(element, trend) {
    chart(element).setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; }
      },
      xAxis: {
        type: "category", data: trend.weeks,
        axisLabel: { formatter: function (w) { return w.slice(5); } }
      },
      yAxis: PERCENT,
      series: [{
        name: trend.label, type: "line", data: trend.shares, connectNulls: true,
        symbolSize: 6, itemStyle: { color: RED }, lineStyle: { color: RED, width: 2 },
        areaStyle: { color: "rgba(198, 40, 40, 0.08)" }
      }]
    });
  }

  function draw() {
    var block = document.getElementById("dispatch-chart-data");
    if (!block || typeof echarts === "undefined") { return; }
    var data = JSON.parse(block.textContent);
    var units = document.getElementById("chart-units");
    if (units) { drawUnits(units, data.units); }
    var trend = document.getElementById("chart-trend");
    if (trend && trend.dataset.source) {
      fetch(trend.dataset.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (answer) {
          if (!answer.ok) { throw new Error(String(answer.status)); }
          return answer.json();
        })
        .then(function (found) { drawTrend(trend, found); })
        .catch(function () { trend.setAttribute("data-failed", ""); });
    }
    function fit() { charts.forEach(function (made) { made.resize(); }); }
    window.addEventListener("resize", fit);
    // A printed page is narrower than the screen: redraw to the paper's width, and back.
    window.addEventListener("beforeprint", fit);
    window.addEventListener("afterprint", fit);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
