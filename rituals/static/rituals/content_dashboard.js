// Draws the content dashboard's charts (Chart.js, vendored) from the JSON the page embeds.
"use strict";
(function () {
  function draw() {
    var data = JSON.parse(document.getElementById("dashboard-data").textContent);
    var common = { responsive: true, animation: false, plugins: { legend: { position: "bottom" } } };
    function chart(id, type, labels, datasets, options) {
      var canvas = document.getElementById(id);
      canvas.dataset.ready = "true";
      return new window.Chart(canvas, { type: type, data: { labels: labels, datasets: datasets },
        options: Object.assign({}, common, options || {}) });
    }
    var percent = { scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } } } };
    chart("chart-active-couples", "line", data.weeks, [{ label: "Active couples", data: data.active_couples }]);
    chart("chart-completions", "bar", data.weeks, [{ label: "Completions", data: data.completions }]);
    chart("chart-prompt-answer-rate", "line", data.weeks,
      [{ label: "Answers out of possible (%)", data: data.prompt_answer_rate, spanGaps: true }], percent);
    chart("chart-push-rates", "line", data.weeks, [
      { label: "Delivered (%)", data: data.push_delivery_rate, spanGaps: true },
      { label: "Failed (%)", data: data.push_failure_rate, spanGaps: true }
    ], percent);
    chart("chart-template-adoption", "bar", data.templates,
      [{ label: "Couples", data: data.template_couples }, { label: "Rituals", data: data.template_rituals }],
      { indexAxis: "y" });
    document.body.dataset.dashboardReady = "true";
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
