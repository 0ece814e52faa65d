// The weekly dispatch's two charts, drawn with the vendored ECharts from the page's JSON block
// (a file, not an inline script: the Content-Security-Policy allows this origin's files only).
(function () {
  "use strict";
  function draw() {
    var block = document.getElementById("dispatch-chart-data");
    if (!block || typeof echarts === "undefined") { return; }
    var data = JSON.parse(block.textContent);
    var red = "#c62828";
    var percent = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
    var charts = [];
    var units = document.getElementById("chart-units");
    if (units) {
      var bars = echarts.init(units, null, { renderer: "canvas" });
      bars.setOption({
        animation: false,
        grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
        xAxis: percent,
        yAxis: { type: "category", inverse: true, data: data.units.names },
        series: [{
          name: data.units.label, type: "bar", data: data.units.shares, barMaxWidth: 28,
          itemStyle: { color: red }, label: { show: true, position: "right", formatter: "{c}%" }
        }]
      });
      charts.push(bars);
    }
    var trend = document.getElementById("chart-trend");
    if (trend) {
      var line = echarts.init(trend, null, { renderer: "canvas" });
      line.setOption({
        animation: false,
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
        xAxis: {
          type: "category", data: data.trend.weeks,
          axisLabel: { formatter: function (w) { return w.slice(5); } }
        },
        yAxis: percent,
        series: [{
          name: data.trend.label, type: "line", data: data.trend.shares, connectNulls: true,
          symbolSize: 6, itemStyle: { color: red }, lineStyle: { color: red, width: 2 },
          areaStyle: { color: "rgba(198, 40, 40, 0.08)" }
        }]
      });
      charts.push(line);
    }
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
